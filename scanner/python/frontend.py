"""The Python front end: parse with LibCST, find mail clients, build the mail model.

It finds calls that open a connection (by qualified name, whatever the import
style), follows the connection through names, ``with`` targets, ``self``
attributes, factory functions that return it and inline call chains, and hands
each call to the library adapter that knows what it means.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import (
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)

from ..errors import ParseError
from ..model import Connection, MailFile, Span, Value, Verification
from .adapters import ADAPTERS
from .adapters.base import Adapter, CallableInfo, CallSite, ClientSpec, FunctionSpec, MethodSpec
from .flow import Flow
from .relevance import focus
from .settings_source import read_python_settings
from .source import Anchor, SourceText, dotted_name
from .values import Evaluator

# Shapes only Python 2 has: print and exec statements, "except X, e:", backticks.
_PYTHON2 = re.compile(
    rb"^[ \t]*(?:print[ \t]+[^\s(=]|exec[ \t]+[\"']|except[^:\n]*,[ \t]*\w+[ \t]*:)|`\w",
    re.MULTILINE,
)
_VERIFYING_FACTORIES = {"ssl.create_default_context"}
_UNVERIFIED_FACTORIES = {"ssl._create_unverified_context", "ssl._create_stdlib_context"}


@dataclass
class _Binding:
    conn: Connection
    adapter: Adapter
    receiver: str
    function: cst.FunctionDef | None  # where a plain name is bound
    klass: cst.ClassDef | None  # where ``self.x`` is bound
    offset: int


class _Calls(cst.CSTVisitor):
    """Every call, and every attribute assignment (``ctx.verify_mode = ...``), in order."""

    def __init__(self) -> None:
        self.calls: list[cst.Call] = []
        self.attribute_sets: list[tuple[cst.Attribute, cst.BaseExpression]] = []
        self.aliases: list[tuple[cst.BaseAssignTargetExpression, cst.BaseExpression]] = []
        self.returns: list[cst.Return] = []
        self.classes: list[cst.ClassDef] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Attribute):
                self.attribute_sets.append((target.target, node.value))
            if isinstance(node.value, (cst.Name, cst.Attribute)):
                self.aliases.append((target.target, node.value))

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node)


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
        self.relevant_names = frozenset(self.clients) | frozenset(self.functions) | preset_calls
        self.relevant_methods = frozenset(self.object_methods)
        self.connection_methods = frozenset(m for a in self.adapters for m in a.methods)

    def analyze(self, path: str, data: bytes) -> MailFile:
        relevant, focused = focus(
            data, self.relevant_names, self.relevant_methods, self.connection_methods
        )
        if not relevant:
            return MailFile(path=path, kind="python", analyzed=False)
        try:
            module = cst.parse_module(focused if focused is not None else data)
        except cst.ParserSyntaxError as error:
            text, position = _syntax_error(data, error)
            if _PYTHON2.search(data):
                text += " (Python 2 code)"
            raise ParseError(text, **position) from None
        except (UnicodeDecodeError, LookupError, SyntaxError) as error:
            raise ParseError(f"cannot decode: {error}") from None
        except RecursionError:
            raise ParseError("too deeply nested to parse") from None
        try:
            return _ModuleAnalysis(self, path, module).run()
        except RecursionError:
            raise ParseError("too deeply nested to analyse") from None


def _syntax_error(data: bytes, error: cst.ParserSyntaxError) -> tuple[str, dict]:
    """The message and position of CPython's own parser for a file LibCST could not parse
    (LibCST's position is often a line late, or the end of the file)."""
    try:
        compile(data, "<file>", "exec", flags=0x400, dont_inherit=True)  # ast.PyCF_ONLY_AST
    except SyntaxError as problem:
        return f"syntax error: {problem.msg}", {"line": problem.lineno, "column": problem.offset}
    except (ValueError, MemoryError, RecursionError):
        pass
    # Valid for this Python, not for LibCST: its native parser's message has the position.
    where = re.search(r"error at (\d+):(\d+)", error.message)
    if where:
        return "syntax error", {"line": int(where.group(1)), "column": int(where.group(2))}
    return "syntax error: " + error.message.split(":", 1)[-1].strip(), {}


class _ModuleAnalysis:
    def __init__(self, front: PythonFrontEnd, path: str, module: cst.Module) -> None:
        self.front = front
        self.module = module
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        metadata = wrapper.resolve_many([PositionProvider, ParentNodeProvider, ScopeProvider])
        self.text = SourceText(module.code)
        self.values = Evaluator(module, metadata, self.text, path)
        self.parents = metadata[ParentNodeProvider]
        self.mail = MailFile(path=path, kind="python")
        self.collected = _Calls()
        wrapper.module.visit(self.collected)
        self.bindings: list[_Binding] = []
        self.opened: dict[cst.Call, tuple[Connection, Adapter]] = {}
        self.factories: dict[str, tuple[Connection, Adapter]] = {}
        self.flow = Flow(self.values, self.collected.returns)
        self.presets: dict[str, tuple[Connection, Adapter]] = {}
        self.subclasses = self._client_subclasses()

    # The passes.

    def run(self) -> MailFile:
        for adapter in self.front.adapters:
            for reader in getattr(adapter, "value_readers", ()):
                self.values.call_readers.append(reader)
        for call in self.collected.calls:
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
        for call in sorted(self.collected.calls, key=lambda c: self.values.span(c).end):
            self._function_call(call)
        events: list[tuple[int, cst.Call | tuple[cst.Attribute, cst.BaseExpression]]] = [
            (self.values.span(call).start, call) for call in self.collected.calls
        ]
        events += [
            (self.values.span(t).start, (t, v))
            for t, v in self.collected.attribute_sets
            if t.attr.value in self.front.attribute_names
        ]
        # The functions that open connections run first: a factory written below its
        # caller still upgrades the connection before the caller logs in with it.
        openers = {
            id(self.values.enclosing_function(call))
            for call in self.opened
            if self._client_name(call) is not None  # constructors, not factory calls
        }

        def order(event: tuple[int, object]) -> tuple[int, int]:
            node = event[1] if isinstance(event[1], cst.Call) else event[1][0]
            opener = id(self.values.enclosing_function(node)) in openers
            return (0 if opener else 1, event[0])

        for _, event in sorted(events, key=order):
            if isinstance(event, cst.Call):
                self._method_call(event)
            else:
                self._attribute_set(*event)
        self._link_tokens()
        read_python_settings(self.module, self.values, self.mail)
        return self.mail

    def _client_name(self, call: cst.Call) -> str | None:
        for name in self.values.qualified_names(call.func):
            if name in self.front.clients:
                return name
        subclass = self._subclass_of(call.func)
        return subclass[0] if subclass else None

    def _client_subclasses(self) -> dict[cst.ClassDef, str]:
        """Classes of this module that subclass a client class without their own
        ``__init__`` (so the client's parameters still apply), by the client they extend."""
        found: dict[cst.ClassDef, str] = {}
        for klass in self.collected.classes:  # outer classes come first
            if any(
                isinstance(s, cst.FunctionDef) and s.name.value == "__init__"
                for s in klass.body.body
            ):
                continue
            for base in klass.bases:
                names = self.values.qualified_names(base.value)
                client = next((n for n in names if n in self.front.clients), None)
                local = self._class_of(base.value)
                if client is None and local is not None:
                    client = found.get(local)
                if client is not None:
                    found[klass] = client
                    break
        return found

    def _class_of(self, node: cst.BaseExpression) -> cst.ClassDef | None:
        if not isinstance(node, cst.Name):
            return None
        scope = self.values.scopes.get(node)
        if scope is None:
            return None
        for assignment in scope[node.value]:
            if isinstance(getattr(assignment, "node", None), cst.ClassDef):
                return assignment.node
        return None

    def _subclass_of(self, func: cst.BaseExpression) -> tuple[str, cst.ClassDef] | None:
        klass = self._class_of(func) if self.subclasses else None
        if klass is None or klass not in self.subclasses:
            return None
        return self.subclasses[klass], klass

    # Bindings: where a connection object lives.

    def _bind(self, call: cst.Call, conn: Connection, adapter: Adapter) -> None:
        parent = self.parents.get(call)
        target: cst.BaseExpression | None = None
        if isinstance(parent, cst.Assign):
            target = parent.targets[0].target
        elif isinstance(parent, cst.AnnAssign):
            target = parent.target
        elif isinstance(parent, cst.WithItem) and parent.asname is not None:
            target = parent.asname.name
        elif isinstance(parent, cst.Return):
            function = self.values.enclosing_function(call)
            if function is not None:
                self.factories[function.name.value] = (conn, adapter)
            return
        if target is not None:
            self._add_binding(target, call, conn, adapter)

    def _add_binding(
        self, target: cst.BaseExpression, at: cst.CSTNode, conn: Connection, adapter: Adapter
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
        for node in self.collected.returns:
            if node.value is None:
                continue
            receiver = dotted_name(node.value)
            binding = self._binding_for(receiver, node) if receiver else None
            function = self.values.enclosing_function(node)
            if binding is not None and function is not None:
                self.factories[function.name.value] = (binding.conn, binding.adapter)
        if not self.factories:
            return
        for call in self.collected.calls:
            func = call.func
            name = None
            if isinstance(func, cst.Name):
                name = func.value
            elif isinstance(func, cst.Attribute) and dotted_name(func.value) in ("self", "cls"):
                name = func.attr.value
            if name in self.factories:
                conn, adapter = self.factories[name]
                self.opened[call] = (conn, adapter)
                self._bind(call, conn, adapter)

    def _bind_aliases(self) -> None:
        # ``self.smtp = server``: the connection now lives under a second name.
        for target, value in self.collected.aliases:
            receiver = dotted_name(value)
            binding = self._binding_for(receiver, value) if receiver else None
            if binding is not None:
                self._add_binding(target, value, binding.conn, binding.adapter)

    def _bind_arguments(self) -> None:
        """``send_with(server, ...)``: a connection handed to a function of this module is
        bound to that function's parameter (``self.method(server)`` too)."""
        functions = {s.name.value: s for s in self.module.body if isinstance(s, cst.FunctionDef)}
        for call in self.collected.calls:
            function = self._called_function(call, functions)
            if function is None:
                continue
            params = [*function.params.posonly_params, *function.params.params]
            if isinstance(call.func, cst.Attribute) and params:
                params = params[1:]  # self
            by_name = {p.name.value: p for p in (*params, *function.params.kwonly_params)}
            for index, arg in enumerate(call.args):
                receiver = dotted_name(arg.value)
                binding = self._binding_for(receiver, call) if receiver else None
                if binding is None or arg.star:
                    continue
                if arg.keyword is not None:
                    param = by_name.get(arg.keyword.value)
                else:
                    param = params[index] if index < len(params) else None
                if param is not None:
                    self.bindings.append(
                        _Binding(
                            binding.conn,
                            binding.adapter,
                            param.name.value,
                            function,
                            None,
                            self.values.span(function).start,
                        )
                    )

    def _called_function(
        self, call: cst.Call, functions: dict[str, cst.FunctionDef]
    ) -> cst.FunctionDef | None:
        func = call.func
        if isinstance(func, cst.Name):
            return functions.get(func.value)
        if isinstance(func, cst.Attribute) and dotted_name(func.value) == "self":
            klass = self.values.enclosing_class(call)
            if klass is not None:
                return next(
                    (
                        s
                        for s in klass.body.body
                        if isinstance(s, cst.FunctionDef) and s.name.value == func.attr.value
                    ),
                    None,
                )
        return None

    def _binding_for(self, receiver: str, at: cst.CSTNode) -> _Binding | None:
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

    def _method_call(self, call: cst.Call) -> None:
        func = call.func
        if not isinstance(func, cst.Attribute):
            return
        owner: tuple[Connection, Adapter] | None = None
        receiver = None
        if isinstance(func.value, cst.Call) and func.value in self.opened:
            owner = self.opened[func.value]
        else:
            owner, receiver = self._owner(func.value, call)
        if owner is None:
            return
        conn, adapter = owner
        spec: MethodSpec | None = adapter.methods.get(func.attr.value)
        if spec is None:
            return
        site = self._site(call, func.attr.value, spec.params, receiver=receiver)
        step = spec.apply(conn, site)
        if step is not None:
            conn.steps.append(step)

    def _owner(
        self, node: cst.BaseExpression, at: cst.CSTNode
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

    def _attribute_set(self, target: cst.Attribute, value: cst.BaseExpression) -> None:
        """``conn.password = ...`` on a connection whose adapter reads attributes."""
        owner, receiver = self._owner(target.value, target)
        if owner is None:
            return
        conn, adapter = owner
        spec = adapter.attributes.get(target.attr.value)
        if spec is None:
            return
        assignment = self.parents.get(self.parents.get(target))  # Attribute < AssignTarget < Assign
        site = self._bare_site(assignment, target.attr.value, receiver)
        site.args["value"] = self.values.evaluate(value)
        site.arg_spans["value"] = self.values.span(value)
        step = spec.apply(conn, site)
        if step is not None:
            conn.steps.append(step)

    def _bare_site(self, node: cst.CSTNode, name: str, receiver: str | None) -> CallSite:
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

    def _function_call(self, call: cst.Call) -> None:
        for name in self.values.qualified_names(call.func):
            if name in self.front.functions:
                _, spec = self.front.functions[name]
                spec.record(self.mail, self._site(call, name, spec.params))
                return
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in self.front.object_methods:
            if isinstance(func.value, cst.Call) and func.value in self.opened:
                return
            owner, _ = self._owner(func.value, call)
            if owner is not None:
                return  # a method of a connection, which _method_call handles
            _, spec = self.front.object_methods[func.attr.value]
            site = self._site(call, func.attr.value, spec.params)
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
        self, call: cst.Call, name: str, params: tuple[str, ...], receiver: str | None = None
    ) -> CallSite:
        span = self.values.span(call)
        args: dict[str, Value] = {}
        arg_spans: dict[str, Span] = {}
        extra: dict[str, Value] = {}
        nodes: dict[str, cst.BaseExpression] = {}
        positional = 0
        positions_known = True  # false after a ``*args`` whose length is not known
        for arg in call.args:
            if arg.star == "*":
                spread = self.values.evaluate(arg.value)
                if spread.items is None or not positions_known:
                    positions_known = False
                    continue
                # ``SMTP_SSL(*SERVER)`` with ``SERVER = ("smtp.office365.com", 465)``.
                for item in spread.items:
                    if positional < len(params):
                        args[params[positional]] = item
                    positional += 1
                continue
            if arg.star == "**":
                spread = self.values.evaluate(arg.value)
                if spread.known and isinstance(spread.value, dict):
                    for key, item in spread.value.items():
                        if isinstance(key, str) and isinstance(item, Value):
                            (args if key in params else extra)[key] = item
                continue
            if arg.keyword is None:
                if not positions_known or positional >= len(params):
                    positional += 1
                    continue
                key = params[positional]
                positional += 1
            else:
                key = arg.keyword.value
            value = self.values.evaluate(arg.value)
            if key in params or arg.keyword is None:
                args[key] = value
                arg_spans[key] = self.values.span(arg)
                nodes[key] = arg.value
            else:
                extra[key] = value
                arg_spans[key] = self.values.span(arg)
                nodes[key] = arg.value
        statement, before = self._statement_of(call)
        bound_receiver, after = receiver, None
        overrides: frozenset[str] = frozenset()
        if call in self.opened or self._client_name(call) is not None:
            bound_receiver, after = self._binding_site(call)
            subclass = self._subclass_of(call.func)
            if subclass is not None:
                overrides = frozenset(
                    s.name.value for s in subclass[1].body.body if isinstance(s, cst.FunctionDef)
                )
        return CallSite(
            qualified_name=name,
            span=span,
            callee_span=self.values.span(call.func),
            args=args,
            arg_spans=arg_spans,
            close_offset=span.end - 1,
            trailing_comma=bool(call.args) and isinstance(call.args[-1].comma, cst.Comma),
            has_arguments=bool(call.args),
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

    def _statement_of(self, call: cst.Call) -> tuple[Span | None, Anchor | None]:
        """The simple statement a call belongs to, when that statement stands on lines
        of its own in a block (so statements can be inserted before it)."""
        node: cst.CSTNode = call
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, cst.BaseSmallStatement):
            if isinstance(parent, (cst.BaseCompoundStatement, cst.Lambda, cst.FunctionDef)):
                return None, None
            node, parent = parent, self.parents.get(parent)
        line = self.parents.get(parent) if parent is not None else None
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None, None
        span = self.values.span(line)
        indent = self.text.indent_of_line(span.line)
        if self.text.line_start(span.line) + len(indent) != span.start:
            return None, None
        return span, Anchor(self.text.line_start(span.line), indent)

    def _binding_site(self, call: cst.Call) -> tuple[str | None, Anchor | None]:
        """Where the connection a constructor opens is bound, and where statements can
        follow (after the assignment, or at the top of the ``with`` body)."""
        parent = self.parents.get(call)
        if isinstance(parent, cst.WithItem) and parent.asname is not None:
            receiver = dotted_name(parent.asname.name)
            with_node = self.parents.get(parent)
            if isinstance(with_node, cst.With) and isinstance(with_node.body, cst.IndentedBlock):
                first = with_node.body.body[0]
                span = self.values.span(first)
                indent = self.text.indent_of_line(span.line)
                return receiver, Anchor(self.text.line_start(span.line), indent)
            return receiver, None
        if isinstance(parent, (cst.Assign, cst.AnnAssign)):
            target = parent.targets[0].target if isinstance(parent, cst.Assign) else parent.target
            receiver = dotted_name(target)
            statement, _ = self._statement_of(call)
            if statement is None:
                return receiver, None
            next_line = self.text.next_line_start(statement.end_line)
            if next_line is None:
                return receiver, None
            return receiver, Anchor(next_line, self.text.indent_of_line(statement.line))
        return None, None

    # What the front end can tell about argument expressions.

    def _definition(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """Follow a plain name to the expression assigned to it (one level)."""
        if not isinstance(node, cst.Name):
            return node
        scope = self.values.scopes.get(node)
        if scope is None:
            return node
        for assignment in scope[node.value]:
            parent = self.parents.get(getattr(assignment, "node", None))
            if isinstance(parent, cst.AssignTarget):
                statement = self.parents.get(parent)
                if isinstance(statement, cst.Assign):
                    return statement.value
        return node

    def _verification(self, node: cst.BaseExpression | None) -> Verification:
        if node is None:
            return Verification.UNVERIFIED  # the stdlib's default context verifies nothing
        if isinstance(node, cst.Name) and node.value == "None":
            return Verification.UNVERIFIED
        definition = self._definition(node)
        if not isinstance(definition, cst.Call):
            return Verification.UNKNOWN
        names = self.values.qualified_names(definition.func)
        if names & _UNVERIFIED_FACTORIES:
            return Verification.UNVERIFIED
        verifying = bool(names & _VERIFYING_FACTORIES) or (
            "ssl.SSLContext" in names
            and any("PROTOCOL_TLS_CLIENT" in self.values.source(a) for a in definition.args)
        )
        if not verifying:
            return Verification.UNKNOWN
        name = dotted_name(node)
        for attribute, value in self.collected.attribute_sets:
            if name is None or dotted_name(attribute.value) != name:
                continue
            setting = self.values.source(value)
            if attribute.attr.value == "check_hostname" and setting == "False":
                return Verification.UNVERIFIED
            if attribute.attr.value == "verify_mode" and "CERT_NONE" in setting:
                return Verification.UNVERIFIED
        return Verification.VERIFIED

    def _callable(self, node: cst.BaseExpression | None) -> CallableInfo | None:
        return self.flow.callable_info(node) if node is not None else None
