"""Shapes behind false alarms on the fifteenth and sixteenth held-out sets and on the
unlabelled code of their repositories and packages (review16b), each beside its nearest
variant and a control that is still reported."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "precision" / "review16b"


def findings(path: Path, **options: object) -> list[tuple[int, str, str, str]]:
    run = check_paths([str(path)], RunOptions(**options))  # type: ignore[arg-type]
    return sorted((f.span.line, f.rule, f.severity.value, f.message) for f in run.findings)


def test_an_upgrade_made_only_when_offered_never_runs_on_an_encrypted_session() -> None:
    got = findings(HERE / "offered_upgrade" / "mailer.py")
    # No AS206 on lines 14, 23 and 32 (the test is false there), nor AS204 for a
    # handshake that never happens; the unguarded upgrade (41) still raises, and the
    # plain connection's upgrade when offered (48) still has no verifying context.
    assert [(line, rule) for line, rule, _, _ in got] == [(41, "AS206"), (48, "AS204")]


def test_a_settings_file_picked_between_two_names_gives_the_host_when_both_agree() -> None:
    loaded = HERE / "loaded_config"
    # Both files in the project name Gmail's host (set 16's repository cavorit/bbq): nothing.
    assert findings(loaded / "gmail") == []
    # Both name Microsoft 365's: an error, the host named from the file.
    got = findings(loaded / "office" / "fetch.py", select=("AS102",))
    assert [(line, severity) for line, _, severity, _ in got] == [(17, "error")]
    assert "'outlook.office365.com' (default of config.json POP_Server, line 1)" in got[0][3]
    # Controls: the files disagree, or only the default is committed: not known, a warning.
    for control in ("differ", "missing"):
        got = findings(loaded / control / "fetch.py", select=("AS102",))
        assert [(line, severity) for line, _, severity, _ in got] == [(17, "warning")]


def test_a_file_name_rebound_to_what_it_loads_is_read() -> None:
    got = findings(HERE / "loaded_config" / "rebound" / "fetch.py", select=("AS102",))
    assert [(line, severity) for line, _, severity, _ in got] == [(14, "error")]


def test_an_fstring_over_a_value_picked_from_a_table_is_one_of_its_texts() -> None:
    got = findings(HERE / "picked_fstring.py", select=("AS102",))
    # Zoho's table (line 16): nothing. The table with Microsoft's domain (22): an error
    # naming both hosts. A field given by the caller (28): unknown, a warning.
    assert [(line, severity) for line, _, severity, _ in got] == [(22, "error"), (28, "warning")]
    assert "'outlook.office365.com' or 'outlook.zoho.eu'" in got[0][3]
