"""Every git command authsweep runs, with nothing a repository says able to run a program.

A scanned tree is hostile input, and so is every ``.git`` in it: its config, its hooks and
its attributes belong to whoever prepared the tree. git runs programs named there (the
fsmonitor hook on ``git status`` and ``git ls-files``, hooks on a commit or a checkout,
filter drivers when it hashes or writes a file, ...). Every git command authsweep runs
goes through :func:`run_git`, which switches each of them off:

- on the command line, which git reads after every config file (system, user,
  repository, includes), so its value wins: :data:`SWITCHED_OFF`, and each driver and
  configured hook the effective config names (``filter.<name>.*``, ``diff.<name>.*``,
  ``merge.<name>.driver``, ``hook.<name>.command``), emptied or disabled;
- in the environment, which git reads before config where both exist: no editor, no
  pager, no terminal prompt, no transport at all for a command that works on a local
  repository (so no lazy fetch of a partial clone), ssh in batch mode;
- by pinning the repository: ``--git-dir`` and ``--work-tree`` name the ``.git`` and
  the folder authsweep found, so ``core.worktree`` cannot point the command at another
  folder, and ``--literal-pathspecs``, ``--no-pager`` and ``--no-optional-locks`` (a
  read does not rewrite the index).

docs/security.md lists each setting with where git would run it.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .records import record

# A command that waits on nothing but the disk; clones and fetches pass their own bound.
LOCAL_TIMEOUT_SECONDS = 120.0
_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")

# Config keys that name a program git runs, each with the value that stops it, in a form
# old and new git read alike (an empty core.fsmonitor is "off" to both; "false" would be
# a program's name to git 2.35 and older).
SWITCHED_OFF: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", ""),  # the fsmonitor hook: status, ls-files, diff, add, checkout
    ("core.hooksPath", os.devnull),  # no hooks folder, so no hook of any event runs
    ("core.askPass", ""),  # asked for a password (GIT_ASKPASS, the user's, still wins)
    ("core.alternateRefsCommand", ""),  # run to list the refs of an alternate repository
    ("diff.external", ""),  # an external diff program
    ("commit.gpgSign", "false"),  # gpg.program / gpg.<format>.program on commit
    ("tag.gpgSign", "false"),
    ("log.showSignature", "false"),  # gpg.program to verify
    ("gc.auto", "0"),  # automatic gc after a commit: its pre-auto-gc hook, gc.*Hook
    ("maintenance.auto", "false"),
    ("submodule.recurse", "false"),  # a submodule's own config would apply inside it
    ("fetch.recurseSubmodules", "false"),
    ("protocol.ext.allow", "never"),  # ext:: URLs are shell commands
    ("safe.bareRepository", "explicit"),  # no bare repository found by walking up
    ("help.autoCorrect", "0"),  # never run a "did you mean" command
)
# Helpers a repository's config may add for credentials; reset, except for commands that
# reach a remote (clone, fetch), which need the user's own.
_NO_CREDENTIAL_HELPER = ("credential.helper", "")
# Driver settings named by a config subsection (``filter.<name>.clean``): every name the
# effective config defines gets these, empty (an empty filter or diff command is none).
DRIVER_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "filter": (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false")),
    "diff": (("command", ""), ("textconv", "")),
    "merge": (("driver", ""),),
    # Configured hooks (git 2.54): hook.<name>.command runs on hook.<name>.event.
    "hook": (("enabled", "false"),),
}
# Commands that neither convert file content nor fire a hook: no driver to switch off.
_NO_DRIVERS = frozenset({"check-ref-format", "config", "ls-files", "rev-parse"})
# Commands that reach a remote: the transports stay allowed (ext:: never is).
NETWORK_COMMANDS = frozenset({"clone", "fetch"})


class GitFailure(Exception):
    """A git command that failed or could not run; the message is safe to show and
    record (git's own reason, credentials in URLs masked)."""


def redact(text: str) -> str:
    """``https://user:token@host/...`` as ``https://***@host/...``."""
    return _CREDENTIALS.sub("***@", text)


@record
class Repository:
    """A work tree and the git directory that holds its history."""

    top: Path
    git_dir: Path


def repository_at(top: Path) -> Repository | None:
    """The repository whose work tree is ``top``: its ``.git`` folder, or the folder a
    ``.git`` file names (``gitdir: ...``, a linked work tree or a submodule); None when
    ``top`` has neither."""
    marker = top / ".git"
    try:
        if marker.is_dir():
            return Repository(top, marker)
        if not marker.is_file():
            return None
        with open(marker, "rb") as handle:
            text = handle.read(4096).decode("utf-8", errors="replace").strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text[len("gitdir:") :].strip())
    return Repository(top, target if target.is_absolute() else top / target)


def enclosing_repository(folder: Path) -> Repository | None:
    """The repository ``folder`` is in: the nearest folder at or above it with a
    ``.git``, as git itself looks (None when there is none)."""
    for candidate in (folder, *folder.parents):
        if os.path.exists(candidate / ".git"):
            return repository_at(candidate)
    return None


def _environment(network: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GIT_TERMINAL_PROMPT="0",  # a private repository fails instead of waiting
        GIT_EDITOR=":",  # git's own "no editor" (the environment beats core.editor)
        GIT_SEQUENCE_EDITOR=":",
        GIT_PAGER="cat",
        LC_ALL="C",  # messages as recorded in reports: one language
    )
    if not network:
        # No transport at all: a partial clone's lazy fetch (or anything else a local
        # command might reach a remote for) cannot run an ext:: or ssh command.
        env["GIT_ALLOW_PROTOCOL"] = ""
        env["GIT_NO_LAZY_FETCH"] = "1"
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")  # beats core.sshCommand
    return env


def _options(settings: Sequence[tuple[str, str]]) -> list[str]:
    options: list[str] = []
    for key, value in settings:
        options += ["-c", f"{key}={value}"]
    return options


def _base(repository: Repository | None, network: bool) -> list[str]:
    settings = list(SWITCHED_OFF)
    if not network:
        settings.append(_NO_CREDENTIAL_HELPER)
    command = ["git", "--no-pager", "--literal-pathspecs", "--no-optional-locks"]
    command += _options(settings)
    if repository is not None:
        command += [f"--git-dir={repository.git_dir}", f"--work-tree={repository.top}"]
    return command


def _driver_settings(repository: Repository | None, cwd: Path | None) -> list[tuple[str, str]]:
    """Every driver and configured hook the effective config names, switched off."""
    arguments = ["config", "-z", "--name-only", "--get-regexp", _DRIVERS]
    # Exit code 1: no such key.
    listed = _execute(_base(repository, False), arguments, cwd, None, LOCAL_TIMEOUT_SECONDS, (0, 1))
    settings: list[tuple[str, str]] = []
    names: set[tuple[str, str]] = set()
    for raw in listed.split(b"\0"):
        key = os.fsdecode(raw)
        section, _, rest = key.partition(".")
        subsection = rest.rpartition(".")[0]
        if not subsection or (section, subsection) in names:
            continue
        if "=" in subsection or "\n" in subsection:
            # `-c` splits at the first "=": the override could not name this driver.
            raise GitFailure(f"git config names a driver git cannot be told to skip: {key!r}")
        names.add((section, subsection))
        for name, value in DRIVER_KEYS[section]:
            settings.append((f"{section}.{subsection}.{name}", value))
    return settings


_DRIVERS = r"^(" + "|".join(DRIVER_KEYS) + r")\..*\."


def run_git(
    args: Sequence[str],
    *,
    repository: Repository | None = None,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    timeout: float = LOCAL_TIMEOUT_SECONDS,
) -> bytes:
    """Run ``git ARGS`` (in ``repository`` when given, from ``cwd``) with nothing of the
    repository's able to run; its standard output, or GitFailure with git's reason."""
    command = _base(repository, args[0] in NETWORK_COMMANDS)
    if args[0] not in _NO_DRIVERS:
        command += _options(_driver_settings(repository, cwd))
    return _execute(command, args, cwd, stdin, timeout)


def _execute(
    command: list[str],
    args: Sequence[str],
    cwd: Path | None,
    stdin: bytes | None,
    timeout: float,
    success: tuple[int, ...] = (0,),
) -> bytes:
    name = args[0]
    try:
        result = subprocess.run(
            [*command, *args],
            cwd=cwd,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            env=_environment(name in NETWORK_COMMANDS),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitFailure(f"git {name} took longer than {timeout:.0f} s") from None
    except OSError as error:
        raise GitFailure(f"cannot run git: {error.strerror}") from None
    if result.returncode not in success:
        stderr = result.stderr.decode("utf-8", errors="replace")
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        # git says what went wrong in "fatal:"/"error:" lines; others are progress and hints.
        said = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines[-2:]
        reason = " ".join(said) if said else f"exit code {result.returncode}"
        raise GitFailure(redact(f"git {name}: {reason}"))
    return result.stdout
