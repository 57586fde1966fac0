"""Fix unit tests: before/after pairs, idempotence, byte-exact surroundings, refusals."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixer import fix_paths
from authsweep.scanner.fixes.rounds import fix_source
from authsweep.scanner.fixes.write import write_atomically
from authsweep.scanner.remedies import Edit
from authsweep.scanner.report.fix_summary import fix_summary


def fix(code: str, *, unsafe: bool = False, options: RunOptions | None = None) -> str:
    result = fix_source("m.py", "python", code.encode(), options or RunOptions(), unsafe=unsafe)
    assert result.error is None, result.error
    return result.after


def test_ssl_on_587_becomes_starttls_with_context_moved() -> None:
    before = (
        "import smtplib\n"
        "import ssl\n"
        "ctx = ssl.create_default_context()\n"
        "with smtplib.SMTP_SSL('smtp.office365.com', 587, context=ctx) as s:\n"
        "    s.send_message(m)\n"
    )
    assert fix(before) == (
        "import smtplib\n"
        "import ssl\n"
        "ctx = ssl.create_default_context()\n"
        "with smtplib.SMTP('smtp.office365.com', 587) as s:\n"
        "    s.starttls(context=ctx)\n"
        "    s.send_message(m)\n"
    )


def test_default_465_becomes_587_with_starttls() -> None:
    before = (
        "from smtplib import SMTP_SSL\nserver = SMTP_SSL('smtp.office365.com')\nserver.quit()\n"
    )
    after = fix(before)
    assert "server = smtplib.SMTP('smtp.office365.com', port=587)\n" in after
    assert "server.starttls(context=ssl.create_default_context())\nserver.quit()\n" in after
    assert "import smtplib\n" in after and "import ssl\n" in after


def test_port_literal_in_a_constant_is_rewritten_where_it_is() -> None:
    before = "import smtplib\nPORT = 25\ns = smtplib.SMTP('smtp.office365.com', PORT)\n"
    assert "PORT = 587\n" in fix(before)


def test_string_port_keeps_its_quotes() -> None:
    before = (
        "import os, smtplib\ns = smtplib.SMTP('smtp.office365.com', int(os.getenv('P', '25')))\n"
    )
    assert "os.getenv('P', '587')" in fix(before, unsafe=True)


def test_unverified_starttls_gets_a_verifying_context() -> None:
    before = "import smtplib\ns = smtplib.SMTP('smtp.office365.com', 587)\ns.starttls()\n"
    after = fix(before)
    assert "s.starttls(context=ssl.create_default_context())\n" in after
    assert after.startswith("import smtplib\nimport ssl\n")


def test_unverified_context_is_replaced() -> None:
    before = (
        "import imaplib, ssl\n"
        "imap = imaplib.IMAP4_SSL(\n"
        "    'outlook.office365.com', ssl_context=ssl._create_unverified_context()\n"
        ")\n"
    )
    assert "ssl_context=ssl.create_default_context()" in fix(before)


def test_login_before_starttls_gets_starttls_inserted() -> None:
    before = (
        "import smtplib\n"
        "def send(u, p):\n"
        "    s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "    s.login(u, p)  # keep this comment\n"
    )
    after = fix(before)
    assert (
        "    s.starttls(context=ssl.create_default_context())\n"
        "    s.login(u, p)  # keep this comment\n"
    ) in after


def test_xoauth2_rewrite_adds_helper_once_and_is_idempotent() -> None:
    before = (
        '"""Mailer."""\n'
        "import smtplib, ssl\n"
        "\n"
        "def a(u, p):\n"
        "    s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "    s.starttls(context=ssl.create_default_context())\n"
        "    s.login(u, p)\n"
        "\n"
        "def b(u, p):\n"
        "    with smtplib.SMTP('smtp.office365.com', 587) as t:\n"
        "        t.starttls(context=ssl.create_default_context())\n"
        "        t.login(u, p)\n"
    )
    after = fix(before, unsafe=True)
    assert after.count("def oauth2_access_token(") == 1
    assert after.count("ehlo_or_helo_if_needed()") == 2
    assert 'auth("XOAUTH2", lambda challenge=None: f"user={u}' in after
    assert "import msal\n" in after and "import os\n" in after
    assert after.startswith('"""Mailer."""\n')
    compile(after, "m.py", "exec")
    assert fix(after, unsafe=True) == after


def test_unsafe_fix_needs_the_flag() -> None:
    before = (
        "import smtplib, ssl\ns = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls(context=ssl.create_default_context())\ns.login(u, p)\n"
    )
    assert fix(before) == before
    result = fix_source("m.py", "python", before.encode(), RunOptions(), unsafe=False)
    assert [f.rule for f in result.remaining] == ["AS101"]


def test_sovereign_cloud_scope() -> None:
    before = (
        "import smtplib, ssl\ns = smtplib.SMTP('smtp.office365.us', 587)\n"
        "s.starttls(context=ssl.create_default_context())\ns.login(u, p)\n"
    )
    after = fix(before, unsafe=True)
    assert (
        "oauth2_access_token('https://outlook.office365.us/.default', "
        "'login.microsoftonline.us')" in after
    )


def test_token_provider_is_imported_instead_of_helper() -> None:
    before = (
        "import smtplib, ssl\ns = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls(context=ssl.create_default_context())\ns.login(u, p)\n"
    )
    after = fix(before, unsafe=True, options=RunOptions(token_provider="acme.auth:mail_token"))
    assert "from acme.auth import mail_token as oauth2_access_token\n" in after
    assert "def oauth2_access_token" not in after and "msal" not in after


def test_crlf_bom_tabs_and_comments_survive_byte_for_byte() -> None:
    before = (
        "\ufeff# -*- coding: utf-8 -*-\r\n"
        "import smtplib  # mail\r\n"
        "\r\n"
        "def send():\r\n"
        "\tserver = smtplib.SMTP('smtp.office365.com', 587)  # O365\r\n"
        "\tserver.starttls()\r\n"
        "\tserver.quit()\r\n"
    )
    data = before.encode("utf-8")
    result = fix_source("m.py", "python", data, RunOptions(), unsafe=False)
    assert result.codec is not None
    out = result.codec.encode(result.after)
    assert out.startswith(b"\xef\xbb\xbf# -*- coding: utf-8 -*-\r\n")
    assert b"\tserver.starttls(context=ssl.create_default_context())\r\n" in out
    assert b"\n" not in out.replace(b"\r\n", b"")
    # Everything but the edit and the new import is unchanged.
    assert (
        out.replace(b"context=ssl.create_default_context()", b"").replace(b"import ssl\r\n", b"")
        == data
    )


def test_latin1_coding_cookie_is_kept() -> None:
    before = (
        "# -*- coding: latin-1 -*-\n# Grüße\nimport smtplib\n"
        "smtplib.SMTP_SSL('smtp.office365.com', 587).quit()\n"
    )
    data = before.encode("latin-1")
    result = fix_source("m.py", "python", data, RunOptions(), unsafe=False)
    assert result.error is None
    assert result.codec is not None and result.codec.encode(result.after).startswith(data[:35])


def test_fix_that_would_not_parse_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from authsweep.scanner.fixes import apply

    original = apply.apply_edits

    def broken(text: str, edits: list[Edit], newline: str) -> str:
        return original(text, edits, newline) + "def (:\n"

    monkeypatch.setattr(apply, "apply_edits", broken)
    before = "import smtplib\ns = smtplib.SMTP('smtp.office365.com', 587)\ns.starttls()\n"
    result = fix_source("m.py", "python", before.encode(), RunOptions(), unsafe=False)
    assert result.error is None and not result.changed
    assert [(f.rule, why) for f, why in result.refused.values()] == [
        ("AS204", "the fixed file would not parse")
    ]
    assert result.after == before and not result.changed


def test_write_keeps_mode_and_refuses_changed_files(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    os.chmod(path, 0o751)
    write_atomically(path, b"new\n", b"old\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    with pytest.raises(OSError, match="changed since it was read"):
        write_atomically(path, b"newer\n", b"old\n")
    assert path.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.py"]


def test_fix_paths_diff_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    code = "import smtplib\ns = smtplib.SMTP_SSL('smtp.office365.com', 587)\n"
    path.write_text(code)
    outcome = fix_paths([str(path)], RunOptions(), unsafe=False, write=False)
    assert outcome.diff.startswith(f"--- {path}\n+++ {path}\n")
    assert path.read_text() == code
    outcome = fix_paths([str(path)], RunOptions(), unsafe=False, write=True)
    assert "smtplib.SMTP('smtp.office365.com', 587)" in path.read_text()
    assert outcome.applied == {"AS201": 1}


def test_unparsable_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "py2.py"
    path.write_text("import smtplib\nprint 'x'\n")
    outcome = fix_paths([str(path)], RunOptions(), unsafe=True, write=True)
    assert path.read_text() == "import smtplib\nprint 'x'\n"
    assert [e.kind for e in outcome.errors] == ["unparsable"]


def test_a_flag_from_a_parameter_is_not_rewritten_at_the_call() -> None:
    """``use_tls=use_tls`` takes the caller's choice; only a literal written in the call
    is the call's own to change."""
    before = (
        "from aiosmtplib import SMTP\n"
        "def make(use_tls=True):\n"
        "    return SMTP(hostname='smtp.office365.com', port=587, use_tls=use_tls)\n"
        "s = SMTP(hostname='smtp.office365.com', port=587, use_tls=True)\n"
    )
    after = fix(before)
    assert "use_tls=use_tls)" in after
    assert "port=587, start_tls=True)" in after


def test_diff_of_a_file_without_final_newline_applies(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("import smtplib\ns = smtplib.SMTP('smtp.office365.com', 465)")
    outcome = fix_paths([str(path)], RunOptions(), unsafe=False, write=False)
    assert outcome.diff.endswith("587)\n\\ No newline at end of file\n")
    assert fix_summary(outcome, written=False).startswith(
        "Would fix 1 problem (AS202: 1) in 1 file."
    )


def test_personal_outlook_accounts_get_no_app_only_rewrite() -> None:
    before = (
        "import smtplib, ssl\ns = smtplib.SMTP('smtp-mail.outlook.com', 587)\n"
        "s.starttls(context=ssl.create_default_context())\ns.login('me@outlook.com', pw)\n"
    )
    result = fix_source("m.py", "python", before.encode(), RunOptions(), unsafe=True)
    assert result.after == before
    assert [f.rule for f in result.remaining] == ["AS101"]
    assert "delegated OAuth2 flow" in result.remaining[0].message


def test_fallback_to_ssl_that_shares_a_later_starttls() -> None:
    """Fixes of one constructor never meet in one round (no ``SMTP(..., context=...)``),
    and an SMTP_SSL whose code already calls starttls() gets no second one."""
    before = (
        "import smtplib\n"
        "try:\n"
        "    server = smtplib.SMTP('smtp.office365.com', 587)\n"
        "except OSError:\n"
        "    server = smtplib.SMTP_SSL('smtp.office365.com', 465)\n"
        "server.starttls()\n"
        "server.quit()\n"
    )
    after = fix(before)
    assert "    server = smtplib.SMTP('smtp.office365.com', 587)\nserver.starttls(" in after
    assert after.count("starttls(") == 1
    assert "context=" not in after.split("except OSError:")[1].split("\n")[1]
    compile(after, "m.py", "exec")
