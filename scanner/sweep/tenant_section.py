"""The sweep's tenant section: the SMTP AUTH clients report and sign-in logs given with
``sweep ... --tenant-report FILE`` (or ``merge``), matched to the sweep's findings, one row
per mailbox. Its data is ``document["tenant"]`` (the JSON of ``authsweep tenant match``);
the HTML report shows it after the overview. Everything in it is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..tenant.inventory import from_findings
from ..tenant.matching import KINDS, TITLES, match, match_json
from ..tenant.reports import Evidence, is_sign_in_log, read_sign_ins, read_smtp_auth_report

KIND_COLORS = {
    "basic-in-code": "#c2410c",
    "basic-no-code": "#b91c1c",
    "code-no-sign-in": "#6b7280",
    "oauth": "#15803d",
}


def read_reports(reports: list[Path]) -> Evidence:
    """Each report read: an SMTP AUTH clients report or a sign-in log, told apart by its
    columns. Raises ReportError for one that cannot be read."""
    evidence = Evidence()
    for path in reports:
        if is_sign_in_log(path):
            read_sign_ins(path, evidence)
        else:
            read_smtp_auth_report(path, evidence)
    return evidence


def add_tenant_match(document: dict, evidence: Evidence, source: str) -> None:
    """The match of the reports with the document's findings, in ``document["tenant"]``."""
    inventory = from_findings(document["findings"], source)
    document["tenant"] = match_json(match(inventory, evidence))


def tenant_section(document: dict) -> str:
    tenant = document.get("tenant")
    if not tenant:
        return ""
    summary = " · ".join(
        f'<span class="badge" style="background:{KIND_COLORS[kind]}">'
        f"{tenant['summary'][kind]} {escape(TITLES[kind])}</span>"
        for kind in KINDS
    )
    rows = []
    for line in tenant["mailboxes"]:
        activity = line["tenant"]
        seen = (
            ""
            if activity is None
            else escape(
                f"{', '.join(activity['protocols'])}: {activity['basic']:,} basic, "
                f"{activity['oauth']:,} OAuth"
                + (f", {activity['unknown_auth']:,} not saying" if activity["unknown_auth"] else "")
            )
        )
        code = "<br>".join(
            f"<code>{escape(use['path'])}:{use['line']}</code> {escape(use['fix'])}"
            for use in line["code"]
        )
        rows.append(
            f'<tr><td class="name">{escape(line["mailbox"])}</td>'
            f"<td>{escape(TITLES[line['state']])}</td><td>{seen}</td><td>{code}</td></tr>"
        )
    for unknown in tenant["unknown_in_code"]:
        code = "<br>".join(
            f"<code>{escape(use['path'])}:{use['line']}</code>" for use in unknown["code"]
        )
        rows.append(
            f'<tr><td class="name">{escape(unknown["mailbox"])}</td>'
            f"<td>read at run time</td><td></td><td>{code}</td></tr>"
        )
    window = tenant["window"]
    period = f"{window['first']} to {window['last']}" if window["first"] else "as exported"
    reports = ", ".join(tenant["reports"])
    return (
        '<section id="tenant"><h2>The tenant\'s sign-ins</h2>'
        f'<p>{summary}</p><p class="muted">{escape(reports)}: {tenant["rows"]:,} rows, '
        f"{escape(period)}.</p>"
        '<table id="table-tenant"><thead><tr><th>Mailbox</th><th>State</th>'
        "<th>In the tenant</th><th>In code</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>\n"
    )
