"""`fix` on a 200-file sample: authsweep builds and checks every rewrite, so this is the
slow path of a migration sweep. Compares authsweep commands side by side (e.g. this
checkout against an install of an earlier commit).

The sample is the runnable fixtures of ``fixtures/e2e`` copied round-robin into one
folder, 200 files by default; each command runs ``fix --unsafe-fixes --diff`` on it
(nothing is written), median of ``--runs`` after one warm-up, with 1 worker and with
the machine's CPUs.

    python bench/fix_sample.py --authsweep "new=authsweep" \\
        --authsweep "old=/path/to/old-venv/bin/authsweep" [--files 200] [--write-results]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
E2E = REPO / "fixtures" / "e2e"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def build_sample(dest: Path, count: int) -> list[str]:
    sources = sorted(p for p in E2E.glob("*.py"))
    for i in range(count):
        source = sources[i % len(sources)]
        shutil.copyfile(source, dest / f"{source.stem}_{i:03d}.py")
    return [p.name for p in sources]


def _env() -> dict[str, str]:
    """Bytecode caches used and written, as for an install from a wheel."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def no_cache_option(argv: list[str]) -> list[str]:
    """Every run analyses every file: a cache filled by the warm-up would hide the work."""
    helptext = subprocess.run([*argv, "fix", "--help"], capture_output=True, text=True).stdout
    return ["--no-cache"] if "--no-cache" in helptext else []


def time_fix(
    argv: list[str], options: list[str], folder: Path, jobs: int
) -> tuple[float, int, str]:
    cmd = [*argv, "fix", "--unsafe-fixes", "--diff", *options, "-j", str(jobs), "."]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, env=_env())
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        raise RuntimeError(f"{shlex.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
    diff_lines = sum(1 for line in done.stdout.splitlines() if line.startswith(("+", "-")))
    return wall, diff_lines, shlex.join(cmd)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--authsweep", action="append", required=True, metavar="LABEL=CMD")
    p.add_argument("--files", type=int, default=200)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--write-results", action="store_true")
    args = p.parse_args()

    commands = [item.split("=", 1) for item in args.authsweep]
    cpus = os.cpu_count() or 1
    rows: list[str] = []
    used: list[str] = []
    with tempfile.TemporaryDirectory(prefix="authsweep-fix-sample-") as tmp:
        folder = Path(tmp)
        sources = build_sample(folder, args.files)
        for label, command in commands:
            argv = shlex.split(command)
            options = no_cache_option(argv)
            for jobs in sorted({1, cpus}):
                time_fix(argv, options, folder, jobs)  # warm-up: imports and file cache
                walls, diff_lines = [], 0
                for _ in range(args.runs):
                    wall, diff_lines, used_cmd = time_fix(argv, options, folder, jobs)
                    walls.append(wall)
                median = statistics.median(walls)
                rows.append(
                    f"| {label} | {jobs} | {median:.2f} | {min(walls):.2f}–{max(walls):.2f} "
                    f"| {diff_lines:,} |"
                )
                used.append(f"- {label}, -j {jobs}: `{used_cmd}`")
                print(rows[-1], file=sys.stderr)

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join(
        [
            f"## `fix` on a {args.files}-file sample, {now}",
            "",
            f"- nproc {cpus}, {platform.platform()}, Python {platform.python_version()}",
            f"- command: `python bench/fix_sample.py {shlex.join(sys.argv[1:])}`",
            f"- sample: {', '.join(sources)} from fixtures/e2e, copied round-robin",
            f"- median of {args.runs} run(s) after one warm-up; working folder the sample",
            "",
            "| authsweep | workers | wall s | range s | diff lines |",
            "|---|--:|--:|--:|--:|",
            *rows,
            "",
            *used,
            "",
        ]
    )
    print(section)
    if args.write_results:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write("\n" + section)
        print(f"appended to {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
