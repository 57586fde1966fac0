"""What the front end learns about the steps once they are recorded.

- Logins a test expects to fail: inside ``with pytest.raises(...)`` or ``with
  self.assertRaises(...)``, or in a local function every call of which is inside one,
  whichever call makes them (a method, a constructor, ``aiosmtplib.send``).
- The hosts a step runs with when ``if`` tests of the connection's host (one of several
  picked at run time) guard it: ``if cfg["host"] in ("smtp.office365.com",): ... else:``.
- Steps of one call shared by connections of different TLS modes (``SMTP_SSL(...) if ssl
  else SMTP(...)`` bound to one name): no fix that adds, moves or drops STARTTLS, which
  would be right for one connection and break the other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping

from ..model import Connection, Span
from ..remedies import RemedyKind
from .paths import Event
from .source import dotted_name
from .symbols import FUNCTIONS, Symbols
from .values import Evaluator

# unittest's context managers that assert the block raises.
_ASSERT_RAISES = frozenset({"self.assertRaises", "self.assertRaisesRegex"})
_UPGRADE_FIXES = (
    RemedyKind.ADD_STARTTLS,
    RemedyKind.UNCONDITIONAL_STARTTLS,
    RemedyKind.DROP_STARTTLS,
)


def mark_expected_failures(
    symbols: Symbols, values: Evaluator, connections: Iterable[Connection]
) -> None:
    regions = [values.span(block) for block in _raises_blocks(symbols, values)]
    if not regions:
        return
    calls_of = _calls_by_name(symbols.calls)
    for function in symbols.functions:
        calls = calls_of.get(function.name, [])
        if calls and all(_inside(values.span(c), regions) for c in calls):
            regions.append(values.span(function))
    for conn in connections:
        for step in conn.steps:
            if _inside(step.span, regions):
                step.expected_to_fail = True


def _raises_blocks(symbols: Symbols, values: Evaluator) -> list[ast.With | ast.AsyncWith]:
    """The ``with`` blocks one of whose items calls ``pytest.raises`` or ``assertRaises``,
    found from the module's calls (a walk of the whole tree was a sixth of the analysis of
    a large test module)."""
    found: dict[int, ast.With | ast.AsyncWith] = {}
    parents = symbols.parents
    for call in symbols.calls:
        item = parents.get(call)
        if not (isinstance(item, ast.withitem) and item.context_expr is call):
            continue
        block = parents.get(item)
        if not isinstance(block, (ast.With, ast.AsyncWith)) or id(block) in found:
            continue
        if (
            "pytest.raises" in values.qualified_names(call.func)
            or dotted_name(call.func) in _ASSERT_RAISES
        ):
            found[id(block)] = block
    return list(found.values())


def _calls_by_name(calls: Iterable[ast.Call]) -> dict[str, list[ast.Call]]:
    """The calls that may call a function of this module, by its name: ``name(...)``,
    ``self.name(...)``, ``cls.name(...)`` (one pass: test modules have hundreds of
    functions and thousands of calls)."""
    found: dict[str, list[ast.Call]] = {}
    for call in calls:
        func = call.func
        if isinstance(func, ast.Name):
            found.setdefault(func.id, []).append(call)
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
        ):
            found.setdefault(func.attr, []).append(call)
    return found


def _inside(span: Span, regions: list[Span]) -> bool:
    return any(r.start <= span.start and span.end <= r.end for r in regions)


def hosts_guarded(node: ast.AST, conn: Connection, values: Evaluator) -> tuple[object, ...] | None:
    """The hosts a call runs with, where ``if`` tests of the connection's host guard it."""
    allowed = [c.value for c in conn.host.choices or () if c.known]
    guarded = False
    parents = values.parents
    child, current = node, parents.get(node)
    while current is not None and not isinstance(current, (*FUNCTIONS, ast.ClassDef)):
        if isinstance(current, ast.If) and child is not current.test:
            named = _named_hosts(current.test, conn.host.source, values)
            if named is not None:
                hosts, positive = named
                inside = positive if child in current.body else not positive
                allowed = [h for h in allowed if (h in hosts) == inside]
                guarded = True
        child, current = current, parents.get(current)
    return tuple(allowed) if guarded else None


def _named_hosts(test: ast.AST, source: str | None, values: Evaluator) -> tuple[set, bool] | None:
    """``<host> in (...)``/``== "..."`` (True) or ``not in``/``!=`` (False), with the hosts
    it names, when ``<host>`` is written as ``source``."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and source):
        return None
    if values.source(test.left) != source:
        return None
    op, right = test.ops[0], test.comparators[0]
    elements = right.elts if isinstance(right, (ast.Tuple, ast.List, ast.Set)) else [right]
    hosts = {e.value for e in elements if isinstance(e, ast.Constant)}
    if len(hosts) != len(elements):
        return None
    if isinstance(op, (ast.In, ast.Eq)):
        return hosts, True
    if isinstance(op, (ast.NotIn, ast.NotEq)):
        return hosts, False
    return None


def drop_shared_upgrades(events: Mapping[ast.AST, list[Event]]) -> None:
    for found in events.values():
        acting = [e for e in found if not e.opens and e.steps]
        if len({e.conn.tls for e in acting}) < 2:
            continue
        for event in acting:
            for step in event.steps:
                for kind in _UPGRADE_FIXES:
                    step.remedies.pop(kind, None)
