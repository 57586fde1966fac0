"""Tests of an ``if`` on a value the fixed code no longer uses.

``if username and password: smtp.login(username, password)`` rewritten to XOAUTH2 still
asks for the password: once the secret is removed from the deployment, the program sends
without authenticating at all. A test on a value nothing else in its scope reads any more
(a name, or a ``self.`` attribute nothing in the module reads) loses that operand (``if
username:``); an ``if`` that only stopped the program without it (``if not password:
raise ...``) goes. Where the whole test is on such a value and the ``if`` does more, a
note says the condition must change.
"""

from __future__ import annotations

import ast
from collections import Counter

from ..python.source import dotted_name
from ..remedies import Edit
from .reads import Found, Removal, ScopeLoads, Text, attribute_loads, loads, named_scopes

_EXITS = frozenset({"sys.exit", "exit", "quit", "os._exit"})


def dead_guards(
    old,
    new,
    source: Text,
    removal: Removal,
    found: Found,
    scope_loads: tuple[ScopeLoads, ScopeLoads],
) -> None:
    before = {key: scope_loads[0](scope) for key, scope in named_scopes(old)}
    attributes = (attribute_loads(old), attribute_loads(new))
    for key, scope in named_scopes(new):
        was = before.get(key)
        if was is None:
            continue
        names = (was, scope_loads[1](scope))
        for statement in _ifs(scope):
            operands = (
                statement.test.values
                if isinstance(statement.test, ast.BoolOp)
                else [statement.test]
            )
            inside = (loads(statement.test), attribute_loads(statement.test))
            gone = [o for o in operands if _dead(o, names, attributes, inside)]
            if not gone:
                continue
            if len(gone) < len(operands):
                found.edits += [_drop_operand(source, operands, o) for o in gone]
                continue
            if _exits(statement) and removal.remove(statement):
                continue
            written = ast.get_source_segment(source.text, statement.test) or "..."
            found.notes[f"if {written}"] = (
                f"line {statement.lineno}: `if {written}:` tests a value the fixed code no "
                "longer uses; what it guards is skipped while that is unset: change the condition"
            )


def _ifs(scope: ast.AST):
    """The ``if`` statements of a scope, not of the functions in it."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.If):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _dead(
    operand: ast.AST,
    names: tuple[Counter[str], Counter[str]],
    attributes: tuple[Counter[str], Counter[str]],
    inside: tuple[Counter[str], Counter[str]],
) -> bool:
    """Whether the operand tests a value the fix took its other readers from."""
    tested = _tested(operand)
    if tested is None:
        return False
    name, attribute = tested
    before, after = attributes if attribute else names
    here = inside[1] if attribute else inside[0]
    return before[name] > after[name] and after[name] == here[name]


def _tested(operand: ast.AST) -> tuple[str, bool] | None:
    """The name (or ``self.name`` attribute) an ``if`` operand tests alone: ``password``,
    ``not password``, ``self.password is not None``, ``password != ""``."""
    if isinstance(operand, ast.UnaryOp) and isinstance(operand.op, ast.Not):
        operand = operand.operand
    if (
        isinstance(operand, ast.Compare)
        and len(operand.ops) == 1
        and isinstance(operand.ops[0], (ast.Is, ast.IsNot, ast.Eq, ast.NotEq))
        and isinstance(operand.comparators[0], ast.Constant)
        and operand.comparators[0].value in (None, "")
    ):
        operand = operand.left
    if isinstance(operand, ast.Name):
        return operand.id, False
    if isinstance(operand, ast.Attribute) and isinstance(operand.value, ast.Name):
        return operand.attr, True
    return None


def _exits(statement: ast.If) -> bool:
    """An ``if`` without ``else`` whose body only stops: ``raise``, ``return``, ``sys.exit``."""
    if statement.orelse or len(statement.body) != 1:
        return False
    only = statement.body[0]
    if isinstance(only, (ast.Raise, ast.Return, ast.Continue)):
        return True
    return (
        isinstance(only, ast.Expr)
        and isinstance(only.value, ast.Call)
        and dotted_name(only.value.func) in _EXITS
    )


def _drop_operand(source: Text, operands: list[ast.expr], operand: ast.expr) -> Edit:
    index = operands.index(operand)
    start, end = source.span(operand)
    if index > 0:
        return Edit(source.span(operands[index - 1])[1], end, "")
    return Edit(start, source.span(operands[index + 1])[0], "")
