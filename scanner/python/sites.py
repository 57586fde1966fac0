"""Call sites: a call as a library adapter sees it (:class:`CallSite`).

Arguments bound to the library's parameters and evaluated, their spans, where
statements can be inserted around the call, the name the connection it opens is
bound to, and what the front end can tell about argument expressions when an
adapter asks (callables, SSL contexts, qualified names, where values come from).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..model import Span, Value, Verification
from ..remedies import Edit
from ..secrets import secret_arguments
from .adapters.base import CallableInfo, CallSite, Guard
from .arguments import call_arguments
from .contexts import Contexts
from .flow import Flow
from .forwarders import forwarded, merged_arguments
from .source import Anchor, SourceText, dotted_name
from .symbols import BLOCK_STATEMENTS, FUNCTIONS, Symbols
from .templates import template
from .values import Evaluator
from .written_dicts import written_dict

# Statements that hold others: a call inside one is not a statement of its own.
_COMPOUND = (*BLOCK_STATEMENTS, *FUNCTIONS, ast.ClassDef)


def attribute_sets(symbols: Symbols) -> list[tuple[ast.Attribute, ast.expr]]:
    """``target.attr = value`` assignments of the module, in source order."""
    return [
        (target, statement.value)
        for statement in symbols.assignments
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Attribute)
    ]


class CallSites:
    def __init__(
        self,
        values: Evaluator,
        flow: Flow,
        opens: Callable[[ast.Call], bool],
        overrides: Callable[[ast.Call], frozenset[str]],
    ) -> None:
        self.values = values
        self.flow = flow
        self.text: SourceText = values.text
        self.contexts = Contexts(values, values.text)
        self.parents = values.parents
        # Whether a call opens a connection, and the methods a client subclass overrides.
        self.opens = opens
        self.overrides = overrides
        # What the calls seen get as a password, secret or token, to be masked in output.
        self.secret_values: list[Value] = []

    def bare(self, node: ast.AST, name: str, receiver: str | None) -> CallSite:
        """A call site without a call: a preset object's first use, an attribute assignment."""
        span = self.values.span(node)
        return CallSite(
            qualified_name=name,
            span=span,
            callee_span=span,
            args={},
            arg_spans={},
            close_offset=span.end,
            trailing_comma=False,
            has_arguments=False,
            receiver=receiver,
            code=self.text.code,
        )

    def site(
        self, call: ast.Call, name: str, params: tuple[str, ...], receiver: str | None = None
    ) -> CallSite:
        span = self.values.span(call)
        args: dict[str, Value] = {}
        arg_spans: dict[str, Span] = {}
        extra: dict[str, Value] = {}
        nodes: dict[str, ast.expr] = {}
        positional = 0
        positions_known = True  # false after a ``*args`` whose length is not known
        hidden = False  # a ``**`` spread whose keys are not known
        spread_keys: set[str] = set()  # keys a ``**kwargs`` parameter gets from its callers
        own = call_arguments(call)
        through = forwarded(self.values, call.func)
        arguments = own if through is None else merged_arguments(through, call)
        for argument in arguments:
            if isinstance(argument, ast.Starred):
                spread = self.values.evaluate(argument.value)
                items = spread.items or _picked_items(spread)
                if items is None or not positions_known:
                    positions_known = False
                    continue
                # ``SMTP_SSL(*SERVER)`` with ``SERVER = ("smtp.office365.com", 465)``.
                for item in items:
                    if positional < len(params):
                        args[params[positional]] = item
                    positional += 1
                continue
            if isinstance(argument, ast.keyword) and argument.arg is None:
                spread = self.values.evaluate(argument.value)
                if spread.known and isinstance(spread.value, dict):
                    for key, item in spread.value.items():
                        if isinstance(key, str) and isinstance(item, Value):
                            (args if key in params else extra)[key] = item
                passed = self._keys_passed(argument.value)
                if passed is not None:
                    spread_keys |= passed
                    continue
                written = written_dict(self.values.symbols, argument.value)
                if written is not None:
                    # Its keys are the keywords passed: one it lacks is not passed, one it
                    # holds is its value's expression (a context is read as if passed by
                    # keyword; it has no keyword's span, so no fix rewrites the entry).
                    for key, item in written:
                        spread_keys.add(key)
                        nodes.setdefault(key, item)
                        if key not in args and key not in extra:
                            (args if key in params else extra)[key] = self.values.evaluate(item)
                    continue
                # ``**options`` bound on several paths may hold any keyword: no fix adds one.
                hidden = hidden or not isinstance(argument.value, ast.Dict)
                continue
            if isinstance(argument, ast.keyword):
                key = argument.arg
                node = argument.value
            else:
                if not positions_known or positional >= len(params):
                    positional += 1
                    continue
                key = params[positional]
                positional += 1
                node = argument
            value = self.values.evaluate(node)
            (args if key in params or not isinstance(argument, ast.keyword) else extra)[key] = value
            arg_spans[key] = self.values.span(argument)
            nodes[key] = node
        self.secret_values += secret_arguments({**extra, **args})
        statement, before = self._statement_of(call)
        bound_receiver, after = receiver, None
        overrides: frozenset[str] = frozenset()
        if self.opens(call):
            bound_receiver, after = self._binding_site(call)
            overrides = self.overrides(call)
        return CallSite(
            qualified_name=name,
            span=span,
            callee_span=self.values.span(call.func),
            args=args,
            arg_spans=arg_spans,
            close_offset=span.end - 1,
            trailing_comma=self._trailing_comma(call, own),
            has_arguments=bool(own),
            extra_keywords=extra,
            statement=statement,
            before=before,
            alone=statement is not None and self._alone_in_block(call),
            guard=lambda: self._guard(call),
            receiver=bound_receiver,
            after=after,
            callable=lambda key: self._callable(nodes.get(key)),
            code=self.text.code,
            verification=lambda key, default=Verification.UNVERIFIED: (
                Verification.UNKNOWN
                if (hidden or key in spread_keys) and key not in nodes
                else self.contexts.verification(nodes.get(key), default)[0]
            ),
            opt_out=lambda key, default=Verification.UNVERIFIED: self.contexts.verification(
                nodes.get(key), default
            )[1],
            context_fix=lambda key: self.contexts.fix(nodes.get(key)),
            qualified=lambda key: (
                frozenset(self.values.qualified_names(nodes[key])) if key in nodes else frozenset()
            ),
            sources=lambda key: self.flow.sources(nodes.get(key)),
            template=lambda key: template(self.values, nodes.get(key)),
            overrides=overrides,
            pinned_below=lambda distribution, release: _pinned_below(
                self.values.path, distribution, release
            ),
        )

    def _keys_passed(self, node: ast.expr) -> set[str] | None:
        """The keywords a function's ``**kwargs`` gets from the calls of the module (``def
        _create_server(self, **kwargs): return SMTP_SSL(**kwargs)`` called as
        ``self._create_server(host=..., port=...)``): those the calls name beyond the
        function's own parameters. None when it is not such a parameter, no call here
        names it, or a call spreads arguments of its own."""
        if not isinstance(node, ast.Name):
            return None
        bindings = self.values.bindings(node)
        function = self.values.enclosing_function(node)
        if (
            len(bindings) != 1
            or function is None
            or function.args.kwarg is None
            or bindings[0].node is not function.args.kwarg
        ):
            return None
        own = {a.arg for a in (*function.args.posonlyargs, *function.args.args)}
        own |= {a.arg for a in function.args.kwonlyargs}
        calls = self.values.callers.of(function)
        if not calls:
            return None
        keys: set[str] = set()
        for call, _ in calls:
            if any(isinstance(a, ast.Starred) for a in call.args) or any(
                k.arg is None for k in call.keywords
            ):
                return None
            keys |= {k.arg for k in call.keywords if k.arg is not None and k.arg not in own}
        return keys

    def _trailing_comma(self, call: ast.Call, arguments: list[ast.expr | ast.keyword]) -> bool:
        """Whether a comma follows the last argument: between it and the closing
        parenthesis there is only that comma, closing parentheses, space and comments."""
        if not arguments:
            return False
        code = self.text.code
        at = self.values.span(arguments[-1]).end
        close = self.values.span(call).end - 1
        while at < close:
            char = code[at]
            if char == ",":
                return True
            if char == "#":
                at = code.find("\n", at)
                if at < 0:
                    return False
            at += 1
        return False

    def _statement_of(self, call: ast.Call) -> tuple[Span | None, Anchor | None]:
        """The simple statement a call belongs to, when that statement stands on lines
        of its own in a block (so statements can be inserted before it)."""
        node: ast.AST = call
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, ast.stmt):
            if isinstance(parent, ast.Lambda):
                return None, None
            node, parent = parent, self.parents.get(parent)
        if parent is None or isinstance(parent, _COMPOUND):
            return None, None
        span = self.values.span(parent)
        indent = self.text.indent_of_line(span.line)
        if self.text.line_start(span.line) + len(indent) != span.start:
            return None, None
        if not self._alone_to_line_end(span.end):
            return None, None
        return span, Anchor(self.text.line_start(span.line), indent)

    def _alone_in_block(self, call: ast.Call) -> bool:
        """Whether the call's statement is the only statement of the block it is in."""
        node: ast.AST = call
        while not isinstance(node, ast.stmt):
            node = self.parents[node]
        block = self.parents.get(node)
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(block, field, None)
            if isinstance(statements, list) and node in statements:
                return len(statements) == 1
        return False

    def _guard(self, call: ast.Call) -> Guard | None:
        """The ``if`` without ``else`` whose body holds the call's statement directly."""
        node: ast.AST = call
        while not isinstance(node, ast.stmt):
            node = self.parents[node]
        guard = self.parents.get(node)
        if not isinstance(guard, ast.If) or guard.orelse or node not in guard.body:
            return None
        text = self.text
        body = tuple(self.values.source(s) for s in guard.body)
        if_span = self.values.span(guard)
        if not self._starts_line(if_span):
            return None
        first = self.values.span(guard.body[0])
        start = text.line_start(if_span.line)
        end = text.next_line_start(if_span.end_line) or len(text.code)
        indent = text.indent_of_line(if_span.line)
        code = text.code
        if first.line == if_span.line:  # ``if flag: smtp.starttls()``
            rest = code[first.start : end]
            return Guard(self.values.source(guard.test), body, Edit(start, end, indent + rest))
        header = code[start : text.line_start(first.line)]
        if "#" in header:
            return Guard(self.values.source(guard.test), body, None)
        inner = text.indent_of_line(first.line)
        lines = code[text.line_start(first.line) : end].splitlines(keepends=True)
        dedented = "".join(
            indent + line[len(inner) :] if line.startswith(inner) else line for line in lines
        )
        return Guard(self.values.source(guard.test), body, Edit(start, end, dedented))

    def _alone_to_line_end(self, offset: int) -> bool:
        """Nothing but space, a comment or a line continuation after ``offset`` on its
        line (no ``; other_statement``)."""
        code = self.text.code
        while offset < len(code) and code[offset] in " \t\f":
            offset += 1
        return offset >= len(code) or code[offset] in "#\r\n\\"

    def _binding_site(self, call: ast.Call) -> tuple[str | None, Anchor | None]:
        """Where the connection a constructor opens is bound, and where statements can
        follow (after the assignment, or at the top of the ``with`` body)."""
        parent = self.parents.get(call)
        if isinstance(parent, ast.withitem) and parent.optional_vars is not None:
            receiver = dotted_name(parent.optional_vars)
            with_node = self.parents.get(parent)
            if isinstance(with_node, (ast.With, ast.AsyncWith)):
                first = with_node.body[0]
                span = self.values.span(first)
                indent = self.text.indent_of_line(span.line)
                if span.line > self.values.span(with_node).line and self._starts_line(span):
                    return receiver, Anchor(self.text.line_start(span.line), indent)
            return receiver, None
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
            target = parent.targets[0] if isinstance(parent, ast.Assign) else parent.target
            receiver = dotted_name(target)
            statement, _ = self._statement_of(call)
            if statement is None:
                return receiver, None
            next_line = self.text.next_line_start(statement.end_line)
            if next_line is None:
                return receiver, None
            return receiver, Anchor(next_line, self.text.indent_of_line(statement.line))
        return None, None

    def _starts_line(self, span: Span) -> bool:
        indent = self.text.indent_of_line(span.line)
        return self.text.line_start(span.line) + len(indent) == span.start

    # What the front end can tell about argument expressions.

    def _callable(self, node: ast.AST | None) -> CallableInfo | None:
        return self.flow.callable_info(node) if node is not None else None


def _picked_items(spread: Value) -> tuple[Value, ...] | None:
    """``SMTP(*SERVERS[provider])``: a row picked at run time among rows of one length;
    each item is one of the rows' items at its place (as ``host, port = ...`` is)."""
    rows = spread.choices if not spread.known else None
    if not rows or any(r.items is None for r in rows):
        return None
    width = len(rows[0].items)  # type: ignore[arg-type]
    if any(len(r.items) != width for r in rows):  # type: ignore[arg-type]
        return None
    return tuple(
        Value(False, origin=spread.origin, choices=tuple(r.items[i] for r in rows))  # type: ignore[index]
        for i in range(width)
    )


def _pinned_below(path: str | None, distribution: str, release: tuple[int, ...]) -> bool:
    # Imported when an adapter asks (aiosmtplib's code only): the declaration readers
    # compile their patterns at import, which a check of other mail code does not need.
    from ..fixes.dependencies import pinned_below

    return pinned_below(path, distribution, release)
