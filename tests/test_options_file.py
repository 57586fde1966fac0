"""``[tool.authsweep]``: found by walking up, per repository in a sweep, named with
--config; every key applied; unknown keys and bad values exit 2 naming the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from authsweep.scanner.options_file import ConfigError, ConfigResolver, Overrides, read_config
from cli_support import IMPLICIT_TLS_587, MULTILINE_LOGIN, init_repo, run_cli, write


def rules_reported(result) -> list[tuple[str, str]]:
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    return sorted((f["path"], f["rule"]) for f in document["findings"])


def project(tmp_path: Path, table: str) -> Path:
    write(tmp_path / "pyproject.toml", f"[project]\nname = 'x'\n\n[tool.authsweep]\n{table}\n")
    write(tmp_path / "app" / "tls.py", IMPLICIT_TLS_587)
    write(tmp_path / "app" / "login.py", MULTILINE_LOGIN)
    return tmp_path


@pytest.mark.slow
def test_no_configuration_reports_everything(tmp_path: Path) -> None:
    project(tmp_path, "")
    result = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert rules_reported(result) == [("app/login.py", "AS101"), ("app/tls.py", "AS201")]


@pytest.mark.slow
def test_select_and_ignore_found_by_walking_up_from_the_files(tmp_path: Path) -> None:
    project(tmp_path, 'ignore = ["AS2"]')
    # Run from a folder below the project and from outside it: the file's config applies.
    for cwd, target in ((tmp_path / "app", "."), (tmp_path.parent, str(tmp_path))):
        found = rules_reported(run_cli("check", target, "--format", "json", cwd=cwd))
        assert [rule for _, rule in found] == ["AS101"]
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\nselect = ["AS201"]\n')
    found = rules_reported(run_cli("check", ".", "--format", "json", cwd=tmp_path))
    assert [rule for _, rule in found] == ["AS201"]


@pytest.mark.slow
def test_command_line_select_replaces_and_ignore_adds(tmp_path: Path) -> None:
    project(tmp_path, 'select = ["AS101"]')
    found = rules_reported(run_cli("check", "--select", "AS2", "--format", "json", cwd=tmp_path))
    assert [rule for _, rule in found] == ["AS201"]
    result = run_cli("check", "--ignore", "AS101", "--format", "json", cwd=tmp_path)
    assert rules_reported(result) == []


@pytest.mark.slow
def test_extend_exclude_applies_to_named_files_too(tmp_path: Path) -> None:
    project(tmp_path, 'extend-exclude = ["app/tls.py", "legacy"]')
    write(tmp_path / "legacy" / "old.py", IMPLICIT_TLS_587)
    found = rules_reported(run_cli("check", "--format", "json", cwd=tmp_path))
    assert found == [("app/login.py", "AS101")]
    # As pre-commit names them: still excluded.
    named = run_cli(
        "check", "app/tls.py", "legacy/old.py", "app/login.py", "--format", "json", cwd=tmp_path
    )
    assert rules_reported(named) == [("app/login.py", "AS101")]


@pytest.mark.slow
def test_per_file_ignores(tmp_path: Path) -> None:
    project(tmp_path, '[tool.authsweep.per-file-ignores]\n"app/tls.py" = ["AS201"]\n"*.py" = []')
    found = rules_reported(run_cli("check", "--format", "json", cwd=tmp_path))
    assert found == [("app/login.py", "AS101")]
    write(tmp_path / "pyproject.toml", '[tool.authsweep.per-file-ignores]\n"login.py" = ["ALL"]\n')
    found = rules_reported(run_cli("check", "--format", "json", cwd=tmp_path))
    assert found == [("app/tls.py", "AS201")]  # a pattern without a slash matches the name
    write(tmp_path / "pyproject.toml", '[tool.authsweep.per-file-ignores]\n"**/app/*" = ["AS1"]\n')
    found = rules_reported(run_cli("check", "--format", "json", cwd=tmp_path))
    assert found == [("app/tls.py", "AS201")]  # **/ also matches no folder


@pytest.mark.slow
def test_severity_overrides(tmp_path: Path) -> None:
    project(tmp_path, '[tool.authsweep.severity]\nAS201 = "warning"\nsmtp-basic-auth = "info"')
    result = run_cli("check", "--format", "json", cwd=tmp_path)
    severities = {f["rule"]: f["severity"] for f in json.loads(result.stdout)["findings"]}
    assert severities == {"AS101": "info", "AS201": "warning"}
    text = run_cli("check", cwd=tmp_path).stdout
    assert "AS201 [warning]" in text


@pytest.mark.slow
def test_all_providers_and_token_provider(tmp_path: Path) -> None:
    gmail = "import smtplib\ns = smtplib.SMTP_SSL('smtp.gmail.com', 465)\ns.login(u, p)\n"
    write(tmp_path / "g.py", gmail)
    assert run_cli("check", cwd=tmp_path).returncode == 0
    write(tmp_path / "pyproject.toml", "[tool.authsweep]\nall-providers = true\n")
    result = run_cli("check", "--format", "json", cwd=tmp_path)
    assert "AS101" in [f["rule"] for f in json.loads(result.stdout)["findings"]]
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\ntoken-provider = "corp.auth:token"\n')
    resolver = ConfigResolver(Overrides())
    assert resolver.settings(resolver.config_for(tmp_path)).token_provider == "corp.auth:token"


@pytest.mark.slow
def test_each_repository_of_a_sweep_uses_its_own_configuration(tmp_path: Path) -> None:
    for name, table in (("billing", 'ignore = ["AS101"]'), ("crm", ""), ("hr", None)):
        repo = init_repo(tmp_path / name)
        if table is not None:
            write(repo / "pyproject.toml", f"[tool.authsweep]\n{table}\n")
        write(repo / "mail.py", MULTILINE_LOGIN)
        write(repo / ".gitignore", "generated/\n")
        write(repo / "generated" / "mail.py", MULTILINE_LOGIN)
    found = rules_reported(run_cli("check", ".", "--format", "json", cwd=tmp_path))
    assert found == [("crm/mail.py", "AS101"), ("hr/mail.py", "AS101")]


@pytest.mark.slow
def test_config_option_names_the_file(tmp_path: Path) -> None:
    project(tmp_path, 'ignore = ["AS101"]')
    write(tmp_path / "ci" / "authsweep.toml", 'select = ["AS101"]\n')
    result = run_cli("check", "--config", "ci/authsweep.toml", "--format", "json", cwd=tmp_path)
    assert [rule for _, rule in rules_reported(result)] == ["AS101"]
    write(tmp_path / "other" / "pyproject.toml", "[tool.black]\nline-length = 80\n")
    missing = run_cli("check", "--config", "other/pyproject.toml", cwd=tmp_path)
    assert missing.returncode == 2 and "no [tool.authsweep] table" in missing.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('selct = ["AS101"]', "selct"),
        ('extend_exclude = ["x"]', "extend_exclude"),
        ('select = "AS101"', "select"),
        ('select = ["AS999"]', "select"),
        ('ignore = ["XX1"]', "ignore"),
        ('extend-exclude = "legacy"', "extend-exclude"),
        ('per-file-ignores = ["x"]', "per-file-ignores"),
        ('[tool.authsweep.per-file-ignores]\n"tests/*" = ["AS10X"]', "per-file-ignores.'tests/*'"),
        ('all-providers = "yes"', "all-providers"),
        ('token-provider = "corp.auth.token"', "token-provider"),
        ("token-provider = 3", "token-provider"),
        ('[tool.authsweep.severity]\nAS201 = "fatal"', "severity.AS201"),
        ('[tool.authsweep.severity]\nAS999 = "error"', "severity.AS999"),
        ('severity = "error"', "severity"),
    ],
)
def test_bad_configuration_exits_2_naming_the_key(tmp_path: Path, table: str, key: str) -> None:
    project(tmp_path, table)
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("authsweep: error: ")
    assert f": {key}: " in result.stderr
    assert "pyproject.toml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_suggestions_and_invalid_toml(tmp_path: Path) -> None:
    project(tmp_path, 'extend_exclude = ["x"]')
    assert "did you mean 'extend-exclude'?" in run_cli("check", cwd=tmp_path).stderr
    write(tmp_path / "pyproject.toml", "[tool.authsweep]\nselect = [\n")
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2 and "invalid TOML" in result.stderr
    # Another tool's broken pyproject.toml is none of authsweep's business.
    write(tmp_path / "pyproject.toml", "[tool.black\n")
    assert run_cli("check", cwd=tmp_path).returncode == 1


@pytest.mark.slow
def test_fix_reads_the_configuration(tmp_path: Path) -> None:
    project(tmp_path, 'ignore = ["AS201"]')
    result = run_cli("fix", "--diff", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    write(tmp_path / "pyproject.toml", "[tool.authsweep]\nignore = [1]\n")
    bad = run_cli("fix", "--diff", cwd=tmp_path)
    assert bad.returncode == 2 and ": ignore: " in bad.stderr


def test_read_config_ignores_other_tools_pyproject(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    assert read_config(path) is None
    with pytest.raises(ConfigError, match="no \\[tool.authsweep\\] table"):
        read_config(path, named=True)


def test_a_file_s_configuration_found_by_its_named_folder_is_its_path_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``configure`` finds a file's table by the folder its path names, made absolute
    once a folder (not each file's path, with a look at whether it is a folder): the
    same table as for the file's absolute path, for relative paths, paths through
    ``..`` and nested tables."""
    write(tmp_path / "pyproject.toml", "[tool.authsweep]\nignore = ['AS101']\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[tool.authsweep]\nignore = ['AS105']\n")
    for name in ("top.py", "pkg/a.py", "pkg/sub/b.py", "other/c.py"):
        write(tmp_path / name, "x = 1\n")
    monkeypatch.chdir(tmp_path / "pkg")
    paths = [
        Path("a.py"),
        Path("sub/b.py"),
        Path("../top.py"),
        Path("sub/../a.py"),
        Path("../other/c.py"),
        tmp_path / "pkg" / "sub" / "b.py",
        tmp_path / "other" / ".." / "top.py",
    ]
    resolver, reference = ConfigResolver(), ConfigResolver()
    for path in paths:
        assert resolver.configure(path) == (reference.settings(reference.config_for(path)), ())
    assert resolver.configure(Path("a.py"))[0].ignore == ("AS105",)
    assert resolver.configure(Path("../top.py"))[0].ignore == ("AS101",)
