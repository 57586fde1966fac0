"""The work folder of managed clones: cloned shallowly once, brought up to date next time.

Each listed repository lives in ``<work folder>/<name>``. The first sweep clones it
(``--depth 1``, no tags) into a temporary folder and renames it into place, so an
interrupted clone never looks like a finished one. Later sweeps fetch the remote's
default branch (``--depth 1``) and check it out detached, leaving local branches (a fix
campaign's among them) alone. A clone with local changes, or one of another remote, is
not touched: that repository is reported as not scanned, with the reason.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .git import GitFailure, git, repository_state
from .sources import RepoSource


def prepare(source: RepoSource, work_dir: Path) -> Path:
    """The working tree to check for ``source``: its own folder for a repository checked
    in place, else its clone in ``work_dir``, made or updated. Raises GitFailure."""
    if source.remote is None:
        assert source.path is not None
        return source.path
    destination = work_dir.absolute() / source.name
    if (destination / ".git").exists():
        _update(destination, source)
    else:
        _clone(destination, source)
    return destination


def _clone(destination: Path, source: RepoSource) -> None:
    assert source.remote is not None
    if destination.exists() and any(destination.iterdir()):
        raise GitFailure(f"{destination} is in the way: it is not a clone; move it away")
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = destination.parent / f".{destination.name}.authsweep-clone"
    shutil.rmtree(staging, ignore_errors=True)  # left by an interrupted sweep
    try:
        git(
            ["clone", "--quiet", "--depth", "1", "--no-tags", "--no-recurse-submodules"]
            + ["--", source.remote, str(staging)]
        )
        if destination.exists():
            destination.rmdir()
        os.replace(staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _update(clone: Path, source: RepoSource) -> None:
    try:
        origin = git(["config", "--get", "remote.origin.url"], clone).strip()
    except GitFailure:
        origin = ""
    if origin != source.remote:
        raise GitFailure(f"the clone in {clone} is not of {source.shown}; remove it to clone again")
    changed = repository_state(clone).changes
    if changed:
        listed = ", ".join(changed[:5]) + (", ..." if len(changed) > 5 else "")
        raise GitFailure(f"local changes in {clone}, not updated ({listed})")
    # From the listed URL itself, not "origin": nothing of the clone's remote config
    # (its upload-pack program above all) takes part.
    git(
        ["fetch", "--quiet", "--depth", "1", "--no-tags", "--no-recurse-submodules"]
        + ["--", source.remote, "HEAD"],
        clone,
    )
    git(["checkout", "--quiet", "--detach", "--no-recurse-submodules", "FETCH_HEAD"], clone)
