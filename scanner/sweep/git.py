"""The git commands a sweep runs: through the hardened runner (``scanner/git.py``: nothing
of a repository's runs), never interactive, bounded in time, and with no credential of a
remote URL in any message."""

from __future__ import annotations

from pathlib import Path

from ..git import (
    LOCAL_TIMEOUT_SECONDS,
    NETWORK_COMMANDS,
    GitFailure,
    Repository,
    repository_at,
    run_git,
)
from ..records import record

# Clones of large repositories over slow links take a while; a hung one must not stop
# the sweep. Commands on a local repository get git.py's shorter bound.
GIT_TIMEOUT_SECONDS = 900


def git(
    args: list[str],
    tree: Path | None = None,
    *,
    stdin: str | None = None,
    timeout: float | None = None,
) -> str:
    """Run git in the repository whose work tree is ``tree`` (None: in none, as for a
    clone); its standard output, or GitFailure with git's own reason."""
    repository: Repository | None = None
    if tree is not None:
        repository = repository_at(tree.absolute())
        if repository is None:
            raise GitFailure(f"{tree} is not a git repository (no .git)")
    if timeout is None:
        network = args[0] in NETWORK_COMMANDS
        timeout = GIT_TIMEOUT_SECONDS if network else LOCAL_TIMEOUT_SECONDS
    output = run_git(
        args,
        repository=repository,
        cwd=tree,
        stdin=None if stdin is None else stdin.encode("utf-8"),
        timeout=timeout,
    )
    return output.decode("utf-8", errors="replace")


@record
class RepoState:
    commit: str | None  # None in a repository without commits
    branch: str | None  # None when HEAD is detached
    changes: tuple[str, ...]  # files with changes git would commit, or untracked


def repository_state(repo: Path) -> RepoState:
    """Commit, branch and local changes from one ``git status`` (a sweep asks this of
    thousands of repositories). Raises GitFailure for a tree git cannot read.

    A submodule counts as changed when it stands at another commit, not for changes in
    its own work tree: seeing those would run git inside it, under the submodule's own
    config."""
    arguments = ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all"]
    output = git([*arguments, "--ignore-submodules=dirty"], repo).split("\0")
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
