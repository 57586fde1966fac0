"""Which assignments of a name a use may see, and which assignments of an attribute are
only its "not set yet" marker.

The evaluator reads a name at the latest assignment before the use. That is the whole
story when the assignment runs on every path to the use; when it sits in a branch the
use is not in (``provider = "microsoft"`` then ``if gmail: provider = "gmail"``), the
assignments before it still reach the use on the paths that skip the branch, and the
name is one of their values. Likewise an attribute that ``__init__`` or the class body
sets to ``None`` or ``""`` and another method sets to the real value holds the real value
when it is used: the empty one only says "not set yet".
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence

from .blocks import exclusive
from .symbols import FUNCTIONS, TRIES

# Statements whose arms run on some paths only (a loop's body may not run at all).
_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Match, *TRIES)
# Branches followed back from one use: real code reassigns a name a few times at most.
# The arms of one branch count once (a table written as an ``if``/``elif`` chain of hosts
# is one choice among its arms), up to a bound on the bindings themselves.
_MAX_REACHING = 6
_ASSIGNMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)
_MAX_BINDINGS = 32


TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Protocol, TypeVar

    class Bound(Protocol):
        """A binding of a name (:class:`symbols.Binding`) or of an attribute: ``node`` is
        its target."""

        @property
        def node(self) -> ast.AST: ...

        @property
        def position(self) -> tuple[int, int]: ...

    B = TypeVar("B", bound=Bound)


def written_before(
    bindings: Iterable[B], use: ast.expr, parents: dict[ast.AST, ast.AST]
) -> list[B]:
    """The bindings written before ``use``, in source order, but one whose own assignment
    holds the use in its value (``server = SMTP(server, port)`` reads the ``server`` bound
    before it: the target is written first, the value runs first) and one in an arm the
    use's run does not take (``if smtp: server = SMTP(server)`` ``elif pop: server =
    POP3(server)``)."""
    at = (use.lineno, use.col_offset)
    return sorted(
        (
            b
            for b in bindings
            if b.position <= at
            and not _in_own_value(b.node, at, parents)
            and not exclusive(b.node, use, parents)
        ),
        key=lambda b: b.position,
    )


def _in_own_value(target: ast.AST, at: tuple[int, int], parents: Mapping[ast.AST, ast.AST]) -> bool:
    statement = parents.get(target)
    while isinstance(statement, (ast.Tuple, ast.List, ast.Starred)):
        statement = parents.get(statement)
    if not isinstance(statement, _ASSIGNMENTS) or statement.value is None:
        return False
    value = statement.value
    start = (value.lineno, value.col_offset)
    return start <= at <= (value.end_lineno or value.lineno, value.end_col_offset or 0)


def reaching(before: Sequence[B], use: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> list[B]:
    """The bindings of ``before`` (one scope's, in source order, all before ``use``) whose
    value ``use`` may see, the latest first: the latest, and the ones before it for as
    long as each later one is in a branch that does not hold the use (and the branches
    met so far do not cover every arm of one ``if``). ``use`` may be a function, for what
    its body leaves bound when it returns."""
    around_use = _ancestors(use, parents)
    found: list[B] = []
    arms: dict[int, set[str]] = {}
    guards: set[tuple[int, str]] = set()
    for binding in reversed(before):
        found.append(binding)
        guard = _guard(binding.node, around_use, parents)
        if guard is None or len(found) >= _MAX_BINDINGS:
            break
        holder, arm = guard
        guards.add((id(holder), arm))
        if len(guards) >= _MAX_REACHING:
            break
        seen = arms.setdefault(id(holder), set())
        seen.add(arm)
        if isinstance(holder, ast.If) and holder.orelse and seen >= {"body", "orelse"}:
            outer = _guard(holder, around_use, parents)
            if outer is None:
                break  # both arms of an if that always runs assign it
    return found


def _ancestors(node: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> set[int]:
    found = set()
    current: ast.AST | None = node
    while current is not None:
        found.add(id(current))
        current = parents.get(current)
    return found


def _guard(
    node: ast.AST, around_use: set[int], parents: Mapping[ast.AST, ast.AST]
) -> tuple[ast.AST, str] | None:
    """The outermost branch ``node`` is in that does not also hold the use, with the arm
    it is in; None when ``node`` runs whenever the code around the use runs (a ``try``
    body counts as running: what it assigns is what the code expects)."""
    found = None
    child, parent = node, parents.get(node)
    while parent is not None and id(parent) not in around_use:
        if isinstance(parent, FUNCTIONS):
            return None
        if isinstance(parent, _BRANCHES):
            arm = _arm(parent, child)
            if arm is not None:
                found = (parent, arm)
        child, parent = parent, parents.get(parent)
    return found


def _arm(holder: ast.AST, child: ast.AST) -> str | None:
    """The arm of ``holder`` that ``child`` is in, None for one that always runs (a
    ``try`` body or ``finally``, an ``if`` test)."""
    if isinstance(holder, TRIES):
        return "handler" if isinstance(child, ast.ExceptHandler) else None
    if isinstance(holder, ast.If):
        if any(statement is child for statement in holder.body):
            return "body"
        return "orelse" if any(statement is child for statement in holder.orelse) else None
    if isinstance(holder, (ast.For, ast.AsyncFor, ast.While)):
        return "body" if any(statement is child for statement in holder.body) else None
    if isinstance(holder, ast.Match):
        return "case" if isinstance(child, ast.match_case) else None
    return None


def _empty(node: ast.expr) -> bool:
    """``None``, ``""``, ``b""``, or an empty literal container: a value that says "not set"."""
    if isinstance(node, ast.Constant):
        return node.value is None or node.value in ("", b"")
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return not node.elts
    return isinstance(node, ast.Dict) and not node.keys


def set_values(assigned: Sequence[ast.expr]) -> list[ast.expr]:
    """The values an attribute is given, without the empty ones that only mark it as not
    set yet (all of them when nothing else is assigned)."""
    real = [value for value in assigned if not _empty(value)]
    return real or list(assigned)
