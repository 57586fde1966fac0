"""A small constant evaluator: the values rules need, or where they come from.

Resolves literals, module and local names, parameter defaults, class and
instance attributes, ``os.environ``/``os.getenv`` with defaults, ``int``/``str``
of those, f-strings, concatenation and simple dict/tuple subscripts. What it
cannot know stays unknown with an origin (``env SMTP_HOST``, ``parameter host``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

import libcst as cst
from libcst.metadata import (
    Assignment,
    ImportAssignment,
    ParentNodeProvider,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from ..model import Value
from ..providers import lookup
from .imports import imported_constant
from .source import SourceText, dotted_name

_MAX_DEPTH = 24

# Calls that read the environment: qualified name -> (index of the key, index of the default).
_ENV_READERS = {
    "os.environ.get": (0, 1),
    "os.getenv": (0, 1),
    "os.environ.setdefault": (0, 1),
}
_CONVERTERS: Mapping[str, Callable[[object], object]] = {
    "int": int,
    "str": str,
    "float": float,
    "bool": bool,
}

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

# A call to a settings reader that a library adapter knows: returns a Value, or None.
CallReader = Callable[["Evaluator", cst.Call, str, int], "Value | None"]


class Evaluator:
    def __init__(
        self, module: cst.Module, metadata: Mapping, text: SourceText, path: str | None = None
    ) -> None:
        self.module = module
        self.path = path  # the file, to find the project modules it imports from
        self.parents = metadata[ParentNodeProvider]
        self.scopes = metadata[ScopeProvider]
        self.positions = metadata[PositionProvider]
        self.text = text
        self.call_readers: list[CallReader] = []
        # Arguments of a call being inlined (a local environment-reading wrapper).
        self._arguments: dict[cst.Param, Value] = {}
        self._returned: dict[cst.FunctionDef, cst.BaseExpression | None] = {}
        self._class_attrs: dict[cst.ClassDef, dict[str, list[cst.BaseExpression]]] = {}
        self._calls: dict[str, list[cst.Call]] | None = None  # by callee name, built lazily
        self._resolving: set[cst.Param] = set()

    # Positions and names.

    def span(self, node: cst.CSTNode):
        return self.text.span(self.positions[node])

    def source(self, node: cst.CSTNode) -> str:
        return self.text.text(self.span(node))

    def _qualified(self, node: cst.CSTNode) -> set:
        # Asked of the scope directly, for the few nodes that need it: resolving
        # QualifiedNameProvider for a whole module costs as much as the scopes themselves.
        scope = self.scopes.get(node)
        return scope.get_qualified_names_for(node) if scope is not None else set()

    def qualified_name(self, node: cst.CSTNode) -> str | None:
        names = self._qualified(node)
        if not names:
            return None
        # Prefer names that come from an import over local ones.
        best = sorted(names, key=lambda q: (q.source.value != 3, q.name))[0]
        return best.name

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in self._qualified(node)}

    # Evaluation.

    def evaluate(self, node: cst.BaseExpression | None, depth: int = 0) -> Value:
        if node is None:
            return Value.unknown("missing")
        span = self.span(node)
        source = self.source(node)
        if depth > _MAX_DEPTH:
            return Value.unknown(None, span, source=source)
        value = self._evaluate(node, depth + 1)
        # The span and source are the expression as written here; a literal it resolves to
        # may be elsewhere (literal_span).
        return Value(
            value.known,
            value.value,
            value.origin,
            span,
            value.literal,
            value.literal_span,
            source,
            items=value.items,
        )

    def _evaluate(self, node: cst.BaseExpression, depth: int) -> Value:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            try:
                literal = ast.literal_eval(self._plain_string(node))
            except (ValueError, SyntaxError):
                return Value.unknown(None)
            span = self.span(node)
            return Value(True, literal, literal=True, literal_span=span)
        if isinstance(node, (cst.Integer, cst.Float)):
            try:
                return Value(
                    True, ast.literal_eval(node.value), literal=True, literal_span=self.span(node)
                )
            except (ValueError, SyntaxError):
                return Value.unknown(None)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            inner = self.evaluate(node.expression, depth)
            if inner.known and isinstance(inner.value, (int, float)):
                return Value(True, -inner.value, inner.origin)
            return Value.unknown(inner.origin)
        if isinstance(node, cst.Name):
            return self._name(node, depth)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, depth)
        if isinstance(node, cst.Call):
            return self._call(node, depth)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, cst.FormattedString):
            return self._fstring(node, depth)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self.evaluate(node.left, depth)
            right = self.evaluate(node.right, depth)
            if left.known and right.known:
                try:
                    return Value(True, left.value + right.value, left.origin or right.origin)  # type: ignore[operator]
                except TypeError:
                    return Value.unknown(None)
            return Value.unknown(left.origin or right.origin)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            # ``os.environ.get("X") or "default"``: the default, from the environment.
            left = self.evaluate(node.left, depth)
            right = self.evaluate(node.right, depth)
            if left.known and left.value:
                return left
            if not left.known and right.known:
                return Value(
                    True,
                    right.value,
                    left.origin,
                    literal=right.literal,
                    literal_span=right.literal_span,
                )
            return right if left.known else Value.unknown(left.origin)
        if isinstance(node, (cst.Tuple, cst.List)):
            items = [self.evaluate(el.value, depth) for el in node.elements]
            # Each element as a Value, for adapters that take a tuple apart (``(host, port)``).
            spread = any(isinstance(el, cst.StarredElement) for el in node.elements)
            elements = None if spread else tuple(items)
            if all(item.known for item in items):
                return Value(True, tuple(item.value for item in items), items=elements)
            return Value(False, None, items=elements)
        if isinstance(node, cst.Dict):
            return self._dict(node, depth)
        return Value.unknown(None)

    def _plain_string(self, node: cst.BaseExpression) -> str:
        # ConcatenatedString may mix in f-strings, which literal_eval rejects: fine.
        return self.module.code_for_node(node)

    def _fstring(self, node: cst.FormattedString, depth: int) -> Value:
        prefix = node.start.rstrip("'\"")
        quote = node.start[len(prefix) :]
        plain_prefix = prefix.replace("f", "").replace("F", "")
        parts: list[str] = []
        origin = None
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                try:
                    parts.append(ast.literal_eval(plain_prefix + quote + part.value + node.end))
                except (ValueError, SyntaxError):
                    return Value.unknown(origin)
                continue
            assert isinstance(part, cst.FormattedStringExpression)
            value = self.evaluate(part.expression, depth)
            origin = origin or value.origin
            if not value.known or part.format_spec or part.conversion:
                return Value.unknown(origin)
            parts.append(str(value.value))
        return Value(True, "".join(parts), origin)

    def _dict(self, node: cst.Dict, depth: int) -> Value:
        result: dict[object, object] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return Value.unknown(None)
            key = self.evaluate(element.key, depth)
            if not key.known:
                return Value.unknown(None)
            value = self.evaluate(element.value, depth)
            result[key.value] = value  # values stay Values: subscripts keep their origin
        return Value(True, result)

    def _subscript(self, node: cst.Subscript, depth: int) -> Value:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return Value.unknown(None)
        key = self.evaluate(node.slice[0].slice.value, depth)
        base_name = self.qualified_name(node.value) or dotted_name(node.value)
        if base_name == "os.environ" and key.known:
            return Value.unknown(f"env {key.value}")
        base = self.evaluate(node.value, depth)
        if base.known and key.known:
            container = base.value
            if isinstance(container, dict) and key.value in container:
                item = container[key.value]
                return item if isinstance(item, Value) else Value(True, item)
            if isinstance(container, (tuple, list)) and isinstance(key.value, int):
                try:
                    item = container[key.value]
                except IndexError:
                    return Value.unknown(None)
                return item if isinstance(item, Value) else Value(True, item)
        if not base.known and key.known and isinstance(key.value, str):
            if _is_config(node.value):
                return Value.unknown(f"config key {key.value}")
        return Value.unknown(base.origin)

    def _call(self, node: cst.Call, depth: int) -> Value:
        name = self.qualified_name(node.func) or dotted_name(node.func) or ""
        name = name.removeprefix("builtins.")
        for reader in self.call_readers:
            value = reader(self, node, name, depth)
            if value is not None:
                return value
        settings_value = self._settings_reader(node, name, depth)
        if settings_value is not None:
            return settings_value
        wrapped = self._environment_wrapper(node, depth)
        if wrapped is not None:
            return wrapped
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and _is_config(func.value):
            if not self.evaluate(func.value, depth).known:
                # ``app.config.get("MAIL_SERVER", "smtp.office365.com")``
                return self._lookup(node, "config key", depth)
        if name in _ENV_READERS:
            return self._lookup(node, "env", depth)
        if name in _CONVERTERS and len(node.args) == 1 and node.args[0].keyword is None:
            inner = self.evaluate(node.args[0].value, depth)
            if inner.known:
                try:
                    return Value(
                        True,
                        _CONVERTERS[name](inner.value),
                        inner.origin,
                        literal=inner.literal,
                        literal_span=inner.literal_span,
                    )
                except (TypeError, ValueError):
                    return Value.unknown(inner.origin)
            return Value.unknown(inner.origin)
        return Value.unknown(f"call {name}" if name else None)

    def _lookup(self, node: cst.Call, what: str, depth: int) -> Value:
        """``get(key, default)`` of the environment or a config mapping: the default, from
        ``what`` key (``env SMTP_HOST``, ``config key MAIL_SERVER``)."""
        args = [a for a in node.args if a.keyword is None]
        keywords = {a.keyword.value: a for a in node.args if a.keyword is not None}
        key = self.evaluate(args[0].value, depth) if args else None
        if key is not None and key.known:
            origin = f"{what} {key.value}"
        else:
            origin = "environment" if what == "env" else "configuration"
        default_arg = args[1] if len(args) > 1 else keywords.get("default")
        if default_arg is None:
            return Value.unknown(origin)
        default = self.evaluate(default_arg.value, depth)
        if default.known and default.value is not None:
            return Value(
                True,
                default.value,
                origin,
                literal=default.literal,
                literal_span=default.literal_span,
            )
        return Value.unknown(origin)

    def _environment_wrapper(self, node: cst.Call, depth: int) -> Value | None:
        """A call of a local function whose one ``return`` reads the environment with its
        parameters (``def get_env_variable(name): return os.environ[name]``, also inside
        ``try``/``except KeyError``): the value that read gives with the call's arguments,
        so the origin names the variable (``env EMAIL_HOST``). None for other calls."""
        function = self._function_named(node.func)
        if function is None or any(arg.star for arg in node.args):
            return None
        if function not in self._returned:
            finder = _Returns()
            function.body.visit(finder)
            returned = finder.found[0].value if len(finder.found) == 1 else None
            # Only a read itself (``os.environ[name]``, ``os.getenv(name, d)``) is inlined.
            usable = isinstance(returned, (cst.Subscript, cst.Call))
            self._returned[function] = returned if usable else None
        expression = self._returned[function]
        if expression is None:
            return None
        params = [*function.params.posonly_params, *function.params.params]
        bound: dict[cst.Param, Value] = {}
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        positional = [a.value for a in node.args if a.keyword is None]
        for index, param in enumerate(params):
            given = positional[index] if index < len(positional) else keywords.get(param.name.value)
            if given is not None:
                bound[param] = self.evaluate(given, depth)
        saved = self._arguments
        self._arguments = {**saved, **bound}
        try:
            value = self.evaluate(expression, depth)
        finally:
            self._arguments = saved
        if value.origin is None or not value.origin.startswith("env "):
            return None
        return value

    def _function_named(self, node: cst.BaseExpression) -> cst.FunctionDef | None:
        found = self._definition_named(node, cst.FunctionDef)
        return found if isinstance(found, cst.FunctionDef) else None

    def _definition_named(
        self, node: cst.BaseExpression, kind: type[cst.FunctionDef] | type[cst.ClassDef]
    ) -> cst.FunctionDef | cst.ClassDef | None:
        """The ``def`` or ``class`` a plain name refers to, if it is one."""
        if not isinstance(node, cst.Name):
            return None
        scope = self.scopes.get(node)
        if scope is None:
            return None
        for assignment in scope[node.value]:
            if isinstance(assignment, Assignment) and isinstance(assignment.node, kind):
                return assignment.node
        return None

    def _settings_reader(self, node: cst.Call, name: str, depth: int) -> Value | None:
        """``env("X", default=D)``, ``env.bool("X", default=D)``, ``config("X", default=D,
        cast=int)``: the default, from environment variable X; None for other calls."""
        func = node.func
        cast: str | None = None
        style = _SETTINGS_FUNCTIONS.get(name)
        if style is None and isinstance(func, cst.Name):
            style = self._made_by(func)
        elif style is None and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            if self._made_by(func.value) == "environ" and func.attr.value in _SETTINGS_CASTS:
                style, cast = "environ", func.attr.value
        if style is None:
            return None
        args = [a.value for a in node.args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        key = self.evaluate(args[0], depth) if args else Value.unknown(None)
        origin = f"env {key.value}" if key.known else "environment"
        # environ's Env(var, cast, default); its typed methods and decouple: (var, default).
        default_at = 2 if style == "environ" and cast is None else 1
        default_node = keywords.get("default") or (
            args[default_at] if len(args) > default_at else None
        )
        cast_node = keywords.get("cast") or (args[1] if default_at == 2 and len(args) > 1 else None)
        if cast is None and isinstance(cast_node, cst.Name):
            cast = cast_node.value
        if default_node is None:
            return Value.unknown(origin)
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
        return Value(True, value, origin, literal=default.literal, literal_span=literal_span)

    def _made_by(self, node: cst.Name) -> str | None:
        """Which settings library made the object a name is bound to (``env = environ.Env()``)."""
        scope = self.scopes.get(node)
        if scope is None:
            return None
        for assignment in scope[node.value]:
            if isinstance(assignment, ImportAssignment):
                return None
            parent = self.parents.get(getattr(assignment, "node", None))
            statement = self.parents.get(parent) if isinstance(parent, cst.AssignTarget) else None
            if isinstance(statement, cst.Assign) and isinstance(statement.value, cst.Call):
                made = _SETTINGS_FACTORIES.get(self.qualified_name(statement.value.func) or "")
                if made is not None:
                    return made
        return None

    # Names.

    def _name(self, node: cst.Name, depth: int) -> Value:
        if node.value in ("True", "False", "None"):
            constant = {"True": True, "False": False, "None": None}[node.value]
            return Value(True, constant, literal=True, literal_span=self.span(node))
        scope = self.scopes.get(node)
        if scope is None:
            return Value.unknown(f"name {node.value}")
        assignments = [
            a for a in scope[node.value] if isinstance(a, (Assignment, ImportAssignment))
        ]
        if not assignments:
            return Value.unknown(f"name {node.value}")
        use = self.positions[node].start
        chosen = self._reaching(assignments, scope, use)
        return self._assignment_value(chosen, node.value, depth)

    def _reaching(self, assignments: list, scope: Scope, use) -> object:
        """The assignment that most plausibly reaches a use: the last one before it
        in the same scope, else the last one at all."""

        def position(assignment) -> tuple[int, int]:
            start = self.positions[assignment.node].start
            return (start.line, start.column)

        local = [a for a in assignments if a.scope is scope]
        before = [a for a in local if position(a) <= (use.line, use.column)]
        pool = before or local or assignments
        return max(pool, key=position)

    def _assignment_value(self, assignment, name: str, depth: int) -> Value:
        node = assignment.node
        if isinstance(assignment, ImportAssignment) or isinstance(
            node, (cst.Import, cst.ImportFrom)
        ):
            origin = self._import_origin(node, name)
            module, _, attribute = origin.rpartition(".")
            imported = imported_constant(self.path, module, attribute) if module else None
            return imported or Value.unknown(f"import {origin}")
        if isinstance(node, cst.Param):
            if node in self._arguments:
                return self._arguments[node]
            if node.default is not None:
                default = self.evaluate(node.default, depth)
                return Value(
                    default.known,
                    default.value,
                    f"parameter {name}",
                    literal=default.literal,
                    literal_span=default.literal_span,
                )
            return self._passed_in(node, name, depth) or Value.unknown(f"parameter {name}")
        parent = self.parents.get(node)
        # ``x = value`` / ``x: T = value`` / ``a, b = 1, 2``
        if isinstance(parent, cst.AssignTarget):
            statement = self.parents.get(parent)
            if isinstance(statement, cst.Assign) and parent.target is node:
                return self.evaluate(statement.value, depth)
        if isinstance(parent, cst.AnnAssign) and parent.target is node and parent.value is not None:
            return self.evaluate(parent.value, depth)
        if isinstance(parent, cst.Element):
            return self._unpacked(node, parent, depth)
        return Value.unknown(f"name {name}")

    def _passed_in(self, param: cst.Param, name: str, depth: int) -> Value | None:
        """A parameter without a default, from what every call in this module passes:
        ``get_server("smtp.office365.com")``. Known only when every call site's argument
        is known; a Microsoft host among them is the one kept, so it is reported."""
        function = self.parents.get(self.parents.get(param))
        if not isinstance(function, cst.FunctionDef) or param in self._resolving:
            return None  # recursion (``f(x)`` inside ``f``) stays unknown
        self._resolving.add(param)
        try:
            return self._from_call_sites(function, param, name, depth)
        finally:
            self._resolving.discard(param)

    def _from_call_sites(
        self, function: cst.FunctionDef, param: cst.Param, name: str, depth: int
    ) -> Value | None:
        params = [*function.params.posonly_params, *function.params.params]
        method = self.enclosing_class(function) is not None
        position = next((i for i, p in enumerate(params) if p is param), None)
        if method and position is not None:
            position -= 1  # ``self`` is not passed
        values = []
        for call in self._calls_of(function.name.value, method):
            argument = None
            for index, arg in enumerate(call.args):
                if arg.star:
                    return None
                if arg.keyword is not None and arg.keyword.value == name:
                    argument = arg.value
                elif arg.keyword is None and index == position:
                    argument = arg.value
            if argument is None:
                return None
            value = self.evaluate(argument, depth)
            if not value.known:
                return None
            values.append(value)
        if not values:
            return None
        chosen = next(
            (v for v in values if isinstance(v.value, str) and lookup(v.value).microsoft),
            values[0],
        )
        return Value(True, chosen.value, chosen.origin)

    def _calls_of(self, function: str, method: bool) -> list[cst.Call]:
        """Calls of a module function (``f(...)``) or of a method (``self.f(...)``)."""
        if self._calls is None:
            collector = _CallsByName()
            self.module.visit(collector)
            self._calls = collector.calls
        return self._calls.get(("self." if method else "") + function, [])

    def _unpacked(self, node: cst.Name, element: cst.Element, depth: int) -> Value:
        container = self.parents.get(element)
        target = self.parents.get(container)
        statement = self.parents.get(target) if isinstance(target, cst.AssignTarget) else None
        if not isinstance(container, (cst.Tuple, cst.List)) or not isinstance(
            statement, cst.Assign
        ):
            return Value.unknown(f"name {node.value}")
        index = next(i for i, el in enumerate(container.elements) if el is element)
        value = statement.value
        if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(
            container.elements
        ):
            return self.evaluate(value.elements[index].value, depth)
        return Value.unknown(f"name {node.value}")

    def _import_origin(self, node: cst.CSTNode, name: str) -> str:
        if isinstance(node, cst.ImportFrom):
            dots = "." * len(node.relative)
            module = dots + (self.module.code_for_node(node.module) if node.module else "")
            for alias in node.names if not isinstance(node.names, cst.ImportStar) else ():
                local = alias.asname.name if alias.asname else alias.name
                if isinstance(local, cst.Name) and local.value == name:
                    return f"{module}.{self.module.code_for_node(alias.name)}"
            return f"{module}.{name}"
        if isinstance(node, cst.Import):
            # ``import pkg.config as cfg`` binds cfg to pkg.config.
            for alias in node.names:
                local = alias.asname.name if alias.asname else alias.name
                if isinstance(local, cst.Name) and local.value == name:
                    return self.module.code_for_node(alias.name)
        return name

    # Attributes.

    def _attribute(self, node: cst.Attribute, depth: int) -> Value:
        dotted = dotted_name(node)
        qualified = self.qualified_name(node)
        if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
            klass = self.enclosing_class(node)
            if klass is not None:
                return self._member(klass, node.attr.value, f"attribute {dotted}", depth)
        base = self.evaluate(node.value, depth)
        if base.known and isinstance(base.value, dict) and node.attr.value in base.value:
            item = base.value[node.attr.value]
            return item if isinstance(item, Value) else Value(True, item)
        klass = self._class_named(node.value)
        if klass is not None:
            return self._member(klass, node.attr.value, f"attribute {dotted}", depth)
        if base.origin and base.origin.startswith("import "):
            module = base.origin.removeprefix("import ")
            imported = imported_constant(self.path, module, node.attr.value)
            return imported or Value.unknown(f"{base.origin}.{node.attr.value}")
        return Value.unknown(f"attribute {qualified or dotted}")

    def _class_named(self, node: cst.BaseExpression) -> cst.ClassDef | None:
        found = self._definition_named(node, cst.ClassDef)
        return found if isinstance(found, cst.ClassDef) else None

    def enclosing_class(self, node: cst.CSTNode) -> cst.ClassDef | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, cst.ClassDef):
            current = self.parents.get(current)
        return current

    def enclosing_function(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, cst.FunctionDef):
            current = self.parents.get(current)
        return current

    def class_attributes(self, klass: cst.ClassDef) -> dict[str, list[cst.BaseExpression]]:
        """Values assigned to ``name`` in the class body or to ``self.name`` in its methods,
        ``__init__`` first."""
        cached = self._class_attrs.get(klass)
        if cached is not None:
            return cached
        found: dict[str, list[cst.BaseExpression]] = {}
        for statement in klass.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            found.setdefault(target.target.value, []).append(small.value)
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    if isinstance(small.target, cst.Name):
                        found.setdefault(small.target.value, []).append(small.value)
        methods = [s for s in klass.body.body if isinstance(s, cst.FunctionDef)]
        methods.sort(key=lambda f: f.name.value != "__init__")
        for method in methods:
            for assign in _self_assignments(method):
                found.setdefault(assign[0], []).append(assign[1])
        self._class_attrs[klass] = found
        return found

    def _member(self, klass: cst.ClassDef, name: str, origin: str, depth: int) -> Value:
        values = self.class_attributes(klass).get(name)
        if values:
            return self.evaluate(values[0], depth)
        for base in klass.bases:
            parent = self._class_named(base.value)
            if parent is not None and parent is not klass:
                return self._member(parent, name, origin, depth + 1)
        return Value.unknown(origin)


def _is_config(node: cst.BaseExpression) -> bool:
    name = dotted_name(node)
    return name is not None and name.rsplit(".", 1)[-1].lower() in _CONFIG_NAMES


class _Returns(cst.CSTVisitor):
    """The ``return`` statements of one function body (not of functions inside it)."""

    def __init__(self) -> None:
        self.found: list[cst.Return] = []

    def visit_Return(self, node: cst.Return) -> None:
        self.found.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


class _CallsByName(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: dict[str, list[cst.Call]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            self.calls.setdefault(func.value, []).append(node)
        elif (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
        ):
            self.calls.setdefault(f"self.{func.attr.value}", []).append(node)


class _SelfAssignments(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[str, cst.BaseExpression]] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            t = target.target
            if (
                isinstance(t, cst.Attribute)
                and isinstance(t.value, cst.Name)
                and t.value.value == "self"
            ):
                self.found.append((t.attr.value, node.value))

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False  # a nested class has its own self


def _self_assignments(method: cst.FunctionDef) -> list[tuple[str, cst.BaseExpression]]:
    visitor = _SelfAssignments()
    method.body.visit(visitor)
    return visitor.found
