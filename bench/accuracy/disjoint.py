"""Check that a held-out labels file shares nothing with the other accuracy sets.

    python bench/accuracy/disjoint.py bench/accuracy/heldout5.json

Compares the given labels file with every other labels file beside it (labels.json,
heldout*.json), with the repositories of bench/real_projects.py and with the packages
reserved for tuning (reserved.txt beside this script: the PyPI names and the GitHub
repositories that publish them): no GitHub repository, no PyPI package (names compared
after PEP 503 normalisation) and no file sha256 may be shared, and no two files of the
given set may have the same bytes. Standard library only; exit code 1 when anything is
shared.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ACCURACY = Path(__file__).resolve().parent
REAL_PROJECTS = ACCURACY.parent / "real_projects.py"
RESERVED = ACCURACY / "reserved.txt"


def package_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def source_key(source: dict) -> str:
    if source["type"] == "github":
        return "github:" + source["repo"].lower()
    return "pypi:" + package_name(source["package"])


def reserved_sources(path: Path = RESERVED) -> set[str]:
    """The source keys of the packages reserved for tuning: each package and its repositories."""
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        package, *repos = fields
        keys.add("pypi:" + package_name(package))
        keys.update("github:" + repo.lower() for repo in repos)
    return keys


def records(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["files"]


def problems(checked: Path) -> tuple[list[str], str]:
    """What the checked set shares with the others, and a one-line summary of what was read."""
    others = sorted(
        path
        for path in ACCURACY.glob("*.json")
        if path.resolve() != checked.resolve()
        and (path.name == "labels.json" or path.name.startswith("heldout"))
    )
    old_sources: set[str] = set()
    old_checksums: set[str] = set()
    for path in others:
        for record in records(path):
            old_sources.add(source_key(record["source"]))
            old_checksums.add(record["sha256"])
    real = {
        "github:" + repo.lower()
        for repo in re.findall(r'repo="([^"]+)"', REAL_PROJECTS.read_text(encoding="utf-8"))
    }
    reserved = reserved_sources()
    found = []
    first_file_of: dict[str, str] = {}
    new = records(checked)
    for record in new:
        key = source_key(record["source"])
        if key in old_sources:
            found.append(f"{record['file']}: {key} is in an earlier set")
        if key in real:
            found.append(f"{record['file']}: {key} is in bench/real_projects.py")
        if key in reserved:
            found.append(f"{record['file']}: {key} is reserved for tuning ({RESERVED.name})")
        if record["sha256"] in old_checksums:
            found.append(f"{record['file']}: sha256 shared with an earlier set")
        earlier = first_file_of.setdefault(record["sha256"], record["file"])
        if earlier != record["file"]:
            found.append(f"{record['file']}: same bytes as {earlier}")
    new_sources = {source_key(record["source"]) for record in new}
    summary = (
        f"{len(new)} files from {len(new_sources)} sources checked against "
        f"{', '.join(path.name for path in others)} ({len(old_sources)} sources, "
        f"{len(old_checksums)} checksums), {len(real)} repositories of real_projects.py and "
        f"{len(reserved)} reserved packages and repositories ({RESERVED.name})"
    )
    return found, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", type=Path, help="the labels file to check")
    args = parser.parse_args(argv)
    found, summary = problems(args.labels)
    print(summary)
    for problem in found:
        print(problem)
    print("disjoint" if not found else f"{len(found)} shared item(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
