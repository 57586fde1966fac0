"""Compare two authsweep installations on the same trees: findings, errors and fixes.

For a change that should not change what authsweep reports (a new front end, a
faster path), run the old and the new side by side:

    python bench/equivalence.py --old /work/venv-old/bin/authsweep \\
        --new authsweep fixtures ~/.cache/authsweep-bench/trees/django-5.2.8-sdist

For every tree it runs ``check --format json --no-cache --exit-zero`` with both and
compares each finding's rule, path, line, column, end, message and fixability, and
each error's path and kind; with ``--fix`` it also runs ``fix --diff --unsafe-fixes``
on a copy of the tree with each and compares the diffs byte for byte. Differences
are printed; the exit code is 1 when there are any. Standard library only.

To compare against a run made before a change (the old installation gone), save it
first and pass the file in place of ``--old``:

    python bench/equivalence.py --save before.json --fix fixtures TREE...
    python bench/equivalence.py --saved before.json --fix fixtures TREE...
"""

from __future__ import annotations

import argparse
import difflib
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FINDING_KEYS = (
    "rule",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "message",
    "fixable",
    "severity",
    "confidence",
)


def run(command: list[str], cwd: Path) -> tuple[str, float]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{shlex.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout, time.perf_counter() - started


def findings(tool: list[str], tree: Path) -> tuple[set[tuple], set[tuple], float]:
    output, seconds = run(
        [*tool, "check", ".", "--format", "json", "--no-cache", "--exit-zero"], tree
    )
    document = json.loads(output)
    found = {tuple(f.get(k) for k in FINDING_KEYS) for f in document["findings"]}
    errors = {(e["path"], e.get("kind", ""), e["message"]) for e in document["errors"]}
    return found, errors, seconds


def fix_diff(tool: list[str], tree: Path) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "tree"
        shutil.copytree(tree, copy, symlinks=True)
        output, _ = run([*tool, "fix", ".", "--diff", "--unsafe-fixes"], copy)
        return output


Record = dict[str, object]


def record(tool: list[str], tree: Path, with_fix: bool) -> Record:
    found, errors, seconds = findings(tool, tree)
    return {
        "findings": sorted(found, key=str),
        "errors": sorted(errors),
        "seconds": seconds,
        "diff": fix_diff(tool, tree) if with_fix else None,
    }


def as_sets(run_record: Record) -> tuple[set[tuple], set[tuple]]:
    """Findings and errors as sets of tuples (JSON turns the tuples into lists)."""
    return (
        {tuple(item) for item in run_record["findings"]},  # type: ignore[attr-defined]
        {tuple(item) for item in run_record["errors"]},  # type: ignore[attr-defined]
    )


def compare(old: Record, new: Record, tree: Path, with_fix: bool) -> int:
    old_found, old_errors = as_sets(old)
    new_found, new_errors = as_sets(new)
    differences = 0
    print(f"## {tree}")
    print(f"findings: old {len(old_found)} ({old['seconds']:.2f} s)", end=", ")
    print(f"new {len(new_found)} ({new['seconds']:.2f} s)")
    for label, items in (
        ("only old", sorted(old_found - new_found, key=str)),
        ("only new", sorted(new_found - old_found, key=str)),
        ("error only old", sorted(old_errors - new_errors)),
        ("error only new", sorted(new_errors - old_errors)),
    ):
        for item in items:
            differences += 1
            print(f"  {label}: {item}")
    if with_fix:
        old_diff, new_diff = str(old["diff"]), str(new["diff"])
        if old["diff"] is None:
            differences += 1
            print("  the saved run has no fix diff (saved without --fix)")
        elif old_diff != new_diff:
            differences += 1
            print("  fix diffs differ:")
            sys.stdout.writelines(
                f"    {line}\n"
                for line in difflib.unified_diff(
                    old_diff.splitlines(), new_diff.splitlines(), "old", "new", lineterm=""
                )
            )
        else:
            print(f"  fix diffs identical ({len(new_diff.splitlines())} lines)")
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    before = parser.add_mutually_exclusive_group(required=True)
    before.add_argument("--old", help="the old authsweep command")
    before.add_argument("--saved", type=Path, help="a run saved with --save, in place of --old")
    before.add_argument("--save", type=Path, help="only run --new and save the run to this file")
    parser.add_argument("--new", default="authsweep", help="the new authsweep command")
    parser.add_argument("--fix", action="store_true", help="also compare fix --diff output")
    parser.add_argument("trees", nargs="+", type=Path)
    args = parser.parse_args(argv)
    new = shlex.split(args.new)
    trees = [tree.resolve() for tree in args.trees]
    if args.save:
        saved = {str(tree): record(new, tree, args.fix) for tree in trees}
        args.save.write_text(json.dumps(saved, indent=1) + "\n")
        print(f"saved {len(saved)} trees to {args.save}")
        return 0
    if args.saved:
        saved = json.loads(args.saved.read_text())
        missing = [str(tree) for tree in trees if str(tree) not in saved]
        if missing:
            raise SystemExit(f"not in {args.saved}: {', '.join(missing)}")
        old_runs = {tree: saved[str(tree)] for tree in trees}
    else:
        old = shlex.split(args.old)
        old_runs = {tree: record(old, tree, args.fix) for tree in trees}
    total = sum(
        compare(old_runs[tree], record(new, tree, args.fix), tree, args.fix) for tree in trees
    )
    print(f"{total} differences")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
