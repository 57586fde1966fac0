"""What the credential calls of library models record: Exchange Web Services logins,
password grants and an app's own client secret (:mod:`.declared` reads the models)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from ...model import MISSING, EwsAccount, MailFile, SecretUse, TokenRequest, Value
from ..models.spec import AppSecret, EwsLogin, PasswordGrant
from . import common
from .base import CallSite

Record = Callable[[MailFile, CallSite], None]


def ews(login: EwsLogin) -> Record:
    """Exchange Web Services credentials: a password unless an OAuth2 parameter is given."""

    def record(mail: MailFile, site: CallSite) -> None:
        oauth2 = any(site.has(name) and site.arg(name).present for name in login.oauth2_params)
        if login.oauth_flag is not None:
            flag = common.flag(site.arg(login.oauth_flag), False)
            if flag is None:
                return  # OAuth2 or a password as the program is told: not known here
            oauth2 = oauth2 or flag
        secret = site.arg(login.secret)
        if not oauth2 and secret.literal and isinstance(secret.value, str) and secret.value:
            mail.secrets.append(SecretUse(secret, "EWS password", secret.literal_span or site.span))
        host = Value.unknown("autodiscover")
        if login.url and site.has(login.url):
            url = site.arg(login.url)
            host = _url_host(url) or url
        mail.ews.append(
            EwsAccount(
                auth="oauth2" if oauth2 else "basic",
                span=site.span,
                user=site.arg(login.user),
                secret=MISSING if oauth2 else site.arg(login.secret),
                host=host,
            )
        )

    return record


def _url_host(url: Value) -> Value | None:
    if not (url.known and isinstance(url.value, str)):
        return None
    host = urlsplit(url.value).hostname
    return Value(True, host, url.origin, url.span, source=url.source) if host else None


def grant_record(grant: PasswordGrant) -> Record:
    """A token asked for with the user's password (ROPC)."""

    def record(mail: MailFile, site: CallSite) -> None:
        flag, wanted = grant.when
        chosen = site.arg(flag)
        if chosen.known and chosen.value == wanted:
            mail.token_requests.append(TokenRequest("username_password", MISSING, site.span))

    return record


def app_secret(declared: AppSecret) -> Record:
    """An app's own secret handed to the callable, when written as a literal."""

    def record(mail: MailFile, site: CallSite) -> None:
        value = site.arg(declared.secret)
        if declared.item is not None:
            items = value.items or ()
            value = items[declared.item] if len(items) > declared.item else MISSING
        if value.literal and isinstance(value.value, str) and value.literal_span is not None:
            path = common.path_to_call(site, declared.secret, value)
            use = SecretUse(value, "client secret", value.literal_span, needs_mail=True, path=path)
            mail.secrets.append(use)

    return record
