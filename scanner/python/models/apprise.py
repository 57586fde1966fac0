"""Apprise (notifications to many services by URL): its e-mail service is a URL,
``mailto://user:password@domain`` or ``mailtos://...``, given to ``Apprise(services)``,
``Apprise().add(services)`` (a URL or a list of them) or ``Apprise.instantiate(url)``,
and sent by ``notify``. The domain picks the SMTP server from the library's templates
(``hotmail.com``/``live.com`` → ``smtp-mail.outlook.com``, ``outlook.com`` →
``smtp.outlook.com``, ``office365.com`` → ``smtp.office365.com``, all 587 with
STARTTLS; Gmail too), else the URL's host is the server; ``?smtp=`` names the server
instead (then no template applies) and ``?mode=ssl|starttls|insecure`` the TLS. Without
a mode a ``mailtos`` URL is STARTTLS on 587 and a ``mailto`` URL plain SMTP on 25 (a
template's mode still applies). The login is made when the URL has a user and a
password; the context is ``ssl.create_default_context()`` (it verifies unless
``?verify=no``). Apprise 2.3, ``apprise/plugins/email/``. Its OAuth2 way to Microsoft 365
is another service: ``o365://`` (Microsoft Graph with an app's client credentials).
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import DomainServer, LibraryModel, Opener

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

_STARTTLS = Tls.STARTTLS
# The templates of Microsoft's mail domains, and Gmail's (the library's own table,
# checked by tests/test_library_models.py).
_DOMAINS = (
    DomainServer("hotmail.com", "smtp-mail.outlook.com", 587, _STARTTLS),
    DomainServer("live.com", "smtp-mail.outlook.com", 587, _STARTTLS),
    DomainServer("hotmail.com.au", "smtp-mail.outlook.com", 587, _STARTTLS),
    DomainServer("live.com.au", "smtp-mail.outlook.com", 587, _STARTTLS),
    DomainServer("outlook.com", "smtp.outlook.com", 587, _STARTTLS),
    DomainServer("smtp.outlook.com", "smtp.outlook.com", 587, _STARTTLS),
    DomainServer("outlook.com.au", "smtp.outlook.com", 587, _STARTTLS),
    DomainServer("office365.com", "smtp.office365.com", 587, _STARTTLS),
    DomainServer("smtp.office365.com", "smtp.office365.com", 587, _STARTTLS),
    DomainServer("gmail.com", "smtp.gmail.com", 587, _STARTTLS),
)
_URL: dict[str, Any] = {
    "protocol": Protocol.SMTP,
    "tls": Tls.NONE,
    "host": "smtp",
    "port": "port",
    "user": "user",
    "secret": "password",
    "implicit_flag": "ssl",
    "starttls_flag": "starttls",
    "context_verifies": True,
    "schemes": (("mailto", Tls.NONE, 25), ("mailtos", Tls.STARTTLS, 587)),
    "url_server": "smtp",
    "url_mode": "mode",
    "modes": (("ssl", Tls.IMPLICIT), ("starttls", Tls.STARTTLS), ("insecure", Tls.NONE)),
    "domains": _DOMAINS,
    "standalone": True,
}

MODEL = LibraryModel(
    library="apprise",
    distribution="apprise",
    # Every e-mail URL of apprise holds its scheme and "://" (``mailtos://``), and so the
    # pre-check's "mail" (see the note on markers in spec.py). Not "mailto" alone: the
    # ``mailto:`` links of HTML (six of Django's modules, 265 M instructions of its cold
    # run to find no mail in them).
    markers=tuple(f"{scheme}://".encode() for scheme, _, _ in _URL["schemes"]),
    openers=(
        Opener(
            names=("apprise.Apprise", "apprise.apprise.Apprise"),
            params=("services", "asset", "location", "debug", "log_callback", "log_level"),
            url="services",
            **_URL,
        ),
        Opener(
            names=("apprise.Apprise.instantiate", "apprise.apprise.Apprise.instantiate"),
            params=("url", "asset", "tag", "suppress_exceptions"),
            url="url",
            **_URL,
        ),
        Opener(
            names=("apprise.Apprise.add",),
            params=("services", "asset", "tag"),
            url="services",
            on_object_of=("apprise.Apprise", "apprise.apprise.Apprise"),
            **_URL,
        ),
    ),
    oauth_hint=(
        "apprise's mailto:// logs in with a password; its o365:// service sends through "
        "Microsoft Graph with an app's client credentials (OAuth2)"
    ),
)
