"""``authsweep sweep`` and ``authsweep merge``: thin commands over the sweep package.

Only click is imported here at module level, so registering these commands does not
slow ``authsweep check`` down (what the commands run is imported in their functions, each
marked ``# start-up``). Exit codes as ``check``: 0 nothing reported, 1 findings
or something that could not be checked (``sweep``), 2 bad usage, bad input or a merge
that was refused.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import click

from ..cli_common import (
    EXIT_FINDINGS,
    make_resolver,
    usage_error,
    warn,
)
from ..cli_declared import (
    AllProvidersOpt,
    IgnoreOpt,
    OutputFileOpt,
    SelectOpt,
)
from ..cli_params import Argument, Option

DEFAULT_WORK_DIR = ".authsweep_repos"
DEFAULT_CACHE_DIR = ".authsweep_cache"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"
    html = "html"


FormatOpt = Annotated[
    ReportFormat,
    Option(
        "--format", metavar="FORMAT", help="Report format (html: one static file to pass round)."
    ),
]
PreviousOpt = Annotated[
    Optional[Path],  # noqa: UP045
    Option(
        "--previous",
        metavar="FILE",
        help="The previous sweep's JSON: report what is new, fixed and remaining since.",
        dir_okay=False,
    ),
]
TenantReportOpt = Annotated[
    Optional[list[Path]],  # noqa: UP045
    Option(
        "--tenant-report",
        metavar="FILE",
        dir_okay=False,
        help="The tenant's SMTP AUTH clients report or an Entra sign-in log export, matched "
        "to the findings in a section of the report (as `authsweep tenant match`).",
    ),
]


def _read_tenant_reports(paths: list[Path] | None):
    """The reports read before the sweep starts, so a bad one stops it at once."""
    if not paths:
        return None
    # start-up
    from ..tenant.reports import ReportError
    from .tenant_section import read_reports

    try:
        return read_reports(paths)
    except ReportError as error:
        usage_error(f"--tenant-report: {error}")


def _add_tenant(document: dict, evidence, source: str) -> None:
    if evidence is None:
        return
    # start-up
    from ..tenant.inventory import InventoryError
    from .tenant_section import add_tenant_match

    try:
        add_tenant_match(document, evidence, source)
    except InventoryError as error:
        usage_error(f"--tenant-report: {error}")


QuietOpt = Annotated[
    bool, Option("--quiet", "-q", help="No summary and no progress bar on the terminal.")
]


def _previous(path: Path | None) -> dict | None:
    # start-up
    from .document import SweepDocumentError, load_document

    if path is None:
        return None
    try:
        return load_document(path)
    except SweepDocumentError as error:
        usage_error(f"--previous: {error}")


def _write_reports(
    document: dict, fmt: ReportFormat, output_file: Path | None, base: Path, quiet: bool
) -> None:
    # start-up
    from .render import render_document

    if output_file is not None:
        try:
            output_file.write_text(render_document(document, fmt.value, base), encoding="utf-8")
        except OSError as error:
            usage_error(f"cannot write {output_file}: {error.strerror}")
        if quiet:
            return
        fmt = ReportFormat.text
    if fmt is ReportFormat.text and quiet:
        return
    sys.stdout.write(render_document(document, fmt.value, base))


class _Progress:
    """Repositories done, on stderr, for a terminal only."""

    def __init__(self) -> None:
        # start-up: rich only for what a terminal shows
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            "Sweeping",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            # A repository's name is text, not rich markup ("[/]" in a name would fail).
            TextColumn("{task.description}", markup=False),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = None

    def __call__(self, done: int, total: int, name: str) -> None:
        if self._task is None:
            self._progress.start()
            self._task = self._progress.add_task(name, total=total)
        self._progress.update(self._task, completed=done, description=name)

    def close(self) -> None:
        self._progress.stop()


def sweep(
    source: Annotated[
        Path,
        Argument(
            metavar="SOURCE",
            help="A folder of repositories (checked in place) or a file listing git remotes.",
        ),
    ],
    shard: Annotated[
        Optional[str],  # noqa: UP045
        Option("--shard", metavar="K/N", help="Only the K-th of N size-balanced shards (1-based)."),
    ] = None,
    work_dir: Annotated[
        Path,
        Option("--work-dir", metavar="DIR", help="Where listed repositories are cloned and kept."),
    ] = Path(DEFAULT_WORK_DIR),
    output_format: FormatOpt = ReportFormat.text,
    output_file: OutputFileOpt = None,
    previous: PreviousOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    all_providers: AllProvidersOpt = False,
    config: Annotated[
        Optional[Path],  # noqa: UP045
        Option(
            "--config",
            metavar="FILE",
            help="One TOML configuration for every repository.",
            dir_okay=False,
        ),
    ] = None,
    fix: Annotated[
        bool,
        Option("--fix", help="Commit the fixes on a new local branch per repository."),
    ] = False,
    unsafe_fixes: Annotated[
        bool, Option("--unsafe-fixes", help="With --fix: also the OAuth2 rewrite.")
    ] = False,
    branch: Annotated[
        Optional[str],  # noqa: UP045
        Option(
            "--branch",
            metavar="NAME",
            help="With --fix: the branch to create (nothing is pushed).",
        ),
    ] = None,
    jobs: Annotated[
        Optional[int],  # noqa: UP045
        Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Worker processes for large repositories (default: CPUs).",
        ),
    ] = None,
    cache_dir: Annotated[
        Optional[Path],  # noqa: UP045
        Option(
            "--cache-dir",
            metavar="DIR",
            help=f"Where to cache results (default: {DEFAULT_CACHE_DIR} here, or "
            "$AUTHSWEEP_CACHE_DIR).",
        ),
    ] = None,
    no_cache: Annotated[
        bool, Option("--no-cache", help="Neither read nor write the result cache.")
    ] = False,
    exit_zero: Annotated[
        bool, Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
    tenant_report: TenantReportOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Check every repository of a folder or a list of git remotes; one result each."""
    # start-up
    from .shards import parse_shard

    parsed_shard = None
    if shard is not None:
        try:
            parsed_shard = parse_shard(shard)
        except ValueError as error:
            usage_error(f"--shard: {error}")
        if previous is not None:
            usage_error("--previous compares whole sweeps: give it to `authsweep merge`")
    if fix != bool(branch):
        usage_error("--fix and --branch NAME go together")
    if unsafe_fixes and not fix:
        usage_error("--unsafe-fixes works with --fix --branch NAME")
    if branch is not None:
        # start-up
        from .campaign import branch_name_problem

        problem = branch_name_problem(branch)
        if problem:
            usage_error(f"--branch: {problem}")
        # start-up
        from .campaign import FALLBACK_IDENTITY, has_identity

        if not has_identity() and not quiet:  # said before the first commit, not after
            name, email = FALLBACK_IDENTITY
            warn(
                f"git has no user identity here: the campaign commits as {name} <{email}> "
                "where a repository sets none (set user.name and user.email, or "
                "GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL and GIT_COMMITTER_*, to choose another)"
            )
    resolver = make_resolver(select, ignore, all_providers, config, None, None)
    before = _previous(previous)
    evidence = _read_tenant_reports(tenant_report)
    if not no_cache and cache_dir is None:
        cache_dir = Path(os.environ.get("AUTHSWEEP_CACHE_DIR") or DEFAULT_CACHE_DIR)

    # start-up
    from .run import SweepOptions
    from .run import sweep as run_sweep
    from .sources import SourceError

    options = SweepOptions(
        source=source,
        work_dir=work_dir,
        resolver=resolver,
        shard=parsed_shard,
        jobs=jobs,
        cache_dir=None if no_cache else cache_dir.absolute() / "sweep",
        fix_branch=branch,
        unsafe_fixes=unsafe_fixes,
    )
    progress = _Progress() if sys.stderr.isatty() and not quiet else None
    try:
        document = run_sweep(options, progress)
    except SourceError as error:
        usage_error(str(error))
    finally:
        if progress is not None:
            progress.close()
    if before is not None:
        # start-up
        from .changes import add_changes

        add_changes(document, before)
    _add_tenant(document, evidence, str(source))
    if source.is_dir():
        base = source.parent if (source / ".git").exists() else source
    else:
        base = work_dir
    _write_reports(document, output_format, output_file, base.absolute(), quiet)
    summary = document["summary"]
    if (summary["findings"] or summary["errors"]) and not exit_zero:
        raise click.exceptions.Exit(EXIT_FINDINGS)


def merge(
    files: Annotated[
        list[Path],
        Argument(metavar="FILE", help="The shards' JSON (authsweep sweep --format json)."),
    ],
    output_format: FormatOpt = ReportFormat.text,
    output_file: OutputFileOpt = None,
    previous: PreviousOpt = None,
    tenant_report: TenantReportOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Join the JSON of a sweep's shards into one report."""
    # start-up
    from .document import SweepDocumentError, load_document, merge_documents

    before = _previous(previous)
    evidence = _read_tenant_reports(tenant_report)
    try:
        document = merge_documents([(str(path), load_document(path)) for path in files])
    except SweepDocumentError as error:
        usage_error(f"cannot merge: {error}")
    if before is not None:
        # start-up
        from .changes import add_changes

        add_changes(document, before)
    _add_tenant(document, evidence, ", ".join(str(path) for path in files))
    _write_reports(document, output_format, output_file, Path.cwd(), quiet)
