"""``authsweep rules`` and ``authsweep explain``: the rule catalog and one rule's docs.

On a terminal they are drawn with rich (a table, rendered Markdown); written to a file
or a pipe they are plain text that is never cut to a terminal's width: aligned columns
for ``rules``, the Markdown source for ``explain``, and ``rules --format json`` for tools.

``authsweep --help`` imports this module to list the commands, so rich, the rule catalog
and the rule docs are imported by the functions that use them, each marked ``# start-up``.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

from ..cli_common import usage_error, use_color
from ..cli_params import Argument, Option

RULE_FORMATS = ("text", "json", "markdown")


def list_rules(
    output_format: Annotated[
        Optional[str],  # noqa: UP045 - read at run time (cli_params)
        Option(
            "--format",
            metavar="FORMAT",
            help="text (default), json, or markdown (the README's rule table).",
        ),
    ] = None,
) -> None:
    """List every rule: id, name, severity, whether it can fix, what it flags."""
    # start-up
    from authsweep.rules import ALL_RULES

    fmt = output_format or "text"
    if fmt not in RULE_FORMATS:
        usage_error(f"--format: {fmt!r} is not one of {', '.join(RULE_FORMATS)}")
    # report.docs only once the command runs: the report package loads the engine.
    from ..report.docs import TABLE_COLUMNS as COLUMNS
    from ..report.docs import fix_kind, rule_markdown, rule_rows, rule_table

    if fmt == "markdown":
        sys.stdout.write(rule_table(ALL_RULES))
        return
    if fmt == "json":
        rows = [
            {
                "id": rule.id,
                "name": rule.name,
                "severity": rule.severity.value,
                "fix": fix_kind(rule),
                "summary": rule.summary,
                "explanation": rule_markdown(rule),
                "references": list(rule.references),
            }
            for rule in ALL_RULES
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    rows = rule_rows(ALL_RULES)
    if not sys.stdout.isatty():
        widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS) - 1)]
        for row in [COLUMNS, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
            sys.stdout.write("  ".join([*cells, row[-1]]).rstrip() + "\n")
        return
    # start-up: rich only for what a terminal shows
    from rich.table import Table

    table = Table(title="authsweep rules")
    for column in COLUMNS:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    _console().print(table)


def explain(
    rule: Annotated[str, Argument(metavar="RULE", help="A rule id or name, e.g. AS101.")],
) -> None:
    """Show a rule's documentation: what, why, examples, the fix and its safety."""
    # start-up
    from authsweep.rules import rule_by_id

    # start-up
    from ..report.docs import rule_markdown

    found = rule_by_id(rule)
    if found is None:
        usage_error(f"unknown rule {rule!r}; `authsweep rules` lists them")
    text = rule_markdown(found)
    if not sys.stdout.isatty():
        sys.stdout.write(text)
        return
    # start-up: rich only for what a terminal shows
    from rich.markdown import Markdown

    _console().print(Markdown(text))


def _console():
    # start-up: rich only for what a terminal shows
    from rich.console import Console

    colored = use_color(None, False, sys.stdout)
    return Console(force_terminal=colored, no_color=not colored, highlight=False)
