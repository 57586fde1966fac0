"""Connections as protocol paths: the order of their steps along each control-flow path.

The front end knows which call does what on which connection; this module knows in
which order those calls can happen. It walks the function bodies that use a
connection and follows every path: both arms of an ``if`` (the condition kept as
text for messages), loops run zero times or once, a ``try`` body that completes or
raises before any of its mail calls into each handler (a STARTTLS that raises was
tried: the server refused it, which Microsoft 365 never does), ``else`` and ``finally``,
early ``return`` and ``raise``, ``match`` cases. A path starts where the connection
is opened and stops counting when its name is bound to another connection. An arm
whose test contradicts an earlier one, or a value the project commits (``if USE_SSL:``
with ``USE_SSL = False``), gives no path; what is met only there is marked as never
run. Steps in several functions (a connection kept on ``self``, handed to a helper,
returned by a factory) are chained: the function that opens it first, with the paths of
the functions it calls spliced in where it calls them, then the others in the order the
module calls them, else in the protocol's order (a method that upgrades before one that
logs in: their callers elsewhere pick the order), else in source order; a function that
binds the connection's attribute to a new object before its steps starts a new session.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import itertools
from collections.abc import Iterable, Sequence

from ..model import Connection, ProtocolPath, StepKind, Tls, with_choices
from .ast_walk import walk as walk_nodes
from .conditions import (
    assigned_names,
    bound_once,
    committed_truth,
    mutated_names,
    settled_names,
    truths,
)
from .path_choices import names_of
from .path_walker import MAX_PATHS, Event, Option, State, Truth, Walker, unknown_truth
from .source import dotted_name
from .symbols import Symbols
from .tls_choices import (
    Handshake,
    OptionTests,
    mark_offered_upgrades,
    mark_tls_options,
    mark_upgrade_options,
    mark_verify_options,
    narrow_ports,
    read_names,
)
from .values import Evaluator

__all__ = ["Event", "GroupedEvents", "PathFinder", "find_paths"]

Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef


def find_paths(
    symbols: Symbols,
    values: Evaluator,
    connections: Sequence[Connection],
    events: dict[ast.AST, list[Event]],
    order: Sequence[Scope],
) -> None:
    """Give each connection of the module its protocol paths (``order``: the functions in
    the order they run), and mark what runs on none: a connection opened, or a step
    taken, only on paths whose conditions contradict each other or the project's
    committed values."""
    mutated: frozenset[str] | None = None

    def truth(test: ast.expr) -> bool | None:
        nonlocal mutated
        if mutated is None:
            mutated = mutated_names(symbols)
        return committed_truth(test, values.evaluate, mutated)

    openers = [(call, e.conn) for call, found in events.items() for e in found if e.opens]
    narrow_ports(openers, symbols.parents)
    chosen_by = mark_tls_options(openers, symbols.parents, truth)
    handshakes: list[Handshake] = [
        (call, e.conn, step)
        for call, found in events.items()
        for e in found
        for step in e.steps
        if step.kind is StepKind.STARTTLS
    ]
    handshakes += [(call, conn, None) for call, conn in openers if conn.tls is Tls.IMPLICIT]
    mark_verify_options(handshakes, symbols.parents, truth)
    mark_offered_upgrades(handshakes, symbols.parents)
    finder = PathFinder(symbols, values.source, truth)
    upgrades = [(call, conn) for call, conn, step in handshakes if step and conn.tls is Tls.NONE]
    mark_upgrade_options(openers, upgrades, symbols, truth, finder)
    reached: set[int] = set()  # steps on a path that runs, of any connection
    settled: list[Connection] = []
    grouped = GroupedEvents(events)
    for conn in connections:
        if id(conn) not in grouped.by_connection:
            continue
        paths, never_taken, unreached = finder.connection_paths(conn, grouped, order)
        # Each step found on a path, or on one never taken; else the finder missed some,
        # and source order is all that is known.
        on_paths = {id(step) for path in paths for step in path.steps}
        reached |= on_paths
        if all(id(step) in on_paths | never_taken for step in conn.steps):
            conn.paths = paths
            conn.unreached = unreached
            settled.append(conn)
        else:
            reached |= {id(step) for step in conn.steps}
    for conn in settled:
        for step in conn.steps:
            step.unreached = id(step) not in reached
    for conn in {id(conn): conn for _, conn in openers}.values():
        if id(conn) in chosen_by:
            _mark_optional_upgrades(finder, conn, chosen_by[id(conn)], events)


def _mark_optional_upgrades(
    finder: PathFinder, conn: Connection, chosen_by: ast.expr, events: dict[ast.AST, list[Event]]
) -> None:
    """Set :attr:`Step.option` on the STARTTLS steps of ``conn`` that another option of
    the user than the one that chose its TLS (``chosen_by``) decides: ``if self.tls:
    starttls()`` after ``if self.ssl: SMTP_SSL(...)``, not ``if mode != "none":`` after
    ``if mode == "tls":`` (one option's value that takes both is the code's mapping)."""
    chosen = read_names(chosen_by)
    for call, found in events.items():
        for event in found:
            if event.conn is not conn:
                continue
            upgrades = [step for step in event.steps if step.kind is StepKind.STARTTLS]
            tests = finder.option_tests(call) if upgrades else []
            if tests and not any(read_names(test) & chosen for test in tests):
                option = " or ".join(dict.fromkeys(finder.source(test) for test in tests))
                for step in upgrades:
                    step.option = option


class GroupedEvents:
    """A module's events (each call's, in source order) grouped once for all its
    connections: the path finder asks, of each connection, for its own events, the calls
    that open some connection, and what each of those opens. Filtering every call's
    events again for each connection made a module with many connections (a test module
    opening one in each test) quadratic."""

    def __init__(self, events: dict[ast.AST, list[Event]]) -> None:
        # Each connection's events by call, in the order of ``events`` and of each list.
        self.by_connection: dict[int, dict[ast.AST, list[Event]]] = {}
        # The events that open a connection, by call.
        self.opening: dict[ast.AST, list[Event]] = {}
        # What each opening call may open: (protocol, TLS) pairs, by the call's id.
        self.opened_kinds: dict[int, set[tuple[object, Tls]]] = {}
        # The opening calls by the name each binds its connection to, in source order.
        self._opening_on: dict[str | None, list[ast.AST]] = {}
        self._position: dict[ast.AST, int] = {}
        for position, (call, found) in enumerate(events.items()):
            self._position[call] = position
            for event in found:
                self.by_connection.setdefault(id(event.conn), {}).setdefault(call, []).append(event)
                if event.opens:
                    self.opening.setdefault(call, []).append(event)
                    kind = (event.conn.protocol, event.conn.tls)
                    self.opened_kinds.setdefault(id(call), set()).add(kind)
                    on = self._opening_on.setdefault(event.receiver, [])
                    if not on or on[-1] is not call:
                        on.append(call)

    def of_connection(
        self, conn: Connection
    ) -> tuple[dict[ast.AST, list[Event]], set[str], dict[ast.AST, list[Event]]]:
        """``conn``'s own events by call, the names it is called on (its receivers), and
        the events its paths follow: its own, and at each call that does not open it,
        the opening of another connection on one of its receivers, which ends it there.
        The calls in the order of the module's events (the caller's to read)."""
        mine = self.by_connection.get(id(conn), {})
        receivers = {e.receiver for found in mine.values() for e in found if e.receiver}
        # A call that opens this connection or another (``self.connect()`` where a subclass
        # overrides ``connect``) gives one of them: the others do not end this one there.
        rebinds: dict[ast.AST, list[Event]] = {}
        for receiver in receivers:
            for call in self._opening_on.get(receiver, ()):
                if call in rebinds or any(e.opens for e in mine.get(call, ())):
                    continue
                opening = self.opening[call]
                others = [e for e in opening if e.conn is not conn and e.receiver in receivers]
                if others:
                    rebinds[call] = others
        if not rebinds:
            return mine, receivers, {call: list(found) for call, found in mine.items()}
        calls = sorted(mine.keys() | rebinds.keys(), key=self._position.__getitem__)
        relevant = {call: [*mine.get(call, []), *rebinds.get(call, [])] for call in calls}
        return mine, receivers, relevant


class PathFinder:
    def __init__(self, symbols: Symbols, source, truth: Truth = unknown_truth) -> None:
        self.symbols = symbols
        self.source = source  # node -> its text, for conditions
        self.truth = _asked_once(truth)
        # The memo, not a method of the finder: no cycle keeps the analysis from being
        # freed by reference counting when the file is done.
        self.options = OptionTests(symbols.parents, self.truth)
        self._calls_by_scope: dict[int, list[ast.Call]] | None = None
        self._callers: dict[int, list[ast.Call]] | None = None  # by the function called
        self._assigned_by_scope: dict[int, frozenset[str]] = {}
        # Asked for each connection's paths of the same calls and functions: kept.
        self._callees: dict[int, Scope | None] = {}
        self._called: dict[int, list[Scope]] = {}

    def connection_paths(
        self, conn: Connection, events: GroupedEvents, order: Sequence[Scope]
    ) -> tuple[list[ProtocolPath], frozenset[int], bool]:
        """The paths of ``conn``'s steps, the ids of the steps met on paths never taken
        (their conditions contradict each other, or a value the project commits), and
        whether the connection is opened only on such paths; ``events`` are every
        call's events in the module (other connections' opens on the same name end this
        one's), ``order`` the functions in the order they run."""
        mine, receivers, relevant = events.of_connection(conn)
        by_scope: dict[int, list[ast.AST]] = {}
        for call in mine:
            by_scope.setdefault(id(self._scope(call)), []).append(call)
        opener = self._first_opener(
            [call for call, found in mine.items() if any(e.opens for e in found)]
        )
        scopes = [scope for scope in order if id(scope) in by_scope]
        seen: set[int] = set()
        # The paths of the functions the opening one calls, spliced in where it calls
        # them (``self._secure()`` between the connection and the login).
        inlined: dict[int, list[Option]] = {}
        used: set[int] = set()
        walk = functools.partial(
            self._walk_scope,
            relevant=relevant,
            conn=conn,
            seen=seen,
            inlined=inlined,
            used=used,
            openers=events.opened_kinds,
        )
        if opener is not None:
            first = self._scope(opener)
            called = [s for s in self._called_from(first) if id(s) in by_scope]
            for scope in reversed(called):  # a callee's own callees first
                inlined[id(scope)] = walk(scope, opened=True)[0]
            head = walk(first, opened=False)
            others = [s for s in called if id(s) not in used]
            # Methods nothing here calls run in the order their caller elsewhere picks: the
            # protocol's (``connect()``, ``secure()``, ``authenticate()``), whatever order
            # they are written in.
            unordered = [s for s in scopes if s is not first and s not in called]
            others += sorted(unordered, key=lambda scope: _phase(mine, by_scope[id(scope)]))
            scopes = [first, *others]
            walked = [head, *(walk(scope, opened=True) for scope in others)]
        else:
            walked = [walk(scope, opened=True) for scope in scopes]
        per_scope = [options for options, _ in walked]
        # Opened in its first function only on paths never taken: the connection never is.
        unreached = opener is not None and bool(walked) and walked[0][1]
        combined: list[Option] = [((), (), frozenset(), ())]
        finished: list[Option] = []
        for at, options in enumerate(per_scope):
            if not options:
                continue
            if at and self._rebinds(scopes[at], receivers, by_scope[id(scopes[at])]):
                # It binds the name to a new object before its steps (``self.smtp =
                # self.connection(...)``): a new session, not more of the last one's.
                finished += [path for path in combined if path[0]]
                combined = [((), (), frozenset(), ())]
            # (asked of its first statement: the function's own node is in its parent)
            tests = self.option_tests(scopes[at].body[0]) if at and scopes[at].body else []
            if tests:
                option = " or ".join(dict.fromkeys(self.source(test) for test in tests))
                # A helper called only under a user's option (``if self.tls:
                # self._secure()``): its steps are not taken on every run. When it
                # upgrades, that option is a choice of the connection's TLS either way.
                upgrades = any(s.kind is StepKind.STARTTLS for path in options for s in path[0])
                names = frozenset(n for test in tests for n in names_of(test, self.source))
                choice = (names,) if upgrades else ()
                options = [(*path[:3], with_choices(choice, path[3])) for path in options]
                options = [*options, ((), (f"when `{option}` is false",), frozenset(), choice)]
            combined = [
                (
                    steps + more,
                    conditions + extra,
                    tested | more_tested,
                    with_choices(choices, more_choices),
                )
                for (steps, conditions, tested, choices), (
                    more,
                    extra,
                    more_tested,
                    more_choices,
                ) in itertools.product(combined, options)
            ][:MAX_PATHS]
        present = {id(step) for step in conn.steps}
        paths = _unique(
            ProtocolPath(
                tuple(s for s in steps if id(s) in present),
                conditions,
                falsy=frozenset(name for name, truth in tested if not truth),
                truthy=frozenset(name for name, truth in tested if truth),
                choices=choices,
            )
            for steps, conditions, tested, choices in [*finished, *combined]
        )
        return paths, frozenset(seen), unreached

    def _first_opener(self, openers: list[ast.AST]) -> ast.AST | None:
        """The call that opens the connection where its session starts: the one call of
        a factory (``server = self.connect()``) rather than the constructor inside it,
        whose paths are spliced in there, so that what the caller does next follows. A
        factory called from several places starts each caller's session itself."""
        opener = openers[0] if openers else None
        seen: set[int] = set()
        while opener is not None and id(opener) not in seen:
            seen.add(id(opener))
            scope = self._scope(opener)
            calls = [
                call
                for call in openers
                if isinstance(call, ast.Call)
                and self.callee(call) is scope
                and self._scope(call) is not scope
            ]
            if len(calls) == 1 and len(self.callers_of(scope)) == 1:
                opener = calls[0]
        return opener

    def _rebinds(self, scope: Scope, receivers: set[str], calls: list[ast.AST]) -> bool:
        """Whether ``scope`` binds an attribute that names the connection to a new object
        before its first call on it (``self.smtp = self.connection(...)``, a property
        that gives a class; not to what a function of the module returns, which may be
        this connection)."""
        first = min((getattr(c, "lineno", 0), getattr(c, "col_offset", 0)) for c in calls)
        for node in walk_nodes(scope):
            if not isinstance(node, ast.Assign) or (node.lineno, node.col_offset) >= first:
                continue
            callee = self.callee(node.value) if isinstance(node.value, ast.Call) else None
            if callee is not None and not _property(callee):
                continue
            if any(
                isinstance(target, ast.Attribute) and dotted_name(target) in receivers
                for target in node.targets
            ):
                return True
        return False

    def option_tests(self, node: ast.AST) -> list[ast.expr]:
        """The tests of a user's option under which ``node`` runs: around it in its
        function, else around each call the module makes of that function (a helper
        called only as ``if self.tls: self._secure()``); empty when it runs regardless."""
        test = self.options.around(node)
        if test is not None:
            return [test]
        tests = [self.options.around(call) for call in self.callers_of(self._scope(node))]
        return [test for test in tests if test is not None] if all(tests) and tests else []

    def callers_of(self, scope: ast.AST) -> list[ast.Call]:
        """The calls the module makes of one of its functions."""
        if self._callers is None:
            self._callers = {}
            for call in self.symbols.calls:
                callee = self.callee(call)
                if callee is not None:
                    self._callers.setdefault(id(callee), []).append(call)
        return self._callers.get(id(scope), [])

    def _called_from(self, first: Scope) -> list[Scope]:
        """The functions of the module that ``first`` calls, and those they call, in the
        order the calls come (``flush()`` calling ``self._login()`` then
        ``self._secure()``, whatever order they are written in)."""
        known = self._called.get(id(first))
        if known is None:
            known = self._called[id(first)] = self._reached_from(first)
        return list(known)  # the caller's to change

    def _reached_from(self, first: Scope) -> list[Scope]:
        found: list[Scope] = []
        stack: list[Scope] = [first]
        seen = {id(first)}
        while stack:
            scope = stack.pop()
            callees = []
            for call in self._own_calls(scope):
                callee = self.callee(call)
                if callee is not None and id(callee) not in seen:
                    seen.add(id(callee))
                    callees.append(callee)
            # Depth first: what a callee calls runs before the next call of its caller.
            at = found.index(scope) + 1 if scope in found else 0
            found[at:at] = callees
            stack.extend(reversed(callees))
        return found

    def _own_calls(self, scope: Scope) -> list[ast.Call]:
        if self._calls_by_scope is None:
            self._calls_by_scope = {}
            for call in self.symbols.calls:  # in source order
                self._calls_by_scope.setdefault(id(self._scope(call)), []).append(call)
        return self._calls_by_scope.get(id(scope), [])

    def callee(self, call: ast.Call) -> Scope | None:
        """The function of this module a call runs: ``f(...)``, ``self.m(...)`` of the
        caller's class, ``obj.m(...)`` of an object made from a class of the module."""
        if id(call) not in self._callees:
            self._callees[id(call)] = self._callee(call)
        return self._callees[id(call)]

    def _callee(self, call: ast.Call) -> Scope | None:
        func = call.func
        if isinstance(func, ast.Name):
            bindings = self.symbols.bindings(func)
            if isinstance(self.symbols.parents.get(call), ast.withitem):
                # ``with Mailer() as server:`` runs the class's ``__enter__`` there.
                klass = _defined(bindings, ast.ClassDef)
                if isinstance(klass, ast.ClassDef):
                    methods = self.symbols.methods(klass, "__enter__")
                    methods = methods or self.symbols.methods(klass, "__aenter__")
                    return methods[0] if methods else None
            return _defined(bindings, ast.FunctionDef, ast.AsyncFunctionDef)
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return None
        owner = func.value
        if owner.id in ("self", "cls"):
            klass = self.symbols.enclosing_class(call)
        else:
            made = [self._assigned(binding.node) for binding in self.symbols.bindings(owner)]
            classes = [
                _defined(self.symbols.bindings(value.func), ast.ClassDef)
                for value in made
                if isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            ]
            klass = classes[0] if len(classes) == 1 else None
        if not isinstance(klass, ast.ClassDef):
            return None
        methods = self.symbols.methods(klass, func.attr)
        return methods[0] if methods else None

    def _assigned(self, node: ast.AST) -> ast.AST | None:
        """The value assigned to a name bound by ``name = value``."""
        parent = self.symbols.parents.get(node)
        if isinstance(parent, ast.Assign) and any(t is node for t in parent.targets):
            return parent.value
        return None

    def _scope(self, node: ast.AST) -> Scope:
        return self.symbols.enclosing_function(node) or self.symbols.tree  # type: ignore[return-value]

    def _walk_scope(
        self,
        scope: Scope,
        *,
        relevant: dict[ast.AST, list[Event]],
        conn: Connection,
        seen: set[int],
        inlined: dict[int, list[Option]],
        used: set[int],
        opened: bool,
        openers: dict[int, set[tuple[object, Tls]]],
    ) -> tuple[list[Option], bool]:
        """The feasible paths through ``scope``, and whether the connection is open (or
        has steps) on paths never taken only. A call of a function walked already
        (``inlined``) takes that function's paths there; ``used`` gets its id."""
        calls = [c for c in relevant if self._scope(c) is scope]
        assigned = self._assigned_by_scope.get(id(scope))
        if assigned is None:
            assigned = assigned_names(scope)
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assigned -= bound_once(scope)
            self._assigned_by_scope[id(scope)] = assigned
        splices: dict[ast.AST, list[Option]] = {}
        for call in self._own_calls(scope):
            callee = self.callee(call)
            if callee is not None and inlined.get(id(callee)):
                splices[call] = inlined[id(callee)]
                used.add(id(callee))
        # A spliced call keeps its events only if it opens the connection (a factory's
        # call): the connection is open from there, through the factory's paths.
        events = {
            **{c: relevant[c] for c in calls},
            **{c: [] for c in splices if not any(e.opens for e in relevant.get(c, ()))},
        }
        walker = Walker(self.symbols, self.source, events, conn)
        walker.splices = splices
        walker.openers = openers
        walker.assigned = assigned
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            walker.settled = settled_names(scope)
        walker.truth = self.truth
        states = walker.block(scope.body, [State((), opened, ())])
        seen.update(id(step) for state in states if not state.feasible for step in state.steps)
        feasible = [
            (s.steps, s.conditions, truths(s.facts), s.choices)
            for s in states
            if s.feasible and (s.steps or s.active)
        ]
        dead = any(not s.feasible and (s.steps or s.active) for s in states)
        return feasible, dead and not feasible


# Where a step comes in a session: connecting, upgrading, logging in, sending.
_PHASES = {
    StepKind.CONNECT: 0,
    StepKind.EHLO: 1,
    StepKind.STARTTLS: 1,
    StepKind.USER: 2,
    StepKind.LOGIN: 2,
    StepKind.AUTH: 2,
    StepKind.SEND: 3,
}


def _phase(mine: dict[ast.AST, list[Event]], calls: list[ast.AST]) -> int:
    """The earliest phase of a session that a function's calls on the connection reach."""
    return min(
        (
            0 if event.opens else min((_PHASES[step.kind] for step in event.steps), default=3)
            for call in calls
            for event in mine[call]
        ),
        default=3,
    )


def _property(function: Scope) -> bool:
    return any(
        (dotted_name(d) or "").split(".")[-1] in ("property", "cached_property")
        for d in getattr(function, "decorator_list", ())
    )


def _defined(bindings, *kinds: type) -> ast.AST | None:
    """The one ``def`` or ``class`` a name is bound to, if that is all it is bound to."""
    nodes = [binding.node for binding in bindings]
    return nodes[0] if len(nodes) == 1 and isinstance(nodes[0], kinds) else None


def _unique(paths: Iterable[ProtocolPath]) -> list[ProtocolPath]:
    """One path per sequence of steps: the first, with the fewest choices any needed and
    only the names true on all of them (the steps are taken whatever those say)."""
    kept: dict[tuple[int, ...], ProtocolPath] = {}
    for path in paths:
        key = tuple(id(step) for step in path.steps)
        first = kept.get(key)
        if first is None:
            kept[key] = path
            continue
        if len(path.choices) < len(first.choices):
            first = dataclasses.replace(first, choices=path.choices)
        if not first.truthy <= path.truthy:
            first = dataclasses.replace(first, truthy=first.truthy & path.truthy)
        kept[key] = first
    return list(kept.values())


def _asked_once(truth: Truth) -> Truth:
    """``truth`` asked once per test, whatever the connection."""
    answers: dict[int, bool | None] = {}

    def answer(test: ast.expr) -> bool | None:
        if id(test) not in answers:
            answers[id(test)] = truth(test)
        return answers[id(test)]

    return answer
