"""The plan as a PowerShell script an admin reviews and runs (``--format powershell``).

The script looks first and changes after: it reads the tenant (the mailboxes, the app
registration, its consent, the Exchange Online service principal, scopes, role
assignments, mailbox permissions), lists every change it would make, then makes each one
through ``ShouldProcess`` (so ``-WhatIf`` changes nothing and ``-Confirm`` asks). What
exists is left alone, so a second run changes nothing. It holds no secret and makes none.

Everything in it that came from scanned code is either an address checked by the
inventory (no quote can reach a string) or a comment made printable ASCII, one line.
"""

from __future__ import annotations

from importlib import resources

from .. import __version__
from .inventory import MailboxUses
from .plan import Plan
from .protocols import ACCESS, EXCHANGE, MAILBOX_RIGHT, SEND_AS_RIGHT


def quote(text: str) -> str:
    """A PowerShell single-quoted string: nothing in it is expanded."""
    return "'" + text.replace("'", "''") + "'"


def comment(text: str) -> str:
    """Text for a ``#`` comment: printable ASCII on one line."""
    return "".join(c if " " <= c <= "~" else "?" for c in text)


def _table(items: dict[str, str]) -> str:
    return "\n".join(f"    {quote(key)} = {quote(value)}" for key, value in items.items())


def _array(items: list[str]) -> str:
    return "@(" + ", ".join(quote(item) for item in items) + ")"


def _found(mailbox: MailboxUses) -> list[str]:
    lines = []
    for use in mailbox.uses:
        role = " (From address)" if use.mailbox.role == "sender" else ""
        title = ACCESS[use.mailbox.protocol].title
        lines.append(f"#     {comment(use.where)}: {title}{role}")
    return lines


def render_powershell(plan: Plan) -> str:
    inventory = plan.inventory
    known = [line for m in inventory.known for line in (f"#   {m.address}", *_found(m))]
    unknown = [line for m in inventory.unknown for line in (f"#   {comment(m.label)}", *_found(m))]
    mailboxes = "\n".join(
        f"    {quote(g.access.protocol)} = {_array(list(g.mailboxes))}" for g in plan.grants
    )
    rbac = "\n".join(
        f"    {quote(g.access.protocol)} = {quote(g.access.rbac_role or '')}"
        for g in plan.grants
        if g.rbac
    )
    permission_protocols = [g.access.protocol for g in plan.grants if not g.rbac]
    # With Graph, a From address whose sending mailbox the code does not name is left to
    # the admin (a comment), not granted to the app.
    graph = plan.target == "graph"
    sent_as = [a for a in plan.send_as if not graph or a in plan.send_as_trustees]
    unknown_senders = [a for a in plan.send_as if a not in sent_as]
    parts = [
        _HEADER.format(
            version=__version__,
            source=comment(inventory.source),
            app_name=quote(plan.app_name),
        ),
        "# The mailboxes the code signs in to (or sends as), and where authsweep found them:",
        *(known or ["#   (none known from the code)"]),
    ]
    if unknown:
        parts += [
            "# Not known from the code: add the address the deployment sets to the lists below.",
            *unknown,
        ]
    if unknown_senders:
        parts += [
            "# From addresses sent through Graph from a mailbox the code does not name: give",
            "# that mailbox SendAs on each (Add-RecipientPermission -Trustee <mailbox>):",
            *(f"#   {comment(a)}" for a in unknown_senders),
        ]
    parts.append(
        _SETTINGS.format(
            mailboxes=mailboxes,
            send_as=_array(sent_as),
            trustees=_table(plan.send_as_trustees),
            entra=_array([a.permission for a in plan.entra_permissions]),
            rbac=rbac,
            permission_protocols=_array(permission_protocols),
            exchange=quote(EXCHANGE.app_id),
            mailbox_right=MAILBOX_RIGHT,
            send_as_right=SEND_AS_RIGHT,
        )
    )
    parts.append(_body())
    parts.append(_report(plan))
    return "\n".join(parts).rstrip("\n") + "\n"


def _body() -> str:
    """The steps, the same for every plan: a file of the package, so it reads (and parses)
    as the PowerShell it is."""
    return (resources.files(__package__) / "set_up_tenant.ps1").read_text(encoding="utf-8")


def _report(plan: Plan) -> str:
    lines = ["", "# What the migrated code reads from its environment."]
    lines.append("Write-Host ''")
    lines.append("Write-Host 'Set these where the code runs (the secret in your secret store):'")
    values = {
        "AZURE_TENANT_ID": "$((Get-MgContext).TenantId)",
        "AZURE_CLIENT_ID": "$(if ($State.App) { $State.App.AppId } else { '<the new app id>' })",
    }
    for variable in plan.environment:
        shown = values.get(variable.name, variable.meaning.replace('"', "'").replace("$", "`$"))
        optional = "" if variable.required else " (optional)"
        lines.append(f'Write-Host "  {variable.name}{optional} = {comment(shown)}"')
    if plan.entra_permissions:
        scopes = " ".join(plan.consent_scopes)
        lines += [
            "if ($State.App) {",
            "    Write-Host ''",
            "    Write-Host 'Admin consent, in a browser instead (an app of another tenant):'",
            '    Write-Host "  https://login.microsoftonline.com/$((Get-MgContext).TenantId)/'
            "v2.0/adminconsent?client_id=$($State.App.AppId)&scope="
            f'{comment(scopes)}&redirect_uri=<a redirect URI of the app>"',
            "}",
        ]
    return "\n".join(lines) + "\n"


_HEADER = """\
<#
.SYNOPSIS
    Sets the tenant up for the OAuth2 mail code authsweep found: app registration,
    permissions, Exchange Online service principal, and rights on exactly its mailboxes.
.DESCRIPTION
    Written by authsweep {version} (authsweep tenant plan) from: {source}
    Review it, then run it with -WhatIf first: it reads the tenant, lists every change it
    would make, and makes each only when you confirm (-Confirm:$false: without asking).
    Safe to re-run: what exists is left as it is. It holds no secret and creates none:
    add a client secret (or certificate) to the app registration yourself and give it to
    the code as AZURE_CLIENT_SECRET. docs/tenant.md of authsweep explains each step.
.NOTES
    Needs PowerShell 7, the modules Microsoft.Graph.Applications and
    ExchangeOnlineManagement, an admin who may grant application permissions in Entra ID
    (Privileged Role Administrator or Global Administrator) and an Exchange admin
    (Organization Management).
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string] $AppName = {app_name},
    [string] $TenantId
)
$ErrorActionPreference = 'Stop'
"""

_SETTINGS = """
# Mailboxes by protocol (smtp, imap, pop, ews, graph): the rights below name exactly these.
$Mailboxes = @{{
{mailboxes}
}}
# From addresses other than the signed-in mailbox: SendAs on each.
$SendAs = {send_as}
# `--target graph`: the mailbox Graph sends each From address from gets the SendAs on it.
$SendAsTrustees = @{{
{trustees}
}}
# Application permissions of Office 365 Exchange Online on the app, with admin consent.
$EntraPermissions = {entra}
# RBAC for Applications: a role per protocol, scoped to that protocol's mailboxes.
$RbacRoles = @{{
{rbac}
}}
# Protocols without an RBAC role here: {mailbox_right} on each of their mailboxes.
$MailboxPermissionProtocols = {permission_protocols}
$ExchangeOnlineAppId = {exchange}
$MailboxRight = '{mailbox_right}'
$SendAsRight = '{send_as_right}'
"""
