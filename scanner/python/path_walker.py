"""Walking one function's statements along every control-flow path, for one connection.

:mod:`.paths` decides which functions to walk and chains them; this module follows the
statements of one: both arms of an ``if`` (the conditions kept as text and as facts),
loops run zero times or once, ``try`` bodies that raise before each mail call, ``match``
cases (with what a literal case says of the subject), the arms of conditional expressions
that open a connection, ``return`` and ``raise``. Each path also keeps the undecided
choices of the connection's TLS it takes (:attr:`ProtocolPath.choices`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from ..budget import spend
from ..model import Choices, Connection, Step, StepKind, Tls, with_choices
from ..records import record
from .ast_walk import walk
from .blocks import ends, following
from .conditions import Fact, consistent, facts_when
from .path_choices import names_of, opens_another, picks_tls, undecided
from .symbols import BLOCK_STATEMENTS, FUNCTIONS, TRIES, Symbols
from .tls_choices import offers_starttls

# Paths kept per function and per connection: real mail code has a handful; past this
# the rest are variations a rule would report the same way.
MAX_PATHS = 64

# What a test is on every run, from values the project commits (a settings module's
# ``USE_SSL = False``, an imported dict's ``"use_ssl": True``); None when not known.
Truth = Callable[[ast.expr], "bool | None"]


# One path through a function: its steps, its conditions as text, the names true or false
# on it (with their truth), the undecided choices of the connection's TLS it takes.
Option = tuple[tuple[Step, ...], tuple[str, ...], frozenset[tuple[str, bool]], Choices]


def unknown_truth(test: ast.expr) -> bool | None:
    return None


@record
class Event:
    """Something a call does to a connection: opens it (a constructor, a factory call
    bound to a name) or takes steps on it."""

    conn: Connection
    receiver: str | None
    opens: bool
    steps: tuple[Step, ...] = ()


@record
class State:
    """One path through the code walked so far: the steps taken on the connection,
    whether it is open, the conditions that led there."""

    steps: tuple[Step, ...]
    active: bool  # the connection is open and its name still means it
    conditions: tuple[str, ...]
    done: bool = False  # returned or raised
    facts: frozenset[Fact] = frozenset()  # what the conditions say about names
    feasible: bool = True  # False: its conditions contradict each other
    choices: Choices = ()  # as ProtocolPath.choices

    def key(self) -> tuple:
        return (tuple(id(s) for s in self.steps), self.active, self.done, self.feasible)


class Walker:
    def __init__(self, symbols: Symbols, source, events: dict[ast.AST, list[Event]], conn):
        self.source = source
        self.events = events
        self.conn = conn
        self.parents = symbols.parents
        self.assigned: frozenset[str] = frozenset()  # what the function assigns
        # Where each local name's last binding in the function's text ends
        # (:func:`settled_names`): a test after it, in no loop, reads that name's last value.
        self.settled: dict[str, tuple[int, int]] = {}
        self.truth: Truth = unknown_truth
        # Calls of a function of the module walked already: its paths, spliced in there.
        self.splices: dict[ast.AST, list[Option]] = {}
        # By call: the protocol and TLS of each connection it opens, in the module.
        self.openers: dict[int, set[tuple[object, Tls]]] = {}
        # Statements and expressions that hold one of the calls: the rest is skipped.
        self.holders: set[int] = set()
        self.calls_of: dict[int, list[ast.AST]] = {}
        self.exits: dict[int, bool] = {}  # by statement: holds a return or raise
        for call in events:
            node: ast.AST | None = call
            statement = None
            while node is not None and id(node) not in self.holders:
                self.holders.add(id(node))
                if statement is None and isinstance(node, ast.stmt):
                    statement = node
                node = self.parents.get(node)
            if statement is None:
                statement = self._statement_of(call)
            self.calls_of.setdefault(id(statement), []).append(call)

    def _exits(self, statement: ast.stmt) -> bool:
        """Whether a compound statement holds a ``return`` or ``raise`` of its function."""
        if id(statement) not in self.exits:
            self.exits[id(statement)] = isinstance(statement, BLOCK_STATEMENTS) and any(
                isinstance(node, (ast.Return, ast.Raise)) for node in _own_nodes(statement)
            )
        return self.exits[id(statement)]

    def _assigned_at(self, test: ast.expr) -> frozenset[str]:
        """What the function assigns that a test at ``test`` may see change after it: the
        names whose last binding comes after it, or all when it runs in a loop."""
        if not self.settled or not self.assigned:
            return self.assigned
        node = self.parents.get(test)
        while node is not None and not isinstance(node, (*FUNCTIONS, ast.Module)):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                return self.assigned
            node = self.parents.get(node)
        at = (test.lineno, test.col_offset)
        return frozenset(
            name for name in self.assigned if self.settled.get(name, (1 << 30, 0)) >= at
        )

    def _statement_of(self, node: ast.AST) -> ast.AST | None:
        while node is not None and not isinstance(node, ast.stmt):
            node = self.parents.get(node)
        return node

    def block(self, statements: Sequence[ast.stmt], states: list[State]) -> list[State]:
        for statement in statements:
            live = [s for s in states if not s.done]
            if not live:
                break
            finished = [s for s in states if s.done]
            if id(statement) not in self.holders:
                if isinstance(statement, (ast.Return, ast.Raise)):
                    # No mail call in it, but the path ends here (``return server`` in
                    # the implicit-TLS arm before the code that upgrades the plain one).
                    states = finished + [replace(s, done=True) for s in live]
                elif self._exits(statement):  # ``if use_ssl: return server``
                    states = finished + self.statement(statement, live)
                continue
            states = finished + self.statement(statement, live)
        return _bounded(states)

    def statement(self, node: ast.stmt, states: list[State]) -> list[State]:
        spend(1, "following each connection through the statements of its function")
        if isinstance(node, ast.If):
            states = self.expression(node.test, states)
            text = self.source(node.test)
            committed = self.truth(node.test)
            # An arm that returns or raises leaves the statements after the ``if`` to the
            # other (``if not with_ssl: return SMTP(...)`` then ``return SMTP_SSL(...)``).
            later = following(node, self.parents)
            chooses = self._chooses_tls(
                [*node.body, *(later if ends(node.orelse) else ())],
                [*node.orelse, *(later if ends(node.body) else ())],
            )
            yes = self.block(
                node.body,
                _with(
                    states,
                    f"when `{text}` is true",
                    facts_when(node.test, True, self._assigned_at(node.test)),
                    taken=committed is not False,
                    choice=self._choice(node.test, True) if chooses else frozenset(),
                ),
            )
            if offers_starttls(node.test):
                # A server without STARTTLS: Microsoft 365 offers it on every run, so the
                # upgrade of the other arm counts as made there (as one that raised).
                offered = self._upgrades_in(node.body)
                states = [replace(s, steps=s.steps + offered) if s.active else s for s in states]
            no = self.block(
                node.orelse,
                _with(
                    states,
                    f"when `{text}` is false",
                    facts_when(node.test, False, self._assigned_at(node.test)),
                    taken=committed is not True,
                    choice=self._choice(node.test, False) if chooses else frozenset(),
                ),
            )
            return yes + no
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            head = node.test if isinstance(node, ast.While) else node.iter
            states = self.expression(head, states)
            once = self.block(node.body, _with(states, "when the loop runs"))
            skipped = _with(states, "when the loop does not run")
            return self.block(node.orelse, [*skipped, *(s for s in once if not s.done)]) + [
                s for s in once if s.done
            ]
        if isinstance(node, TRIES):
            return self._try(node, states)  # type: ignore[arg-type]
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                states = self.expression(item.context_expr, states)
            return self.block(node.body, states)
        if isinstance(node, ast.Match):
            return self._match(node, states)
        if isinstance(node, (*FUNCTIONS, ast.ClassDef)):
            return states  # a definition runs nothing now
        states = self.expression(node, states)
        if isinstance(node, (ast.Return, ast.Raise)):
            return [replace(s, done=True) for s in states]
        return states

    def _match(self, node: ast.Match, states: list[State]) -> list[State]:
        """Each case, knowing what it says of the subject: ``case "ssl":`` that it equals
        ``"ssl"``, a case after unguarded literal ones (``case _:``) that it is none of
        them."""
        states = self.expression(node.subject, states)
        chooses = any(
            self._chooses_tls(
                case.body, [s for other in node.cases if other is not case for s in other.body]
            )
            for case in node.cases
        )
        choice = names_of(node.subject, self.source) if chooses else frozenset()
        arms: list[State] = []
        earlier: list[ast.expr] = []  # the literals of the unguarded cases before
        for case in node.cases:
            text = self.source(case.pattern)
            values = _literals(case.pattern)
            if values:
                facts = facts_when(_among(node.subject, values), True, self.assigned)
            elif earlier and _catches_all(case.pattern):
                facts = facts_when(_among(node.subject, earlier), False, self.assigned)
            else:
                facts = frozenset()
            arms += self.block(
                case.body, _with(states, f"when it matches `{text}`", facts, choice=choice)
            )
            if values and case.guard is None:
                earlier += values
        rest = facts_when(_among(node.subject, earlier), False, self.assigned) if earlier else None
        return arms + _with(states, "when no case matches", rest or frozenset(), choice=choice)

    def _try(self, node: ast.Try, states: list[State]) -> list[State]:
        # Where an exception may come from (before each mail call), with the STARTTLS or
        # login the call tried, and without a tried STARTTLS for a handler that upgrades
        # again: its STARTTLS retries the one that raised (``except TypeError:
        # conn.starttls()`` after ``conn.starttls(ssl_context=...)``), on a session still
        # in plain text.
        entries: list[State] = []
        retry_entries: list[State] = []
        current = states
        for statement in node.body:
            if id(statement) in self.holders:
                tried = self._tried(statement)
                untried = tuple(step for step in tried if step.kind is not StepKind.STARTTLS)
                # Tried only where the connection is open: on a path where its name holds
                # another connection (the plain arm's, upgraded here), it was not.
                live = [s for s in current if not s.done]
                entries += [replace(s, steps=s.steps + tried) if s.active else s for s in live]
                retry_entries += [
                    replace(s, steps=s.steps + untried) if s.active else s for s in live
                ]
            current = self.block([statement], current)
        handled: list[State] = []
        upgrade_tried = any(
            step.kind is StepKind.STARTTLS
            for statement in node.body
            if id(statement) in self.holders
            for step in self._tried(statement)
        )
        for handler in node.handlers:
            what = self.source(handler.type) if handler.type is not None else "an exception"
            raised = retry_entries if self._upgrades_in(handler.body) else entries
            # An error that picks the connection's TLS (a handler that opens it again or
            # upgrades, or the error of an upgrade) is one more choice of its path.
            chooses = upgrade_tried or self._chooses_tls(handler.body, node.body)
            choice = frozenset({f"raised {what}"}) if chooses else frozenset()
            handled += self.block(
                handler.body, _with(raised, f"when `{what}` is raised", choice=choice)
            )
        normal = self.block(node.orelse, current)
        return self.block(node.finalbody, normal + handled)

    def _choice(self, test: ast.expr, outcome: bool) -> frozenset[str]:
        """What taking ``outcome`` of ``test`` leaves undecided (:func:`undecided`)."""
        return undecided(test, outcome, self.truth, self.parents, self.source)

    def _chooses_tls(self, arm: Sequence[ast.AST], other: Sequence[ast.AST]) -> bool:
        """Whether what picks between ``arm`` and ``other`` picks the connection's TLS."""
        return picks_tls(self._tls_events(arm), self._tls_events(other), self.conn.tls.name)

    def _tls_events(self, nodes: Sequence[ast.AST]) -> set[str]:
        """What ``nodes`` do that bears on the connection's TLS: ``upgrades`` it, ``opens``
        it, open a connection of its protocol (``tls NONE``, ``tls IMPLICIT``: itself or
        another, as :attr:`openers` says)."""
        found: set[str] = set()
        for node in (inner for outer in nodes for inner in walk(outer)):
            for protocol, tls in self.openers.get(id(node), ()):
                if protocol is self.conn.protocol:
                    found.add(f"tls {tls.name}")
            for event in self.events.get(node, ()):
                if event.conn is self.conn:
                    if event.opens:
                        found.add("opens")
                    if any(step.kind is StepKind.STARTTLS for step in event.steps):
                        found.add("upgrades")
            for path in self.splices.get(node, ()):
                if any(step.kind is StepKind.STARTTLS for step in path[0]):
                    found.add("upgrades")
        return found

    def _upgrades_in(self, statements: list[ast.stmt]) -> tuple[Step, ...]:
        """The connection's STARTTLS steps taken by calls in ``statements``."""
        return tuple(
            step
            for statement in statements
            for node in walk(statement)
            for event in self.events.get(node, ())
            if event.conn is self.conn
            for step in event.steps
            if step.kind is StepKind.STARTTLS
        )

    def _tried(self, statement: ast.stmt) -> tuple[Step, ...]:
        """The STARTTLS or login of a statement that does nothing else on the connection:
        when it raises, it was still tried. The server refused the upgrade (Microsoft 365
        never does), so a handler that goes on does so on a server without STARTTLS; the
        credentials were sent and refused, so a handler that tries another mechanism
        (``login()`` after PLAIN) does so in the same run."""
        steps = [
            step
            for call in self.calls_of.get(id(statement), [])
            for event in self.events[call]
            if event.conn is self.conn
            for step in event.steps
        ]
        if steps and all(step.kind in _TRIED for step in steps):
            return tuple(steps)
        return ()

    def expression(self, node: ast.AST, states: list[State]) -> list[State]:
        """The events of the calls in ``node`` (outside nested blocks), innermost first."""
        calls = [c for c in self.calls_of.get(id(node), [])]
        if not calls and id(node) in self.holders and not isinstance(node, ast.stmt):
            statement = self._statement_of(node)
            calls = [c for c in self.calls_of.get(id(statement), []) if _inside(c, node, self)]
        for call in sorted(calls, key=lambda c: (c.end_lineno, c.end_col_offset)):
            if call in self.splices:
                if any(e.opens and e.conn is self.conn for e in self.events[call]):
                    states = [self._apply(s, self.events[call]) for s in states]
                states = [_spliced(s, path) for s in states for path in self.splices[call]]
            elif any(e.opens and e.conn is self.conn for e in self.events[call]):
                taken, skipped = self._arm_taken(call, states)
                states = [self._apply(s, self.events[call]) for s in taken] + skipped
            else:
                states = [self._apply(s, self.events[call]) for s in states]
        return _bounded(states)

    def _arm_taken(self, call: ast.AST, states: list[State]) -> tuple[list[State], list[State]]:
        """The states on which a call on an arm of conditional expressions runs (``SMTP_SSL(...)
        if use_ssl else SMTP(...)``: with ``use_ssl`` true), and those on which it does not."""
        taken, skipped = states, []
        for choice, on_body in self._arms_of(call):
            text = self.source(choice.test)
            committed = self.truth(choice.test)
            # Arms that call the same client (``IMAP4(h, port) if port else IMAP4(h)``)
            # open one kind of connection either way: the test says nothing a message needs.
            said = not _same_callee(choice)
            for outcome in (not on_body, on_body):
                arm = _with(
                    taken,
                    f"when `{text}` is {str(outcome).lower()}" if said else "",
                    facts_when(choice.test, outcome, self.assigned),
                    taken=committed is not (not outcome),
                    choice=self._choice(choice.test, outcome)
                    if opens_another(choice.orelse if on_body else choice.body)
                    else frozenset(),
                )
                if outcome is on_body:
                    taken = arm
                else:
                    skipped += arm
        return taken, skipped

    def _arms_of(self, call: ast.AST) -> list[tuple[ast.IfExp, bool]]:
        """The conditional expressions of its statement whose arm ``call`` is on, outermost
        first, each with whether it is the true arm."""
        found: list[tuple[ast.IfExp, bool]] = []
        child, parent = call, self.parents.get(call)
        while parent is not None and not isinstance(parent, (ast.stmt, ast.Lambda)):
            if isinstance(parent, ast.IfExp) and child is not parent.test:
                found.append((parent, child is parent.body))
            child, parent = parent, self.parents.get(parent)
        return found[::-1]

    def _apply(self, state: State, events: Iterable[Event]) -> State:
        steps, active = state.steps, state.active
        for event in events:
            if event.conn is not self.conn:
                active = active and not event.opens  # its name now holds another connection
                continue
            if event.opens:
                active = True
            if active:
                steps += event.steps
        return replace(state, steps=steps, active=active)


# Steps that, when their call raises, were still made: an upgrade asked for, credentials sent.
_TRIED = frozenset({StepKind.STARTTLS, StepKind.USER, StepKind.LOGIN, StepKind.AUTH})


def _own_nodes(node: ast.AST) -> Iterable[ast.AST]:
    """The nodes under ``node`` outside the functions, lambdas and classes it defines."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(
            child
            for child in ast.iter_child_nodes(current)
            if not isinstance(child, (*FUNCTIONS, ast.Lambda, ast.ClassDef))
        )


def _literals(pattern: ast.pattern) -> list[ast.expr]:
    """The constants a ``case`` pattern matches (``"ssl"``, ``"ssl" | "tls"``); [] for
    any other pattern."""
    if isinstance(pattern, ast.MatchValue) and isinstance(pattern.value, ast.Constant):
        return [pattern.value]
    if isinstance(pattern, ast.MatchSingleton):
        return [ast.Constant(pattern.value)]
    if isinstance(pattern, ast.MatchOr):
        parts = [_literals(p) for p in pattern.patterns]
        return [v for part in parts for v in part] if all(parts) else []
    return []


def _catches_all(pattern: ast.pattern) -> bool:
    """``case _:`` or ``case name:``: what no case before it matched."""
    return isinstance(pattern, ast.MatchAs) and pattern.pattern is None


def _among(subject: ast.expr, values: list[ast.expr]) -> ast.expr:
    """``subject in (values)`` as a test, for the facts it gives."""
    return ast.Compare(subject, [ast.In()], [ast.Tuple(values, ast.Load())])


def _inside(call: ast.AST, node: ast.AST, walker: Walker) -> bool:
    current: ast.AST | None = call
    while current is not None:
        if current is node:
            return True
        current = walker.parents.get(current)
    return False


def _with(
    states: list[State],
    condition: str,
    facts: frozenset[Fact] = frozenset(),
    *,
    taken: bool = True,
    choice: frozenset[str] = frozenset(),
) -> list[State]:
    # A state whose conditions contradict each other, or that takes an arm the project's
    # committed values never take (``taken``), is walked on (its steps are still the
    # connection's) but gives no path.
    return [
        replace(
            state,
            conditions=(*state.conditions, condition) if condition else state.conditions,
            facts=state.facts | facts,
            feasible=state.feasible and taken and consistent(state.facts | facts),
            choices=with_choices(state.choices, (choice,)),
        )
        for state in states
    ]


def _same_callee(choice: ast.IfExp) -> bool:
    """Both arms of ``choice`` call the same function or class, as written."""
    body, orelse = choice.body, choice.orelse
    return (
        isinstance(body, ast.Call)
        and isinstance(orelse, ast.Call)
        and ast.dump(body.func) == ast.dump(orelse.func)
    )


def _spliced(state: State, path: Option) -> State:
    """``state`` going on through one path of a function it calls."""
    steps, conditions, truths, choices = path
    if not state.active:
        return state  # the connection is not open here: the call does nothing to it
    facts = state.facts | {("true" if truth else "false", name, None) for name, truth in truths}
    return replace(
        state,
        steps=state.steps + steps,
        conditions=(*state.conditions, *conditions),
        facts=facts,
        feasible=state.feasible and consistent(facts),
        choices=with_choices(state.choices, choices),
    )


def _bounded(states: list[State]) -> list[State]:
    # States alike in all but their conditions are one, with the conditions (and what
    # they say) all of them share: the steps are taken whichever way those went (an
    # ``if dry_run:`` after the login is no condition of it). With the fewest choices
    # any of them needed: the program reaches its steps with that few.
    kept: dict[tuple, State] = {}
    for state in states:
        key = state.key()
        first = kept.get(key)
        if first is None:
            kept[key] = state
            continue
        if first.conditions != state.conditions:
            first = replace(
                first,
                conditions=tuple(c for c in first.conditions if c in state.conditions),
                facts=first.facts & state.facts,
            )
        if len(state.choices) < len(first.choices):
            first = replace(first, choices=state.choices)
        kept[key] = first
    return list(kept.values())[:MAX_PATHS]
