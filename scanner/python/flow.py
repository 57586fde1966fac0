"""What the front end can tell about expressions handed to mail calls.

Callables (an XOAUTH2 authobject: its parameters, whether what it returns was
base64-encoded, and the edit that widens its signature) and where a value may
come from (the calls whose results reach it, to match token requests and
credentials objects). Names, local functions and methods of the enclosing class
are followed within the module; a function imported from another module of the
project (``from auth import build_xoauth2_string``) is read there, never run, to
tell whether it returns base64.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .. import inputs
from ..model import MISSING, Span
from ..reading import MAX_FILE_BYTES
from ..remedies import Edit
from .adapters.base import CallableInfo
from .arguments import default_of, positional_params
from .imports import resolved
from .module_paths import module_path
from .module_trees import module_tree
from .source import SourceText
from .symbols import FUNCTIONS, NOT_THE_PROJECT, Symbols
from .values import Evaluator

BASE64_ENCODERS = frozenset(
    {
        "base64.b64encode",
        "base64.standard_b64encode",
        "base64.urlsafe_b64encode",
        "base64.encodebytes",
        "base64.encodestring",
        "email.base64mime.body_encode",
        "email.encoders.encode_base64",
    }
)
# Steps from a value back to the calls it comes from: a token passes a helper, a response,
# a subscript and a format on its way to an authobject.
_MAX_DEPTH = 16
_MAX_NODES = 256  # a value's history is short in real code; stop before pathological modules

# Modules read to follow an imported function that returns base64 (one importing another).
_MAX_MODULES = 2

Function = ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef


class Flow:
    def __init__(self, values: Evaluator, modules_read: int = 0) -> None:
        self.values = values
        self.returns = values.symbols.returns
        self.modules_read = modules_read

    # Names and functions.

    def definitions(self, name: ast.Name) -> list[ast.AST]:
        """Every expression assigned to ``name`` where it is used, and defs of that name."""
        found: list[ast.AST] = []
        for binding in self.values.bindings(name):
            node = binding.node
            if isinstance(node, FUNCTIONS):
                found.append(node)
                continue
            parent = self.values.parents.get(node)
            if isinstance(parent, ast.Assign) and any(t is node for t in parent.targets):
                found.append(parent.value)
            elif isinstance(parent, ast.AnnAssign) and parent.target is node and parent.value:
                found.append(parent.value)
        return found

    def function(self, node: ast.AST) -> tuple[Function, bool] | None:
        """The lambda or def a callable expression stands for, and whether it is a bound
        method (``self.make_token``: its first parameter is not passed)."""
        if isinstance(node, ast.Lambda):
            return node, False
        if isinstance(node, ast.Name):
            for definition in reversed(self.definitions(node)):
                if isinstance(definition, (ast.Lambda, *FUNCTIONS)):
                    return definition, False  # type: ignore[return-value]
            return None
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            klass = self.values.enclosing_class(node)
            if klass is None:
                return None
            methods = self.values.symbols.methods(klass, node.attr)
            return (methods[0], not _is_static(methods[0])) if methods else None
        method = self.values.callers.instance_method(node)
        if method is not None:
            # ``helper.make_token`` where ``helper = Tokens()``: the method, bound.
            return method, not _is_static(method)
        return None

    def results(self, function: Function) -> list[ast.expr]:
        """What a lambda or def returns."""
        if isinstance(function, ast.Lambda):
            return [function.body]
        return [
            r.value
            for r in self.returns
            if r.value is not None and self.values.enclosing_function(r) is function
        ]

    # Callables.

    def callable_info(self, node: ast.AST) -> CallableInfo | None:
        found = self.function(node)
        if found is None:
            return None
        function, bound = found
        arguments = function.args
        positional = positional_params(arguments)[1 if bound else 0 :]
        required = sum(1 for p in positional if default_of(p, arguments) is None)
        maximum = None if arguments.vararg is not None else len(positional)
        results = self.results(function)
        wrapper = next((w for w in map(self.base64_wrapper, results) if w is not None), None)
        if isinstance(function, ast.Lambda):
            span = self.values.span(function)
        else:
            span = self._name_span(function)
        return CallableInfo(
            span=span,
            required_positional=required,
            max_positional=maximum,
            returns=self.values.evaluate(results[0]) if len(results) == 1 else MISSING,
            base64_encoded=wrapper is not None,
            encoding=wrapper[0] if wrapper else None,
            raw=wrapper[1] if wrapper else None,
            signature_edit=self._signature_edit(function, bound, positional, required, maximum),
        )

    def _name_span(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> Span:
        """The span of a def's name: after ``def`` (or ``async def``) on its line."""
        text = self.values.text
        start = text.offset(function.lineno, function.col_offset)
        keyword = text.code.index("def", start) + len("def")
        at = keyword
        while text.code[at] in " \t\\\r\n":
            at += 1
        return text.span_of(at, at + len(function.name))

    def base64_wrapper(
        self, node: ast.AST, depth: int = 0
    ) -> tuple[Span | None, str | None] | None:
        """When ``node``'s value is base64 output: the expression that can be replaced by
        the string it encodes, and that string's source (both None when no simple rewrite
        exists); None when it is not base64."""
        if depth > 4:
            return None
        current: ast.AST = node
        through_method = False
        while isinstance(current, ast.Call):
            if self.values.qualified_names(current.func) & BASE64_ENCODERS:
                raw = self._encoded_string(current)
                if raw is None:
                    return None, None
                return self.values.span(node), raw
            local = self.function(current.func)
            if local is not None:
                for result in self.results(local[0]):
                    found = self.base64_wrapper(result, depth + 1)
                    if found is not None:
                        return found
                return None
            if self._imported_encoder(current.func):
                return None, None  # written in another module: no rewrite from here
            if not isinstance(current.func, ast.Attribute):
                return None
            # ``base64.b64encode(raw.encode()).decode("ascii")``: look through method calls.
            current = current.func.value
            through_method = True
        if isinstance(current, ast.Name):
            for definition in reversed(self.definitions(current)):
                if isinstance(definition, FUNCTIONS):
                    continue
                found = self.base64_wrapper(definition, depth + 1)
                if found is not None:
                    # ``encoded.decode()``: rewriting the definition would break the call.
                    return (None, None) if through_method else found
        return None

    def _imported_encoder(self, func: ast.expr) -> bool:
        """A function of another module of the project whose result is base64 output."""
        path = self.values.path
        if not path or self.modules_read >= _MAX_MODULES:
            return False
        for qualified, local in self.values.symbols.qualified_names(func):
            module, _, name = qualified.rpartition(".")
            if local or not module or module.split(".")[0] in NOT_THE_PROJECT:
                continue
            found = module_path(resolved(path), module)
            if found is not None and _returns_base64(found, name, self.modules_read + 1):
                return True
        return False

    def _encoded_string(self, encoder: ast.Call) -> str | None:
        """``raw`` in ``b64encode(raw.encode(...))``: the str that was encoded."""
        if not encoder.args or isinstance(encoder.args[0], ast.Starred):
            return None
        argument = encoder.args[0]
        if (
            isinstance(argument, ast.Call)
            and isinstance(argument.func, ast.Attribute)
            and argument.func.attr == "encode"
        ):
            return self.values.source(argument.func.value)
        return None

    def _signature_edit(
        self,
        function: Function,
        bound: bool,
        positional: list[ast.arg],
        required: int,
        maximum: int | None,
    ) -> Edit | None:
        """The edit that lets the callable take no argument and one (the SASL challenge)."""
        if required == 0 and (maximum is None or maximum >= 1):
            return None
        code = self.values.text.code
        arguments = function.args
        if required == 1 and len(positional) == 1:
            param = positional[0]
            if param.annotation is None:
                at = self.values.span(param).end
                return Edit(at, at, "=None")
            at = self.values.span(param.annotation).end
            return Edit(at, at, " = None")
        if positional or arguments.vararg or arguments.kwonlyargs or arguments.kwarg:
            return None  # several parameters, or keyword-only ones: left to the author
        if bound:
            first = positional_params(arguments)[0]
            at = self.values.span(first).end
            return Edit(at, at, ", challenge=None")
        if isinstance(function, ast.Lambda):
            span = self.values.span(function)
            start = span.start + len("lambda")
            colon = self.values.span(function.body).start - 1
            while colon > start and code[colon] != ":":
                colon -= 1
            return Edit(start, colon, " challenge=None")
        name_end = self._name_span(function).end
        paren = code.find("(", name_end)
        if paren < 0:
            return None
        return Edit(paren + 1, paren + 1, "challenge=None")

    # Where values come from.

    def sources(self, node: ast.AST | None) -> tuple[Span, ...]:
        """Spans of the calls whose results may reach ``node``'s value."""
        if node is None:
            return ()
        calls: list[ast.Call] = []
        seen: set[int] = set()
        stack: list[tuple[ast.AST, int]] = [(node, 0)]
        while stack and len(seen) < _MAX_NODES:
            current, depth = stack.pop()
            if id(current) in seen or depth > _MAX_DEPTH:
                continue
            seen.add(id(current))
            stack.extend((child, depth + 1) for child in self._feeders(current, calls))
        return tuple(self.values.span(call) for call in calls)

    def _feeders(self, node: ast.AST, calls: list[ast.Call]) -> list[ast.AST]:
        """The expressions ``node``'s value is made from (and ``node`` itself if a call)."""
        if isinstance(node, ast.Call):
            calls.append(node)
            feeders: list[ast.AST] = [
                a.value if isinstance(a, (ast.Starred, ast.keyword)) else a
                for a in (*node.args, *node.keywords)
            ]
            local = self.function(node.func)
            if local is not None:
                feeders.extend(self.results(local[0]))
            elif isinstance(node.func, ast.Attribute):
                feeders.append(node.func.value)
            return feeders
        if isinstance(node, ast.Name):
            feeders = []
            for definition in self.definitions(node):
                if isinstance(definition, FUNCTIONS):
                    feeders.extend(self.results(definition))
                else:
                    feeders.append(definition)
            return feeders
        if isinstance(node, ast.Lambda):
            return [node.body]
        if isinstance(node, ast.Attribute):
            local = self.function(node)
            if local is not None:
                return list(self.results(local[0]))
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                klass = self.values.enclosing_class(node)
                if klass is not None:
                    return list(self.values.class_attributes(klass).get(node.attr, ()))
            return [node.value]
        if isinstance(node, ast.Subscript):
            return [node.value]
        if isinstance(node, ast.Await):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            return [part.value for part in node.values if isinstance(part, ast.FormattedValue)]
        if isinstance(node, ast.BinOp):
            return [node.left, node.right]
        if isinstance(node, ast.BoolOp):
            return list(node.values)
        if isinstance(node, ast.IfExp):
            return [node.body, node.orelse]
        if isinstance(node, (ast.Tuple, ast.List)):
            return [el.value if isinstance(el, ast.Starred) else el for el in node.elts]
        if isinstance(node, ast.Dict):
            return list(node.values)  # ``{"Authorization": f"Bearer {token}"}``
        return []


def _is_static(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)


@inputs.remembered
def _returns_base64(path: Path, name: str, modules_read: int) -> bool:
    """Whether the module-level function ``name`` of the module at ``path`` returns
    base64 output (``return base64.b64encode(auth_string.encode()).decode()``)."""
    data = inputs.read(path, MAX_FILE_BYTES)
    parsed = module_tree(data) if data is not None else None
    if parsed is None:
        return False
    function = next(
        (s for s in parsed.tree.body if isinstance(s, FUNCTIONS) and s.name == name), None
    )
    if function is None:
        return False
    flow = Flow(Evaluator(Symbols(parsed.tree), SourceText(parsed.text), str(path)), modules_read)
    return any(flow.base64_wrapper(result) is not None for result in flow.results(function))
