"""A small constant evaluator: the values rules need, or where they come from.

Resolves literals, module and local names, parameter defaults, class and
instance attributes, ``os.environ``/``os.getenv`` with defaults, ``int``/``str``
of those, f-strings, concatenation and simple dict/tuple subscripts. What it
cannot know stays unknown with an origin (``env SMTP_HOST``, ``parameter host``).
Text built from parts is :mod:`.text_values`; reads of the environment and of settings
libraries, :mod:`.settings_reads`; configparser's ``get(section, option)``,
:mod:`.ini_parsers`; a parameter's value from the module's calls,
:mod:`.passed_values` (all mixed into :class:`Evaluator`); parameters and arguments
as written, :mod:`.arguments`; what classes assign to their attributes,
:mod:`.class_members`.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet

from ..model import Value
from ..providers import is_local_host
from .arguments import default_of
from .callers import Callers
from .class_members import ClassMembers
from .cli_options import CommandLine
from .file_loads import LOADERS, loaded
from .imports import OwnCheck, imported_constant, star_constant
from .ini_parsers import IniParsers
from .ini_reads import PARSERS, config_value
from .item_sets import ItemSets
from .node_names import NodeNames
from .passed_values import PassedValues
from .reaching import reaching, written_before
from .settings_reads import SettingsReads, is_config, key_of, names_mail_setting, stand_in
from .shapes import HOLE, one_of, percent, text_of
from .source import SourceText, dotted_name
from .symbols import Binding, BindingKind, Symbols
from .tables import (
    OpenMapping,
    get,
    loop_of,
    loop_value,
    narrowed,
    overridable,
    row_item,
    subscript,
)
from .text_values import TextValues, built

_MAX_DEPTH = 24

# Calls that read the environment: qualified name -> (index of the key, index of the default).
_ENV_READERS = {
    "os.environ.get": (0, 1),
    "os.getenv": (0, 1),
    "os.environ.setdefault": (0, 1),
}
# ``.get(key)`` of a dict, and configparser's typed getters of a section or file.
_INI_GETTERS = frozenset({"get", "getint", "getboolean", "getfloat"})
_CONVERTERS: Mapping[str, Callable[[object], object]] = {
    "int": int,
    "str": str,
    "float": float,
    "bool": bool,
}

# Methods of str and bytes whose result a known value still tells.
_TEXT_METHODS = frozenset({"decode", "encode", "strip", "lower", "upper"})
# Methods of str and bytes whose result is made of the text and the arguments
# (``"".join``, ``.format``, ``.replace``): not computed (a format width or a join can
# be made huge), only where their text comes from.
_STRING_METHODS = frozenset(name for name in dir(str) + dir(bytes) if not name.startswith("_"))

Function = ast.FunctionDef | ast.AsyncFunctionDef


class Evaluator(
    NodeNames,
    TextValues,
    SettingsReads,
    ClassMembers,
    CommandLine,
    IniParsers,
    PassedValues,
    ItemSets,
):
    def __init__(self, symbols: Symbols, text: SourceText, path: str | None = None) -> None:
        self.symbols = symbols
        self.parents = symbols.parents
        self.path = path  # the file, to find the project modules it imports from
        self.text = text
        # The front end's answer to whether an imported module reports a secret itself.
        self.own_check: OwnCheck | None = None
        # Arguments of a call being inlined (a local environment-reading wrapper).
        self._arguments: dict[ast.arg, Value] = {}
        self._returned: dict[ast.AST, ast.expr | None] = {}
        self._always_returns: dict[ast.AST, bool] = {}
        # The values of functions that end only by one of several returns (set with
        # ``_returned``); and the functions whose calls are being evaluated (one whose
        # returns call it again ends there).
        self._returns_of: dict[ast.AST, list[ast.expr] | None] = {}
        self._inlining: set[ast.AST] = set()
        self._class_attrs: dict[ast.ClassDef, dict[str, list[ast.expr]]] = {}
        self._self_sets: dict[ast.AST, list[tuple[str, ast.expr]]] | None = None
        self._instance_sets: dict[str, list[tuple[ast.Name, ast.expr]]] | None = None
        self.callers = Callers(symbols)
        self._resolving: set[ast.arg] = set()
        # A parameter's value, once: what callers pass for it is looked up through the
        # other parameters they pass (``self.__init__(self._args["host"], ...)`` of a
        # reconnecting client), which without it is exponential in their number.
        self._parameters: dict[ast.arg, Value] = {}
        self._passed: dict[ast.arg, list[ast.expr | None]] = {}  # what calls pass
        self._names: dict[ast.AST, AbstractSet[str]] = {}  # qualified_names, kept per node
        self._options = None if "add_argument" in text.code else {}  # found on first use
        self._changes = None  # the dicts' later entries, indexed on first use
        self._changing: set[tuple[object, str]] = set()

    # Evaluation.

    def evaluate(self, node: ast.AST | None, depth: int = 0) -> Value:
        if node is None:
            return Value.unknown("missing")
        span = self.span(node)
        source = self.text.text(span)
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
            also=value.also,
            choices=value.choices,
            literal_parts=value.literal_parts,
            template=value.template,
            written_at=value.written_at,
            passed_elsewhere=value.passed_elsewhere,
            row=value.row,
        )

    def _evaluate(self, node: ast.AST, depth: int) -> Value:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (str, bytes, int, float, bool)) or node.value is None:
                span = self.span(node)
                parts = (span,) if isinstance(node.value, (str, bytes)) and node.value else ()
                return Value(True, node.value, literal=True, literal_span=span, literal_parts=parts)
            return Value.unknown(None)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.evaluate(node.operand, depth)
            if inner.known and isinstance(inner.value, (int, float)):
                return Value(True, -inner.value, inner.origin)
            return Value.unknown(inner.origin)
        if isinstance(node, ast.Name):
            return self._name(node, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node, depth)
        if isinstance(node, ast.BinOp):
            left = self.evaluate(node.left, depth)
            right = self.evaluate(node.right, depth)
            parts = left.literal_parts + right.literal_parts
            origin = left.origin or right.origin
            if isinstance(node.op, ast.Add) and left.known and right.known:
                try:
                    total = left.value + right.value  # type: ignore[operator]
                except TypeError:
                    return built(None, parts)
                return Value(True, total, origin, literal_parts=parts)
            if isinstance(node.op, ast.Mod):
                return percent(left, right, parts)
            if isinstance(node.op, ast.Add):
                # Known in part: its shape, unknown parts as holes (``{}.office365.com``).
                texts = (text_of(left), text_of(right))
                shape = "".join(HOLE if text is None else text for text in texts)
                template = shape if any(texts) else None
                return Value(False, None, origin, literal_parts=parts, template=template)
            # The rest: not computed, but built from its operands.
            return built(None, parts)
        if isinstance(node, ast.IfExp):
            return one_of(self.evaluate(node.body, depth), self.evaluate(node.orelse, depth))
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            result = self.evaluate(node.values[0], depth)
            for operand in node.values[1:]:
                result = _or(result, self.evaluate(operand, depth))
            return result
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.evaluate(el, depth) for el in node.elts]
            # Each element as a Value, for adapters that take a tuple apart (``(host, port)``).
            spread = any(isinstance(el, ast.Starred) for el in node.elts)
            elements = None if spread else tuple(items)
            parts = tuple(span for item in items for span in item.literal_parts)
            row = (node.lineno, node.col_offset)
            if all(item.known for item in items):
                values = tuple(item.value for item in items)
                return Value(True, values, items=elements, literal_parts=parts, row=row)
            return Value(False, None, items=elements, literal_parts=parts, row=row)
        if isinstance(node, ast.Dict):
            return self._dict(node, depth)
        return Value.unknown(None)

    def _dict(self, node: ast.Dict, depth: int) -> Value:
        result: dict[object, object] = {}
        loaded = False  # entries spread from a mapping read at run time
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:  # ``**other``
                spread = self.evaluate(value_node, depth)
                if spread.known and isinstance(spread.value, dict):
                    result.update(spread.value)
                else:
                    # ``{**DEFAULTS, **json.load(f)}``: what comes before is what a run has
                    # unless the loaded mapping gives another; what comes after, it has.
                    result = {k: overridable(k, v) for k, v in result.items()}
                    loaded = True
                continue
            key = self.evaluate(key_node, depth)
            if not key.known:
                return Value.unknown(None)
            value = self.evaluate(value_node, depth)
            result[key.value] = value  # values stay Values: subscripts keep their origin
        if loaded and not result:
            return Value.unknown(None)
        return Value(
            True, OpenMapping(result) if loaded else result, row=(node.lineno, node.col_offset)
        )

    def _subscript(self, node: ast.Subscript, depth: int) -> Value:
        if isinstance(node.slice, (ast.Slice, ast.Tuple)):
            # ``"xxSecret"[2:]``: not computed, but a part of what it slices.
            return built(None, self.evaluate(node.value, depth).literal_parts)
        key = self.evaluate(node.slice, depth)
        base_name = self.qualified_name(node.value) or dotted_name(node.value)
        if base_name == "os.environ" and key.known:
            return self._unset(f"env {key.value}")
        base = self.evaluate(node.value, depth)
        found = subscript(base, key)
        if not key.known:
            owner = self.dict_owner(node.value)
            if owner is not None:
                found = self.picked_at_run_time(base, found, owner)
        if found is not None:
            return found
        if key.known and isinstance(key.value, str):
            if isinstance(base.value, OpenMapping) or not base.known and is_config(node.value):
                return Value.unknown(f"config key {key.value}")
        return built(base.origin, base.literal_parts)

    def _call(self, node: ast.Call, depth: int) -> Value:
        name = self.qualified_name(node.func) or dotted_name(node.func) or ""
        name = name.removeprefix("builtins.")
        settings_value = self._settings_reader(node, name, depth)
        if settings_value is not None:
            return settings_value
        wrapped = self._local_function_result(node, depth)
        if wrapped is not None:
            return wrapped
        parsed = self._command_line(node, name, depth)
        if parsed is not None:
            return parsed
        func = node.func
        if name in LOADERS:  # ``json.load(f)`` of ``with open("config.json") as f``
            document = loaded(node, LOADERS[name], self.bound_choices, self.path)
            if document is not None:
                return document
        if name in PARSERS:  # configparser: the INI files the module reads into it
            parsed = config_value(node, self.symbols.tree, self.path)
            if parsed is not None:
                return parsed
        if isinstance(func, ast.Attribute) and func.attr in _INI_GETTERS and node.args:
            mapping = self.evaluate(func.value, depth)
            option = self._ini_get(node, func.value, mapping, depth)
            if option is not None:
                return option
            table = mapping.known and isinstance(mapping.value, dict)
            found = None
            if table or mapping.choices is not None:
                # ``SMTP_CONFIG.get("host")`` of a dict written in the module.
                key, *default = (self.evaluate(a, depth) for a in node.args[:2])
                found = get(mapping, key, default[0] if default else None)
            if found is not None:
                return found
            named = names_mail_setting(key_of(node)) and name not in _ENV_READERS
            if not table and (is_config(func.value) or named):
                # ``app.config.get("MAIL_SERVER", "smtp.office365.com")``; a mapping of any
                # name read for a mail setting's key (``opts.get("smtp_host", ...)``) too.
                return self._lookup(node, "config key", depth)
            if not table and self._keywords(func.value):
                # ``kwargs.get("host", "smtp.office365.com")`` of ``def __init__(**kwargs)``.
                return self._lookup(node, "keyword argument", depth)
        declared = self.field_default(node, name, depth)
        if declared is not None:
            return declared
        if name == "dict" and not node.args:
            # ``dict(host="smtp.office365.com", port=587)``, ``dict(BASE, **more)`` is not.
            items: dict[object, object] = {}
            for keyword in node.keywords:
                if keyword.arg is None:
                    spread = self.evaluate(keyword.value, depth)
                    if not (spread.known and isinstance(spread.value, dict)):
                        return Value.unknown(None)
                    items.update(spread.value)
                else:
                    items[keyword.arg] = self.evaluate(keyword.value, depth)
            return Value(True, items)
        if name in _ENV_READERS:
            return self._lookup(node, "env", depth)
        decoded = self.decoded(node, name, depth)
        if decoded is not None:
            return decoded
        if isinstance(func, ast.Attribute) and func.attr in _TEXT_METHODS:
            method = self._text_method(node, func, depth)
            if method is not None:
                return method
        if (
            name in _CONVERTERS
            and len(node.args) == 1
            and not node.keywords
            and not isinstance(node.args[0], ast.Starred)
        ):
            inner = self.evaluate(node.args[0], depth)
            if inner.known:
                try:
                    return Value(
                        True,
                        _CONVERTERS[name](inner.value),
                        inner.origin,
                        literal=inner.literal,
                        literal_span=inner.literal_span,
                        literal_parts=inner.literal_parts,
                    )
                except (TypeError, ValueError):
                    return built(inner.origin, inner.literal_parts)
            return built(inner.origin, inner.literal_parts)
        if isinstance(func, ast.Attribute) and func.attr == "format":
            formatted = self._format(node, func, depth)
            if formatted is not None:
                return formatted
        if isinstance(func, ast.Attribute) and func.attr in _STRING_METHODS:
            # ``"".join(pieces)``, ``"{}{}".format(a, b)``: not computed, but built from the
            # text it is called on and its arguments.
            origin = f"call {name}" if name else None
            return built(origin, self._parts_of(func.value, node, depth))
        return Value.unknown(f"call {name}" if name else None)

    # Names.

    def _name(self, node: ast.Name, depth: int) -> Value:
        scope = self.symbols.scope_of.get(node)
        bindings = self.bindings(node)
        if scope is None or not bindings:
            return self._star_imported(node) or Value.unknown(f"name {node.id}")
        local = [b for b in bindings if b.scope is scope]
        # The binding that most plausibly reaches the use: the last one before it in the
        # same scope, else the last one at all.
        before = written_before(local, node, self.parents)
        if not before:
            return self._binding_value(max(local or bindings, key=lambda b: b.position), depth)
        seen = [self._binding_value(b, depth) for b in reaching(before, node, self.parents)]
        found = seen[0] if len(seen) == 1 else one_of(*reversed(seen))
        return narrowed(node, found, self.parents) if found.choices else found

    def _star_imported(self, node: ast.Name) -> Value | None:
        """A name nobody binds in the module, from a module of the project it star-imports
        (``from settings import *``), as an explicit import of it would give it."""
        if node not in self.symbols.scope_of:
            return None
        for module in self.symbols.star_modules:
            value = star_constant(self.path, module, node.id, Evaluator)
            if value is not None:
                return value
        return None

    def _binding_value(self, binding: Binding, depth: int) -> Value:
        name, node = binding.name, binding.node
        if binding.kind is BindingKind.IMPORT:
            assert isinstance(node, (ast.Import, ast.ImportFrom))
            origin = _import_origin(node, name)
            module, _, attribute = origin.rpartition(".")
            imported = (
                imported_constant(self.path, module, attribute, Evaluator, self.own_check)
                if module
                else None
            )
            return imported or Value.unknown(f"import {origin}")
        if binding.kind is BindingKind.PARAM:
            assert isinstance(node, ast.arg)
            if node in self._arguments:
                return self._arguments[node]
            if node in self._parameters:
                return self._parameters[node]
            value = self._parameter(node, name, depth)
            if not self._arguments:  # an inlined call's arguments make it that call's value
                self._parameters[node] = value
            return value
        parent = self.parents.get(node)
        # ``x = value`` / ``x: T = value`` / ``a, b = 1, 2``
        if (isinstance(parent, ast.Assign) and any(t is node for t in parent.targets)) or (
            isinstance(parent, ast.AnnAssign) and parent.target is node and parent.value
        ):
            made = self.evaluate(parent.value, depth)
            if made.known and isinstance(made.value, dict):
                # ``cfg = {...}`` then ``cfg["host"] = ...``: its entries set after it.
                after = (parent.lineno, parent.col_offset)
                return self.with_item_sets((binding.scope, name), made, after, depth)
            return made
        loop = loop_of(node, self.parents) if isinstance(node, ast.Name) else None
        if loop is not None:
            found = loop_value(*loop, lambda n: self.evaluate(n, depth), self.qualified_names)
            return found or Value.unknown(f"name {name}")
        if isinstance(parent, (ast.Tuple, ast.List)):
            return self._unpacked(node, parent, depth)
        return Value.unknown(f"name {name}")

    def _parameter(self, node: ast.arg, name: str, depth: int) -> Value:
        command = self._command_parameter(node, depth)
        if command is not None:
            return command
        arguments = self.parents.get(node)
        default = default_of(node, arguments) if isinstance(arguments, ast.arguments) else None
        typer = self._typer_default(node, default, depth) if default is not None else None
        if typer is not None:
            return typer
        declared = self._field_default(default) if default is not None else None
        if declared is not None:
            default = declared[0]
        if default is not None:
            value = self.evaluate(default, depth)
            if (passed := self._passed_besides(node, value, depth)) is not None:
                return passed
            if (loopback := stand_in(value, f"parameter {name}")) is not None:
                return loopback
            return Value(
                value.known,
                value.value,
                f"parameter {name}",
                literal=value.literal,
                literal_span=value.literal_span,
                literal_parts=value.literal_parts,
                template=value.template,
                also=self._passed_alike(node, value, depth),
                choices=value.choices,
                passed_elsewhere=self._passed_otherwise(node, value, depth),
            )
        return self._passed_in(node, name, depth) or Value.unknown(f"parameter {name}")

    def _unpacked(self, node: ast.Name, container: ast.Tuple | ast.List, depth: int) -> Value:
        statement = self.parents.get(container)
        if not isinstance(statement, ast.Assign) or not any(
            t is container for t in statement.targets
        ):
            return Value.unknown(f"name {node.id}")
        index = next(i for i, el in enumerate(container.elts) if el is node)
        value = statement.value
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(container.elts):
            return self.evaluate(value.elts[index], depth)
        # ``args, rest = parser.parse_known_args()``: a pair the evaluator knows item by item.
        whole = (
            self.evaluate(value, depth)
            if isinstance(value, (ast.Call, ast.Subscript, ast.Attribute))
            else None
        )
        if (
            whole is not None
            and whole.items is not None
            and len(whole.items) == len(container.elts)
        ):
            return whole.items[index]
        # ``host, port = SERVERS[provider]``: a row picked at run time; each name is one of
        # the rows' items at its place (as ``SERVERS[provider][0]`` is).
        rows = whole.choices if whole is not None and not whole.known else None
        if rows and all(r.items is not None and len(r.items) == len(container.elts) for r in rows):
            picked = tuple(row_item(r, r.items[index]) for r in rows)  # type: ignore[index]
            return Value(False, origin=whole.origin, choices=picked)  # type: ignore[union-attr]
        return Value.unknown(f"name {node.id}")

    # Attributes.

    def _attribute(self, node: ast.Attribute, depth: int) -> Value:
        dotted = dotted_name(node)
        qualified = self.qualified_name(node)
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            klass = self.enclosing_class(node)
            if klass is not None:
                return self._member(klass, node.attr, f"attribute {dotted}", depth)
        member = self.enum_member(node, depth)
        if member is not None:
            return member
        base = self.evaluate(node.value, depth)
        if base.known and isinstance(base.value, dict) and node.attr in base.value:
            item = base.value[node.attr]
            return item if isinstance(item, Value) else Value(True, item)
        klass = self.class_named(node.value) or self.passed_class(node.value)
        if klass is not None:
            return self._member(klass, node.attr, f"attribute {dotted}", depth)
        field = self.instance_member(node, depth)
        if field is None:
            field = self._imported_instance_member(node)
        if field is not None:
            return field
        if base.origin and base.origin.startswith("import "):
            module = base.origin.removeprefix("import ")
            imported = imported_constant(self.path, module, node.attr, Evaluator, self.own_check)
            return imported or Value.unknown(f"{base.origin}.{node.attr}")
        if qualified and isinstance(node.value, ast.Name) and self._imported_name(node.value):
            # ``from config import settings`` then ``settings.SMTP_PORT``: an attribute of
            # an object the project's module makes (``settings = Settings()``).
            owner = qualified.removesuffix(f".{node.attr}")
            imported = imported_constant(self.path, owner, node.attr, Evaluator, self.own_check)
            if imported is not None:
                return imported
        return Value.unknown(f"attribute {qualified or dotted}")

    def _imported_instance_member(self, node: ast.Attribute) -> Value | None:
        """``reader.imap_server`` where ``reader = EmailReader()``, bound once, and the
        class is another module's of the project, made without arguments: what the class
        assigns to the attribute (``os.getenv("IMAP_SERVER", "imap.gmail.com")`` in its
        ``__init__``), as for a class of this module. None when not known there."""
        call = self.bound_once(node.value)
        if not isinstance(call, ast.Call) or call.args or call.keywords:
            return None
        if self.class_named(call.func) is not None:
            return None
        qualified = self.qualified_name(call.func)
        if not qualified or "." not in qualified:
            return None
        found = imported_constant(self.path, qualified, node.attr, Evaluator, self.own_check)
        return found if found is not None and found.known else None

    def _imported_name(self, node: ast.Name) -> bool:
        """Whether ``node`` reads a name imported from a module (``from m import x``)."""
        return any(binding.kind is BindingKind.IMPORT for binding in self.bindings(node))


def _or(left: Value, right: Value) -> Value:
    """``os.environ.get("X") or "default"``: the default, from the environment."""
    if left.known and left.value:
        return left
    parts = left.literal_parts + right.literal_parts
    if not left.known and right.known:
        if isinstance(right.value, str) and is_local_host(right.value):
            # ``cfg.get("host") or os.environ.get("HOST") or "localhost"``: a loopback
            # last resort after the settings stands in for the server they name.
            return Value(False, None, left.origin, literal_parts=parts)
        return Value(
            True,
            right.value,
            left.origin,
            literal=right.literal,
            literal_span=right.literal_span,
            literal_parts=parts,
        )
    if left.known:
        # An empty default of a parameter may be given at run time: it stays the value
        # unless the fallback is itself given (``password or self.password``).
        if left.present and not right.present:
            return left
        if left.origin is not None and right.origin is None:
            # ``config = config or {}`` with ``config=None``: the fallback only stands in
            # for what the callers give, as committed as they are (not at all).
            return dataclasses.replace(right, origin=left.origin)
        return right
    return built(left.origin, parts)


def _import_origin(node: ast.Import | ast.ImportFrom, name: str) -> str:
    if isinstance(node, ast.ImportFrom):
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if (alias.asname or alias.name) == name:
                return f"{module}.{alias.name}"
        return f"{module}.{name}"
    # ``import pkg.config as cfg`` binds cfg to pkg.config.
    for alias in node.names:
        if (alias.asname or alias.name) == name:
            return alias.name
    return name
