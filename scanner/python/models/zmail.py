"""zmail: ``zmail.server(username, password, smtp_host=None, smtp_port=None,
smtp_ssl=None, smtp_tls=None, pop_host=None, ...)`` makes a ``MailServer`` whose server
comes from the domain of the user's address unless the call names one: a table of
providers (``@outlook.com`` is ``smtp-mail.outlook.com``, ``@hotmail.com``
``smtp.office365.com``, both 587 with STARTTLS; Chinese providers and Gmail on implicit
TLS), and ``smtp.<domain>`` on 465 with implicit TLS for any other domain (a custom
domain of a Microsoft 365 tenant included, whose own ``smtp.`` host is not Microsoft's).
Parameters the call gives replace the table's. ``send_mail`` connects with
``smtplib.SMTP_SSL(host, port)`` or ``SMTP(host, port)`` then ``starttls()``, neither with
a context (no certificate check, FACTS 4.9), and logs in with the user and password. The
same object reads mail over POP3 (``get_mails``, ``get_latest``, ``stat``, ...): the
table's POP3 server (``@hotmail.com`` is ``outlook.office365.com``, ``@outlook.com``
``pop.outlook.com``, 995 with implicit TLS; ``pop.<domain>`` otherwise) or the call's
``pop_host``/``pop_port``/``pop_ssl``/``pop_tls``, ``poplib.POP3_SSL`` or ``POP3`` then
``stls()``, neither with a context, then ``user``/``pass_``. The object's connection is
the SMTP one, or the POP3 one once a reading method is called on it. No OAuth2.
(zmail 0.2.8, ``zmail/info.py``; 0.1 took ``server(user, password, ...)`` with another
order of the flags, read too.)"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import DomainServer, Effect, LibraryModel, Method, Opener

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

_SSL, _STARTTLS = Tls.IMPLICIT, Tls.STARTTLS
_DOMAINS = (
    DomainServer("163.com", "smtp.163.com", 994, _SSL),
    DomainServer("126.com", "smtp.126.com", 994, _SSL),
    DomainServer("yeah.net", "smtp.yeah.net", 994, _SSL),
    DomainServer("qq.com", "smtp.qq.com", 465, _SSL),
    DomainServer("gmail.com", "smtp.gmail.com", 465, _SSL),
    DomainServer("sina.com", "smtp.sina.com", 465, _SSL),
    DomainServer("outlook.com", "smtp-mail.outlook.com", 587, _STARTTLS),
    DomainServer("hotmail.com", "smtp.office365.com", 587, _STARTTLS),
)

_GET_MAILS = ("subject", "start_time", "end_time", "sender", "start_index", "end_index")
_POP_DOMAINS = (
    DomainServer("163.com", "pop.163.com", 995, _SSL),
    DomainServer("126.com", "pop.126.com", 995, _SSL),
    DomainServer("yeah.net", "pop.yeah.net", 995, _SSL),
    DomainServer("qq.com", "pop.qq.com", 995, _SSL),
    DomainServer("gmail.com", "pop.gmail.com", 995, _SSL),
    DomainServer("sina.com", "pop.sina.com", 995, _SSL),
    DomainServer("outlook.com", "pop.outlook.com", 995, _SSL),
    DomainServer("hotmail.com", "outlook.office365.com", 995, _SSL),
)

# What both releases' ``server`` do: the server by the address's domain, then the call's.
_POP: dict[str, Any] = {
    "protocol": Protocol.POP,
    "tls": Tls.NONE,
    "host": "pop_host",
    "port": "pop_port",
    "port_default": 995,
    "implicit_flag": "pop_ssl",
    "implicit_default": True,
    "starttls_flag": "pop_tls",
    "secret": "password",
    "domains": _POP_DOMAINS,
    "domain_host": "pop.{}",
}
_SERVER: dict[str, Any] = {
    "protocol": Protocol.SMTP,
    "tls": Tls.NONE,
    "host": "smtp_host",
    "port": "smtp_port",
    "port_default": 465,
    "implicit_flag": "smtp_ssl",
    "implicit_default": True,
    "starttls_flag": "smtp_tls",
    "secret": "password",
    "domains": _DOMAINS,
    "domain_host": "smtp.{}",
}

# ``server``'s parameters in 0.2 and in 0.1 (another order of the flags).
_PARAMS_0_2 = (
    "username",
    "password",
    "smtp_host",
    "smtp_port",
    "smtp_ssl",
    "smtp_tls",
    "pop_host",
    "pop_port",
    "pop_ssl",
    "pop_tls",
    "config",
    "timeout",
    "debug",
    "log",
    "auto_add_from",
    "auto_add_to",
)
_PARAMS_0_1 = (
    "user",
    "password",
    "smtp_host",
    "smtp_port",
    "pop_host",
    "pop_port",
    "smtp_ssl",
    "pop_ssl",
    "smtp_tls",
    "pop_tls",
    "config",
    "timeout",
    "auto_add_to",
    "auto_add_from",
)
# Each release's ``server`` (0.2's also as ``zmail.api.server``): its SMTP and its POP3 side.
_RELEASES = (
    (("zmail.server", "zmail.api.server"), _PARAMS_0_2, "username"),
    (("zmail.server",), _PARAMS_0_1, "user"),
)

MODEL = LibraryModel(
    library="zmail",
    distribution="zmail",
    # Its own marker: a reader names no mail host (an address's domain picks it) and no
    # other marker word; it holds the pre-check's "mail", so it is looked for only in
    # files that hold that word (see spec.py).
    markers=(b"zmail",),
    openers=tuple(
        Opener(names=names, params=params, user=user, address=user, **side)
        for side in (_SERVER, _POP)
        for names, params, user in _RELEASES
    ),
    methods=(
        Method(
            "send_mail",
            ("recipients", "mail", "cc", "timeout", "auto_add_from", "auto_add_to"),
            Effect.SEND,
        ),
        *(
            Method(name, params, Effect.READ, protocol=Protocol.POP)
            for name, params in (
                ("get_mails", _GET_MAILS),
                ("get_mail", ("which",)),
                ("get_latest", ()),
                ("get_headers", ("start_index", "end_index")),
                ("get_info", ()),
                ("stat", ()),
                ("delete", ("which",)),
            )
        ),
    ),
    methods_of=("zmail.server.MailServer",),
    oauth_hint="zmail has no OAuth2: send through smtplib with XOAUTH2 and an MSAL token",
)
