"""Whether git holds a copy of lines a fix would delete.

A fix may delete a secret (the password of a ``.env`` that only the rewritten login read).
That is safe when the last commit has the lines: ``git show HEAD:.env`` gives them back.
A file git does not track (an ignored ``.env``, a folder without git) or lines changed
since the last commit have no other copy, so they are never deleted outright.

git runs read-only here (``cat-file`` of one blob), with nothing a repository's own
configuration could make it execute: no hooks, no fsmonitor, no pager, no filters.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..text import source_lines

_TIMEOUT_SECONDS = 30
# Settings that make git run a command, switched off whatever the repository says.
_HARDENED = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.pager=cat",
    "-c",
    "core.sshCommand=false",
    "-c",
    "diff.external=",
    "-c",
    "credential.helper=",
    "-c",
    "protocol.ext.allow=never",
)
_MAX_BYTES = 64 * 1024 * 1024


def committed_lines(path: Path) -> set[str] | None:
    """The lines of the file at ``path`` (its real path: links followed) as the last
    commit of its git checkout holds them, without line ends; None when git has no copy
    (not tracked, no commit, no git)."""
    real = Path(os.path.realpath(path))
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        shown = subprocess.run(
            ["git", *_HARDENED, "cat-file", "blob", f"HEAD:./{real.name}"],
            cwd=real.parent,
            capture_output=True,
            check=False,
            timeout=_TIMEOUT_SECONDS,
            env=environment,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if shown.returncode != 0 or len(shown.stdout) > _MAX_BYTES:
        return None
    return set(source_lines(shown.stdout.decode("utf-8", errors="replace")))


def in_last_commit(path: Path, lines: list[str]) -> bool:
    """Whether every one of ``lines`` (without line ends) is in the file as last committed."""
    committed = committed_lines(path)
    return committed is not None and all(line in committed for line in lines)
