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

from .inventory import Inventory, MailboxUses
from .protocols import ACCESS, EXCHANGE, Access

SMTP_RIGHTS = ("rbac", "mailbox-permission")
DEFAULT_APP_NAME = "authsweep-mail"

_ENVIRONMENT_HELP = {
    "AZURE_TENANT_ID": "the directory (tenant) id",
    "AZURE_CLIENT_ID": "the application (client) id of the app registration",
    "AZURE_CLIENT_SECRET": "a client secret of the app registration, from your secret store",
    "AZURE_AUTHORITY_HOST": "only for a national cloud (login.microsoftonline.us, ...)",
}


@dataclass(frozen=True)
class Variable:
    name: str
    required: bool
    meaning: str


@dataclass(frozen=True)
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
    environment: list[Variable] = field(default_factory=list)

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


def make_plan(inventory: Inventory, *, app_name: str, smtp_rights: str, helper_source: str) -> Plan:
    """``helper_source`` is the token helper ``fix`` writes: the variables it reads are the
    ones the deployment must set."""
    plan = Plan(app_name, smtp_rights, inventory)
    for protocol in inventory.protocols():
        access = ACCESS[protocol]
        mailboxes = tuple(inventory.addresses(protocol, "login"))
        rbac = access.rbac_role is not None and (protocol != "smtp" or smtp_rights == "rbac")
        if not rbac:
            plan.entra_permissions.append(access)
        plan.grants.append(Grant(access, mailboxes, rbac))
    logins = {a.lower() for p in inventory.protocols() for a in inventory.addresses(p, "login")}
    plan.send_as = [a for a in inventory.addresses("smtp", "sender") if a.lower() not in logins]
    plan.environment = environment(helper_source) + [
        Variable(name, True, "the mailbox to sign in as (see above)")
        for name in sorted({v for m in inventory.mailboxes for v in m.variables})
    ]
    return plan


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
