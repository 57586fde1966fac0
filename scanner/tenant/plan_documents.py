"""The plan as Markdown (a checklist for a change request) and as JSON (for other tools).

The Markdown names the same steps as the PowerShell script, with the Azure CLI for the
Entra ID part, and the commands with this code's mailboxes filled in.
"""

from __future__ import annotations

import json

from .. import __version__
from .inventory import MailboxUses
from .plan import Plan, send_as_trustee, token_scopes
from .protocols import ACCESS, EXCHANGE, MAILBOX_RIGHT, SEND_AS_RIGHT

DOCS = "docs/tenant.md"


def _code(text: str) -> str:
    """Inline code that no backtick or line break in ``text`` can end early."""
    clean = " ".join(text.split()).replace("`", "'")
    return f"`{clean}`"


def _uses(mailbox: MailboxUses) -> str:
    parts = []
    for use in mailbox.uses:
        role = ", From" if use.mailbox.role == "sender" else ""
        parts.append(f"{_code(use.where)} ({ACCESS[use.mailbox.protocol].title}{role})")
    return "; ".join(parts)


def render_markdown(plan: Plan) -> str:
    inventory = plan.inventory
    app = plan.app_name
    lines = [
        "# Tenant set-up for the OAuth2 mail code",
        "",
        f"Written by authsweep {__version__} (`authsweep tenant plan`) from "
        f"{_code(inventory.source)}. "
        "authsweep never talks to the tenant: an admin makes these changes (the PowerShell "
        "script of `--format powershell` makes them, checking first). See "
        f"{DOCS} for why each step is needed.",
        "",
        "## Mailboxes the code uses",
        "",
        "| mailbox | protocols | where in code | what `fix` does |",
        "|---|---|---|---|",
    ]
    for mailbox in inventory.mailboxes:
        protocols = ", ".join(ACCESS[p].title for p in mailbox.protocols)
        fixes = "; ".join(sorted({use.fix for use in mailbox.uses}))
        fixes = fixes.replace("|", "/")
        lines.append(f"| {_code(mailbox.label)} | {protocols} | {_uses(mailbox)} | {fixes} |")
    if not inventory.mailboxes:
        lines.append("| (no password login found) | | | |")
    if plan.unknown:
        lines += [
            "",
            "Mailboxes marked *unknown* are read at run time: find the value the deployment "
            "sets and add it to the commands below.",
        ]
    lines += _steps(plan, app)
    lines += [
        "",
        "## What the migrated code reads",
        "",
        f"Tokens for {', '.join(_code(s) for s in token_scopes(plan))} from MSAL's "
        "client-credentials flow; set these where the code runs:",
        "",
    ]
    for variable in plan.environment:
        optional = "" if variable.required else " (optional)"
        lines.append(f"- {_code(variable.name)}{optional}: {variable.meaning}")
    return "\n".join(lines) + "\n"


def _steps(plan: Plan, app: str) -> list[str]:
    lines = [
        "",
        "## Steps",
        "",
        "1. **App registration** (accounts in this directory only) and its enterprise "
        "application, with Microsoft Graph PowerShell or the Azure CLI:",
        "",
        "   ```sh",
        f'   az ad app create --display-name "{app}" --sign-in-audience AzureADMyOrg',
        "   az ad sp create --id <APP_ID>",
        "   ```",
        "",
        "   Add a client secret (or a certificate) yourself; it is the code's "
        "`AZURE_CLIENT_SECRET`.",
    ]
    if plan.entra_permissions:
        lines += [
            "",
            f"2. **Application permissions** of {EXCHANGE.name} "
            f"({', '.join(_code(a.permission) for a in plan.entra_permissions)}) "
            "and **admin consent**:",
            "",
            "   ```sh",
        ]
        for access in plan.entra_permissions:
            lines.append(
                f"   az ad app permission add --id <APP_ID> --api {EXCHANGE.app_id} "
                f"--api-permissions $(az ad sp show --id {EXCHANGE.app_id} --query "
                f"\"appRoles[?value=='{access.permission}'].id\" -o tsv)=Role"
            )
        lines += [
            "   az ad app permission admin-consent --id <APP_ID>",
            "   ```",
            "",
            "   Or in a browser: `https://login.microsoftonline.com/<TENANT_ID>/v2.0/adminconsent"
            f"?client_id=<APP_ID>&scope={' '.join(plan.consent_scopes)}"
            "&redirect_uri=<REDIRECT_URI>`.",
        ]
    else:
        lines += [
            "",
            "2. **No API permission** on the app: RBAC for Applications grants each right "
            "below for the named mailboxes only (an Entra ID permission would reach every "
            "mailbox).",
        ]
    lines += [
        "",
        "3. **Service principal in Exchange Online** (Exchange Online PowerShell), with the "
        "*enterprise application's* object id, not the app registration's:",
        "",
        "   ```powershell",
        "   New-ServicePrincipal -AppId <APP_ID> -ObjectId <ENTERPRISE_APP_OBJECT_ID> "
        f'-DisplayName "{app} (authsweep)"',
        "   ```",
    ]
    step = 4
    for grant in plan.grants:
        names = list(grant.mailboxes) or ["<MAILBOX>"]
        title = grant.access.title
        if grant.rbac:
            scope = f"{app} {grant.access.protocol} mailboxes"
            where = " -or ".join(f"PrimarySmtpAddress -eq '{n}'" for n in names)
            lines += [
                "",
                f"{step}. **{title}**: the RBAC role {_code(grant.access.rbac_role or '')}, "
                "scoped to exactly these mailboxes:",
                "",
                "   ```powershell",
                f'   New-ManagementScope -Name "{scope}" -RecipientRestrictionFilter "{where}"',
                f'   New-ManagementRoleAssignment -Name "{app} {grant.access.protocol}" '
                f'-Role "{grant.access.rbac_role}" -App <APP_ID> -CustomResourceScope "{scope}"',
                "   ```",
            ]
        else:
            lines += [
                "",
                f"{step}. **{title}**: {MAILBOX_RIGHT} for the app on each mailbox (Exchange "
                "Online has no RBAC role for it):",
                "",
                "   ```powershell",
                *(
                    f'   Add-MailboxPermission -Identity "{n}" -User <SERVICE_PRINCIPAL> '
                    f"-AccessRights {MAILBOX_RIGHT}"
                    for n in names
                ),
                "   ```",
            ]
        step += 1
    if plan.send_as:
        whom = "the signed-in mailbox"
        if plan.target == "graph":
            whom = "the mailbox Graph sends from (SMTP AUTH needed the same right)"
        lines += [
            "",
            f"{step}. **Send as** the From addresses that are not {whom}:",
            "",
            "   ```powershell",
            *(
                f'   Add-RecipientPermission -Identity "{n}" -Trustee {_trustee(plan, n)} '
                f"-AccessRights {SEND_AS_RIGHT}"
                for n in plan.send_as
            ),
            "   ```",
        ]
    return lines


def _trustee(plan: Plan, address: str) -> str:
    trustee = send_as_trustee(plan, address)
    if trustee is None:
        return "<SERVICE_PRINCIPAL>"
    return trustee if trustee.startswith("<") else f'"{trustee}"'


def plan_json(plan: Plan) -> str:
    inventory = plan.inventory
    document = {
        "tool": "authsweep",
        "version": __version__,
        "source": inventory.source,
        "app_name": plan.app_name,
        "smtp_rights": plan.smtp_rights,
        "target": plan.target,
        "mailboxes": [
            {
                "address": m.address,
                "unknown": m.unknown,
                "protocols": m.protocols,
                "variables": m.variables,
                "uses": [
                    {
                        "path": u.path,
                        "line": u.line,
                        "rule": u.rule,
                        "protocol": u.mailbox.protocol,
                        "role": u.mailbox.role,
                        "fix": u.fix,
                    }
                    for u in m.uses
                ],
            }
            for m in inventory.mailboxes
        ],
        "app_registration": {
            "permissions": [
                {
                    "resource": a.resource.name,
                    "resource_app_id": a.resource.app_id,
                    "permission": a.permission,
                }
                for a in plan.entra_permissions
            ],
            "admin_consent_scopes": plan.consent_scopes,
        },
        "exchange_online": {
            "service_principal": "New-ServicePrincipal -AppId <APP_ID> -ObjectId "
            "<ENTERPRISE_APP_OBJECT_ID>",
            "rbac": [
                {
                    "protocol": g.access.protocol,
                    "role": g.access.rbac_role,
                    "mailboxes": list(g.mailboxes),
                }
                for g in plan.grants
                if g.rbac
            ],
            "mailbox_permissions": [
                {
                    "protocol": g.access.protocol,
                    "access_rights": MAILBOX_RIGHT,
                    "mailboxes": list(g.mailboxes),
                }
                for g in plan.grants
                if not g.rbac
            ],
            "send_as": plan.send_as,
            # `--target graph`: the mailbox that gets SendAs on each From address (else the
            # app's service principal does).
            "send_as_trustees": {n: send_as_trustee(plan, n) for n in plan.send_as}
            if plan.target == "graph"
            else {},
        },
        "token_scopes": token_scopes(plan),
        "environment": [
            {"name": v.name, "required": v.required, "meaning": v.meaning} for v in plan.environment
        ],
    }
    return json.dumps(document, indent=2) + "\n"
