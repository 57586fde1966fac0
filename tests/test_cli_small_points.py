"""The smaller points of issue 26: advice that names the pre-commit hooks where
`authsweep` may not be on PATH, one fix column for the README and `authsweep rules`, the
aiosmtplib version the OAuth2 rewrite needs said in the README, and `--changed-since`
saying that nothing changed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_support import MULTILINE_LOGIN, commit_all, init_repo, invoke, write

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
UNSAFE_HOOK = "`pre-commit run authsweep-fix-unsafe --hook-stage manual`"


@pytest.mark.parametrize("command", ["check", "fix"])
def test_under_pre_commit_the_advice_names_the_hooks(tmp_path: Path, command: str) -> None:
    write(tmp_path / "mail.py", MULTILINE_LOGIN)  # AS101: an unsafe fix
    hooked = invoke(command, "mail.py", "--no-cache", cwd=tmp_path, env={"PRE_COMMIT": "1"})
    assert UNSAFE_HOOK in hooked.stdout, hooked.stdout
    assert "authsweep fix" not in hooked.stdout
    plain = invoke(command, "mail.py", "--no-cache", cwd=tmp_path)
    assert "`authsweep fix --unsafe-fixes`" in plain.stdout and "pre-commit" not in plain.stdout


def test_readme_rule_table_is_the_catalog(tmp_path: Path) -> None:
    catalog = json.loads(invoke("rules", "--format", "json", cwd=tmp_path).stdout)
    expected = [(r["id"], r["name"], r["severity"], r["fix"] or "-") for r in catalog]
    table = README.split("## Rules\n", 1)[1].split("\n## ", 1)[0]
    rows = [
        tuple(cell.strip() for cell in line.strip("|").split("|")[:4])
        for line in table.splitlines()
        if re.match(r"\| AS\d{3} ", line)
    ]
    assert rows == expected


def test_readme_says_which_aiosmtplib_the_rewrite_needs() -> None:
    coverage = (ROOT / "docs" / "coverage.md").read_text()
    [needed] = re.findall(r"needs aiosmtplib (\d+\.\d+)\+", coverage)
    section = README.split("## The migration `fix` writes", 1)[1].split("\n## ", 1)[0]
    assert f"aiosmtplib {needed} or newer" in section


@pytest.mark.parametrize("command", ["check", "fix"])
def test_changed_since_with_nothing_changed_says_so(tmp_path: Path, command: str) -> None:
    repo = init_repo(tmp_path / "billing")
    write(repo / "mail.py", MULTILINE_LOGIN)
    commit_all(repo)
    result = invoke(command, "--changed-since", "HEAD", cwd=repo)
    assert result.returncode == 0
    assert "nothing changed since HEAD in ." in result.stderr
    assert "authsweep reads" not in result.stderr
    empty = invoke(command, "--no-cache", cwd=init_repo(tmp_path / "empty"))
    assert "no files checked in ." in empty.stderr
