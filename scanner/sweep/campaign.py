"""Fix campaigns: the fixes of one repository as one commit on a new local branch.

A repository with local changes (modified, staged or untracked files) is skipped, and so
is one that already has a branch of that name: the campaign never mixes its commit with
someone's work, nor moves a branch. The fixes are ``authsweep fix`` with the
repository's own configuration; when they change something, the branch is created where
the repository stands, the changed files are committed with a message that lists what
changed and what the deployment needs, and the branch stays checked out. Nothing is
pushed. No hook of the repository runs (git is run as ``scanner/git.py`` runs it: no
hooks folder, no configured hook, no filter, no signing program): a repository's hooks
are its author's programs, and the repository may be anyone's. If anything fails after
files were written, the files and the branch are put back as they were.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import __version__
from ..engine import RunOptions
from ..fixer import fix_paths
from ..fixes.outcome import FixOutcome
from ..options_file import ConfigError, ConfigResolver
from ..report.fix_summary import fix_summary
from .git import GitFailure, git, repository_state
from .scan import repository_configure

COMMITTED, NOTHING_TO_FIX, SKIPPED, FAILED = "committed", "nothing to fix", "skipped", "failed"
# Who the campaign's commits are by where git knows nobody (a CI runner, a fresh container),
# rather than git refusing to commit ("Please tell me who you are"). git's own settings
# (user.name and user.email, or GIT_AUTHOR_*/GIT_COMMITTER_*) choose another.
FALLBACK_IDENTITY = ("authsweep", "authsweep@localhost")
_OAUTH2_RULES = ("AS101", "AS102")


def branch_name_problem(name: str) -> str | None:
    """Why git would refuse ``name`` as a branch name, or None."""
    try:
        git(["check-ref-format", "--branch", name])
    except GitFailure:
        return f"{name!r} is not a valid git branch name"
    return None


def has_identity(tree: Path | None = None) -> bool:
    """Whether git has an identity to commit with in ``tree`` (``git var`` fails as ``git
    commit`` would)."""
    try:
        git(["var", "GIT_AUTHOR_IDENT"], tree)
        git(["var", "GIT_COMMITTER_IDENT"], tree)
    except GitFailure:
        return False
    return True


def _config_only(tree: Path) -> bool:
    try:
        return git(["config", "--get", "--bool", "user.useConfigOnly"], tree).strip() == "true"
    except GitFailure:  # not set
        return False


@contextmanager
def commit_identity(tree: Path) -> Iterator[bool]:
    """Commit as git's own identity if it has one; else as :data:`FALLBACK_IDENTITY`,
    through the environment variables git reads before its configuration, for the
    duration of the block only; never in a repository that asks for a configured identity
    (``user.useConfigOnly``: its commit fails, and the campaign undoes its fixes). Whether
    the fallback was used."""
    if has_identity(tree) or _config_only(tree):
        yield False
        return
    name, email = FALLBACK_IDENTITY
    fallback = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    saved = {key: os.environ.get(key) for key in fallback}
    os.environ.update(fallback)
    try:
        yield True
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def fix_repository(
    tree: Path, resolver: ConfigResolver, branch: str, *, unsafe: bool, jobs: int | None = None
) -> dict:
    """Fix one working tree onto ``branch``; what happened, as the sweep JSON records it."""
    state = repository_state(tree)
    changes = state.changes
    if changes:
        listed = ", ".join(changes[:5]) + (", ..." if len(changes) > 5 else "")
        return _result(SKIPPED, f"local changes ({listed}); commit or stash them first")
    try:
        git(["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], tree)
        return _result(SKIPPED, f"branch {branch} already exists")
    except GitFailure:
        pass
    if state.commit is None:
        return _result(SKIPPED, "the repository has no commits")
    start = state.branch or state.commit
    try:
        outcome = fix_paths(
            [str(tree)],
            RunOptions(),
            unsafe=unsafe,
            write=True,
            configure=repository_configure(resolver, tree),
            jobs=jobs,
        )
    except ConfigError as error:
        return _result(FAILED, f"bad configuration: {error}")
    except Exception as error:  # noqa: BLE001 - one repository must not end the campaign
        _undo(tree, start, None)
        return _result(FAILED, f"internal error: {error!r}; the fixes were undone")
    summary = _local_paths(fix_summary(outcome, written=True), tree)
    changed = list(repository_state(tree).changes)
    remaining = len(outcome.remaining)
    if not changed:
        return _result(NOTHING_TO_FIX, summary, remaining=remaining)
    message = commit_message(outcome, tree, unsafe, summary)
    try:
        git(["checkout", "--quiet", "-b", branch], tree)
        # Names on stdin: any number of them, and none read as an option.
        listed = "".join(f"{name}\0" for name in changed)
        git(["add", "--all", "--pathspec-from-file=-", "--pathspec-file-nul"], tree, stdin=listed)
        with commit_identity(tree) as fallback:
            git(
                ["commit", "--quiet", "--no-verify", "--no-gpg-sign", "--file", "-"],
                tree,
                stdin=message,
            )
        commit = git(["rev-parse", "HEAD"], tree).strip()
    except GitFailure as error:
        _undo(tree, start, branch)
        return _result(FAILED, f"{error}; the fixes were undone")
    applied = outcome.applied
    if fallback:
        name, email = FALLBACK_IDENTITY
        summary += f"\nCommitted as {name} <{email}>: git has no user identity here."
    return {
        **_result(COMMITTED, summary, remaining=remaining),
        "branch": branch,
        "commit": commit,
        "files": changed,
        "applied": dict(sorted(applied.items())),
    }


def _result(result: str, message: str, *, remaining: int | None = None) -> dict:
    return {"result": result, "message": message, "remaining": remaining}


def _undo(tree: Path, start: str, branch: str | None) -> None:
    """Back to where the campaign started: the tree was clean, so every change is ours."""
    try:
        git(["checkout", "--quiet", "--force", "--no-recurse-submodules", start], tree)
        if branch is not None:
            git(["branch", "--quiet", "-D", branch], tree)
    except GitFailure:
        pass  # the branch was never made


def _local_paths(text: str, tree: Path) -> str:
    """Paths in the fixer's summary relative to the repository, not to this machine or the
    folder authsweep runs in."""
    absolute = str(tree.absolute())
    text = text.replace(absolute + os.sep, "")
    relative = os.path.relpath(absolute)
    if relative != os.curdir and not relative.startswith(os.pardir):
        text = text.replace(relative + os.sep, "")
    return text


def commit_message(outcome: FixOutcome, tree: Path, unsafe: bool, summary: str) -> str:
    applied = outcome.applied
    if any(applied.get(rule) for rule in _OAUTH2_RULES):
        subject = "authsweep: authenticate Microsoft 365 mail with OAuth2 (XOAUTH2)"
    else:
        subject = "authsweep: fix Microsoft 365 mail TLS and port settings"
    command = "authsweep sweep --fix" + (" --unsafe-fixes" if unsafe else "")
    lines = [subject, "", f"Written by `{command}` (authsweep {__version__}).", "", "Changed:"]
    for file in sorted(outcome.files, key=lambda f: f.path):
        if not file.changed:
            continue
        path = os.path.relpath(os.path.abspath(file.path), tree.absolute())
        rules = ", ".join(f"{rule} x{n}" for rule, n in sorted(file.applied.items()))
        lines.append(f"- {Path(path).as_posix()}: {rules}")
    lines.append("")
    for paragraph in summary.splitlines():
        lines.append(
            textwrap.fill(paragraph, width=72, break_long_words=False, break_on_hyphens=False)
        )
    return "\n".join(lines) + "\n"
