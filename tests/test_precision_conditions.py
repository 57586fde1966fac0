"""Conditions joined by ``and``/``or``/``not`` (issue 22, precision): a path that holds
a condition and its opposite written another way (De Morgan) is never taken."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.python.conditions import consistent, facts_when
from authsweep.scanner.runner import check_paths

PRECISION = Path(__file__).resolve().parent.parent / "fixtures" / "precision"


def facts(*held: str) -> frozenset:
    """The facts of each condition true, or false when written ``false: ...``."""
    found: frozenset = frozenset()
    for text in held:
        outcome = not text.startswith("false: ")
        test = ast.parse(text.removeprefix("false: "), mode="eval").body
        found |= facts_when(test, outcome, frozenset())
    return found


@pytest.mark.parametrize(
    "held",
    [
        ("a or b", "not a and not b"),
        ("a or b", "not (a or b)"),
        ("a or b", "false: a", "false: b"),
        ("a or b", "false: a or b"),
        ("a and b", "not a or not b"),
        ("a and b", "false: a"),
        ("a and b", "not (a and b)"),
        ("not a and not b", "a or b"),
        ("mode == 'ssl' or mode == 'tls'", "mode == 'none'"),
        ("a or b", "false: a", "c or not b", "false: c"),  # b, then c: learnt in turn
        ("(a and b) or (c and d)", "false: a", "false: c"),
        ("a or b", "a or b", "false: a", "false: b"),
    ],
)
def test_contradictions_through_boolean_operators(held: tuple[str, ...]) -> None:
    assert not consistent(facts(*held))


@pytest.mark.parametrize(
    "held",
    [
        ("a or b", "not a"),  # b true
        ("a or b", "false: a and b"),
        ("a and b", "a or c"),
        ("a or f(x)", "false: a"),  # the call may be what holds
        ("(a and b) or c", "false: a"),
        ("mode == 'ssl' or mode == 'tls'", "mode != 'ssl'"),
        ("a or b", "c or d", "false: a", "false: c"),
    ],
)
def test_conditions_that_can_hold_together(held: tuple[str, ...]) -> None:
    assert consistent(facts(*held))


def test_a_hostile_expression_stays_cheap_and_says_nothing_wrong() -> None:
    """Thousands of operands, deep nesting: bounded work, and never a contradiction the
    conditions do not have."""
    wide = " or ".join(f"v{i}" for i in range(5000))
    assert consistent(facts(wide, "false: v0"))
    deep = "a"
    for i in range(80):
        deep = f"(v{i} or not {deep})"
    assert consistent(facts(deep, "false: a"))
    assert not consistent(facts(f"false: {deep}", "v79"))  # the outer operands still count


def test_an_arm_and_its_de_morgan_opposite_on_one_path_give_no_second_upgrade() -> None:
    """``if is_oauth or use_ssl: IMAP4_SSL(...) else: IMAP4(...)`` then ``if not is_oauth
    and not use_ssl: starttls()`` (also ``not (a or b)``, ``a and b`` / ``not a or not
    b``): no path has both. ``if not is_oauth:`` alone leaves ``use_ssl`` true possible
    (AS206), and a STARTTLS after one on every path is still AS206."""
    run = check_paths([str(PRECISION / "boolean_conditions" / "mailbox.py")], RunOptions())
    assert {f.span.line for f in run.findings if f.rule == "AS206"} == {48, 57}


def test_options_read_once_into_local_names_agree_between_tests() -> None:
    """``use_ssl = config["use_ssl"]`` bound once at the function's top level, or inside
    its ``try:`` (``test_smtp``: ``if ssl:`` then ``if tls and not ssl:``), keeps its
    value, so ``if is_oauth or use_ssl:`` and ``if not is_oauth and not use_ssl:`` cannot
    both hold; a name bound again in between (a loop's assignment) may change, and the
    STARTTLS after it stays AS206."""
    run = check_paths([str(PRECISION / "boolean_conditions" / "bound_once.py")], RunOptions())
    assert {f.span.line for f in run.findings if f.rule == "AS206"} == {28}


def test_options_read_once_at_module_level_are_the_users() -> None:
    """``(options, args) = parser.parse_args()`` binds ``options`` once: ``if
    options.usessl:`` and ``if options.usetls:`` are two options of the user, and both
    given is theirs to choose (no AS206); a mode the script rebinds itself
    (``mode = "starttls"``) is the code's value, and its second STARTTLS stays AS206."""
    folder = PRECISION / "boolean_conditions"
    run = check_paths([str(folder / "options_script.py")], RunOptions())
    assert not [f for f in run.findings if f.rule == "AS206"]
    run = check_paths([str(folder / "options_script_rebound.py")], RunOptions())
    assert {f.span.line for f in run.findings if f.rule == "AS206"} == {18}
