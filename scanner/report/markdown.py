"""``--format markdown``: a report to paste into a migration ticket.

A summary by rule, by repository (when a folder of several repositories was
scanned: each one is a folder with its own ``.git``), by top-level folder, then
every finding grouped by file with a relative link ``path#L12`` that works in
GitHub and GitLab file views.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..discover import git_top, nearest_ancestor
from ..findings import Finding, RunResult, Severity
from .counts import plural, set_aside, severity_counts, statistics
from .options import ReportOptions

_ESCAPES = str.maketrans(
    {"\\": "\\\\", "|": "\\|", "*": "\\*", "[": "\\[", "]": "\\]", "<": "&lt;", ">": "&gt;"}
)


def _cell(text: str) -> str:
    """Text safe inside a table cell or list item: no pipes, no HTML, and the asterisks of a
    masked secret stay asterisks instead of turning into emphasis."""
    return text.translate(_ESCAPES)


class _Places:
    """Where findings are: top-level folder and repository, relative to the working folder."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd.absolute()
        self._repos: dict[str, str | None] = {}

    def absolute(self, path: str) -> str:
        return os.path.abspath(self.cwd / path)

    def folder(self, path: str) -> str:
        parts = Path(path).parts
        if Path(path).is_absolute():
            return str(Path(path).parent)
        return parts[0] + "/" if len(parts) > 1 else "./"

    def repository(self, path: str) -> str | None:
        found = nearest_ancestor(
            os.path.dirname(self.absolute(path)),
            self._repos,
            git_top,
        )
        if found is None:
            return None
        relative = os.path.relpath(found, self.cwd)
        return "./" if relative == "." else Path(relative).as_posix() + "/"


def _link(path: str, line: int, places: _Places, base: Path) -> str:
    target = os.path.relpath(places.absolute(path), base.absolute())
    return f"{quote(Path(target).as_posix())}#L{line}"


def _count_table(title: str, header: str, groups: dict[str, list[Finding]]) -> list[str]:
    lines = [f"## {title}", "", f"| {header} | Findings | Files | Errors |", "|---|---:|---:|---:|"]
    for key, found in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        files = len({f.path for f in found})
        errors = sum(1 for f in found if f.severity is Severity.ERROR)
        # In a table a pipe must be escaped even inside a code span (GFM splits cells first).
        code = key.replace("|", "\\|")
        lines.append(f"| `{code}` | {len(found)} | {files} | {errors} |")
    return [*lines, ""]


def render_markdown(run: RunResult, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    places = _Places(options.cwd)
    base = options.link_base or options.cwd
    findings = run.findings
    fixable = sum(1 for f in findings if f.fixable)
    summary = f"Scanned {plural(run.files_scanned, 'file')}: "
    if findings:
        files = plural(len({f.path for f in findings}), "file")
        summary += (
            f"**{plural(len(findings), 'finding')}** ({severity_counts(findings)}) in {files}."
        )
    else:
        summary += "**no findings**."
    if fixable:
        summary += f" {fixable} can be fixed by `authsweep fix` (some need `--unsafe-fixes`)."
    summary += set_aside(run)
    lines = ["# authsweep report", "", summary, "", f"_authsweep {__version__}_", ""]
    if findings:
        lines += ["## By rule", "", "| Rule | Name | Findings | Fixable |", "|---|---|---:|---:|"]
        for row in statistics(findings):
            lines.append(f"| {row.rule} | {row.name} | {row.count} | {row.fixable} |")
        lines.append("")
        by_repo: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_repo[places.repository(finding.path) or "(no repository)"].append(finding)
        if len(by_repo) > 1:
            lines += _count_table("By repository", "Repository", by_repo)
        by_folder: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_folder[places.folder(finding.path)].append(finding)
        lines += _count_table("By folder", "Folder", by_folder)
        lines += ["## Findings", ""]
        by_file: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_file[finding.path].append(finding)
        for path, found in by_file.items():
            lines += [f"### `{path}`", ""]
            for finding in found:
                fix = f" _(fix: {finding.fix.applicability.value})_" if finding.fix else ""
                link = _link(path, finding.span.line, places, base)
                lines.append(
                    f"- [line {finding.span.line}]({link}) **{finding.rule}** "
                    f"{finding.name} ({finding.severity.value}): {_cell(finding.message)}{fix}"
                )
            lines.append("")
    if run.errors:
        lines += ["## Files that could not be checked", ""]
        for error in run.errors:
            lines.append(f"- `{error.location}`: {error.kind}: {_cell(error.message)}")
        lines.append("")
    return "\n".join(lines)
