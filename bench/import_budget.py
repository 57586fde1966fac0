"""The import budget of one command, two installs side by side: what each group of modules
costs to import.

    python bench/import_budget.py --old /venv-old/bin/python --new /venv-new/bin/python \\
        [--runs 9] [--cwd TREE] -- check --no-cache FILE...

Runs ``PYTHON -X importtime -m authsweep ARGS`` (the command as installed: its entry
pauses the collector and gives ``dataclasses`` the methods an earlier run compiled, so
the first of the runs is not counted) in ``--cwd`` with each interpreter in turn,
``--runs`` times each, keeps each module's smallest own time (the load moves it least)
and sums the own times by group (``bench/startup.py``'s groups: click, the command line,
the adapters, the models, the front end, ...), with the number of modules. Bytecode is
kept, as an install from a wheel keeps it. Prints a Markdown table, ms (modules).
Standard library only.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import budget, import_times  # noqa: E402 - the groups and the -X importtime reader


def smallest(runs: list[dict[str, int]]) -> dict[str, int]:
    """Each module's smallest own time over the runs that imported it."""
    found: dict[str, int] = {}
    for own in runs:
        for name, took in own.items():
            found[name] = min(found.get(name, took), took)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="the Python of the install before")
    parser.add_argument("--new", required=True, help="the Python of the install after")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--cwd", type=Path, default=Path.cwd())
    parser.add_argument("args", nargs="+", help="the command's arguments (after --)")
    args = parser.parse_args()
    os.chdir(args.cwd)
    runs: dict[str, list[dict[str, int]]] = {"old": [], "new": []}
    for run in range(args.runs + 1):
        for key in runs:
            python = getattr(args, key)
            own, _cumulative = import_times([python, "-m", "authsweep", *args.args])
            if run:  # the first writes what later runs read (bytecode, dataclass methods)
                runs[key].append(own)
    tables = {key: budget(smallest(found)) for key, found in runs.items()}
    groups = [group for group, _, _ in tables["old"]]
    groups += [group for group, _, _ in tables["new"] if group not in groups]
    print("| group | before, ms (modules) | after, ms (modules) |")
    print("|---|--:|--:|")
    for key in ("old", "new"):
        total = sum(us for _, _, us in tables[key]), sum(n for _, n, _ in tables[key])
        tables[key].append(("all", total[1], total[0]))
    for group in [*groups, "all"]:
        cells = []
        for key in ("old", "new"):
            row = next(((n, us) for g, n, us in tables[key] if g == group), None)
            cells.append("–" if row is None else f"{row[1] / 1000:.1f} ({row[0]})")
        print(f"| {group} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
