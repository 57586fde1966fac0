"""Every rule's embedded examples are its tests: bad ones are reported, good ones are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.discover import kind_of
from authsweep.scanner.engine import check_source

CASES = [
    pytest.param(rule, example, bad, id=f"{rule.id}-{'bad' if bad else 'good'}-{index}")
    for rule in ALL_RULES
    for bad, examples in ((True, rule.bad), (False, rule.good))
    for index, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "example", "bad"), CASES)
def test_example(rule, example, bad) -> None:
    kind = kind_of(Path(example.path)) or "python"
    result = check_source(example.path, kind, example.code.encode(), [rule()])
    assert not result.errors, result.errors
    lines = [finding.span.line for finding in result.findings if finding.rule == rule.id]
    if bad:
        assert lines, f"{rule.id} did not report its bad example:\n{example.code}"
        if example.lines:
            assert sorted(set(lines)) == sorted(example.lines)
    else:
        assert not lines, f"{rule.id} reported its good example at lines {lines}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_rule_is_documented(rule) -> None:
    assert rule.id.startswith("AS") and len(rule.id) == 5
    assert rule.name == rule.name.lower() and " " not in rule.name
    for text in (rule.summary, rule.why, rule.fix_doc, rule.fix_safety):
        assert text.strip()
    assert rule.bad and rule.good
    assert all(url.startswith("https://") for url in rule.references)


def test_ids_and_names_are_unique() -> None:
    assert len({r.id for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


def test_readme_lists_every_rule() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for rule in ALL_RULES:
        assert f"| {rule.id} | {rule.name} |" in readme, rule.id
