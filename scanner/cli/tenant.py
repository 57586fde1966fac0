"""``authsweep tenant plan`` and ``authsweep tenant match``: the admin's half of the
migration (scanner/tenant). Only click at module level: ``authsweep --help`` imports this
module, so its functions import the tenant modules they run, each marked ``# start-up``.

Exit codes: 0 done, 1 a file of the code could not be checked (the inventory may be
incomplete), 2 bad usage or an input that cannot be read.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import click

from ..cli_common import (
    EXIT_FINDINGS,
    make_resolver,
    usage_error,
)
from ..cli_declared import (
    PathsArg,
    TargetOpt,
)
from ..cli_params import CommandGroup, Option

tenant_app = CommandGroup(
    help="The tenant's half: what to set up for the code (plan), and the tenant's SMTP AUTH "
    "and sign-in reports matched to the code (match). authsweep never talks to a tenant.",
)


class PlanFormat(str, Enum):
    markdown = "markdown"
    powershell = "powershell"
    json = "json"


class MatchFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class SmtpRights(str, Enum):
    rbac = "rbac"
    mailbox_permission = "mailbox-permission"


SweepOpt = Annotated[
    Optional[Path],  # noqa: UP045 - read at run time (cli_params)
    Option(
        "--sweep",
        metavar="FILE",
        dir_okay=False,
        help="The JSON of `authsweep sweep --format json` (or of `check --format json`) "
        "instead of scanning PATHs.",
    ),
]
OutputFileOpt = Annotated[
    Optional[Path],  # noqa: UP045
    Option("--output-file", "-o", metavar="FILE", help="Write it here, not to stdout."),
]
ConfigOpt = Annotated[
    Optional[Path],  # noqa: UP045
    Option("--config", metavar="FILE", dir_okay=False, help="Configuration file to use."),
]


def _inventory(
    paths: list[str] | None, sweep: Path | None, config: Path | None, target: str | None = None
):
    """The code's mailboxes, whether every file could be checked, and the migration target
    (``--target``, else the configuration's, of the first path)."""
    # start-up
    from ..tenant.inventory import InventoryError, from_document, from_paths

    resolver = make_resolver(None, None, False, config, None, None, target=target)
    first = Path.cwd() / (paths[0] if paths else ".")
    chosen = resolver.settings(resolver.config_for(first)).target
    if sweep is not None:
        if paths:
            usage_error("give PATHs or --sweep FILE, not both")
        try:
            return from_document(sweep), True, chosen
        except InventoryError as error:
            usage_error(str(error))
    # start-up
    from ..cli_common import configure_for

    inventory, errors = from_paths(paths or ["."], configure_for(resolver, None), Path.cwd())
    for error in errors:
        click.echo(f"authsweep: not checked: {error.location}: {error.message}", err=True)
    return inventory, not errors, chosen


def _write(text: str, output_file: Path | None) -> None:
    if output_file is None:
        sys.stdout.write(text)
        return
    try:
        output_file.write_text(text, encoding="utf-8")
    except OSError as error:
        usage_error(f"cannot write {output_file}: {error.strerror}")


@tenant_app.command("plan")
def plan(
    paths: PathsArg = None,
    sweep: SweepOpt = None,
    output_format: Annotated[
        PlanFormat,
        Option(
            "--format",
            metavar="FORMAT",
            help="markdown (a checklist), powershell (a script that checks before it "
            "changes) or json.",
        ),
    ] = PlanFormat.markdown,
    output_file: OutputFileOpt = None,
    app_name: Annotated[
        str,
        Option("--app-name", metavar="NAME", help="The app registration's display name."),
    ] = "authsweep-mail",
    smtp_rights: Annotated[
        SmtpRights,
        Option(
            "--smtp-rights",
            metavar="HOW",
            help="rbac (the role Application SMTP.SendAsApp on a scope of the mailboxes) or "
            "mailbox-permission (SMTP.SendAsApp in Entra ID and FullAccess on each mailbox).",
        ),
    ] = SmtpRights.rbac,
    config: ConfigOpt = None,
    target: TargetOpt = None,
) -> None:
    """What the tenant must set up for the code: app, permissions, service principal,
    rights on exactly its mailboxes."""
    if not app_name.strip() or len(app_name) > 40 or any(not c.isprintable() for c in app_name):
        usage_error("--app-name: a printable name of at most 40 characters")
    # start-up
    from ..fixes.helpers import OAUTH2_ACCESS_TOKEN
    from ..tenant.plan import make_plan
    from ..tenant.plan_documents import plan_json, render_markdown
    from ..tenant.powershell import render_powershell

    inventory, complete, chosen = _inventory(paths, sweep, config, target)
    made = make_plan(
        inventory,
        app_name=app_name.strip(),
        smtp_rights=smtp_rights.value,
        helper_source=OAUTH2_ACCESS_TOKEN.source,
        target=chosen,
    )
    render = {
        PlanFormat.markdown: render_markdown,
        PlanFormat.powershell: render_powershell,
        PlanFormat.json: plan_json,
    }[output_format]
    _write(render(made), output_file)
    if not complete:
        raise click.exceptions.Exit(EXIT_FINDINGS)


@tenant_app.command("match")
def match(
    paths: PathsArg = None,
    smtp_auth_report: Annotated[
        Optional[list[Path]],  # noqa: UP045
        Option(
            "--smtp-auth-report",
            metavar="FILE",
            dir_okay=False,
            help="The SMTP AUTH clients report exported from the Exchange admin center (CSV), "
            "or a historical search's; more than once for several.",
        ),
    ] = None,
    sign_ins: Annotated[
        Optional[list[Path]],  # noqa: UP045
        Option(
            "--sign-ins",
            metavar="FILE",
            dir_okay=False,
            help="An Entra sign-in log export (CSV or JSON); more than once for several.",
        ),
    ] = None,
    sweep: SweepOpt = None,
    output_format: Annotated[
        MatchFormat, Option("--format", metavar="FORMAT", help="text, json or markdown.")
    ] = MatchFormat.text,
    output_file: OutputFileOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Each mailbox of the tenant's reports and of the code, on one line: basic auth and
    the code that does it, basic auth and no code, code and no sign-in, already OAuth."""
    if not smtp_auth_report and not sign_ins:
        usage_error("give --smtp-auth-report FILE and/or --sign-ins FILE")
    # start-up
    from ..tenant.matching import match as join
    from ..tenant.matching import render_json, render_markdown, render_text

    evidence = read_evidence(smtp_auth_report or [], sign_ins or [])
    inventory, complete, _ = _inventory(paths, sweep, config)
    render = {
        MatchFormat.text: render_text,
        MatchFormat.json: render_json,
        MatchFormat.markdown: render_markdown,
    }[output_format]
    _write(render(join(inventory, evidence)), output_file)
    if not complete:
        raise click.exceptions.Exit(EXIT_FINDINGS)


def read_evidence(smtp_reports: list[Path], sign_in_logs: list[Path]):
    """The reports read into one Evidence; a bad one ends the run (exit 2, its reason)."""
    # start-up
    from ..tenant.reports import Evidence, ReportError, read_sign_ins, read_smtp_auth_report

    evidence = Evidence()
    try:
        for path in smtp_reports:
            read_smtp_auth_report(path, evidence)
        for path in sign_in_logs:
            read_sign_ins(path, evidence)
    except ReportError as error:
        usage_error(str(error))
    return evidence
