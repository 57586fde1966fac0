"""Where a connection object lives: the names, ``with`` targets, ``self`` attributes,
factory functions and parameters a connection can be reached through.

A name bound to a connection reaches the calls after it in the same function (a
``self.x`` the calls in the same class). When the name is bound in arms of the code
that exclude each other (a ``try`` that opens one connection and an ``except`` that
opens another, ``if``/``else``), a later call may be on either: it belongs to each.

``self.factory()`` runs the method of the object's class: where subclasses of the
module override the factory, the call gives each class's connection, and that
connection goes on only to the methods of those classes (``self.secure(server)`` runs
the subclass's ``secure`` for the subclass's connection, the base's for the base's).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

from ..budget import spend
from ..model import Connection
from ..records import plain
from .adapters.base import Adapter, ClientSpec
from .annotated import annotated_connections, open_annotated
from .arguments import call_arguments, own_nodes, positional_params
from .blocks import exclusive
from .caller_bindings import bound_by_callers
from .callers import Callers
from .class_members import PROPERTIES
from .dispatch import Dispatch
from .entered import entered_by_stack, entered_client
from .factory_arms import chosen_arms
from .held_functions import held_functions, plugged_callables
from .sites import CallSites
from .source import dotted_name
from .symbols import FUNCTIONS, Symbols
from .values import Evaluator

Function = ast.FunctionDef | ast.AsyncFunctionDef
_RETURNS_ITS_ARGUMENT = frozenset({"contextlib.closing"})
# Decorators that make a generator's ``yield`` what ``with f() as name:`` binds.
_CONTEXT_MANAGERS = frozenset({"contextlib.contextmanager", "contextlib.asynccontextmanager"})


@plain
class Binding:
    """A name (``receiver``) a connection is bound to, and where: the function or the
    class, and the node that binds it."""

    conn: Connection
    adapter: Adapter
    receiver: str
    function: Function | None  # where a plain name is bound
    klass: ast.ClassDef | None  # where ``self.x`` is bound
    offset: int
    node: ast.AST  # what binds it (the constructor call, the alias, the def of a parameter)
    # Bound by a function that declares the name ``global``: the module's name, set when
    # that function runs, which may be written after the code that reads it.
    from_global: bool = False
    # The classes of the object whose method bound it (a factory method that subclasses
    # override): calls of ``self.m(...)`` with it run those classes' ``m``. None: any.
    classes: frozenset[ast.ClassDef] | None = None


class Bindings:
    def __init__(
        self,
        symbols: Symbols,
        values: Evaluator,
        opened: dict[ast.Call, tuple[Connection, Adapter]],
        on_factory_call: Callable[[ast.Call, Connection, str | None], None],
    ) -> None:
        self.symbols = symbols
        self.values = values
        self.parents = symbols.parents
        self.opened = opened
        self.on_factory_call = on_factory_call
        self.all: list[Binding] = []  # only appended to
        # The receivers bound, and how many bindings that was worked out from (reaching()).
        self._receivers: tuple[int, frozenset[str]] = (0, frozenset())
        self.factories: dict[str, tuple[Connection, Adapter]] = {}
        # The place of the connection in the tuple a factory returns (``return client,
        # status``), by the factory's name.
        self._items: dict[str, int] = {}
        self._factory_functions: dict[Function, tuple[Connection, Adapter]] = {}
        # Every client a factory may return (a dispatching factory returns several).
        self._returned_arms: dict[Function, list[tuple[Connection, Adapter]]] = {}
        self._callers = Callers(symbols)
        self._dispatch = Dispatch(symbols, self._callers)

    def bind(
        self,
        call: ast.Call,
        conn: Connection,
        adapter: Adapter,
        classes: frozenset[ast.ClassDef] | None = None,
    ) -> None:
        value: ast.AST = call
        parent = self.parents.get(call)
        # ``server = SMTP_SSL(h, p) if ssl else SMTP(h, p)``: each arm binds the name; so
        # does an awaited client (``await loop.run_in_executor(None, IMAP4_SSL, host)``).
        while (
            (
                isinstance(parent, (ast.IfExp, ast.BoolOp, ast.Await))
                and value is not getattr(parent, "test", None)
            )
            or self._passes_through(parent, value)
            or (adapter.entered_as_client and entered_by_stack(parent, value))
        ):
            value, parent = parent, self.parents.get(parent)
        item = None
        if isinstance(parent, ast.Tuple) and isinstance(self.parents.get(parent), ast.Return):
            item = parent.elts.index(value)  # ``return SMTP(...), "connected"``
            value, parent = parent, self.parents.get(parent)
        target: ast.AST | None = None
        if isinstance(parent, ast.Assign) and parent.value is value:
            target = parent.targets[0]
        elif isinstance(parent, ast.AnnAssign) and parent.value is value:
            target = parent.target
        elif isinstance(parent, ast.withitem) and parent.context_expr is value:
            target = parent.optional_vars
        elif isinstance(parent, ast.NamedExpr) and parent.value is value:
            target = parent.target  # ``if (server := SMTP(...)) is not None:``
        elif isinstance(parent, ast.Return) or self._yielded(parent, call):
            function = self.values.enclosing_function(call)
            if function is not None:
                self._add_factory(function, conn, adapter, item)
            return
        elif isinstance(parent, ast.Lambda) and parent.body is value:
            # ``make = lambda: SMTP(...)``: ``make()`` gives the connection, as a def would.
            holder = self.parents.get(parent)
            if (
                isinstance(holder, ast.Assign)
                and holder.value is parent
                and isinstance(holder.targets[0], ast.Name)
            ):
                self.factories[holder.targets[0].id] = (conn, adapter)
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            target = self._returned_item(call, target)
        if target is not None:
            self._add(target, call, conn, adapter, classes)

    def _returned_arm(self, function: Function, conn: Connection, adapter: Adapter) -> None:
        arms = self._returned_arms.setdefault(function, [])
        if all(conn is not c for c, _ in arms):
            arms.append((conn, adapter))

    def _add_factory(
        self, function: Function, conn: Connection, adapter: Adapter, item: int | None
    ) -> None:
        self._returned_arm(function, conn, adapter)
        self.factories[function.name] = (conn, adapter)
        self._factory_functions[function] = (conn, adapter)
        holder = self.parents.get(function)  # what another module imports it by
        owner = f"{holder.name}.{function.name}" if isinstance(holder, ast.ClassDef) else None
        owner = function.name if isinstance(holder, ast.Module) else owner
        if owner is not None and owner not in conn.returned_by:
            conn.returned_by += (owner,)
        if item is not None:
            self._items[function.name] = item

    def _returned_item(self, call: ast.Call, target: ast.Tuple | ast.List) -> ast.expr | None:
        """The name of ``client, status = connect(...)`` that the factory's connection
        goes to: the one at its place in the tuple the factory returns."""
        func = call.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        item = self._items.get(name) if name is not None else None
        if item is None or item >= len(target.elts):
            return None
        return target.elts[item]

    def _passes_through(self, parent: ast.AST | None, value: ast.AST) -> bool:
        """``contextlib.closing(SMTP(...))``: a call that returns its argument."""
        return (
            isinstance(parent, ast.Call)
            and len(parent.args) == 1
            and parent.args[0] is value
            and bool(self.values.qualified_names(parent.func) & _RETURNS_ITS_ARGUMENT)
        )

    def bound_name(self, call: ast.Call) -> str | None:
        """The name the result of ``call`` is bound to (``server = make_server()``)."""
        parent = self.parents.get(call)
        if isinstance(parent, ast.Assign) and parent.value is call:
            target = parent.targets[0]
            if isinstance(target, (ast.Tuple, ast.List)):
                item = self._returned_item(call, target)
                return dotted_name(item) if item is not None else None
            return dotted_name(target)
        if isinstance(parent, ast.AnnAssign) and parent.value is call:
            return dotted_name(parent.target)
        if isinstance(parent, ast.withitem) and parent.context_expr is call:
            return dotted_name(parent.optional_vars) if parent.optional_vars else None
        return None

    def _add(
        self,
        target: ast.AST,
        at: ast.AST,
        conn: Connection,
        adapter: Adapter,
        classes: frozenset[ast.ClassDef] | None = None,
    ) -> None:
        receiver = dotted_name(target)
        if receiver is None:
            return
        function = self.values.enclosing_function(at)
        klass = None
        scope = self.symbols.scope_of.get(target) if isinstance(target, ast.Name) else None
        from_global = scope is not None and receiver in scope.declared_global
        if from_global:
            function = None  # ``global server`` then ``server = SMTP(...)``: the module's name
        if receiver.startswith("self."):
            klass = self.values.enclosing_class(at)
            function = None
        offset = self.values.span(at).start
        bound = Binding(conn, adapter, receiver, function, klass, offset, at, from_global, classes)
        self.all.append(bound)

    def bind_self(
        self, klass: ast.ClassDef, at: ast.AST, conn: Connection, adapter: Adapter
    ) -> None:
        """``self`` in the methods of ``klass`` is the connection (a client subclass)."""
        offset = self.values.span(at).start
        self.all.append(Binding(conn, adapter, "self", None, klass, offset, at))

    def _yielded(self, parent: ast.AST | None, value: ast.AST) -> bool:
        """``yield value`` in a ``@contextmanager`` generator: what ``with f() as name:`` binds."""
        if not (isinstance(parent, ast.Yield) and parent.value is value):
            return False
        return self._context_manager(self.values.enclosing_function(parent))

    def _context_manager(self, function: Function | None) -> bool:
        decorators = function.decorator_list if function is not None else ()
        return any(self.values.qualified_names(d) & _CONTEXT_MANAGERS for d in decorators)

    def bind_factories(self) -> None:
        # ``return server`` (``yield server`` in a context manager) where ``server`` holds
        # a connection makes a factory too.
        yields = [
            node
            for function in self.symbols.functions
            if function.decorator_list and self._context_manager(function)
            for node in own_nodes(function)
            if isinstance(node, ast.Yield) and node.value and self._yielded(node, node.value)
        ]
        for node in [*self.symbols.returns, *yields]:
            if node.value is None:
                continue
            # ``return client, status``: the first item that holds a connection.
            returned = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            for item, value in enumerate(returned):
                receiver = dotted_name(value)
                reaching = self.reaching(receiver, node) if receiver else []
                function = self.values.enclosing_function(node)
                if reaching and function is not None:
                    for other in reaching[1:]:
                        self._returned_arm(function, other.conn, other.adapter)
                    at = item if isinstance(node.value, ast.Tuple) else None
                    self._add_factory(function, reaching[0].conn, reaching[0].adapter, at)
                    break
        self._bind_properties()
        if not self.factories:
            return
        for call in self.symbols.calls:
            func = call.func
            name = None
            if isinstance(func, ast.Name):
                name = func.id
            elif isinstance(func, ast.Attribute) and dotted_name(func.value) in ("self", "cls"):
                name = func.attr
                made = self._dispatched_factories(call, name) if name in self.factories else []
                if len(made) > 1:
                    self._bind_factory_call(call, made)
                    continue
            elif isinstance(func, ast.Attribute) and func.attr in self.factories:
                method = self._callers.instance_method(func)
                if method in self._factory_functions:
                    conn, adapter = self._factory_functions[method]
                    self._bind_factory_call(call, [(conn, adapter, frozenset())])
                continue
            if name in self.factories:
                chosen = chosen_arms(self.values, self._returned_arms, self.opened, call)
                if chosen:
                    self._bind_factory_call(call, [(c, a, None) for c, a in chosen])
                    continue
                conn, adapter = self.factories[name]
                self.opened[call] = (conn, adapter)
                self.on_factory_call(call, conn, self.bound_name(call))
                self.bind(call, conn, adapter)
            elif name is not None:
                # ``self._factory(server)`` with ``connection_factory=_default_connection``
                held = [
                    f for f in held_functions(self.values, func) if f in self._factory_functions
                ]
                if held:
                    self._bind_factory_call(
                        call, [(*self._factory_functions[f], None) for f in held]
                    )

    def _bind_properties(self) -> None:
        """``@property`` (``@cached_property``) ``def server(self): return SMTP(...)``:
        reading ``self.server`` in the class's methods runs it, so ``self.server`` is
        bound to its connection there, as an attribute set in ``__init__`` would be."""
        for function, (conn, adapter) in self._factory_functions.items():
            klass = self.parents.get(function)
            if not isinstance(klass, ast.ClassDef) or not any(
                self.values.qualified_names(d) & PROPERTIES for d in function.decorator_list
            ):
                continue
            offset = self.values.span(function).start
            receiver = f"self.{function.name}"
            self.all.append(Binding(conn, adapter, receiver, None, klass, offset, function))

    def _dispatched_factories(
        self, call: ast.Call, name: str
    ) -> list[tuple[Connection, Adapter, frozenset[ast.ClassDef]]]:
        """The connections ``self.name()`` makes, one per factory method that the class
        around the call or one of its subclasses here runs, each with those classes."""
        klass = self.values.enclosing_class(call)
        if klass is None:
            return []
        made: list[tuple[Connection, Adapter, frozenset[ast.ClassDef]]] = []
        for method, classes in self._dispatch.methods(self._dispatch.family(klass), name).items():
            if method in self._factory_functions:
                conn, adapter = self._factory_functions[method]
                made.append((conn, adapter, classes))
        return made

    def _bind_factory_call(
        self,
        call: ast.Call,
        made: list[tuple[Connection, Adapter, frozenset[ast.ClassDef] | None]],
    ) -> None:
        name = self.bound_name(call)
        for conn, adapter, classes in made:
            self.opened.setdefault(call, (conn, adapter))
            self.on_factory_call(call, conn, name)
            self.bind(call, conn, adapter, classes)

    def bind_aliases(self) -> None:
        # ``self.smtp = server``: the connection now lives under a second name; so does
        # ``client = cm.__enter__()`` when the library's ``__enter__`` returns the client.
        for statement in self.symbols.assignments:
            if not isinstance(statement, ast.Assign):
                continue
            value = statement.value
            entered = entered_client(value)
            if entered is not None:
                value = entered
            elif not isinstance(value, (ast.Name, ast.Attribute)):
                continue
            receiver = dotted_name(value)
            binding = self.for_receiver(receiver, value) if receiver else None
            if binding is None or (entered is not None and not binding.adapter.entered_as_client):
                continue
            for target in statement.targets:
                self._add(target, value, binding.conn, binding.adapter, binding.classes)
        self._bind_entered()

    def _bind_entered(self) -> None:
        """``with conn as server:`` (``with self.conn as server:``): ``server`` is each
        connection ``conn`` may hold there, when its library's ``__enter__`` returns the
        client; ``with closing(conn) as server:`` whatever the library; ``with Mailer() as
        server:`` the connection the module's class returns from ``__enter__``."""
        for item in self.symbols.withitems:
            if item.optional_vars is None:
                continue
            value, any_library = item.context_expr, False
            if (
                isinstance(value, ast.Call)
                and value.args
                and self._passes_through(value, value.args[0])
            ):
                value, any_library = value.args[0], True
            if isinstance(value, ast.Call):
                # ``with Mailer() as server:`` whose ``__enter__`` returns its connection.
                klass = self._callers.instance_class(value)
                for enter in ("__enter__", "__aenter__") if klass is not None else ():
                    method = self._callers.lookup(klass, enter)  # type: ignore[arg-type]
                    if method in self._factory_functions:
                        conn, adapter = self._factory_functions[method]
                        self._bind_factory_call(value, [(conn, adapter, None)])
                continue
            if not isinstance(value, (ast.Name, ast.Attribute)):
                continue
            receiver = dotted_name(value)
            for binding in self.reaching(receiver, value) if receiver else []:
                if any_library or binding.adapter.entered_as_client:
                    self._add(
                        item.optional_vars, value, binding.conn, binding.adapter, binding.classes
                    )

    def bind_arguments(self) -> None:
        """``send_with(server, ...)``: a connection handed to a function of this module is
        bound to that function's parameter (``self.method(server)`` too)."""
        functions = {s.name: s for s in self.symbols.tree.body if isinstance(s, FUNCTIONS)}
        dispatching = any(b.classes is not None for b in self.all)
        for call in self.symbols.calls:
            bound = self._bound_receivers()
            if not any(
                dotted_name(a.value if isinstance(a, ast.keyword) else a) in bound
                for a in (*call.args, *call.keywords)
                if not isinstance(a, ast.Starred)
            ):
                continue  # most calls: no argument names a connection, nothing reaches
            function = self._called_function(call, functions)
            func = call.func
            method = (
                func.attr
                if dispatching
                and isinstance(func, ast.Attribute)
                and dotted_name(func.value) == "self"
                else None
            )
            plugged: list[tuple[Function, bool]] = []
            if function is None and method is None:
                # ``self.authenticator(client)``: a callable the object holds, asked only
                # of a call handed a connection (most calls of a module are not).
                if self._hands_connection(call):
                    plugged = plugged_callables(self.values, self.symbols.classes, call)
                if not plugged:
                    continue
            for index, argument in enumerate(call_arguments(call)):
                if isinstance(argument, ast.Starred):
                    continue
                value = argument.value if isinstance(argument, ast.keyword) else argument
                receiver = dotted_name(value)
                # Every connection the name may hold there (``IMAP4_SSL`` on one arm of an
                # ``if``, ``IMAP4`` on the other): the function runs with each of them.
                for b in self.reaching(receiver, call) if receiver else []:
                    targets: dict[Function, frozenset[ast.ClassDef] | None]
                    if b.classes is not None and method is not None:
                        targets = self._dispatch.methods(b.classes, method)
                    else:
                        targets = {function: None} if function is not None else {}
                    takes_self = dict(plugged)
                    targets.update((target, None) for target in takes_self)
                    for target, classes in targets.items():
                        param = _parameter(target, call, index, argument, takes_self.get(target))
                        if param is not None:
                            start = self.values.span(target).start
                            self.all.append(
                                Binding(
                                    b.conn,
                                    b.adapter,
                                    param.arg,
                                    target,
                                    None,
                                    start,
                                    param,
                                    classes=classes,
                                )
                            )

    def _hands_connection(self, call: ast.Call) -> bool:
        for argument in call.args:
            receiver = dotted_name(argument)
            if receiver is not None and self.reaching(receiver, call):
                return True
        return False

    def bind_annotated(
        self, clients: Mapping[str, tuple[Adapter, ClientSpec]], sites: CallSites
    ) -> list[Connection]:
        """Bind each name whose annotation names a client class to a connection of that
        class made elsewhere, unless the module binds the name to a connection already
        (it opens one there, a caller here passes one in): that binding knows more."""
        made: list[Connection] = []
        for item in annotated_connections(self.symbols, clients):
            if any(
                b.receiver == item.receiver
                and b.function is item.function
                and b.klass is item.klass
                for b in self.all
            ):
                continue
            opened = open_annotated(item, clients, sites)
            if opened is None:
                continue
            conn, adapter = opened
            at = item.function if isinstance(item.node, ast.arg) else item.node
            offset = self.values.span(at).start if at is not None else 0
            self.all.append(
                Binding(conn, adapter, item.receiver, item.function, item.klass, offset, item.node)
            )
            made.append(conn)
        return made

    def _called_function(self, call: ast.Call, functions: dict[str, Function]) -> Function | None:
        func = call.func
        if isinstance(func, ast.Name):
            return functions.get(func.id)
        # ``cls._start_tls(server)`` in a classmethod runs a method of its class too.
        if isinstance(func, ast.Attribute) and dotted_name(func.value) in ("self", "cls"):
            klass = self.values.enclosing_class(call)
            methods = self.symbols.methods(klass, func.attr) if klass is not None else []
            return methods[0] if methods else None
        # ``helper.sign_in(server, ...)`` where ``helper = Helper()``: that method; a
        # record of the class got at run time (``self.browse(...)``): the class's own.
        return self._callers.instance_method(func) or self._callers.record_method(func)

    def for_receiver(self, receiver: str, at: ast.AST) -> Binding | None:
        """The binding of ``receiver`` that reaches ``at``: the latest one before it in
        the same function, or in the same class for ``self.x``."""
        found = self.reaching(receiver, at)
        return found[0] if found else None

    def _bound_receivers(self) -> frozenset[str]:
        """The receivers bound so far (worked out again when ``all`` has grown)."""
        if self._receivers[0] != len(self.all):
            self._receivers = (len(self.all), frozenset(b.receiver for b in self.all))
        return self._receivers[1]

    def reaching(self, receiver: str, at: ast.AST) -> list[Binding]:
        """Every binding of ``receiver`` that may reach ``at``, the latest first: the
        latest one, and earlier ones in code that excludes it (``try``/``except``)."""
        if receiver not in self._bound_receivers():
            return []  # most receivers asked of (``self.assertEqual``): no span needed
        named = [b for b in self.all if b.receiver == receiver]
        offset = self.values.span(at).start
        if receiver == "self" or receiver.startswith("self."):
            klass = self.values.enclosing_class(at)
            candidates = [b for b in named if b.klass is klass]
            through = bound_by_callers(self.values, self._callers, at, candidates)
            if len(through) > 1:
                return through
            earlier = [b for b in candidates if b.offset <= offset]
            pool = earlier or candidates
        else:
            function = self.values.enclosing_function(at)
            # A nested function sees the names of the functions around it (a closure).
            scopes: list[Function | None] = [None]
            around = function
            while around is not None:
                scopes.append(around)
                around = self.values.enclosing_function(around)
            pool = [
                b
                for b in named
                if any(b.function is scope for scope in scopes)
                and (b.offset <= offset or (b.from_global and b.function is not function))
            ]
        if not pool:
            return []
        spend(len(pool), "finding which assignment of a name reaches each call on it")
        pool.sort(key=lambda b: b.offset, reverse=True)
        found = [pool[0]]
        for binding in pool[1:]:
            if (
                binding.conn not in (b.conn for b in found)
                # one parameter bound to the connections of several call paths holds each
                and all(
                    binding.node is b.node or exclusive(binding.node, b.node, self.parents)
                    for b in found
                )
                and not exclusive(binding.node, at, self.parents)
            ):
                found.append(binding)
        return found


def _parameter(
    function: Function,
    call: ast.Call,
    index: int,
    argument: ast.expr | ast.keyword,
    takes_self: bool | None = None,
) -> ast.arg | None:
    """The parameter of ``function`` that ``call``'s argument at ``index`` is bound to
    (``takes_self``: whether the function's first parameter is the object, when the
    call's shape does not say: a held callable's)."""
    params = positional_params(function.args)
    if takes_self is None:
        takes_self = isinstance(call.func, ast.Attribute)
    if takes_self and params:
        params = params[1:]  # self
    if isinstance(argument, ast.keyword):
        if argument.arg is None:
            return None
        return next(
            (p for p in (*params, *function.args.kwonlyargs) if p.arg == argument.arg), None
        )
    return params[index] if index < len(params) else None
