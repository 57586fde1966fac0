"""How a sweep reports what it could not do (issue 26): a repository that fails to clone
keeps its findings in the open totals (carried, not fixed), counts read as English ("1
repository", "1 error"), the Markdown report does not call an unscanned repository a file,
and a fix campaign commits on a runner where git knows nobody."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import GIT_ENV, git, run_cli, write
from sweep_support import LOGIN, PORT_465, repository

pytestmark = pytest.mark.slow


def _org(tmp_path: Path) -> Path:
    """Two remotes (local repositories) and the list file naming them."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        files = {"app/mail.py": LOGIN, "app/port.py": PORT_465}
        repository(tmp_path / "remotes" / "billing", files)
        repository(tmp_path / "remotes" / "ports", {"send.py": PORT_465})
    write(tmp_path / "repos.txt", "remotes/billing\nremotes/ports\n")
    return tmp_path / "repos.txt"


def _sweep(tmp_path: Path, *args: str):
    return run_cli("sweep", "repos.txt", "--no-cache", *args, cwd=tmp_path, env=GIT_ENV)


def test_a_repository_that_fails_to_clone_stays_in_the_open_totals(tmp_path: Path) -> None:
    _org(tmp_path)
    first = _sweep(tmp_path, "--format", "json", "-o", "week1.json")
    assert first.returncode == 1, first.stderr
    week1 = json.loads((tmp_path / "week1.json").read_text())
    billing_before = sum(1 for f in week1["findings"] if f["repository"] == "billing")
    assert billing_before == 3  # AS101, AS105, AS202
    # A week later billing cannot be fetched (deleted, renamed, a lost token): not progress.
    shutil.rmtree(tmp_path / "remotes" / "billing")
    shutil.rmtree(tmp_path / ".authsweep_repos" / "billing")
    second = _sweep(tmp_path, "--previous", "week1.json", "--format", "json", "-o", "week2.json")
    assert second.returncode == 1
    week2 = json.loads((tmp_path / "week2.json").read_text())
    changes = week2["sweep"]["changes"]
    rows = {row["name"]: row for row in changes["repositories"]}
    assert rows["billing"]["carried"] == billing_before and rows["billing"]["fixed"] == 0
    assert "not scanned" in rows["billing"]["note"]
    assert changes["totals"] == {"new": 0, "fixed": 0, "remaining": 1, "carried": 3}
    assert "0 new, 0 fixed, 1 remaining, 3 carried as open" in second.stdout
    # The trend: the week-2 point counts the carried findings; a third failure carries on.
    third = run_cli(
        "merge", "week2.json", "--previous", "week2.json", "--format", "json", cwd=tmp_path
    )
    merged = json.loads(third.stdout)
    assert [point["findings"] for point in merged["sweep"]["history"]] == [4, 4]
    assert merged["sweep"]["changes"]["totals"]["carried"] == 3
    html = run_cli("merge", "week2.json", "--previous", "week1.json", "--format", "html",
                   cwd=tmp_path).stdout  # fmt: skip
    assert "3 carried as open" in html


def test_counts_read_as_english_and_an_unscanned_repository_is_no_file(tmp_path: Path) -> None:
    _org(tmp_path)
    write(tmp_path / "repos.txt", "remotes/missing\n")
    result = _sweep(tmp_path, "--format", "json", "-o", "sweep.json")
    assert result.returncode == 1
    assert "Swept 1 repository: 1 not scanned. 0 findings, 1 error." in result.stdout
    merged = run_cli("merge", "sweep.json", cwd=tmp_path)
    assert "Swept 1 repository: 1 not scanned. 0 findings, 1 error." in merged.stdout
    markdown = run_cli("merge", "sweep.json", "--format", "markdown", cwd=tmp_path).stdout
    assert "could not be checked" not in markdown
    assert "| `missing` | not scanned |" in markdown
    html = run_cli("merge", "sweep.json", "--format", "html", cwd=tmp_path).stdout
    assert "1 repository, 0 files checked" in html


def test_a_campaign_commits_where_git_knows_nobody(tmp_path: Path) -> None:
    _org(tmp_path)
    # No identity anywhere: no configuration, no GIT_AUTHOR_*/GIT_COMMITTER_*, no EMAIL.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    environment.pop("EMAIL", None)
    environment.update(
        {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    )
    command = ["sweep", "repos.txt", "--fix", "--branch", "authsweep/fix", "--no-cache"]
    result = subprocess.run(
        [sys.executable, "-m", "authsweep", *command, "--format", "json", "-o", "campaign.json"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "git has no user identity here" in result.stderr  # said before it starts
    repos = {r["name"]: r for r in json.loads((tmp_path / "campaign.json").read_text())
             ["sweep"]["repositories"]}  # fmt: skip
    fix = repos["ports"]["fix"]
    assert fix["result"] == "committed", fix
    assert "Committed as authsweep <authsweep@localhost>" in fix["message"]
    clone = tmp_path / ".authsweep_repos" / "ports"
    assert (
        git(clone, "log", "-1", "--format=%an <%ae>").strip() == "authsweep <authsweep@localhost>"
    )


def test_a_campaign_keeps_the_identity_git_has(tmp_path: Path) -> None:
    _org(tmp_path)
    result = run_cli(
        "sweep", "repos.txt", "--fix", "--branch", "authsweep/fix", "--no-cache",
        "--format", "json", "-o", "campaign.json", cwd=tmp_path, env=GIT_ENV,
    )  # fmt: skip
    assert "no user identity" not in result.stderr
    clone = tmp_path / ".authsweep_repos" / "ports"
    assert git(clone, "log", "-1", "--format=%an <%ae>").strip() == "Test <test@example.com>"
