"""Summaries across modules keep the item path from a wrapper's parameter to its host
(review16a): ``smtplib.SMTP(server["host"], ...)`` in a wrapper, called from another
module with ``{"host": "smtp.office365.com", ...}``, logs in to Microsoft 365. Before,
the whole dict was taken for the host: a warning whose message printed the dict."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.model import Value
from authsweep.scanner.python.slot_paths import follow, parameter_path, path_root
from authsweep.scanner.runner import check_paths

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "parameter_items"


def found() -> dict[str, set[tuple[int, str, str]]]:
    run = check_paths([str(HERE)], RunOptions())
    by_file: dict[str, set[tuple[int, str, str]]] = {}
    for f in run.findings:
        by_file.setdefault(Path(f.path).name, set()).add((f.span.line, f.rule, f.severity.value))
    return by_file


def messages(name: str) -> list[str]:
    run = check_paths([str(HERE)], RunOptions())
    return [f.message for f in run.findings if Path(f.path).name == name]


def test_a_dict_item_of_the_argument_is_the_host() -> None:
    by_file = found()
    assert by_file["run_outlook.py"] == {(8, "AS101", "error")}
    assert by_file["run_relay.py"] == {(7, "AS101", "error")}
    assert by_file["run_nested.py"] == {(8, "AS102", "error")}
    assert "run_gmail.py" not in by_file
    assert "settings.py" not in by_file
    for name in ("run_outlook.py", "run_relay.py"):
        (message,) = messages(name)
        assert "'smtp.office365.com'" in message and "Value(" not in message
    assert "through alert in" in messages("run_relay.py")[0]


def test_the_wrappers_report_their_own_findings_as_before() -> None:
    by_file = found()
    assert by_file["notify.py"] == {(9, "AS204", "warning"), (10, "AS101", "warning")}
    assert by_file["nested.py"] == {(7, "AS204", "warning"), (8, "AS102", "warning")}


def test_paths_from_a_parameter() -> None:
    host = Value.unknown("config key mail", source='cfg["mail"]["host"]')
    assert path_root(host) == "cfg"
    assert parameter_path(host, "cfg") == (("item", "mail"), ("item", "host"))
    assert parameter_path(Value.unknown("parameter cfg", source="cfg"), "cfg") == ()
    assert path_root(Value.unknown("call f", source='f(x)["host"]')) is None
    assert path_root(Value.unknown("parameter host", source="host")) is None
    given = Value(True, {"mail": Value(True, {"host": Value(True, "outlook.office365.com")})})
    assert follow(given, parameter_path(host, "cfg")).value == "outlook.office365.com"
    # A step that cannot be taken here keeps the rest of the path in the source.
    taken = follow(Value.unknown("parameter conf", source="conf"), (("item", "host"),))
    assert not taken.known and taken.origin == "parameter conf"
    assert taken.source == "conf['host']"
