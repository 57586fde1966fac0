"""What the conditions of a control-flow path say about the program's names.

A path through ``if self.encryption == "tls":`` and then ``if self.encryption ==
"starttls":`` cannot be taken (one value is not two); a path through ``if not ssl:``
has ``ssl`` false. Facts are kept only about names and attributes the function being
walked never assigns, so a test is about the same value as an earlier one.
"""

from __future__ import annotations

import ast

from .source import dotted_name

# (kind, name as written, constant): "eq" / "ne" a constant; "true" / "false" alone.
Fact = tuple[str, str, object]
_NONE: frozenset[Fact] = frozenset()


def facts_when(test: ast.expr, outcome: bool, assigned: frozenset[str]) -> frozenset[Fact]:
    """What ``test`` being ``outcome`` says about the names it reads, leaving out those
    the function ``assigned`` (:func:`assigned_names`)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return facts_when(test.operand, not outcome, assigned)
    if isinstance(test, ast.BoolOp):
        if isinstance(test.op, ast.And) == outcome:  # every operand has that outcome
            return _NONE.union(*(facts_when(value, outcome, assigned) for value in test.values))
        return _NONE
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return _compared(test, outcome, assigned)
    name = _name(test, assigned)
    if name is None:
        return _NONE
    return frozenset({("true" if outcome else "false", name, None)})


def _compared(test: ast.Compare, outcome: bool, assigned: frozenset[str]) -> frozenset[Fact]:
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(left, ast.Constant) and not isinstance(right, ast.Constant):
        left, right = right, left
    if not isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
        return _NONE
    name = _name(left, assigned)
    if name is None or not isinstance(right, ast.Constant):
        return _NONE
    equal = outcome == isinstance(op, (ast.Eq, ast.Is))
    found: set[Fact] = {("eq" if equal else "ne", name, right.value)}
    if equal and not right.value:  # ``x is False``, ``x == 0``, ``x is None``
        found.add(("false", name, None))
    return frozenset(found)


def _name(node: ast.expr, assigned: frozenset[str]) -> str | None:
    name = dotted_name(node)
    if name is None or any(name == a or name.startswith(a + ".") for a in assigned):
        return None  # assigning ``self.x`` also changes what ``self.x.y`` reads
    return name


def consistent(facts: frozenset[Fact]) -> bool:
    """Whether the facts can all hold at once."""
    equal: dict[str, object] = {}
    for kind, name, value in facts:
        if kind == "eq":
            if name in equal and not _same(equal[name], value):
                return False
            equal[name] = value
    for kind, name, value in facts:
        known = name in equal
        if kind == "ne" and known and _same(equal[name], value):
            return False
        if kind == "true" and (("false", name, None) in facts or (known and not equal[name])):
            return False
        if kind == "false" and known and equal[name]:
            return False
    return True


def falsy(facts: frozenset[Fact]) -> frozenset[str]:
    return frozenset(name for kind, name, _ in facts if kind == "false")


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def assigned_names(scope: ast.AST) -> frozenset[str]:
    """The names and attributes ``scope`` assigns, deletes or binds (a loop, ``with`` or
    ``except`` target): a test of one of them may be about another value each time."""
    assigned: set[str] = set()
    for node in ast.walk(scope):
        target = None
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(
            node.ctx, (ast.Store, ast.Del)
        ):
            target = node
        elif isinstance(node, ast.AugAssign):
            target = node.target
        name = dotted_name(target) if target is not None else None
        if name is not None:
            assigned.add(name)
    return frozenset(assigned)
