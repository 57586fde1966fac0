"""Statements by their place in a block: what runs after a statement, what ran before it,
whether a block ends its function's run (``if x: ...; return`` makes the rest of the
function the other arm of ``x``), and whether two nodes sit in arms no run takes both of."""

from __future__ import annotations

import ast

from .symbols import FUNCTIONS

# A ``try``'s body and ``else`` run together.
_BODY = {"body", "orelse"}


def following(node: ast.stmt, parents: dict[ast.AST, ast.AST]) -> list[ast.stmt]:
    """The statements after ``node`` in its block."""
    block = _block_of(node, parents.get(node))
    if block is None:
        return []
    return block[[id(s) for s in block].index(id(node)) + 1 :]


def preceding(node: ast.AST, parent: ast.AST | None) -> list[ast.stmt]:
    """The statements before ``node`` in its block of ``parent``, nearest first."""
    block = _block_of(node, parent)
    if block is None:
        return []
    return block[: [id(s) for s in block].index(id(node))][::-1]


def ends(block: list[ast.stmt]) -> bool:
    """Whether a block ends its function's run: its last statement returns or raises, or
    is a ``with`` whose own block does (``with SMTP_SSL(...) as server: return ...``)."""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, (ast.With, ast.AsyncWith)):
        return ends(last.body)
    return isinstance(last, (ast.Return, ast.Raise))


def _block_of(node: ast.AST, parent: ast.AST | None) -> list[ast.stmt] | None:
    """The statement list of ``parent`` that holds ``node``."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(statement is node for statement in block):
            return block
    return None


def exclusive(a: ast.AST, b: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether no run of the code executes both ``a`` and ``b``: they sit in arms of an
    ``if``, a ``try`` (its body or ``else`` and a handler, or two handlers) or a
    ``match`` that exclude each other."""
    chain = _arms(a, parents)
    for holder, arm in _arms(b, parents):
        for other_holder, other_arm in chain:
            if other_holder is holder:
                return (
                    arm != other_arm
                    and not {arm, other_arm} & {"finalbody", "test"}
                    and not (isinstance(holder, ast.Try) and {arm, other_arm} <= _BODY)
                )
    return False


def _arms(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[tuple[ast.AST, str]]:
    """The compound statements around ``node`` in its function, innermost first, each
    with the arm ``node`` is in (``body``, ``orelse``, ``handler 1``, ``case 0``...)."""
    arms: list[tuple[ast.AST, str]] = []
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, (*FUNCTIONS, ast.Module)):
        if isinstance(parent, (ast.If, ast.Try, ast.Match, ast.IfExp)):
            arms.append((parent, _arm(parent, child)))
        child, parent = parent, parents.get(parent)
    return arms


def _arm(holder: ast.AST, child: ast.AST) -> str:
    if isinstance(holder, ast.Try):
        if child in holder.handlers:
            return f"handler {holder.handlers.index(child)}"
        for name in ("body", "orelse", "finalbody"):
            if any(statement is child for statement in getattr(holder, name)):
                return name
    if isinstance(holder, ast.Match) and child in holder.cases:
        return f"case {holder.cases.index(child)}"
    if isinstance(holder, ast.If):
        return "orelse" if any(s is child for s in holder.orelse) else "body"
    if isinstance(holder, ast.IfExp):
        return "orelse" if child is holder.orelse else ("body" if child is holder.body else "test")
    return "test"
