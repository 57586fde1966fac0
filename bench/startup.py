"""Start-up cost of the command line: what a pre-commit hook on one small file pays.

    python bench/startup.py [--runs 21] [--python PATH] [--module NAME] [--write-results]

Runs, with the given interpreter (default: this one, which must have authsweep
installed), each command ``--runs`` times after one warm-up, and reports the median and
the range of the wall time and the median CPU time (which a busy machine moves less):

- ``python -c pass``: the interpreter's own start-up, the floor;
- ``python -m authsweep --version``: the command line built, nothing checked;
- ``python -m authsweep check FILE --no-cache``: one small mail module checked
  (a copy of ``fixtures/e2e/ssl_on_587.py`` alone in a temporary folder, so no project
  around it is read), as a pre-commit hook runs it; its findings have fixes, whose
  planning imports LibCST;
- the same with a mail module that has nothing to report
  (``fixtures/negatives/xoauth2_done_right.py``);
- the same with a module that does not mention mail (the byte pre-check skips it):
  what most commits pay.

Bytecode is kept (``PYTHONDONTWRITEBYTECODE`` is dropped from the commands'
environment), as an install from a wheel keeps it. Then it runs the check under
``python -X importtime`` (``--runs`` times, keeping each module's smallest time, which
the machine's load moves least) and lists what typer, click, rich, pydantic and LibCST
cost (cumulative: with what each imports), authsweep's largest modules, and the import
budget: each module's own time summed by group (the interpreter and the standard
library, click, the command line, authsweep's core, the Python front end, its library
adapters and models, the users' mail settings and config readers, the rules, the
reports), with the versions installed (typer and pydantic: the command line before
2026-12-06, for a comparison with an older install). With ``--write-results`` it appends
the tables to bench/RESULTS.md with the date, the machine and the exact commands.

Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
SAMPLE = BENCH_DIR.parent / "fixtures" / "e2e" / "ssl_on_587.py"
CLEAN_SAMPLE = BENCH_DIR.parent / "fixtures" / "negatives" / "xoauth2_done_right.py"
NO_MAIL_NAME = "paths.py"
NO_MAIL = "import os\n\n\ndef size(path):\n    return os.path.getsize(path)\n"
# Packages whose version decides the command line's start-up.
WATCHED = ("typer", "click", "rich", "pydantic")
TOP_IMPORTS = 12
# As an installed tool runs: bytecode written once and read after.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def commands(python: str, sample: Path, module: str) -> dict[str, list[str]]:
    clean, no_mail = sample.parent / CLEAN_SAMPLE.name, sample.parent / NO_MAIL_NAME
    return {
        "python-start": [python, "-c", "pass"],
        "version": [python, "-m", module, "--version"],
        "check-one-file": [python, "-m", module, "check", str(sample), "--no-cache"],
        "check-clean-file": [python, "-m", module, "check", str(clean), "--no-cache"],
        "check-no-mail-file": [python, "-m", module, "check", str(no_mail), "--no-cache"],
    }


def timed_runs(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (user + system, from the children's rusage) of each run; the
    CPU time barely moves with the machine's load, the wall time does."""
    walls, cpus = [], []
    for _ in range(runs + 1):  # the first is a warm-up (bytecode, page cache)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=False
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls[1:], cpus[1:]


def import_times(command: list[str], runs: int = 1) -> tuple[dict[str, int], dict[str, int]]:
    """Own and cumulative µs of each module's import under ``-X importtime``, by module
    name: the smallest of ``runs`` runs."""
    traced = [command[0], "-X", "importtime", *command[1:]]
    own: dict[str, int] = {}
    cumulative: dict[str, int] = {}
    for _ in range(runs):
        result = subprocess.run(traced, capture_output=True, text=True, env=ENV, check=False)
        for line in result.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| *(\S+)", line)
            if match:
                name = match.group(3)
                own[name] = min(own.get(name, 1 << 62), int(match.group(1)))
                cumulative[name] = min(cumulative.get(name, 1 << 62), int(match.group(2)))
    return own, cumulative


# Groups of the import budget: the first prefix a module starts with names its group.
BUDGET_GROUPS = (
    ("click", "click"),
    ("the command line (scanner/cli*)", "authsweep.scanner.cli"),
    ("library adapters (python/adapters/)", "authsweep.scanner.python.adapters"),
    ("library models (python/models/)", "authsweep.scanner.python.models"),
    ("the Python front end (python/)", "authsweep.scanner.python"),
    ("users' mail settings (mail_settings/)", "authsweep.scanner.mail_settings"),
    ("config readers (config/)", "authsweep.scanner.config"),
    ("the rules (rules/)", "authsweep.rules"),
    ("reports (report/)", "authsweep.scanner.report"),
    ("fixes (fixer, fixes/)", "authsweep.scanner.fix"),
    ("LibCST", "libcst"),
    ("authsweep's core (scanner/*.py, tenant/)", "authsweep"),
)
OTHERS = "the standard library and the rest"


def budget(own: dict[str, int]) -> list[tuple[str, int, int]]:
    """(group, modules, own µs summed) for each group with a module, largest first."""
    sums: dict[str, list[int]] = {}
    for name, took in own.items():
        group = next((g for g, prefix in BUDGET_GROUPS if name.startswith(prefix)), OTHERS)
        entry = sums.setdefault(group, [0, 0])
        entry[0] += 1
        entry[1] += took
    return sorted(((g, n, us) for g, (n, us) in sums.items()), key=lambda row: -row[2])


def installed_versions(python: str) -> str:
    probe = (
        "import importlib.metadata as m\n"
        f"for name in {WATCHED!r}:\n"
        "    try: print(f'{name} {m.version(name)}')\n"
        "    except m.PackageNotFoundError: print(f'{name} not installed')\n"
    )
    result = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    return "; ".join(result.stdout.split("\n")[:-1])


def report(python: str, runs: int, sample: Path, module: str) -> str:
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## {stamp}: start-up (`bench/startup.py`)",
        "",
        f"- nproc {os.cpu_count()}, {platform.platform()}, Python {platform.python_version()}",
        f"- command: `{shlex.join([sys.executable, *sys.argv])}`",
        f"- installed: {installed_versions(python)}",
        f"- load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
        "",
        f"Median of {runs} runs after one warm-up:",
        "",
        "| row | wall s | range s | CPU s | command |",
        "|---|--:|---|--:|---|",
    ]
    for name, command in commands(python, sample, module).items():
        walls, cpus = timed_runs(command, runs)
        spread = f"{min(walls):.3f}–{max(walls):.3f}"
        lines.append(
            f"| {name} | {statistics.median(walls):.3f} | {spread} | "
            f"{statistics.median(cpus):.3f} | `{shlex.join(command)}` |"
        )
    own, times = import_times(commands(python, sample, module)["check-one-file"], runs)
    lines += [
        "",
        f"Imports of `check-one-file` (`-X importtime`, the smallest of {runs} runs; "
        "cumulative: with what they import):",
    ]
    lines.append("")
    # typer._adapters: typer 0.29's value checking, which imports pydantic and pydantic_core.
    for watched in (*WATCHED, "typer._adapters", "libcst"):
        took = times.get(watched)
        lines.append(f"- {watched}: " + (f"{took / 1000:.1f} ms" if took else "not imported"))
    ours = sorted((us, name) for name, us in times.items() if name.startswith("authsweep"))
    lines += [f"- {name}: {us / 1000:.1f} ms" for us, name in ours[-TOP_IMPORTS // 2 :][::-1]]
    for row in ("check-one-file", "check-clean-file", "check-no-mail-file"):
        if row != "check-one-file":
            own, _ = import_times(commands(python, sample, module)[row], runs)
        rows = budget(own)
        lines += [
            "",
            f"Import budget of `{row}` (each module's own time, summed by group):",
            "",
            "| group | modules | ms |",
            "|---|--:|--:|",
            *[f"| {group} | {count} | {us / 1000:.1f} |" for group, count, us in rows],
            f"| all | {sum(r[1] for r in rows)} | {sum(r[2] for r in rows) / 1000:.1f} |",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--python", default=sys.executable, help="interpreter with authsweep")
    parser.add_argument(
        "--module",
        default="authsweep",
        help="what `python -m` runs (authsweep.scanner.cli for installs before `python -m "
        "authsweep` existed)",
    )
    parser.add_argument("--write-results", action="store_true", help="append to RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / SAMPLE.name
        shutil.copyfile(SAMPLE, sample)
        shutil.copyfile(CLEAN_SAMPLE, Path(folder) / CLEAN_SAMPLE.name)
        (Path(folder) / NO_MAIL_NAME).write_text(NO_MAIL, encoding="utf-8")
        text = report(args.python, args.runs, sample, args.module)
    print(text)
    if args.write_results:
        with RESULTS_FILE.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()
