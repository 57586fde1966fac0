"""The reports of a sweep document: text for the terminal, JSON, and, through ``check``'s
own writers, SARIF and Markdown (with the repositories' status and the burn-down added to
the Markdown); the HTML report is in ``html``."""

from __future__ import annotations

import json
from pathlib import Path

from ..report.counts import plural
from ..report.options import ReportOptions
from ..report.visible import visible
from .changes import changes_sentence
from .document import run_result
from .html import changed_rows, render_html
from .status import CLEAN, LABELS, STATUSES

FORMATS = ("text", "json", "sarif", "markdown", "html")


def render_document(document: dict, output_format: str, base: Path) -> str:
    """``document`` in ``output_format``; ``base`` is the folder the findings' paths are
    relative to (links and SARIF locations start there)."""
    if output_format == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output_format == "sarif":
        from ..report.sarif import render_sarif  # start-up: difflib and the rule docs

        return render_sarif(run_result(document), ReportOptions(cwd=base))
    if output_format == "markdown":
        return render_markdown(document, base)
    if output_format == "html":
        return render_html(document)
    return render_text(document)


def status_counts(document: dict) -> str:
    by_status = document["summary"]["by_status"]
    parts = [f"{by_status[s]} {LABELS[s]}" for s in reversed(STATUSES) if by_status.get(s)]
    return ", ".join(parts) or "nothing"


def render_text(document: dict) -> str:
    """One line per repository that is not clean (with its fix campaign result), and a
    summary line. Names, reasons and messages come from repositories and git: their control
    characters are shown, not sent to the terminal."""
    repositories = document["sweep"]["repositories"]
    width = max((len(LABELS[r["status"]]) for r in repositories), default=0)
    name_width = max((len(r["name"]) for r in repositories), default=0)
    lines = []
    for repository in repositories:
        fix = repository.get("fix")
        if repository["status"] == CLEAN and not (fix and fix["result"] != "nothing to fix"):
            continue
        commit = (repository["commit"] or "-")[:10]
        reasons = "; ".join(repository["reasons"])
        count = repository["findings"]
        findings = f"{count} finding{'' if count == 1 else 's'}" if count else ""
        detail = ": ".join(part for part in (findings, reasons) if part)
        lines.append(
            f"{LABELS[repository['status']]:<{width}}  {repository['name']:<{name_width}}  "
            f"{commit:<10}  {detail}".rstrip()
        )
        if fix:
            lines.append(f"{'':<{width}}  fix: {_fix_line(fix)}")
    summary = document["summary"]
    shards = document["sweep"]["shards"]
    where = ""
    if shards:
        indexes = ", ".join(str(i) for i in shards["indexes"])
        where = f" (shard {indexes} of {shards['count']})"
    swept = plural(summary["repositories"], "repository", "repositories")
    lines.append(
        f"Swept {swept}{where}: {status_counts(document)}. "
        f"{plural(summary['findings'], 'finding')}, {plural(summary['errors'], 'error')}."
    )
    changes = document["sweep"].get("changes")
    if changes:
        lines.append(f"Since the previous sweep: {changes_sentence(changes['totals'])}.")
    return "".join(visible(line) + "\n" for line in lines)


def _fix_line(fix: dict) -> str:
    if fix["result"] == "committed":
        files = len(fix["files"])
        return (
            f"committed {fix['commit'][:10]} on {fix['branch']} "
            f"({files} file{'' if files == 1 else 's'}; nothing pushed)"
        )
    first = fix["message"].splitlines()[0] if fix["message"] else ""
    return f"{fix['result']}: {first}" if first else fix["result"]


def _cell(text: str) -> str:
    """Text inside a Markdown table cell: no pipes, no HTML, no emphasis."""
    for char, escaped in (("\\", "\\\\"), ("|", "\\|"), ("*", "\\*"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(char, escaped)
    return text


def render_markdown(document: dict, base: Path) -> str:
    """``check``'s Markdown report of the findings, with the repositories (and what
    changed since the previous sweep) after its summary."""
    # start-up: the Markdown report only for this format.
    from ..report.markdown import render_markdown as markdown_of_run

    run = run_result(document)
    # A repository that was not scanned is a row of the Repositories table, not a file.
    run.errors = [error for error in run.errors if error.kind != "repository"]
    report = markdown_of_run(run, ReportOptions(cwd=base, link_base=base))
    extra = ["## Repositories", "", f"{status_counts(document)}.", ""]
    extra += ["| Repository | Status | Commit | Findings | Why |", "|---|---|---|---:|---|"]
    for repository in document["sweep"]["repositories"]:
        extra.append(
            f"| `{_cell(repository['name'])}` | {LABELS[repository['status']]} | "
            f"{(repository['commit'] or '-')[:10]} | {repository['findings']} | "
            f"{_cell('; '.join(repository['reasons']))} |"
        )
    extra.append("")
    changes = document["sweep"].get("changes")
    if changes:
        extra += [
            "## Since the previous sweep",
            "",
            f"{changes_sentence(changes['totals'])}.",
            "",
            "| Repository | New | Fixed | Remaining | Note |",
            "|---|---:|---:|---:|---|",
        ]
        for row in changed_rows(changes):
            extra.append(
                f"| `{_cell(row['name'])}` | {row['new']} | {row['fixed']} | "
                f"{row['remaining']} | {row['note']} |"
            )
        extra.append("")
    heading = report.find("\n## ")
    cut = len(report) if heading < 0 else heading + 1
    return report[:cut] + "\n".join(extra) + "\n" + report[cut:]
