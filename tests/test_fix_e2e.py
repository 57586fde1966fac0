"""The point of `fix`: migrated code delivers mail, proven with `authsweep lab run`.

Each sample of fixtures/e2e runs under the real `authsweep lab run --format json` CLI before
and after `authsweep fix --unsafe-fixes` (on a copy): before, it fails the way Microsoft
fails it, and the verdict names the reply and the rule; after, the message arrives (or the
mailbox is read). The verdicts are pinned below by what matters (connections, TLS,
authentications with their token, replies, causes, rules, messages), not by the rewritten
source, which the fixer is free to change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lab_support import (
    FAILED,
    OUTLOOK,
    USER,
    XOAUTH2_OK,
    authsweep,
    delivered,
    essentials,
    lab_run,
    refused,
    smtp_587,
)

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "e2e"


BASIC_SMTP = [("smtp", "LOGIN", "basic-auth-disabled", None)]

# sample, (pinned verdict before the fix, the program's own error), pinned verdict after it
CASES = [
    (
        "ssl_on_587.py",
        refused(
            "tls-on-plain-port",
            "WRONG_VERSION_NUMBER",
            "AS201",
            [smtp_587("implicit", "WRONG_VERSION_NUMBER")],
            [],
        ),
        "WRONG_VERSION_NUMBER",
        delivered("team@contoso.com", "Nightly report"),
    ),
    (
        "port_465.py",
        refused("unsupported-port", None, "AS202", [], []),
        "gaierror",
        delivered("oncall@contoso.com", "Disk alert"),
    ),
    (
        "plain_login.py",
        refused("basic-auth-disabled", "535 5.7.139", "AS101", [smtp_587()], BASIC_SMTP),
        "5.7.139",
        delivered("billing@contoso.com", "Invoice"),
    ),
    (
        "class_mailer.py",
        refused("basic-auth-disabled", "535 5.7.139", "AS101", [smtp_587()], BASIC_SMTP),
        "5.7.139",
        delivered("hr@contoso.com", "Welcome pack"),
    ),
    (
        "login_before_starttls.py",
        refused("closed-before-starttls", None, "AS203", [smtp_587("none")], []),
        "SMTP AUTH extension not supported",
        delivered("ops@contoso.com", "Weekly digest"),
    ),
]


@pytest.mark.parametrize(("sample", "before", "symptom", "after"), CASES, ids=[c[0] for c in CASES])
def test_smtp_sample_delivers_after_fix(tmp_path: Path, sample, before, symptom, after) -> None:
    program = tmp_path / sample
    shutil.copy(SAMPLES / sample, program)

    first = lab_run(program)
    assert essentials(first) == before
    assert symptom in first["stderr"], first["stderr"]

    fixed = authsweep("fix", "--unsafe-fixes", str(program), cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    source = program.read_text()
    assert ".login(" not in source
    assert '"XOAUTH2"' in source and "lambda challenge=None" in source
    assert "acquire_token_by_username_password" not in source

    second = lab_run(program)
    assert essentials(second) == after, second["stderr"]
    assert second["token_requests"][0]["scope"] == f"{OUTLOOK}/.default"

    again = authsweep("fix", "--unsafe-fixes", "--diff", str(program), cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "", again.stdout
    check = authsweep("check", str(program), cwd=tmp_path)
    assert check.returncode == 0, check.stdout


def test_imap_sample_authenticates_after_fix(tmp_path: Path) -> None:
    program = tmp_path / "imap_login.py"
    shutil.copy(SAMPLES / "imap_login.py", program)
    imap_993 = ("imap", "outlook.office365.com", 993, "implicit", None)

    first = lab_run(program)
    assert essentials(first) == refused(
        "imap-login-refused",
        "NO",
        "AS102",
        [imap_993],
        [("imap", "LOGIN", "basic-auth-disabled", None)],
    )
    assert "LOGIN failed" in first["stderr"]

    assert authsweep("fix", "--unsafe-fixes", str(program), cwd=tmp_path).returncode == 0
    assert 'authenticate("XOAUTH2"' in program.read_text()

    second = lab_run(program)
    assert essentials(second) == {
        "passed": True,
        "exit_code": 0,
        "connections": [imap_993],
        "auth": [("imap", "XOAUTH2", "accepted", (OUTLOOK, "client_credentials"))],
        "messages": [],
        "reads": [("imap", USER)],
        "failures": [],
    }
    assert "select: OK" in second["stderr"]


def test_pop3_samples(tmp_path: Path) -> None:
    """A POP3 password login is refused as Exchange refuses it; after `fix --unsafe-fixes`
    the helper it adds sends the documented two-line AUTH XOAUTH2 and reads the mailbox.
    The hand-written sample reads it over 995 and over 110 with STLS."""
    program = tmp_path / "pop3_reader.py"
    shutil.copy(SAMPLES / "pop3_reader.py", program)
    pop_995 = ("pop3", "outlook.office365.com", 995, "implicit", None)
    refused_pop = refused(
        "pop-login-refused",
        "-ERR",
        "AS102",
        [pop_995],
        [("pop3", "USER/PASS", "basic-auth-disabled", None)],
    )
    assert essentials(lab_run(program)) == refused_pop

    assert authsweep("fix", "--unsafe-fixes", str(program), cwd=tmp_path).returncode == 0
    source = program.read_text()
    assert "pop3_xoauth2(pop, " in source and ".pass_(" not in source and ".user(" not in source
    reads = {
        "passed": True,
        "exit_code": 0,
        "connections": [pop_995],
        "auth": [("pop3", "XOAUTH2", "accepted", (OUTLOOK, "client_credentials"))],
        "messages": [],
        "reads": [("pop3", USER)],
        "failures": [],
    }
    assert essentials(lab_run(program)) == reads  # Microsoft's two-line AUTH XOAUTH2
    assert authsweep("check", str(program), cwd=tmp_path).returncode == 0

    migrated = SAMPLES / "pop3_xoauth2_reader.py"
    assert authsweep("check", str(migrated), cwd=tmp_path).returncode == 0  # nothing to fix
    assert essentials(lab_run(migrated)) == reads
    over_110 = lab_run(migrated, env={"POP3_PORT": "110"})
    assert essentials(over_110)["connections"] == [
        ("pop3", "outlook.office365.com", 110, "starttls", None)
    ]
    assert essentials(over_110)["reads"] == [("pop3", USER)] and over_110["passed"]


LONG_RUNNING = {"REPORT_INTERVAL_SECONDS": "1.5", "REPORT_COUNT": "2"}


def test_token_lifetime_fault_catches_a_kept_token(tmp_path: Path) -> None:
    """A sender migrated by hand fetches one token at start-up and keeps the string: the
    second report, sent after the token expired, gets 535 5.7.3 and the verdict says why.
    `fix` cannot help (nothing in the source is wrong to a reader): only running shows it."""
    program = tmp_path / "token_reuse_sender.py"
    shutil.copy(SAMPLES / "token_reuse_sender.py", program)
    assert authsweep("check", str(program), cwd=tmp_path).returncode == 0

    verdict = lab_run(program, "--token-lifetime", "1s", env=LONG_RUNNING)
    assert essentials(verdict) == {
        "passed": False,
        "exit_code": 1,
        "connections": [smtp_587(), smtp_587()],
        "auth": [XOAUTH2_OK, ("smtp", "XOAUTH2", "rejected", (OUTLOOK, "client_credentials"))],
        "messages": [(USER, ["ops@contoso.com"], "Hourly report 1")],
        "reads": [],
        "failures": [("token-expired", "535 5.7.3", None), FAILED],
    }
    assert verdict["authentications"][1]["token"]["expired"] is True
    assert len(verdict["token_requests"]) == 1
    assert "5.7.3 Authentication unsuccessful" in verdict["stderr"]


def test_the_helper_fix_writes_survives_token_expiry(tmp_path: Path) -> None:
    """The same service, migrated by `fix`: its helper asks MSAL before every connection.
    MSAL hands back its cached token while more than five minutes of it are left, so with
    Entra's one-hour tokens two reports take one token request; with 1-second tokens MSAL
    asks again and both reports are delivered."""
    program = tmp_path / "periodic_sender.py"
    shutil.copy(SAMPLES / "periodic_sender.py", program)
    before = lab_run(program, env=LONG_RUNNING)
    assert essentials(before) == refused(
        "basic-auth-disabled", "535 5.7.139", "AS101", [smtp_587()], BASIC_SMTP
    )

    assert authsweep("fix", "--unsafe-fixes", str(program), cwd=tmp_path).returncode == 0
    assert "oauth2_access_token(" in program.read_text()  # the helper, called per connection

    cached = lab_run(program, env=LONG_RUNNING)
    assert essentials(cached) == delivered("ops@contoso.com", "Hourly report", sends=2)
    assert len(cached["token_requests"]) == 1  # MSAL's cache, with a one-hour token

    expiring = lab_run(program, "--token-lifetime", "1s", env=LONG_RUNNING)
    assert essentials(expiring) == delivered("ops@contoso.com", "Hourly report", sends=2)
    assert len(expiring["token_requests"]) == 2  # a fresh token for the second report


def test_safe_fixes_alone_make_the_transport_work(tmp_path: Path) -> None:
    """Without --unsafe-fixes only TLS and port are fixed: the connection now works and
    the server answers the password login as Microsoft does."""
    program = tmp_path / "ssl_on_587.py"
    shutil.copy(SAMPLES / "ssl_on_587.py", program)
    fixed = authsweep("fix", str(program), cwd=tmp_path)
    assert fixed.returncode == 1  # AS101 remains: it needs --unsafe-fixes
    assert ".login(" in program.read_text()
    verdict = lab_run(program)
    assert essentials(verdict) == refused(
        "basic-auth-disabled", "535 5.7.139", "AS101", [smtp_587()], BASIC_SMTP
    )
