"""The assignments of an SSL context's name or ``self`` attribute that may reach the call
using it, each with what decides whether it runs.

A context is often bound more than once: a verifying one, then an unverified one under an
option (``if insecure:``), a fallback in an ``except`` handler when the CA file cannot be
read, one per arm of ``if verify: ... else: ...``, or, kept on the object, one in
``__init__`` and another in a method that turns the checks off. Which of them the handshake
sees is the question; :mod:`contexts` judges it from the bindings found here.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from enum import Enum

from ..records import record
from .ast_walk import walk
from .reaching import reaching
from .symbols import FUNCTIONS, Symbols

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from .reaching import Bound


class Guard(Enum):
    ALWAYS = "always"  # runs whenever the code around the use runs
    IF = "if"  # on one arm of an ``if`` the use is not in
    HANDLER = "handler"  # in an ``except`` handler: the code's own fallback, no option
    METHOD = "method"  # in another method of the class, which its user may call or not


@record
class ContextBinding:
    """An assignment of a context's name or attribute that reaches its use, and what
    guards it there."""

    statement: ast.stmt  # the assignment
    value: ast.expr  # what it binds
    guard: Guard
    branch: ast.If | None = None  # for Guard.IF
    on_body: bool = True  # for Guard.IF: on the ``if``'s body, else on its ``else``
    method: str | None = None  # for Guard.METHOD


@record
class _Target:
    """An assignment's target, in the shape :func:`reaching.reaching` takes."""

    node: ast.AST
    position: tuple[int, int]


class ContextBindings:
    """The bindings of a context's name or attribute that reach its use."""

    def __init__(self, symbols: Symbols) -> None:
        self.symbols = symbols
        self.parents = symbols.parents
        # per class, ``self.<name> = value`` of its methods by name, in ``ast.walk``'s order
        self._self_sets: dict[ast.ClassDef, dict[str, list[tuple[ast.expr, ast.expr]]]] = {}

    def of_name(self, found: Sequence[Bound], use: ast.AST) -> list[ContextBinding] | None:
        """``found``: the name's bindings that reach ``use`` (latest first); None when one
        is not a plain assignment to the name alone (a parameter, a loop target, a
        tuple's part)."""
        bindings = []
        for binding in found:
            statement = self.parents.get(binding.node)
            if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
                return None
            bindings.append(self._guarded(statement, statement.value, use))
        return bindings

    def of_attribute(
        self, klass: ast.ClassDef, attribute: str, use: ast.AST
    ) -> list[ContextBinding] | None:
        """The bindings of ``self.<attribute>`` that may reach ``use``, latest first: the
        use's method's own before it; unless those cover every path, what the other
        methods leave (each under its method), then ``__init__``'s and the class body's.
        An empty value (``None``) that ``__init__`` or the class body binds only says "not
        set yet" when a method binds another. None when nothing binds it."""
        method = self._method(use)
        sets = self._sets(klass, attribute)
        if not sets:
            return None
        own = [
            (target, value)
            for target, value in sets
            if method is not None
            and self._method(target) is method
            and (target.lineno, target.col_offset) < (use.lineno, use.col_offset)  # type: ignore[attr-defined]
        ]
        found = self._reaching(own, use)
        if found and complete(found):
            return found
        others: list[ContextBinding] = []
        constructor: list[ContextBinding] = []
        body: list[ContextBinding] = []
        by_method: dict[ast.AST, list[tuple[ast.expr, ast.expr]]] = {}
        for target, value in sets:
            owner = self._method(target)
            if owner is None:
                body.append(self._guarded(self._statement(target), value, klass))
            elif owner is not method:
                by_method.setdefault(owner, []).append((target, value))
        for owner, assigned in by_method.items():
            reached = self._reaching(assigned, owner)
            if owner.name == "__init__":  # type: ignore[attr-defined]
                constructor = reached
                continue
            others += [
                ContextBinding(b.statement, b.value, Guard.METHOD, method=owner.name)  # type: ignore[attr-defined]
                for b in reached
            ]
        entry = constructor if constructor and complete(constructor) else constructor + body
        if others:
            entry = [b for b in entry if not _empty(b.value)]  # "not set yet"
        return found + others + entry

    def _reaching(
        self, assigned: list[tuple[ast.expr, ast.expr]], use: ast.AST
    ) -> list[ContextBinding]:
        targets = [_Target(t, (t.lineno, t.col_offset)) for t, _ in assigned]
        values = {id(t): v for t, v in assigned}
        seen = reaching(sorted(targets, key=lambda t: t.position), use, self.parents)
        return [self._guarded(self._statement(t.node), values[id(t.node)], use) for t in seen]

    def _guarded(self, statement: ast.stmt, value: ast.expr, use: ast.AST) -> ContextBinding:
        """The binding with the nearest ``if`` arm or ``except`` handler it is in that
        does not also hold ``use``, in its function."""
        around = set()
        current: ast.AST | None = use
        while current is not None:
            around.add(id(current))
            current = self.parents.get(current)
        child, parent = statement, self.parents.get(statement)
        while (
            parent is not None
            and id(parent) not in around
            and not isinstance(parent, (*FUNCTIONS, ast.ClassDef))
        ):
            if isinstance(parent, ast.ExceptHandler):
                return ContextBinding(statement, value, Guard.HANDLER)
            if isinstance(parent, ast.If) and child is not parent.test:
                return ContextBinding(
                    statement, value, Guard.IF, branch=parent, on_body=child in parent.body
                )
            child, parent = parent, self.parents.get(parent)
        return ContextBinding(statement, value, Guard.ALWAYS)

    def _sets(self, klass: ast.ClassDef, attribute: str) -> list[tuple[ast.expr, ast.expr]]:
        """``(target, value)`` of each assignment of the attribute in the class: ``name =``
        in its body, ``self.name =`` in its methods (not in a nested class's)."""
        found = []
        for statement in klass.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name) and target.id == attribute:
                    found.append((target, statement.value))
        self_sets = self._self_sets.get(klass)
        if self_sets is None:
            self_sets = self._self_sets[klass] = self._self_assignments(klass)
        found.extend(self_sets.get(attribute, ()))
        return found

    def _self_assignments(self, klass: ast.ClassDef) -> dict[str, list[tuple[ast.expr, ast.expr]]]:
        """``self.<name> = value`` in the class's methods (not a nested class's), by name,
        each name's in the order ``ast.walk`` meets them: one walk of the class for all
        the attributes asked about."""
        found: dict[str, list[tuple[ast.expr, ast.expr]]] = {}
        for node in walk(klass):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            target = node.targets[0]
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and self.symbols.enclosing_class(node) is klass
            ):
                found.setdefault(target.attr, []).append((target, node.value))
        return found

    def _statement(self, node: ast.AST) -> ast.stmt:
        current = node
        while not isinstance(current, ast.stmt):
            current = self.parents[current]
        return current

    def _method(self, node: ast.AST) -> ast.AST | None:
        """The method of a class ``node`` is in (the outermost function below the class)."""
        found = None
        current = self.parents.get(node)
        while current is not None and not isinstance(current, ast.ClassDef):
            if isinstance(current, FUNCTIONS):
                found = current
            current = self.parents.get(current)
        return found


def complete(found: list[ContextBinding]) -> bool:
    """Whether the bindings cover every path to the use: the earliest runs always, or an
    ``if``'s two arms both bind."""
    earliest = found[-1]
    if earliest.guard is Guard.ALWAYS:
        return True
    if earliest.guard is not Guard.IF or earliest.branch is None:
        return False
    return any(b.branch is earliest.branch and b.on_body is not earliest.on_body for b in found)


def _empty(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in (None, "")
