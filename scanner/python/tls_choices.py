"""Connections whose TLS is one of the choices the code offers its user.

``if self.ssl: SMTP_SSL(...) else: SMTP(...)`` under a test of a run-time value (a
parameter, an object's state, not a value the project commits) opens implicit TLS on one
arm and a plain connection on the other (an arm that returns has the rest of its
function for the other): which one runs is the caller's option, as is
an upgrade under another option (``if self.tls: starttls()``). The rules judge a
combination of such options as the user's choice, not as the code's mistake.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

from ..model import Connection, OptOut, Step, StepKind, Tls, Value, Verification
from .ast_walk import walk
from .blocks import ends, following, preceding
from .conditions import NORMALISING, Fact, assigned_names, bound_once, facts_when
from .source import dotted_name
from .symbols import Symbols

# What a test is on every run, from values the project commits; None when not known.
Truth = Callable[[ast.expr], "bool | None"]

_STOP = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module)


def mark_tls_options(
    openers: Iterable[tuple[ast.AST, Connection]],
    parents: dict[ast.AST, ast.AST],
    truth: Truth,
) -> dict[int, ast.expr]:
    """Set :attr:`Connection.tls_option` on each connection opened (``openers``: the call
    that opens it) on one arm of a run-time test whose other arm opens the same protocol
    with the other TLS; that test of each, by the connection's id."""
    opened = list(openers)
    by_call: dict[int, list[Connection]] = {}
    for call, conn in opened:
        by_call.setdefault(id(call), []).append(conn)
    chosen_by: dict[int, ast.expr] = {}
    for call, conn in opened:
        if id(conn) in chosen_by:
            continue
        for test, other, on_body in _arms_around(call, parents, truth):
            if conn.tls is not Tls.IMPLICIT and default_arm(test, parents) is on_body:
                break  # the plain arm is what the code does unless told otherwise
            if any(
                alternative.protocol is conn.protocol
                and (alternative.tls is Tls.IMPLICIT) != (conn.tls is Tls.IMPLICIT)
                for node in other
                for inner in walk(node)
                for alternative in by_call.get(id(inner), ())
            ):
                conn.tls_option = dotted_name(test) or ast.unparse(test)
                chosen_by[id(conn)] = test
                break
    return chosen_by


def narrow_ports(
    openers: Iterable[tuple[ast.AST, Connection]], parents: dict[ast.AST, ast.AST]
) -> None:
    """A port parameter tested around the call that opens a connection (``if port ==
    465: SMTP_SSL(host, port)``) is, on that arm, what the test says, not its default
    (``port=587``): the tested value when it names one, else unknown (the caller's).
    Any other port read at run time (``port = int(os.getenv("SMTP_PORT", "587"))``,
    ``c["port"]``) tested as written at the call, where the arm does not assign it, is
    narrowed the same way: its default serves the other arm."""
    for call, conn in openers:
        origin = conn.port.origin or ""
        if not conn.port.known:
            continue
        if not origin.startswith("parameter "):
            if origin:
                _narrow_read(call, conn, parents)
            continue
        name = origin.removeprefix("parameter ")
        for fact in _facts_around(call, parents):
            kind, about, value = fact
            if about != name:
                continue
            if kind == "eq" and value != conn.port.value:
                conn.port = Value(True, value, origin=origin, source=conn.port.source)
                break
            if kind == "ne" and value == conn.port.value:
                conn.port = Value.unknown(origin)
                break


def _narrow_read(call: ast.AST, conn: Connection, parents: dict[ast.AST, ast.AST]) -> None:
    """:func:`narrow_ports` for a port read from the environment or a setting: the
    innermost ``if <port> == N:`` (``!=``) around ``call`` whose ``<port>`` is written as
    the call's port is, and whose arm holding the call does not rebind its name."""
    written = _normal(conn.port.source)
    if written is None:
        return
    child, parent = call, parents.get(call)
    while parent is not None and not isinstance(parent, _STOP):
        if isinstance(parent, ast.If) and child is not parent.test:
            test = parent.test
            arm = parent.body if child in parent.body else parent.orelse
            if (
                isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], (ast.Eq, ast.NotEq))
                and isinstance(test.comparators[0], ast.Constant)
                and isinstance(test.comparators[0].value, int)
                and ast.unparse(test.left) == written
                and not _rebinds(arm, test.left)
            ):
                value = test.comparators[0].value
                equal = isinstance(test.ops[0], ast.Eq) == (arm is parent.body)
                port = conn.port
                if equal and value != port.value:
                    conn.port = Value(True, value, origin=port.origin, source=port.source)
                elif not equal and value == port.value:
                    conn.port = Value.unknown(port.origin, source=port.source)
                return
        child, parent = parent, parents.get(parent)


def _normal(source: str | None) -> str | None:
    """``source`` as :func:`ast.unparse` writes it (quotes, spaces), or None."""
    try:
        return ast.unparse(ast.parse(source, mode="eval").body) if source else None
    except SyntaxError:
        return None


def _rebinds(arm: list[ast.stmt], tested: ast.expr) -> bool:
    """Whether ``arm`` assigns the name ``tested`` reads (or an item or attribute of it)."""
    root = tested
    while isinstance(root, (ast.Subscript, ast.Attribute)):
        root = root.value
    if not isinstance(root, ast.Name):
        return True
    for node in (inner for statement in arm for inner in walk(statement)):
        target = node
        while isinstance(target, (ast.Subscript, ast.Attribute)):
            target = target.value
        if (
            isinstance(target, ast.Name)
            and target.id == root.id
            and not isinstance(node.ctx, ast.Load)  # type: ignore[attr-defined]
        ):
            return True
    return False


def _facts_around(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> Iterable[Fact]:
    """What the tests of the arms ``node`` is on say, innermost first, leaving out the
    names its function assigns."""
    function = node
    while function is not None and not isinstance(function, _STOP):
        function = parents.get(function)
    assigned = assigned_names(function) if function is not None else frozenset()
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, _STOP):
        if isinstance(parent, (ast.If, ast.IfExp)) and child is not parent.test:
            on_body = child in (parent.body if isinstance(parent.body, list) else [parent.body])
            yield from facts_when(parent.test, on_body, assigned)
        child, parent = parent, parents.get(parent)


TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Protocol

    class CallGraph(Protocol):
        """The module's own calls: who calls a function, and which function a call runs."""

        def callers_of(self, scope: ast.AST) -> list[ast.Call]: ...

        def callee(self, call: ast.Call) -> ast.AST | None: ...


def mark_upgrade_options(
    openers: Iterable[tuple[ast.AST, Connection]],
    upgrades: Iterable[tuple[ast.AST, Connection]],
    symbols: Symbols,
    truth: Truth,
    calls: CallGraph,
) -> None:
    """Set :attr:`Connection.upgrade_option` on each plain connection opened on one arm of
    a run-time test whose other arm opens the same protocol and upgrades it with STARTTLS,
    there or in a function of the module it calls (``elif security == "tls": SMTP(...);
    starttls()`` ... ``else: SMTP(...)``; mailmerge's ``sendmail_starttls()`` beside
    ``sendmail_plain()``). A connection opened with no such test around it in its function
    takes the tests around every call of that function."""
    parents = symbols.parents
    upgraded = {id(call): conn.protocol for call, conn in upgrades}

    def upgrades_in(nodes: list[ast.AST], protocol: object) -> bool:
        for node in nodes:
            for inner in walk(node):
                if upgraded.get(id(inner)) is protocol:
                    return True
                function = calls.callee(inner) if isinstance(inner, ast.Call) else None
                if function is not None and any(
                    upgraded.get(id(n)) is protocol for n in walk(function)
                ):
                    return True
        return False

    for call, conn in openers:
        if conn.tls is not Tls.NONE:
            continue
        arms = list(_arms_around(call, parents, truth))
        if not arms:
            function = symbols.enclosing_function(call)
            callers = calls.callers_of(function) if function is not None else []
            around = [list(_arms_around(c, parents, truth)) for c in callers]
            arms = [arm for found in around for arm in found] if around and all(around) else []
        for test, other, on_body in arms:
            if default_arm(test, parents) is on_body:
                break  # the plain arm is what the code does unless told otherwise
            if upgrades_in(other, conn.protocol):
                conn.upgrade_option = dotted_name(test) or ast.unparse(test)
                break


def read_names(test: ast.expr) -> frozenset[str]:
    """The names and attributes ``test`` reads, whole (``self.tls``, not ``self``)."""
    names = {_value_read(name) for node in walk(test) if (name := dotted_name(node))}
    return frozenset(
        name for name in names if not any(other.startswith(name + ".") for other in names)
    )


def _value_read(name: str) -> str:
    """``mode`` for ``mode.lower``: a normalising method reads its object's value."""
    owner, _, attr = name.rpartition(".")
    return owner if owner and attr in NORMALISING else name


def _arms_around(
    node: ast.AST, parents: dict[ast.AST, ast.AST], truth: Truth
) -> Iterable[tuple[ast.expr, list[ast.AST], bool]]:
    """Each run-time test around ``node`` in its function, innermost first, with the
    nodes of the arm ``node`` is not on, and whether ``node`` is on the true arm."""
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, _STOP):
        if isinstance(parent, (ast.If, ast.IfExp)) and child is not parent.test:
            if truth(parent.test) is None:
                body = parent.body if isinstance(parent.body, list) else [parent.body]
                orelse = parent.orelse if isinstance(parent.orelse, list) else [parent.orelse]
                on_body = any(child is b for b in body)
                if on_body and not orelse and ends(body):
                    orelse = following(parent, parents)  # ``if x: ...; return``: the rest
                yield parent.test, (orelse if on_body else body), on_body
        for earlier in preceding(child, parent):
            # ``if x: ...; return`` above ``child``: ``child`` is what runs when x is false
            if isinstance(earlier, ast.If) and not earlier.orelse and ends(earlier.body):
                if truth(earlier.test) is None:
                    yield earlier.test, list(earlier.body), False
        child, parent = parent, parents.get(parent)


def default_arm(test: ast.expr, parents: dict[ast.AST, ast.AST]) -> bool | None:
    """What ``test`` is when it reads a parameter of its function left at a literal
    default (``use_ssl=False``, ``not use_ssl``); None otherwise."""
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    name = test.operand if isinstance(test, ast.UnaryOp) and negated else test
    if not isinstance(name, ast.Name):
        return None
    function = parents.get(test)
    while function is not None and not isinstance(function, _STOP):
        function = parents.get(function)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return None
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[tuple[ast.arg, ast.expr | None]] = [
        *zip(
            positional[len(positional) - len(arguments.defaults) :], arguments.defaults, strict=True
        ),
        *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
    ]
    for parameter, default in defaults:
        if parameter.arg == name.id and isinstance(default, ast.Constant):
            return bool(default.value) != negated
    return None


class OptionTests:
    """The run-time tests of options around calls: an arm of an ``if`` (or of ``a if t
    else b``) whose test is not committed and reads no name its function (or module)
    assigns but once (a test of ``mode`` after ``mode = "starttls"`` is about the code's
    value, not the user's; ``options`` of ``(options, args) = parser.parse_args()`` is
    the user's)."""

    def __init__(self, parents: dict[ast.AST, ast.AST], truth: Truth) -> None:
        self.parents = parents
        self.truth = truth

    def around(self, node: ast.AST) -> ast.expr | None:
        """The innermost such test around ``node`` in its function, if any."""
        child, parent = node, self.parents.get(node)
        while parent is not None and not isinstance(parent, _STOP):
            if (
                isinstance(parent, (ast.If, ast.IfExp))
                and child is not parent.test
                and self.truth(parent.test) is None
                and not self._reads_assigned(parent.test, parent)
            ):
                return parent.test
            child, parent = parent, self.parents.get(parent)
        return None

    def _reads_assigned(self, test: ast.expr, node: ast.AST) -> bool:
        scope: ast.AST | None = node
        while scope is not None and not isinstance(scope, _STOP):
            scope = self.parents.get(scope)
        if scope is None:
            return True
        # A name bound once a run (``options, args = parser.parse_args()``) holds the
        # user's value wherever it is read: not one the code chose.
        assigned = assigned_names(scope) - bound_once(scope)
        return any(
            name is not None and any(name == a or name.startswith(a + ".") for a in assigned)
            for name in (dotted_name(inner) for inner in walk(test))
        )


# A TLS handshake of the module: its call, its connection, and the STARTTLS step it takes
# (None: the connection's own implicit TLS, opened by the call).
Handshake = tuple[ast.AST, Connection, "Step | None"]


def mark_verify_options(
    handshakes: list[Handshake], parents: dict[ast.AST, ast.AST], truth: Truth
) -> None:
    """A handshake without verification on one arm of a run-time test whose other arm
    makes the same handshake with a verifying context (``if verify_ssl:
    starttls(context=ssl.create_default_context()) else: starttls()``) verifies unless
    the user opts out: its verification is the program's option (OPTIONAL), as a context
    loosened under ``if not verify:`` is."""
    by_call: dict[int, list[Handshake]] = {}
    for handshake in handshakes:
        by_call.setdefault(id(handshake[0]), []).append(handshake)
    for call, conn, step in handshakes:
        holder = step if step is not None else conn
        if holder.verification is not Verification.UNVERIFIED:
            continue
        for test, other, on_body in _arms_around(call, parents, truth):
            if any(
                _same_handshake(conn, step, *alternative)
                for node in other
                for inner in walk(node)
                for alternative in by_call.get(id(inner), ())
            ):
                text = ast.unparse(test)
                condition = f"`{text}`" if on_body else f"not `{text}`"
                holder.verification = Verification.OPTIONAL
                holder.opt_out = OptOut(condition, step.span if step else conn.opened_at)
                break


def _same_handshake(
    conn: Connection, step: Step | None, call: ast.AST, other: Connection, taken: Step | None
) -> bool:
    """Whether ``other``/``taken`` is the verifying form of the handshake ``conn``/``step``."""
    if step is not None:
        return (
            taken is not None
            and taken.kind is StepKind.STARTTLS
            and other.protocol is conn.protocol
            and taken.verification is Verification.VERIFIED
        )
    return (
        taken is None
        and other.protocol is conn.protocol
        and other.tls is Tls.IMPLICIT
        and other.verification is Verification.VERIFIED
    )


def mark_offered_upgrades(handshakes: list[Handshake], parents: dict[ast.AST, ast.AST]) -> None:
    """Set :attr:`Step.when_offered` on the STARTTLS steps taken only under a test that the
    server offers STARTTLS (``if server.has_extn("STARTTLS"): server.starttls()``, also
    ``if use_tls and ...``): on a session already encrypted the test is false (a server
    does not offer STARTTLS after a TLS handshake, RFC 3207 4.2; smtplib's
    ``has_extn`` is false before ``ehlo()`` and after ``starttls()`` too), so the call
    never runs there."""
    for call, _conn, step in handshakes:
        if step is None:
            continue
        node, parent = call, parents.get(call)
        while parent is not None and not isinstance(parent, _STOP):
            if isinstance(parent, ast.If) and _holds(parent.body, node):
                test = parent.test
                parts = (
                    test.values
                    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And)
                    else [test]
                )
                if any(offers_starttls(part) for part in parts):
                    step.when_offered = True
                    break
            node, parent = parent, parents.get(parent)


def _holds(statements: list[ast.stmt], node: ast.AST) -> bool:
    return any(statement is node for statement in statements)


def offers_starttls(test: ast.expr) -> bool:
    """A test of the server's STARTTLS extension: ``server.has_extn("STARTTLS")``,
    ``"starttls" in server.esmtp_features``."""
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
        named = test.func.attr == "has_extn" and test.args
        return bool(named) and _is_starttls(test.args[0])
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In):
        features = test.comparators[0]
        return (
            isinstance(features, ast.Attribute)
            and features.attr in ("esmtp_features", "capabilities")
            and _is_starttls(test.left)
        )
    return False


def _is_starttls(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.lower() == "starttls"
    )
