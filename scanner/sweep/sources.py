"""Which repositories a sweep covers: a folder of clones, or a list of git remotes.

A folder is searched for repositories (folders with a ``.git``), which are checked in
place; folders inside a repository belong to it, hidden folders and the usual build and
dependency folders are not searched. A list file names one git remote per line (a URL,
``user@host:path``, or a local path relative to the list file), optionally followed by a
weight for the shard split (GitHub's ``diskUsage`` in KB is a good one); ``#`` starts a
comment. Listed repositories are cloned into a work folder (see ``workspace``).

Every repository gets a name that is unique in the sweep: its path under the folder, or
the shortest tail of its remote that no other remote shares (``contoso/billing``). The
name prefixes the paths of its findings and is its folder in the work folder.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ..discover import SKIP_DIRS, walk
from ..records import record

# Folders never searched for repositories (besides hidden ones).
_NOT_SEARCHED = SKIP_DIRS | {"site-packages"}
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?([^/:]+):(?!//)(.+)$")
_INDEX_SIGNATURE = b"DIRC"


class SourceError(Exception):
    """A list file or folder that cannot be swept; the message names the file and line."""


@record
class RepoSource:
    name: str  # unique in the sweep: "team-a/billing", "contoso/billing"
    shown: str  # where it comes from, as people should read it (credentials masked)
    weight: int  # relative size, for the shard split
    remote: str | None = None  # what to clone; None for a repository checked in place
    path: Path | None = None  # the working tree of a repository checked in place


def read_sources(source: Path) -> list[RepoSource]:
    """The repositories of a folder or a list file, sorted by name."""
    if source.is_dir():
        return from_folder(source)
    if source.is_file():
        return from_list(source)
    raise SourceError(f"{source}: no such folder or file")


def from_folder(root: Path) -> list[RepoSource]:
    root = root.absolute()
    if (root / ".git").exists():  # the folder is itself one repository
        return [RepoSource(root.name, str(root), tracked_files(root), path=root)]
    found: list[RepoSource] = []
    for folder, subfolders, _files in walk(root):
        here = Path(folder)
        if here != root and (here / ".git").exists():
            name = here.relative_to(root).as_posix()
            found.append(RepoSource(name, str(here), tracked_files(here), path=here))
            subfolders.clear()
            continue
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and d not in _NOT_SEARCHED
        )
    if not found:
        raise SourceError(f"{root}: no git repositories in this folder")
    return sorted(found, key=lambda s: s.name)


def tracked_files(repo: Path) -> int:
    """How many files git tracks, from the index header (12 bytes, no git process): the
    same on every machine for the same commit, so every shard computes the same split."""
    git_dir = repo / ".git"
    if git_dir.is_file():  # a worktree or submodule: "gitdir: <path>"
        try:
            text = git_dir.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return 1
        if not text.startswith("gitdir:"):
            return 1
        git_dir = repo / text[len("gitdir:") :].strip()
    try:
        with open(git_dir / "index", "rb") as handle:
            header = handle.read(12)
    except OSError:
        return 1
    if len(header) < 12 or not header.startswith(_INDEX_SIGNATURE):
        return 1
    return max(int.from_bytes(header[8:12], "big"), 1)


@record
class _Listed:
    line: int
    remote: str  # what git clones
    shown: str
    parts: tuple[str, ...]  # name candidates come from the tail of these
    tail: int  # how many parts the name takes by default
    weight: int


def from_list(file: Path) -> list[RepoSource]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise SourceError(f"{file}: cannot read: {reason}") from None
    listed: list[_Listed] = []
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) > 2:
            raise SourceError(f"{file}:{number}: expected 'REMOTE [WEIGHT]', got {line!r}")
        weight = 1
        if len(fields) == 2:
            if not fields[1].isdigit():
                raise SourceError(
                    f"{file}:{number}: the weight must be a whole number, got {fields[1]!r}"
                )
            weight = max(int(fields[1]), 1)
        entry = _listed(fields[0], number, weight, file)
        if entry.remote in first_seen:
            raise SourceError(
                f"{file}:{number}: {entry.shown} is listed twice (first on line "
                f"{first_seen[entry.remote]})"
            )
        first_seen[entry.remote] = number
        listed.append(entry)
    if not listed:
        raise SourceError(f"{file}: lists no repositories")
    names = _unique_names(listed, file)
    return sorted(
        (RepoSource(names[e.line], e.shown, e.weight, remote=e.remote) for e in listed),
        key=lambda s: s.name,
    )


def _listed(entry: str, number: int, weight: int, file: Path) -> _Listed:
    if "://" in entry:
        parts = urlsplit(entry)
        if not parts.hostname and parts.scheme != "file":
            raise SourceError(f"{file}:{number}: no host in {mask_url(entry)!r}")
        path_parts = _path_parts(parts.path)
        return _Listed(
            number, entry, mask_url(entry), (parts.hostname or "", *path_parts), 2, weight
        )
    scp = _SCP_LIKE.match(entry)
    if scp and not entry.startswith(("/", "./", "../", "~")):
        return _Listed(number, entry, entry, (scp.group(1), *_path_parts(scp.group(2))), 2, weight)
    local = Path(os.path.expanduser(entry))
    if not local.is_absolute():
        local = file.absolute().parent / local
    local = Path(os.path.normpath(local))
    # file:// so that git honours --depth (a plain path makes a full local clone).
    return _Listed(number, local.as_uri(), str(local), _path_parts(local.as_posix()), 1, weight)


def _path_parts(path: str) -> tuple[str, ...]:
    parts = [p for p in path.split("/") if p]
    if parts and parts[-1].endswith(".git") and len(parts[-1]) > len(".git"):
        parts[-1] = parts[-1][: -len(".git")]
    return tuple(parts)


def _unique_names(listed: list[_Listed], file: Path) -> dict[int, str]:
    """Each entry's name: its default tail, lengthened where two entries would share it."""
    tails = {e.line: min(e.tail, len(e.parts)) for e in listed}
    while True:
        by_name: dict[str, list[_Listed]] = defaultdict(list)
        for entry in listed:
            by_name["/".join(entry.parts[-tails[entry.line] :])].append(entry)
        clashes = [group for group in by_name.values() if len(group) > 1]
        if not clashes:
            break
        for group in clashes:
            if all(tails[e.line] >= len(e.parts) for e in group):
                lines = ", ".join(str(e.line) for e in group)
                raise SourceError(f"{file}: lines {lines} name the same repository")
            for entry in group:
                tails[entry.line] = min(tails[entry.line] + 1, len(entry.parts))
    names = {}
    for entry in listed:
        tail = entry.parts[-tails[entry.line] :]
        if not tail or any(part in (".", "..") or part.startswith("-") for part in tail):
            raise SourceError(f"{file}:{entry.line}: cannot name a folder after {entry.shown}")
        names[entry.line] = "/".join(tail)
    return names


def mask_url(url: str) -> str:
    """The URL without the user and password or token it may carry."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))
