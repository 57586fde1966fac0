"""Reports: one module per output format, all reading the same run result."""

from __future__ import annotations

from ..engine import RunResult


def render(run: RunResult, output_format: str, *, color: bool = False) -> str:
    if output_format == "json":
        from .json_report import render_json

        return render_json(run)
    from .text import render_text

    return render_text(run, color=color)
