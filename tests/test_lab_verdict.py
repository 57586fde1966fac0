"""How the lab judges a run and names causes, on hand-made records (no servers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from authsweep.lab.diagnosis import CAUSES
from authsweep.lab.records import Connection, DeliveredMessage, Failure, MailboxRead, Snapshot
from authsweep.lab.report import render_text, shown
from authsweep.lab.verdict import judge, reply_code
from authsweep.rules import ALL_RULES

LAB = Path(__file__).resolve().parent.parent / "lab"


def _snapshot(*, failures=(), messages=(), reads=(), connections=()) -> Snapshot:
    return Snapshot(tuple(connections), (), tuple(messages), tuple(reads), (), tuple(failures))


def _message(at: float) -> DeliveredMessage:
    return DeliveredMessage(
        "a@contoso.com", ("b@contoso.com",), b"Subject: x\r\n\r\n", "a", None, 1, at
    )


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (
            "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
            "535 5.7.139",
        ),
        ("535 5.7.3 Authentication unsuccessful [SIM0PR01MB0001.prod.outlook.com]", "535 5.7.3"),
        ("421 4.7.0 Temporary server error. Please try again later. PRX4 [x]", "421 4.7.0"),
        ("-ERR Logon failure: unknown user name or bad password.", "-ERR"),
        ("NO LOGIN failed.", "NO"),
        ("TLS WRONG_VERSION_NUMBER: the client started TLS at once", "WRONG_VERSION_NUMBER"),
        ("TLS handshake failed: TLSV1_ALERT_UNKNOWN_CA", "TLSV1_ALERT_UNKNOWN_CA"),
        (
            "HTTP 400 invalid_scope: AADSTS1002012: The provided value",
            "invalid_scope AADSTS1002012",
        ),
        ("the command exited with status 1", None),
    ],
)
def test_reply_codes(reply: str, code: str | None) -> None:
    assert reply_code(reply) == code


def test_a_transient_failure_counts_as_recovered_only_when_a_delivery_follows() -> None:
    throttled = Failure("throttled", "421 4.7.0 Temporary server error.", "smtp", 1, at=10.0)
    recovered = judge(_snapshot(failures=[throttled], messages=[_message(11.0)]), exit_code=0)
    assert recovered.passed and recovered.failures[0].recovered
    too_early = judge(_snapshot(failures=[throttled], messages=[_message(9.0)]), exit_code=0)
    assert not too_early.passed and not too_early.failures[0].recovered
    refused = Failure("basic-auth-disabled", "535 5.7.139 ...", "smtp", 1, at=10.0)
    permanent = judge(_snapshot(failures=[refused], messages=[_message(11.0)]), exit_code=0)
    assert not permanent.passed and not permanent.failures[0].recovered


def test_a_pass_needs_delivery_or_a_read_and_a_clean_exit() -> None:
    assert not judge(_snapshot(), exit_code=0).passed
    read = MailboxRead("pop3", "a@contoso.com", "STAT", 0, 1, at=1.0)
    assert judge(_snapshot(reads=[read]), exit_code=0).passed
    failed = judge(_snapshot(messages=[_message(1.0)]), exit_code=3)
    assert not failed.passed
    assert [f.failure.reply for f in failed.failures] == ["the command exited with status 3"]
    timed_out = judge(_snapshot(messages=[_message(1.0)]), exit_code=-15, timed_out=True)
    assert [f.failure.cause for f in timed_out.failures] == ["command-timeout"]
    assert judge(_snapshot(messages=[_message(1.0)])).passed  # no command (pytest, serve)


def test_probe_mode_judges_certificates_not_the_exit_status() -> None:
    checked = Connection(
        1, "smtp", "smtp.office365.com", 587, 0.0, "starttls", certificate="verified"
    )
    verdict = judge(_snapshot(connections=[checked]), exit_code=1, probe_certificate=True)
    assert verdict.passed and verdict.failures == ()
    assert not judge(_snapshot(), exit_code=0, probe_certificate=True).passed


def test_text_verdict_explains_the_failure_and_names_the_rule() -> None:
    refused = Failure(
        "basic-auth-disabled",
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
        "smtp",
        1,
        "AUTH LOGIN as a@contoso.com",
    )
    text = render_text(
        judge(_snapshot(failures=[refused]), command=("python", "x.py"), exit_code=1)
    )
    assert "authsweep lab verdict for `python x.py`: exit status 1" in text
    assert "#1  SMTP 535 5.7.139 Authentication unsuccessful" in text
    assert "Found before running by AS101 smtp-basic-auth (authsweep check)." in text
    assert text.rstrip().endswith("FAIL: no message delivered or mailbox read; 2 failures")


def test_every_rule_the_lab_names_is_in_the_catalog() -> None:
    catalog = {rule.id: rule.name for rule in ALL_RULES}
    for cause in CAUSES.values():
        if cause.rule is not None:
            assert catalog.get(cause.rule.id) == cause.rule.name, cause.id


def test_every_cause_the_servers_record_is_explained() -> None:
    """Causes are strings in the servers; each one must have its meaning in diagnosis.py."""
    recorded: set[str] = set()
    for module in LAB.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'(?:Failure|_fail)\(\s*"([a-z0-9-]+)"', source))
        recorded |= set(re.findall(r'cause = "([a-z0-9-]+)"', source))
        recorded |= set(re.findall(r'"(token-[a-z-]+|wrong-audience|double-base64)', source))
    assert len(recorded) > 20
    assert recorded - set(CAUSES) == set()


def test_the_reference_lists_every_cause() -> None:
    reference = (LAB.parent / "docs" / "lab.md").read_text(encoding="utf-8")
    reference = reference.split("\n## Causes\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", reference, re.M))
    assert listed == set(CAUSES)


def test_a_verdict_is_plain_data_shown_as_text_at_the_edge() -> None:
    """judge() gives plain data; what the lab hands to tests prints as the text report."""
    verdict = judge(_snapshot(messages=[_message(1.0)]), exit_code=0)
    assert repr(verdict).startswith("Verdict(")
    text = shown(verdict)
    assert str(text) == repr(text) == render_text(verdict)
    assert text.passed and text.snapshot is verdict.snapshot
