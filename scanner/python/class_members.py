"""What a class of the module assigns to its attributes: in its body, or to ``self.x``
in its methods (``__init__`` first), and what its bases here assign."""

from __future__ import annotations

import ast
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from ..lazy_regex import lazy_pattern
from ..model import Value
from ..providers import host_provider
from .reaching import set_values
from .shapes import one_of
from .source import dotted_name
from .symbols import FUNCTIONS, Symbols

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from .callers import Callers

Function = ast.FunctionDef | ast.AsyncFunctionDef
# Decorators that make a method's result an attribute read (``self.host``).
PROPERTIES = frozenset({"builtins.property", "functools.cached_property"})
_FIELD_MAKERS = frozenset({"dataclasses.field", "attr.ib", "attr.attrib", "attrs.field"})
_TUPLE_MAKERS = frozenset({"collections.namedtuple", "typing.NamedTuple"})
_ENUMERATIONS = frozenset(
    {"enum.Enum", "enum.StrEnum", "enum.IntEnum", "enum.Flag", "enum.IntFlag"}
)
# A host name as a preset holds one (``smtp.office365.com``): dotted, no spaces.
_HOST = lazy_pattern(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
# Settings classes whose fields a run reads from the environment, by their field's name.
_ENVIRONMENT_SETTINGS = frozenset(
    {"pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic.v1.BaseSettings"}
)


class ClassMembers:
    """The class attribute part of :class:`~.values.Evaluator`, which it is mixed into."""

    symbols: Symbols
    parents: dict[ast.AST, ast.AST]
    callers: Callers
    _class_attrs: dict[ast.ClassDef, dict[str, list[ast.expr]]]
    _self_sets: dict[ast.AST, list[tuple[str, ast.expr]]] | None
    # ``obj.attr = value`` on a name other than ``self``/``cls``, by attribute name.
    _instance_sets: dict[str, list[tuple[ast.Name, ast.expr]]] | None

    if TYPE_CHECKING:

        def evaluate(self, node: ast.AST | None, depth: int = 0) -> Value: ...

        def property_value(self, function: Function, depth: int) -> Value | None: ...

        def _definition_named(
            self, node: ast.AST, kinds: type | tuple[type, ...]
        ) -> ast.AST | None: ...

        def with_item_sets(
            self, owner: tuple[object, str], made: Value, after: tuple[int, int], depth: int
        ) -> Value: ...

        def qualified_names(self, node: ast.AST) -> AbstractSet[str]: ...

        def passed_instance(self, node: ast.AST) -> ast.Call | None: ...

    def class_named(self, node: ast.AST) -> ast.ClassDef | None:
        if isinstance(node, ast.Name) and node.id == "cls":
            return self._classmethod_class(node)
        if not isinstance(node, ast.Name) or node.id not in self.callers.class_names:
            return None  # no class of the module is bound to that name
        found = self._definition_named(node, ast.ClassDef)
        return found if isinstance(found, ast.ClassDef) else None

    def _classmethod_class(self, node: ast.Name) -> ast.ClassDef | None:
        """``cls`` in a ``@classmethod`` of a class of the module: that class (``cls(host)``
        makes one, or one of a subclass that inherits the method)."""
        function = self.symbols.enclosing_function(node)
        if function is None or not function.args.args:
            return None
        klass = self.parents.get(function)
        decorators = function.decorator_list
        classmethod = any(isinstance(d, ast.Name) and d.id == "classmethod" for d in decorators)
        first = function.args.args[0].arg == node.id
        return klass if isinstance(klass, ast.ClassDef) and classmethod and first else None

    def class_attributes(self, klass: ast.ClassDef) -> dict[str, list[ast.expr]]:
        """Values assigned to ``name`` in the class body or to ``self.name`` in its methods,
        ``__init__`` first."""
        cached = self._class_attrs.get(klass)
        if cached is not None:
            return cached
        found: dict[str, list[ast.expr]] = {}
        for statement in klass.body:
            if isinstance(statement, ast.Assign):
                for target, value in _pairs(statement):
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, []).append(value)
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                if isinstance(statement.target, ast.Name):
                    found.setdefault(statement.target.id, []).append(statement.value)
        methods = [s for s in klass.body if isinstance(s, FUNCTIONS)]
        methods.sort(key=lambda f: f.name != "__init__")
        for method in methods:
            for attribute, value in self._self_assignments(method):
                found.setdefault(attribute, []).append(value)
        self._class_attrs[klass] = found
        return found

    def _self_assignments(self, method: Function) -> list[tuple[str, ast.expr]]:
        """``self.x = value`` anywhere in a method, nested functions included (a nested
        class has its own ``self``), in source order. Indexed once from the assignments
        the scope pass collected: test classes have hundreds of methods."""
        if self._self_sets is None:
            self._self_sets = {}
            for statement in self.symbols.assignments:
                if isinstance(statement, ast.AnnAssign):
                    # ``self._factory: SmtpFactory = smtp_factory``: typed code's way.
                    if statement.value is None:
                        continue
                    pairs = [(statement.target, statement.value)]
                elif isinstance(statement, ast.Assign):
                    pairs = _pairs(statement)
                else:
                    continue
                attributes = [
                    (target.attr, value)
                    for target, value in pairs
                    if isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ]
                owner = self._method_of(statement) if attributes else None
                if owner is not None:
                    self._self_sets.setdefault(owner, []).extend(attributes)
        return self._self_sets.get(method, [])

    def _method_of(self, node: ast.AST) -> ast.AST | None:
        """The function directly in a class body that ``node`` is in, if any."""
        parent = self.parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.ClassDef):
                return node if isinstance(node, FUNCTIONS) else None
            node, parent = parent, self.parents.get(parent)
        return None

    def member(self, klass: ast.ClassDef, name: str) -> Value:
        """What a class of this module (or a base of it here) assigns to ``name``."""
        return self._member(klass, name, f"attribute {klass.name}.{name}", 0)

    def _member(self, klass: ast.ClassDef, name: str, origin: str, depth: int) -> Value:
        values = self.class_attributes(klass).get(name)
        if values and _set_by_users(klass, name, values):
            return self._users_value(klass, name, origin, depth)
        if values:
            assigned = set_values(values)
            made = self.evaluate(assigned[0], depth)
            if made.known and isinstance(made.value, dict):
                # ``self._config = {}`` then ``self._config["host"] = ...`` in a method.
                return self.with_item_sets((klass, name), made, (0, 0), depth)
            if len(assigned) > 1:
                # Set on several arms or in several methods: any of them may be the one.
                found = [made, *(self.evaluate(value, depth) for value in assigned[1:])]
                origins = {value.origin for value in found if value.origin}
                # Said by where they all come from, else by the attribute.
                return one_of(*found, origin=origins.pop() if len(origins) == 1 else origin)
            if made.known and not name.startswith("_"):
                if made.value is None and made.origin is None:
                    # ``password = None`` in the class body, ``self.host = params.get(
                    # "host", None)``: what the object's user sets, as a parameter's
                    # empty default is.
                    return made.as_default(origin)
                return self._among_presets(klass, assigned[0], made, origin, depth)
            return made
        read = self._property(klass, name)
        if read is not None:
            found = self.property_value(read, depth)
            if found is not None:
                return found
        for base in klass.bases:
            parent = self.class_named(base)
            if parent is not None and parent is not klass:
                return self._member(parent, name, origin, depth + 1)
        return Value.unknown(origin)

    def field_default(self, node: ast.Call, name: str, depth: int) -> Value | None:
        """``host: str = field(default="...")`` (``default_factory=lambda: ...``): the
        default a dataclass's or attrs class's field gets; None for other calls."""
        if name not in _FIELD_MAKERS:
            return None
        given = {k.arg: k.value for k in node.keywords}
        default = given.get("default")
        factory = given.get("default_factory") or given.get("factory")
        if default is None and isinstance(factory, ast.Lambda):
            default = factory.body
        return self.evaluate(default, depth) if default is not None else None

    def _users_value(self, klass: ast.ClassDef, name: str, origin: str, depth: int) -> Value:
        """A public attribute the class only ever sets to ``None``: the value its
        subclasses here give it (``self.host = "smtp.office365.com"`` in their
        ``__init__``), any of them; unknown, said by the attribute, when none does (the
        class's users set it on the instance: ``mail.password = ...``)."""
        given: list[Value] = []
        for subclass in self.symbols.subclasses(klass):
            if subclass is klass or depth > 4:
                continue
            values = self.class_attributes(subclass).get(name)
            if values and not _set_by_users(subclass, name, values):
                given.append(self._member(subclass, name, origin, depth + 1))
        given.extend(self._set_on_instances(klass, name, depth))
        if not given:
            return Value.unknown(origin)
        return given[0] if len(given) == 1 else one_of(*given, origin=origin)

    def _set_on_instances(self, klass: ast.ClassDef, name: str, depth: int) -> list[Value]:
        """What the module sets the attribute to on an instance of the class it makes
        (``mail = Mailer()`` then ``mail.host = "smtp.office365.com"``)."""
        index = self._instance_sets
        if index is None:
            index = {}
            for statement in self.symbols.assignments:
                if isinstance(statement, ast.Assign):
                    for target, value in _pairs(statement):
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id not in ("self", "cls")
                        ):
                            index.setdefault(target.attr, []).append((target.value, value))
            self._instance_sets = index
        found: list[Value] = []
        for owner, value in index.get(name, ())[:8]:
            made = self.bound_once(owner)
            if isinstance(made, ast.Call) and self.class_named(made.func) is klass:
                found.append(self.evaluate(value, depth + 1))
        return found

    def enum_member(self, node: ast.Attribute, depth: int) -> Value | None:
        """``Server.OUTLOOK.value`` (``.name``) of an enumeration of the module: what the
        member is assigned (its name). None for other attributes."""
        member = node.value
        if node.attr not in ("value", "name") or not isinstance(member, ast.Attribute):
            return None
        klass = self.class_named(member.value)
        if klass is None or not self._enumeration(klass):
            return None
        if node.attr == "name":
            return Value.of(member.attr)
        return self._member(klass, member.attr, f"attribute {dotted_name(node)}", depth)

    def _enumeration(self, klass: ast.ClassDef) -> bool:
        """Whether the class derives from ``enum.Enum`` (directly or through bases here)."""
        return self._derives(klass, lambda names: bool(names & _ENUMERATIONS))

    def _property(self, klass: ast.ClassDef, name: str) -> Function | None:
        """The ``@property`` (``@cached_property``) method ``name`` of ``klass``, if any."""
        for method in self.symbols.methods(klass, name):
            if any(self.qualified_names(d) & PROPERTIES for d in method.decorator_list):
                return method
        return None

    def _among_presets(
        self, klass: ast.ClassDef, value: ast.expr, made: Value, origin: str, depth: int
    ) -> Value:
        """A public attribute set to one of the class's provider presets (``self.provider
        = self.GMAIL`` beside ``self.MICROSOFT = "smtp.office365.com"``) is that preset
        by default and any of them once its user picks one: one of the presets."""
        if not (
            isinstance(value, ast.Attribute)
            and isinstance(value.value, ast.Name)
            and value.value.id in ("self", "cls", klass.name)
            and value.attr.isupper()
        ):
            return made
        presets: list[Value] = []
        for attribute, assigned in self.class_attributes(klass).items():
            if attribute == value.attr or not attribute.isupper() or len(assigned) != 1:
                continue
            preset = self.evaluate(assigned[0], depth + 1)
            if preset.known and _HOST.match(str(preset.value)):
                provider = host_provider(preset)
                if provider is not None and not provider.placeholder:
                    presets.append(preset)
        if not presets or not _HOST.match(str(made.value)):
            return made
        return one_of(made, *presets, origin=origin)

    def _environment_settings(self, klass: ast.ClassDef) -> bool:
        """Whether the class is pydantic's settings read from the environment (a base
        ``BaseSettings`` of pydantic or pydantic-settings), directly or through a base
        of this module."""
        return self._derives(klass, _is_environment_settings)

    def _derives(self, klass: ast.ClassDef, library_base: Callable[[set[str]], bool]) -> bool:
        """Whether a base of the class, or of its first base here (and so on), has
        qualified names ``library_base`` accepts."""
        for _ in range(8):
            if any(library_base(self.qualified_names(base)) for base in klass.bases):
                return True
            parents = [p for p in map(self.class_named, klass.bases) if p is not None]
            if not parents or parents[0] is klass:
                return False
            klass = parents[0]
        return False

    def instance_member(self, node: ast.Attribute, depth: int) -> Value | None:
        """``cfg.host`` where ``cfg = MailConfig(...)``, a class of the module, is bound
        once: a dataclass's or NamedTuple's field is the argument the call gives it, else
        its default; another class's attribute is what the class assigns to it (its
        methods see the same) when known and no base of a library may set it. None
        otherwise, and when the object is not such an instance."""
        call = self.bound_once(node.value) or self.passed_instance(node.value)
        if isinstance(call, ast.BoolOp) and isinstance(call.op, ast.Or):
            call = call.values[-1]  # ``settings = settings or MailSettings()``
        if not isinstance(call, ast.Call):
            return None
        klass = self.class_named(call.func)
        if klass is None:
            named = self._namedtuple_fields(call.func)
            if named is not None and node.attr in named:
                return self._given(call, named, node.attr, depth) or Value.unknown(
                    f"attribute {dotted_name(call.func)}.{node.attr}"
                )
            return self._keyword_member(call, node.attr, depth)
        fields = _fields(klass)
        origin = f"attribute {klass.name}.{node.attr}"
        if node.attr in fields:
            for keyword in call.keywords:
                if keyword.arg == node.attr:
                    return self.evaluate(keyword.value, depth)
            if any(keyword.arg is None for keyword in call.keywords):
                return Value.unknown(origin)  # ``MailConfig(**loaded)`` may give it
            if _pydantic(klass):
                return self._pydantic_default(klass, node.attr, origin, depth)
            index = fields.index(node.attr)
            if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
                return Value.unknown(origin)
            if index < len(call.args):
                return self.evaluate(call.args[index], depth)
        elif fields and (call.args or call.keywords):
            return None  # a method's result or a property: not a field
        elif self._environment_settings(klass):
            # pydantic's settings whose fields a base of the module writes: a keyword of
            # the call, else the default the class inherits (as ``os.environ.get``'s).
            for keyword in call.keywords:
                if keyword.arg == node.attr:
                    return self.evaluate(keyword.value, depth)
            if call.args or any(k.arg is None for k in call.keywords):
                return None
            default = self._member(klass, node.attr, origin, depth)
            return _environment_default(default, node.attr) if default.known else None
        elif not fields and any(self.class_named(base) is None for base in klass.bases):
            return None  # a library's base may set it (pydantic's settings from the env)
        member = self._member(klass, node.attr, origin, depth)
        return member if member.known or fields else None

    def bound_once(self, node: ast.expr) -> ast.expr | None:
        """The expression a name bound once holds (``cfg = MailConfig()``, ``f`` of ``with
        open(path) as f``); None for other expressions and names bound several times."""
        if not isinstance(node, ast.Name):
            return None
        made = self.symbols.bound_values(node)
        return made[0][2] if len(made) == 1 else None

    def bound_choices(self, node: ast.expr) -> list[ast.expr]:
        """Each expression a name may hold, when every binding of it is an assignment or a
        ``with`` item (``name = "config.json"`` in one arm, ``"config.default.json"`` in the
        other); else the one a name bound once holds, or none."""
        if not isinstance(node, ast.Name):
            return []
        made = [value for _, _, value in self.symbols.bound_values(node)]
        if len(made) == len(self.symbols.bindings(node)) or len(made) == 1:
            return made
        return []

    def _namedtuple_fields(self, func: ast.expr) -> list[str] | None:
        """The fields of a class made by ``collections.namedtuple("Config", ["host",
        "port"])`` (``"host port"``, ``"host, port"``) or ``typing.NamedTuple("Config",
        [("host", str), ...])`` bound once to ``func``'s name."""
        maker = self.bound_once(func)
        if not isinstance(maker, ast.Call):
            return None
        if not self.qualified_names(maker.func) & _TUPLE_MAKERS or len(maker.args) < 2:
            return None
        fields = self.evaluate(maker.args[1])
        if fields.known and isinstance(fields.value, str):
            return fields.value.replace(",", " ").split()
        if not (fields.known and isinstance(fields.value, (list, tuple))):
            return None
        names = [f[0] if isinstance(f, tuple) and f else f for f in fields.value]
        return names if all(isinstance(n, str) for n in names) else None

    def _given(self, call: ast.Call, fields: list[str], name: str, depth: int) -> Value | None:
        """The argument ``call`` gives field ``name`` (by keyword or position), if it does
        so where it can be read."""
        for keyword in call.keywords:
            if keyword.arg == name:
                return self.evaluate(keyword.value, depth)
        index = fields.index(name)
        if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
            return None
        return self.evaluate(call.args[index], depth) if index < len(call.args) else None

    def _pydantic_default(self, klass: ast.ClassDef, name: str, origin: str, depth: int) -> Value:
        """A pydantic model's field the constructor does not give: its default (written
        as the value or as ``Field(default)``); for ``BaseSettings`` one the environment
        may replace, as ``os.environ.get("X", default)`` is."""
        written = next(
            (
                s.value
                for s in klass.body
                if isinstance(s, ast.AnnAssign)
                and isinstance(s.target, ast.Name)
                and s.target.id == name
            ),
            None,
        )
        if isinstance(written, ast.Call) and _last_name(written.func) == "Field":
            given = [k.value for k in written.keywords if k.arg == "default"]
            written = given[0] if given else (written.args[0] if written.args else None)
        if written is None:
            return Value.unknown(origin)
        default = self.evaluate(written, depth)
        if not default.known:
            return Value.unknown(origin)
        if self._environment_settings(klass):
            return _environment_default(default, name)
        return default

    def _keyword_member(self, call: ast.Call, name: str, depth: int) -> Value | None:
        """``server.hostname`` where ``server = Controller(handler, hostname="127.0.0.1")``
        and the class is not the module's (a library's, ``SimpleNamespace``,
        ``argparse.Namespace``, a ``namedtuple``): an object keeps what it is given under
        an attribute of the keyword's name. Not for a function of the module (its result
        is whatever it returns), nor a keyword given through ``**``."""
        if isinstance(self._definition_named(call.func, FUNCTIONS), FUNCTIONS):
            return None
        given = [k for k in call.keywords if k.arg == name]
        if len(given) != 1 or any(k.arg is None for k in call.keywords):
            return None
        return self.evaluate(given[0].value, depth)


def _environment_default(default: Value, field: str) -> Value:
    """A settings field's default: the value a run takes when the variable of the field's
    name is unset, as ``os.environ.get``'s default is."""
    return default.as_default(f"env {field.upper()}")


def _is_environment_settings(names: set[str]) -> bool:
    return bool(names & _ENVIRONMENT_SETTINGS)


def _fields(klass: ast.ClassDef) -> list[str]:
    """The fields of a dataclass, a NamedTuple or a pydantic model, in order (the parameters of the
    constructor those write): the names annotated in its body, not ``ClassVar``."""
    decorated = any(
        _last_name(d.func if isinstance(d, ast.Call) else d) == "dataclass"
        for d in klass.decorator_list
    )
    if not (
        decorated or any(_last_name(b) == "NamedTuple" for b in klass.bases) or _pydantic(klass)
    ):
        return []
    return [
        s.target.id
        for s in klass.body
        if isinstance(s, ast.AnnAssign)
        and isinstance(s.target, ast.Name)
        and "ClassVar" not in ast.unparse(s.annotation)
    ]


def _pydantic(klass: ast.ClassDef) -> bool:
    """A pydantic model or settings class by its base (its fields are keyword-only)."""
    return any(_last_name(base) in ("BaseModel", "BaseSettings") for base in klass.bases)


def _last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _pairs(statement: ast.Assign) -> list[tuple[ast.expr, ast.expr]]:
    """Each target of an assignment with the value it gets: ``self.host, self.port =
    host, port`` pairs them one by one (a tuple or list written out, no ``*``)."""
    found: list[tuple[ast.expr, ast.expr]] = []
    for target in statement.targets:
        value = statement.value
        if (
            isinstance(target, (ast.Tuple, ast.List))
            and isinstance(value, (ast.Tuple, ast.List))
            and len(target.elts) == len(value.elts)
            and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
        ):
            found += list(zip(target.elts, value.elts, strict=True))
        else:
            found.append((target, value))
    return found


def _set_by_users(klass: ast.ClassDef, name: str, values: list[ast.expr]) -> bool:
    """Whether a public attribute is one the class's users (or subclasses) set: its
    methods only ever set it to ``None`` (``self.password = None`` in ``__init__``) and
    its body does not name it, so the value a method reads is not ``None`` but the one
    set on the instance from outside (``mail.password = ...``)."""
    if name.startswith("_") or not all(
        isinstance(value, ast.Constant) and value.value is None for value in values
    ):
        return False
    for statement in klass.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return False
    return True
