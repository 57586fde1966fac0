"""The plain runs of a TLS choice the program's user makes (issue 22): a client's own flag
(``IMAPClient(host, ssl=self.ssl)``) or a class picked at run time (``cls = SMTP_SSL if
use_ssl else SMTP``, an attribute set on two arms) leaves the session plain on the runs
that turn TLS off; a login there that nothing upgrades is AS203, without a fix (an
upgrade would raise on the implicit-TLS runs)."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

RUNS = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "flag_runs"


def plain_logins(name: str) -> dict[int, str]:
    run = check_paths([str(RUNS / name)], RunOptions())
    found = {f.span.line: f for f in run.findings if f.rule == "AS203"}
    assert all(f.fix is None for f in found.values())
    return {line: f.message for line, f in found.items()}


def test_a_flag_its_user_sets_has_a_plain_run() -> None:
    """A parameter's default, a config read: reported on the false run. Upgraded there,
    committed by the project, or logged in only where the flag is true: not."""
    found = plain_logins("imapclient_flag.py")
    assert sorted(found) == [12, 17]
    assert "when `ssl` is false" in found[12]
    assert 'when `config.getboolean("imap", "ssl")` is false' in found[17]


def test_a_class_picked_at_run_time_has_a_plain_run() -> None:
    """A conditional expression (its test named), an attribute set on two arms (the
    plain class named). Upgraded on the plain runs, two classes that both encrypt, a
    test the project's constants decide: not."""
    found = plain_logins("class_choice.py")
    assert sorted(found) == [15, 29]
    assert 'when `config["ssl"]` is false' in found[15]
    assert "when `self.transport` is `imaplib.IMAP4`" in found[29]


def test_a_declared_models_implicit_tls_flag_has_a_plain_run() -> None:
    """``Imbox(host, ..., ssl=ssl)``: the run where ``ssl`` is false is plain (the
    library's own STARTTLS flag left false); ``ssl=True`` and ``starttls=True``: not."""
    found = plain_logins("declared_models.py")
    assert sorted(found) == [9]
    assert "when `ssl` is false" in found[9]
