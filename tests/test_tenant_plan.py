"""`authsweep tenant plan`: the mailboxes of the code's password logins, by protocol, and the
set-up they need (PowerShell script, Markdown checklist, JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tree_sitter_powershell
from authsweep.scanner.findings import Mailbox
from authsweep.scanner.fixes.helpers import OAUTH2_ACCESS_TOKEN
from authsweep.scanner.tenant.inventory import Use, build, from_paths
from authsweep.scanner.tenant.plan import environment, make_plan
from authsweep.scanner.tenant.powershell import render_powershell
from cli_support import invoke, write
from tree_sitter import Language, Parser

MAILER = """\
import imaplib
import os
import smtplib

USER = os.environ.get("SMTP_USER")


def alert(message):
    with smtplib.SMTP("smtp.office365.com", 587) as smtp:
        smtp.starttls()
        smtp.login(USER, os.environ["SMTP_PASSWORD"])
        smtp.sendmail("alerts@contoso.com", ["ops@contoso.com"], message)


def report(message):
    smtp = smtplib.SMTP("smtp.office365.com", 587)
    smtp.starttls()
    smtp.login("reports@contoso.com", os.environ["REPORTS_PASSWORD"])
    smtp.send_message(message, from_addr="reports@contoso.com")


def inbox():
    imap = imaplib.IMAP4_SSL("outlook.office365.com")
    imap.login("Inbox@Contoso.com", os.environ["IMAP_PASSWORD"])
"""


def _plan(tmp_path: Path, smtp_rights: str = "rbac"):
    write(tmp_path / "mailer.py", MAILER)
    inventory, errors = from_paths([str(tmp_path)], None, tmp_path)
    assert errors == []
    return make_plan(
        inventory,
        app_name="authsweep-mail",
        smtp_rights=smtp_rights,
        helper_source=OAUTH2_ACCESS_TOKEN.source,
    )


def test_mailboxes_by_protocol_with_unknown_ones_named_by_variable(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    labels = {m.label: (m.protocols, [u.line for u in m.uses]) for m in plan.inventory.mailboxes}
    assert labels == {
        "alerts@contoso.com": (["smtp"], [11]),
        "Inbox@Contoso.com": (["imap"], [24]),
        "reports@contoso.com": (["smtp"], [18]),
        "unknown: set SMTP_USER": (["smtp"], [11]),
    }
    # The sender that is not the signed-in mailbox needs SendAs; the one that is, does not.
    assert plan.send_as == ["alerts@contoso.com"]


def test_rbac_for_smtp_mailbox_permission_for_imap(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    grants = {g.access.protocol: (g.rbac, g.mailboxes) for g in plan.grants}
    assert grants == {
        "smtp": (True, ("reports@contoso.com",)),
        "imap": (False, ("Inbox@Contoso.com",)),
    }
    # SMTP through RBAC gets no Entra permission (Microsoft: it would trigger a mailbox check).
    assert [a.permission for a in plan.entra_permissions] == ["IMAP.AccessAsApp"]
    assert plan.consent_scopes == ["https://ps.outlook.com/.default"]
    classic = _plan(tmp_path, "mailbox-permission")
    assert [a.permission for a in classic.entra_permissions] == [
        "SMTP.SendAsApp",
        "IMAP.AccessAsApp",
    ]
    assert not any(g.rbac for g in classic.grants)


def test_environment_is_what_the_generated_helper_reads() -> None:
    found = {(v.name, v.required) for v in environment(OAUTH2_ACCESS_TOKEN.source)}
    assert found == {
        ("AZURE_TENANT_ID", True),
        ("AZURE_CLIENT_ID", True),
        ("AZURE_CLIENT_SECRET", True),
        ("AZURE_AUTHORITY_HOST", False),
    }


def _parses(script: str) -> bool:
    tree = Parser(Language(tree_sitter_powershell.language())).parse(script.encode())
    return not tree.root_node.has_error


def test_powershell_parses_looks_before_it_changes_and_holds_no_secret(tmp_path: Path) -> None:
    script = render_powershell(_plan(tmp_path))
    assert _parses(script)
    assert "[CmdletBinding(SupportsShouldProcess = $true" in script
    assert "$PSCmdlet.ShouldProcess(" in script
    # Every change is queued behind a look at what exists.
    for check, change in (
        ("Get-MgApplication", "New-MgApplication"),
        ("Get-MgServicePrincipal", "New-MgServicePrincipal"),
        ("Get-MgServicePrincipalAppRoleAssignment", "New-MgServicePrincipalAppRoleAssignment"),
        ("Get-ServicePrincipal", "New-ServicePrincipal"),
        ("Get-ManagementScope", "New-ManagementScope"),
        ("Get-ManagementRoleAssignment", "New-ManagementRoleAssignment"),
        ("Get-MailboxPermission", "Add-MailboxPermission"),
        ("Get-RecipientPermission", "Add-RecipientPermission"),
    ):
        assert script.index(check) < script.index(change), change
    # New-ServicePrincipal gets the enterprise application's object id, not the app's.
    assert "New-ServicePrincipal -AppId $State.App.AppId -ObjectId $State.Sp.Id" in script
    assert (
        "$Mailboxes = @{\n    'smtp' = @('reports@contoso.com')\n"
        "    'imap' = @('Inbox@Contoso.com')\n}" in script
    )
    assert "'smtp' = 'Application SMTP.SendAsApp'" in script
    assert "$SendAs = @('alerts@contoso.com')" in script
    for secret in ("SMTP_PASSWORD", "REPORTS_PASSWORD", "ClientSecret", "PasswordCredential"):
        assert secret not in script


def test_hostile_text_from_the_code_cannot_reach_the_script(tmp_path: Path) -> None:
    uses = [
        Use(
            Mailbox("smtp", address="x'); Remove-Mailbox -Identity *; ('@contoso.com"),
            "a.py",
            1,
            "AS101",
            "f",
        ),
        Use(
            Mailbox("smtp", origin="name u\n Remove-Mailbox *"),
            "b\nRemove-Mailbox.py",
            2,
            "AS101",
            "f",
        ),
        Use(Mailbox("imap", address="ok@contoso.com"), "c.py", 3, "AS102", "f"),
    ]
    plan = make_plan(build(uses, "x"), app_name="a", smtp_rights="rbac", helper_source="")
    script = render_powershell(plan)
    assert _parses(script)
    assert "Remove-Mailbox" not in "\n".join(
        line for line in script.splitlines() if not line.lstrip().startswith("#")
    )
    assert [m.label for m in plan.inventory.mailboxes] == [
        "ok@contoso.com",
        "unknown: from name u\n Remove-Mailbox *",
        "unknown: not an address in code",
    ]


def test_graph_is_one_more_protocol() -> None:
    uses = [Use(Mailbox("graph", address="news@contoso.com"), "n.py", 4, "AS101", "f")]
    plan = make_plan(build(uses, "x"), app_name="a", smtp_rights="rbac", helper_source="")
    assert [(g.access.rbac_role, g.mailboxes) for g in plan.grants] == [
        ("Application Mail.Send", ("news@contoso.com",))
    ]
    assert plan.entra_permissions == []


@pytest.mark.parametrize("fmt", ["markdown", "powershell", "json"])
def test_cli_formats(tmp_path: Path, fmt: str) -> None:
    write(tmp_path / "mailer.py", MAILER)
    result = invoke("tenant", "plan", "mailer.py", "--format", fmt, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        document = json.loads(result.stdout)
        assert document["exchange_online"]["rbac"] == [
            {
                "protocol": "smtp",
                "role": "Application SMTP.SendAsApp",
                "mailboxes": ["reports@contoso.com"],
            }
        ]
        assert [v["name"] for v in document["environment"]][-1] == "SMTP_USER"
    elif fmt == "markdown":
        assert (
            "| `unknown: set SMTP_USER` | SMTP submission | `mailer.py:11` (SMTP submission) |"
            in result.stdout
        )
        assert 'New-ManagementScope -Name "authsweep-mail smtp mailboxes"' in result.stdout
    else:
        assert _parses(result.stdout)


@pytest.mark.slow
def test_cli_plan_from_a_sweep_document(tmp_path: Path) -> None:
    write(tmp_path / "mailer.py", MAILER)
    check = invoke("check", "mailer.py", "--format", "json", "--no-cache", cwd=tmp_path)
    document = json.loads(check.stdout)
    document["sweep"] = {"format": 1, "repositories": []}
    write(tmp_path / "sweep.json", json.dumps(document))
    from_sweep = invoke("tenant", "plan", "--sweep", "sweep.json", "--format", "json", cwd=tmp_path)
    scanned = invoke("tenant", "plan", "mailer.py", "--format", "json", cwd=tmp_path)
    assert json.loads(from_sweep.stdout)["mailboxes"] == json.loads(scanned.stdout)["mailboxes"]


def test_cli_plan_bad_input(tmp_path: Path) -> None:
    write(tmp_path / "sweep.json", "{not json")
    result = invoke("tenant", "plan", "--sweep", "sweep.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "sweep.json: not JSON" in result.stderr
    assert "Traceback" not in result.stderr
    both = invoke("tenant", "plan", "x.py", "--sweep", "sweep.json", cwd=tmp_path)
    assert both.returncode == 2 and "not both" in both.stderr


def test_check_json_carries_mailboxes_also_from_the_cache(tmp_path: Path) -> None:
    write(tmp_path / "mailer.py", MAILER)
    runs = [
        json.loads(invoke("check", "mailer.py", "--format", "json", cwd=tmp_path).stdout)
        for _ in range(2)  # the second run reads the result cache
    ]
    assert (tmp_path / ".authsweep_cache").is_dir()
    first, cached = ([f.get("mailboxes") for f in run["findings"]] for run in runs)
    assert first == cached
    assert {"protocol": "imap", "address": "Inbox@Contoso.com", "role": "login"} in [
        box for boxes in first if boxes for box in boxes
    ]
