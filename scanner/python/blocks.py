"""Statements by their place in a block: what runs after a statement, what ran before it,
and whether a block ends its function's run (``if x: ...; return`` makes the rest of the
function the other arm of ``x``)."""

from __future__ import annotations

import ast


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
    """Whether a block ends its function's run: its last statement returns or raises."""
    return bool(block) and isinstance(block[-1], (ast.Return, ast.Raise))


def _block_of(node: ast.AST, parent: ast.AST | None) -> list[ast.stmt] | None:
    """The statement list of ``parent`` that holds ``node``."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(statement is node for statement in block):
            return block
    return None
