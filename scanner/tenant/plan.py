"""The tenant set-up the code needs, decided from the inventory: what goes on the app
registration, what is granted in Exchange Online and to which mailboxes, and what the
migrated code reads from its environment. The renderers (PowerShell, Markdown, JSON)
only lay this out.

Least privilege (docs/tenant.md has the sources): where Exchange Online has an RBAC for
Applications role for a protocol (SMTP, EWS, Graph), the app gets that role scoped to a
management scope naming exactly its mailboxes, and no API permission in Entra ID, which
would reach every mailbox (for SMTP Microsoft says adding SMTP.SendAsApp "would trigger
an unnecessary check for mailbox permissions"). IMAP and POP have no such role: the app
gets IMAP.AccessAsApp / POP.AccessAsApp with admin consent, and FullAccess on each
mailbox. ``smtp_rights="mailbox-permission"`` sets SMTP up that second way, as Microsoft's
OAuth guide first documented it (for tenants where RBAC for SMTP is not available yet).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..records import record
from .inventory import STAYS_ON_XOAUTH2, Inventory, MailboxUses
from .protocols import ACCESS, EXCHANGE, Access

SMTP_RIGHTS = ("rbac", "mailbox-permission")
DEFAULT_APP_NAME = "authsweep-mail"

_ENVIRONMENT_HELP = {
    "AZURE_TENANT_ID": "the directory (tenant) id",
    "AZURE_CLIENT_ID": "the application (client) id of the app registration",
    "AZURE_CLIENT_SECRET": "a client secret of the app registration, from your secret store",
    "AZURE_AUTHORITY_HOST": "only for a national cloud (login.microsoftonline.us, ...)",
}


@record
class Variable:
    name: str
    required: bool
    meaning: str


@record
class Grant:
    """A right on some mailboxes for one protocol."""

    access: Access
    mailboxes: tuple[str, ...]
    rbac: bool  # an RBAC role assignment scoped to the mailboxes; else mailbox permissions


@dataclass
class Plan:
    app_name: str
    smtp_rights: str
    inventory: Inventory
    entra_permissions: list[Access] = field(default_factory=list)  # admin consent needed
    grants: list[Grant] = field(default_factory=list)
    send_as: list[str] = field(default_factory=list)
    # `--target graph`: the mailbox each From address is sent from (it needs SendAs on it);
    # a From address not here is sent as by the app (SMTP with XOAUTH2).
    send_as_trustees: dict[str, str] = field(default_factory=dict)
    environment: list[Variable] = field(default_factory=list)
    target: str = "xoauth2"

    @property
    def unknown(self) -> list[MailboxUses]:
        return self.inventory.unknown

    @property
    def consent_scopes(self) -> list[str]:
        """The scopes of Microsoft's admin-consent URL for the Entra permissions: POP and
        IMAP ``https://ps.outlook.com/.default``, SMTP the Exchange resource's."""
        scopes = []
        for access in self.entra_permissions:
            scope = (
                "https://ps.outlook.com/.default"
                if access.protocol in ("imap", "pop")
                else (access.resource.scope)
            )
            if scope not in scopes:
                scopes.append(scope)
        return scopes


def make_plan(
    inventory: Inventory,
    *,
    app_name: str,
    smtp_rights: str,
    helper_source: str,
    target: str = "xoauth2",
) -> Plan:
    """``helper_source`` is the token helper ``fix`` writes: the variables it reads are the
    ones the deployment must set. With ``target`` graph, the SMTP logins whose fix sends
    through Graph need Mail.Send on their mailboxes (the RBAC role Application Mail.Send,
    scoped to them) instead of SMTP.SendAsApp."""
    plan = Plan(app_name, smtp_rights, inventory, target=target)
    moved = _graph_mailboxes(inventory) if target == "graph" else set()
    for protocol in inventory.protocols():
        access = ACCESS[protocol]
        mailboxes = tuple(inventory.addresses(protocol, "login"))
        if protocol == "smtp" and moved:
            plan.grants.append(
                Grant(ACCESS["graph"], tuple(a for a in mailboxes if a in moved), True)
            )
            mailboxes = tuple(a for a in mailboxes if a not in moved)
            if not mailboxes:
                continue
        rbac = access.rbac_role is not None and (protocol != "smtp" or smtp_rights == "rbac")
        if not rbac:
            plan.entra_permissions.append(access)
        plan.grants.append(Grant(access, mailboxes, rbac))
    logins = {a.lower() for p in inventory.protocols() for a in inventory.addresses(p, "login")}
    plan.send_as = [a for a in inventory.addresses("smtp", "sender") if a.lower() not in logins]
    if moved:
        plan.send_as_trustees = _senders_mailboxes(inventory, set(plan.send_as), moved)
    plan.environment = environment(helper_source) + [
        Variable(name, True, "the mailbox to sign in as (see above)")
        for name in sorted({v for m in inventory.mailboxes for v in m.variables})
    ]
    return plan


def send_as_trustee(plan: Plan, address: str) -> str | None:
    """Who gets SendAs on a From address: the mailbox Graph sends it from (`--target
    graph`), else the app's service principal (None); ``<MAILBOX>`` where the code does not
    say which mailbox sends it."""
    if plan.target != "graph":
        return None
    return plan.send_as_trustees.get(address, "<MAILBOX>")


def _graph_mailboxes(inventory: Inventory) -> set[str]:
    """The SMTP login addresses `fix --target graph` moves to Graph (those whose fix does
    not stay on XOAUTH2)."""
    return {
        m.address
        for m in inventory.known
        for use in m.uses
        if use.mailbox.protocol == "smtp"
        and use.mailbox.role == "login"
        and STAYS_ON_XOAUTH2 not in use.fix
        if m.address is not None
    }


def _senders_mailboxes(inventory: Inventory, senders: set[str], moved: set[str]) -> dict[str, str]:
    """For each From address sent through Graph, the mailbox it is sent from: the login of
    the same code, when there is exactly one (Graph sends from that mailbox, which needs
    SendAs on the address, as SMTP AUTH did)."""
    by_place: dict[tuple[str, int], set[str]] = {}
    for m in inventory.known:
        for use in m.uses:
            if use.mailbox.protocol == "smtp" and m.address is not None:
                by_place.setdefault((use.path, use.line), set()).add(m.address)
    found: dict[str, str] = {}
    for addresses in by_place.values():
        mailboxes = addresses & moved
        if len(mailboxes) == 1:
            for sender in addresses & senders:
                found.setdefault(sender, next(iter(mailboxes)))
    return found


def environment(helper_source: str) -> list[Variable]:
    """The environment variables a helper's source reads: ``os.environ["X"]`` (required)
    and ``os.environ.get("X")`` (optional), in the order it reads them."""
    found: dict[str, bool] = {}
    for node in ast.walk(ast.parse(helper_source)):
        name, required = _environ_read(node)
        if name is not None:
            found[name] = found.get(name, False) or required
    return [
        Variable(name, required, _ENVIRONMENT_HELP.get(name, "read by the OAuth2 code"))
        for name, required in found.items()
    ]


def _environ_read(node: ast.AST) -> tuple[str | None, bool]:
    if isinstance(node, ast.Subscript) and _is_environ(node.value):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value, True
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and _is_environ(node.func.value)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value, False
    return None, False


def _is_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def token_scopes(plan: Plan) -> list[str]:
    """The scopes the migrated code asks tokens for."""
    scopes = []
    for grant in plan.grants:
        if grant.access.resource.scope not in scopes:
            scopes.append(grant.access.resource.scope)
    return scopes or [EXCHANGE.scope]
