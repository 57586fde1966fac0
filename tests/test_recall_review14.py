"""Misses found reading unlabelled code of the repositories behind held-out sets 1-12
(review14a): a connection handed to a method of the class around the call on a record
the code got at run time (Odoo's ``mail_server._smtp_login(connection, ...)``)."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

REVIEW14 = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "review14"


def findings(path: str) -> set[tuple[str, int, str, str]]:
    run = check_paths([str(REVIEW14 / path)], RunOptions())
    return {(Path(f.path).name, f.span.line, f.rule, f.severity.value) for f in run.findings}


def test_a_record_of_the_model_logs_in_through_the_models_method() -> None:
    """``mail_server = self.sudo().browse(...)`` then ``mail_server._smtp_login(
    connection, user, password)``: the login in ``_smtp_login`` is on the connection."""
    found = findings("record_methods/ir_mail_server.py")
    assert ("ir_mail_server.py", 30, "AS101", "warning") in found


def test_records_from_a_loop_and_from_a_classmethod() -> None:
    found = findings("record_methods/fetch_servers.py")
    assert ("fetch_servers.py", 26, "AS102", "warning") in found  # ``for server in search``
    assert ("fetch_servers.py", 45, "AS102", "error") in found  # ``box = cls.default()``


def test_a_records_method_its_class_inherits_from_a_base_here() -> None:
    found = findings("record_methods/fetch_servers.py")
    assert ("fetch_servers.py", 50, "AS101", "warning") in found


def test_an_xoauth2_method_or_a_method_two_classes_define_stays_silent() -> None:
    found = findings("record_methods/negatives.py")
    assert not {f for f in found if f[2] in ("AS101", "AS102")}
