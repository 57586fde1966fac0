"""Shapes behind false alarms and unclear messages on unlabelled code of the repositories
behind held-out sets 1-14 (review15b), each beside its nearest variant and a control."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "precision" / "review15b"


def findings(path: Path, **options: object) -> list[tuple[int, str, str, str]]:
    run = check_paths([str(path)], RunOptions(**options))  # type: ignore[arg-type]
    return sorted((f.span.line, f.rule, f.severity.value, f.message) for f in run.findings)


def test_names_local_to_a_function_are_said_as_written() -> None:
    got = findings(HERE / "local_names" / "app.py", select=("AS102",))
    messages = [message.split(":")[0] for _, _, _, message in got]
    assert messages == [
        "IMAP password login to the host from attribute store.imap_host",
        "IMAP password login to the host from call m.group",
        "IMAP password login to the host from attribute cfg.host",
    ]
    assert not any("<locals>" in message for *_, message in got)


def test_a_dotenv_file_loaded_by_name_gives_the_host() -> None:
    named = HERE / "named_env"
    # ``Envs.env`` says Gmail (``.env.test`` is a test's, not read): no login reported.
    assert findings(named / "gmail") == []
    # ``prod.env`` says Office 365 (``.env.example`` is a template): an error, named.
    got = findings(named / "office" / "app.py")
    assert [(line, rule, severity) for line, rule, severity, _ in got] == [(16, "AS101", "error")]
    assert "'smtp.office365.com' (env MAIL_SERVER, set in prod.env line 1)" in got[0][3]
    # Control: ``dev.env`` and ``prod.env`` disagree; which one a run loads is not known.
    got = findings(named / "several" / "app.py")
    assert [(line, rule, severity) for line, rule, severity, _ in got] == [(16, "AS101", "warning")]


def test_autodiscover_for_a_microsoft_hosted_address_finds_exchange_online() -> None:
    got = findings(HERE / "autodiscover.py", select=("AS104",))
    assert [(line, severity) for line, _, severity, _ in got] == [
        (8, "error"),
        (12, "error"),
        (16, "warning"),
    ]
    assert got[0][3].startswith(
        "EWS basic login with a password to 'outlook.office365.com' "
        "(found by exchangelib autodiscover for an address at outlook.com): "
    )
    # Control: a company's domain may be served anywhere; the message says it is not known.
    assert "the server's provider is not known" in got[2][3]


def test_an_instance_of_another_modules_class_has_the_attributes_its_class_assigns() -> None:
    got = findings(HERE / "imported_instance" / "main.py")
    # Gmail by the class's default (line 14): nothing. Exchange Online (20): an error.
    # Controls: no default (26) and a server the caller gives (32): unknown, warnings.
    assert [(line, rule, severity) for line, rule, severity, _ in got] == [
        (20, "AS102", "error"),
        (26, "AS102", "warning"),
        (32, "AS102", "warning"),
    ]
