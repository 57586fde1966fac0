"""What ``check`` and ``fix`` share: configuration, stdin, colour, the progress bar and
git (their options are declared in :mod:`.cli_declared`). Nothing here is imported at
module level beyond the standard library's basics, not even click or ``typing`` (``check``
runs without them, :mod:`authsweep.scanner.cli.fast`): ``rules``, ``lab`` and ``tenant``
use it too, and ``authsweep --help`` imports every command. Its functions import what they
use, each marked ``# start-up``."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import NoReturn, TextIO

    from .git import Repository
    from .options_file import ConfigResolver

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# A progress bar is only worth its flicker on runs over this many files.
PROGRESS_MIN_FILES = 100
# Fixing costs several analyses a file: a bar is worth it sooner.
FIX_PROGRESS_MIN_FILES = 10
SEVERITIES = ("error", "warning", "info")
FORMATS = ("text", "json", "sarif", "github", "markdown")  # `check --format`
# How the text report lays findings out (`--output-format`), as Ruff's formats of these names.
LAYOUTS = ("full", "concise", "grouped")
COLOR_CHOICES = ("auto", "always", "never")
# pre-commit sets this in every hook's environment (pre_commit/commands/run.py).
PRE_COMMIT_ENV = "PRE_COMMIT"
# How a summary tells to apply fixes (safe, unsafe). Under pre-commit `authsweep` may not
# be on PATH (the hook's own environment), so the hooks of .pre-commit-hooks.yaml are named.
FIX_COMMANDS = ("authsweep fix", "authsweep fix --unsafe-fixes")
PRE_COMMIT_FIX_COMMANDS = (
    "pre-commit run authsweep-fix",
    "pre-commit run authsweep-fix-unsafe --hook-stage manual",
)


def usage_error(message: str) -> NoReturn:
    # start-up: click only for a run that ends on an error
    import click

    _say(f"authsweep: error: {message}")
    raise click.exceptions.Exit(EXIT_ERROR)


def warn(message: str) -> None:
    _say(f"authsweep: warning: {message}")


def internal_error(error: BaseException) -> NoReturn:
    # start-up: click only for a run that ends on an error
    import click

    _say(f"authsweep: internal error: {error!r}")
    raise click.exceptions.Exit(EXIT_ERROR)


def _say(line: str) -> None:
    """One line on stderr; what it quotes from a scanned tree (paths, configuration
    values) cannot act on the terminal."""
    # start-up: click only for a run that says something on stderr
    import click

    # start-up
    from .report.visible import visible

    click.echo(visible(line), err=True)


def codes(text: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (text or "").split(",") if c.strip())


def choice(option: str, value: str | None, choices: tuple[str, ...]) -> str | None:
    """``value`` if it is one of ``choices`` (None stays None), else a usage error."""
    if value is None or value in choices:
        return value
    usage_error(f"{option}: {value!r} is not one of {', '.join(choices)}")


def make_resolver(
    select: str | None,
    ignore: str | None,
    all_providers: bool,
    config: Path | None,
    fail_on: str | None,
    max_file_size: str | None,
    assume_microsoft: bool = False,
    extend_select: str | None = None,
    target: str | None = None,
) -> ConfigResolver:
    """Configuration files and command-line options, checked: bad ones end the run (exit 2)."""
    # start-up
    from .engine import TARGETS
    from .options_file import ConfigError, ConfigResolver, Overrides, parse_size, selector_problem

    for option, value in (
        ("--select", select),
        ("--extend-select", extend_select),
        ("--ignore", ignore),
    ):
        for code in codes(value):
            problem = selector_problem(code)
            if problem:
                usage_error(f"{option}: {problem}")
    choice("--fail-on", fail_on, SEVERITIES)
    choice("--target", target, TARGETS)
    size = None
    if max_file_size is not None:
        try:
            size = parse_size(max_file_size)
        except ValueError as error:
            usage_error(f"--max-file-size: {error}")
    overrides = Overrides(
        codes(select),
        codes(ignore),
        all_providers,
        fail_on,
        size,
        assume_microsoft,
        extend_select=codes(extend_select),
        target=target,
    )
    try:
        return ConfigResolver(overrides, config)
    except ConfigError as error:
        usage_error(str(error))


def use_color(when: str | None, no_color: bool, stream: TextIO) -> bool:
    """Whether to colour ``stream``, in CPython's own order: an explicit choice, then
    NO_COLOR, then FORCE_COLOR, then a dumb terminal, then whether it is a terminal."""
    when = choice("--color", when, COLOR_CHOICES)
    if when == "always":
        return True
    if when == "never" or no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def under_pre_commit() -> bool:
    return os.environ.get(PRE_COMMIT_ENV) == "1"


def fix_commands() -> tuple[str, str]:
    return PRE_COMMIT_FIX_COMMANDS if under_pre_commit() else FIX_COMMANDS


def reads_stdin(paths: list[str]) -> bool:
    """Whether the run reads stdin (``-``, ``/dev/stdin``); it must then be the only path."""
    # start-up
    from .discover import STDIN_NAMES

    named = [p for p in paths if p in STDIN_NAMES]
    if named and len(paths) > 1:
        usage_error(f"{named[0]} (stdin) cannot be combined with other paths")
    return bool(named)


def read_stdin(display: str, limit: int):
    """Stdin's bytes, or the error that says why they are not checked."""
    # start-up
    from .engine import too_large

    data = sys.stdin.buffer.read()
    return data, too_large(display, len(data), limit)


def cache_folder(paths: list[str], no_cache: bool, cache_dir: Path | None) -> Path | None:
    """Where the result cache is (None: no cache). A cache folder that is a symbolic link
    (say, committed in the tree being checked) is not used: the cache never follows one."""
    # start-up
    from .cache import CACHE_FOLDER, linked_folder, project_root

    if no_cache:
        return None
    if cache_dir is not None:
        folder = cache_dir
    elif os.environ.get("AUTHSWEEP_CACHE_DIR"):
        folder = Path(os.environ["AUTHSWEEP_CACHE_DIR"])
    else:
        folder = project_root(paths, Path.cwd()) / CACHE_FOLDER
    if linked_folder(folder):
        warn(f"{folder} is a symbolic link; running without the cache (it follows no link)")
        return None
    return folder


def nothing_checked(paths: list[str], changed_since: str | None, kinds: str = "") -> str:
    """Why a run checked no file: nothing changed since the revision, or nothing of a
    kind authsweep reads."""
    where = " ".join(paths)
    if changed_since:
        return f"nothing changed since {changed_since} in {where} (no file to check)"
    return f"no files checked in {where}" + (f": authsweep reads {kinds}" if kinds else "")


class GitError(Exception):
    """git could not say which files changed."""


def changed_files(rev: str, paths: list[str], cwd: Path) -> set[str]:
    """Absolute paths of files changed since ``rev`` in the repositories holding ``paths``:
    commits since the merge base (``rev...HEAD``), staged and unstaged changes, and new
    files git does not ignore. ``rev`` must name a commit in each of them."""
    # start-up: git (subprocess) only for --changed-since
    from .git import enclosing_repository

    repositories: dict[Path, Repository] = {}
    for given in paths:
        path = Path(os.path.abspath(cwd / given))
        repository = enclosing_repository(path if path.is_dir() else path.parent)
        if repository is None:
            raise GitError(f"{given} is not in a git repository")
        repositories[repository.top] = repository
    changed: set[str] = set()
    for top, repository in sorted(repositories.items()):
        since = _commit(rev, repository)
        # Names only: no diff program, no text conversion, nothing run inside submodules.
        diff = ["diff", "--name-only", "-z", "--no-ext-diff", "--no-textconv"]
        diff.append("--ignore-submodules=dirty")
        for args in (
            [*diff, f"{since}...HEAD", "--"],
            [*diff, "HEAD", "--"],
            ["ls-files", "--others", "--exclude-standard", "-z"],
        ):
            for name in _git(args, repository).split("\0"):
                if name:
                    changed.add(os.path.join(top, name))
    return changed


def _commit(rev: str, repository: Repository) -> str:
    """The commit ``rev`` names in ``repository``, checked as a revision (never read as an
    option of git's), or GitError."""
    try:
        return _git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
            repository,
        ).strip()
    except GitError:
        raise GitError(f"{rev!r} is not a commit in {repository.top}") from None


def _git(args: list[str], repository: Repository) -> str:
    # start-up: git (subprocess) only for --changed-since
    from .git import GitFailure, run_git

    try:
        output = run_git(args, repository=repository, cwd=repository.top)
    except GitFailure as error:
        raise GitError(f"{error} (in {repository.top})") from None
    return output.decode("utf-8", errors="replace")


def configure_for(resolver: ConfigResolver, changed: set[str] | None):
    """Each file's settings (None: left out, by its configuration or --changed-since)."""

    def configure(source):
        if changed is not None and os.path.abspath(source.path) not in changed:
            return None
        return resolver.configure(source.path)

    return configure


class ProgressBar:
    """A progress bar on stderr, started once a stage of the run turns out to cover many
    files (rich is imported only then)."""

    def __init__(self, minimum: dict[str, int] | None = None) -> None:
        self._minimum = minimum or {}
        self._progress = None
        self._task = None
        self._stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self.close()
            self._stage = stage
            if total < self._minimum.get(stage, PROGRESS_MIN_FILES):
                return
            # start-up: rich only for what a terminal shows
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._progress = Progress(
                stage,
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(stage, total=total)
        if self._progress is not None:
            self._progress.update(self._task, completed=done)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


@contextmanager
def run_failures(progress: ProgressBar | None) -> Iterator[None]:
    """A run's failures as the command line reports them: a bad configuration or baseline
    and a failing ``--changed-since`` are usage errors, anything else an internal error
    (exit 2, not a traceback); the progress bar is closed either way."""
    # start-up
    from .baseline import BaselineError
    from .options_file import ConfigError

    try:
        yield
    except (ConfigError, BaselineError) as error:
        usage_error(str(error))
    except GitError as error:
        usage_error(f"--changed-since: {error}")
    except Exception as error:  # noqa: BLE001
        internal_error(error)
    finally:
        if progress is not None:
            progress.close()


def progress_bar(quiet: bool, minimum: dict[str, int] | None = None) -> ProgressBar | None:
    if quiet or not (sys.stderr.isatty() and sys.stdout.isatty()):
        return None
    return ProgressBar(minimum)


def fail_on_check(resolver: ConfigResolver, cwd: Path):
    """Whether a finding fails the run: its severity against the fail-on of its file."""
    # start-up
    from .options_file import fails

    def failing(finding) -> bool:
        return fails(finding.severity.value, resolver.fail_on(cwd / finding.path))

    return failing
