"""Sweep documents read back (shards to merge, ``--previous``) are hostile input: each is
checked against the schema and against itself, and refused with exit 2, the file's name
and what is wrong; never a traceback, never a report built from a count that lies, and
no count in a file makes authsweep allocate by it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from authsweep.scanner.sweep.document import SweepDocumentError, load_document, merge_documents
from authsweep.scanner.sweep.shards import Shard, select
from authsweep.scanner.sweep.sources import RepoSource
from cli_support import GIT_ENV, run_cli
from sweep_support import CLEAN, LOGIN, PORT_465, repository

REPO = Path(__file__).resolve().parent.parent
MAX_SHARDS = 10_000
META = '<meta http-equiv="refresh" content="0;url=https://attacker.example/">'


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three repositories swept whole (whole.json) and in two shards (s1.json, s2.json)."""
    root = tmp_path_factory.mktemp("documents")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        repository(root / "org" / "billing", {"mail.py": LOGIN})
        repository(root / "org" / "ports", {"send.py": PORT_465})
        repository(root / "org" / "clean", {"greet.py": CLEAN})
    common = ("--format", "json", "--no-cache", "--exit-zero", "-q")
    for shard, output in ((None, "whole.json"), ("1/2", "s1.json"), ("2/2", "s2.json")):
        extra = ("--shard", shard) if shard else ()
        result = run_cli("sweep", "org", *extra, *common, "-o", output, cwd=root)
        assert result.returncode == 0, result.stderr
    return root


def _load(folder: Path, name: str) -> dict:
    return json.loads((folder / name).read_text())


def _with_findings(document: dict) -> dict:
    """A repository of the document that has findings."""
    return next(r for r in document["sweep"]["repositories"] if r["findings"])


def _drop_repository(document: dict) -> None:
    """One repository taken out, with its findings and every count that names it, so that
    only the input's count tells."""
    gone = _with_findings(document)
    document["sweep"]["repositories"].remove(gone)
    document["findings"] = [f for f in document["findings"] if f["repository"] != gone["name"]]
    summary = document["summary"]
    summary["findings"] = len(document["findings"])
    summary["repositories"] -= 1
    summary["by_status"][gone["status"]] -= 1


TAMPERED: dict[str, tuple[Callable[[dict], None], str]] = {
    "name missing": (
        lambda d: d["sweep"]["repositories"][0].pop("name"),
        "sweep.repositories[0]: 'name' is missing",
    ),
    "count as a string": (
        lambda d: d["sweep"]["shards"].update(count="2"),
        "sweep.shards.count: expected an integer, found '2'",
    ),
    "indexes not a list": (
        lambda d: d["sweep"]["shards"].update(indexes=5),
        "sweep.shards.indexes: expected an array, found 5",
    ),
    "no summary": (lambda d: d.pop("summary"), "'summary' is missing"),
    "a trillion shards": (
        lambda d: d["sweep"]["shards"].update(count=10**12),
        "sweep.shards.count: 1000000000000 is over 10,000",
    ),
    "markup in a count": (
        lambda d: _with_findings(d).update(findings=f"1{META}"),
        "findings: expected an integer, found a string",
    ),
    "markup in a line": (
        lambda d: d["findings"][0].update(line=META),
        "findings[0].line: expected an integer, found a string",
    ),
    "markup in by_fix": (
        lambda d: _with_findings(d)["by_fix"].update(safe=META),
        "by_fix.safe: expected an integer, found a string",
    ),
    "markup in by_status": (
        lambda d: d["summary"]["by_status"].update(clean=META),
        "summary.by_status.clean: expected an integer, found a string",
    ),
    "a status of its own": (
        lambda d: d["sweep"]["repositories"][0].update(status=META),
        "status: expected one of",
    ),
    "a count that lies": (
        lambda d: _with_findings(d).update(findings=_with_findings(d)["findings"] + 5),
        "findings; the document lists",
    ),
    "a summary that lies": (
        lambda d: d["summary"].update(findings=d["summary"]["findings"] + 1),
        "the summary counts",
    ),
    "a finding of no listed repository": (
        lambda d: d["findings"][0].update(repository="elsewhere"),
        "findings of repository elsewhere, which the sweep does not list",
    ),
    "a shard outside its split": (
        lambda d: d["sweep"]["shards"].update(indexes=[3]),
        "shard 3/2 is not a shard of 2",
    ),
    "a boolean for a number": (
        lambda d: d["sweep"]["repositories"][0].update(weight=True),
        "weight: expected an integer, found a boolean",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_a_tampered_shard_is_refused_naming_the_file(swept: Path, case: str) -> None:
    tamper, expected = TAMPERED[case]
    document = _load(swept, "s1.json")
    tamper(document)
    (swept / "bad.json").write_text(json.dumps(document))
    result = run_cli("merge", "bad.json", "s2.json", "--format", "html", cwd=swept)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("authsweep: error: cannot merge: bad.json: "), result.stderr
    assert expected in result.stderr
    assert result.stdout == ""


@pytest.mark.slow
def test_a_tampered_previous_sweep_is_refused(swept: Path) -> None:
    document = _load(swept, "whole.json")
    document["sweep"]["repositories"][0]["findings"] = META
    (swept / "previous.json").write_text(json.dumps(document))
    for command in (
        ("merge", "whole.json", "--previous", "previous.json"),
        ("sweep", "org", "--no-cache", "--previous", "previous.json"),
    ):
        result = run_cli(*command, "--format", "html", cwd=swept)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.startswith("authsweep: error: --previous: previous.json: ")
        assert META not in result.stdout


@pytest.mark.slow
def test_repositories_removed_from_a_report_are_refused(swept: Path) -> None:
    whole = _load(swept, "whole.json")
    _drop_repository(whole)
    (swept / "fewer.json").write_text(json.dumps(whole))
    result = run_cli("merge", "fewer.json", "--format", "html", cwd=swept)
    assert result.returncode == 2
    assert "fewer.json: the input had 3 repositories and the document lists 2" in result.stderr
    # Taken out of one shard, the merge of both shards tells: the input had three.
    first = _load(swept, "s1.json")
    _drop_repository(first)
    (swept / "short.json").write_text(json.dumps(first))
    result = run_cli("merge", "short.json", "s2.json", "--format", "json", cwd=swept)
    assert result.returncode == 2 and result.stdout == ""
    assert "short.json, s2.json: the input had 3 repositories" in result.stderr


@pytest.mark.slow
def test_a_renamed_repository_is_refused(swept: Path) -> None:
    whole = _load(swept, "whole.json")
    renamed = whole["sweep"]["repositories"][0]
    for finding in whole["findings"]:
        if finding["repository"] == renamed["name"]:
            finding["repository"] = "someone-else"
    renamed["name"] = "someone-else"
    (swept / "renamed.json").write_text(json.dumps(whole))
    result = run_cli("merge", "renamed.json", cwd=swept)
    assert result.returncode == 2
    assert "not those of the input (their digest differs)" in result.stderr


@pytest.mark.slow
def test_what_is_not_a_document_is_refused_without_a_traceback(swept: Path) -> None:
    (swept / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (swept / "binary.json").write_bytes(b"\xff\xfe{}")
    for name, expected in (("deep.json", "not JSON"), ("binary.json", "not JSON")):
        result = run_cli("merge", name, cwd=swept)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"{name}: {expected}" in result.stderr


def test_a_document_over_the_size_bound_is_not_read_whole(
    swept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from authsweep.scanner.sweep import document

    monkeypatch.setattr(document, "MAX_DOCUMENT_BYTES", 1024)
    with pytest.raises(SweepDocumentError, match=r"whole.json: over 0 MB, not a sweep"):
        load_document(swept / "whole.json")


def test_missing_shards_are_counted_not_listed(swept: Path) -> None:
    document = _load(swept, "s1.json")
    document["sweep"]["shards"]["count"] = MAX_SHARDS
    with pytest.raises(SweepDocumentError) as refused:
        merge_documents([("s1.json", document)])
    message = str(refused.value)
    assert message.startswith("missing shards: 2/10000, 3/10000, ")
    assert message.endswith("and 9979 more (the merge needs all 10000)")


@pytest.mark.slow
def test_a_shard_count_is_bounded_and_costs_nothing_when_mostly_empty(swept: Path) -> None:
    result = run_cli("sweep", "org", "--shard", "1/1000000000", "--no-cache", cwd=swept)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--shard: shard 1/1000000000: N must be at most 10,000" in result.stderr
    sources = [RepoSource(f"r{i}", "", 1) for i in range(3)]
    assert [s.name for s in select(sources, Shard(2, MAX_SHARDS))] == ["r1"]
    assert select(sources, Shard(MAX_SHARDS, MAX_SHARDS)) == []


@pytest.mark.slow
def test_the_documents_authsweep_writes_are_valid_and_merge(swept: Path) -> None:
    for name in ("whole.json", "s1.json", "s2.json"):
        load_document(swept / name)
    merged = run_cli("merge", "s1.json", "s2.json", "--format", "json", cwd=swept)
    assert merged.returncode == 0, merged.stderr
    (swept / "merged.json").write_text(merged.stdout)
    again = run_cli("merge", "merged.json", "--previous", "whole.json", cwd=swept)
    assert again.returncode == 0, again.stderr


def test_the_schema_file_is_the_schema_and_jsonschema_agrees(swept: Path) -> None:
    from authsweep.scanner.sweep.schema import SCHEMA
    from authsweep.scanner.sweep.validator import unsupported_keywords, validate

    assert json.loads((REPO / "docs" / "sweep.schema.json").read_text()) == SCHEMA
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert unsupported_keywords(SCHEMA) == set()
    reference = jsonschema.Draft202012Validator(SCHEMA)
    for name in ("whole.json", "s1.json", "s2.json"):
        document = _load(swept, name)
        reference.validate(document)
        validate(document, SCHEMA)
    for case, (tamper, _) in TAMPERED.items():
        document = copy.deepcopy(_load(swept, "s1.json"))
        tamper(document)
        ours = _problem(document, SCHEMA)
        theirs = next(iter(reference.iter_errors(document)), None)
        # The tampering the schema alone cannot see (counts that lie) both accept.
        assert (ours is None) == (theirs is None), (case, ours, theirs)


def _problem(document: dict, schema: dict) -> Exception | None:
    from authsweep.scanner.sweep.validator import SchemaProblem, validate

    try:
        validate(document, schema)
    except SchemaProblem as problem:
        return problem
    return None
