"""The undecided choices of a connection's TLS that a control-flow path takes.

A path is one the program is forced onto when at most one choice that neither the
analysis nor the program's own constants decide leads to it (:attr:`ProtocolPath.forced`).
A choice is a test whose arms pick the connection's TLS (one opens it and the other opens
the same protocol with another TLS, or one upgrades it), or an error a handler that does
so catches. What a test reads is one choice (``cfg["ssl"]`` and ``cfg["tls"]`` are two
values); a value the project commits, a parameter's literal default and a lookup's
literal default (``cfg.get("tls", True)``) decide the test on the arm they take.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .ast_walk import walk
from .source import dotted_name
from .tls_choices import default_arm, read_names

# What a test is on every run, from values the project commits; None when not known.
Truth = Callable[[ast.expr], "bool | None"]


def undecided(
    test: ast.expr,
    outcome: bool,
    truth: Truth,
    parents: dict[ast.AST, ast.AST],
    source: Callable[[ast.AST], str],
) -> frozenset[str]:
    """What taking ``outcome`` of ``test`` leaves undecided: the values the test reads,
    unless the project commits its value or a literal default takes that outcome (the
    program's own choice when nobody asks for another)."""
    if truth(test) is not None or outcome in (default_arm(test, parents), lookup_default(test)):
        return frozenset()
    return names_of(test, source)


def picks_tls(mine: set[str], theirs: set[str], own_tls: str) -> bool:
    """Whether a choice between two arms (what each does to the connection, as
    :meth:`Walker._tls_events` tells it) picks the connection's TLS: one upgrades it, or
    one opens it and the other opens the same protocol with another TLS (``SMTP_SSL``
    or ``SMTP``; not an IMAP arm beside a POP3 one, which picks the protocol, nor two
    plain clients built for two Python versions). An arm that opens the connection (and
    upgrades it) beside one that does nothing to it picks whether there is a session, not
    its TLS (``if len(pool) < limit: conn = await self._connect()`` else ``raise``): the
    tests inside the opening are the choices."""
    for one, two in ((mine, theirs), (theirs, mine)):
        if "upgrades" in one and not ("opens" in one and not two):
            return True
    same = f"tls {own_tls}"
    return any(
        "opens" in one and any(tag.startswith("tls ") and tag != same for tag in two)
        for one, two in ((mine, theirs), (theirs, mine))
    )


def opens_another(arm: ast.expr) -> bool:
    """Whether the other arm of a conditional expression that opens the connection opens
    one too (``SMTP_SSL(...) if use_ssl else SMTP(...)``: the test picks its TLS), not
    ``None`` or a client given (``SMTP(host) if host else None``)."""
    return any(isinstance(node, ast.Call) for node in walk(arm))


def names_of(test: ast.expr, source: Callable[[ast.AST], str]) -> frozenset[str]:
    """The values a test reads (``self.tls`` and ``ssl`` for ``self.tls and not ssl``;
    ``cfg["ssl"]`` and ``cfg.get("tls")`` are two values of one mapping, as are
    ``conf.getboolean("smtp", "ssl")`` and ``conf.getboolean("smtp", "starttls")``),
    whole; the test's text when it reads none."""
    reads = [found for node in walk(test) if (found := _keyed_read(node)) is not None]
    getters = {getter for getter, _ in reads}
    names = (read_names(test) - getters) | {value for _, value in reads}
    whole = frozenset(
        name
        for name in names
        if not any(other.startswith((name + ".", name + "[")) for other in names)
    )
    return whole or frozenset({source(test)})


def lookup_default(test: ast.expr) -> bool | None:
    """What a test of a setting's lookup is when the setting is not given: its literal
    default (``cfg.get("tls", True)``, ``getattr(opts, "tls", True)``,
    ``conf.getboolean("smtp", "starttls", fallback=True)``), negated by ``not``; None
    for any other test."""
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    call = test.operand if isinstance(test, ast.UnaryOp) and negated else test
    if not isinstance(call, ast.Call):
        return None
    default: ast.expr | None = next(
        (k.value for k in call.keywords if k.arg in ("fallback", "default")), None
    )
    getter = dotted_name(call.func) or ""
    if default is None and len(call.args) == 2 and getter.rpartition(".")[2] == "get":
        default = call.args[1]
    if default is None and getter == "getattr" and len(call.args) == 3:
        default = call.args[2]
    if isinstance(default, ast.Constant):
        return bool(default.value) != negated
    return None


def _keyed_read(node: ast.AST) -> tuple[str, str] | None:
    """A value read by its key, and the getter it is read with: ``cfg['ssl']`` for
    ``cfg["ssl"]`` and ``cfg.get("ssl", ...)`` (getter ``cfg.get``),
    ``conf.getboolean('smtp', 'ssl')`` for a method given literal keys."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        owner = dotted_name(node.value)
        return ("", f"{owner}[{node.slice.value!r}]") if owner else None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
        return None
    getter = dotted_name(node.func)
    keys = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
    if getter is None or not keys or not isinstance(node.args[0], ast.Constant):
        return None
    if node.func.attr == "get":
        return getter, f"{getter.removesuffix('.get')}[{keys[0]!r}]"
    return getter, f"{getter}({', '.join(map(repr, keys))})"
