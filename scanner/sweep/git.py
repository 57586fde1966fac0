"""The git commands a sweep runs: never interactive, bounded in time, and with no
credential of a remote URL in any message."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Clones of large repositories over slow links take a while; a hung one must not stop
# the sweep.
GIT_TIMEOUT_SECONDS = 900
_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


class GitFailure(Exception):
    """A git command that failed; the message is safe to show and record."""


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # A private repository without credentials must fail, not wait for a password.
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    env["LC_ALL"] = "C"  # messages as recorded in reports: one language
    return env


def redact(text: str) -> str:
    """``https://user:token@host/...`` as ``https://***@host/...``."""
    return _CREDENTIALS.sub("***@", text)


def git(
    args: list[str],
    cwd: Path | None = None,
    *,
    stdin: str | None = None,
    timeout: float = GIT_TIMEOUT_SECONDS,
) -> str:
    """Run git; its standard output, or GitFailure with git's own reason."""
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            errors="replace",
            env=_environment(),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitFailure(f"git {args[0]} took longer than {timeout:.0f} s") from None
    except OSError as error:
        raise GitFailure(f"cannot run git: {error.strerror}") from None
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        # git says what went wrong in "fatal:"/"error:" lines; others are progress and hints.
        said = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines[-2:]
        reason = " ".join(said) if said else f"exit code {result.returncode}"
        raise GitFailure(redact(f"git {args[0]}: {reason}"))
    return result.stdout


@dataclass(frozen=True)
class RepoState:
    commit: str | None  # None in a repository without commits
    branch: str | None  # None when HEAD is detached
    changes: tuple[str, ...]  # files with changes git would commit, or untracked


def repository_state(repo: Path) -> RepoState:
    """Commit, branch and local changes from one ``git status`` (a sweep asks this of
    thousands of repositories). Raises GitFailure for a tree git cannot read."""
    output = git(
        ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all"], repo
    ).split("\0")
    commit = branch = None
    changes: list[str] = []
    entries = iter(output)
    for entry in entries:
        if entry.startswith("# branch.oid "):
            oid = entry.split(" ", 2)[2]
            commit = None if oid == "(initial)" else oid
        elif entry.startswith("# branch.head "):
            head = entry.split(" ", 2)[2]
            branch = None if head == "(detached)" else head
        elif entry[:2] in ("1 ", "u ", "? "):
            # Ordinary (8 fields before the path), unmerged (10) and untracked (0) entries.
            changes.append(entry.split(" ", {"1": 8, "u": 10, "?": 1}[entry[0]])[-1])
        elif entry.startswith("2 "):
            changes.append(entry.split(" ", 9)[-1])
            next(entries, None)  # a rename's source path follows it
    return RepoState(commit, branch, tuple(changes))
