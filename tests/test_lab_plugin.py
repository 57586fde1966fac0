"""The `exchange_online` pytest fixture, used exactly as docs/lab.md tells users to.

There is no conftest.py: the fixture comes from the `pytest11` entry point that installing
authsweep registers, as it does in a user's project.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
SERVICE = str(REPO / "fixtures" / "e2e" / "token_reuse_sender.py")  # keeps its first token
MAIL = {"MAIL_USER": "reports@contoso.com"}


@pytest.mark.slow
def test_hourly_report_is_delivered(exchange_online):
    proc = exchange_online.run([sys.executable, SERVICE], env={**MAIL, "REPORT_COUNT": "1"})
    assert proc.returncode == 0, proc.stderr
    verdict = exchange_online.verdict()
    assert verdict.passed, verdict
    assert [m.subject for m in exchange_online.messages] == ["Hourly report 1"]


@pytest.mark.slow
@pytest.mark.exchange_online(token_lifetime=1)  # tokens live 1 s instead of an hour
def test_reports_keep_working_after_the_token_expires(exchange_online):
    env = {**MAIL, "REPORT_COUNT": "2", "REPORT_INTERVAL_SECONDS": "1.5"}
    exchange_online.run([sys.executable, SERVICE], env=env)
    verdict = exchange_online.verdict()
    # The documented test asserts verdict.passed; this service keeps its first token, so the
    # same test catches it: the second report is refused once the token has expired.
    assert not verdict.passed
    assert [(f.failure.cause, f.failure.reply.split(" [")[0]) for f in verdict.failures] == [
        ("token-expired", "535 5.7.3 Authentication unsuccessful"),
        ("command-failed", "the command exited with status 1"),
    ]
    assert "Ask MSAL (acquire_token_for_client) before each connection" in str(verdict)


def test_each_test_starts_with_empty_records(exchange_online):
    assert exchange_online.messages == [] and exchange_online.connections == []


def test_the_plugin_comes_from_its_entry_point(request: pytest.FixtureRequest) -> None:
    plugin = request.config.pluginmanager.get_plugin("authsweep-lab")
    assert plugin is not None and plugin.__name__ == "authsweep.lab.pytest_plugin"
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {
        "authsweep-lab": "authsweep.lab.pytest_plugin"
    }
    extras = project["project"]["optional-dependencies"]
    assert {req.split(">=")[0] for req in extras["lab"]} == {"aiosmtpd", "trustme"}
    assert "authsweep[lab]" in extras["test"]
    setuptools = project["tool"]["setuptools"]
    assert setuptools["package-dir"]["authsweep.lab"] == "lab"
    assert "authsweep.lab" in setuptools["packages"]
    assert not list((REPO / "lab").glob("*/__init__.py"))  # no subpackage left out of the wheel


@pytest.mark.slow
def test_the_readme_example_runs_as_copied(tmp_path: Path) -> None:
    """The pytest example of docs/lab.md, saved as it says beside the service it tests and run
    in a pytest of its own: the first test passes; the second fails on the expired token,
    and the failure shows the verdict as text (never the dataclass's fields)."""
    page = (REPO / "docs" / "lab.md").read_text()
    section = page.split("## In your test suite: the `exchange_online` fixture", 1)[1]
    [example] = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    (tmp_path / "test_reports.py").write_text(example)
    shutil.copy(SERVICE, tmp_path / "report_service.py")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "AZURE_"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_reports.py"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "1 failed, 1 passed" in output, output
    assert "Verdict(" not in output and "snapshot=" not in output
    assert "AssertionError: authsweep lab verdict for" in output  # the repr is the text
    section_title = re.search(r"\n-+ authsweep lab verdict -+\n", output)
    assert section_title, output
    verdict = output[section_title.end() :]
    assert "535 5.7.3 Authentication unsuccessful" in verdict
    assert "Ask MSAL (acquire_token_for_client) before each connection" in verdict


def test_a_verdict_reprs_as_its_text(exchange_online):
    verdict = exchange_online.verdict()
    assert repr(verdict) == str(verdict) and repr(verdict).startswith("authsweep lab verdict")
