"""What the rewritten code needs (msal, aiosmtplib 5.1+) against what the project declares:
constraints read as projects write them, declarations updated in place, and a fix refused
where the project pins a version the new code cannot run with (issue 23, item 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixer import fix_paths
from authsweep.scanner.fixes.dependencies import plan
from authsweep.scanner.fixes.requirements import allows, raised
from authsweep.scanner.report.fix_summary import fix_summary


@pytest.mark.parametrize(
    ("specifier", "allowed", "raised_to"),
    [
        ("", True, ">=5.1"),
        (">=2", True, ">=5.1"),
        (">=2,<6", True, ">=5.1,<6"),
        ("~=5.0", True, ">=5.1,<6"),
        ("^5.0", True, ">=5.1,<6"),
        (">=5.2", True, None),
        ("==5.1.0", True, None),
        ("==3.0.2", False, None),
        ("<5", False, None),
        ("~=3.0", False, None),
        ("==3.*", False, None),
        ("^3.0", False, None),
        ("~4.2", False, None),
    ],
)
def test_constraints_as_projects_write_them(specifier, allowed, raised_to) -> None:
    assert allows(specifier, (5, 1)) is allowed
    if allowed:
        assert raised(specifier, (5, 1)) == raised_to


PYPROJECT = """\
[project]
name = "shop"
dependencies = [
    "requests>=2",  # http
    "aiosmtplib>=2,<6",
]

[tool.ruff]
line-length = 100
"""


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        (
            "pyproject.toml",
            PYPROJECT,
            PYPROJECT.replace(
                '    "aiosmtplib>=2,<6",\n', '    "aiosmtplib>=5.1,<6",\n    "msal>=1.23",\n'
            ),
        ),
        (
            "pyproject.toml",
            "[project]\nname = \"shop\"\ndependencies = ['aiosmtplib']\n",
            "[project]\nname = \"shop\"\ndependencies = ['aiosmtplib>=5.1', 'msal>=1.23']\n",
        ),
        (
            "pyproject.toml",
            '[tool.poetry.dependencies]\npython = "^3.10"\naiosmtplib = "^5.0"\n\n[tool.x]\n',
            '[tool.poetry.dependencies]\npython = "^3.10"\naiosmtplib = ">=5.1,<6"\n'
            'msal = ">=1.23"\n\n[tool.x]\n',
        ),
        (
            "setup.cfg",
            "[metadata]\nname = shop\n\n[options]\ninstall_requires =\n    aiosmtplib\n\n",
            "[metadata]\nname = shop\n\n[options]\ninstall_requires =\n"
            "    aiosmtplib>=5.1\n    msal>=1.23\n\n",
        ),
        (
            "Pipfile",
            '[packages]\naiosmtplib = "*"\n\n[dev-packages]\npytest = "*"\n',
            '[packages]\naiosmtplib = ">=5.1"\nmsal = ">=1.23"\n\n[dev-packages]\npytest = "*"\n',
        ),
        (
            "requirements.txt",
            "flask\r\naiosmtplib>=2 ; python_version > '3'  # mail\r\n",
            "flask\r\naiosmtplib>=5.1 ; python_version > '3'  # mail\r\nmsal>=1.23\r\n",
        ),
    ],
)
def test_declarations_are_updated_in_place(tmp_path: Path, name: str, before, after) -> None:
    (tmp_path / name).write_bytes(before.encode())
    result = plan(tmp_path, ["msal>=1.23", "aiosmtplib>=5.1"])
    assert result.edits[tmp_path / name][1] == after
    assert not result.notes


def test_what_cannot_be_edited_is_said(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup(install_requires=[])\n")
    (tmp_path / "poetry.lock").write_text("")
    assert plan(tmp_path, ["msal>=1.23"]).notes == [
        "add msal>=1.23 to install_requires in setup.py"
    ]
    (tmp_path / "setup.py").unlink()
    (tmp_path / "requirements-dev.txt").write_text("pytest\n")
    assert plan(tmp_path, ["msal>=1.23"]).notes == ["add msal>=1.23 to the project's dependencies"]
    (tmp_path / "requirements.txt").write_text("flask\n")
    assert plan(tmp_path, ["msal>=1.23"]).notes == [
        "poetry.lock no longer matches: run `poetry lock`"
    ]


AIOSMTPLIB = """\
import aiosmtplib


async def send(message, user, password):
    await aiosmtplib.send(
        message,
        hostname="smtp.office365.com",
        port=587,
        start_tls=True,
        username=user,
        password=password,
    )
"""


def test_a_pinned_version_the_rewrite_cannot_run_with_refuses_it(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("aiosmtplib==3.0.2\n")
    (tmp_path / "mailer.py").write_text(AIOSMTPLIB)
    outcome = fix_paths(["."], RunOptions(), unsafe=True, write=True, cwd=tmp_path)
    assert (tmp_path / "mailer.py").read_text() == AIOSMTPLIB
    assert [e.message for e in outcome.errors] == [
        "line 5: AS101 not fixed: it needs aiosmtplib>=5.1, and requirements.txt:1 declares "
        "aiosmtplib==3.0.2: change that first"
    ]


def test_the_fix_declares_what_its_code_needs(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("aiosmtplib>=2\n")
    (tmp_path / "mailer.py").write_text(AIOSMTPLIB)
    outcome = fix_paths(["."], RunOptions(), unsafe=True, write=True, cwd=tmp_path)
    assert not outcome.errors
    assert "oauth_token_generator=" in (tmp_path / "mailer.py").read_text()
    assert (tmp_path / "requirements.txt").read_text() == "aiosmtplib>=5.1\nmsal>=1.23\n"
    summary = fix_summary(outcome)
    assert (
        "requirements.txt: aiosmtplib>=2 raised to aiosmtplib>=5.1 (line 1), for the fix of "
        "mailer.py" in summary
    )
    assert "requirements.txt: msal>=1.23 added, for the fix of mailer.py" in summary
