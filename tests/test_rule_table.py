"""A rule is one module: the catalog is found by walking the rules package, and the
README's rule table is generated from the rules' docs (scripts/rule_table.py)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import authsweep.rules
import pytest
from authsweep.rules import ALL_RULES, SHARED_MODULES, Rule
from authsweep.scanner.report.docs import TABLE_END, TABLE_START, rule_table, with_rule_table
from cli_support import run_cli

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_module_of_the_package_is_one_rule() -> None:
    by_module: dict[str, list[type[Rule]]] = {}
    for info in pkgutil.iter_modules(authsweep.rules.__path__):
        if info.name in SHARED_MODULES:
            continue
        module = importlib.import_module(f"authsweep.rules.{info.name}")
        by_module[info.name] = [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule)
            if value.__module__ == module.__name__
        ]
    assert {name: len(rules) for name, rules in by_module.items() if len(rules) != 1} == {}
    assert set(ALL_RULES) == {rules[0] for rules in by_module.values()}
    assert [rule.id for rule in ALL_RULES] == sorted(rule.id for rule in ALL_RULES)


def test_the_readme_rule_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_rule_table(text, rule_table(ALL_RULES)) == text, (
        "README.md's rule table is not the rules' docs: run python scripts/rule_table.py"
    )


@pytest.mark.slow
def test_rules_format_markdown_prints_the_table() -> None:
    printed = run_cli("rules", "--format", "markdown", cwd=README.parent).stdout
    assert printed == rule_table(ALL_RULES)
    assert printed.splitlines()[0] == "| id | name | severity | fix | what it flags |"
    assert "| AS101 | smtp-basic-auth | error | unsafe |" in printed


def test_the_table_goes_between_its_markers_only() -> None:
    text = f"intro\n{TABLE_START}\nold\n{TABLE_END}\nrest\n"
    assert (
        with_rule_table(text, "| new |\n") == f"intro\n{TABLE_START}\n| new |\n{TABLE_END}\nrest\n"
    )
    for broken in ("no markers\n", f"{TABLE_END}\n{TABLE_START}\n", text + TABLE_START):
        with pytest.raises(ValueError):
            with_rule_table(broken, "| new |\n")


def test_a_pipe_in_a_summary_is_escaped() -> None:
    class Piped(ALL_RULES[0]):  # type: ignore[misc, valid-type]
        summary = "`a | b` in a shell line"

    assert "| `a \\| b` in a shell line |" in rule_table([Piped])
