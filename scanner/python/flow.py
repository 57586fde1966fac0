"""What the front end can tell about expressions handed to mail calls.

Callables (an XOAUTH2 authobject: its parameters, whether what it returns was
base64-encoded, and the edit that widens its signature) and where a value may
come from (the calls whose results reach it, to match token requests and
credentials objects). Names, local functions and methods of the enclosing class
are followed within the module; nothing is imported.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ..model import MISSING, Edit, Span
from .adapters.base import CallableInfo
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
_MAX_DEPTH = 8
_MAX_NODES = 256  # a value's history is short in real code; stop before pathological modules

Function = cst.Lambda | cst.FunctionDef


class Flow:
    def __init__(self, values: Evaluator, returns: Sequence[cst.Return]) -> None:
        self.values = values
        self.returns = returns

    # Names and functions.

    def definitions(self, name: cst.Name) -> list[cst.BaseExpression | cst.FunctionDef]:
        """Every expression assigned to ``name`` where it is used, and defs of that name."""
        scope = self.values.scopes.get(name)
        if scope is None:
            return []
        found: list[cst.BaseExpression | cst.FunctionDef] = []
        for assignment in scope[name.value]:
            node = getattr(assignment, "node", None)
            if isinstance(node, cst.FunctionDef):
                found.append(node)
                continue
            parent = self.values.parents.get(node) if node is not None else None
            if isinstance(parent, cst.AssignTarget) and parent.target is node:
                statement = self.values.parents.get(parent)
                if isinstance(statement, cst.Assign):
                    found.append(statement.value)
            elif isinstance(parent, cst.AnnAssign) and parent.target is node and parent.value:
                found.append(parent.value)
        return found

    def function(self, node: cst.BaseExpression) -> tuple[Function, bool] | None:
        """The lambda or def a callable expression stands for, and whether it is a bound
        method (``self.make_token``: its first parameter is not passed)."""
        if isinstance(node, cst.Lambda):
            return node, False
        if isinstance(node, cst.Name):
            for definition in reversed(self.definitions(node)):
                if isinstance(definition, (cst.Lambda, cst.FunctionDef)):
                    return definition, False
            return None
        if (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value in ("self", "cls")
        ):
            klass = self.values.enclosing_class(node)
            if klass is None:
                return None
            for statement in klass.body.body:
                if isinstance(statement, cst.FunctionDef) and statement.name.value == (
                    node.attr.value
                ):
                    static = any(
                        isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
                        for d in statement.decorators
                    )
                    return statement, not static
        return None

    def results(self, function: Function) -> list[cst.BaseExpression]:
        """What a lambda or def returns."""
        if isinstance(function, cst.Lambda):
            return [function.body]
        return [
            r.value
            for r in self.returns
            if r.value is not None and self.values.enclosing_function(r) is function
        ]

    # Callables.

    def callable_info(self, node: cst.BaseExpression) -> CallableInfo | None:
        found = self.function(node)
        if found is None:
            return None
        function, bound = found
        params = function.params
        positional = [*params.posonly_params, *params.params][1 if bound else 0 :]
        required = sum(1 for p in positional if p.default is None)
        maximum = None if isinstance(params.star_arg, cst.Param) else len(positional)
        results = self.results(function)
        wrapper = next((w for w in map(self.base64_wrapper, results) if w is not None), None)
        span = self.values.span(function if isinstance(function, cst.Lambda) else function.name)
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

    def base64_wrapper(
        self, node: cst.BaseExpression, depth: int = 0
    ) -> tuple[Span | None, str | None] | None:
        """When ``node``'s value is base64 output: the expression that can be replaced by
        the string it encodes, and that string's source (both None when no simple rewrite
        exists); None when it is not base64."""
        if depth > 4:
            return None
        current: cst.BaseExpression = node
        through_method = False
        while isinstance(current, cst.Call):
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
            if not isinstance(current.func, cst.Attribute):
                return None
            # ``base64.b64encode(raw.encode()).decode("ascii")``: look through method calls.
            current = current.func.value
            through_method = True
        if isinstance(current, cst.Name):
            for definition in reversed(self.definitions(current)):
                if isinstance(definition, cst.FunctionDef):
                    continue
                found = self.base64_wrapper(definition, depth + 1)
                if found is not None:
                    # ``encoded.decode()``: rewriting the definition would break the call.
                    return (None, None) if through_method else found
        return None

    def _encoded_string(self, encoder: cst.Call) -> str | None:
        """``raw`` in ``b64encode(raw.encode(...))``: the str that was encoded."""
        if not encoder.args or encoder.args[0].keyword is not None:
            return None
        argument = encoder.args[0].value
        if (
            isinstance(argument, cst.Call)
            and isinstance(argument.func, cst.Attribute)
            and argument.func.attr.value == "encode"
        ):
            return self.values.source(argument.func.value)
        return None

    def _signature_edit(
        self,
        function: Function,
        bound: bool,
        positional: list[cst.Param],
        required: int,
        maximum: int | None,
    ) -> Edit | None:
        """The edit that lets the callable take no argument and one (the SASL challenge)."""
        if required == 0 and (maximum is None or maximum >= 1):
            return None
        code = self.values.text.code
        params = function.params
        if required == 1 and len(positional) == 1:
            param = positional[0]
            if param.annotation is None:
                at = self.values.span(param.name).end
                return Edit(at, at, "=None")
            at = self.values.span(param.annotation).end
            return Edit(at, at, " = None")
        star = isinstance(params.star_arg, (cst.Param, cst.ParamStar))
        if positional or star or params.kwonly_params or isinstance(params.star_kwarg, cst.Param):
            return None  # several parameters, or keyword-only ones: left to the author
        if bound:
            first = [*params.posonly_params, *params.params][0]
            at = self.values.span(first.name).end
            return Edit(at, at, ", challenge=None")
        span = self.values.span(function)
        if isinstance(function, cst.Lambda):
            start = code.index("lambda", span.start) + len("lambda")
            colon = self.values.span(function.body).start - 1
            while colon > start and code[colon] != ":":
                colon -= 1
            return Edit(start, colon, " challenge=None")
        name_end = self.values.span(function.name).end
        paren = code.find("(", name_end)
        if paren < 0:
            return None
        return Edit(paren + 1, paren + 1, "challenge=None")

    # Where values come from.

    def sources(self, node: cst.BaseExpression | None) -> tuple[Span, ...]:
        """Spans of the calls whose results may reach ``node``'s value."""
        if node is None:
            return ()
        calls: list[cst.Call] = []
        seen: set[int] = set()
        stack: list[tuple[cst.CSTNode, int]] = [(node, 0)]
        while stack and len(seen) < _MAX_NODES:
            current, depth = stack.pop()
            if id(current) in seen or depth > _MAX_DEPTH:
                continue
            seen.add(id(current))
            stack.extend((child, depth + 1) for child in self._feeders(current, calls))
        return tuple(self.values.span(call) for call in calls)

    def _feeders(self, node: cst.CSTNode, calls: list[cst.Call]) -> list[cst.CSTNode]:
        """The expressions ``node``'s value is made from (and ``node`` itself if a call)."""
        if isinstance(node, cst.Call):
            calls.append(node)
            feeders: list[cst.CSTNode] = [arg.value for arg in node.args]
            local = self.function(node.func)
            if local is not None:
                feeders.extend(self.results(local[0]))
            elif isinstance(node.func, cst.Attribute):
                feeders.append(node.func.value)
            return feeders
        if isinstance(node, cst.Name):
            feeders = []
            for definition in self.definitions(node):
                if isinstance(definition, cst.FunctionDef):
                    feeders.extend(self.results(definition))
                else:
                    feeders.append(definition)
            return feeders
        if isinstance(node, cst.Lambda):
            return [node.body]
        if isinstance(node, cst.Attribute):
            local = self.function(node)
            if local is not None:
                return list(self.results(local[0]))
            if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
                klass = self.values.enclosing_class(node)
                if klass is not None:
                    return list(self.values.class_attributes(klass).get(node.attr.value, ()))
            return [node.value]
        if isinstance(node, cst.Subscript):
            return [node.value]
        if isinstance(node, cst.Await):
            return [node.expression]
        if isinstance(node, cst.FormattedString):
            return [
                part.expression
                for part in node.parts
                if isinstance(part, cst.FormattedStringExpression)
            ]
        if isinstance(node, (cst.BinaryOperation, cst.BooleanOperation)):
            return [node.left, node.right]
        if isinstance(node, cst.ConcatenatedString):
            return [node.left, node.right]
        if isinstance(node, cst.IfExp):
            return [node.body, node.orelse]
        if isinstance(node, (cst.Tuple, cst.List)):
            return [element.value for element in node.elements]
        return []
