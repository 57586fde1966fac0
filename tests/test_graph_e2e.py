"""The proof of `fix --target graph`: every send shape against a tenant that refuses SMTP AUTH.

Each sample (fixtures/graph, and the SMTPHandler sample of fixtures/e2e) runs against the lab
in its SMTP-AUTH-disabled mode before and after `authsweep fix --unsafe-fixes --target graph`
on a copy. Before, it fails with the tenant's reply (`535 5.7.139 ... SmtpClientAuthentication
is disabled for the Tenant`); after, with no password in its environment, exactly one message
arrives through Graph sendMail with the subject, sender, recipients (Bcc included), Reply-To,
HTML part and attachment names and bytes the program gave it, and no SMTP connection is
made. A second fix changes nothing, and check finds nothing left.
"""

from __future__ import annotations

import os
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest
from authsweep.lab import ExchangeSim
from lab_support import USER, authsweep

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures"
DISABLED = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled"
GRAPH = "https://graph.microsoft.com"

pytestmark = [pytest.mark.slow, pytest.mark.exchange_online(smtp_auth="disabled", mailboxes=[USER])]


def _copy(name: str, tmp_path: Path) -> Path:
    source = SAMPLES / name
    target = tmp_path / source.name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy(source, target)
    return target


def _run(lab: ExchangeSim, folder: Path, program: str, password: bool):
    """Run a sample in ``folder`` with a fresh record; its output and the verdict."""
    lab.reset()
    env = {"MAIL_USER": USER}
    if password:
        env["MAIL_PASSWORD"] = "Correct-Horse-9"
    base = {k: v for k, v in os.environ.items() if k != "MAIL_PASSWORD"}
    proc = lab.run_python(program, env=env, cwd=folder, base_env=base)
    return proc, lab.verdict()


def _migrate(
    lab: ExchangeSim, folder: Path, program: str, fixed_path: str = "."
) -> tuple[EmailMessage, str]:
    """The sample fails before the fix as the tenant fails it, and sends through Graph
    after it; the message that arrived, and the fix's report."""
    before, verdict = _run(lab, folder, program, password=True)
    refused = [f for f in verdict.failures if f.cause.id == "smtp-auth-disabled"]
    assert refused and refused[0].failure.reply.startswith(DISABLED), verdict
    assert "`authsweep fix --unsafe-fixes --target graph`" in refused[0].cause.remedy
    assert not verdict.snapshot.messages

    fixed = authsweep("fix", "--unsafe-fixes", "--target", "graph", fixed_path, cwd=folder)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr

    after, verdict = _run(lab, folder, program, password=False)
    assert verdict.passed, f"{after.stdout}\n{after.stderr}\n{verdict}"
    assert verdict.snapshot.connections == ()  # no SMTP (nor IMAP, POP) connection at all
    (message,) = verdict.snapshot.messages
    assert message.via == "graph" and message.user == USER
    (request,) = verdict.snapshot.graph_requests
    assert (request.status, request.audience) == (202, GRAPH)
    assert [t.scope for t in verdict.snapshot.token_requests] == [f"{GRAPH}/.default"]

    again = authsweep("fix", "--unsafe-fixes", "--target", "graph", "--diff", ".", cwd=folder)
    assert again.returncode == 0 and again.stdout == "", again.stdout
    check = authsweep("check", "--target", "graph", ".", cwd=folder)
    assert check.returncode == 0, check.stdout
    return message.message, fixed.stdout


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    return {
        str(part.get_filename()): part.get_payload(decode=True)  # type: ignore[misc]
        for part in message.iter_attachments()
    }


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_subtype() == subtype
    return str(part.get_content()).strip()


@pytest.mark.slow
def test_raw_string_with_sendmail(exchange_online: ExchangeSim, tmp_path: Path) -> None:
    folder = _copy("graph/raw_sendmail.py", tmp_path).parent
    message, report = _migrate(exchange_online, folder, "raw_sendmail.py")
    (delivered,) = exchange_online.messages
    assert delivered.rcpt_tos == ("oncall@contoso.com", "ops-lead@contoso.com")
    assert message["Subject"] == "Batch 7 stopped" and message["X-Priority"] == "1"
    assert message["From"] == f"Payments <{USER}>"
    assert _body(message, "plain") == "The payment run stopped at batch 7."
    assert "line 21: AS101 sends through Microsoft Graph sendMail" in report


@pytest.mark.slow
def test_email_message_with_cc_bcc_and_reply_to(exchange_online: ExchangeSim, tmp_path) -> None:
    folder = _copy("graph/email_message.py", tmp_path).parent
    message, _ = _migrate(exchange_online, folder, "email_message.py")
    (delivered,) = exchange_online.messages
    assert set(delivered.rcpt_tos) == {
        "team@contoso.com",
        "manager@contoso.com",
        "audit@contoso.com",
    }
    assert message["Bcc"] is None  # the blind copy is hidden from what recipients see
    assert (message["To"], message["Cc"]) == ("team@contoso.com", "manager@contoso.com")
    assert message["Reply-To"] == "service-desk@contoso.com"
    assert message["Subject"] == "Weekly status"


@pytest.mark.slow
def test_html_alternative_and_binary_attachments(exchange_online: ExchangeSim, tmp_path) -> None:
    folder = _copy("graph/multipart_report.py", tmp_path).parent
    message, _ = _migrate(exchange_online, folder, "multipart_report.py")
    assert exchange_online.messages[0].rcpt_tos == ("finance@contoso.com",)
    assert _body(message, "html") == "<p>The <b>report</b> is attached.</p>"
    assert _body(message, "plain") == "The report is attached."
    assert _attachments(message) == {
        "report.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 2,
        "chart.png": b"\x89PNG\r\n\x1a\n" + bytes(reversed(range(256))),
    }


@pytest.mark.slow
def test_email_mime_with_a_blind_copy_in_the_envelope_only(
    exchange_online: ExchangeSim, tmp_path: Path
) -> None:
    folder = _copy("graph/mime_envelope_bcc.py", tmp_path).parent
    message, _ = _migrate(exchange_online, folder, "mime_envelope_bcc.py")
    (delivered,) = exchange_online.messages
    assert delivered.rcpt_tos == ("customer@contoso.com", "archive@contoso.com")
    assert message["Bcc"] is None and message["To"] == "customer@contoso.com"
    assert message["Subject"] == "Invoice 2041"
    assert _attachments(message) == {"invoice-2041.bin": b"INVOICE\x00\x01\x02\xff"}


def test_aiosmtplib_send(exchange_online: ExchangeSim, tmp_path: Path) -> None:
    folder = _copy("graph/async_notify.py", tmp_path).parent
    message, _ = _migrate(exchange_online, folder, "async_notify.py")
    assert "graph_send_async(" in (folder / "async_notify.py").read_text()
    assert exchange_online.messages[0].rcpt_tos == ("releases@contoso.com",)
    assert message["Subject"] == "Deployed 4.2" and message["From"] == USER


@pytest.mark.slow
def test_smtp_handler(exchange_online: ExchangeSim, tmp_path: Path) -> None:
    folder = _copy("e2e/smtp_handler_alerts.py", tmp_path).parent
    message, report = _migrate(exchange_online, folder, "smtp_handler_alerts.py")
    assert "Added mail_oauth2_handler.py (GraphSMTPHandler)." in report
    assert exchange_online.messages[0].rcpt_tos == ("oncall@contoso.com",)
    assert message["Subject"] == "Payment run failed" and message["From"] == USER
    assert _body(message, "plain") == "The payment run stopped at batch 7."


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sample", "program", "subject", "text"),
    [
        (
            "graph/dict_config_alerts.py",
            "dict_config_alerts.py",
            "Nightly import failed",
            "Row 12 has no customer id.",
        ),
        ("graph/backup_job", "backup.py", "Backup failed", "The backup of /srv stopped at 40%."),
    ],
)
def test_smtp_handler_in_dict_config_and_file_config(
    exchange_online: ExchangeSim, tmp_path: Path, sample, program, subject, text
) -> None:
    copied = _copy(sample, tmp_path)
    folder = copied if copied.is_dir() else copied.parent
    message, report = _migrate(exchange_online, folder, program)
    assert "Added mail_oauth2_handler.py (GraphSMTPHandler)." in report
    assert exchange_online.messages[0].rcpt_tos == ("oncall@contoso.com",)
    assert message["Subject"] == subject and _body(message, "plain") == text


@pytest.mark.slow
def test_django_send_mail_with_html_message(exchange_online: ExchangeSim, tmp_path) -> None:
    folder = _copy("graph/django_newsletter", tmp_path)
    message, report = _migrate(exchange_online, folder, "send_newsletter.py")
    assert "Added newsletter_site/mail_oauth2.py (GraphEmailBackend)." in report
    settings = (folder / "newsletter_site" / "settings.py").read_text()
    assert 'EMAIL_BACKEND = "newsletter_site.mail_oauth2.GraphEmailBackend"' in settings
    assert "EMAIL_HOST_PASSWORD" not in settings
    assert exchange_online.messages[0].rcpt_tos == ("subscribers@contoso.com",)
    assert message["Subject"] == "Newsletter: April" and message["From"] == USER
    assert _body(message, "html") == "<h1>April</h1><p>Spring <em>release</em> notes inside.</p>"
    assert _body(message, "plain") == "Spring release notes inside."


@pytest.mark.slow
def test_flask_mail_view_with_cc(exchange_online: ExchangeSim, tmp_path: Path) -> None:
    folder = _copy("graph/flask_helpdesk", tmp_path)
    message, report = _migrate(exchange_online, folder, "escalate.py")
    assert "Added helpdesk/mail_oauth2.py (GraphMail)." in report
    assert "mail = GraphMail()" in (folder / "helpdesk" / "__init__.py").read_text()
    (delivered,) = exchange_online.messages
    assert set(delivered.rcpt_tos) == {"oncall@contoso.com", "helpdesk-lead@contoso.com"}
    assert message["Cc"] == "helpdesk-lead@contoso.com"
    assert message["Reply-To"] == "customer@contoso.com"
    assert message["Subject"] == "Ticket 42 escalated"
