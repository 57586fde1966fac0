"""Reads of the environment and of configuration, as the evaluator resolves them:
``os.environ.get`` and ``.get`` of a config mapping with their defaults, django-environ's
``env("X", default=...)``, python-decouple's ``config("X", default=..., cast=int)``, a
variable the project's ``.env`` sets, and a project's own wrapper of the environment
(``def get_env_variable(name): return os.environ[name]``)."""

from __future__ import annotations

import ast

from ..mail_settings.keys import is_prefixed_key
from ..model import Value
from ..providers import another_providers_server, is_local_host
from .arguments import is_spread, own_nodes, positional_params
from .callers import Callers
from .environment import project_env
from .imports import star_imported
from .reaching import set_values
from .shapes import MAX_CHOICES, one_of
from .source import dotted_name
from .symbols import FUNCTIONS, Binding, BindingKind, Symbols
from .text_values import built

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up

# Settings readers: django-environ's ``env = environ.Env()`` then ``env("X", default=...)``,
# ``env.int("X", default=...)``; python-decouple's ``config("X", default=..., cast=int)``.
_SETTINGS_FACTORIES = {
    "environ.Env": "environ",
    "environ.environ.Env": "environ",
    "decouple.AutoConfig": "decouple",
    "decouple.Config": "decouple",
}
_SETTINGS_FUNCTIONS = {"decouple.config": "decouple"}
_SETTINGS_CASTS = {"str": str, "int": int, "float": float, "bool": None}
# Names of configuration mappings: ``app.config["MAIL_SERVER"]``, ``settings.get("X")``.
_CONFIG_NAMES = frozenset({"config", "settings", "conf", "cfg", "configuration"})
_TRUE_WORDS = frozenset({"true", "yes", "on", "1", "y", "t"})

Function = ast.FunctionDef | ast.AsyncFunctionDef


def stand_in(default: Value, origin: str) -> Value | None:
    """A loopback host that is only the default of ``origin`` (an environment variable, a
    config key, a parameter: ``os.getenv("SMTP_HOST", "localhost")``, ``def send(...,
    host="localhost")``) stands in for the server ``origin`` names, as the last resort of
    an ``or`` does: not known. None for any other default."""
    if isinstance(default.value, str) and is_local_host(default.value):
        return built(origin, default.literal_parts)
    return None


def is_config(node: ast.AST) -> bool:
    """A name of a configuration mapping (``app.config``, ``settings``)."""
    name = dotted_name(node)
    return name is not None and name.rsplit(".", 1)[-1].lower() in _CONFIG_NAMES


def key_of(call: ast.Call) -> object:
    """The key a ``get(key, ...)`` call reads, when it is written as a literal."""
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, ast.Constant) else None


def names_mail_setting(key: object) -> bool:
    """A key that names a mail setting with its family's prefix (``smtp_host``,
    ``MAIL_SERVER``, ``email_password``; not a bare ``host``): whatever the mapping's
    name, a ``get`` of it with a default reads configuration. Not a port: a port read
    into a local is often tested around the client it opens (``if port == 465:
    SMTP_SSL(...)``), which narrows only a parameter's default (tls_choices)."""
    return isinstance(key, str) and is_prefixed_key(key) and not key.lower().endswith("port")


# What ends a function's run with a value: its returns, and a generator's yields.
_ENDS = (ast.Return, ast.Yield, ast.YieldFrom)


class SettingsReads:
    """The environment and configuration part of :class:`~.values.Evaluator`, which it
    is mixed into."""

    path: str | None
    parents: dict[ast.AST, ast.AST]
    symbols: Symbols
    _arguments: dict[ast.arg, Value]
    _returned: dict[ast.AST, ast.expr | None]
    _always_returns: dict[ast.AST, bool]
    _returns_of: dict[ast.AST, list[ast.expr] | None]
    _inlining: set[ast.AST]
    callers: Callers

    if TYPE_CHECKING:

        def evaluate(self, node: ast.AST | None, depth: int = 0) -> Value: ...

        def bindings(self, node: ast.AST) -> list[Binding]: ...

        def qualified_name(self, node: ast.AST) -> str | None: ...

    def _keywords(self, node: ast.AST) -> bool:
        """Whether ``node`` names the ``**kwargs`` parameter of its function."""
        for binding in self.bindings(node):
            arguments = self.parents.get(binding.node)
            if isinstance(arguments, ast.arguments) and arguments.kwarg is binding.node:
                return True
        return False

    def _lookup(self, node: ast.Call, what: str, depth: int) -> Value:
        """``get(key, default)`` of the environment or a config mapping: the default, from
        ``what`` key (``env SMTP_HOST``, ``config key MAIL_SERVER``)."""
        args = node.args
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        key = self.evaluate(args[0], depth) if args else None
        if key is not None and key.known:
            origin = f"{what} {key.value}"
        else:
            origin = "environment" if what == "env" else "configuration"
        default_node = args[1] if len(args) > 1 else keywords.get("default")
        if default_node is None:
            return self._unset(origin)
        default = self.evaluate(default_node, depth)
        if what == "config key" and default.known and another_providers_server(default.value):
            # ``account.get("imap_server", "imap.163.com")``: the user's configuration
            # names the server; the default is one of those it may name. (The defaults
            # of the environment and of keyword arguments are taken, as a parameter's.)
            return Value.unknown(origin)
        if default.known and default.value is not None:
            return stand_in(default, origin) or default.as_default(origin)
        return built(origin, default.literal_parts)

    def _unset(self, origin: str) -> Value:
        """An environment variable read without a default: the value the project's own
        ``.env`` gives it, if it gives one, else unknown from that variable."""
        if origin.startswith("env "):
            found = project_env(self.path, origin.removeprefix("env "))
            if found is not None:
                return found
        return Value.unknown(origin)

    def _local_function_result(self, node: ast.Call, depth: int) -> Value | None:
        """A call of a local function with one ``return``, evaluated with the call's
        arguments: a read of the environment with its parameters (``def
        get_env_variable(name): return os.environ[name]``, also inside ``try``/``except
        KeyError``), so the origin names the variable (``env EMAIL_HOST``); or a value
        it writes (``def server(): return "smtp.office365.com", 587``), when known, or one
        of a table's rows (``return CONFIGS[domain]``); with several returns, one of their
        values (:meth:`_returned_choices`). None for other calls."""
        function = self._function_named(node.func)
        bound_method = False
        if function is None and isinstance(node.func, ast.Attribute):
            # ``servers.office()`` where ``servers = Servers()``: its method, ``self`` bound.
            function = self.callers.instance_method(node.func)
            bound_method = function is not None
        if function is None or any(is_spread(a) for a in (*node.args, *node.keywords)):
            return None
        return self._function_result(node, function, bound_method, depth)

    def property_value(self, function: Function, depth: int) -> Value | None:
        """``self.host`` where ``host`` is a ``@property`` of the class: what its method
        returns, as a call of it would (None when that says nothing)."""
        return self._function_result(_READ, function, True, depth)

    def _function_result(
        self, node: ast.Call, function: Function, bound_method: bool, depth: int
    ) -> Value | None:
        if function not in self._returned:
            nodes = [n for n in own_nodes(function) if isinstance(n, _ENDS)]
            returns = [n for n in nodes if isinstance(n, ast.Return)]
            self._returned[function] = returns[0].value if len(returns) == 1 else None
            # Its value is what every call gives only when nothing else ends it: the return
            # is its last statement (no fall-through to None), not a generator's or a
            # coroutine's.
            self._always_returns[function] = (
                len(nodes) == len(returns) == 1
                and function.body[-1] is returns[0]
                and isinstance(function, ast.FunctionDef)
            )
            self._returns_of[function] = _return_values(function, nodes)
        expression = self._returned[function]
        if expression is None:
            return self._returned_choices(node, function, bound_method, depth)
        read = isinstance(expression, (ast.Subscript, ast.Call))  # ``os.environ[name]``
        if not (read or self._always_returns[function]) or function in self._inlining:
            return None
        # ``server, port = update(server, port)``: an argument read in the statement that
        # rebinds it may reach this call again; evaluated once, it ends there.
        self._inlining.add(function)
        try:
            value = self._returned_value(node, function, bound_method, expression, depth)
        finally:
            self._inlining.discard(function)
        if read and value.origin is not None and value.origin.startswith("env "):
            return value
        # ``def server(): return "smtp.office365.com", 587``: what it returns, when known;
        # ``return CONFIGS[domain]``: one of the table's rows.
        return value if _tells(value) and self._always_returns[function] else None

    def _returned_value(
        self, call: ast.Call, function: Function, bound_method: bool, returned: ast.expr, depth: int
    ) -> Value:
        """``returned``, an expression of ``function``, with the call's arguments bound."""
        bound: dict[ast.arg, Value] = {}
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        for index, param in enumerate(positional_params(function.args)[bound_method:]):
            given = call.args[index] if index < len(call.args) else keywords.get(param.arg)
            if given is not None:
                bound[param] = self.evaluate(given, depth)
        saved = self._arguments
        self._arguments = {**saved, **bound}
        try:
            return self.evaluate(returned, depth)
        finally:
            self._arguments = saved

    def _returned_choices(
        self, call: ast.Call, function: Function, bound_method: bool, depth: int
    ) -> Value | None:
        """``def host_for(provider): if provider == "gmail": return "smtp.gmail.com" ...
        raise ValueError(provider)``, or a row of a table with a built fallback (``return
        CONFIGS[domain]`` ... ``return (f"imap.{domain}", 993)``): a function that cannot
        end but by one of its ``return``s gives one of their values (its choices, picked
        by its arguments at run time), evaluated with the call's arguments. None
        otherwise, and when no return's value is known at all (an unknown call says as
        much)."""
        returned = self._returns_of[function]
        if returned is None or function in self._inlining:
            return None
        self._inlining.add(function)
        try:
            choices = [
                self._returned_value(call, function, bound_method, value, depth)
                for value in returned
            ]
        finally:
            self._inlining.discard(function)
        if not any(map(_tells, choices)):
            return None
        return one_of(*choices, origin=f"call {function.name}")

    def _function_named(self, node: ast.AST) -> Function | None:
        found = self._definition_named(node, FUNCTIONS)
        return found if isinstance(found, FUNCTIONS) else None

    def _definition_named(self, node: ast.AST, kinds: type | tuple[type, ...]) -> ast.AST | None:
        """The ``def`` or ``class`` a plain name refers to, if it is one."""
        for binding in self.bindings(node):
            if isinstance(binding.node, kinds):
                return binding.node
        return None

    def _star_import_of(self, node: ast.Name) -> str:
        """What a name nothing here binds is, brought by a star import of a module of the
        project that imports it (``from .settings import *``, whose ``from decouple
        import config`` it passes on); "" when it is not one."""
        if self.bindings(node):
            return ""
        for module in self.symbols.star_modules:
            found = star_imported(self.path, module, node.id, type(self))
            if found is not None:
                return found
        return ""

    def _settings_reader(self, node: ast.Call, name: str, depth: int) -> Value | None:
        """``env("X", default=D)``, ``env.bool("X", default=D)``, ``config("X", default=D,
        cast=int)``: the default, from environment variable X; None for other calls."""
        func = node.func
        cast: str | None = None
        style = _SETTINGS_FUNCTIONS.get(name)
        if style is None and isinstance(func, ast.Name):
            style = self._made_by(func) or _SETTINGS_FUNCTIONS.get(self._star_import_of(func))
        elif style is None and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if self._made_by(func.value) == "environ" and func.attr in _SETTINGS_CASTS:
                style, cast = "environ", func.attr
        if style is None:
            return None
        args = node.args
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        key = self.evaluate(args[0], depth) if args else Value.unknown(None)
        origin = f"env {key.value}" if key.known else "environment"
        # environ's Env(var, cast, default); its typed methods and decouple: (var, default).
        default_at = 2 if style == "environ" and cast is None else 1
        default_node = keywords.get("default") or (
            args[default_at] if len(args) > default_at else None
        )
        cast_node = keywords.get("cast") or (args[1] if default_at == 2 and len(args) > 1 else None)
        if cast is None and isinstance(cast_node, ast.Name):
            cast = cast_node.id
        if default_node is None:
            return self._unset(origin)
        default = self.evaluate(default_node, depth)
        if not default.known or default.value is None:
            return Value.unknown(origin)
        value = default.value
        if cast == "bool" and isinstance(value, str):
            value = value.strip().lower() in _TRUE_WORDS
        elif cast in _SETTINGS_CASTS and _SETTINGS_CASTS[cast] is not None:
            try:
                value = _SETTINGS_CASTS[cast](value)  # type: ignore[misc]
            except (TypeError, ValueError):
                return Value.unknown(origin)
        literal_span = default.literal_span or (default.span if default.literal else None)
        return Value(
            True,
            value,
            origin,
            literal=default.literal,
            literal_span=literal_span,
            literal_parts=default.literal_parts,
        )

    def _made_by(self, node: ast.Name) -> str | None:
        """Which settings library made the object a name is bound to (``env = environ.Env()``)."""
        for binding in self.bindings(node):
            if binding.kind is BindingKind.IMPORT:
                return None
            statement = self.parents.get(binding.node)
            if (
                isinstance(statement, ast.Assign)
                and binding.node in statement.targets
                and isinstance(statement.value, ast.Call)
            ):
                made = _SETTINGS_FACTORIES.get(self.qualified_name(statement.value.func) or "")
                if made is not None:
                    return made
        return None


def _return_values(function: Function, nodes: list[ast.AST]) -> list[ast.expr] | None:
    """The values a function that cannot end but by one of its two or more ``return``s
    gives (``nodes``: the statements that end it), without those that say "not set"
    (``return None``, ``return {}``); None for other functions."""
    if not isinstance(function, ast.FunctionDef) or not _no_fall_through(function.body):
        return None
    if not 1 < len(nodes) <= MAX_CHOICES:
        return None
    values = [n.value for n in nodes if isinstance(n, ast.Return) and n.value is not None]
    return set_values(values) if len(values) == len(nodes) else None


# A property read, as the call of its method with no arguments.
_READ = ast.Call(ast.Name("property", ast.Load()), [], [])


def _tells(value: Value) -> bool:
    """Whether a function's result says something an unknown call does not: a value other
    than ``None`` or an empty one (a parser not yet read is ``{}``), itself or among its
    choices (a table's rows, literals)."""
    options = value.choices if value.choices is not None else (value,)
    return any(option.known and _something(option.value) for option in options)


def _something(value: object) -> bool:
    empty = isinstance(value, (str, bytes, dict, list, tuple)) and not value
    return value is not None and not empty


def _no_fall_through(block: list[ast.stmt]) -> bool:
    """Whether running ``block`` always ends in a ``return`` or a ``raise``: its last
    statement is one, or an ``if`` whose two arms both end so."""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    return (
        isinstance(last, ast.If) and _no_fall_through(last.body) and _no_fall_through(last.orelse)
    )
