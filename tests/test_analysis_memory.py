"""A module's analysis is freed by reference counting when the file is done: no reference
cycle leaves its tree, scopes and value graph to the cyclic collector, which would
otherwise traverse all of them after every file of a cold run."""

from __future__ import annotations

import ast
import gc
from collections.abc import Iterator

import pytest
from authsweep.scanner.engine import RunOptions, check, selected_rules
from authsweep.scanner.python.symbols import Symbols
from authsweep.scanner.text import Source

# Past the pre-check (it names smtplib) and analysed in full, with scopes of every kind.
MODULE = b"""
import smtplib
from smtplib import SMTPException

HOSTS = {"relay": "smtp.example.org"}


def host(name, default=None):
    counter = 0

    def bump():
        nonlocal counter
        counter += 1
        return counter

    picked = [h for k, h in HOSTS.items() if k == name]
    return (lambda: picked[0] if picked else default)()


class Notifier:
    level = 3

    def describe(self, error: SMTPException) -> str:
        global HOSTS
        return f"{self.level}: {error}"
"""


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_the_scope_tree_holds_no_cycle(collector_off: None) -> None:
    symbols = Symbols(ast.parse(MODULE))
    assert [b.scope.kind for b in symbols.module_scope.bindings["host"]] == ["module"]
    del symbols
    assert gc.collect() == 0


def test_a_checked_file_leaves_nothing_to_the_collector(collector_off: None) -> None:
    rules = selected_rules(RunOptions())
    check("notify.py", Source("python", MODULE), rules)  # first use: lazy imports, memos
    gc.collect()
    result = check("notify.py", Source("python", MODULE), rules)
    assert result.errors == []
    assert gc.collect() == 0


CONNECTS = (
    MODULE
    + b"""

def send(user, password, use_ssl):
    if use_ssl:
        smtp = smtplib.SMTP_SSL(host("relay"), 465)
    else:
        smtp = smtplib.SMTP(host("relay"), 587)
        smtp.starttls()
    smtp.login(user, password)
"""
)


def test_a_file_whose_connections_get_paths_leaves_nothing_to_the_collector(
    collector_off: None,
) -> None:
    """The path finder and its option tests share a memo, not the finder's own method."""
    rules = selected_rules(RunOptions())
    check("send.py", Source("python", CONNECTS), rules)
    gc.collect()
    result = check("send.py", Source("python", CONNECTS), rules)
    assert result.errors == [] and result.findings
    assert gc.collect() == 0
