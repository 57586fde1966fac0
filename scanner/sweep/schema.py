"""The JSON Schema of a sweep document (``authsweep sweep --format json``, format 1).

Everything a merge, the burn-down or a report reads from a document another run wrote is
here, with its type: counts and positions are integers (never strings a report would
write as they are), statuses and severities are from their lists, shards are bounded.
Keys it does not name are allowed and never read. ``docs/sweep.schema.json`` is this
schema as a file, for other tools; a test keeps the two the same.
"""

from __future__ import annotations

from ..findings import Applicability, Confidence, Severity
from .shards import MAX_SHARDS
from .status import STATUSES

FORMAT = 1
# JSON's exact integers: every count and position fits, and no count can ask for more.
MAX_COUNT = 2**53 - 1


def _object(properties: dict, *, required: tuple[str, ...] | None = None) -> dict:
    """An object with these properties, all of them required unless ``required`` says."""
    return {
        "type": "object",
        "required": list(properties if required is None else required),
        "properties": properties,
    }


def _array(items: dict, **limits: int) -> dict:
    return {"type": "array", "items": items, **limits}


def _counts(keys: tuple[str, ...]) -> dict:
    return _object({key: COUNT for key in keys})


COUNT = {"$ref": "#/$defs/count"}
TEXT = {"type": "string"}
NAME = {"type": "string", "minLength": 1}
OPTIONAL_TEXT = {"type": ["string", "null"]}
SHARD_NUMBER = {"type": "integer", "minimum": 1, "maximum": MAX_SHARDS}

FINDING = _object(
    {
        "rule": NAME,
        "name": TEXT,
        "severity": {"enum": [s.value for s in Severity]},
        "confidence": {"enum": [c.value for c in Confidence]},
        "path": NAME,
        "line": COUNT,
        "column": COUNT,
        "end_line": COUNT,
        "end_column": COUNT,
        "message": TEXT,
        "fixable": {"type": "boolean"},
        "fix": {
            "type": ["object", "null"],
            "required": ["applicability", "message"],
            "properties": {
                "applicability": {"enum": [a.value for a in Applicability]},
                "message": TEXT,
            },
        },
        "fingerprint": TEXT,
        "repository": NAME,
        "team": TEXT,
        "frame": _array(
            {"type": "array", "prefixItems": [COUNT, TEXT], "items": False, "minItems": 2}
        ),
    },
    required=(
        "rule",
        "name",
        "severity",
        "confidence",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "repository",
    ),
)

ERROR = _object(
    {
        "path": NAME,
        "message": TEXT,
        "kind": TEXT,
        "repository": NAME,
        "line": COUNT,
        "column": COUNT,
    },
    required=("path", "message"),
)

BY_STATUS = _counts(STATUSES)

SUMMARY = _object(
    {
        "files_scanned": COUNT,
        "files_parsed": COUNT,
        "files_with_findings": COUNT,
        "findings": COUNT,
        "errors": COUNT,
        "by_rule": {"type": "object", "additionalProperties": COUNT},
        "by_severity": {"type": "object", "additionalProperties": COUNT},
        "fixable": COUNT,
        "suppressed": COUNT,
        "baselined": COUNT,
        "repositories": COUNT,
        "by_status": BY_STATUS,
    }
)

CAMPAIGN = _object(
    {
        "result": NAME,
        "message": OPTIONAL_TEXT,
        "remaining": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_COUNT},
        "branch": TEXT,
        "commit": TEXT,
        "files": _array(TEXT),
        "applied": {"type": "object", "additionalProperties": COUNT},
    },
    required=("result", "message"),
)

REPOSITORY = _object(
    {
        "name": NAME,
        "source": TEXT,
        "weight": COUNT,
        "commit": OPTIONAL_TEXT,
        "branch": OPTIONAL_TEXT,
        "dirty": {"type": "boolean"},
        "status": {"enum": list(STATUSES)},
        "reasons": _array(TEXT),
        "files_scanned": COUNT,
        "files_parsed": COUNT,
        "suppressed": COUNT,
        "findings": COUNT,
        "by_fix": _counts(("safe", "unsafe", "manual")),
        "errors": COUNT,
        "failure": {
            "type": ["object", "null"],
            "required": ["message"],
            "properties": {"message": TEXT},
        },
        "fix": {**CAMPAIGN, "type": ["object", "null"]},
        "seconds": {"type": "number", "minimum": 0},
    },
    required=(
        "name",
        "weight",
        "commit",
        "status",
        "reasons",
        "files_scanned",
        "files_parsed",
        "suppressed",
        "findings",
        "by_fix",
        "errors",
    ),
)

RUN = _object(
    {
        "shard": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_SHARDS},
        "started": TEXT,
        "finished": OPTIONAL_TEXT,
        "seconds": {"type": "number", "minimum": 0},
        "repositories": COUNT,
    },
    required=(),
)

CHANGES = _object(
    {
        "previous": _object(
            {"version": TEXT, "finished": OPTIONAL_TEXT, "findings": COUNT},
            required=("findings",),
        ),
        "totals": _counts(("new", "fixed", "remaining")),
        "repositories": _array(
            _object({"name": NAME, "new": COUNT, "fixed": COUNT, "remaining": COUNT, "note": TEXT})
        ),
        "gone": _array(TEXT),
    },
    required=("previous", "totals", "repositories"),
)

HISTORY_POINT = _object(
    {
        "finished": OPTIONAL_TEXT,
        "findings": COUNT,
        "repositories": COUNT,
        "by_status": {"type": "object", "additionalProperties": COUNT},
    },
    required=("findings",),
)

SWEEP = _object(
    {
        "format": {"const": FORMAT},
        "source": TEXT,
        "input": _object(
            {"repositories": COUNT, "digest": OPTIONAL_TEXT}, required=("repositories",)
        ),
        "shards": {
            "type": ["object", "null"],
            "required": ["count", "indexes"],
            "properties": {
                "count": SHARD_NUMBER,
                "indexes": _array(SHARD_NUMBER, minItems=1, maxItems=MAX_SHARDS)
                | {"uniqueItems": True},
            },
        },
        "runs": _array(RUN),
        "repositories": _array(REPOSITORY),
        "changes": {**CHANGES, "type": ["object", "null"]},
        "history": _array(HISTORY_POINT),
    },
    required=("format", "input", "shards", "repositories"),
)

SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "authsweep sweep document",
    "description": "What `authsweep sweep --format json` and `authsweep merge --format json` "
    "write, and what `merge` and `--previous` read.",
    "type": "object",
    "required": ["tool", "version", "findings", "errors", "summary", "sweep"],
    "properties": {
        "tool": {"const": "authsweep"},
        "version": NAME,
        "findings": _array(FINDING),
        "errors": _array(ERROR),
        "summary": SUMMARY,
        "sweep": SWEEP,
    },
    "$defs": {"count": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}},
}
