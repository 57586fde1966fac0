"""The mailboxes behind a password login: who the code signs in as, and sends as.

The engine gives every basic-auth finding (AS101-AS104) the mailboxes of the login it
points at, from the mail model: the login's user (a literal, a default, a setting) and,
for SMTP, the envelope senders of the same connection that are another address. A user
the code reads from the environment is named by its variable, so the tenant's admin
knows what to ask for; one that comes from elsewhere says where.
"""

from __future__ import annotations

from ..findings import Finding, Mailbox
from ..model import MailFile, Span, StepKind, Value

# The rules whose findings are password logins to a mail server.
BASIC_AUTH_RULES = frozenset({"AS101", "AS102", "AS103", "AS104"})


def attach_mailboxes(mail: MailFile, findings: list[Finding]) -> None:
    """Set ``mailboxes`` on each basic-auth finding of ``mail`` from the login it reports."""
    logins = _logins(mail)
    for finding in findings:
        if finding.rule in BASIC_AUTH_RULES:
            finding.mailboxes = logins.get(finding.span, ())


def _logins(mail: MailFile) -> dict[Span, tuple[Mailbox, ...]]:
    found: dict[Span, tuple[Mailbox, ...]] = {}
    for conn in mail.connections:
        protocol = conn.protocol.value
        senders = [s.sender for s in conn.steps if s.kind is StepKind.SEND]
        for step in conn.steps:
            if step.kind is not StepKind.LOGIN:
                continue
            login = mailbox_of(step.user, protocol)
            boxes = [login] if login is not None else []
            for sender in senders:
                box = mailbox_of(sender, protocol, "sender")
                if box is not None and not _same(box, login) and box not in boxes:
                    boxes.append(box)
            found[step.span] = tuple(boxes)
    for account in mail.ews:
        box = mailbox_of(account.user, "ews")
        found[account.span] = (box,) if box is not None else ()
    return found


def _same(box: Mailbox, login: Mailbox | None) -> bool:
    if login is None:
        return False
    if box.address and login.address:
        return box.address.lower() == login.address.lower()
    return (box.address, box.variable, box.origin) == (login.address, login.variable, login.origin)


def mailbox_of(value: Value, protocol: str, role: str = "login") -> Mailbox | None:
    """The mailbox a model value names, or None when the code gives none (no user)."""
    variable = environment_variable(value.origin)
    if value.known:
        if not isinstance(value.value, str) or not value.value.strip():
            return None
        return Mailbox(protocol, address=value.value.strip(), variable=variable, role=role)
    if value.origin in (None, "missing") and not value.source:
        return None
    if variable is not None:
        return Mailbox(protocol, variable=variable, role=role)
    return Mailbox(protocol, origin=value.origin or f"expression {value.source}", role=role)


def environment_variable(origin: str | None) -> str | None:
    """``SMTP_USER`` for the origins ``env SMTP_USER`` and ``env SMTP_USER, set in .env
    line 3``; None for any other origin."""
    if not origin or not origin.startswith("env "):
        return None
    name = origin[len("env ") :].split(",", 1)[0].strip()
    return name if name.isidentifier() else None
