"""A parameter's value from the calls of the module: what every call passes (a parameter
without a default), the other values callers name (one with a default), and the literals
they pass alike (which a fix of the default changes with it). Mixed into
:class:`~.values.Evaluator`."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator

from ..lazy_regex import lazy_pattern
from ..model import Span, Value
from ..providers import OTHER, RESERVED, Provider, is_local_host, lookup, normalise_host
from .arguments import is_spread, positional_params
from .shapes import one_of
from .source import dotted_name, main_guard
from .symbols import FUNCTIONS, Binding
from .text_values import built

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from .callers import Callers

Function = ast.FunctionDef | ast.AsyncFunctionDef
_HOST_NAME = lazy_pattern(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")
_DEMO_NAME = lazy_pattern(r"(?i)_*(?:test|demo|example)")


class PassedValues:
    """The call-site part of :class:`~.values.Evaluator`."""

    parents: dict[ast.AST, ast.AST]
    callers: Callers
    _resolving: set[ast.arg]
    _passed: dict[ast.arg, list[ast.expr | None]]

    if TYPE_CHECKING:

        def evaluate(self, node: ast.AST | None, depth: int = 0) -> Value: ...

        def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None: ...

        def bindings(self, node: ast.AST) -> list[Binding]: ...

        def class_named(self, node: ast.AST) -> ast.ClassDef | None: ...

        def class_attributes(self, klass: ast.ClassDef) -> dict[str, list[ast.expr]]: ...

        def bound_once(self, node: ast.expr) -> ast.expr | None: ...

    def _passed_in(self, param: ast.arg, name: str, depth: int) -> Value | None:
        """A parameter without a default, from what every call in this module passes:
        ``get_server("smtp.office365.com")``. Known only when every call site's argument
        is known; a Microsoft host among them is the one kept, so it is reported."""
        function = self.parents.get(self.parents.get(param))  # type: ignore[arg-type]
        if not isinstance(function, FUNCTIONS) or param in self._resolving:
            return None  # a lambda's; or recursion (``f(x)`` inside ``f``) stays unknown
        self._resolving.add(param)
        try:
            return self._from_call_sites(function, param, name, depth)
        finally:
            self._resolving.discard(param)

    def passed_class(self, node: ast.AST) -> ast.ClassDef | None:
        """The class of the module that every call passes for the parameter ``node`` names
        (``fetch(Config)`` of ``def fetch(cfg): ... cfg.IMAP_HOST``), also kept on ``self``
        (``self.cfg = cfg`` in ``Mailer(Config)``): what its attributes are read from."""
        if isinstance(node, ast.Attribute) and dotted_name(node.value) == "self":
            klass = self.enclosing_class(node)
            kept = self.class_attributes(klass).get(node.attr, []) if klass is not None else []
            single = len(kept) == 1 and isinstance(kept[0], ast.Name)
            return self.passed_class(kept[0]) if single else None
        passed = self._passed_arguments(node)
        classes = {self.class_named(a) if a is not None else None for a in passed or [None]}
        return classes.pop() if len(classes) == 1 else None

    def passed_instance(self, node: ast.AST) -> ast.Call | None:
        """The one object every call passes for the parameter ``node`` names, made here
        (``send(SmtpSettings(), ...)``, or a name bound once to it): the call that makes
        it, whose class and arguments its attributes are read from."""
        made = set()
        for argument in self._passed_arguments(node) or [None]:
            call = argument if isinstance(argument, ast.Call) else self.bound_once(argument)
            made.add(call if isinstance(call, ast.Call) else None)
        return made.pop() if len(made) == 1 else None

    def _passed_arguments(self, node: ast.AST) -> list[ast.expr | None] | None:
        """What each call of the module passes for the parameter ``node`` names (None for
        a call that passes nothing for it); None for other names."""
        params = [b.node for b in self.bindings(node) if isinstance(b.node, ast.arg)]
        if len(params) != 1:
            return None
        param = params[0]
        if param in self._passed:
            return self._passed[param]
        function = self.parents.get(self.parents.get(param))  # type: ignore[arg-type]
        if not isinstance(function, FUNCTIONS) or param in self._resolving:
            return None
        self._resolving.add(param)
        try:
            found = [a for _, a in self._call_site_arguments(function, param, param.arg)]
        finally:
            self._resolving.discard(param)
        self._passed[param] = found
        return found

    def _passed_besides(self, param: ast.arg, default: Value, depth: int) -> Value | None:
        """A parameter with a default that calls in this module give other values
        (``configure(host="imap.gmail.com")`` called with a preset's host, ``Monitor(
        server=config.get(...))`` beside ``server="localhost"``): one of them or the default,
        so not known when a call passes what is not known here; the value of the call that
        names a Microsoft host when one does, with its other arguments. None when every
        call gives the default, and
        for a default that is not text: a port or flag another call changes is another
        connection (the fix changes the default and the calls that pass it alike)."""
        function = self.parents.get(self.parents.get(param))  # type: ignore[arg-type]
        if not isinstance(function, FUNCTIONS) or param in self._resolving:
            return None
        if not isinstance(default.value, str):
            return None
        self._resolving.add(param)
        try:
            named: list[Value] = []
            passed: list[Value] = []
            microsoft: Value | None = None
            for call, argument in self._call_site_arguments(function, param, param.arg):
                value = default if argument is None else self.evaluate(argument, depth)
                host = self._named_host(call, depth)
                if not _for_another_provider(host):
                    passed.append(value)
                if microsoft is None and host is not None and host[1].microsoft:
                    microsoft = value
                if value.known and value.value == default.value:
                    continue
                named.append(value)  # an unknown value too: the host is then not known
            if microsoft is not None:
                others = _literals([v for v in passed if v is not microsoft])
                return dataclasses.replace(
                    _from_parameter(microsoft, param.arg), passed_elsewhere=others
                )
            if not named:
                return None
            return _from_parameter(one_of(default, *named), param.arg)
        finally:
            self._resolving.discard(param)

    def _passed_otherwise(self, param: ast.arg, default: Value, depth: int) -> tuple[Value, ...]:
        """The literals other than its default that calls naming a Microsoft host pass for
        a parameter whose default is a number (``send(host, port=25)`` beside ``send(host)``
        of ``def send(host, port=587)``): each that call's own, with its host."""
        function = self.parents.get(self.parents.get(param))  # type: ignore[arg-type]
        number = isinstance(default.value, int) and not isinstance(default.value, bool)
        if not number or not isinstance(function, FUNCTIONS):
            return ()
        if param in self._resolving:
            return ()
        self._resolving.add(param)
        try:
            found: list[Value] = []
            for call, argument in self._call_site_arguments(function, param, param.arg):
                if argument is None:
                    continue
                value = self.evaluate(argument, depth)
                if not value.literal or (default.known and value.value == default.value):
                    continue
                host = self._named_host(call, depth)
                if host is not None and host[1].microsoft:
                    found.append(_with_host(value, host))
            return _literals(found)
        finally:
            self._resolving.discard(param)

    def _passed_alike(self, param: ast.arg, default: Value, depth: int) -> tuple[Span, ...]:
        """The literals callers pass for a parameter that are its default's value
        (``send(flag, port=465)`` calling ``Mailer(flag, port)`` whose default is 465 too):
        what a fix of the default must change with it."""
        function = self.parents.get(self.parents.get(param))  # type: ignore[arg-type]
        if not default.known or default.literal_span is None:
            return ()
        if not isinstance(function, FUNCTIONS) or param in self._resolving:
            return ()
        self._resolving.add(param)
        try:
            found: list[Span] = []
            for _, argument in self._call_site_arguments(function, param, param.arg):
                if argument is None:
                    continue
                value = self.evaluate(argument, depth)
                if value.known and value.value == default.value and value.literal_span:
                    found += [value.literal_span, *value.also]
            return tuple(dict.fromkeys(s for s in found if s != default.literal_span))
        finally:
            self._resolving.discard(param)

    def _demo(self, call: ast.Call) -> bool:
        """Whether ``call`` is in the module's ``if __name__ == "__main__":`` block or in a
        function named as a test or demo (``async def test_async():``): a demo of the
        function, made with whatever server its author had at hand, where the function's
        users (the modules that import it) pass their own."""
        node: ast.AST | None = call
        while node is not None:
            parent = self.parents.get(node)
            if isinstance(parent, FUNCTIONS) and _DEMO_NAME.match(parent.name):
                return True
            if isinstance(parent, ast.Module):
                return main_guard(node)
            node = parent
        return False

    def _call_site_arguments(
        self, function: Function, param: ast.arg, name: str
    ) -> Iterator[tuple[ast.Call, ast.expr | None]]:
        """Each call in the module and what it passes for a parameter (None for a call
        that leaves it to its default, or spreads its arguments)."""
        params = positional_params(function.args)
        method = self.enclosing_class(function) is not None
        index = next((i for i, p in enumerate(params) if p is param), None)
        for call, passes_self in self.callers.of(function):
            if any(is_spread(a) for a in (*call.args, *call.keywords)):
                yield call, None
                continue
            position = index
            if method and position is not None and not passes_self:
                position -= 1  # ``self`` is not passed
            argument = next((k.value for k in call.keywords if k.arg == name), None)
            if argument is None and position is not None and 0 <= position < len(call.args):
                argument = call.args[position]
            yield call, argument

    def _from_call_sites(
        self, function: Function, param: ast.arg, name: str, depth: int
    ) -> Value | None:
        values = []
        for call, argument in self._call_site_arguments(function, param, name):
            if argument is None:
                return None
            value = self.evaluate(argument, depth)
            if _documentation_host(value) or (self._demo(call) and _demo_server(value)):
                continue
            host = self._named_host(call, depth)
            values.append((value, host if value.known else None))
        # The literals of a call naming only another provider's host go there, not to
        # the Microsoft host another call names.
        elsewhere = [_with_host(v, host) for v, host in values if not _for_another_provider(host)]
        parts = tuple(span for value, _ in values for span in value.literal_parts)
        if not all(value.known for value, _ in values):
            passed = [value for value, _ in values]
            if all(v.known or v.template is not None or v.choices is not None for v in passed):
                # Known in part at some call (``connect(f"{region}.office365.com")``): the
                # parameter is one of what the calls pass.
                found = passed[0] if len(passed) == 1 else one_of(*passed)
                return Value(
                    False,
                    None,
                    f"parameter {name}",
                    literal_parts=parts,
                    template=found.template,
                    choices=found.choices,
                    passed_elsewhere=_literals(elsewhere),
                )
            # Unknown here, but what the callers pass is still built from their literals.
            if not parts:
                return None
            return dataclasses.replace(
                built(f"parameter {name}", parts), passed_elsewhere=_literals(elsewhere)
            )
        if not values:
            return None
        if _hosts_of_several_providers([value for value, _ in values]):
            # The parameter is the host, and the calls name Microsoft's and another
            # provider's: one of them on each run, so a fix keeps the other's login.
            return one_of(*(value for value, _ in values), origin=f"parameter {name}")
        # The call that names a Microsoft host is the one reported, all its arguments
        # together (its port with its host).
        chosen = next((v for v, host in values if host and host[1].microsoft), values[0][0])
        # A literal passed in is still a literal of this file (a password handed to a
        # wrapper is a hard-coded secret where it is written).
        return Value(
            True,
            chosen.value,
            chosen.origin,
            literal=chosen.literal,
            literal_span=chosen.literal_span,
            literal_parts=parts,
            passed_elsewhere=_literals(
                [v for v in elsewhere if v.literal_span != chosen.literal_span]
            ),
            written_at=chosen.written_at,
        )

    def _named_host(self, call: ast.Call, depth: int) -> tuple[Value, Provider] | None:
        """The mail host a call passes (an argument whose text is a host of a known
        provider), a Microsoft one first: whose host the call's other arguments are for."""
        found: tuple[Value, Provider] | None = None
        for argument in (*call.args, *(k.value for k in call.keywords)):
            if isinstance(argument, (ast.Constant, ast.Name, ast.Attribute, ast.JoinedStr)):
                value = self.evaluate(argument, depth)
                if not (value.known and isinstance(value.value, str)):
                    continue
                provider = lookup(value.value)
                if provider.microsoft:
                    return value, provider
                if found is None and _mail_provider(provider):
                    found = value, provider
        return found


def _named_server(value: Value) -> bool:
    """A host name that is not Microsoft's, nor the machine itself."""
    if not value.known or not isinstance(value.value, str):
        return False
    host = normalise_host(value.value)
    return bool(_HOST_NAME.fullmatch(host)) and not (is_local_host(host) or lookup(host).microsoft)


def _demo_server(value: Value) -> bool:
    """A host a demo hands a function: another provider's, or the machine itself (a
    debugging server on ``localhost:1025``)."""
    if not value.known or not isinstance(value.value, str):
        return False
    return _named_server(value) or is_local_host(normalise_host(value.value))


def _documentation_host(value: Value) -> bool:
    """A host under a domain reserved for documentation (``smtp.example.com``) handed to
    a function: an example of the call, standing for the host its real callers give (a
    ``__main__`` demo of a reusable class), not the host it is for. Written at the
    connection itself such a host logs in nowhere (:data:`~..providers.RESERVED`)."""
    if not value.known or not isinstance(value.value, str):
        return False
    host = normalise_host(value.value)
    return bool(_HOST_NAME.fullmatch(host)) and lookup(host) is RESERVED


def _literals(values: list[Value]) -> tuple[Value, ...]:
    """The values written as literals, one per place."""
    found = {v.literal_span: v for v in values if v.literal and v.literal_span is not None}
    return tuple(found.values())


def _from_parameter(value: Value, name: str) -> Value:
    return dataclasses.replace(value, origin=f"parameter {name}")


def _mail_provider(provider: Provider) -> bool:
    """A provider the table knows by name: not an unknown host, a placeholder or a
    domain reserved for documentation."""
    return provider is not OTHER and provider is not RESERVED and not provider.placeholder


def _hosts_of_several_providers(values: list[Value]) -> bool:
    """Whether ``values`` are mail hosts of Microsoft and of another named provider
    (``send("smtp.office365.com", ...)`` beside ``send("smtp.gmail.com", ...)``)."""
    providers = [lookup(v.value) for v in values if isinstance(v.value, str)]
    if len(providers) != len(values) or not all(_mail_provider(p) for p in providers):
        return False
    return any(p.microsoft for p in providers) and not all(p.microsoft for p in providers)


def _for_another_provider(host: tuple[Value, Provider] | None) -> bool:
    """Whether a call passes the host of a provider other than Microsoft (and none of
    Microsoft's): its other arguments are for that provider."""
    return host is not None and not host[1].microsoft


def _with_host(value: Value, host: tuple[Value, Provider] | None) -> Value:
    """A value passed at a call, with the Microsoft host the same call passes: a rule
    about that value (a port) judges it on that call's host."""
    if host is None or not host[1].microsoft or value.passed_with is not None:
        return value
    return dataclasses.replace(value, passed_with=host[0])
