"""What the tenant's admin has set up for the lab's app registration.

After a correct code migration the most common failure is the tenant's half: a valid
token whose app has no service principal in Exchange Online (``New-ServicePrincipal``),
or no right on the mailbox it signs in as (an RBAC for Applications role scoped to it,
or ``Add-MailboxPermission``). Exchange Online answers both with its generic XOAUTH2
failure (SMTP ``535 5.7.3 Authentication unsuccessful``, IMAP ``NO AUTHENTICATE failed.``,
POP ``-ERR Authentication failure``); the lab answers the same, and its verdict names the
missing step (``authsweep tenant plan`` writes them all).

Graph sendMail (``fix --target graph``) needs Mail.Send: the Microsoft Graph application
permission in Entra ID (``mail_send``: every mailbox, and the token carries the role), or
the RBAC for Applications role "Application Mail.Send" scoped to mailboxes (``graph``
entries of ``mailbox_rights``; Exchange checks it, the token carries no role, and it needs
the service principal). Without either, Graph answers ``403 ErrorAccessDenied``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PROTOCOLS = ("smtp", "imap", "pop", "graph")


@dataclass(frozen=True)
class TenantSetup:
    """The default is a tenant set up completely: service principal, rights on every
    mailbox. ``mailbox_rights``: the ``(protocol, mailbox)`` pairs the app has a right on
    (``None``: all of them)."""

    service_principal: bool = True
    mailbox_rights: frozenset[tuple[str, str]] | None = None
    # The Microsoft Graph application permission Mail.Send, consented in Entra ID.
    mail_send: bool = True

    @classmethod
    def with_rights(
        cls, rights: Iterable[str], *, service_principal: bool = True, mail_send: bool = True
    ) -> TenantSetup:
        """From ``PROTOCOL:ADDRESS`` or ``ADDRESS`` (every protocol) entries. Raises
        ValueError for an unknown protocol or an entry without an address."""
        pairs = set()
        for entry in rights:
            protocol, _, address = entry.rpartition(":")
            if "@" not in address:
                raise ValueError(f"{entry!r}: expected [PROTOCOL:]ADDRESS")
            protocols = [protocol.lower()] if protocol else list(PROTOCOLS)
            for name in protocols:
                if name not in PROTOCOLS:
                    raise ValueError(
                        f"{entry!r}: protocol {name!r} is not one of {', '.join(PROTOCOLS)}"
                    )
                pairs.add((name, address.lower()))
        return cls(service_principal, frozenset(pairs), mail_send)

    def refusal(self, protocol: str, mailbox: str) -> str | None:
        """The cause id of a refused XOAUTH2 with a valid token, or None when allowed."""
        if not self.service_principal:
            return "no-service-principal"
        if (
            self.mailbox_rights is not None
            and (protocol, mailbox.lower()) not in self.mailbox_rights
        ):
            return "no-mailbox-right"
        return None

    def graph_refusal(self, mailbox: str) -> str | None:
        """The cause id of a sendMail refused with a valid Graph token, or None when the
        app may send from ``mailbox``: the Entra permission reaches every mailbox, the RBAC
        role only those of its scope (and only with the service principal)."""
        if self.mail_send:
            return None
        rights = self.mailbox_rights or frozenset()
        if ("graph", mailbox.lower()) in rights:
            return None if self.service_principal else "no-service-principal"
        scoped = any(protocol == "graph" for protocol, _ in rights)
        return "graph-mailbox-out-of-scope" if scoped else "graph-no-mail-send"
