"""What changed since the previous sweep: the burn-down.

A finding of the previous sweep is the same finding now when the repository, the rule,
the path and the fingerprint (a hash of its code, not of its line: see the baseline) are
the same; two copies count twice. Per repository: **new** (now, not before), **fixed**
(before, not now) and **remaining** (both). A repository that could not be scanned this
time is "not scanned", not "everything fixed": the findings it had when it was last scanned
are **carried** as still open (nobody knows otherwise), so the totals and the burn-down
show no progress that did not happen. One that is new in the sweep is marked so.

Each sweep also carries the totals of the sweeps before it (``history``, the previous
document's own history and the previous sweep itself), so the report draws the burn-down
over every sweep since the first, not only the last two.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .status import FAILED, STATUSES

MAX_HISTORY = 100  # points; a weekly sweep keeps two years


def _by_repository(findings: list[dict]) -> dict[str, Counter]:
    grouped: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        key = (finding["rule"], finding["path"], finding["fingerprint"])
        grouped[finding["repository"]][key] += 1
    return grouped


def open_findings(document: dict) -> int:
    """The findings a sweep counts as open: those it found, and those carried from before
    for repositories it could not scan."""
    carried = document["sweep"].get("changes", {}).get("totals", {}).get("carried", 0)
    return document["summary"]["findings"] + carried


def history_point(document: dict) -> dict:
    summary = document["summary"]
    runs = document["sweep"].get("runs") or [{}]
    return {
        "finished": max((run.get("finished") or "" for run in runs), default=""),
        "findings": open_findings(document),
        "repositories": summary["repositories"],
        "by_status": {status: summary["by_status"].get(status, 0) for status in STATUSES},
    }


def add_changes(document: dict, previous: dict) -> None:
    """Record in ``document`` what changed since ``previous`` and the history so far."""
    before = _by_repository(previous["findings"])
    now = _by_repository(document["findings"])
    scanned_before = {r["name"]: r["status"] != FAILED for r in previous["sweep"]["repositories"]}
    carried_before = {
        row["name"]: row.get("carried", 0)
        for row in previous["sweep"].get("changes", {}).get("repositories", [])
    }
    rows = []
    totals = Counter()
    for repository in document["sweep"]["repositories"]:
        name = repository["name"]
        row = {"name": name, "new": 0, "fixed": 0, "remaining": 0, "carried": 0, "note": ""}
        if repository["status"] == FAILED:
            row["note"] = "not scanned"
            if scanned_before.get(name, False):
                row["carried"] = sum(before[name].values())
            else:  # not scanned then either: what was carried then still is
                row["carried"] = carried_before.get(name, 0)
            if row["carried"]:
                row["note"] += "; its findings of before are counted as open"
        elif not scanned_before.get(name, False):
            row["note"] = "first scan" if name not in scanned_before else "not scanned before"
            row["new"] = sum(now[name].values())
        else:
            mine_now, mine_before = now[name], before[name]
            row["new"] = sum((mine_now - mine_before).values())
            row["fixed"] = sum((mine_before - mine_now).values())
            row["remaining"] = sum((mine_now & mine_before).values())
        totals.update({key: row[key] for key in ("new", "fixed", "remaining", "carried")})
        rows.append(row)
    current = {r["name"] for r in document["sweep"]["repositories"]}
    document["sweep"]["changes"] = {
        "previous": {
            "version": previous["version"],
            "finished": history_point(previous)["finished"],
            "findings": open_findings(previous),
        },
        "totals": {key: totals[key] for key in ("new", "fixed", "remaining", "carried")},
        "repositories": rows,
        "gone": sorted(set(scanned_before) - current),
    }
    history = [*previous["sweep"].get("history", []), history_point(previous)]
    document["sweep"]["history"] = history[-MAX_HISTORY:]


def changes_sentence(totals: dict) -> str:
    """``3 new, 1 fixed, 3 remaining`` (and what is carried from repositories not scanned)."""
    text = f"{totals['new']} new, {totals['fixed']} fixed, {totals['remaining']} remaining"
    carried = totals.get("carried", 0)
    if carried:
        text += f", {carried} carried as open from repositories not scanned this time"
    return text
