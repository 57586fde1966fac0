"""Extensionless scripts (issue 22, family 5): a python shebang, or, without one, a
small text file that imports a mail library and parses as Python, is a Python file; a
README that quotes the import, a shell script, binary data and a large file are not."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.discover import kind_of
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

MAIL_SCRIPT = (
    "import smtplib\n"
    "server = smtplib.SMTP('smtp.office365.com', 587)\n"
    "server.starttls()\n"
    "server.login('backup@contoso.com', PASSWORD)\n"
)


def test_an_extensionless_mail_script_without_a_shebang_is_checked(tmp_path: Path) -> None:
    (tmp_path / "mail").write_text(MAIL_SCRIPT)
    (tmp_path / "notify").write_text("#!/usr/bin/env python3\n" + MAIL_SCRIPT)
    run = check_paths([str(tmp_path)], RunOptions())
    found = {(Path(f.path).name, f.span.line, f.rule) for f in run.findings}
    assert {("mail", 3, "AS204"), ("mail", 4, "AS101"), ("notify", 5, "AS101")} <= found
    assert not run.errors


def test_files_that_only_look_like_one_are_not(tmp_path: Path) -> None:
    readme = tmp_path / "README"
    readme.write_text("Send mail\n=========\n\nimport smtplib and call it:\n\n    smtp.login()\n")
    shell = tmp_path / "backup"
    shell.write_text("#!/bin/sh\nimport smtplib\n")
    binary = tmp_path / "blob"
    binary.write_bytes(b"import smtplib\n\0\1\2")
    large = tmp_path / "generated"
    large.write_text(MAIL_SCRIPT + "x = 1\n" * 50_000)
    plain = tmp_path / "tool"
    plain.write_text("import os\nprint(os.getcwd())\n")
    for path in (readme, shell, binary, large, plain):
        assert kind_of(path) is None, path.name
    run = check_paths([str(tmp_path)], RunOptions())
    assert not run.errors and not run.findings
