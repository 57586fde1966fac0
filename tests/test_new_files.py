"""Fixes that add a module to the project: rendering, checking, placing, writing, diffing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions, check_source, selected_rules
from authsweep.scanner.fixer import fix_paths
from authsweep.scanner.fixes.modules import MODULES, render
from authsweep.scanner.fixes.rounds import fix_source
from authsweep.scanner.fixes.style import Style, restyle, style_of
from authsweep.scanner.report.fix_summary import fix_summary

SETTINGS_PY = """\
import os

EMAIL_HOST = "smtp.office365.com"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "helpdesk@contoso.com"
EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]
"""

NATIONAL = {
    "scope": "https://outlook.office365.us/.default",
    "authority_host": "login.microsoftonline.us",
}


def project(tmp_path: Path, settings: str = SETTINGS_PY) -> Path:
    package = tmp_path / "helpdesk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(settings)
    return package


@pytest.mark.parametrize("kind", sorted(MODULES))
@pytest.mark.parametrize("provider", [None, "corp.tokens:get_token"])
@pytest.mark.parametrize("options", [{}, NATIONAL], ids=["commercial", "gcc-high"])
def test_generated_modules_are_clean(tmp_path: Path, kind, provider, options) -> None:
    """Every module is formatted as Black/Ruff would (88 columns, so a project on the
    defaults accepts it), lint-clean, and reports nothing under authsweep check."""
    source = render(
        kind,
        options,
        dotted="pkg.mail_oauth2",
        style=Style(),
        newline="\n",
        token_provider=provider,
    )
    path = tmp_path / "module.py"
    path.write_text(source)
    ruff = [sys.executable, "-m", "ruff"]
    lint = subprocess.run(
        [
            *ruff,
            "check",
            "--isolated",
            "--select",
            "E,F,W,I,UP,B",
            "--line-length",
            "88",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
    formatted = subprocess.run(
        [*ruff, "format", "--isolated", "--check", "--diff", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    checked = check_source("module.py", "python", source.encode(), selected_rules(RunOptions()))
    assert not checked.findings and not checked.errors


def test_house_style_single_quotes_and_tabs() -> None:
    code = "def f():\n\treturn {'a': 'b', 'c': 'd'}\n"
    style = style_of(code)
    assert style == Style("'", "\t")
    out = restyle('def g():\n    x = "a"\n    y = f"{x}\\x01"\n    """Doc."""\n', style)
    assert out == 'def g():\n\tx = \'a\'\n\ty = f\'{x}\\x01\'\n\t"""Doc."""\n'


def test_django_fix_adds_the_backend_beside_the_settings(tmp_path: Path) -> None:
    package = project(tmp_path)
    settings = RunOptions()
    outcome = fix_paths([str(tmp_path)], settings, unsafe=True, write=True, cwd=tmp_path)
    fixed = (package / "settings.py").read_text()
    assert 'EMAIL_BACKEND = "helpdesk.mail_oauth2.XOAuth2EmailBackend"' in fixed
    assert "EMAIL_HOST_PASSWORD" not in fixed
    module = (package / "mail_oauth2.py").read_text()
    assert "class XOAuth2EmailBackend(EmailBackend):" in module
    assert "Added helpdesk/mail_oauth2.py (XOAuth2EmailBackend)." in fix_summary(outcome)
    again = fix_paths([str(tmp_path)], settings, unsafe=True, write=False, cwd=tmp_path)
    assert again.diff == "" and not again.remaining


def test_the_module_name_follows_the_configuration(tmp_path: Path) -> None:
    package = project(tmp_path)
    settings = RunOptions(oauth2_module="exchange_mail")
    outcome = fix_paths([str(tmp_path)], settings, unsafe=True, write=False, cwd=tmp_path)
    assert "--- /dev/null\n+++ b/helpdesk/exchange_mail.py\n@@ -0,0 +1," in outcome.diff
    assert '"helpdesk.exchange_mail.XOAuth2EmailBackend"' in outcome.diff
    assert not (package / "exchange_mail.py").exists()  # --diff writes nothing


def test_a_file_of_other_content_is_never_overwritten(tmp_path: Path) -> None:
    package = project(tmp_path)
    (package / "mail_oauth2.py").write_text("VALUE = 1\n")
    outcome = fix_paths([str(tmp_path)], RunOptions(), unsafe=True, write=True, cwd=tmp_path)
    assert (package / "mail_oauth2.py").read_text() == "VALUE = 1\n"
    assert "EMAIL_HOST_PASSWORD" in (package / "settings.py").read_text()
    assert any(
        "helpdesk/mail_oauth2.py exists and does not define XOAuth2EmailBackend" in e.message
        for e in outcome.errors
    )


def test_no_module_is_added_from_stdin() -> None:
    fixed = fix_source(
        "helpdesk/settings.py", "python", SETTINGS_PY.encode(), RunOptions(), unsafe=True
    )
    assert not fixed.changed and not fixed.created
    assert any("not from stdin" in reason for _, reason in fixed.refused.values())


@pytest.mark.slow
def test_two_settings_files_share_one_module(tmp_path: Path) -> None:
    package = project(tmp_path)
    (package / "settings_prod.py").write_text(SETTINGS_PY.replace("587", "25"))
    outcome = fix_paths([str(tmp_path)], RunOptions(), unsafe=True, write=False, cwd=tmp_path)
    assert outcome.diff.count("+++ b/helpdesk/mail_oauth2.py") == 1
    written = fix_paths([str(tmp_path)], RunOptions(), unsafe=True, write=True, cwd=tmp_path)
    assert not written.errors and (package / "mail_oauth2.py").is_file()
    for name in ("settings.py", "settings_prod.py"):
        assert "XOAuth2EmailBackend" in (package / name).read_text()


def test_personal_and_other_hosts_get_no_backend(tmp_path: Path) -> None:
    for host in ("smtp-mail.outlook.com", "smtp.gmail.com"):
        source = SETTINGS_PY.replace("smtp.office365.com", host).encode()
        fixed = fix_source(
            "settings.py",
            "python",
            source,
            RunOptions(),
            unsafe=True,
            location=tmp_path / "settings.py",
        )
        assert "XOAuth2EmailBackend" not in fixed.after
