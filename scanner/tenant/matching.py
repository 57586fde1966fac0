"""The tenant's evidence joined to the code, one line per mailbox:

- ``basic-in-code``: basic auth in the tenant, and the code that does it (file:line, and
  what ``fix`` does for it);
- ``basic-no-code``: basic auth in the tenant, and no code found: a device, a printer, a
  script or a repository nobody swept;
- ``code-no-sign-in``: a password login in code, and no sign-in in the reports' window
  (code that did not run then, or runs against another tenant);
- ``oauth``: the tenant sees only OAuth for it.

Mailboxes the code reads at run time (``unknown: set SMTP_USER``) cannot be joined by
address; they are listed apart, so that whoever knows the deployment can.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .. import __version__
from .inventory import Inventory, MailboxUses
from .protocols import ACCESS
from .reports import Activity, Evidence

BASIC_IN_CODE = "basic-in-code"
BASIC_NO_CODE = "basic-no-code"
CODE_NO_SIGN_IN = "code-no-sign-in"
OAUTH = "oauth"
KINDS = (BASIC_IN_CODE, BASIC_NO_CODE, CODE_NO_SIGN_IN, OAUTH)
TITLES = {
    BASIC_IN_CODE: "basic auth in the tenant, found in code",
    BASIC_NO_CODE: "basic auth in the tenant, no code found",
    CODE_NO_SIGN_IN: "found in code, no sign-in in the report's window",
    OAUTH: "already OAuth",
}


@dataclass
class Line:
    kind: str
    mailbox: str
    activity: Activity | None
    code: MailboxUses | None

    def tenant_text(self) -> str:
        activity = self.activity
        if activity is None:
            return ""
        protocols = ", ".join(ACCESS[p].title for p in sorted(activity.protocols))
        parts = []
        if activity.basic:
            parts.append(f"{activity.basic:,} basic")
        if activity.unknown_auth:
            parts.append(f"{activity.unknown_auth:,} not saying how")
        if activity.oauth:
            parts.append(f"{activity.oauth:,} OAuth")
        if activity.failed:
            parts.append(f"{activity.failed:,} failed sign-ins")
        return f"{protocols}: {', '.join(parts)}"

    def code_text(self) -> str:
        if self.code is None:
            return ""
        return "; ".join(f"{use.where} ({use.fix})" for use in self.code.uses)


@dataclass
class Match:
    lines: list[Line] = field(default_factory=list)
    unknown: list[MailboxUses] = field(default_factory=list)
    evidence: Evidence = field(default_factory=Evidence)
    code_source: str = ""

    def count(self, kind: str) -> int:
        return sum(1 for line in self.lines if line.kind == kind)

    @property
    def window(self) -> str:
        first, last = self.evidence.first, self.evidence.last
        if first is None:
            return "the window the report was exported for"
        return f"{first} to {last}"


def match(inventory: Inventory, evidence: Evidence) -> Match:
    result = Match(unknown=inventory.unknown, evidence=evidence, code_source=inventory.source)
    code = {m.address.lower(): m for m in inventory.known if m.address is not None}
    for address in sorted(set(code) | set(evidence.activity)):
        activity = evidence.activity.get(address)
        uses = code.get(address)
        shown = uses.address if uses is not None and uses.address else address
        if activity is None or not (activity.basic or activity.unknown_auth or activity.oauth):
            if uses is not None:
                result.lines.append(Line(CODE_NO_SIGN_IN, shown, activity, uses))
            continue
        if activity.basic or activity.unknown_auth:
            kind = BASIC_IN_CODE if uses is not None else BASIC_NO_CODE
        else:
            kind = OAUTH
        result.lines.append(Line(kind, shown, activity, uses))
    result.lines.sort(key=lambda line: (KINDS.index(line.kind), line.mailbox.lower()))
    return result


def render_text(result: Match) -> str:
    lines = []
    for line in result.lines:
        detail = [line.tenant_text(), line.code_text()]
        if line.kind == BASIC_NO_CODE:
            detail.append("look elsewhere: a device, a printer, a script, a repository not swept")
        text = "; ".join(part for part in detail if part)
        lines.append(f"{line.mailbox}: {TITLES[line.kind]}: {text}")
    for mailbox in result.unknown:
        where = ", ".join(use.where for use in mailbox.uses)
        lines.append(
            f"{mailbox.label}: in code at {where}; read at run time, so not matched by address"
        )
    counts = "; ".join(f"{result.count(kind)} {TITLES[kind]}" for kind in KINDS)
    lines.append(
        f"{len(result.lines)} mailboxes: {counts}. Reports: {', '.join(result.evidence.files)} "
        f"({result.evidence.rows:,} rows, {result.window}). Code: {result.code_source}"
    )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "/").replace("`", "'")


def render_markdown(result: Match) -> str:
    lines = [
        "# SMTP AUTH and sign-ins matched to code",
        "",
        f"Reports: {_cell(', '.join(result.evidence.files))} ({result.evidence.rows:,} rows, "
        f"{_cell(result.window)}). Code: {_cell(result.code_source)}.",
        "",
        "| mailbox | state | in the tenant | in code |",
        "|---|---|---|---|",
    ]
    for line in result.lines:
        lines.append(
            f"| {_cell(line.mailbox)} | {TITLES[line.kind]} | {_cell(line.tenant_text())} "
            f"| {_cell(line.code_text())} |"
        )
    for mailbox in result.unknown:
        where = ", ".join(use.where for use in mailbox.uses)
        lines.append(f"| {_cell(mailbox.label)} | read at run time | | {_cell(where)} |")
    return "\n".join(lines) + "\n"


def match_json(result: Match) -> dict:
    return {
        "reports": result.evidence.files,
        "rows": result.evidence.rows,
        "window": {"first": result.evidence.first, "last": result.evidence.last},
        "code": result.code_source,
        "summary": {kind: result.count(kind) for kind in KINDS},
        "mailboxes": [
            {
                "mailbox": line.mailbox,
                "state": line.kind,
                "tenant": None
                if line.activity is None
                else {
                    "protocols": sorted(line.activity.protocols),
                    "basic": line.activity.basic,
                    "oauth": line.activity.oauth,
                    "unknown_auth": line.activity.unknown_auth,
                    "failed": line.activity.failed,
                },
                "code": []
                if line.code is None
                else [
                    {"path": u.path, "line": u.line, "protocol": u.mailbox.protocol, "fix": u.fix}
                    for u in line.code.uses
                ],
            }
            for line in result.lines
        ],
        "unknown_in_code": [
            {"mailbox": m.label, "code": [{"path": u.path, "line": u.line} for u in m.uses]}
            for m in result.unknown
        ],
    }


def render_json(result: Match) -> str:
    document = {"tool": "authsweep", "version": __version__, **match_json(result)}
    return json.dumps(document, indent=2) + "\n"
