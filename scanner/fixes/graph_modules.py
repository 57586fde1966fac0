"""Framework modules `fix --target graph` writes: where a framework has an extension point
for sending (an email backend, Flask-Mail's ``Mail``, a logging handler), a small module
of the project sends through the Graph client (:mod:`.graph_client`) instead of SMTP.

They take the place the XOAUTH2 target's modules take (:mod:`.modules`), with the same
settings: Django and Flask-Mailman name ``GraphEmailBackend`` in ``EMAIL_BACKEND`` /
``MAIL_BACKEND``, Flask-Mail's app makes ``GraphMail``, logging uses
``GraphSMTPHandler``; the frameworks read the app registration from their settings
(``*_OAUTH2_TENANT_ID``, ``_CLIENT_ID``, ``_CLIENT_SECRET``), the handler from the
environment through the client module's token helper. Templates use ``@NAME@`` holes, so
the code in them is written as it reads.
"""

from __future__ import annotations

DEFAULT_GRAPH_HOST = "graph.microsoft.com"
DEFAULT_AUTHORITY = "login.microsoftonline.com"
SEND_MAIL_DOCS = "https://learn.microsoft.com/en-us/graph/api/user-sendmail"

# The MSAL token of a framework's settings (tenant, client id and secret): one application
# per tenant and client for the process, made under a lock, so sends share its cache.
_SETTINGS_TOKEN = '''

_apps: dict[str, msal.ConfidentialClientApplication] = {}
_apps_lock = threading.Lock()


def access_token(scope: str) -> str:
    """An app-only token for ``scope`` (MSAL's client-credentials flow), from the
    app registration the settings name; MSAL's cache hands out the same token until five
    minutes before it expires."""
    tenant_id, client_id, client_secret = @CREDENTIALS@
    authority = f"https://{AUTHORITY_HOST}/{tenant_id}"
    with _apps_lock:
        app = _apps.get(authority + "/" + client_id)
        if app is None:
            app = msal.ConfidentialClientApplication(
                client_id, client_credential=client_secret, authority=authority
            )
            _apps[authority + "/" + client_id] = app
    result = app.acquire_token_for_client(scopes=[scope])
    if "access_token" not in result:
        error = result.get("error_description") or result.get("error")
        raise GraphMailError(401, "TokenRequestFailed", f"no OAuth2 token: {error}")
    return result["access_token"]
'''

_BACKEND = '''"""A @FRAMEWORK@ email backend that sends through Microsoft Graph sendMail.

Written by authsweep: the tenant refuses SMTP AUTH (fix --target graph), so mail goes
through Graph as the message was built (MIME), Bcc included. Settings:

    @PREFIX@_BACKEND = "@DOTTED@.GraphEmailBackend"

@USER_SETTING@ (the mailbox to send from; else each message's from address),
@PREFIX@_OAUTH2_TENANT_ID, @PREFIX@_OAUTH2_CLIENT_ID and @PREFIX@_OAUTH2_CLIENT_SECRET.
@HOST_SETTING@, @PREFIX@_PORT, @PREFIX@_USE_TLS and @PREFIX@_USE_SSL are not used.
The app registration needs the Microsoft Graph application permission Mail.Send and
admin consent, or the Exchange Online RBAC for Applications role "Application
Mail.Send" scoped to the mailbox:
@DOCS@
"""

from __future__ import annotations

import threading

@IMPORTS@

GRAPH_HOST = "@GRAPH_HOST@"
AUTHORITY_HOST = "@AUTHORITY_HOST@"
@TOKEN@

class GraphEmailBackend(BaseEmailBackend):
    """Sends each message through Graph sendMail; there is no connection to open."""

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages or ():
            recipients = message.recipients()
            if not recipients:
                continue
            mailbox = @MAILBOX@ or message.from_email
            try:
                send_mime(
                    mailbox,
                    message.message(),
                    recipients,
                    graph_host=GRAPH_HOST,
                    token=access_token,
                )
            except (GraphMailError, OSError):
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent
'''

_FRAMEWORKS = {
    "django-graph-backend": {
        "@FRAMEWORK@": "Django",
        "@PREFIX@": "EMAIL",
        "@USER_SETTING@": "EMAIL_HOST_USER",
        "@HOST_SETTING@": "EMAIL_HOST",
        "imports": (
            "import msal",
            "from django.conf import settings",
            "from django.core.mail.backends.base import BaseEmailBackend",
            "from @CLIENT@ import GraphMailError, send_mime",
        ),
        "@CREDENTIALS@": (
            "(\n        settings.EMAIL_OAUTH2_TENANT_ID,\n        settings.EMAIL_OAUTH2_CLIENT_ID,"
            "\n        settings.EMAIL_OAUTH2_CLIENT_SECRET,\n    )"
        ),
        "@MAILBOX@": 'getattr(settings, "EMAIL_HOST_USER", "")',
    },
    "flask-mailman-graph-backend": {
        "@FRAMEWORK@": "Flask-Mailman",
        "@PREFIX@": "MAIL",
        "@USER_SETTING@": "MAIL_USERNAME",
        "@HOST_SETTING@": "MAIL_SERVER",
        "imports": (
            "import msal",
            "from flask import current_app",
            "from flask_mailman.backends.base import BaseEmailBackend",
            "from @CLIENT@ import GraphMailError, send_mime",
        ),
        "@CREDENTIALS@": (
            '(\n        current_app.config["MAIL_OAUTH2_TENANT_ID"],\n'
            '        current_app.config["MAIL_OAUTH2_CLIENT_ID"],\n'
            '        current_app.config["MAIL_OAUTH2_CLIENT_SECRET"],\n    )'
        ),
        "@MAILBOX@": 'current_app.config.get("MAIL_USERNAME")',
    },
}

_FLASK_MAIL = '''"""Flask-Mail, sending through Microsoft Graph sendMail.

Written by authsweep: the tenant refuses SMTP AUTH (fix --target graph). GraphMail is
Flask-Mail's Mail whose connections hand each message to Graph as Flask-Mail built it
(MIME), Bcc included; use it where Mail was used. Configuration: MAIL_USERNAME (the
mailbox to send from; else each message's sender), MAIL_OAUTH2_TENANT_ID,
MAIL_OAUTH2_CLIENT_ID and MAIL_OAUTH2_CLIENT_SECRET; MAIL_SERVER, MAIL_PORT,
MAIL_USE_TLS and MAIL_USE_SSL are not used. The app registration needs the Microsoft
Graph application permission Mail.Send and admin consent, or the Exchange Online RBAC
for Applications role "Application Mail.Send" scoped to the mailbox:
@DOCS@
"""

from __future__ import annotations

import threading

@IMPORTS@

GRAPH_HOST = "@GRAPH_HOST@"
AUTHORITY_HOST = "@AUTHORITY_HOST@"
@TOKEN@

class GraphConnection(flask_mail.Connection):
    """A Flask-Mail connection whose host is Graph: no SMTP session is opened."""

    def configure_host(self) -> GraphMailClient:
        return GraphMailClient(
            self.mail.username, graph_host=GRAPH_HOST, token=access_token
        )


class GraphMail(flask_mail.Mail):
    """Flask-Mail's Mail, sending through Graph sendMail."""

    def connect(self) -> GraphConnection:
        app = getattr(self, "app", None) or current_app
        try:
            return GraphConnection(app.extensions["mail"])
        except KeyError as error:
            raise RuntimeError("the app was not configured with Flask-Mail") from error
'''

_FLASK_CREDENTIALS = _FRAMEWORKS["flask-mailman-graph-backend"]["@CREDENTIALS@"]
_FLASK_MAIL_IMPORTS = (
    "import flask_mail",
    "import msal",
    "from flask import current_app",
    "from @CLIENT@ import GraphMailClient, GraphMailError",
)

_SMTP_HANDLER = '''"""A logging handler that mails records through Microsoft Graph sendMail.

Written by authsweep: the tenant refuses SMTP AUTH (fix --target graph), and
logging.handlers.SMTPHandler speaks SMTP only. GraphSMTPHandler takes SMTPHandler's
arguments; ``credentials`` names the mailbox to send from (a password in it is not used;
without it, ``fromaddr``); ``mailhost``, ``secure`` and ``timeout`` are not used. It
needs what the Graph client module it imports needs: msal, the Microsoft Graph
application permission Mail.Send, and AZURE_TENANT_ID, AZURE_CLIENT_ID and
AZURE_CLIENT_SECRET: @DOCS@
"""

from __future__ import annotations

import email.utils
import logging
import logging.handlers
from email.message import EmailMessage

from @CLIENT@ import send_mime
@HANDLER_CONSTANTS@

class GraphSMTPHandler(logging.handlers.SMTPHandler):
    """logging's SMTPHandler, sending through Graph sendMail instead of SMTP."""

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
        # The mailbox to send from; of a (user, password) pair only the user is used.
        if isinstance(credentials, (list, tuple)):
            credentials = credentials[0] if credentials else None
        self.mailbox = credentials or fromaddr

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = EmailMessage()
            message["From"] = self.fromaddr
            message["To"] = ",".join(self.toaddrs)
            message["Subject"] = self.getSubject(record)
            message["Date"] = email.utils.localtime()
            message.set_content(self.format(record))
            send_mime(self.mailbox, message@HANDLER_HOST@)
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)
'''

# What each module kind makes, and the class the settings or code name.
CLASSES = {
    "django-graph-backend": "GraphEmailBackend",
    "flask-mailman-graph-backend": "GraphEmailBackend",
    "flask-graph-mail": "GraphMail",
    "graph-smtp-handler": "GraphSMTPHandler",
}


def render_module(kind: str, options: dict[str, str], *, dotted: str) -> str:
    """The source of a framework module (Black's style): ``options`` give ``client`` (the
    dotted name of the Graph client module), ``graph_host`` and ``authority_host``."""
    graph_host = options.get("graph_host") or DEFAULT_GRAPH_HOST
    # The fixer names the client module; rendered alone, it is the default one beside.
    client = options.get("client") or f"{dotted.rpartition('.')[0]}.mail_oauth2_token".lstrip(".")
    holes = {
        "@CLIENT@": client,
        "@DOTTED@": dotted,
        "@DOCS@": SEND_MAIL_DOCS,
        "@GRAPH_HOST@": graph_host,
        "@AUTHORITY_HOST@": options.get("authority_host") or DEFAULT_AUTHORITY,
    }
    if kind == "graph-smtp-handler":
        national = graph_host != DEFAULT_GRAPH_HOST
        holes["@HANDLER_CONSTANTS@"] = f'\nGRAPH_HOST = "{graph_host}"\n' if national else ""
        holes["@HANDLER_HOST@"] = ", graph_host=GRAPH_HOST" if national else ""
        return _fill(_SMTP_HANDLER, holes)
    if kind == "flask-graph-mail":
        token = _fill(_SETTINGS_TOKEN, {"@CREDENTIALS@": _FLASK_CREDENTIALS})
        imports = _sorted_block(_FLASK_MAIL_IMPORTS, client)
        return _fill(_FLASK_MAIL, {**holes, "@TOKEN@": token, "@IMPORTS@": imports})
    framework = dict(_FRAMEWORKS[kind])
    token = _fill(_SETTINGS_TOKEN, {"@CREDENTIALS@": framework["@CREDENTIALS@"]})
    imports = _sorted_block(framework.pop("imports"), client)
    return _fill(_BACKEND, {**holes, **framework, "@TOKEN@": token, "@IMPORTS@": imports})


def _sorted_block(lines: tuple[str, ...], client: str) -> str:
    """The third-party imports with the client module's, as isort sorts one section
    (``import`` lines, then ``from`` lines, by module); the fixer then moves the client
    module's into the project's own section, by the project's import settings."""
    filled = [line.replace("@CLIENT@", client) for line in lines]
    plain = sorted((line for line in filled if line.startswith("import ")), key=str.lower)
    froms = sorted(
        (line for line in filled if line.startswith("from ")),
        key=lambda line: line.split()[1].lower(),
    )
    return "\n".join([*plain, *froms])


def _fill(template: str, holes: dict[str, str]) -> str:
    for hole, value in holes.items():
        template = template.replace(hole, value)
    return template
