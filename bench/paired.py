"""Paired, interleaved runs: two authsweep installs and Ruff on the same tree, in turn.

    python bench/paired.py --old /venv-old/bin/authsweep --new /venv-new/bin/authsweep \\
        --ruff /venv/bin/ruff [--runs 5] [--trees homeassistant,django,airflow]

On a shared machine the load moves between one tool's runs and the next; run in turn
(old, new, Ruff, old, new, Ruff, ...), each sees about the same load. For every tree of
``bench/run.py`` (fetched by it) it times a cold ``check`` of the whole tree, the
pre-commit shape (the tree's sample files named on the command line) and Ruff on the
same inputs, and prints the median wall and CPU seconds (user + system of the process
and its children, from ``getrusage``: microseconds, where ``os.times`` counts 10 ms
ticks, as coarse as the pre-commit shape's differences) and the peak RSS of the largest
process (GNU time's ``%M``), with the ratios to Ruff. ``--shapes pre-commit`` leaves the
cold runs out. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import TREES, precommit_sample  # noqa: E402 - the pinned trees and their samples

TREE_FOLDERS = {
    "homeassistant": "homeassistant-2024.3.3-wheel",
    "django": "django-5.2.8-sdist/django-5.2.8",
    "airflow": "airflow-3.3.2-wheel",
}
CHECK = ["check", "--format", "json", "--exit-zero", "--no-cache"]
RUFF = ["check", "--no-cache", "--exit-zero", "--isolated"]


def timed(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds and peak RSS (MB) of one run under GNU time."""
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%M", *command],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        return wall, cpu, int(report.read().split()[-1]) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="the authsweep before the change")
    parser.add_argument("--new", required=True, help="the authsweep after it")
    parser.add_argument("--ruff", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trees", default=",".join(TREE_FOLDERS))
    parser.add_argument(
        "--shapes",
        default="cold,pre-commit",
        help="comma-separated: cold, pre-commit (default: both)",
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=Path.home() / ".cache" / "authsweep-bench"
    )
    args = parser.parse_args()
    unknown = set(args.shapes.split(",")) - {"cold", "pre-commit"}
    if unknown:
        parser.error(f"unknown shape {', '.join(sorted(unknown))}: cold, pre-commit")
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        "| tree | shape | old wall / CPU / MB | new wall / CPU / MB | Ruff wall / CPU / MB "
        "| ÷ Ruff, wall: old → new | ÷ Ruff, CPU: old → new |"
    )
    print("|---|---|---|---|---|--:|--:|")
    for name in args.trees.split(","):
        root = args.cache_dir / "trees" / TREE_FOLDERS[name]
        files = list(TREES[name].precommit) or precommit_sample(root, 5)
        shapes = {
            "cold": ("cold", ["."]),
            "pre-commit": (f"pre-commit ({len(files)} files)", files),
        }
        for shape, targets in (shapes[key] for key in args.shapes.split(",")):
            rows = {
                "old": [args.old, *CHECK[:1], *targets, *CHECK[1:]],
                "new": [args.new, *CHECK[:1], *targets, *CHECK[1:]],
                "ruff": [args.ruff, *RUFF, *targets],
            }
            runs: dict[str, list[tuple[float, float, int]]] = {key: [] for key in rows}
            for index in range(args.runs + 1):  # the first round warms the caches
                for key, command in rows.items():
                    result = timed(command, root)
                    if index:
                        runs[key].append(result)
            median = {
                key: tuple(statistics.median(r[i] for r in found) for i in range(3))
                for key, found in runs.items()
            }
            cells = " | ".join(f"{w:.3f} / {c:.3f} / {m:.0f}" for w, c, m in median.values())
            wall, cpu = (
                " → ".join(f"{median[key][i] / median['ruff'][i]:.2f}x" for key in ("old", "new"))
                for i in (0, 1)
            )
            print(f"| {name} | {shape} | {cells} | {wall} | {cpu} |")
            sys.stdout.flush()
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
