"""`authsweep tenant plan --target graph`: Mail.Send through RBAC for Applications' role
Application Mail.Send, scoped to exactly the mailboxes Graph sends from; SendAs on other
From addresses for that mailbox; readers keep what XOAUTH2 needs."""

from __future__ import annotations

import json
from pathlib import Path

import tree_sitter_powershell
from cli_support import invoke, write
from tree_sitter import Language, Parser

CODE = """\
import imaplib
import smtplib


def report(message):
    with smtplib.SMTP("smtp.office365.com", 587) as smtp:
        smtp.starttls()
        smtp.login("svc-reports@contoso.com", PASSWORD)
        smtp.sendmail("noreply@contoso.com", ["team@contoso.com"], message)


def inbox():
    imap = imaplib.IMAP4_SSL("outlook.office365.com")
    imap.login("inbox@contoso.com", PASSWORD)
"""


def _plan(tmp_path: Path, *options: str, fmt: str = "json"):
    write(tmp_path / "jobs.py", CODE)
    result = invoke("tenant", "plan", "--format", fmt, *options, ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_graph_sends_need_the_scoped_mail_send_role(tmp_path: Path) -> None:
    plan = json.loads(_plan(tmp_path, "--target", "graph"))
    assert plan["target"] == "graph"
    assert plan["exchange_online"]["rbac"] == [
        {
            "protocol": "graph",
            "role": "Application Mail.Send",
            "mailboxes": ["svc-reports@contoso.com"],
        }
    ]
    # IMAP stays on XOAUTH2: its permission and mailbox right, as before.
    assert plan["app_registration"]["permissions"][0]["permission"] == "IMAP.AccessAsApp"
    assert plan["exchange_online"]["mailbox_permissions"][0]["mailboxes"] == ["inbox@contoso.com"]
    assert plan["exchange_online"]["send_as"] == ["noreply@contoso.com"]
    assert plan["exchange_online"]["send_as_trustees"] == {
        "noreply@contoso.com": "svc-reports@contoso.com"
    }
    assert plan["token_scopes"] == [
        "https://graph.microsoft.com/.default",
        "https://outlook.office365.com/.default",
    ]
    uses = {m["address"]: m["uses"][0]["fix"] for m in plan["mailboxes"]}
    assert "--target graph` sends it through Microsoft Graph" in uses["svc-reports@contoso.com"]
    assert "stays on XOAUTH2" in uses["inbox@contoso.com"]


def test_the_default_target_plans_smtp_as_before(tmp_path: Path) -> None:
    plan = json.loads(_plan(tmp_path))
    roles = {g["protocol"]: g["role"] for g in plan["exchange_online"]["rbac"]}
    assert roles == {"smtp": "Application SMTP.SendAsApp"}
    assert plan["exchange_online"]["send_as_trustees"] == {}


def test_the_configured_target_is_the_plan_s(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\ntarget = "graph"\n')
    plan = json.loads(_plan(tmp_path))
    assert plan["target"] == "graph"


def test_markdown_and_powershell(tmp_path: Path) -> None:
    markdown = _plan(tmp_path, "--target", "graph", fmt="markdown")
    assert '-Role "Application Mail.Send" -App <APP_ID>' in markdown
    assert "PrimarySmtpAddress -eq 'svc-reports@contoso.com'" in markdown
    assert (
        'Add-RecipientPermission -Identity "noreply@contoso.com" -Trustee '
        '"svc-reports@contoso.com" -AccessRights SendAs' in markdown
    )
    script = _plan(tmp_path, "--target", "graph", fmt="powershell")
    tree = Parser(Language(tree_sitter_powershell.language())).parse(script.encode())
    assert not tree.root_node.has_error
    assert "    'graph' = 'Application Mail.Send'" in script
    assert "    'noreply@contoso.com' = 'svc-reports@contoso.com'" in script
