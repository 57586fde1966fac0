"""BotCity's e-mail plugin: ``BotEmailPlugin()`` holds an IMAP connection (imap_tools,
``configure_imap(host_address="imap.gmail.com", port=993, tls_ssl=False)``: ``MailBox``,
or ``MailBoxStartTls`` with ``tls_ssl``) and an SMTP one (``configure_smtp(
host_address="smtp.gmail.com", port=587, tls_ssl=True)``: ``SMTP`` + ``starttls`` with
an ``SSLContext(PROTOCOL_TLS)`` that verifies nothing, else ``SMTP_SSL``);
``login(email, password)`` logs in on both. ``BotEmailPlugin.config_email(server,
email, password)`` does it all for ``MailServers.GMAIL`` or ``MailServers.OUTLOOK``
(Outlook.com's hosts). No OAuth2 (``botcity-ms365-outlook-plugin`` is Microsoft's way).
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import Effect, LibraryModel, Method, Opener

_PLUGIN = ("botcity.plugins.email.BotEmailPlugin", "botcity.plugins.email.plugin.BotEmailPlugin")
_SERVERS = ("server", "email", "password")

MODEL = LibraryModel(
    library="botcity-email",
    distribution="botcity-email-plugin",
    markers=(b"botemailplugin",),
    openers=(
        # The plugin object: its server is named by configure_smtp / configure_imap.
        Opener(
            names=_PLUGIN,
            params=(),
            protocol=Protocol.SMTP,
            tls=Tls.UNKNOWN,
            host=None,
            host_default="",
            port=None,
        ),
        Opener(
            names=tuple(f"{name}.config_email" for name in _PLUGIN),
            params=_SERVERS,
            protocol=Protocol.SMTP,
            tls=Tls.STARTTLS,
            host="server",
            port=None,
            port_default=587,
            user="email",
            secret="password",
            hosts=(("gmail", "smtp.gmail.com"), ("outlook", "smtp-mail.outlook.com")),
            standalone=True,
        ),
        Opener(
            names=tuple(f"{name}.config_email" for name in _PLUGIN),
            params=_SERVERS,
            protocol=Protocol.IMAP,
            tls=Tls.IMPLICIT,
            host="server",
            port=None,
            port_default=993,
            user="email",
            secret="password",
            hosts=(("gmail", "imap.gmail.com"), ("outlook", "imap-mail.outlook.com")),
            standalone=True,
        ),
    ),
    methods=(
        Method(
            "configure_smtp",
            ("host_address", "port", "tls_ssl"),
            Effect.CONFIGURE,
            host="host_address",
            port="port",
            port_default=587,
            protocol=Protocol.SMTP,
            tls=Tls.STARTTLS,
            implicit_flag="tls_ssl",
            implicit_default=True,
            implicit_if=False,
        ),
        Method(
            "configure_imap",
            ("host_address", "port", "tls_ssl"),
            Effect.CONFIGURE,
            host="host_address",
            port="port",
            port_default=993,
            protocol=Protocol.IMAP,
            tls=Tls.STARTTLS,
            implicit_flag="tls_ssl",
            implicit_default=False,
            implicit_if=False,
        ),
        Method("login", ("email", "password"), Effect.LOGIN, user="email", secret="password"),
        Method("send_message", ("subject", "text_content", "to_addrs"), Effect.SEND),
    ),
    methods_of=("botcity.plugins.email.BotEmailPlugin",),
    oauth_hint="BotEmailPlugin has no OAuth2: use botcity-ms365-outlook-plugin (Microsoft Graph)",
)
