"""Reports: one module per output format, all reading the same run result."""

from __future__ import annotations

from ..findings import RunResult
from .options import ReportOptions


def render(
    run: RunResult,
    output_format: str,
    *,
    color: bool = False,
    options: ReportOptions | None = None,
) -> str:
    options = options or ReportOptions()
    if output_format == "json":
        from .json_report import render_json  # start-up: a run loads its format's module only

        return render_json(run, options)
    if output_format == "sarif":
        from .sarif import render_sarif  # start-up: a run loads its format's module only

        return render_sarif(run, options)
    if output_format == "github":
        from .github import render_github  # start-up: a run loads its format's module only

        return render_github(run, options)
    if output_format == "markdown":
        from .markdown import render_markdown  # start-up: a run loads its format's module only

        return render_markdown(run, options)
    from .text import render_text  # start-up: a run loads its format's module only

    return render_text(run, color=color, options=options)
