"""Modules that fixes add to a project: where a framework has an extension point for
the login (an email backend, a ``Mail`` class, a logging handler), the XOAUTH2 login
goes into a small module of the project, and the settings or the code point at it.

Each module is a template in the project's house style (Black's, adapted by
:mod:`.style`), rendered with the cloud of the host it sends to. The Django and Flask
modules read the tenant and app registration from the framework's settings, which
the fixed settings file reads from the environment its own way (``os.environ``,
django-environ, python-decouple); the logging handler has no settings object and
reads them from the environment, through the token helper every inline rewrite uses
(or the project's own ``token-provider``).
"""

from __future__ import annotations

from ..records import record
from . import graph_client, graph_modules, token_module
from .helpers import OAUTH2_ACCESS_TOKEN
from .style import Style, restyle

GUIDE = (
    "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/"
    "how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth"
)
DEFAULT_SCOPE = "https://outlook.office365.com/.default"
DEFAULT_AUTHORITY = "login.microsoftonline.com"

# MSAL with the credentials the framework's settings hold: one application per tenant and
# client for the process, made under a lock, so every connection shares its token cache.
_ACCESS_TOKEN = r'''
SCOPE = "{scope}"
AUTHORITY_HOST = "{authority_host}"

_apps: dict[str, msal.ConfidentialClientApplication] = {{}}
_apps_lock = threading.Lock()


def access_token(tenant_id: str, client_id: str, client_secret: str) -> str:
    """An app-only access token for SMTP XOAUTH2 (MSAL's client-credentials flow).

    The MSAL application is made once per tenant and client and shared by every thread,
    so its cache hands out the same token until five minutes before it expires.
    """
    authority = f"https://{{AUTHORITY_HOST}}/{{tenant_id}}"
    with _apps_lock:
        app = _apps.get(authority + "/" + client_id)
        if app is None:
            app = msal.ConfidentialClientApplication(
                client_id, client_credential=client_secret, authority=authority
            )
            _apps[authority + "/" + client_id] = app
    result = app.acquire_token_for_client(scopes=[SCOPE])
    if "access_token" not in result:
        error = result.get("error_description") or result.get("error")
        raise smtplib.SMTPAuthenticationError(535, f"no OAuth2 token: {{error}}")
    return result["access_token"]
'''

_DJANGO_BACKEND = r'''
"""A Django email backend that signs in to Microsoft 365 with OAuth2 (SASL XOAUTH2).

Written by authsweep: Exchange Online is retiring basic authentication for SMTP AUTH,
and Django's SMTP backend can only log in with a password. This one says STARTTLS with
a verifying context, EHLO again, and authenticates as EMAIL_HOST_USER with an app-only
token from MSAL.

Settings: EMAIL_BACKEND = "{dotted}.XOAuth2EmailBackend", EMAIL_HOST,
EMAIL_PORT (587), EMAIL_HOST_USER (the mailbox), EMAIL_OAUTH2_TENANT_ID,
EMAIL_OAUTH2_CLIENT_ID and EMAIL_OAUTH2_CLIENT_SECRET. The app registration needs the
Office 365 Exchange Online application permission SMTP.SendAsApp with admin consent,
and its service principal registered in Exchange Online with access to the mailbox:
{guide}
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from typing import Any

import msal
from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.utils import DNS_NAME
{access_token}

class XOAuth2EmailBackend(EmailBackend):
    """Django's SMTP backend with an XOAUTH2 login instead of the password login.

    STARTTLS always (Exchange Online serves no implicit TLS); EMAIL_HOST_PASSWORD and
    EMAIL_USE_SSL are not used.
    """

    def open(self) -> bool | None:
        if self.connection:
            return False
        options: dict[str, Any] = {{"local_hostname": DNS_NAME.get_fqdn()}}
        if self.timeout is not None:
            options["timeout"] = self.timeout
        try:
            self.connection = smtplib.SMTP(self.host, self.port, **options)
            self.connection.starttls(context=ssl.create_default_context())
            self.connection.ehlo()
            token = access_token(
                settings.EMAIL_OAUTH2_TENANT_ID,
                settings.EMAIL_OAUTH2_CLIENT_ID,
                settings.EMAIL_OAUTH2_CLIENT_SECRET,
            )
            xoauth2 = f"user={{self.username}}\x01auth=Bearer {{token}}\x01\x01"
            self.connection.auth("XOAUTH2", lambda challenge=None: xoauth2)
        except OSError:
            connection, self.connection = self.connection, None
            if connection is not None:
                connection.close()
            if not self.fail_silently:
                raise
            return None
        return True
'''

_FLASK_MAILMAN_BACKEND = r'''
"""A Flask-Mailman email backend that signs in to Microsoft 365 with OAuth2 (XOAUTH2).

Written by authsweep: Exchange Online is retiring basic authentication for SMTP AUTH,
and Flask-Mailman's SMTP backend can only log in with a password. This one says
STARTTLS with a verifying context, EHLO again, and authenticates as MAIL_USERNAME with
an app-only token from MSAL.

Configuration: MAIL_BACKEND = "{dotted}.XOAuth2EmailBackend", MAIL_SERVER,
MAIL_PORT (587), MAIL_USERNAME (the mailbox), MAIL_OAUTH2_TENANT_ID,
MAIL_OAUTH2_CLIENT_ID and MAIL_OAUTH2_CLIENT_SECRET. The app registration needs the
Office 365 Exchange Online application permission SMTP.SendAsApp with admin consent,
and its service principal registered in Exchange Online with access to the mailbox:
{guide}
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from typing import Any

import msal
from flask import current_app
from flask_mailman.backends.smtp import EmailBackend
from flask_mailman.utils import DNS_NAME
{access_token}

class XOAuth2EmailBackend(EmailBackend):
    """Flask-Mailman's SMTP backend with an XOAUTH2 login instead of the password login.

    STARTTLS always (Exchange Online serves no implicit TLS); MAIL_PASSWORD and
    MAIL_USE_SSL are not used.
    """

    def open(self) -> bool | None:
        if self.connection:
            return False
        options: dict[str, Any] = {{"local_hostname": DNS_NAME.get_fqdn()}}
        if self.timeout is not None:
            options["timeout"] = self.timeout
        try:
            self.connection = smtplib.SMTP(self.host, self.port, **options)
            self.connection.starttls(context=ssl.create_default_context())
            self.connection.ehlo()
            config = current_app.config
            token = access_token(
                config["MAIL_OAUTH2_TENANT_ID"],
                config["MAIL_OAUTH2_CLIENT_ID"],
                config["MAIL_OAUTH2_CLIENT_SECRET"],
            )
            xoauth2 = f"user={{self.username}}\x01auth=Bearer {{token}}\x01\x01"
            self.connection.auth("XOAUTH2", lambda challenge=None: xoauth2)
        except OSError:
            connection, self.connection = self.connection, None
            if connection is not None:
                connection.close()
            if not self.fail_silently:
                raise
            return None
        return True
'''

_FLASK_MAIL = r'''
"""Flask-Mail, signing in to Microsoft 365 with OAuth2 (SASL XOAUTH2).

Written by authsweep: Exchange Online is retiring basic authentication for SMTP AUTH,
and Flask-Mail can only log in with a password. XOAuth2Mail is Flask-Mail's Mail whose
connections say STARTTLS with a verifying context, EHLO again, and authenticate as
MAIL_USERNAME with an app-only token from MSAL; use it where Mail was used.

Configuration: MAIL_SERVER, MAIL_PORT (587), MAIL_USERNAME (the mailbox),
MAIL_OAUTH2_TENANT_ID, MAIL_OAUTH2_CLIENT_ID and MAIL_OAUTH2_CLIENT_SECRET. The app
registration needs the Office 365 Exchange Online application permission SMTP.SendAsApp
with admin consent, and its service principal registered in Exchange Online with
access to the mailbox:
{guide}
"""

from __future__ import annotations

import smtplib
import ssl
import threading

import flask_mail
import msal
from flask import current_app
{access_token}

class XOAuth2Connection(flask_mail.Connection):
    """A Flask-Mail connection that signs in with XOAUTH2 after STARTTLS (always:
    Exchange Online serves no implicit TLS); MAIL_PASSWORD, MAIL_USE_SSL are unused."""

    def configure_host(self) -> smtplib.SMTP:
        host = smtplib.SMTP(self.mail.server, self.mail.port)
        try:
            host.set_debuglevel(int(self.mail.debug))
            host.starttls(context=ssl.create_default_context())
            host.ehlo()
            config = current_app.config
            token = access_token(
                config["MAIL_OAUTH2_TENANT_ID"],
                config["MAIL_OAUTH2_CLIENT_ID"],
                config["MAIL_OAUTH2_CLIENT_SECRET"],
            )
            xoauth2 = f"user={{self.mail.username}}\x01auth=Bearer {{token}}\x01\x01"
            host.auth("XOAUTH2", lambda challenge=None: xoauth2)
        except BaseException:
            host.close()
            raise
        return host


class XOAuth2Mail(flask_mail.Mail):
    """Flask-Mail's Mail, with connections that sign in with XOAUTH2."""

    def connect(self) -> XOAuth2Connection:
        app = getattr(self, "app", None) or current_app
        try:
            return XOAuth2Connection(app.extensions["mail"])
        except KeyError as error:
            raise RuntimeError("the app was not configured with Flask-Mail") from error
'''

_SMTP_HANDLER = r'''
"""A logging handler that mails records through Microsoft 365 with OAuth2 (XOAUTH2).

Written by authsweep: Exchange Online is retiring basic authentication for SMTP AUTH,
and logging.handlers.SMTPHandler can only log in with a password. XOAuth2SMTPHandler
takes the same arguments; ``credentials`` is the mailbox to sign in as. It says STARTTLS
with a verifying context, EHLO again, and authenticates with an app-only token from
MSAL (AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET in the environment). The
app registration needs the Office 365 Exchange Online application permission
SMTP.SendAsApp with admin consent, and its service principal registered in Exchange
Online with access to the mailbox:
{guide}
"""

from __future__ import annotations

{imports}
{constants}{helper}

class XOAuth2SMTPHandler(logging.handlers.SMTPHandler):
    """logging's SMTPHandler with an XOAUTH2 login instead of the password login."""

    def __init__(
        self,
        mailhost: str | tuple[str, int],
        fromaddr: str,
        toaddrs: str | list[str],
        subject: str,
        credentials: str | tuple[str, ...] | list[str] | None = None,
        secure: tuple[str, ...] | None = None,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(mailhost, fromaddr, toaddrs, subject, None, secure, timeout)
        # The mailbox to sign in as; of a (user, password) pair only the user is used.
        if isinstance(credentials, (list, tuple)):
            credentials = credentials[0] if credentials else None
        self.username = credentials or fromaddr

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = EmailMessage()
            message["From"] = self.fromaddr
            message["To"] = ",".join(self.toaddrs)
            message["Subject"] = self.getSubject(record)
            message["Date"] = email.utils.localtime()
            message.set_content(self.format(record))
            port = self.mailport or 587
            with smtplib.SMTP(self.mailhost, port, timeout=self.timeout) as smtp:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
                token = {token_call}
                xoauth2 = f"user={{self.username}}\x01auth=Bearer {{token}}\x01\x01"
                smtp.auth("XOAUTH2", lambda challenge=None: xoauth2)
                smtp.send_message(message)
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)
'''


@record
class GeneratedModule:
    """A module a fix can add: its template and the class the fixed code names."""

    template: str
    class_name: str


MODULES: dict[str, GeneratedModule] = {
    "django-backend": GeneratedModule(_DJANGO_BACKEND, "XOAuth2EmailBackend"),
    "flask-mailman-backend": GeneratedModule(_FLASK_MAILMAN_BACKEND, "XOAuth2EmailBackend"),
    "flask-mail": GeneratedModule(_FLASK_MAIL, "XOAuth2Mail"),
    "smtp-handler": GeneratedModule(_SMTP_HANDLER, "XOAuth2SMTPHandler"),
    token_module.KIND: GeneratedModule(token_module.TEMPLATE, token_module.FUNCTION),
    # `fix --target graph` (rendered by graph_client and graph_modules).
    graph_client.KIND: GeneratedModule("", graph_client.CLIENT_CLASS),
    **{kind: GeneratedModule("", name) for kind, name in graph_modules.CLASSES.items()},
}


def render(
    kind: str,
    options: dict[str, str],
    *,
    dotted: str,
    style: Style,
    newline: str,
    token_provider: str | None,
) -> str:
    """The source of a generated module. ``dotted`` is its import name (``helpdesk.mail_oauth2``);
    ``options`` may give ``scope`` and ``authority_host`` (the cloud's)."""
    if kind == graph_client.KIND:
        own = options.get("token") or None
        source = graph_client.render_client(options.get("http", "urllib"), own)
        return restyle(source, style).replace("\n", newline)
    if kind in graph_modules.CLASSES:
        source = graph_modules.render_module(kind, options, dotted=dotted)
        return restyle(source, style).replace("\n", newline)
    module = MODULES[kind]
    scope = options.get("scope") or DEFAULT_SCOPE
    authority = options.get("authority_host") or DEFAULT_AUTHORITY
    imports, helper = _token_source(token_provider)
    values = {
        "dotted": dotted,
        "guide": GUIDE,
        "access_token": _ACCESS_TOKEN.format(scope=scope, authority_host=authority),
        "token_call": _token_call(authority),
        "constants": _constants(scope, authority),
        "imports": imports,
        "helper": helper,
        "token_helper": OAUTH2_ACCESS_TOKEN.source,
    }
    source = module.template.lstrip("\n").format(**values)
    return restyle(source, style).replace("\n", newline)


_HANDLER_STDLIB = (
    "import email.utils",
    "import logging",
    "import logging.handlers",
    "import smtplib",
    "import ssl",
    "from email.message import EmailMessage",
)


def _token_source(token_provider: str | None) -> tuple[str, str]:
    """The imports of the logging handler module, sorted as isort and Ruff sort them, and
    the token helper it calls: the one inline rewrites add, or the project's own."""
    if token_provider:
        module, _, function = token_provider.partition(":")
        alias = "" if function == "oauth2_access_token" else " as oauth2_access_token"
        lines = [*_HANDLER_STDLIB, "", f"from {module} import {function}{alias}"]
        return "\n".join(lines) + "\n", ""
    plain = sorted(
        [*(x for x in _HANDLER_STDLIB if x.startswith("import ")), "import os", "import threading"]
    )
    froms = [x for x in _HANDLER_STDLIB if x.startswith("from ")]
    lines = [*plain, *froms, "", "import msal"]
    return "\n".join(lines) + "\n", "\n\n" + OAUTH2_ACCESS_TOKEN.source


def _constants(scope: str, authority: str) -> str:
    lines = [f'SCOPE = "{scope}"']
    if authority != DEFAULT_AUTHORITY:
        lines.append(f'AUTHORITY_HOST = "{authority}"')
    return "\n".join(lines) + "\n"


def _token_call(authority: str) -> str:
    """The token call: the scope always (a project's ``token-provider`` takes it), the
    authority host only for a national cloud, as inline rewrites call it."""
    if authority != DEFAULT_AUTHORITY:
        return "oauth2_access_token(SCOPE, AUTHORITY_HOST)"
    return "oauth2_access_token(SCOPE)"
