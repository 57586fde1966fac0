"""The sweep's JSON: the ``check --format json`` contract plus a ``sweep`` object.

``{"tool", "version", "findings", "errors", "summary", "sweep"}``: findings and errors
as ``check`` writes them, with the repository's name in front of every path and
``repository``, ``team`` and ``frame`` (the masked code) beside each finding; a
repository that could not be scanned is also an error (kind ``repository``). The summary
has ``check``'s keys plus ``repositories`` and ``by_status``. ``sweep`` holds one entry
per repository (commit scanned, status and reasons, counts, fix campaign result), the
shards it covers and the input they were split from, and the runs that produced it.

A merge reads shard documents, refuses mixed authsweep versions, shards of different
inputs, overlapping shards and, when the shards say how many there are, missing ones,
and writes one document of the same shape.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..engine import RunResult
from ..findings import Applicability, Confidence, FileError, Finding, Fix, Severity
from ..model import Remedy, Span
from ..report.json_report import summary as check_summary
from .status import STATUSES

FORMAT = 1


class SweepDocumentError(Exception):
    """Documents that cannot be read or merged; the message says which and why."""


def build_summary(findings: list[dict], errors: list[dict], repositories: list[dict]) -> dict:
    """``check``'s summary over the whole sweep, plus counts of repositories by status."""
    summary = check_summary(_run(findings, errors, repositories))
    summary["suppressed"] = sum(r["suppressed"] for r in repositories)
    summary["repositories"] = len(repositories)
    by_status = Counter(r["status"] for r in repositories)
    summary["by_status"] = {status: by_status[status] for status in STATUSES}
    return summary


def run_result(document: dict) -> RunResult:
    """The findings and errors of a document as a run result, for the report writers of
    ``check`` (SARIF, Markdown). Fix edits are not in the JSON, so findings carry the
    fix's applicability and message only."""
    return _run(document["findings"], document["errors"], document["sweep"]["repositories"])


def _run(findings: list[dict], errors: list[dict], repositories: list[dict]) -> RunResult:
    return RunResult(
        findings=[_finding(data) for data in findings],
        errors=[FileError(e["path"], e["message"], e.get("kind", "error")) for e in errors],
        files_scanned=sum(r["files_scanned"] for r in repositories),
        files_parsed=sum(r["files_parsed"] for r in repositories),
    )


def _finding(data: dict) -> Finding:
    fix = data.get("fix")
    return Finding(
        rule=data["rule"],
        name=data["name"],
        severity=Severity(data["severity"]),
        confidence=Confidence(data["confidence"]),
        path=data["path"],
        span=Span(data["line"], data["column"], data["end_line"], data["end_column"], 0, 0),
        message=data["message"],
        fix=(
            Fix(Applicability(fix["applicability"]), fix["message"], Remedy(()))
            if isinstance(fix, dict)
            else None
        ),
        fingerprint=data.get("fingerprint", ""),
        frame=[(number, text) for number, text in data.get("frame", [])],
    )


def load_document(path: Path) -> dict:
    """A sweep document from ``path``; SweepDocumentError if it is not one this version
    of authsweep can read."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SweepDocumentError(f"{path}: cannot read: {error.strerror}") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise SweepDocumentError(f"{path}: not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("tool") != "authsweep":
        raise SweepDocumentError(f"{path}: not an authsweep JSON report")
    sweep = document.get("sweep")
    if not isinstance(sweep, dict):
        raise SweepDocumentError(
            f"{path}: not a sweep result (the JSON of `authsweep check` cannot be merged; "
            "use `authsweep sweep --format json`)"
        )
    if sweep.get("format") != FORMAT:
        raise SweepDocumentError(
            f"{path}: sweep format {sweep.get('format')!r}; this authsweep reads format "
            f"{FORMAT} (version {document.get('version')!r} wrote it)"
        )
    for key, kind in (("findings", list), ("errors", list), ("version", str)):
        if not isinstance(document.get(key), kind):
            raise SweepDocumentError(f"{path}: {key!r} is missing or malformed")
    if not isinstance(sweep.get("repositories"), list):
        raise SweepDocumentError(f"{path}: sweep.repositories is missing or malformed")
    return document


def _shard_label(shards: dict) -> str:
    return ", ".join(f"{i}/{shards['count']}" for i in shards["indexes"])


def merge_documents(named: list[tuple[str, dict]]) -> dict:
    """One document from shard documents (``(label, document)``, label for messages)."""
    if not named:
        raise SweepDocumentError("nothing to merge")
    versions = {doc["version"] for _, doc in named}
    if len(versions) > 1:
        listed = ", ".join(f"{label}: {doc['version']}" for label, doc in named)
        raise SweepDocumentError(
            f"mixed authsweep versions ({listed}); run every shard with the same version"
        )
    shards = _merged_shards(named)
    owner: dict[str, str] = {}
    for label, doc in named:
        for repository in doc["sweep"]["repositories"]:
            name = repository["name"]
            if name in owner:
                raise SweepDocumentError(
                    f"shards overlap: repository {name} is in {owner[name]} and {label}"
                )
            owner[name] = label
    if len(named) == 1:
        return named[0][1]
    first = named[0][1]["sweep"]
    repositories = sorted(
        (r for _, doc in named for r in doc["sweep"]["repositories"]), key=lambda r: r["name"]
    )
    findings = sorted(
        (f for _, doc in named for f in doc["findings"]),
        key=lambda f: (f["path"], f["line"], f["column"], f["rule"]),
    )
    errors = sorted((e for _, doc in named for e in doc["errors"]), key=lambda e: e["path"])
    sources = sorted({doc["sweep"].get("source", "") for _, doc in named})
    digests = {doc["sweep"].get("input", {}).get("digest") for _, doc in named}
    return {
        "tool": "authsweep",
        "version": versions.pop(),
        "findings": findings,
        "errors": errors,
        "summary": build_summary(findings, errors, repositories),
        "sweep": {
            "format": FORMAT,
            "source": sources[0] if len(sources) == 1 else ", ".join(sources),
            "input": {
                "repositories": (first["input"]["repositories"] if shards else len(repositories)),
                "digest": digests.pop() if len(digests) == 1 else None,
            },
            "shards": shards,
            "runs": sorted(
                (run for _, doc in named for run in doc["sweep"].get("runs", [])),
                key=lambda run: (run.get("shard") or 0, run.get("started", "")),
            ),
            "repositories": repositories,
        },
    }


def _merged_shards(named: list[tuple[str, dict]]) -> dict | None:
    """The shards the documents cover together, checked: one split, no overlap, none
    missing."""
    sharded = [(label, doc["sweep"]["shards"]) for label, doc in named if doc["sweep"]["shards"]]
    if not sharded:
        return None
    if len(sharded) != len(named):
        whole = next(label for label, doc in named if not doc["sweep"]["shards"])
        raise SweepDocumentError(
            f"{whole} is a whole sweep and {sharded[0][0]} is a shard "
            f"({_shard_label(sharded[0][1])}); merge the shards of one sweep"
        )
    counts = {shards["count"] for _, shards in sharded}
    if len(counts) > 1:
        listed = ", ".join(f"{label}: {_shard_label(shards)}" for label, shards in sharded)
        raise SweepDocumentError(f"shards of different splits ({listed})")
    digests = {doc["sweep"].get("input", {}).get("digest") for _, doc in named}
    if len(digests) > 1:
        raise SweepDocumentError(
            "shards of different repository lists (the input changed between shards); "
            "run every shard on the same list"
        )
    count = counts.pop()
    seen: dict[int, str] = {}
    for label, shards in sharded:
        for index in shards["indexes"]:
            if index in seen:
                raise SweepDocumentError(
                    f"shards overlap: shard {index}/{count} is in {seen[index]} and {label}"
                )
            seen[index] = label
    missing = [i for i in range(1, count + 1) if i not in seen]
    if missing:
        listed = ", ".join(f"{i}/{count}" for i in missing)
        raise SweepDocumentError(f"missing shards: {listed} (the merge needs all {count})")
    return {"count": count, "indexes": sorted(seen)}
