"""The options ``check``, ``fix``, ``sweep`` and ``tenant`` declare alike, as types their
functions' parameters are annotated with (``Annotated[Optional[str], Option("--select",
...)]``): :mod:`.cli_params` builds click's options from them.

Only click's way in imports this module: the types are evaluated here, with ``typing``,
and :func:`.cli_params.click_command` reads a command's annotations with this module's
names in scope, so that a command run without click (``check``,
:mod:`authsweep.scanner.cli.fast`) names them for type checkers only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

from .cli_markers import Argument, Option

PathsArg = Annotated[
    Optional[list[str]],  # noqa: UP045 - read at run time (cli_params)
    Argument(
        metavar="PATH",
        help="Files or folders (default: the current folder); - or /dev/stdin for stdin.",
    ),
]
SelectOpt = Annotated[
    Optional[str],  # noqa: UP045
    Option(
        "--select", metavar="RULES", help="Comma-separated rule ids or prefixes to run (AS1,AS201)."
    ),
]
ExtendSelectOpt = Annotated[
    Optional[str],  # noqa: UP045
    Option(
        "--extend-select",
        metavar="RULES",
        help="Like --select, but adds these rules to the ones selected (configured or given).",
    ),
]
IgnoreOpt = Annotated[
    Optional[str],  # noqa: UP045
    Option("--ignore", metavar="RULES", help="Comma-separated rule ids or prefixes to skip."),
]
AllProvidersOpt = Annotated[
    bool,
    Option("--all-providers", help="Also report hosts known to be other providers."),
]
AssumeMicrosoftOpt = Annotated[
    bool,
    Option(
        "--assume-microsoft",
        help="Treat hosts the code does not name as Microsoft 365 (as the assume-microsoft "
        "setting does): reported as errors, and fix writes the XOAUTH2 rewrite for them.",
    ),
]
TargetOpt = Annotated[
    Optional[str],  # noqa: UP045
    Option(
        "--target",
        metavar="TARGET",
        help="What the OAuth2 fix of a password login sends through: xoauth2 (SMTP AUTH, the "
        "default) or graph (Microsoft Graph sendMail, for tenants that refuse SMTP AUTH); "
        "as the target setting.",
    ),
]
ConfigOpt = Annotated[
    Optional[Path],  # noqa: UP045
    Option(
        "--config",
        metavar="FILE",
        dir_okay=False,
        help="Read settings from this TOML file instead of the nearest pyproject.toml.",
    ),
]
StdinNameOpt = Annotated[
    Optional[str],  # noqa: UP045
    Option("--stdin-filename", metavar="PATH", help="The path to report for code read from stdin."),
]
OutputFileOpt = Annotated[
    Optional[Path],  # noqa: UP045
    Option(
        "--output-file",
        "-o",
        metavar="FILE",
        help="Write the report here; the terminal still shows text.",
    ),
]
ExitZeroOpt = Annotated[
    bool, Option("--exit-zero", help="Exit 0 even with findings or unchecked files.")
]
BaselineOpt = Annotated[
    Optional[Path],  # noqa: UP045
    Option(
        "--baseline", metavar="FILE", help="Findings in this baseline file do not fail the run."
    ),
]
FailOnOpt = Annotated[
    Optional[str],  # noqa: UP045
    Option(
        "--fail-on",
        metavar="SEVERITY",
        help="Lowest severity that fails the run: error, warning (default) or info.",
    ),
]
MaxFileSizeOpt = Annotated[
    Optional[str],  # noqa: UP045
    Option(
        "--max-file-size",
        metavar="SIZE",
        help="Larger files are not checked and fail the run (default 8MB; 0: no limit).",
    ),
]
ChangedSinceOpt = Annotated[
    Optional[str],  # noqa: UP045
    Option(
        "--changed-since",
        metavar="REV",
        help="Only files changed since this git revision (and uncommitted ones).",
    ),
]
OutputFormatOpt = Annotated[
    Optional[str],  # noqa: UP045
    Option(
        "--output-format",
        metavar="LAYOUT",
        help="Text layout: full (default), concise or grouped.",
    ),
]
ShowFixesOpt = Annotated[
    bool, Option("--show-fixes", help="Show each fix: what it changes, or what was fixed.")
]
QuietOpt = Annotated[
    bool, Option("--quiet", "-q", help="Print findings only: no summary, no progress.")
]
ColorOpt = Annotated[
    Optional[str],  # noqa: UP045
    Option(
        "--color",
        metavar="WHEN",
        help="Colour: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces it), always, never.",
    ),
]
NoColorOpt = Annotated[bool, Option("--no-color", help="Same as --color never.")]
JobsOpt = Annotated[
    Optional[int],  # noqa: UP045
    Option(
        "--jobs", "-j", min=1, metavar="N", help="Worker processes for large runs (default: CPUs)."
    ),
]
CacheDirOpt = Annotated[
    Optional[Path],  # noqa: UP045
    Option(
        "--cache-dir",
        metavar="DIR",
        help="Where to cache results (default: .authsweep_cache at the project root, or "
        "$AUTHSWEEP_CACHE_DIR).",
    ),
]
NoCacheOpt = Annotated[bool, Option("--no-cache", help="Neither read nor write the result cache.")]


ExitNonZeroOnFixOpt = Annotated[
    bool,
    Option(
        "--exit-non-zero-on-fix",
        help="Exit 1 if any file was changed, even when nothing that fails the run is left.",
    ),
]
UnsafeFixesOpt = Annotated[
    bool, Option("--unsafe-fixes", help="Also apply fixes that change behaviour.")
]
