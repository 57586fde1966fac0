"""Robustness sweep: authsweep over real trees, the bad-input fixtures and generated
pathological modules, counting crashes.

Runs ``authsweep check`` (JSON) and ``authsweep fix --diff --unsafe-fixes`` over the
pinned reference trees of bench/run.py (homeassistant, Django, Airflow) and over
``fixtures/bad_input``, and reports for each: exit codes, tracebacks on stderr (there
must be none), files scanned and parsed, findings, and every skipped file with its
reason. Nothing is written to the trees: ``--diff`` only prints.

Then each generated module (deep nesting, long expressions, huge literals, one-line and
very large files, each with a basic-auth login in it) is checked and fixed on its own,
and its wall time and peak memory (``ru_maxrss`` of the child, from ``os.wait4``) are
reported against the limits: no file may take more than 5 s or 500 MB, and none may
crash or hang the run.

    python bench/robustness.py [--trees homeassistant,django,airflow] [--write-results]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
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


# A module that mentions mail, appended to every generated one: the run must find it.
MAIL = (
    "\nimport smtplib\n\n\ndef send(u, p):\n"
    '    with smtplib.SMTP_SSL("smtp.office365.com", 587) as s:\n'
    "        s.login(u, p)\n"
)
LIMIT_SECONDS = 5.0
LIMIT_MB = 500


def pathological() -> dict[str, str]:
    """Generated modules that took parsers down or over their time and memory."""
    return {
        "nested-parentheses-3000.py": "x = " + "(" * 3000 + ")" * 3000 + "\n" + MAIL,
        "nested-lists-150.py": "x = " + "[" * 150 + "]" * 150 + "\n" + MAIL,
        "sum-20k-terms.py": "x = " + "+".join(["1"] * 20_000) + "\n" + MAIL,
        "sum-200k-terms.py": "x = " + "+".join(["1"] * 200_000) + "\n" + MAIL,
        "concatenation-30k.py": "P = " + " + ".join(f'"p{i}"' for i in range(30_000)) + MAIL,
        "dict-literal-2.4MB.py": "D = {\n"
        + "".join(f"    'key{i}': ['v{i}', {i}, {{'a': {i}}}],\n" for i in range(60_000))
        + "}\n"
        + MAIL,
        "one-line-1MB.py": "import smtplib; " + "x = 1; " * 150_000 + "\n" + MAIL,
        "module-7.9MB.py": "".join(
            f"def f{i}(a, b=2):\n    return a + b * {i} + len('text{i}')\n" for i in range(120_000)
        )
        + MAIL,
        "long-line-strings-1MB.py": "S = '" + "x" * 1_000_000 + "'\n" + MAIL,
        "deep-if-90.py": "".join("    " * i + "if x:\n" for i in range(90))
        + "    " * 90
        + "pass\n"
        + MAIL,
    }


def measure(command: list[str]) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak MB of the child, and its stderr."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    return code, seconds, usage.ru_maxrss / 1024, stderr


def torture() -> list[dict]:
    """Check and fix each generated module alone, with its time and memory."""
    command = authsweep_command()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, text in pathological().items():
            path = Path(scratch) / name
            path.write_text(text)
            print(f"  {name} ({len(text) / 1e6:.1f} MB) ...", file=sys.stderr)
            found = subprocess.run(
                [*command, "check", str(path), "--format", "json", "--no-cache", "--exit-zero"],
                capture_output=True,
                text=True,
                check=False,
            )
            document = json.loads(found.stdout) if found.stdout.startswith("{") else {}
            row = {
                "file": name,
                "mb": len(text.encode()) / 1e6,
                "rules": sorted({f["rule"] for f in document.get("findings", [])}),
                "errors": [e["message"] for e in document.get("errors", [])],
            }
            for step, arguments in (
                ("check", ["check", str(path), "--no-cache", "--format", "json"]),
                ("fix", ["fix", "--diff", "--unsafe-fixes", str(path)]),
            ):
                code, seconds, megabytes, stderr = measure([*command, *arguments])
                row[step] = (code, seconds, megabytes, stderr.count("Traceback"))
            rows.append(row)
    return rows


def render_torture(rows: list[dict]) -> str:
    lines = [
        "| generated module | MB | check: exit, s, peak MB | fix --diff: exit, s, peak MB | "
        "found | not checked |",
        "|---|--:|---|---|---|---|",
    ]
    for row in rows:
        cells = [
            f"{c[0]}, {c[1]:.2f} s, {c[2]:.0f} MB" + (" TRACEBACK" if c[3] else "")
            for c in (row["check"], row["fix"])
        ]
        lines.append(
            f"| `{row['file']}` | {row['mb']:.1f} | {cells[0]} | {cells[1]} | "
            f"{', '.join(row['rules']) or '-'} | {'; '.join(row['errors']) or '-'} |"
        )
    return "\n".join(lines) + "\n"


def over_limits(rows: list[dict]) -> list[str]:
    problems = []
    for row in rows:
        for step in ("check", "fix"):
            code, seconds, megabytes, tracebacks = row[step]
            if code not in (0, 1) or tracebacks:
                problems.append(f"{row['file']} {step}: exit {code}, {tracebacks} tracebacks")
            if seconds > LIMIT_SECONDS or megabytes > LIMIT_MB:
                problems.append(f"{row['file']} {step}: {seconds:.1f} s, {megabytes:.0f} MB")
        if "AS101" not in row["rules"]:
            problems.append(f"{row['file']}: the login in it was not found")
    return problems


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
    print("generated modules:", file=sys.stderr)
    rows = torture()
    torture_table = render_torture(rows)
    print(torture_table)
    problems = over_limits(rows)
    print(
        "\n".join(problems)
        or f"every generated module within {LIMIT_SECONDS:g} s and {LIMIT_MB} MB"
    )
    if args.write_results:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        section = (
            f"\n## Robustness sweep, {stamp}\n\n"
            f"`python bench/robustness.py --trees {args.trees} --write-results`\n\n"
            f"{table}\n{crashes} crashes (an exit code other than 0 or 1, or a traceback).\n\n"
            f"Generated modules, each checked and fixed alone (limits: {LIMIT_SECONDS:g} s, "
            f"{LIMIT_MB} MB):\n\n{torture_table}\n"
            + ("\n".join(f"- over: {p}" for p in problems) or "Every one within the limits.")
            + "\n"
        )
        with bench.RESULTS_FILE.open("a", encoding="utf-8") as handle:
            handle.write(section)
    return 1 if crashes or problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
