"""Rebuild (or verify) the accuracy corpus from the sources recorded in labels.json.

The corpus is public code that stays out of this repository; labels.json records, for each
file, where it came from (a GitHub repository, commit and path, or a PyPI archive and the
member inside it) and the sha256 of its bytes. This script fetches each file again, checks
the checksum and writes it under DEST at the path the labels use.

    python bench/accuracy/rebuild.py DEST            # fetch every file into DEST
    python bench/accuracy/rebuild.py --verify DEST   # only check an existing folder
    python bench/accuracy/rebuild.py --labels bench/accuracy/heldout2.json DEST

GitHub files come from raw.githubusercontent.com at the pinned commit, or, with
--github-clones DIR, from local git clones of the repositories (DIR/OWNER/NAME or
DIR/OWNER+NAME, bare or not, optionally with the git directory in a `repo` subfolder)
read with `git cat-file` at the pinned commit, for machines without access to GitHub.
PyPI files come from `pip download --no-deps` of the pinned version (wheel or sdist, as
recorded). Standard library only (and git for --github-clones). A file that cannot be
fetched or whose checksum differs is reported and skipped; the exit code is 1 if any file
is missing or wrong.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterable
from pathlib import Path

LABELS = Path(__file__).with_name("labels.json")
RAW_GITHUB = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"
FETCH_TIMEOUT_SECONDS = 60


def load_labels(path: Path = LABELS) -> list[dict]:
    """The file records of a labels file."""
    return json.loads(path.read_text(encoding="utf-8"))["files"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(corpus: Path, records: Iterable[dict]) -> list[str]:
    """Problems with the corpus folder: missing files and checksum mismatches."""
    problems = []
    for record in records:
        target = corpus / record["file"]
        if not target.is_file():
            problems.append(f"{record['file']}: missing")
        elif sha256(target.read_bytes()) != record["sha256"]:
            problems.append(f"{record['file']}: sha256 differs from the labels file")
    return problems


def fetch_github(source: dict) -> bytes:
    url = RAW_GITHUB.format(
        repo=source["repo"],
        commit=source["commit"],
        path=urllib.parse.quote(source["path"]),
    )
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
        return response.read()


class GithubClones:
    """Reads pinned GitHub files from local clones instead of raw.githubusercontent.com."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def git_dir(self, repo: str) -> Path:
        owner, name = repo.split("/", 1)
        for folder in (self.root / owner / name, self.root / f"{owner}+{name}"):
            for candidate in (folder, folder / "repo", folder / ".git", folder / "repo" / ".git"):
                if (candidate / "objects").is_dir() and (candidate / "HEAD").is_file():
                    return candidate
        raise FileNotFoundError(f"no clone of {repo} under {self.root}")

    def fetch(self, source: dict) -> bytes:
        spec = f"{source['commit']}:{source['path']}"
        completed = subprocess.run(
            ["git", "--git-dir", str(self.git_dir(source["repo"])), "cat-file", "blob", spec],
            capture_output=True,
            check=False,
        )
        if completed.returncode != 0:
            raise FileNotFoundError(f"{spec} not in the clone of {source['repo']}")
        return completed.stdout


def read_member(archive: Path, member: str) -> bytes:
    if archive.suffix in {".whl", ".zip"}:
        with zipfile.ZipFile(archive) as zipped:
            return zipped.read(member)
    with tarfile.open(archive) as tarred:
        extracted = tarred.extractfile(member)
        if extracted is None:
            raise KeyError(f"{member} is not a regular file in {archive.name}")
        return extracted.read()


class PypiArchives:
    """Downloads each pinned PyPI archive once (pip download --no-deps) into a cache folder."""

    def __init__(self, cache: Path, pip: list[str]) -> None:
        self.cache = cache
        self.pip = pip

    def archive(self, source: dict) -> Path:
        target = self.cache / source["archive"]
        if not target.exists():
            # The archive kind is pinned too, so pip fetches the very file that was labelled.
            kind = (
                "--only-binary=:all:" if source["archive"].endswith(".whl") else "--no-binary=:all:"
            )
            requirement = f"{source['package']}=={source['version']}"
            command = [
                *self.pip,
                "download",
                "--no-deps",
                # The archive is pinned by name and version; a package that asks for a newer
                # Python than the one running this script is still the very file labelled.
                "--ignore-requires-python",
                "--quiet",
                kind,
                "-d",
                str(self.cache),
                requirement,
            ]
            subprocess.run(command, check=True, capture_output=True, text=True)
        if not target.exists():
            raise FileNotFoundError(f"pip did not produce {source['archive']}")
        return target

    def fetch(self, source: dict) -> bytes:
        return read_member(self.archive(source), source["member"])


def rebuild(
    dest: Path, records: list[dict], pip: list[str], clones: GithubClones | None = None
) -> list[str]:
    """Fetch every file into dest; the problems met (fetch errors, checksum mismatches)."""
    problems = []
    github = clones.fetch if clones is not None else fetch_github
    with tempfile.TemporaryDirectory(prefix="authsweep-accuracy-") as cache:
        archives = PypiArchives(Path(cache), pip)
        for record in records:
            source = record["source"]
            try:
                data = github(source) if source["type"] == "github" else archives.fetch(source)
            except (OSError, KeyError, subprocess.CalledProcessError) as error:
                problems.append(f"{record['file']}: could not fetch ({error})")
                continue
            if sha256(data) != record["sha256"]:
                problems.append(f"{record['file']}: sha256 of the fetched bytes differs")
                continue
            target = dest / record["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "dest", type=Path, help="corpus folder to write (or to check with --verify)"
    )
    parser.add_argument(
        "--verify", action="store_true", help="only check the files already in DEST"
    )
    parser.add_argument(
        "--labels", type=Path, default=LABELS, help="labels file (default: beside this script)"
    )
    parser.add_argument(
        "--github-clones",
        type=Path,
        help="read GitHub files from local clones under this folder (no network to GitHub)",
    )
    parser.add_argument(
        "--pip",
        default=f"{shlex.quote(sys.executable)} -m pip",
        help="pip command for PyPI archives (default: this Python's pip)",
    )
    args = parser.parse_args(argv)
    records = load_labels(args.labels)
    if args.verify:
        problems = verify(args.dest, records)
    else:
        clones = GithubClones(args.github_clones) if args.github_clones else None
        problems = rebuild(args.dest, records, shlex.split(args.pip), clones)
    for problem in problems:
        print(problem, file=sys.stderr)
    ok = len(records) - len(problems)
    print(f"{ok}/{len(records)} files {'verified' if args.verify else 'written'} in {args.dest}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
