"""A wrapper in a very large module (generated code over a megabyte, read by its
statements that mention mail) is summarised for its callers in other modules like one in
a small module: the caller that gives it a Microsoft host gets the login."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from authsweep.scanner.python.parse import LARGE_MODULE_CHARS

_WRAPPER = """import smtplib


def connect(host, user, password):
    server = smtplib.SMTP(host, 587)
    server.starttls()
    server.login(user, password)
    return server


"""
_CALLER = """import os

from {module} import connect


def run():
    connect("smtp.office365.com", "me@contoso.com", os.environ["PW"])
"""


def _project(root: Path, module: str, filler_functions: int) -> Path:
    root.mkdir()
    filler = "".join(
        f"def filler_{i}(a, b):\n    return a * {i} + b\n\n\n" for i in range(filler_functions)
    )
    (root / f"{module}.py").write_text(_WRAPPER + filler)
    (root / "app.py").write_text(_CALLER.format(module=module))
    return root


def _findings(root: Path) -> set[tuple[str, int, str]]:
    """The findings of a ``check`` in a fresh process (nothing of the test's own imports
    or caches in it)."""
    command = [sys.executable, "-m", "authsweep", "check", "--format", "json", "--no-cache"]
    done = subprocess.run(
        [*command, "--exit-zero", "."], cwd=root, capture_output=True, text=True, check=True
    )
    return {
        (Path(f["path"]).name, f["line"], f["rule"]) for f in json.loads(done.stdout)["findings"]
    }


@pytest.mark.slow
def test_a_wrapper_in_a_module_over_the_large_module_size(tmp_path: Path) -> None:
    large = _project(tmp_path / "large", "generated", 30_000)
    assert (large / "generated.py").stat().st_size > LARGE_MODULE_CHARS
    small = _project(tmp_path / "small", "generated", 10)
    assert ("app.py", 7, "AS101") in _findings(small)
    assert _findings(large) == _findings(small)
