"""Two facts about where a connection's constructor call stands, for rules that judge one
handshake: whether the client is only a connection check (it carries nothing), and
whether the call is an arm of a conditional expression (whose arms are one connection
either way).

A connection check (``with smtplib.SMTP_SSL(host) as s: s.noop()``) asks the server
something and sends no credentials, no mail and reads no mailbox: an attacker in the
middle of its unverified handshake learns nothing. Known only when the client cannot
reach code the analysis does not see: bound to a name local to a function (or to the
target of a ``with``), every use of that name a call of a command that carries no data,
never returned, passed, stored or aliased.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable, Iterable

from ..model import Connection, Span, StepKind, Tls, Verification
from .ast_walk import walk

# Commands of the mail clients (smtplib, imaplib, poplib, aiosmtplib, IMAPClient) that
# carry no credentials, no message and no mailbox content: a greeting, a keep-alive, the
# upgrade itself, asking what the server offers, saying goodbye. ``docmd``/``xatom`` are
# not here: they send whatever they are given (``AUTH PLAIN ...``, ``DATA``).
_CARRY_NOTHING = frozenset(
    {
        "ehlo",
        "helo",
        "ehlo_or_helo_if_needed",
        "noop",
        "starttls",
        "has_extn",
        "set_debuglevel",
        "capability",
        "capabilities",
        "has_capability",
        "getwelcome",
        "welcome",
        "connect",
        "quit",
        "close",
        "logout",
        "shutdown",
    }
)
# Of those, the ones that ask the server something: a check is made to ask. A client that
# only upgrades and says goodbye (``starttls()``, ``quit()``) is not taken for one.
_ASKING = frozenset(
    {
        "ehlo",
        "helo",
        "ehlo_or_helo_if_needed",
        "noop",
        "has_extn",
        "capability",
        "capabilities",
        "has_capability",
        "getwelcome",
        "welcome",
    }
)
_CARRYING_STEPS = frozenset({StepKind.LOGIN, StepKind.AUTH, StepKind.USER, StepKind.SEND})


def mark_opened_calls(
    opened: Iterable[tuple[ast.Call, Connection]],
    tree: ast.Module,
    enclosing: Callable[[ast.AST], ast.AST | None],
    span: Callable[[ast.AST], Span],
) -> None:
    """Set :attr:`Connection.carries_nothing` and :attr:`Connection.arm_of` for the
    connections opened by ``opened``'s constructor calls whose TLS does not verify (the
    only ones a rule asks about: the scope of such a call is walked, no other)."""
    parents_of: dict[int, dict[ast.AST, ast.AST]] = {}
    # A connection a factory returns is opened at the factory's ``return`` and at each
    # call of the factory: a check only if every one of them is.
    checks: dict[int, tuple[Connection, bool]] = {}
    for call, conn in opened:
        if not _unverified(conn):
            continue
        scope = enclosing(call) or tree
        parents = parents_of.get(id(scope))
        if parents is None:
            parents = parents_of[id(scope)] = _parents(scope)
        arm: ast.expr = call
        parent = parents.get(call)
        if isinstance(parent, ast.IfExp) and call is not parent.test:
            conn.arm_of = span(parent)
            arm = parent
        check = _carries_nothing(arm, scope, parents)
        checks[id(conn)] = (conn, check and checks.get(id(conn), (conn, True))[1])
    for conn, check in checks.values():
        conn.carries_nothing = (
            check
            and not conn.other_protocols
            and not any(step.kind in _CARRYING_STEPS for step in conn.steps)
        )


def _unverified(conn: Connection) -> bool:
    asked = (Verification.UNVERIFIED, Verification.OPTIONAL)
    if conn.tls is Tls.IMPLICIT and conn.verification in asked:
        return True
    return any(s.kind is StepKind.STARTTLS and s.verification in asked for s in conn.steps)


def _parents(scope: ast.AST) -> dict[ast.AST, ast.AST]:
    """Each node's syntactic parent in ``scope`` (nested functions and classes too)."""
    parents: dict[ast.AST, ast.AST] = {}
    todo = deque((scope,))  # ``ast.walk``'s order, each node's children as it queues them
    pop, push, node_kind = todo.popleft, todo.append, ast.AST
    while todo:
        node = pop()
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_kind):
                        parents[item] = node
                        push(item)
            elif isinstance(value, node_kind):
                parents[value] = node
                push(value)
    return parents


def _carries_nothing(opened: ast.expr, scope: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether the client ``opened`` makes asks the server something and is used only for
    commands that carry nothing: one asked of it in place (``IMAP4_SSL(host).noop()``),
    or bound to a name of its function (or a ``with`` target) that is only ever the
    receiver of such commands."""
    parent = parents.get(opened)
    if isinstance(parent, ast.Attribute):
        return parent.attr in _ASKING and _command_call(parent, parents)
    name: str | None = None
    if isinstance(parent, ast.withitem) and parent.context_expr is opened:
        if isinstance(parent.optional_vars, ast.Name):
            name = parent.optional_vars.id
    elif isinstance(scope, ast.Module):
        return False  # a module's name: another module may import the client
    elif (
        isinstance(parent, ast.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        name = parent.targets[0].id
    elif isinstance(parent, ast.AnnAssign) and isinstance(parent.target, ast.Name):
        name = parent.target.id
    if name is None:
        return False
    # The object is reachable only through the name: when every read of the name in its
    # scope is such a command, whatever else the name is bound to, nothing else reaches it.
    asked = False
    for node in walk(scope):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return False  # another scope may use it
        if not isinstance(node, ast.Name) or node.id != name or isinstance(node.ctx, ast.Store):
            continue
        used = parents.get(node)
        if not (isinstance(used, ast.Attribute) and _command_call(used, parents)):
            return False  # returned, passed on, aliased, stored, or another attribute read
        asked = asked or used.attr in _ASKING
    return asked


def _command_call(attribute: ast.Attribute, parents: dict[ast.AST, ast.AST]) -> bool:
    """``attribute`` is called, and names a command that carries nothing."""
    call = parents.get(attribute)
    return (
        attribute.attr in _CARRY_NOTHING and isinstance(call, ast.Call) and call.func is attribute
    )
