"""Connections beyond the calls the library adapters read: calls of the project's own
mail wrappers in other modules (:mod:`.summaries`), a connection passed in as an untyped
parameter that does SASL (Odoo's ``_imap_login(self, connection)`` override), and the
net under them all (:mod:`.net`): a login on what a library without a model made with a
Microsoft host.

Wrappers are followed only where a module names a Microsoft host (or is itself being
summarised): reading the project's other modules for every call of every module would
cost every run more than the finding is worth.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from ..model import Connection, MailFile, Protocol, Tls, Value
from ..project import project_root
from ..records import plain
from . import summaries
from .adapters.base import Adapter
from .bindings import Bindings
from .imports import star_brings
from .module_paths import module_path
from .net import Net
from .sites import CallSites
from .source import dotted_name
from .symbols import FUNCTIONS, NOT_THE_PROJECT, BindingKind, Symbols
from .values import Evaluator

# Modules whose names a project's own modules do not take (no wrapper looked up there).


@plain
class Beyond:
    """What a module's search for connections beyond the adapters' calls reads and adds to."""

    symbols: Symbols
    values: Evaluator
    sites: CallSites
    bindings: Bindings
    mail: MailFile
    skip: Callable[[ast.Call], bool]  # calls an adapter read (opened a connection with)
    holds_connection: Callable[[ast.AST, ast.AST], bool]
    modelled: frozenset[str]  # qualified names the adapters read
    imap: Adapter | None  # imaplib's, for SASL on a parameter
    analyze_wrapper: summaries.Analyze
    forwarding: bool  # the module is being summarised: keep logins on its parameters
    follow_wrappers: bool

    def run(self) -> None:
        """Wrappers' calls first (their summaries), then parameters, then the net."""
        handled: set[ast.Call] = set()
        path = self.values.path
        if path and self.follow_wrappers:
            root = project_root(Path(path).resolve())
            for call in self.symbols.calls:
                if self.skip(call):
                    continue
                found = self._wrapper_of(call)
                if found is not None:
                    summary, skip_first = found
                    span = self.values.span(call)
                    made = list(
                        summaries.apply(
                            summary,
                            call,
                            lambda node, at=call: self._argument(node, at),
                            span,
                            root,
                            skip_first=skip_first,
                            forwarding=self.forwarding,
                        )
                    )
                    self.mail.connections += made
                    if summary.connections:  # a factory's only: the net may still read it
                        handled.add(call)
        net = Net(
            self.symbols,
            self.values.evaluate,
            self.values.span,
            self.values.qualified_names,
            self._project_callee,
        )

        def skipped(call: ast.Call) -> bool:
            return (
                call in handled
                or self.skip(call)
                or bool(self.values.qualified_names(call.func) & self.modelled)
                or self.holds_connection(call.func, call)
                # a method of a bound connection (``self.smtp.connect(host, 587)``): its
                # library's model reads it, not the net
                or (
                    isinstance(call.func, ast.Attribute)
                    and self.holds_connection(call.func.value, call)
                )
            )

        self._parameter_connections()
        known = {(c.opened_at.start, c.opened_at.end) for c in self.mail.connections}
        for conn in net.connections(skipped):
            if (conn.opened_at.start, conn.opened_at.end) not in known:
                self.mail.connections.append(conn)

    def _argument(self, node: ast.AST, call: ast.Call) -> Value:
        """What the caller gives a wrapper for one parameter; for a connection (one it
        made, a name bound to one), its host: a wrapper whose parameter is typed as a
        client (``def sign_in(client: IMAP4_SSL, ...)``) logs in on the caller's host."""
        held: list[Connection] = []
        if isinstance(node, ast.Call) and node in self.bindings.opened:
            held = [self.bindings.opened[node][0]]
        elif (receiver := dotted_name(node)) is not None:
            held = [b.conn for b in self.bindings.reaching(receiver, call)]
        if not held:
            return self.values.evaluate(node)
        if len(held) == 1:
            return held[0].host
        return Value(False, origin=held[0].host.origin, choices=tuple(c.host for c in held))

    def _parameter_connections(self) -> None:
        """``connection.authenticate("XOAUTH2", authobject)`` on an untyped parameter no
        caller here binds (Odoo's ``_imap_login(self, connection)`` override): imaplib's
        SASL call, on an IMAP connection of unknown host, so the XOAUTH2 rules see it."""
        imap = self.imap
        if imap is None:
            return
        spec = imap.methods["authenticate"]
        for call in self.symbols.calls:
            func = call.func
            if not (
                isinstance(func, ast.Attribute)
                and func.attr == "authenticate"
                and isinstance(func.value, ast.Name)
                and len(call.args) == 2
                and not call.keywords
            ):
                continue
            mechanism = self.values.evaluate(call.args[0])
            if not (mechanism.known and str(mechanism.value).upper() == "XOAUTH2"):
                continue
            name = func.value.id
            bindings = self.values.bindings(func.value)
            if not bindings or any(b.kind is not BindingKind.PARAM for b in bindings):
                continue
            if self.bindings.reaching(name, call):
                continue  # a connection this module hands in: already followed
            span = self.values.span(call)
            conn = Connection(
                protocol=Protocol.IMAP,
                library="imaplib",
                host=Value.unknown(f"parameter {name}"),
                port=Value.unknown(f"parameter {name}"),
                tls=Tls.UNKNOWN,
                opened_at=span,
                via=f"a connection passed in as parameter {name}",
            )
            site = self.sites.site(call, "authenticate", spec.params, receiver=name)
            step = spec.apply(conn, site)
            if step is not None:
                conn.steps.append(step)
                self.mail.connections.append(conn)

    def _wrapper_of(self, call: ast.Call) -> tuple[summaries.Summary, bool] | None:
        """The summary of the wrapper a call runs, and whether it passes ``self`` itself
        (``Base.__init__(self, ...)``): a function or class of another module of the
        project, or a base class's ``__init__`` through ``super().__init__(...)``."""
        func = call.func
        names: set[str] = set()
        skip_first = False
        if isinstance(func, ast.Attribute) and func.attr == "__init__":
            owner = func.value
            if isinstance(owner, ast.Call) and dotted_name(owner.func) == "super":
                klass = self.values.enclosing_class(call)
                bases = klass.bases if klass is not None else []
                names = self._base_names(bases)
            else:
                names = self.values.qualified_names(owner)
                skip_first = True
        else:
            names = self._star_hidden_left_out(func, self.values.qualified_names(func))
            local = self.values.class_named(func)
            if local is not None and not _has_init(local):
                names |= self._base_names(local.bases)
            if isinstance(func, ast.Attribute):
                names |= {f"{made}.{func.attr}" for made in self._classes_made(func.value)}
        for name in sorted(names):
            if name.split(".")[0] in NOT_THE_PROJECT:
                continue
            summary = summaries.find_wrapper(self.values.path, name, self.analyze_wrapper)
            if summary is not None:
                return summary, skip_first
        return None

    def _star_hidden_left_out(self, func: ast.expr, names: set[str]) -> set[str]:
        """``names`` without those a star import of a module of the project would give
        ``func`` but does not bring (``__all__`` leaves it out, or it is private)."""
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or not self.symbols.star_modules:
            return names
        if self.values.bindings(root):
            return names
        hidden = {
            f"{module}.{root.id}"
            for module in self.symbols.star_modules
            if not star_brings(self.values.path, module, root.id, Evaluator)
        }
        return {
            name for name in names if not any(name.startswith(f"{h}.") or name == h for h in hidden)
        }

    def _classes_made(self, receiver: ast.expr) -> set[str]:
        """The qualified names of the class an object a method is called on is made from:
        in the same expression (``Relay().connect(...)``, ``Mailer(cfg).send(...)``), or
        bound to the name or ``self`` attribute called on (``relay = Relay()``, ``with
        Mailer(cfg) as mailer:``)."""
        made: list[ast.expr] = []
        if isinstance(receiver, ast.Call):
            made.append(receiver)
        elif isinstance(receiver, ast.Name):
            # ``relay = Relay()``, ``with Mailer(cfg) as mailer:``
            made += [value for _, _, value in self.symbols.bound_values(receiver)]
        elif (
            isinstance(receiver, ast.Attribute)
            and isinstance(receiver.value, ast.Name)
            and receiver.value.id == "self"
        ):
            klass = self.values.enclosing_class(receiver)
            if klass is not None:
                made += self.values.class_attributes(klass).get(receiver.attr, [])
        return {
            name
            for value in made
            if isinstance(value, ast.Call)
            for name in self.values.qualified_names(value.func)
        }

    def _project_callee(self, call: ast.Call) -> bool:
        """Whether the call runs code of another module of the project (found as the
        module's imports are)."""
        if not self.values.path:
            return False
        importer = Path(self.values.path)
        for name in self.values.qualified_names(call.func):
            parts = name.split(".")
            if parts[0] in NOT_THE_PROJECT:
                continue
            if any(
                module_path(importer, ".".join(parts[:cut])) for cut in range(len(parts) - 1, 0, -1)
            ):
                return True
        return False

    def _base_names(self, bases: list[ast.expr], depth: int = 3) -> set[str]:
        """The qualified names of ``bases``, and for a class of this module without an
        ``__init__`` of its own, those of its bases in turn (whose ``__init__`` runs)."""
        names: set[str] = set()
        for base in bases:
            names |= self.values.qualified_names(base)
            local = self.values.class_named(base)
            if local is not None and depth > 0 and not _has_init(local):
                names |= self._base_names(local.bases, depth - 1)
        return names


def _has_init(klass: ast.ClassDef) -> bool:
    return any(isinstance(s, FUNCTIONS) and s.name == "__init__" for s in klass.body)
