"""The git commands a sweep runs: never interactive, bounded in time, and with no
credential of a remote URL in any message."""

from __future__ import annotations

import os
import re
import subprocess
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


def head_commit(repo: Path) -> str | None:
    """The commit checked out, or None in a repository without commits."""
    try:
        return git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], repo).strip() or None
    except GitFailure:
        # "--quiet" makes an unborn HEAD exit 1 silently; anything else is a broken repo.
        git(["rev-parse", "--git-dir"], repo)
        return None


def current_branch(repo: Path) -> str | None:
    try:
        return git(["symbolic-ref", "--quiet", "--short", "HEAD"], repo).strip() or None
    except GitFailure:
        return None  # detached


def local_changes(repo: Path) -> list[str]:
    """Files with changes git would commit or that it does not track (ignored ones aside)."""
    output = git(["status", "--porcelain=v1", "-z", "--untracked-files=all"], repo)
    entries = output.split("\0")
    changed: list[str] = []
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if not entry:
            continue
        changed.append(entry[3:])
        if entry[0] in "RC":  # a rename or copy is followed by its source path
            index += 1
    return changed
