"""The sweep's JSON: the ``check --format json`` contract plus a ``sweep`` object.

``{"tool", "version", "findings", "errors", "summary", "sweep"}``: findings and errors
as ``check`` writes them, with the repository's name in front of every path and
``repository``, ``team`` and ``frame`` (the masked code) beside each finding; a
repository that could not be scanned is also an error (kind ``repository``). The summary
has ``check``'s keys plus ``repositories`` and ``by_status``. ``sweep`` holds one entry
per repository (commit scanned, status and reasons, counts, fix campaign result), the
shards it covers and the input they were split from, and the runs that produced it.

A document read back (a shard to merge, ``--previous``) is checked against the schema
(:mod:`.schema`) and against itself: its counts agree with what it lists, and a document
of the whole input lists every repository the input had. A merge then refuses mixed
authsweep versions, shards of different inputs, overlapping shards and missing ones,
and writes one document of the same shape.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..findings import FileError, RunResult
from ..report.json_report import finding_from_dict
from ..report.json_report import summary as check_summary
from .schema import FORMAT, SCHEMA
from .shards import input_digest
from .sources import RepoSource
from .status import STATUSES
from .validator import SchemaProblem, validate

# A sweep of 2,000 repositories writes 2 MB; this is room for a very large organisation,
# and a bound on what a file named as a shard can make a merge read.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
# Missing shards named in a refusal; the rest are counted.
MAX_LISTED = 20


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
        findings=[finding_from_dict(data) for data in findings],
        errors=[FileError(e["path"], e["message"], e.get("kind", "error")) for e in errors],
        files_scanned=sum(r["files_scanned"] for r in repositories),
        files_parsed=sum(r["files_parsed"] for r in repositories),
    )


def load_document(path: Path) -> dict:
    """A sweep document from ``path``; SweepDocumentError if it is not one this version
    of authsweep can read, or if it contradicts itself."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        raise SweepDocumentError(f"{path}: cannot read: {error.strerror}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SweepDocumentError(f"{path}: over {MAX_DOCUMENT_BYTES >> 20} MB, not a sweep")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
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
            f"{path}: sweep format {_shown(sweep.get('format'))}; this authsweep reads format "
            f"{FORMAT} (version {_shown(document.get('version'))} wrote it)"
        )
    try:
        validate(document, SCHEMA)
    except SchemaProblem as problem:
        raise SweepDocumentError(f"{path}: {problem}") from None
    problem = inconsistency(document)
    if problem is not None:
        raise SweepDocumentError(f"{path}: {problem}")
    return document


def _shown(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def inconsistency(document: dict) -> str | None:
    """What a schema-valid document says that its own content contradicts: counts that
    do not match what it lists, a finding of a repository it does not list, shards out of
    their split, or, for a document of the whole input, repositories left out."""
    sweep = document["sweep"]
    repositories = sweep["repositories"]
    names = Counter(r["name"] for r in repositories)
    twice = sorted(name for name, count in names.items() if count > 1)
    if twice:
        return f"repository {twice[0]} is listed twice"
    found = Counter(f["repository"] for f in document["findings"])
    strangers = sorted(set(found) - set(names))
    if strangers:
        return f"findings of repository {strangers[0]}, which the sweep does not list"
    for repository in repositories:
        name, count = repository["name"], repository["findings"]
        if found[name] != count or sum(repository["by_fix"].values()) != count:
            return (
                f"repository {name} counts {count} findings; the document lists "
                f"{found[name]} (by fix: {sum(repository['by_fix'].values())})"
            )
    summary = document["summary"]
    for key, listed in (
        ("findings", len(document["findings"])),
        ("errors", len(document["errors"])),
        ("repositories", len(repositories)),
    ):
        if summary[key] != listed:
            return f"the summary counts {summary[key]} {key}; the document lists {listed}"
    statuses = Counter(r["status"] for r in repositories)
    if any(summary["by_status"][status] != statuses[status] for status in STATUSES):
        return "summary.by_status does not match the repositories' statuses"
    shards = sweep["shards"]
    if shards is not None:
        outside = [i for i in shards["indexes"] if i > shards["count"]]
        if outside:
            return f"shard {outside[0]}/{shards['count']} is not a shard of {shards['count']}"
    if shards is None or len(shards["indexes"]) == shards["count"]:
        return _input_problem(sweep)
    if len(repositories) > sweep["input"]["repositories"]:
        return (
            f"{len(repositories)} repositories in a shard of an input of "
            f"{sweep['input']['repositories']}"
        )
    return None


def _input_problem(sweep: dict) -> str | None:
    """For a document of every shard: the repositories are the input's, none left out."""
    repositories = sweep["repositories"]
    expected = sweep["input"]["repositories"]
    if len(repositories) != expected:
        return (
            f"the input had {expected} repositories and the document lists "
            f"{len(repositories)}: a sweep of the whole input lists every one"
        )
    digest = sweep["input"].get("digest")
    sources = [RepoSource(r["name"], "", r["weight"]) for r in repositories]
    if digest is not None and input_digest(sources) != digest:
        return "the repositories listed are not those of the input (their digest differs)"
    return None


def _shard_label(shards: dict) -> str:
    listed = [f"{i}/{shards['count']}" for i in shards["indexes"][:MAX_LISTED]]
    more = len(shards["indexes"]) - len(listed)
    return ", ".join(listed) + (f" and {more} more" if more > 0 else "")


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
    merged = {
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
    # Every shard is here: together they must list the whole input, each repository once.
    problem = _input_problem(merged["sweep"])
    if problem is not None:
        labels = ", ".join(label for label, _ in named)
        raise SweepDocumentError(f"{labels}: {problem}")
    return merged


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
    missing = count - len(seen)
    if missing:
        # Named up to a few: a count of a billion must not make a list of a billion.
        named = []
        for index in range(1, count + 1):
            if len(named) == MAX_LISTED:
                break
            if index not in seen:
                named.append(f"{index}/{count}")
        more = f" and {missing - len(named)} more" if missing > len(named) else ""
        raise SweepDocumentError(
            f"missing shards: {', '.join(named)}{more} (the merge needs all {count})"
        )
    return {"count": count, "indexes": sorted(seen)}
