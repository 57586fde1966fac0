"""Where a cold ``check`` of a tree spends its CPU time, phase by phase.

    python bench/phases.py [--runs 3] [--trees homeassistant,django,airflow] [--cache-dir DIR]

Runs, in this process and on one core (no worker pool, no result cache), what
``authsweep check TREE --no-cache`` runs, and times each phase with the process's CPU
clock (user + system, which a busy machine moves less than the wall clock):

- **imports**: the command line and what a check of Python and config files imports;
- **walk**: finding the files (``discover``: folders listed, ``.gitignore`` applied);
- **configure**: each file's settings (configuration files found and read);
- **read**: reading each file's bytes;
- **pre-check**: the byte search that skips files that cannot matter (no marker of
  mail, no suppression comment: ``engine.nothing_to_check``), as the runner does;
- **parse**: ``ast.parse`` of the files that pass it (and of the modules their analysis
  reads, such as a settings module they import);
- **analyze**: the rest of building the mail model of those files;
- **rules**: the rules, suppressions and code frames of the files past the pre-check
  (``check_in_full`` minus the above);
- **report**: the JSON report of the run.

The trees are the pinned ones of ``bench/run.py`` (run it once to fetch them). The median
of ``--runs`` passes is printed per phase, with the files counted. Needs authsweep
importable (run it with the Python that has it installed).
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import time
from pathlib import Path

CPU = time.process_time
STARTED = CPU()

import authsweep.scanner.config  # noqa: E402,F401 - the front ends, imported once up front
import authsweep.scanner.python.analyze  # noqa: E402,F401
from authsweep.scanner import engine  # noqa: E402 - the imports are the first phase timed
from authsweep.scanner.cli_common import configure_for, make_resolver  # noqa: E402
from authsweep.scanner.discover import discover  # noqa: E402
from authsweep.scanner.findings import FileResult, RunResult  # noqa: E402
from authsweep.scanner.report import render  # noqa: E402
from authsweep.scanner.report.options import ReportOptions  # noqa: E402
from authsweep.scanner.text import Source  # noqa: E402

IMPORTS = CPU() - STARTED
TREES = {
    "homeassistant": "homeassistant-2024.3.3-wheel",
    "django": "django-5.2.8-sdist/django-5.2.8",
    "airflow": "airflow-3.3.2-wheel",
}
PHASES = ("walk", "configure", "read", "pre-check", "parse", "analyze", "rules", "report")


class Clock:
    """CPU seconds spent inside a function, summed over its calls (not nested calls)."""

    def __init__(self, function):
        self.function = function
        self.seconds = 0.0
        self.depth = 0

    def __call__(self, *args, **kwargs):
        self.depth += 1
        started = CPU()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.depth -= 1
            if not self.depth:
                self.seconds += CPU() - started


def one_pass(root: Path) -> tuple[dict[str, float], int, int]:
    """The phases of one cold check of ``root``; the files read, and those that passed
    the pre-check."""
    parse, analyze = Clock(ast.parse), Clock(engine.analyze_source)
    ast.parse, engine.analyze_source = parse, analyze
    try:
        os.chdir(root)
        times = dict.fromkeys(PHASES, 0.0)
        started = CPU()
        files, errors = discover(["."], exclude=engine.RunOptions().exclude, cwd=root)
        times["walk"] = CPU() - started
        started = CPU()
        configure = configure_for(make_resolver(None, None, False, None, None, None), None)
        chosen = [(source, configure(source)) for source in files]
        times["configure"] = CPU() - started
        rules = engine.selected_rules(engine.RunOptions())
        result = RunResult(errors=list(errors))
        checked = passed = 0
        for source, settings in chosen:
            if settings is None:
                continue
            started = CPU()
            data = source.path.read_bytes()
            times["read"] += CPU() - started
            started = CPU()
            text = Source(source.kind, data).utf8()
            skipped = engine.nothing_to_check(text)
            times["pre-check"] += CPU() - started
            started = CPU()
            if skipped:
                result.add(FileResult(source.display))
            else:
                result.add(engine.check_in_full(source.display, text, rules))
                passed += 1
            times["rules"] += CPU() - started
            checked += 1
        started = CPU()
        render(result, "json", options=ReportOptions(cwd=root))
        times["report"] = CPU() - started
    finally:
        ast.parse, engine.analyze_source = parse.function, analyze.function
    times["parse"] = parse.seconds
    times["analyze"] = analyze.seconds - parse.seconds
    times["rules"] -= analyze.seconds
    return times, checked, passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--trees", default=",".join(TREES))
    parser.add_argument(
        "--cache-dir", type=Path, default=Path.home() / ".cache" / "authsweep-bench"
    )
    args = parser.parse_args()
    print(f"imports: {IMPORTS:.3f} s CPU; load average {os.getloadavg()[0]:.1f}")
    print(f"| tree | {' | '.join(PHASES)} | total | files read / past the pre-check |")
    print(f"|---|{'--:|' * (len(PHASES) + 1)}---|")
    for name in args.trees.split(","):
        root = args.cache_dir / "trees" / TREES[name]
        passes = [one_pass(root) for _ in range(args.runs)]
        median = {p: statistics.median(t[p] for t, _, _ in passes) for p in PHASES}
        cells = " | ".join(f"{median[p]:.2f}" for p in PHASES)
        _, checked, passed = passes[0]
        print(f"| {name} | {cells} | {sum(median.values()):.2f} | {checked} / {passed} |")


if __name__ == "__main__":
    main()
