"""The authsweep lab: a loopback Exchange Online to run migrated mail code against.

``authsweep lab run -- COMMAND`` and ``authsweep lab serve`` on the command line, the
``exchange_online`` pytest fixture, and :class:`ExchangeSim` for Python. Needs the ``lab``
extra: in a clone of authsweep, ``python3 -m pip install '.[lab]'`` (README, Install).

Names are imported on first use, so ``authsweep`` itself (which registers the ``lab``
command) does not load the servers, aiosmtpd or trustme until a lab command runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .hosts import (
        CERT_HOSTNAMES,
        GRAPH_HOSTS,
        IMAP_HOSTS,
        LOGIN_HOSTS,
        POP3_HOSTS,
        SMTP_HOSTS,
    )
    from .records import (
        AuthAttempt,
        Connection,
        DeliveredMessage,
        Failure,
        GraphRequest,
        IssuedToken,
        MailboxRead,
        TokenRequest,
    )
    from .redirect import EVENTS_ENV, HOSTS_ENV, STRICT_ENV, write_sitecustomize
    from .sim import ExchangeSim
    from .tenant import TenantSetup
    from .tokens import xoauth2_string
    from .verdict import Verdict

_EXPORTS = {
    "CERT_HOSTNAMES": "hosts",
    "GRAPH_HOSTS": "hosts",
    "IMAP_HOSTS": "hosts",
    "LOGIN_HOSTS": "hosts",
    "POP3_HOSTS": "hosts",
    "SMTP_HOSTS": "hosts",
    "AuthAttempt": "records",
    "Connection": "records",
    "DeliveredMessage": "records",
    "Failure": "records",
    "GraphRequest": "records",
    "IssuedToken": "records",
    "MailboxRead": "records",
    "TokenRequest": "records",
    "EVENTS_ENV": "redirect",
    "HOSTS_ENV": "redirect",
    "STRICT_ENV": "redirect",
    "write_sitecustomize": "redirect",
    "ExchangeSim": "sim",
    "TenantSetup": "tenant",
    "xoauth2_string": "tokens",
    "Verdict": "verdict",
}

__all__ = [
    "AuthAttempt",
    "CERT_HOSTNAMES",
    "Connection",
    "DeliveredMessage",
    "EVENTS_ENV",
    "ExchangeSim",
    "Failure",
    "GRAPH_HOSTS",
    "GraphRequest",
    "HOSTS_ENV",
    "IMAP_HOSTS",
    "IssuedToken",
    "LOGIN_HOSTS",
    "MailboxRead",
    "POP3_HOSTS",
    "SMTP_HOSTS",
    "STRICT_ENV",
    "TenantSetup",
    "TokenRequest",
    "Verdict",
    "write_sitecustomize",
    "xoauth2_string",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
