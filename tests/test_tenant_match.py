"""`authsweep tenant match`: the SMTP AUTH clients report and Entra sign-in logs, in the
shapes Microsoft exports them (documented columns, their variants, the historical search's
CSV, UTF-8 with BOM, UTF-16 as Excel saves it, JSON), joined to the code."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from authsweep.scanner.tenant.reports import (
    Evidence,
    ReportError,
    read_sign_ins,
    read_smtp_auth_report,
)
from cli_support import invoke, write

CODE = """\
import os
import smtplib


def send(message):
    with smtplib.SMTP("smtp.office365.com", 587) as smtp:
        smtp.starttls()
        smtp.login("bot@contoso.com", os.environ["PASSWORD"])
        smtp.send_message(message)


def unused(message):
    with smtplib.SMTP("smtp.office365.com", 587) as smtp:
        smtp.starttls()
        smtp.login("old@contoso.com", os.environ["PASSWORD"])
"""

DOCUMENTED = (
    "Sender address,Domain,TLS 1.0,TLS 1.1,TLS 1.2,Messages sent,Authentication protocol\r\n"
    'bot@contoso.com,contoso.com,0%,0%,100%,"1,204",Basic Authentication\r\n'
    "printer@contoso.com,contoso.com,12%,0%,88%,88,Basic Authentication\r\n"
    "app@contoso.com,contoso.com,0%,0%,100%,40,OAuth2\r\n"
)


def _smtp(path: Path, text: str, encoding: str = "utf-8-sig") -> Evidence:
    path.write_bytes(text.encode(encoding))
    evidence = Evidence()
    read_smtp_auth_report(path, evidence)
    return evidence


def _counts(evidence: Evidence) -> dict[str, tuple[int, int, int]]:
    return {k: (a.basic, a.oauth, a.unknown_auth) for k, a in evidence.activity.items()}


EXPECTED = {
    "bot@contoso.com": (1204, 0, 0),
    "printer@contoso.com": (88, 0, 0),
    "app@contoso.com": (0, 40, 0),
}


def test_documented_columns_with_bom(tmp_path: Path) -> None:
    assert _counts(_smtp(tmp_path / "r.csv", DOCUMENTED)) == EXPECTED


@pytest.mark.parametrize(
    "header",
    [
        "sender address,domain,tls 1.0,tls 1.1,tls 1.2,messages sent,authentication protocol",
        "SenderAddress,Domain,TLS10,TLS11,TLS12,MessagesSent,AuthenticationProtocol",
        "Sender_Address, Domain ,TLS_1_0,TLS_1_1,TLS_1_2,Messages_Sent, Authentication Protocol ",
    ],
)
def test_case_and_spacing_variants(tmp_path: Path, header: str) -> None:
    text = header + DOCUMENTED[DOCUMENTED.index("\r\n") :]
    assert _counts(_smtp(tmp_path / "r.csv", text, "utf-8")) == EXPECTED


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path: Path) -> None:
    text = DOCUMENTED.replace('"1,204"', "1204").replace(",", "\t")
    assert _counts(_smtp(tmp_path / "r.txt", text, "utf-16")) == EXPECTED


def test_semicolons_as_european_excel_writes_them(tmp_path: Path) -> None:
    text = DOCUMENTED.replace('"1,204"', "1204").replace(",", ";")
    assert _counts(_smtp(tmp_path / "r.csv", text, "utf-8")) == EXPECTED


def test_historical_search_report(tmp_path: Path) -> None:
    text = (
        "date,senderName,senderDomain,authMethod,original_client_ip,tls_version,tls_cipher,"
        "message_count,message_id\r\n"
        "2026-11-02T10:00:00Z,bot,contoso.com,Basic,203.0.113.5,TLS1.2,AES,3,<a@b>\r\n"
        "2026-11-20T10:00:00Z,bot@contoso.com,contoso.com,Basic,203.0.113.5,TLS1.2,AES,2,<c@d>\r\n"
        "2026-11-05T10:00:00Z,app,contoso.com,OAuth,203.0.113.9,TLS1.2,AES,7,<e@f>\r\n"
    )
    evidence = _smtp(tmp_path / "h.csv", text, "utf-16")
    assert _counts(evidence) == {"bot@contoso.com": (5, 0, 0), "app@contoso.com": (0, 7, 0)}
    assert (evidence.first, evidence.last) == ("2026-11-02T10:00:00Z", "2026-11-20T10:00:00Z")


def test_report_without_authentication_protocol_column(tmp_path: Path) -> None:
    text = "Sender address,Domain,Messages sent\nbot@contoso.com,contoso.com,9\n"
    assert _counts(_smtp(tmp_path / "r.csv", text)) == {"bot@contoso.com": (0, 0, 9)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "r.csv: empty; expected a header with the columns Sender address, Domain"),
        ("Domain,Messages sent\nx,1\n", "r.csv:1: no sender column; expected the columns Sender"),
        (
            "Sender address,Messages sent\na@b.com,3\nc@d.com,lots\n",
            "r.csv:3: Messages sent is 'lots', not a number",
        ),
        ("Sender address,Messages sent\na@b.com,3,4\n", "r.csv:2: 3 fields where the header has 2"),
        ('Sender address,Messages sent\n"a@b.com,3\n', "r.csv"),
    ],
)
def test_bad_smtp_report(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ReportError) as raised:
        _smtp(tmp_path / "r.csv", text, "utf-8")
    assert expected in str(raised.value)


def test_undecodable_report(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"Sender address,Messages sent\nbot\xff\xfe@contoso.com,1\n")
    with pytest.raises(ReportError, match="not text in UTF-8 or UTF-16"):
        read_smtp_auth_report(path, Evidence())


SIGN_INS_CSV = (
    "Date (UTC),Request ID,User,Username,Application,Client app,Status,Sign-in error code\n"
    "2026-11-03T08:00:00Z,1,Bot,bot@contoso.com,Office 365 Exchange Online,"
    "Authenticated SMTP,Success,0\n"
    "2026-11-04T08:00:00Z,2,Box,box@contoso.com,Office 365 Exchange Online,IMAP4,Failure,50126\n"
    "2026-11-05T08:00:00Z,3,Box,box@contoso.com,Office 365 Exchange Online,IMAP4,Success,0\n"
    "2026-11-06T08:00:00Z,4,Ann,ann@contoso.com,Microsoft Teams,"
    "Mobile Apps and Desktop clients,Success,0\n"
)


def _sign_ins(path: Path, data: bytes) -> Evidence:
    path.write_bytes(data)
    evidence = Evidence()
    read_sign_ins(path, evidence)
    return evidence


def _activity(evidence: Evidence) -> dict[str, tuple[list[str], int, int]]:
    return {k: (sorted(a.protocols), a.basic, a.failed) for k, a in evidence.activity.items()}


SIGN_INS = {"bot@contoso.com": (["smtp"], 1, 0), "box@contoso.com": (["imap"], 1, 1)}


def test_sign_ins_csv(tmp_path: Path) -> None:
    evidence = _sign_ins(tmp_path / "s.csv", codecs.BOM_UTF8 + SIGN_INS_CSV.encode())
    assert _activity(evidence) == SIGN_INS
    assert (evidence.first, evidence.last) == ("2026-11-03T08:00:00Z", "2026-11-05T08:00:00Z")


def _records() -> list[dict]:
    def record(upn: str, client: str, code: int) -> dict:
        return {
            "createdDateTime": "2026-11-03T08:00:00Z",
            "userPrincipalName": upn,
            "clientAppUsed": client,
            "status": {"errorCode": code, "failureReason": "Other." if code else None},
        }

    return [
        record("bot@contoso.com", "Authenticated SMTP", 0),
        record("box@contoso.com", "IMAP4", 50126),
        record("box@contoso.com", "IMAP4", 0),
        record("ann@contoso.com", "Browser", 0),
    ]


@pytest.mark.parametrize(
    "shape",
    [
        lambda records: json.dumps(records, indent=2),
        lambda records: json.dumps({"@odata.context": "x", "value": records}),
        lambda records: "\n".join(json.dumps(r) for r in records) + "\n",
    ],
    ids=["array", "graph-page", "json-lines"],
)
def test_sign_ins_json(tmp_path: Path, shape) -> None:
    evidence = _sign_ins(tmp_path / "s.json", shape(_records()).encode())
    assert _activity(evidence) == SIGN_INS


def test_sign_ins_json_array_across_buffer_chunks(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("authsweep.scanner.tenant.reports._CHUNK", 7)
    evidence = _sign_ins(tmp_path / "s.json", json.dumps(_records(), indent=1).encode("utf-16"))
    assert _activity(evidence) == SIGN_INS


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b'[\n{"userPrincipalName": "a@b.com", "clientAppUsed": "IMAP4"},\n{"userPrin',
            "s.json:3: not JSON",
        ),
        (
            b'[\n{"userPrincipalName": "a@b.com"}\n]',
            "s.json:2: a sign-in without a user or client app",
        ),
        (b"[1, 2]", "s.json:1: a sign-in record is int, not an object"),
        (b"Date,Who\n1,2\n", "s.json:1: not a sign-in log export; expected the columns Username"),
    ],
)
def test_bad_sign_ins(tmp_path: Path, data: bytes, expected: str) -> None:
    with pytest.raises(ReportError) as raised:
        _sign_ins(tmp_path / "s.json", data)
    assert expected in str(raised.value)


def test_cli_match_one_line_per_mailbox(tmp_path: Path) -> None:
    write(tmp_path / "mailer.py", CODE)
    write(tmp_path / "smtp.csv", DOCUMENTED)
    result = invoke("tenant", "match", "mailer.py", "--smtp-auth-report", "smtp.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "bot@contoso.com: basic auth in the tenant, found in code: SMTP submission: 1,204 basic; "
        "mailer.py:8 (`authsweep fix --unsafe-fixes` rewrites it to XOAUTH2"
    )
    assert lines[1].startswith("printer@contoso.com: basic auth in the tenant, no code found:")
    assert lines[2].startswith("old@contoso.com: found in code, no sign-in in the report's window:")
    assert lines[3] == "app@contoso.com: already OAuth: SMTP submission: 40 OAuth"
    document = json.loads(
        invoke(
            "tenant",
            "match",
            "mailer.py",
            "--smtp-auth-report",
            "smtp.csv",
            "--format",
            "json",
            cwd=tmp_path,
        ).stdout
    )
    assert document["summary"] == {
        "basic-in-code": 1,
        "basic-no-code": 1,
        "code-no-sign-in": 1,
        "oauth": 1,
    }
    markdown = invoke(
        "tenant",
        "match",
        "mailer.py",
        "--smtp-auth-report",
        "smtp.csv",
        "--format",
        "markdown",
        cwd=tmp_path,
    ).stdout
    assert "| printer@contoso.com | basic auth in the tenant, no code found |" in markdown


def test_cli_match_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    write(tmp_path / "smtp.csv", "Domain\nx\n")
    result = invoke("tenant", "match", ".", "--smtp-auth-report", "smtp.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert "smtp.csv:1: no sender column" in result.stderr
    assert "Traceback" not in result.stderr
    missing = invoke("tenant", "match", ".", cwd=tmp_path)
    assert missing.returncode == 2 and "--smtp-auth-report" in missing.stderr
    absent = invoke("tenant", "match", ".", "--sign-ins", "nope.json", cwd=tmp_path)
    assert absent.returncode == 2 and "nope.json: cannot read" in absent.stderr


def test_sweep_html_has_the_tenant_section(tmp_path: Path) -> None:
    from cli_support import commit_all, init_repo

    repo = init_repo(tmp_path / "org" / "mailer")
    write(repo / "mailer.py", CODE)
    commit_all(repo)
    write(tmp_path / "smtp.csv", DOCUMENTED.replace("printer@", "<script>@"))
    result = invoke(
        "sweep",
        "org",
        "--format",
        "html",
        "-o",
        "report.html",
        "--no-cache",
        "-q",
        "--tenant-report",
        "smtp.csv",
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    html = (tmp_path / "report.html").read_text()
    section = html[html.index('<section id="tenant">') :]
    assert '<a href="#tenant">' in html
    assert "<code>mailer/mailer.py:8</code>" in section
    assert "&lt;script&gt;@contoso.com" in section and "<script>@" not in html
    assert "1 basic auth in the tenant, found in code" in section
