"""What ``check`` finds in a fixture folder or file, as the tests of one shape compare it:
(file name, line, rule, severity) per finding."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def findings_in(path: Path) -> set[tuple[str, int, str, str]]:
    run = check_paths([str(path)], RunOptions())
    return {(Path(f.path).name, f.span.line, f.rule, f.severity.value) for f in run.findings}
