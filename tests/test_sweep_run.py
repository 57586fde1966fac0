"""``authsweep sweep`` on real git repositories: a folder checked in place, a list of
remotes cloned into a work folder and updated next time, failures of one repository
recorded while the sweep goes on, and the JSON contract."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from authsweep.scanner import __version__
from authsweep.scanner.options_file import ConfigResolver
from authsweep.scanner.sweep.run import SweepOptions, sweep
from cli_support import GIT_ENV, commit_all, git, run_cli, write
from sweep_support import LOGIN, PORT_465, SECRET, STATUSES, head, make_org, repository

CHECK_FINDING_KEYS = {
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
    "fixable",
}


@pytest.fixture(autouse=True)
def _hermetic_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def _sweep(source: Path, tmp_path: Path, **options) -> dict:
    return sweep(SweepOptions(source, tmp_path / "work", ConfigResolver(), **options))


def _by_name(document: dict) -> dict[str, dict]:
    return {r["name"]: r for r in document["sweep"]["repositories"]}


def test_folder_sweep_one_result_per_repository(tmp_path: Path) -> None:
    org = make_org(tmp_path / "org")
    write(org / "team-b" / "broken" / ".git", "gitdir: /nonexistent/authsweep-test\n")
    document = _sweep(org, tmp_path)

    assert {"tool", "version", "findings", "errors", "summary", "sweep"} <= set(document)
    assert document["tool"] == "authsweep" and document["version"] == __version__
    repos = _by_name(document)
    assert {name: r["status"] for name, r in repos.items()} == {
        **STATUSES,
        "team-b/broken": "failed",
    }
    for name, repo in repos.items():
        if name != "team-b/broken":
            assert repo["commit"] == head(org / name) and repo["branch"] == "main"
            assert repo["failure"] is None and repo["dirty"] is False
    # The broken repository is recorded, with git's reason, and the sweep went on.
    broken = repos["team-b/broken"]
    assert broken["commit"] is None and "not a git repository" in broken["failure"]["message"]
    assert {"path": "team-b/broken", "kind": "repository"}.items() <= next(
        e for e in document["errors"] if e["repository"] == "team-b/broken"
    ).items()

    for finding in document["findings"]:
        assert CHECK_FINDING_KEYS <= set(finding)  # check's contract holds in a sweep
        assert finding["path"].startswith(finding["repository"] + "/")
        assert finding["frame"] and SECRET not in json.dumps(finding)
    billing = [f for f in document["findings"] if f["repository"] == "team-a/billing"]
    assert {f["rule"] for f in billing} == {"AS101", "AS105"}
    assert {f["path"] for f in billing} == {"team-a/billing/app/mail.py"}
    assert {f["team"] for f in billing} == {"@contoso/payments"}  # from its CODEOWNERS
    ports = [f for f in document["findings"] if f["repository"] == "team-a/ports"]
    assert {f["team"] for f in ports} == {"team-a/"}  # no CODEOWNERS: the top folder
    assert repos["team-b/legacy"]["reasons"] == ["1 file unparsable"]

    summary = document["summary"]
    assert summary["repositories"] == 8 and summary["findings"] == len(document["findings"])
    assert summary["by_status"] == {
        "failed": 1,
        "blocked": 3,
        "needs-rewrite": 1,
        "safe-fixes": 1,
        "clean": 2,
    }


@pytest.mark.slow
def test_each_repository_keeps_its_own_configuration(tmp_path: Path) -> None:
    org = make_org(tmp_path / "org")
    repos = _by_name(_sweep(org, tmp_path))
    # Its pyproject.toml ignores AS202, and its .gitignore hides generated/ (with a login).
    assert repos["team-a/configured"]["status"] == "clean"
    assert repos["team-a/configured"]["files_scanned"] == 2  # send.py and pyproject.toml
    # The configuration above the repositories (select = ["AS303"]) did not leak in.
    assert repos["team-a/billing"]["findings"] == 2
    # --config is the way to give every repository one configuration.
    forced = write(tmp_path / "only-as105.toml", 'select = ["AS105"]\n')
    document = sweep(
        SweepOptions(org, tmp_path / "work", ConfigResolver(config_file=forced), cache_dir=None)
    )
    assert {f["rule"] for f in document["findings"]} == {"AS105"}


def test_a_bad_configuration_fails_that_repository_only(tmp_path: Path) -> None:
    org = tmp_path / "org"
    repository(org / "typo", {"pyproject.toml": "[tool.authsweep]\nselectt = []\n"})
    repository(org / "fine", {"send.py": PORT_465})
    repos = _by_name(_sweep(org, tmp_path))
    assert repos["typo"]["status"] == "failed"
    assert "selectt: unknown key; did you mean 'select'?" in repos["typo"]["failure"]["message"]
    assert repos["fine"]["status"] == "safe-fixes"


def _bare_remote(path: Path, files: dict[str, str]) -> Path:
    work = repository(path.with_name(path.name + "-work"), files)
    git(path.parent, "clone", "-q", "--bare", str(work), str(path))
    return path


@pytest.mark.slow
def test_listed_remotes_are_cloned_once_then_updated(tmp_path: Path) -> None:
    remotes = tmp_path / "remotes"
    _bare_remote(remotes / "billing.git", {"app/mail.py": LOGIN})
    _bare_remote(remotes / "ports.git", {"send.py": PORT_465})
    listing = write(
        tmp_path / "repos.txt",
        "remotes/billing.git 10\nremotes/ports.git\nremotes/missing.git  # gone\n",
    )
    work = tmp_path / "work"
    first = _by_name(_sweep(listing, tmp_path))
    assert first["billing"]["commit"] == head(remotes / "billing.git-work")
    assert first["billing"]["status"] == "needs-rewrite"
    assert first["ports"]["status"] == "safe-fixes"
    assert first["missing"]["status"] == "failed"
    assert "does not appear to be a git repository" in first["missing"]["failure"]["message"]
    clone = work / "billing"
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    assert (work / ".gitignore").read_text().endswith("*\n")  # clones stay out of git status

    # A new commit on the remote: the next sweep fetches it into the same clone.
    marker = clone / ".git" / "kept-by-authsweep-test"
    marker.write_text("the clone is re-used, not made again\n")
    upstream = remotes / "billing.git-work"
    write(upstream / "app" / "mail.py", PORT_465)
    commit_all(upstream, "fix the login by hand")
    git(upstream, "push", "-q", str(remotes / "billing.git"), "main")
    second = _by_name(_sweep(listing, tmp_path))
    assert marker.exists()
    assert second["billing"]["commit"] == head(upstream) != first["billing"]["commit"]
    assert second["billing"]["status"] == "safe-fixes"

    # Local changes in a managed clone are never overwritten: that repository is not
    # scanned (it would not be the remote's code) and says why.
    write(work / "ports" / "send.py", "# edited by someone\n")
    third = _by_name(_sweep(listing, tmp_path))
    assert third["ports"]["status"] == "failed"
    assert "local changes" in third["ports"]["failure"]["message"]
    assert (work / "ports" / "send.py").read_text() == "# edited by someone\n"
    assert third["billing"]["status"] == "safe-fixes"


@pytest.mark.slow
def test_cli_sweep_exit_codes_and_terminal_output(tmp_path: Path) -> None:
    org = make_org(tmp_path / "org")
    result = run_cli("sweep", str(org), "--format", "json", "-o", "sweep.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    # On the terminal: one line per repository that is not clean, and a summary.
    assert "safe fixes only           team-a/ports" in result.stdout
    assert "team-b/clean" not in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("Swept 7 repositories: 2 clean,")
    document = json.loads((tmp_path / "sweep.json").read_text())
    assert document["summary"]["repositories"] == 7
    assert (tmp_path / ".authsweep_cache" / "sweep").is_dir()  # a cache per repository

    clean = run_cli("sweep", str(org / "team-b" / "clean"), "--no-cache", cwd=tmp_path)
    assert clean.returncode == 0 and "Swept 1 repository: 1 clean." in clean.stdout
    missing = run_cli("sweep", "nowhere.txt", cwd=tmp_path)
    assert missing.returncode == 2 and "nowhere.txt: no such folder or file" in missing.stderr
    bad_shard = run_cli("sweep", str(org), "--shard", "9/8", cwd=tmp_path)
    assert bad_shard.returncode == 2 and "--shard: shard 9/8" in bad_shard.stderr


@pytest.mark.slow
def test_credentials_in_remote_urls_are_never_shown(tmp_path: Path) -> None:
    token = "ghp_NotARealToken0000000000000000"
    listing = write(tmp_path / "repos.txt", f"https://x:{token}@127.0.0.1:9/contoso/app.git\n")
    result = run_cli(
        "sweep", "repos.txt", "--format", "json", "-o", "s.json", cwd=tmp_path,
        env={**GIT_ENV, "GIT_TERMINAL_PROMPT": "0"},
    )  # fmt: skip
    assert result.returncode == 1
    text = (tmp_path / "s.json").read_text() + result.stdout + result.stderr
    assert token not in text and "https://***@127.0.0.1:9/contoso/app.git" in text
    assert listing.exists() and not os.listdir(tmp_path / ".authsweep_repos" / "contoso")


def _stderr_on_a_terminal(args: list[str], cwd: Path) -> str:
    """Run authsweep with stderr on a pseudo-terminal (stdout a pipe); what stderr got."""
    master, slave = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update({"TERM": "xterm-256color", "COLUMNS": "120"})
    process = subprocess.Popen(
        [sys.executable, "-m", "authsweep.scanner.cli", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=environment,
    )
    os.close(slave)
    output = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                return
            if not chunk:
                return
            output.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    process.wait(timeout=120)
    reader.join(timeout=10)
    os.close(master)
    return output.decode("utf-8", errors="replace")


@pytest.mark.slow
def test_progress_on_a_terminal_only(tmp_path: Path) -> None:
    org = make_org(tmp_path / "org")
    shown = _stderr_on_a_terminal(["sweep", str(org), "--no-cache"], tmp_path)
    assert "Sweeping" in shown and "/7" in shown
    quiet = _stderr_on_a_terminal(["sweep", str(org), "--no-cache", "--quiet"], tmp_path)
    assert "Sweeping" not in quiet
    piped = run_cli("sweep", str(org), "--no-cache", cwd=tmp_path)
    assert "Sweeping" not in piped.stderr
