"""Settings as the program uses them (issue 22, seventh set after its first run): module
constants a script run as ``__main__`` never reads are no connection; a settings module,
a script whose login reads them and Flask's ``from_object(__name__)`` stay settings."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

PRECISION = Path(__file__).resolve().parent.parent / "fixtures" / "precision"


def found(path: Path, rules: tuple[str, ...]) -> set[tuple[str, int, str]]:
    run = check_paths([str(path)], RunOptions())
    return {(Path(f.path).name, f.span.line, f.rule) for f in run.findings if f.rule in rules}


def test_constants_a_script_never_reads_are_no_login() -> None:
    """``SMTP_SERVER = "smtp.office365.com"`` ... ``SMTP_PASSWORD = os.getenv(...)`` in a
    relay that sends through Graph and reads none of them: no AS101 (it was one at the
    password). The settings module another module imports, the script whose login reads
    its constants, and a Flask script that loads its own names keep theirs."""
    assert found(PRECISION / "unused_settings", ("AS101",)) == {
        ("config.py", 8, "AS101"),
        ("sender.py", 9, "AS101"),
        ("app.py", 13, "AS101"),
        ("script_login.py", 15, "AS101"),
    }
    assert found(PRECISION / "unused_settings" / "relay_literal.py", ("AS101", "AS105")) == {
        ("relay_literal.py", 16, "AS105")
    }
