"""The Python front end: parse with ``ast``, find mail clients, build the mail model.

It finds calls that open a connection (by qualified name, whatever the import
style), follows the connection through names, ``with`` targets, ``self``
attributes, factory functions that return it and inline call chains, and hands
each call to the library adapter that knows what it means.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Connection, MailFile, Span, Value, Verification
from .adapters import ADAPTERS
from .adapters.base import Adapter, CallableInfo, CallSite, ClientSpec, FunctionSpec, MethodSpec
from .fallback import scan_unparsable
from .flow import Flow
from .parse import gc_paused, parse_python
from .relevance import Relevance
from .settings_source import read_python_settings
from .source import Anchor, SourceText, dotted_name
from .symbols import FUNCTIONS, Symbols
from .values import Evaluator, call_arguments, positional_params

_VERIFYING_FACTORIES = {"ssl.create_default_context"}
_UNVERIFIED_FACTORIES = {"ssl._create_unverified_context", "ssl._create_stdlib_context"}
# Statements that hold others: a call inside one is not a statement of its own.
_COMPOUND = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
    *FUNCTIONS,
    ast.ClassDef,
)
_TRY_STAR = (ast.TryStar,) if hasattr(ast, "TryStar") else ()

Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class _Binding:
    conn: Connection
    adapter: Adapter
    receiver: str
    function: Function | None  # where a plain name is bound
    klass: ast.ClassDef | None  # where ``self.x`` is bound
    offset: int


class PythonFrontEnd:
    def __init__(self, adapters: Iterable[Adapter] = ADAPTERS) -> None:
        self.adapters = tuple(adapters)
        self.clients: dict[str, tuple[Adapter, ClientSpec]] = {}
        self.functions: dict[str, tuple[Adapter, FunctionSpec]] = {}
        self.presets: dict[str, tuple[Adapter, ClientSpec]] = {}
        self.object_methods: dict[str, tuple[Adapter, FunctionSpec]] = {}
        for adapter in self.adapters:
            for name, spec in adapter.clients.items():
                self.clients[name] = (adapter, spec)
            for name, function in adapter.functions.items():
                self.functions[name] = (adapter, function)
            for name, spec in adapter.presets.items():
                self.presets[name] = (adapter, spec)
            for name, function in adapter.object_methods.items():
                self.object_methods[name] = (adapter, function)
        # Cheap filters before qualified names are asked for.
        self.preset_names = {name.rsplit(".", 1)[-1] for name in self.presets}
        self.attribute_names = {name for a in self.adapters for name in a.attributes}
        # A preset object is used through its methods (``outlook.send(...)``).
        preset_calls = {
            f"{name}.{method}"
            for name, (adapter, _) in self.presets.items()
            for method in adapter.methods
        }
        self.relevance = Relevance(
            frozenset(self.clients) | frozenset(self.functions) | preset_calls,
            frozenset(self.object_methods),
        )

    def analyze(self, path: str, data: bytes) -> MailFile:
        with gc_paused():
            parsed = parse_python(data)
            if not self.relevance.matters(parsed.tree):
                mail = MailFile(path=path, kind="python", analyzed=False)
            else:
                mail = _ModuleAnalysis(self, path, parsed.tree, parsed.text).run()
        if parsed.left_out:
            mail.not_checked = [left.error for left in parsed.left_out]
            # What the token-level scan finds in the statements left out: nothing is lost.
            for conn in scan_unparsable(path, data).connections:
                line = conn.opened_at.line
                if any(left.first_line <= line <= left.last_line for left in parsed.left_out):
                    mail.connections.append(conn)
        return mail


class _ModuleAnalysis:
    def __init__(self, front: PythonFrontEnd, path: str, tree: ast.Module, code: str) -> None:
        self.front = front
        self.tree = tree
        self.symbols = Symbols(tree)
        self.text = SourceText(code)
        self.values = Evaluator(self.symbols, self.text, path)
        self.parents = self.symbols.parents
        self.mail = MailFile(path=path, kind="python")
        self.bindings: list[_Binding] = []
        self.opened: dict[ast.Call, tuple[Connection, Adapter]] = {}
        self.factories: dict[str, tuple[Connection, Adapter]] = {}
        self.flow = Flow(self.values)
        self.presets: dict[str, tuple[Connection, Adapter]] = {}
        self.subclasses = self._client_subclasses()

    # The passes.

    def run(self) -> MailFile:
        calls = self.symbols.calls
        for call in calls:
            name = self._client_name(call)
            if name is None:
                continue
            adapter, spec = self.front.clients[name]
            site = self._site(call, name, spec.params)
            conn = spec.open(site)
            if conn is None:
                continue
            # Remedies of one constructor call exclude each other within a round.
            conn.remedies = {
                kind: dataclasses.replace(remedy, target=site.span.start)
                for kind, remedy in conn.remedies.items()
            }
            self.mail.connections.append(conn)
            self.opened[call] = (conn, adapter)
            self._bind(call, conn, adapter)
        self._bind_factories()
        self._bind_aliases()
        self._bind_arguments()
        # Mail functions first, inner calls before the calls they are arguments of
        # (``Configuration(credentials=Credentials(u, p))``), so that what they record
        # (token requests, credentials) is there when calls on connections look for it.
        for call in sorted(calls, key=lambda c: self.values.span(c).end):
            self._function_call(call)
        events: list[tuple[int, ast.Call | tuple[ast.Attribute, ast.expr]]] = [
            (self.values.span(call).start, call) for call in calls
        ]
        events += [
            (self.values.span(target).start, (target, value))
            for target, value in self._attribute_sets()
            if target.attr in self.front.attribute_names
        ]
        # The functions that open connections run first: a factory written below its
        # caller still upgrades the connection before the caller logs in with it.
        openers = {
            id(self.values.enclosing_function(call))
            for call in self.opened
            if self._client_name(call) is not None  # constructors, not factory calls
        }

        def order(event: tuple[int, object]) -> tuple[int, int]:
            node = event[1] if isinstance(event[1], ast.Call) else event[1][0]  # type: ignore[index]
            opener = id(self.values.enclosing_function(node)) in openers
            return (0 if opener else 1, event[0])

        for _, event in sorted(events, key=order):
            if isinstance(event, ast.Call):
                self._method_call(event)
            else:
                self._attribute_set(*event)
        self._link_tokens()
        read_python_settings(self.tree, self.symbols, self.values, self.mail)
        return self.mail

    def _attribute_sets(self) -> list[tuple[ast.Attribute, ast.expr]]:
        return [
            (target, statement.value)
            for statement in self.symbols.assignments
            if isinstance(statement, ast.Assign)
            for target in statement.targets
            if isinstance(target, ast.Attribute)
        ]

    def _client_name(self, call: ast.Call) -> str | None:
        for name in self.values.qualified_names(call.func):
            if name in self.front.clients:
                return name
        subclass = self._subclass_of(call.func)
        return subclass[0] if subclass else None

    def _client_subclasses(self) -> dict[ast.ClassDef, str]:
        """Classes of this module that subclass a client class without their own
        ``__init__`` (so the client's parameters still apply), by the client they extend."""
        found: dict[ast.ClassDef, str] = {}
        for klass in self.symbols.classes:  # outer classes come first
            if any(isinstance(s, FUNCTIONS) and s.name == "__init__" for s in klass.body):
                continue
            for base in klass.bases:
                names = self.values.qualified_names(base)
                client = next((n for n in names if n in self.front.clients), None)
                local = self.values.class_named(base)
                if client is None and local is not None:
                    client = found.get(local)
                if client is not None:
                    found[klass] = client
                    break
        return found

    def _subclass_of(self, func: ast.AST) -> tuple[str, ast.ClassDef] | None:
        klass = self.values.class_named(func) if self.subclasses else None
        if klass is None or klass not in self.subclasses:
            return None
        return self.subclasses[klass], klass

    # Bindings: where a connection object lives.

    def _bind(self, call: ast.Call, conn: Connection, adapter: Adapter) -> None:
        parent = self.parents.get(call)
        target: ast.AST | None = None
        if isinstance(parent, ast.Assign) and parent.value is call:
            target = parent.targets[0]
        elif isinstance(parent, ast.AnnAssign) and parent.value is call:
            target = parent.target
        elif isinstance(parent, ast.withitem) and parent.context_expr is call:
            target = parent.optional_vars
        elif isinstance(parent, ast.Return):
            function = self.values.enclosing_function(call)
            if function is not None:
                self.factories[function.name] = (conn, adapter)
            return
        if target is not None:
            self._add_binding(target, call, conn, adapter)

    def _add_binding(
        self, target: ast.AST, at: ast.AST, conn: Connection, adapter: Adapter
    ) -> None:
        receiver = dotted_name(target)
        if receiver is None:
            return
        function = self.values.enclosing_function(at)
        klass = None
        if receiver.startswith("self."):
            klass = self.values.enclosing_class(at)
            function = None
        offset = self.values.span(at).start
        self.bindings.append(_Binding(conn, adapter, receiver, function, klass, offset))

    def _bind_factories(self) -> None:
        # ``return server`` where ``server`` holds a connection makes a factory too.
        for node in self.symbols.returns:
            if node.value is None:
                continue
            receiver = dotted_name(node.value)
            binding = self._binding_for(receiver, node) if receiver else None
            function = self.values.enclosing_function(node)
            if binding is not None and function is not None:
                self.factories[function.name] = (binding.conn, binding.adapter)
        if not self.factories:
            return
        for call in self.symbols.calls:
            func = call.func
            name = None
            if isinstance(func, ast.Name):
                name = func.id
            elif isinstance(func, ast.Attribute) and dotted_name(func.value) in ("self", "cls"):
                name = func.attr
            if name in self.factories:
                conn, adapter = self.factories[name]
                self.opened[call] = (conn, adapter)
                self._bind(call, conn, adapter)

    def _bind_aliases(self) -> None:
        # ``self.smtp = server``: the connection now lives under a second name.
        for statement in self.symbols.assignments:
            if not isinstance(statement, ast.Assign):
                continue
            value = statement.value
            if not isinstance(value, (ast.Name, ast.Attribute)):
                continue
            receiver = dotted_name(value)
            binding = self._binding_for(receiver, value) if receiver else None
            if binding is None:
                continue
            for target in statement.targets:
                self._add_binding(target, value, binding.conn, binding.adapter)

    def _bind_arguments(self) -> None:
        """``send_with(server, ...)``: a connection handed to a function of this module is
        bound to that function's parameter (``self.method(server)`` too)."""
        functions = {s.name: s for s in self.tree.body if isinstance(s, FUNCTIONS)}
        for call in self.symbols.calls:
            function = self._called_function(call, functions)
            if function is None:
                continue
            params = positional_params(function.args)
            if isinstance(call.func, ast.Attribute) and params:
                params = params[1:]  # self
            by_name = {p.arg: p for p in (*params, *function.args.kwonlyargs)}
            for index, argument in enumerate(call_arguments(call)):
                if isinstance(argument, ast.Starred):
                    continue
                value = argument.value if isinstance(argument, ast.keyword) else argument
                receiver = dotted_name(value)
                binding = self._binding_for(receiver, call) if receiver else None
                if binding is None:
                    continue
                if isinstance(argument, ast.keyword):
                    if argument.arg is None:
                        continue
                    param = by_name.get(argument.arg)
                else:
                    param = params[index] if index < len(params) else None
                if param is not None:
                    self.bindings.append(
                        _Binding(
                            binding.conn,
                            binding.adapter,
                            param.arg,
                            function,
                            None,
                            self.values.span(function).start,
                        )
                    )

    def _called_function(self, call: ast.Call, functions: dict[str, Function]) -> Function | None:
        func = call.func
        if isinstance(func, ast.Name):
            return functions.get(func.id)
        if isinstance(func, ast.Attribute) and dotted_name(func.value) == "self":
            klass = self.values.enclosing_class(call)
            if klass is not None:
                return next(
                    (s for s in klass.body if isinstance(s, FUNCTIONS) and s.name == func.attr),
                    None,
                )
        return None

    def _binding_for(self, receiver: str, at: ast.AST) -> _Binding | None:
        """The binding of ``receiver`` that reaches ``at``: the latest one before it in
        the same function, or in the same class for ``self.x``."""
        offset = self.values.span(at).start
        if receiver.startswith("self."):
            klass = self.values.enclosing_class(at)
            candidates = [b for b in self.bindings if b.receiver == receiver and b.klass is klass]
            earlier = [b for b in candidates if b.offset <= offset]
            pool = earlier or candidates
            return max(pool, key=lambda b: b.offset) if pool else None
        function = self.values.enclosing_function(at)
        candidates = [
            b
            for b in self.bindings
            if b.receiver == receiver
            and (b.function is function or b.function is None)
            and b.offset <= offset
        ]
        return max(candidates, key=lambda b: b.offset) if candidates else None

    # Calls on connections and mail functions.

    def _method_call(self, call: ast.Call) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        owner: tuple[Connection, Adapter] | None = None
        receiver = None
        if isinstance(func.value, ast.Call) and func.value in self.opened:
            owner = self.opened[func.value]
        else:
            owner, receiver = self._owner(func.value, call)
        if owner is None:
            return
        conn, adapter = owner
        spec: MethodSpec | None = adapter.methods.get(func.attr)
        if spec is None:
            return
        site = self._site(call, func.attr, spec.params, receiver=receiver)
        step = spec.apply(conn, site)
        if step is not None:
            conn.steps.append(step)

    def _owner(
        self, node: ast.AST, at: ast.AST
    ) -> tuple[tuple[Connection, Adapter] | None, str | None]:
        """The connection an expression holds (a bound name, or a preset object of a
        library), and its receiver text."""
        receiver = dotted_name(node)
        binding = self._binding_for(receiver, at) if receiver else None
        if binding is not None:
            return (binding.conn, binding.adapter), receiver
        if receiver is None or receiver.rsplit(".", 1)[-1] not in self.front.preset_names:
            return None, receiver
        for name in self.values.qualified_names(node):
            if name in self.front.presets:
                if name not in self.presets:
                    adapter, spec = self.front.presets[name]
                    conn = spec.open(self._bare_site(node, name, receiver))
                    if conn is None:
                        return None, receiver
                    self.mail.connections.append(conn)
                    self.presets[name] = (conn, adapter)
                return self.presets[name], receiver
        return None, receiver

    def _attribute_set(self, target: ast.Attribute, value: ast.expr) -> None:
        """``conn.password = ...`` on a connection whose adapter reads attributes."""
        owner, receiver = self._owner(target.value, target)
        if owner is None:
            return
        conn, adapter = owner
        spec = adapter.attributes.get(target.attr)
        if spec is None:
            return
        assignment = self.parents[target]
        site = self._bare_site(assignment, target.attr, receiver)
        site.args["value"] = self.values.evaluate(value)
        site.arg_spans["value"] = self.values.span(value)
        step = spec.apply(conn, site)
        if step is not None:
            conn.steps.append(step)

    def _bare_site(self, node: ast.AST, name: str, receiver: str | None) -> CallSite:
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

    def _function_call(self, call: ast.Call) -> None:
        for name in self.values.qualified_names(call.func):
            if name in self.front.functions:
                _, spec = self.front.functions[name]
                spec.record(self.mail, self._site(call, name, spec.params))
                return
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in self.front.object_methods:
            if isinstance(func.value, ast.Call) and func.value in self.opened:
                return
            owner, _ = self._owner(func.value, call)
            if owner is not None:
                return  # a method of a connection, which _method_call handles
            _, spec = self.front.object_methods[func.attr]
            site = self._site(call, func.attr, spec.params)
            site.receiver_value = self.values.evaluate(func.value)
            spec.record(self.mail, site)

    def _link_tokens(self) -> None:
        """Tell each XOAUTH2 authentication the scopes of the token requests its string
        comes from, and mark those requests as used for mail."""
        if not self.mail.token_requests:
            return
        requests = {request.span: request for request in self.mail.token_requests}
        for conn in self.mail.connections:
            for step in conn.steps:
                if step.xoauth2 is None:
                    continue
                linked = [requests[s] for s in step.xoauth2.token_sources if s in requests]
                for request in linked:
                    request.used_for_mail = True
                    if not step.xoauth2.token_scopes.known and request.scopes.known:
                        step.xoauth2.token_scopes = request.scopes

    # Call sites.

    def _site(
        self, call: ast.Call, name: str, params: tuple[str, ...], receiver: str | None = None
    ) -> CallSite:
        span = self.values.span(call)
        args: dict[str, Value] = {}
        arg_spans: dict[str, Span] = {}
        extra: dict[str, Value] = {}
        nodes: dict[str, ast.expr] = {}
        positional = 0
        positions_known = True  # false after a ``*args`` whose length is not known
        arguments = call_arguments(call)
        for argument in arguments:
            if isinstance(argument, ast.Starred):
                spread = self.values.evaluate(argument.value)
                if spread.items is None or not positions_known:
                    positions_known = False
                    continue
                # ``SMTP_SSL(*SERVER)`` with ``SERVER = ("smtp.office365.com", 465)``.
                for item in spread.items:
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
        statement, before = self._statement_of(call)
        bound_receiver, after = receiver, None
        overrides: frozenset[str] = frozenset()
        if call in self.opened or self._client_name(call) is not None:
            bound_receiver, after = self._binding_site(call)
            subclass = self._subclass_of(call.func)
            if subclass is not None:
                overrides = frozenset(s.name for s in subclass[1].body if isinstance(s, FUNCTIONS))
        return CallSite(
            qualified_name=name,
            span=span,
            callee_span=self.values.span(call.func),
            args=args,
            arg_spans=arg_spans,
            close_offset=span.end - 1,
            trailing_comma=self._trailing_comma(call, arguments),
            has_arguments=bool(arguments),
            extra_keywords=extra,
            statement=statement,
            before=before,
            receiver=bound_receiver,
            after=after,
            callable=lambda key: self._callable(nodes.get(key)),
            code=self.text.code,
            verification=lambda key: self._verification(nodes.get(key)),
            qualified=lambda key: (
                frozenset(self.values.qualified_names(nodes[key])) if key in nodes else frozenset()
            ),
            sources=lambda key: self.flow.sources(nodes.get(key)),
            overrides=overrides,
        )

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
        if parent is None or isinstance(parent, (*_COMPOUND, *_TRY_STAR)):
            return None, None
        span = self.values.span(parent)
        indent = self.text.indent_of_line(span.line)
        if self.text.line_start(span.line) + len(indent) != span.start:
            return None, None
        if not self._alone_to_line_end(span.end):
            return None, None
        return span, Anchor(self.text.line_start(span.line), indent)

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

    def _definition(self, node: ast.AST) -> ast.AST:
        """Follow a plain name to the expression assigned to it (one level)."""
        for binding in self.values.bindings(node):
            statement = self.parents.get(binding.node)
            if isinstance(statement, ast.Assign) and any(
                t is binding.node for t in statement.targets
            ):
                return statement.value
        return node

    def _verification(self, node: ast.AST | None) -> Verification:
        if node is None:
            return Verification.UNVERIFIED  # the stdlib's default context verifies nothing
        if isinstance(node, ast.Constant) and node.value is None:
            return Verification.UNVERIFIED
        definition = self._definition(node)
        if not isinstance(definition, ast.Call):
            return Verification.UNKNOWN
        names = self.values.qualified_names(definition.func)
        if names & _UNVERIFIED_FACTORIES:
            return Verification.UNVERIFIED
        verifying = bool(names & _VERIFYING_FACTORIES) or (
            "ssl.SSLContext" in names
            and any(
                "PROTOCOL_TLS_CLIENT" in self.values.source(a)
                for a in (*definition.args, *definition.keywords)
            )
        )
        if not verifying:
            return Verification.UNKNOWN
        name = dotted_name(node)
        for attribute, value in self._attribute_sets():
            if name is None or dotted_name(attribute.value) != name:
                continue
            setting = self.values.source(value)
            if attribute.attr == "check_hostname" and setting == "False":
                return Verification.UNVERIFIED
            if attribute.attr == "verify_mode" and "CERT_NONE" in setting:
                return Verification.UNVERIFIED
        return Verification.VERIFIED

    def _callable(self, node: ast.AST | None) -> CallableInfo | None:
        return self.flow.callable_info(node) if node is not None else None
