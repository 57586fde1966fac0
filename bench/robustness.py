"""Robustness sweep: authsweep over real trees and the bad-input fixtures, counting crashes.

Runs ``authsweep check`` (JSON) and ``authsweep fix --diff --unsafe-fixes`` over the
pinned reference trees of bench/run.py (homeassistant, Django, Airflow) and over
``fixtures/bad_input``, and reports for each: exit codes, tracebacks on stderr (there
must be none), files scanned and parsed, findings, and every skipped file with its
reason. Nothing is written to the trees: ``--diff`` only prints.

    python bench/robustness.py [--trees homeassistant,django,airflow] [--write-results]
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402 - the tree downloads of the benchmark

REPO = Path(__file__).resolve().parent.parent
BAD_INPUT = REPO / "fixtures" / "bad_input"


def authsweep_command() -> list[str]:
    found = shutil.which("authsweep") or str(Path(sys.executable).parent / "authsweep")
    return [found]


def sweep(label: str, root: Path) -> dict:
    """Run check and fix --diff over one tree; return what happened."""
    command = authsweep_command()
    report: dict = {"label": label}
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "report.json"
        started = time.perf_counter()
        check = subprocess.run(
            [
                *command,
                "check",
                str(root),
                "--format",
                "json",
                "--exit-zero",
                "--no-cache",
                "--output-file",
                str(output),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        report["check_seconds"] = time.perf_counter() - started
        report["check_exit"] = check.returncode
        report["check_tracebacks"] = check.stderr.count("Traceback")
        document = json.loads(output.read_text()) if output.exists() else {}
    summary = document.get("summary", {})
    report["files_scanned"] = summary.get("files_scanned")
    report["files_parsed"] = summary.get("files_parsed")
    report["findings"] = summary.get("findings")
    report["by_rule"] = summary.get("by_rule", {})
    report["errors"] = [
        (error["path"], error.get("kind", ""), error["message"])
        for error in document.get("errors", [])
    ]
    started = time.perf_counter()
    fix = subprocess.run(
        [*command, "fix", "--diff", "--unsafe-fixes", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    report["fix_seconds"] = time.perf_counter() - started
    report["fix_exit"] = fix.returncode
    report["fix_tracebacks"] = fix.stderr.count("Traceback")
    # One "+++ " header per changed file (b/ prefixed for relative paths, bare for absolute).
    report["fix_diff_files"] = sum(1 for line in fix.stdout.splitlines() if line.startswith("+++ "))
    return report


def render(reports: list[dict]) -> str:
    lines = [
        "| tree | check exit | fix --diff exit | tracebacks | files scanned | parsed | "
        "findings | files in diff | skipped | check s | fix s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in reports:
        lines.append(
            f"| {r['label']} | {r['check_exit']} | {r['fix_exit']} | "
            f"{r['check_tracebacks'] + r['fix_tracebacks']} | {r['files_scanned']} | "
            f"{r['files_parsed']} | {r['findings']} | {r['fix_diff_files']} | "
            f"{len(r['errors'])} | {r['check_seconds']:.1f} | {r['fix_seconds']:.1f} |"
        )
    for r in reports:
        if not r["errors"]:
            continue
        kinds = Counter(kind for _, kind, _ in r["errors"])
        lines.append("")
        lines.append(
            f"Skipped in {r['label']} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}):"
        )
        for path, kind, message in r["errors"]:
            lines.append(f"- `{path}`: {kind}: {message}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", default="homeassistant,django,airflow")
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache/authsweep-bench")
    parser.add_argument(
        "--write-results", action="store_true", help="append the result to bench/RESULTS.md"
    )
    args = parser.parse_args(argv)
    reports = []
    for name in [t for t in args.trees.split(",") if t]:
        tree = bench.prepare_tree(bench.TREES[name], args.cache_dir, sys.executable)
        print(f"sweeping {tree.spec.label} ...", file=sys.stderr)
        reports.append(sweep(tree.spec.label, tree.root))
    reports.append(sweep("fixtures/bad_input", BAD_INPUT))
    table = render(reports)
    print(table)
    crashes = sum(r["check_tracebacks"] + r["fix_tracebacks"] for r in reports)
    crashes += sum(
        1 for r in reports if r["check_exit"] not in (0, 1) or r["fix_exit"] not in (0, 1)
    )
    print(f"{crashes} crashes")
    if args.write_results:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        section = (
            f"\n## Robustness sweep, {stamp}\n\n"
            f"`python bench/robustness.py --trees {args.trees} --write-results`\n\n"
            f"{table}\n{crashes} crashes (an exit code other than 0 or 1, or a traceback).\n"
        )
        with bench.RESULTS_FILE.open("a", encoding="utf-8") as handle:
            handle.write(section)
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
