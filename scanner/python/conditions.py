"""What the conditions of a control-flow path say about the program's names.

A path through ``if self.encryption == "tls":`` and then ``if self.encryption ==
"starttls":`` cannot be taken (one value is not two), nor one through ``if self.tls ==
"ssl":`` and ``if self.tls in ("required", "optional"):``; a path through ``if not ssl:``
has ``ssl`` false. Facts are kept only about names and attributes the function being
walked never assigns, so a test is about the same value as an earlier one, and about a
local name in a test after its last binding in the function's text, outside any loop
(:func:`settled_names`): every later test reads that value too.

A test of a value the project commits (``if USE_SSL:`` with ``USE_SSL = False`` in a
settings module, ``if CONFIG.get("use_ssl"):`` of an imported dict) has one outcome on
every run: the other arm is never taken (:func:`committed_truth`).
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Callable, Iterator

from ..model import Value
from .settings_branches import development_switch
from .source import dotted_name
from .symbols import TRIES, Symbols

# (kind, name as written, constant): "eq" / "ne" a constant; "in" a tuple of constants;
# "true" / "false" alone; "any" (no name) a tuple of alternatives, each a frozenset of
# such facts without "any" ones, at least one of which holds (``a or b`` true).
Fact = tuple[str, str, object]
_NONE: frozenset[Fact] = frozenset()

# Alternatives kept in one "any" fact, and "any" facts weighed per path: past these the
# rest are left out, which only lets a path through (a hostile ``a or b or ...`` of
# thousands of operands stays linear).
MAX_ALTERNATIVES = 8
MAX_CHOICES = 16
# ``not``/``and``/``or`` nested deeper than this say nothing (a hostile nesting stays cheap).
MAX_DEPTH = 16


def facts_when(test: ast.expr, outcome: bool, assigned: frozenset[str]) -> frozenset[Fact]:
    """What ``test`` being ``outcome`` says about the names it reads, leaving out those
    the function ``assigned`` (:func:`assigned_names`). ``not`` flips the outcome;
    ``a and b`` true (``a or b`` false) is each operand true (false); ``a or b`` true
    (``a and b`` false) is one "any" fact: one of the operands' facts holds."""
    return _facts(test, outcome, assigned, MAX_DEPTH)


def _facts(test: ast.expr, outcome: bool, assigned: frozenset[str], depth: int) -> frozenset[Fact]:
    if isinstance(test, (ast.UnaryOp, ast.BoolOp)) and depth == 0:
        return _NONE
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _facts(test.operand, not outcome, assigned, depth - 1)
    if isinstance(test, ast.BoolOp):
        parts = [_facts(value, outcome, assigned, depth - 1) for value in test.values]
        if isinstance(test.op, ast.And) == outcome:  # every operand has that outcome
            return _NONE.union(*parts)
        return _one_of(parts)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return _compared(test, outcome, assigned)
    name = _name(test, assigned)
    if name is None:
        return _NONE
    return frozenset({("true" if outcome else "false", name, None)})


def _one_of(parts: list[frozenset[Fact]]) -> frozenset[Fact]:
    """One of ``parts`` holds: an "any" fact, or nothing when an operand says nothing
    (it may be the one that holds) or there are too many to weigh."""
    alternatives = tuple(frozenset(f for f in part if f[0] != "any") for part in parts)
    if len(alternatives) > MAX_ALTERNATIVES or not all(alternatives):
        return _NONE
    return frozenset({("any", "", alternatives)})


def _compared(test: ast.Compare, outcome: bool, assigned: frozenset[str]) -> frozenset[Fact]:
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(op, (ast.In, ast.NotIn)):
        return _membership(left, right, outcome == isinstance(op, ast.In), assigned)
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


def _membership(
    left: ast.expr, right: ast.expr, inside: bool, assigned: frozenset[str]
) -> frozenset[Fact]:
    """``x in ("required", "optional")`` held (``inside``) or not: a value among those
    constants, or none of them."""
    name = _name(left, assigned)
    if name is None or not isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        return _NONE
    if not all(isinstance(item, ast.Constant) for item in right.elts):
        return _NONE
    values = tuple(item.value for item in right.elts if isinstance(item, ast.Constant))
    if inside:
        return frozenset({("in", name, values)})
    return frozenset(("ne", name, value) for value in values)


# Methods that give the same value for the same string: ``mode.lower() == "ssl"`` and
# ``mode.lower() == "tls"`` are two facts about one value.
NORMALISING = frozenset({"lower", "upper", "casefold", "strip", "lstrip", "rstrip", "title"})


def _name(node: ast.expr, assigned: frozenset[str]) -> str | None:
    suffix = ""
    while (
        isinstance(node, ast.Call)
        and not node.args
        and not node.keywords
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in NORMALISING
    ):
        suffix = f".{node.func.attr}()" + suffix
        node = node.func.value
    name = dotted_name(node)
    if name is None or any(name == a or name.startswith(a + ".") for a in assigned):
        return None  # assigning ``self.x`` also changes what ``self.x.y`` reads
    return name + suffix


def consistent(facts: frozenset[Fact]) -> bool:
    """Whether the facts can all hold at once. An "any" fact none of whose alternatives
    agrees with the plain facts cannot hold; one with a single such alternative adds it to
    them (``a or b`` true and ``a`` false: ``b`` true), until nothing more is learnt."""
    known = frozenset(f for f in facts if f[0] != "any")
    choices = [f[2] for f in facts if f[0] == "any" and isinstance(f[2], tuple)]
    if len(choices) > MAX_CHOICES:  # the same ones on every run, whatever the hash seed
        choices = sorted(choices, key=repr)[:MAX_CHOICES]
    learning = True
    while learning:  # each round settles at least one "any" fact, or stops
        if not _consistent_plain(known):
            return False
        learning = False
        open_choices = []
        for alternatives in choices:
            possible = [a for a in alternatives if _consistent_plain(known | a)]
            if not possible:
                return False
            if len(possible) == 1:
                known |= possible[0]
                learning = True
            else:
                open_choices.append(alternatives)
        choices = open_choices
    return True


def _consistent_plain(facts: frozenset[Fact]) -> bool:
    equal: dict[str, object] = {}
    for kind, name, value in facts:
        if kind == "eq":
            if name in equal and not _same(equal[name], value):
                return False
            equal[name] = value
    among: dict[str, tuple] = {}
    for kind, name, value in facts:
        if kind == "in" and isinstance(value, tuple):
            if name in among:  # both memberships hold: a value in both tuples
                value = tuple(v for v in value if any(_same(v, w) for w in among[name]))
            among[name] = value
    unequal = [(name, value) for kind, name, value in facts if kind == "ne"]
    for name, values in among.items():
        if name in equal:
            values = tuple(v for v in values if _same(v, equal[name]))
        values = tuple(v for v in values if not any(n == name and _same(v, u) for n, u in unequal))
        if not values:
            return False
    for kind, name, value in facts:
        known = name in equal
        if kind == "ne" and known and _same(equal[name], value):
            return False
        if kind == "true" and (("false", name, None) in facts or (known and not equal[name])):
            return False
        if kind == "false" and known and equal[name]:
            return False
    return True


def truths(facts: frozenset[Fact]) -> frozenset[tuple[str, bool]]:
    """The names and attributes the facts say are true or false, each with its truth."""
    return frozenset((name, kind == "true") for kind, name, _ in facts if kind in _TRUTHS)


_TRUTHS = ("true", "false")


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def assigned_names(scope: ast.AST) -> frozenset[str]:
    """The names and attributes ``scope`` assigns, deletes or binds (a loop, ``with`` or
    ``except`` target): a test of one of them may be about another value each time."""
    return _bound(scope)[0]


def bound_once(scope: ast.FunctionDef | ast.AsyncFunctionDef | ast.Module) -> frozenset[str]:
    """Names a function (or a module) binds exactly once, by a plain assignment that runs at most
    once a call (``use_ssl = config["use_ssl"]`` at the top level or inside a ``try:``,
    not in a loop): every read of such a name sees that one value (Python reads no other
    binding of a local), so tests of it agree with each other. Any other binding anywhere
    in the function, ``global`` or ``nonlocal`` keeps a name out."""
    return _bound(scope)[1]


def settled_names(scope: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, tuple[int, int]]:
    """The local names a function binds (a parameter, an assignment in any arm, an
    ``except ... as``), each with where its last binding in the text ends. A test of such a
    name that comes after that point and runs at most once a call (in no loop) reads the
    value every later test reads too: ``encryption = server.encryption`` in one arm,
    ``encryption = option`` in the other, then ``if encryption == "ssl":`` and ``if
    encryption == "starttls":`` cannot both be true. Names bound by ``global`` or
    ``nonlocal`` are left out (another function may bind them)."""
    known = _bound(scope)[2]
    if known is None:  # not a function: not kept
        known = _walk_bound(scope, settle=True)[2]
        assert known is not None
    return known


# A module's or function's answers, worked out in one walk of it when first asked and kept
# while its node lives: the path finder and the option tests ask them of the same functions
# again and again (each connection's paths, each test around a call). Weak: nothing is
# kept past the file's analysis, and no cycle holds it.
# For a function, the three (assigned, bound once, settled) come from one walk, as the path
# finder asks for all of them.
_Bound = tuple[frozenset[str], frozenset[str], "dict[str, tuple[int, int]] | None"]
_BOUND: weakref.WeakKeyDictionary[ast.AST, _Bound] = weakref.WeakKeyDictionary()
_MUTATED: weakref.WeakKeyDictionary[ast.AST, frozenset[str]] = weakref.WeakKeyDictionary()


def _bound(scope: ast.AST) -> _Bound:
    known = _BOUND.get(scope)
    if known is None:
        settle = isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))
        known = _BOUND[scope] = _walk_bound(scope, settle=settle)
    return known


def _walk_bound(scope: ast.AST, *, settle: bool) -> _Bound:
    """:func:`assigned_names`, :func:`bound_once` (for a function) and, when ``settle``,
    :func:`settled_names` of ``scope``, in one walk."""
    assigned: set[str] = set()
    counts: dict[str, int] = {}  # what each name's count is does not depend on the order
    last: dict[str, tuple[int, int]] = {}  # settled: in the walk's order, as it is kept
    shared: set[str] = set()

    def settled(name: str, end: tuple[int, int]) -> None:
        if end > last.get(name, (0, 0)):
            last[name] = end

    for node in _nodes(scope):
        kind = type(node)
        if kind is ast.Name or kind is ast.Attribute:
            if isinstance(node.ctx, (ast.Store, ast.Del)):  # type: ignore[attr-defined]
                name = dotted_name(node)
                if name is not None:
                    assigned.add(name)
                if kind is ast.Name:
                    counts[node.id] = counts.get(node.id, 0) + 1  # type: ignore[attr-defined]
                    if settle:
                        settled(node.id, _end(node))  # type: ignore[attr-defined]
        elif kind is ast.AugAssign:
            name = dotted_name(node.target)  # type: ignore[attr-defined]
            if name is not None:
                assigned.add(name)
            if isinstance(node.target, ast.Name):  # type: ignore[attr-defined]
                counts[node.target.id] = 2  # type: ignore[attr-defined]
        elif kind is ast.arg:  # a parameter is a binding too: ``mode = "starttls"`` rebinds it
            counts[node.arg] = counts.get(node.arg, 0) + 1  # type: ignore[attr-defined]
        elif kind is ast.Global or kind is ast.Nonlocal:
            for global_name in node.names:  # type: ignore[attr-defined]
                counts[global_name] = 2
            shared.update(node.names)  # type: ignore[attr-defined]
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.ClassDef:
            name = node.name  # type: ignore[attr-defined]
            counts[name] = counts.get(name, 0) + (node is not scope)
            if settle and node is not scope:
                settled(name, (node.lineno, node.col_offset))  # type: ignore[attr-defined]
        elif kind is ast.alias:
            bound = node.asname or node.name.split(".")[0]  # type: ignore[attr-defined]
            counts[bound] = counts.get(bound, 0) + 2
            if settle:
                settled(bound, _end(node))
        elif kind is ast.ExceptHandler and settle and node.name:  # type: ignore[attr-defined]
            settled(node.name, (node.lineno, node.col_offset))  # type: ignore[attr-defined]
    once: frozenset[str] = frozenset()
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
        run_once = _assigned_once_a_call(scope.body)
        once = frozenset(name for name in run_once if counts.get(name) == 1)
    kept = {n: at for n, at in last.items() if n not in shared} if settle else None
    return frozenset(assigned), once, kept


def _end(node: ast.AST) -> tuple[int, int]:
    """Where a name's binding ends in the text (for :func:`settled_names`)."""
    return (node.end_lineno or node.lineno, node.end_col_offset or 0)  # type: ignore[attr-defined]


def _assigned_once_a_call(body: list[ast.stmt]) -> set[str]:
    """The names plain assignments of ``body`` bind (``options, args = ...`` too) that run
    at most once a call: at the
    top level or in the blocks of an ``if``, ``try``, ``with`` or ``match`` (``host =
    config["host"]`` inside ``try:``), not in a loop, whose next round may bind another
    value."""
    names: set[str] = set()
    blocks = [body]
    while blocks:
        for statement in blocks.pop():
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                unpacked = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
                names.update(name.id for name in unpacked if isinstance(name, ast.Name))
            elif isinstance(statement, ast.If):
                blocks += [statement.body, statement.orelse]
            elif isinstance(statement, TRIES):
                blocks += [statement.body, statement.orelse, statement.finalbody]
                blocks += [handler.body for handler in statement.handlers]
            elif isinstance(statement, (ast.With, ast.AsyncWith)):
                blocks.append(statement.body)
            elif isinstance(statement, ast.Match):
                blocks += [case.body for case in statement.cases]
    return names


def _nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node`` and itself but the expression contexts and operators
    (``Load``, ``Add``, ``Eq``: leaves that bind nothing, about a third of the nodes), as
    ``ast.walk`` gives them but in another order, without its two generators a node."""
    stack = [node]
    pop, push, node_kind = stack.pop, stack.append, ast.AST
    fields_of = _CHILD_FIELDS.get
    while stack:
        node = pop()
        yield node
        kind = type(node)
        fields = fields_of(kind)
        if fields is None:
            fields = _CHILD_FIELDS[kind] = tuple(
                name for name in kind._fields if name not in _OPERATOR_FIELDS
            )
        for field_name in fields:
            value = getattr(node, field_name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, node_kind):
                        push(item)
            elif isinstance(value, node_kind):
                push(value)


# The fields that hold only an expression context or operators (``Name.ctx``, ``BinOp.op``,
# ``Compare.ops``); each node kind's other fields, as first met.
_OPERATOR_FIELDS = frozenset({"ctx", "op", "ops"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


# Methods that change a container in place (``CONFIG.update(options)``).
_MUTATORS = frozenset(
    {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"}
)


def mutated_names(symbols: Symbols) -> frozenset[str]:
    """The names whose value the module changes in place: an item or attribute assigned
    or deleted (``CONFIG["tls"] = ...``, ``settings.USE_TLS = ...``), a container's
    ``update``/``setdefault``/``pop``/... called. A test of one is not of a committed value.
    Worked out once a module (the path finder and the contexts both ask), from what the
    symbol table's walk collected (those stores and deletes, the calls), not from another
    walk of every node of the module."""
    known = _MUTATED.get(symbols.tree)
    if known is None:
        known = _MUTATED[symbols.tree] = _mutated(symbols)
    return known


def _mutated(symbols: Symbols) -> frozenset[str]:
    changed = list(symbols.stored_into)
    changed += [
        call.func.value
        for call in symbols.calls
        if isinstance(call.func, ast.Attribute) and call.func.attr in _MUTATORS
    ]
    return frozenset(root for root in map(_root, changed) if root is not None)


def _root(node: ast.expr) -> str | None:
    """The name an expression reads from: ``CONFIG`` of ``CONFIG.get("tls")["x"]``."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def committed_truth(
    test: ast.expr, evaluate: Callable[[ast.expr], Value], mutated: frozenset[str] = frozenset()
) -> bool | None:
    """What ``test`` is on every run, when the values it reads are committed in the project:
    literals, module constants and settings of the project's own modules (``evaluate``
    resolves them), not the environment, a parameter, a value picked at run time, an
    object's state or a container the module changes (``mutated``,
    :func:`mutated_names`). None when not known. A development switch (``DEBUG``,
    ``TESTING``) stays unknown: its committed value is a developer's, and production sets
    another."""
    if development_switch(test):
        return None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = committed_truth(test.operand, evaluate, mutated)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        parts = [committed_truth(value, evaluate, mutated) for value in test.values]
        # ``and`` is false when one operand is, true when all are; ``or`` the other way.
        decisive = not isinstance(test.op, ast.And)
        if decisive in parts:
            return decisive
        return (not decisive) if all(part is not None for part in parts) else None
    if isinstance(test, ast.Compare):
        return _committed_comparison(test, evaluate, mutated)
    if not isinstance(test, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
        return None
    value = _committed(test, evaluate, mutated)
    return None if value is None else bool(value.value)


def _committed_comparison(
    test: ast.Compare, evaluate: Callable[[ast.expr], Value], mutated: frozenset[str]
) -> bool | None:
    if len(test.ops) != 1 or not isinstance(test.ops[0], (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
        return None
    left, right = test.left, test.comparators[0]
    if isinstance(left, ast.Constant):
        left, right = right, left
    if not isinstance(right, ast.Constant):
        return None
    value = _committed(left, evaluate, mutated)
    if value is None:
        return None
    if isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        same = value.value is right.value
    elif type(value.value) is type(right.value):
        same = value.value == right.value
    else:
        return None  # ``flag == 1`` of a bool: Python's answer, not ours to guess
    return same if isinstance(test.ops[0], (ast.Eq, ast.Is)) else not same


def _committed(
    node: ast.expr, evaluate: Callable[[ast.expr], Value], mutated: frozenset[str]
) -> Value | None:
    """The value of ``node`` when the project commits it, else None."""
    root = _root(node)
    if root is None or root in ("self", "cls") or root in mutated:
        return None  # an object's state, or a container changed at run time
    value = evaluate(node)
    if not value.known or value.origin is not None:
        return None
    if value.choices is not None or value.template is not None:
        return None
    # A parameter the module's calls give different values (``server_link(h, p, "POP3")``
    # and ``server_link(h, p, "IMAP")``): each call takes its own arm.
    if any(not (o.known and _same(o.value, value.value)) for o in value.passed_elsewhere):
        return None
    if not isinstance(value.value, (bool, int, str, type(None))):
        return None
    if value.value in ("", None) and isinstance(node, (ast.Subscript, ast.Call)):
        # ``config["smtp"]["password"]`` of a template written with "" for its user to
        # fill in: left empty only until they do.
        return None
    return value
