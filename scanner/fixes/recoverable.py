"""Whether git holds a copy of lines a fix would delete.

A fix may delete a secret (the password of a ``.env`` that only the rewritten login read).
That is safe when the last commit has the lines: ``git show HEAD:.env`` gives them back.
A file git does not track (an ignored ``.env``, a folder without git) or lines changed
since the last commit have no other copy, so they are never deleted outright.

git runs read-only here (``cat-file`` of one blob) through :func:`~..git.run_git`: nothing
a repository's configuration names can run.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..git import GitFailure, enclosing_repository, run_git
from ..text import source_lines


def committed_lines(path: Path) -> set[str] | None:
    """The lines of the file at ``path`` (its real path: links followed) as the last
    commit of its git checkout holds them, without line ends; None when git has no copy
    (not tracked, no commit, no git)."""
    real = Path(os.path.realpath(path))
    repository = enclosing_repository(real.parent)
    if repository is None:
        return None
    try:
        name = real.relative_to(Path(os.path.realpath(repository.top))).as_posix()
        shown = run_git(["cat-file", "blob", f"HEAD:{name}"], repository=repository)
    except (ValueError, GitFailure):
        return None
    return set(source_lines(shown.decode("utf-8", errors="replace")))


def in_last_commit(path: Path, lines: list[str]) -> bool:
    """Whether every one of ``lines`` (without line ends) is in the file as last committed."""
    committed = committed_lines(path)
    return committed is not None and all(line in committed for line in lines)
