"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=app/mail.py,line=4,col=5,endLine=4,endColumn=31,title=AS101 smtp-basic-auth::...``
Values are escaped as the Actions runner expects: ``%``, CR and LF everywhere, and
also ``:`` and ``,`` inside properties. Other control characters from the scanned tree
(ESC sequences, which the Actions log renders, and bidi controls) are written as escapes
(:func:`visible`) first.
"""

from __future__ import annotations

from ..findings import Applicability, RunResult, Severity
from .options import ReportOptions
from .visible import visible

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    text = visible(text, keep="\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{kind} {props}::{escape_data(message)}"


def render_github(run: RunResult, options: ReportOptions | None = None) -> str:
    lines = []
    for finding in run.findings:
        span = finding.span
        message = finding.message
        if finding.fix is not None:
            unsafe = finding.fix.applicability is Applicability.UNSAFE
            message += f" (fix: `authsweep fix{' --unsafe-fixes' if unsafe else ''}`)"
        properties = {
            "file": finding.path,
            "line": span.line,
            "col": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
            "title": f"{finding.rule} {finding.name}",
        }
        lines.append(_command(_COMMAND[finding.severity], properties, message))
    for error in run.errors:
        # A file that could not be checked fails the run: an error, not a warning.
        properties: dict[str, object] = {"file": error.path}
        if error.line is not None:
            properties["line"] = error.line
            if error.column is not None:
                properties["col"] = error.column
        properties["title"] = f"authsweep: {error.kind}"
        lines.append(_command("error", properties, error.message))
    return "".join(line + "\n" for line in lines)
