"""Values a command line gives: the defaults of argparse options and of click and typer
parameters.

``parser.add_argument("--host", default="smtp.office365.com")`` then ``args.host``: the
host a run takes unless its user passes another is the default, so it is the value, with
the option as its origin (``'smtp.office365.com' (default of option --host)``), as a
default of ``os.environ.get`` is. An option without a default is unknown from that option
(the user gives it). ``parse_args()`` is evaluated to the namespace of every option the
module declares with ``add_argument`` (a dict of values: ``args.host`` and
``vars(args)["host"]`` read it as the evaluator reads dicts); a click command's parameter
takes the default of the ``@click.option``/``@click.argument`` that declares it, and a
typer parameter the default of its ``typer.Option(...)``/``typer.Argument(...)``.
"""

from __future__ import annotations

import ast
import re

from ..lazy_regex import lazy_pattern
from ..model import Value
from .arguments import own_nodes
from .symbols import FUNCTIONS

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up

# What a run of the program gives: the namespace's own origin.
COMMAND_LINE = "command line"
_PARSE = frozenset({"parse_args", "parse_known_args", "parse_intermixed_args"})
# Decorators that declare a command's parameters, by qualified name.
_CLICK_MODULES = ("click", "asyncclick", "rich_click", "cloup")
_TYPER = frozenset({"typer.Option", "typer.Argument", "typer.params.Option"})
# Declarations of a parameter with its default inside (``secret: str = Field(default=...)``
# of a pydantic-validated function, an MCP tool, a FastAPI endpoint's ``Query(...)``).
_FIELD_DECLARATIONS = frozenset(
    {
        *(f"pydantic.{name}" for name in ("Field", "fields.Field")),
        *(
            f"fastapi.{module}{name}"
            for module in ("", "params.", "param_functions.")
            for name in ("Query", "Body", "Form", "Header", "Cookie", "Path")
        ),
    }
)
_CONVERTERS = {"int": int, "float": float, "str": str}
# docopt's option lines: ``-H HOST, --host=HOST  The server [default: smtp.office365.com]``.
_DOCOPT_OPTION = lazy_pattern(
    r"^\s*(-\w|--[\w-]+)(?:[ =]\S+)?(?:,?\s+(--[\w-]+)(?:[ =]\S+)?)?\s{2,}.*?"
    r"\[default:\s*([^\]]*)\]",
    re.IGNORECASE | re.MULTILINE,
)

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def argparse_dest(call: ast.Call) -> tuple[str, str] | None:
    """The attribute an ``add_argument`` call stores to and the flag a user types for it
    (``("smtp_host", "--smtp-host")``), as argparse derives them; None when the option
    strings are not written as text."""
    flags = [_text(arg) for arg in call.args]
    if not flags or any(flag is None for flag in flags):
        return None
    names = [flag for flag in flags if flag]
    if not names:
        return None
    dest_node = _keyword(call, "dest")
    long = next((n for n in names if n.startswith("--")), None)
    flag = long or names[0]
    if dest_node is not None:
        dest = _text(dest_node)
        return (dest, flag) if dest else None
    if not flag.startswith("-"):
        return flag, flag  # a positional argument
    return flag.lstrip("-").replace("-", "_"), flag


def click_name(call: ast.Call) -> tuple[str, str] | None:
    """The parameter a ``click.option``/``click.argument`` declaration passes and the flag
    a user types (``("smtp_host", "--smtp-host")``): an identifier among the declarations
    is the name, else the first ``--`` option's (the first ``-`` one's) with dashes as
    underscores."""
    decls = [_text(arg) for arg in call.args]
    if not decls or any(decl is None for decl in decls):
        return None
    words = [decl for decl in decls if decl]
    plain = next((w for w in words if w.isidentifier()), None)
    dashed = [w.split("/")[0] for w in words if w.startswith("-")]
    dashed.sort(key=lambda w: -(len(w) - len(w.lstrip("-"))))  # ``--`` before ``-``
    flag = dashed[0] if dashed else (plain or "")
    if plain is not None:
        return plain, flag
    if not dashed:
        return None
    return flag.lstrip("-").replace("-", "_").lower(), flag


def _convert(value: Value, kind: ast.expr | None) -> Value:
    """argparse and click apply ``type=`` to a text default (``default="587", type=int``)."""
    if not (isinstance(kind, ast.Name) and kind.id in _CONVERTERS):
        return value
    if not (value.known and isinstance(value.value, str)):
        return value
    try:
        converted = _CONVERTERS[kind.id](value.value)
    except ValueError:
        return value
    return value.made_into(converted)


class CommandLine:
    """The command-line part of :class:`~.values.Evaluator`, which it is mixed into."""

    parents: dict[ast.AST, ast.AST]
    # The module's ``add_argument`` calls and ``set_defaults`` keywords by destination.
    _options: dict[str, list[ast.Call | ast.keyword]] | None

    if TYPE_CHECKING:
        from .symbols import Symbols

        symbols: Symbols

        def evaluate(self, node: ast.AST | None, depth: int = 0) -> Value: ...

        def qualified_name(self, node: ast.AST) -> str | None: ...

        def _function_named(self, node: ast.AST) -> Function | None: ...

    def _declared_options(self) -> dict[str, list[ast.Call | ast.keyword]]:
        """The module's ``add_argument`` calls by the attribute they store to, and the
        ``set_defaults(dest=...)`` keywords that override their defaults (once)."""
        if self._options is None:
            found: dict[str, list[ast.Call | ast.keyword]] = {}
            for node in ast.walk(self.symbols.tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr == "add_argument":
                    dest = argparse_dest(node)
                    if dest is not None:
                        found.setdefault(dest[0], []).append(node)
            for node in ast.walk(self.symbols.tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "set_defaults"
                ):
                    for keyword in node.keywords:
                        if keyword.arg in found:
                            found[keyword.arg].append(keyword)
            self._options = found
        return self._options

    def _option_value(self, declared: list[ast.Call | ast.keyword], depth: int) -> Value:
        """One option's value: its default (of each declaration, for an option declared on
        several sub-commands; a parser's ``set_defaults`` over the argument's own), from
        the option; unknown from it when it has none."""
        calls = [d for d in declared if isinstance(d, ast.Call)]
        overrides = [d.value for d in declared if isinstance(d, ast.keyword)]
        values: list[Value] = []
        for call in calls:
            dest = argparse_dest(call)
            assert dest is not None
            kind = "option" if dest[1].startswith("-") else "argument"
            origin = f"{kind} {dest[1]}"
            default = overrides[-1] if overrides else _keyword(call, "default")
            action = _text(_keyword(call, "action") or ast.Constant(None))
            if default is None and action in ("store_true", "store_false"):
                values.append(Value(True, action == "store_false", origin))
                continue
            if default is None:
                values.append(Value.unknown(origin))
                continue
            values.append(self._default(default, _keyword(call, "type"), origin, depth))
        known = [v for v in values if v.known]
        if len(known) == len(values) and len({repr(v.value) for v in known}) == 1:
            return known[0]
        if len(values) == 1:
            return values[0]
        return Value(False, None, values[0].origin, choices=tuple(values))

    def _default(self, node: ast.expr, kind: ast.expr | None, origin: str, depth: int) -> Value:
        given = self.evaluate(node, depth)
        if not given.known or given.value is None:
            return Value.unknown(origin)
        return _convert(given.as_default(origin), kind)

    def _command_line(self, node: ast.Call, name: str, depth: int) -> Value | None:
        """What a call of the command line gives: parsed arguments (``parse_args()``, a
        helper that returns them, ``docopt(__doc__)``, ``vars(args)``); None for other
        calls."""
        if name == "vars" and len(node.args) == 1 and not node.keywords:
            namespace = self.evaluate(node.args[0], depth)
            return namespace if namespace.origin == COMMAND_LINE else None
        return (
            self._parsed_arguments(node, depth)
            or self._returned_arguments(node, depth)
            or self._docopt(node, name, depth)
        )

    def _namespace(self, depth: int) -> Value:
        """The options the module declares, each with its value, as a dict."""
        options = self._declared_options()
        values = {dest: self._option_value(calls, depth) for dest, calls in options.items()}
        return Value(True, values, COMMAND_LINE)

    def _parsed_arguments(self, node: ast.Call, depth: int) -> Value | None:
        """``parser.parse_args()``: the namespace of the module's options; the pair of
        ``parse_known_args()``. None for other calls, and in a module without options."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _PARSE):
            return None
        options = self._declared_options()
        if not options:
            return None
        namespace = self._namespace(depth)
        if func.attr != "parse_known_args":
            return namespace
        rest = Value.unknown(COMMAND_LINE)
        return Value(True, (namespace.value, None), COMMAND_LINE, items=(namespace, rest))

    def _docopt(self, node: ast.Call, name: str, depth: int) -> Value | None:
        """``docopt(__doc__)``: the options its usage text gives a ``[default: ...]``, by
        the name a program reads them with (``arguments["--host"]``); None for other
        calls."""
        if name not in ("docopt.docopt", "docopt_ng.docopt") or not node.args:
            return None
        first = node.args[0]
        if isinstance(first, ast.Name) and first.id == "__doc__":
            text = ast.get_docstring(self.symbols.tree, clean=False)
        else:
            given = self.evaluate(first, depth)
            text = given.value if given.known and isinstance(given.value, str) else None
        if text is None:
            return None
        options: dict[object, object] = {}
        for match in _DOCOPT_OPTION.finditer(text):
            name = match.group(2) or match.group(1)
            options[name] = Value(True, match.group(3).strip(), f"option {name}")
        return Value(True, options, COMMAND_LINE)

    def _returned_arguments(self, node: ast.Call, depth: int) -> Value | None:
        """A call of a local function that returns the parsed arguments (``args =
        get_args()``); None for other calls."""
        if not self._declared_options():
            return None
        function = self._function_named(node.func)
        if function is None:
            return None
        returns = [n for n in own_nodes(function) if isinstance(n, ast.Return)]
        if len(returns) != 1 or returns[0].value is None:
            return None
        value = self.evaluate(returns[0].value, depth)
        return value if value.origin == COMMAND_LINE else None

    def _command_parameter(self, param: ast.arg, depth: int) -> Value | None:
        """A parameter of a click command (declared by a decorator): the option's default,
        from the option; the ``**options`` of a Django management command's ``handle``
        (its class declares them in ``add_arguments``): the namespace."""
        arguments = self.parents.get(param)
        function = self.parents.get(arguments) if arguments is not None else None
        if not isinstance(function, FUNCTIONS):
            return None
        if param is function.args.kwarg and function.name == "handle":
            klass = self.parents.get(function)
            declares = isinstance(klass, ast.ClassDef) and any(
                isinstance(node, FUNCTIONS) and node.name == "add_arguments" for node in klass.body
            )
            return self._namespace(depth) if declares and self._declared_options() else None
        for decorator in function.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            name = self.qualified_name(decorator.func) or ""
            module, _, kind = name.rpartition(".")
            if module not in _CLICK_MODULES or kind not in ("option", "argument"):
                continue
            declared = click_name(decorator)
            if declared is None or declared[0] != param.arg:
                continue
            origin = f"{kind} {declared[1]}"
            default = _keyword(decorator, "default")
            if default is None:
                return Value.unknown(origin)
            return self._default(default, _keyword(decorator, "type"), origin, depth)
        return None

    def _field_default(self, default: ast.expr) -> tuple[ast.expr | None] | None:
        """``Field(default="...")`` (``Query("...")``, ...): one item, the default the
        declaration gives, None when it gives none (required: ``...``, or a
        ``default_factory``); None when ``default`` is no such declaration."""
        if not isinstance(default, ast.Call):
            return None
        if self.qualified_name(default.func) not in _FIELD_DECLARATIONS:
            return None
        given = _keyword(default, "default")
        if given is None and default.args:
            given = default.args[0]
        if given is None or (isinstance(given, ast.Constant) and given.value is Ellipsis):
            return (None,)
        return (given,)

    def _typer_default(self, param: ast.arg, default: ast.expr, depth: int) -> Value | None:
        """``host: str = typer.Option("smtp.office365.com", "--host")``: the default it
        declares, from the option."""
        if not isinstance(default, ast.Call):
            return None
        if self.qualified_name(default.func) not in _TYPER:
            return None
        given = _keyword(default, "default")
        flags = default.args
        if given is None and default.args:
            given, flags = default.args[0], default.args[1:]
        texts = [_text(flag) for flag in flags]
        written = next((t for t in texts if t and t.startswith("--")), None)
        origin = f"option {written or '--' + param.arg.replace('_', '-')}"
        if given is None or (isinstance(given, ast.Constant) and given.value is Ellipsis):
            return Value.unknown(origin)
        return self._default(given, None, origin, depth)
