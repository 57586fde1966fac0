"""The HTML report of a sweep: one static file for people to open and pass round.

No script, no network (a Content-Security-Policy forbids both), no external font or
stylesheet; charts are inline SVG and every number in a chart is also in a table, so the
page reads the same with scripts off, printed, or in a text browser. Everything that
comes from a document (names, paths, messages, code, and numbers too: a document read
back was checked against the schema, and a number is still written through ``escape``)
is HTML-escaped; code frames come from the findings, where secrets are already masked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape

from .changes import changes_sentence
from .charts import Part, bar_rows, columns, stacked_bar
from .status import CLEAN, LABELS, STATUSES, fix_kind
from .tenant_section import tenant_section

STATUS_COLORS = {
    "failed": "#6b7280",
    "blocked": "#b91c1c",
    "needs-rewrite": "#c2410c",
    "safe-fixes": "#1d4ed8",
    "clean": "#15803d",
}
FIX_COLORS = {"safe": "#1d4ed8", "unsafe": "#c2410c", "manual": "#7c3aed"}
FIX_LABELS = {"safe": "safe fix", "unsafe": "--unsafe-fixes", "manual": "by hand"}
MAX_CHART_ROWS = 15

_CSS = """
:root{color-scheme:light;--ink:#111827;--muted:#4b5563;--line:#e5e7eb;--soft:#f9fafb}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;
color:var(--ink);background:#fff}
header{padding:20px 32px;background:#0f172a;color:#f8fafc}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#cbd5e1}
main{padding:8px 32px 32px;max-width:1200px}
nav{padding:8px 32px;border-bottom:1px solid var(--line);background:var(--soft)}
h2{margin:28px 0 10px;font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{min-width:150px;padding:10px 14px;border:1px solid var(--line);border-left:6px solid;
border-radius:6px;background:var(--soft)}
.card b{display:block;font-size:24px}
table{border-collapse:collapse;width:100%;margin:8px 0 4px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.name{white-space:nowrap}
ul.clean{columns:3 260px;margin:8px 0;padding:0 12px 8px 32px}
code,pre{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;
white-space:nowrap}
.muted{color:var(--muted)}
figure{margin:8px 0 12px}
figcaption{color:var(--muted);font-size:12px}
details{margin:10px 0;border:1px solid var(--line);border-radius:6px}
summary{padding:8px 12px;background:var(--soft);cursor:pointer;font-weight:600}
.finding{padding:8px 12px;border-top:1px solid var(--line)}
.finding p{margin:4px 0}
pre.frame{margin:6px 0;padding:6px 0;background:#f3f4f6;border-radius:4px;overflow-x:auto}
pre.frame span{display:block;padding:0 10px}
pre.frame .hit{background:#fef3c7}
pre.frame .ln{display:inline;padding:0 10px 0 0;color:#9ca3af;user-select:none}
.sev-error{color:#b91c1c;font-weight:600}.sev-warning{color:#b45309;font-weight:600}
.sev-info{color:#1d4ed8;font-weight:600}
footer{padding:16px 32px;color:var(--muted);border-top:1px solid var(--line)}
@media print{header{background:none;color:#000}header p{color:#333}details{break-inside:avoid}}
"""


def _badge(status: str) -> str:
    return (
        f'<span class="badge" style="background:{STATUS_COLORS[status]}">'
        f"{escape(LABELS[status])}</span>"
    )


def _n(number: object) -> str:
    """A count or position from the document, as HTML."""
    return escape(str(number))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_html(document: dict) -> str:
    sweep = document["sweep"]
    repositories = sweep["repositories"]
    anchors = {
        r["name"]: f"repo-{index}" for index, r in enumerate(repositories, 1) if r["findings"]
    }
    # Summaries first, then the long lists: one line per repository, every finding.
    sections = [
        _overview(document),
        tenant_section(document),
        _changes(sweep, anchors) if sweep.get("changes") else "",
        _by_rule(document["findings"]),
        _by_team(document["findings"]),
        _repositories(repositories, anchors),
        _findings(document["findings"], repositories, anchors),
        _errors(document["errors"]),
    ]
    contents = [
        (section, title)
        for section, title in _CONTENTS
        if f'<section id="{section}">' in "".join(sections)
    ]
    count = len(repositories)
    title = f"authsweep sweep: {count} {'repository' if count == 1 else 'repositories'}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{_header(document)}\n{_navigation(contents)}\n<main>\n{''.join(sections)}</main>\n"
        "<footer>Written by authsweep: one static file, no scripts, nothing loaded from "
        "the network. Secrets in code frames are masked.</footer>\n</body>\n</html>\n"
    )


_CONTENTS = (
    ("overview", "Overview"),
    ("tenant", "The tenant's sign-ins"),
    ("changes", "Since the previous sweep"),
    ("by-rule", "By rule"),
    ("by-team", "By team or folder"),
    ("repositories", "Repositories"),
    ("findings", "Findings"),
    ("errors", "Not checked"),
)


def _navigation(contents: list[tuple[str, str]]) -> str:
    links = " · ".join(f'<a href="#{section}">{escape(title)}</a>' for section, title in contents)
    return f"<nav>{links}</nav>"


def _header(document: dict) -> str:
    sweep = document["sweep"]
    runs = sweep.get("runs") or []
    finished = max((run.get("finished") or "" for run in runs), default="")
    facts = [f"authsweep {document['version']}", f"source: {sweep.get('source', '')}"]
    if sweep.get("shards"):
        facts.append(f"{_plural(sweep['shards']['count'], 'shard')} merged")
    if finished:
        facts.append(f"finished {finished}")
    return (
        "<header><h1>Microsoft 365 mail sweep: basic auth and TLS settings</h1>"
        f"<p>{escape(' · '.join(facts))}</p></header>"
    )


def _overview(document: dict) -> str:
    summary = document["summary"]
    by_status = summary["by_status"]
    cards = "".join(
        f'<div class="card" style="border-left-color:{STATUS_COLORS[s]}">'
        f"<b>{_n(by_status.get(s, 0))}</b>{escape(LABELS[s])}</div>"
        for s in reversed(STATUSES)
    )
    chart = stacked_bar(
        [Part(LABELS[s], by_status.get(s, 0), STATUS_COLORS[s]) for s in reversed(STATUSES)],
        "Repositories by status",
    )
    facts = (
        f"{summary['repositories']} "
        f"{'repository' if summary['repositories'] == 1 else 'repositories'}, "
        f"{_plural(summary['files_scanned'], 'file')} checked, "
        f"{_plural(summary['findings'], 'finding')} ({summary['fixable']} fixable), "
        f"{_plural(summary['errors'], 'error')}."
    )
    return (
        '<section id="overview"><h2>Overview</h2>'
        f'<p>{escape(facts)}</p><div class="cards">{cards}</div>'
        f'<figure id="chart-status">{chart}<figcaption>Repositories by status: clean; safe '
        "fixes only (authsweep fix); needs the OAuth2 rewrite (--unsafe-fixes or by hand); "
        "blocked (personal account, EWS, files that could not be checked); not scanned."
        "</figcaption></figure></section>\n"
    )


def _changes(sweep: dict, anchors: dict[str, str]) -> str:
    changes = sweep["changes"]
    totals = changes["totals"]
    history = sweep.get("history", [])
    stamps = [point["finished"] or "?" for point in history]
    # Dates, unless two sweeps share one: then month, day and time.
    labels = [stamp[:10] for stamp in stamps]
    if len(set(labels)) < len(labels):
        labels = [stamp[5:16].replace("T", " ") for stamp in stamps]
    points = [(label, point["findings"]) for label, point in zip(labels, history, strict=True)]
    now = sum(
        row["new"] + row["remaining"] + row.get("carried", 0) for row in changes["repositories"]
    )
    points.append(("now", now))
    chart = columns(points, "Open findings, sweep by sweep", "#c2410c")
    # New findings first: a regression matters more than progress.
    rows = sorted(changed_rows(changes), key=lambda r: (-r["new"], -r["fixed"], r["name"]))
    body = "".join(
        f"<tr><td>{_linked(row['name'], anchors)}</td>"
        f'<td class="n">{_n(row["new"])}</td><td class="n">{_n(row["fixed"])}</td>'
        f'<td class="n">{_n(row["remaining"])}</td><td>{escape(row["note"])}</td></tr>'
        for row in rows
    )
    previous = changes["previous"]
    intro = (
        f"Against the sweep of {previous['finished'] or 'an unknown date'} "
        f"({_plural(previous['findings'], 'finding')}): {changes_sentence(totals)}."
    )
    gone = changes.get("gone") or []
    if gone:
        intro += f" No longer in the sweep: {', '.join(gone)}."
    return (
        '<section id="changes"><h2>Since the previous sweep</h2>'
        f"<p>{escape(intro)}</p>"
        f'<figure id="chart-burndown">{chart}<figcaption>Open findings at each sweep; '
        "the last column is this one.</figcaption></figure><p>Repositories where something "
        "changed; the others have the findings they had (counted under Repositories).</p>"
        '<table id="table-changes"><thead><tr><th>Repository</th><th class="n">New</th>'
        '<th class="n">Fixed</th><th class="n">Remaining</th><th>Note</th></tr></thead>'
        f"<tbody>{body}</tbody></table></section>\n"
    )


def changed_rows(changes: dict) -> list[dict]:
    """The burn-down rows worth a line: something new or fixed, or a note."""
    return [r for r in changes["repositories"] if r["new"] or r["fixed"] or r["note"]]


def _linked(name: str, anchors: dict[str, str]) -> str:
    """The name, linked to its findings when it has some in this report."""
    anchor = anchors.get(name)
    return f'<a href="#{anchor}">{escape(name)}</a>' if anchor else escape(name)


def _repositories(repositories: list[dict], anchors: dict[str, str]) -> str:
    """A row for every repository that is not clean (worst first), then the clean ones as
    a short list: in a large organisation most are clean."""
    order = {status: index for index, status in enumerate(STATUSES)}
    campaign = any(repo.get("fix") for repo in repositories)
    body = []
    clean = []
    for repo in sorted(repositories, key=lambda r: (order[r["status"]], r["name"])):
        commit = escape((repo["commit"] or "")[:10]) + (" (dirty)" if repo.get("dirty") else "")
        if repo["status"] == CLEAN and not repo.get("fix"):
            clean.append(f"<li>{escape(repo['name'])} <code>{commit}</code></li>")
            continue
        name = _linked(repo["name"], anchors)
        counts = repo["by_fix"]
        cells = [
            f'<td class="name">{name}</td><td>{_badge(repo["status"])}</td>',
            f"<td>{escape('; '.join(repo['reasons']))}</td><td><code>{commit}</code></td>",
            f'<td class="n">{_n(repo["findings"])}</td><td class="n">{_n(counts["safe"])}</td>',
            f'<td class="n">{_n(counts["unsafe"])}</td><td class="n">{_n(counts["manual"])}</td>',
        ]
        if campaign:
            cells.append(f"<td>{_campaign_cell(repo.get('fix'))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    header = (
        "<tr><th>Repository</th><th>Status</th><th>Why</th><th>Commit</th>"
        '<th class="n">Findings</th><th class="n">Safe fix</th><th class="n">--unsafe-fixes</th>'
        '<th class="n">By hand</th>' + ("<th>Fix campaign</th>" if campaign else "") + "</tr>"
    )
    listed = ""
    if clean:
        listed = (
            f'<details id="clean-repositories"><summary>{len(clean)} clean '
            f"{'repository' if len(clean) == 1 else 'repositories'}</summary>"
            f'<ul class="clean">{"".join(clean)}</ul></details>'
        )
    return (
        '<section id="repositories"><h2>Repositories</h2>'
        f'<table id="table-repositories"><thead>{header}</thead>'
        f"<tbody>{''.join(body)}</tbody></table>{listed}</section>\n"
    )


def _campaign_cell(fix: dict | None) -> str:
    if not fix:
        return ""
    cell = escape(fix["result"])
    if fix.get("branch"):
        cell += f": <code>{escape(fix['branch'])}</code> {escape(fix['commit'][:10])}"
    elif fix.get("message") and fix["result"] != "nothing to fix":
        cell += f": {escape(fix['message'].splitlines()[0])}"
    return cell


def _fix_parts(findings: list[dict]) -> list[Part]:
    kinds = Counter(fix_kind(f) for f in findings)
    return [Part(FIX_LABELS[k], kinds[k], FIX_COLORS[k]) for k in ("safe", "unsafe", "manual")]


def _grouped_section(
    section: str, title: str, header: str, groups: dict[str, list[dict]], names: dict[str, str]
) -> str:
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    if not ordered:
        return f'<section id="{section}"><h2>{escape(title)}</h2><p>No findings.</p></section>\n'
    chart = bar_rows(
        [(f"{key} {names.get(key, '')}".strip(), _fix_parts(f)) for key, f in ordered][
            :MAX_CHART_ROWS
        ],
        f"Findings {title.lower()}",
    )
    more = len(ordered) - MAX_CHART_ROWS
    caption = f"Findings {title.lower()}, by how they are fixed"
    caption += f"; the {more} smallest are in the table only." if more > 0 else "."
    rows = "".join(
        f"<tr><td>{escape(key)}</td><td>{escape(names.get(key, ''))}</td>"
        f'<td class="n">{len(found)}</td>'
        f'<td class="n">{len({f["repository"] for f in found})}</td>'
        f'<td class="n">{len({f["path"] for f in found})}</td></tr>'
        for key, found in ordered
    )
    return (
        f'<section id="{section}"><h2>{escape(title)}</h2>'
        f'<figure id="chart-{section}">{chart}<figcaption>{escape(caption)}</figcaption></figure>'
        f'<table id="table-{section}"><thead><tr><th>{escape(header)}</th><th></th>'
        '<th class="n">Findings</th><th class="n">Repositories</th><th class="n">Files</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></section>\n"
    )


def _by_rule(findings: list[dict]) -> str:
    groups: dict[str, list[dict]] = defaultdict(list)
    names: dict[str, str] = {}
    for finding in findings:
        groups[finding["rule"]].append(finding)
        names[finding["rule"]] = finding["name"]
    return _grouped_section("by-rule", "By rule", "Rule", groups, names)


def _by_team(findings: list[dict]) -> str:
    groups: dict[str, list[dict]] = defaultdict(list)
    for finding in findings:
        groups[finding.get("team") or finding["path"].split("/", 1)[0] + "/"].append(finding)
    header = "Team (CODEOWNERS) or folder"
    return _grouped_section("by-team", "By team or folder", header, groups, {})


def _frame(finding: dict) -> str:
    lines = []
    for number, text in finding.get("frame", []):
        hit = finding["line"] <= number <= finding["end_line"]
        opening = '<span class="hit">' if hit else "<span>"
        lines.append(f'{opening}<span class="ln">{_n(number):>5}</span>{escape(text)}</span>')
    return f'<pre class="frame"><code>{"".join(lines)}</code></pre>' if lines else ""


def _findings(findings: list[dict], repositories: list[dict], anchors: dict[str, str]) -> str:
    by_repository: dict[str, list[dict]] = defaultdict(list)
    for finding in findings:
        by_repository[finding["repository"]].append(finding)
    status = {r["name"]: r["status"] for r in repositories}
    blocks = []
    for name in sorted(by_repository):
        found = by_repository[name]
        items = []
        for finding in found:
            fix = finding.get("fix")
            fix_text = ""
            if isinstance(fix, dict):
                fix_text = (
                    f'<p class="muted">Fix ({escape(fix["applicability"])}): '
                    f"{escape(fix['message'])}</p>"
                )
            severity = escape(finding["severity"])
            items.append(
                '<div class="finding">'
                f"<p><code>{escape(finding['path'])}:{_n(finding['line'])}:{_n(finding['column'])}"
                "</code> "
                f"<b>{escape(finding['rule'])}</b> {escape(finding['name'])} "
                f'<span class="sev-{severity}">{severity}</span></p>'
                f"<p>{escape(finding['message'])}</p>{fix_text}{_frame(finding)}</div>"
            )
        label = f"{name} · {LABELS[status.get(name, 'clean')]} · {_plural(len(found), 'finding')}"
        blocks.append(
            f'<details open id="{anchors.get(name, "")}"><summary>{escape(label)}</summary>'
            f"{''.join(items)}</details>"
        )
    body = "".join(blocks) or "<p>No findings.</p>"
    return f'<section id="findings"><h2>Findings</h2>{body}</section>\n'


def _errors(errors: list[dict]) -> str:
    if not errors:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(e['path'])}</code></td><td>{escape(e.get('kind', ''))}</td>"
        f"<td>{escape(e['message'])}</td></tr>"
        for e in errors
    )
    return (
        '<section id="errors"><h2>Not checked</h2><p>Repositories that could not be scanned '
        "and files that could not be checked: a sweep that could not look must not pass "
        'silently.</p><table id="table-errors"><thead><tr><th>Where</th><th>Kind</th>'
        f"<th>Why</th></tr></thead><tbody>{rows}</tbody></table></section>\n"
    )
