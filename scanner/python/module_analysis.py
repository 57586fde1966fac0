"""One module's analysis past the relevance question: the connections its calls open,
what is done on them and where their paths go, its settings and its secrets
(:class:`ModuleAnalysis`).

The front end (:mod:`.frontend`) runs it only for a module that may call mail code, so a
run whose modules call none (a pre-commit hook's usual files) imports none of this.
"""

from __future__ import annotations

import ast
import dataclasses

from ..model import Connection, MailFile, Span, Tls, Value, Verification
from ..remedies import RemedyKind
from .adapters.base import Adapter, CallSite, MethodSpec
from .beyond import Beyond
from .bindings import Bindings
from .conditions import committed_truth
from .connection_checks import mark_opened_calls
from .entra_secrets import add_imported_entra_secrets
from .factory_calls import factory_calls, imported_client_class, logged_in_on, results_used
from .flow import Flow
from .forwarders import forwarded, pass_through
from .handler_callers import report_at_callers
from .helper_logins import apply_helper_logins
from .own_inits import OwnInits
from .paths import Event, find_paths
from .referents import Referents
from .secret_literals import add_secret_literals
from .settings_source import read_python_settings
from .shapes import one_of
from .sites import CallSites, attribute_sets
from .source import SourceText, dotted_name
from .step_marks import drop_shared_upgrades, hosts_guarded, mark_expected_failures
from .symbols import FUNCTIONS, Symbols
from .values import Evaluator

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from .frontend import PythonFrontEnd


class ModuleAnalysis:
    def __init__(
        self,
        front: PythonFrontEnd,
        path: str,
        symbols: Symbols,
        code: str,
        *,
        wrapper: bool,
    ) -> None:
        self.front = front
        self.wrapper = wrapper  # analysed for its summary, not for a report
        self.code = code.encode("utf-8", "replace")
        self.tree = symbols.tree
        self.symbols = symbols
        self.text = SourceText(code)
        self.values = Evaluator(self.symbols, self.text, path)
        self.values.own_check = front.own_check.reports_secret_at
        self.parents = self.symbols.parents
        self.mail = MailFile(path=path, kind="python")
        self.opened: dict[ast.Call, tuple[Connection, Adapter]] = {}
        self.presets: dict[str, tuple[Connection, Adapter]] = {}
        self.referents = Referents(self.values)
        self._candidates: dict[ast.Call, list[str]] = {}
        self._used: frozenset[str] | None = None  # what logins are called on (factory_calls)
        self.subclasses = self._client_subclasses()
        # What each call (or attribute assignment) does to connections, for their paths.
        self.events: dict[ast.AST, list[Event]] = {}
        self.bindings = Bindings(self.symbols, self.values, self.opened, self._factory_call)
        self.sites = CallSites(
            self.values,
            Flow(self.values),
            opens=lambda call: call in self.opened or self._client_name(call) is not None,
            overrides=self._overrides,
        )

    # The passes.

    def run(self, *, microsoft_settings_only: bool = False) -> MailFile:
        calls = self.symbols.calls
        for call in calls:
            names = self._client_names(call)
            if not names or self._handed_on(call):
                continue
            opened = self._open(call, names)
            if opened is None:
                continue
            conn, adapter, site = opened
            if forwarded(self.values, call.func) is not None:
                # ``connect()`` for ``partial(SMTP_SSL, host, 465)``: a remedy that rewrites
                # the class (and its port) would drop what the partial or the function adds.
                for kind in (RemedyKind.USE_STARTTLS, RemedyKind.PORT_587):
                    conn.remedies.pop(kind, None)
            # ``smtplib.SMTP(...)`` in a snippet that never imports smtplib: a guess.
            conn.inferred = conn.inferred or self.symbols.assumes_import(call.func)
            # Remedies of one constructor call exclude each other within a round.
            conn.remedies = {
                kind: dataclasses.replace(remedy, target=site.span.start)
                for kind, remedy in conn.remedies.items()
            }
            self.mail.connections.append(conn)
            self.opened[call] = (conn, adapter)
            self._event(call, Event(conn, site.receiver, True, tuple(conn.steps)))
            self.bindings.bind(call, conn, adapter)
        self._project_factories()
        self.own_inits.bind(self.opened, self.bindings, self.symbols.calls, self._factory_call)
        self._bind_subclass_selves()
        self.bindings.bind_factories()
        self.bindings.bind_aliases()
        self.bindings.bind_arguments()
        annotated = self.bindings.bind_annotated(self.front.clients, self.sites)
        # Mail functions first, inner calls before the calls they are arguments of
        # (``Configuration(credentials=Credentials(u, p))``), so that what they record
        # (token requests, credentials) is there when calls on connections look for it.
        # Ordered as their spans (ends here, starts below), by the nodes' positions: a span
        # is worked out only for the calls that matter.
        for call in sorted(calls, key=lambda c: (c.end_lineno or c.lineno, c.end_col_offset)):
            self._function_call(call)
        events: list[tuple[tuple[int, int], ast.Call | tuple[ast.Attribute, ast.expr]]] = [
            ((call.lineno, call.col_offset), call) for call in calls
        ]
        events += [
            ((target.lineno, target.col_offset), (target, value))
            for target, value in attribute_sets(self.symbols)
            if target.attr in self.front.attribute_names
        ]
        # The functions that open connections run first: a factory written below its
        # caller still upgrades the connection before the caller logs in with it.
        openers = {
            id(self.values.enclosing_function(call))
            for call in self.opened
            if self._client_name(call) is not None  # constructors, not factory calls
        }

        def order(event: tuple[tuple[int, int], object]) -> tuple[int, tuple[int, int]]:
            node = event[1] if isinstance(event[1], ast.Call) else event[1][0]  # type: ignore[index]
            opener = id(self.values.enclosing_function(node)) in openers
            return (0 if opener else 1, event[0])

        for _, event in sorted(events, key=order):
            if isinstance(event, ast.Call):
                self._method_call(event)
            else:
                self._attribute_set(*event)
        self.mail.connections += [conn for conn in annotated if conn.steps]
        self._link_tokens()
        self._wrapper_calls()
        if not self.wrapper:
            # A summarised module's handler keeps its parameters for callers elsewhere.
            report_at_callers(self.symbols, self.values, self.mail)
        if self.bindings.all:
            apply_helper_logins(
                self.symbols,
                self.mail.path,
                self.values.evaluate,
                self.values.span,
                lambda receiver, at: [b.conn for b in self.bindings.reaching(receiver, at)],
                lambda call, conn, receiver, steps: self._event(
                    call, Event(conn, receiver, False, steps)
                ),
                self.mail.connections,
            )
        mark_expected_failures(self.symbols, self.values, self.mail.connections)
        self._find_paths()
        mark_opened_calls(
            ((call, conn) for call, (conn, _) in self.opened.items()),
            self.tree,
            self.values.enclosing_function,
            self.values.span,
        )
        self.own_inits.keep_callees(
            self.opened, [call for call in self.opened if self._subclass_of(call.func)]
        )
        read_python_settings(
            self.tree, self.symbols, self.values, self.mail, microsoft_only=microsoft_settings_only
        )
        self.mail.hidden += self.sites.secret_values
        add_secret_literals(self.symbols, self.values, self.mail)
        add_imported_entra_secrets(self.symbols, self.values, self.mail)
        if self.symbols.delegated:
            _no_fixes_at({self.values.span(call) for call in self.symbols.delegated}, self.mail)
        return self.mail

    def _bind_subclass_selves(self) -> None:
        """``self`` in the methods of a client subclass without an ``__init__`` of its own
        (and of its bases here that are such subclasses) is each instance the module makes
        of it (``Box(host).sign_in(user, pw)`` with ``self.login(...)`` in ``sign_in``);
        where it makes several, one connection stands for them all."""
        made: dict[ast.ClassDef, list[tuple[ast.Call, Connection, Adapter]]] = {}
        for call, (conn, adapter) in self.opened.items() if self.subclasses else ():
            subclass = self._subclass_of(call.func)
            if subclass is not None:
                made.setdefault(subclass[1], []).append((call, conn, adapter))
        for klass, instances in made.items():
            owners, todo = [], [klass]
            while todo and len(owners) < 8:
                owner = todo.pop()
                owners.append(owner)
                bases = (self.values.class_named(base) for base in owner.bases)
                todo += [b for b in bases if b in self.subclasses and b not in owners]
            call, conn, adapter = instances[0]
            if len(instances) > 1:
                conn = self._all_instances([c for _, c, _ in instances])
            for owner in owners:
                self.bindings.bind_self(owner, call, conn, adapter)

    def _all_instances(self, made: list[Connection]) -> Connection:
        """One connection for ``self`` of a class the module makes several instances of:
        one of their hosts, the order of the steps of one and another not known. What
        each instance is opened with stays its own connection's to report."""
        first = made[0]
        conn = Connection(
            protocol=first.protocol,
            library=first.library,
            host=one_of(*(c.host for c in made)),
            port=Value.unknown("each instance's"),
            tls=first.tls if all(c.tls is first.tls for c in made) else Tls.UNKNOWN,
            opened_at=first.opened_at,
            several_objects=True,
        )
        self.mail.connections.append(conn)
        return conn

    def _project_factories(self) -> None:
        """``client = make_client(host)`` of a factory in another module of the project:
        the client it returns, opened at the call (:mod:`.factory_calls`)."""
        for call, conn, adapter in factory_calls(
            self.symbols,
            self.values,
            self.bindings.bound_name,
            lambda call: call in self.opened or bool(self._client_names(call)),
            self.front.analyze_wrapper,
            self.front.client_adapters,
        ):
            self.mail.connections.append(conn)
            self.opened[call] = (conn, adapter)
            self._factory_call(call, conn, self.bindings.bound_name(call))
            self.bindings.bind(call, conn, adapter)

    def _wrapper_calls(self) -> None:
        """Connections no adapter's call makes here: wrappers of the project elsewhere, a
        connection passed in as a parameter, the net (:mod:`.beyond`)."""
        follow = (
            self.wrapper
            or self.front.names_microsoft_host(self.symbols, self.code.lower())
            or self.front.hands_secret_to_project(self.symbols, self.mail.path)
        )
        Beyond(
            symbols=self.symbols,
            values=self.values,
            sites=self.sites,
            bindings=self.bindings,
            mail=self.mail,
            skip=lambda call: call in self.opened or bool(self._client_names(call)),
            holds_connection=self._holds_connection,
            modelled=frozenset({*self.front.functions, *self.front.clients}),
            imap=self.front.imap_adapter,
            analyze_wrapper=self.front.analyze_wrapper,
            forwarding=self.wrapper,
            follow_wrappers=follow,
        ).run()

    def _event(self, node: ast.AST, event: Event) -> None:
        self.events.setdefault(node, []).append(event)

    def _factory_call(self, call: ast.Call, conn: Connection, name: str | None) -> None:
        self._event(call, Event(conn, name, True))

    def _steps_of(self, conn: Connection, node: ast.AST, spec: MethodSpec, site: CallSite) -> None:
        """Let the adapter apply ``node``'s call to ``conn`` and record the steps taken."""
        before = {id(step) for step in conn.steps}
        step = spec.apply(conn, site)
        if step is not None:
            conn.steps.append(step)
        taken = tuple(s for s in conn.steps if id(s) not in before)
        if taken and conn.host.choices is not None:
            hosts = hosts_guarded(node, conn, self.values)
            for step in taken:
                step.hosts = hosts
        if taken:
            receiver = dotted_name(node.func.value) if isinstance(node, ast.Call) else None  # type: ignore[attr-defined]
            self._event(node, Event(conn, receiver, False, taken))

    def _find_paths(self) -> None:
        """The order of each connection's steps along the module's control flow."""
        if not self.events:
            return
        order = [self.tree, *sorted(self.symbols.functions, key=lambda f: (f.lineno, f.col_offset))]
        find_paths(self.symbols, self.values, self.mail.connections, self.events, order)
        adapters = {id(conn): adapter for conn, adapter in self.opened.values()}
        adapters.update({id(conn): adapter for conn, adapter in self.presets.values()})
        for conn in self.mail.connections:
            adapter = adapters.get(id(conn))
            if adapter is not None and adapter.settle is not None:
                adapter.settle(conn)
        drop_shared_upgrades(self.events)

    def _open(
        self, call: ast.Call, names: list[str]
    ) -> tuple[Connection, Adapter, CallSite] | None:
        """The connection a constructor call opens. When the class is chosen at run time
        among several of one library (``SMTP_SSL if ssl else SMTP``), one connection
        stands for them all, with what they agree on (TLS, port, verification) and no
        remedies: a fix cannot know which class it edits."""
        opened: list[tuple[Connection, Adapter, CallSite]] = []
        picked: dict[int, str] = {}  # the class each connection is opened with
        for name in names:
            adapter, spec = self.front.clients[name]
            explicit = self.own_inits.openers.get(call, ("", False))[1]
            params = ("self", *spec.params) if explicit else spec.params
            site = self.sites.site(call, name, params)
            conn = spec.open(site)
            if conn is not None:
                opened.append((conn, adapter, site))
                picked[id(conn)] = name
        if not opened:
            return None
        conn, adapter, site = opened[0]
        alike = [o for o in opened[1:] if o[1] is adapter and o[0].protocol is conn.protocol]
        if not alike:
            return opened[0]
        others = [o[0] for o in alike]
        if any(other.tls is not conn.tls for other in others):
            chosen = (conn, *others)
            plain = [picked[id(c)] for c in chosen if c.tls is Tls.NONE and not c.upgraded]
            if plain and Tls.IMPLICIT in {c.tls for c in chosen}:
                conn.plain_when, conn.tls_flag = self._plain_class(call, plain[0])
            conn.tls = Tls.UNKNOWN
        if any(other.verification is not conn.verification for other in others):
            conn.verification = Verification.UNKNOWN
        if any(other.port != conn.port for other in others):
            conn.port = Value.unknown("library default")
        conn.remedies = {}
        return conn, adapter, site

    def _plain_class(self, call: ast.Call, plain: str) -> tuple[str, str]:
        """The runs on which a class picked at run time among an implicit-TLS one and a
        plain one (``cls = SMTP_SSL if use_ssl else SMTP``) is the plain one, as a message
        says them, and the flag whose truth picks implicit TLS ("" when none does). A
        test the project's committed values decide is no choice: ("", "")."""
        conditional = self.referents.conditional(call.func)
        if conditional is None:
            return f"when `{self.values.source(call.func)}` is `{plain}`", ""
        if committed_truth(conditional.test, self.values.evaluate) is not None:
            return "", ""
        test = self.values.source(conditional.test)
        if plain in self.referents.of(conditional.body):
            return f"when `{test}` is true", ""
        return f"when `{test}` is false", dotted_name(conditional.test) or ""

    def _client_names(self, call: ast.Call) -> list[str]:
        """The client classes a call may construct: the one it names, or every one the
        called expression may be bound to (an alias, a conditional, a helper's result)."""
        cached = self._candidates.get(call)
        if cached is not None:
            return cached
        direct = self._direct_client(call)
        if direct is not None:
            found = [direct]
        elif isinstance(call.func, ast.Attribute) and not isinstance(
            call.func.value, (ast.Name, ast.Attribute)
        ):
            found = []  # a method of a call's result (``make().login``): not a class
        else:
            clients = self.front.clients
            found = [name for name in self.referents.of(call.func) if name in clients]
        self._candidates[call] = found
        return found

    def _handed_on(self, call: ast.Call) -> bool:
        """Whether the call is a pass-through function's (``return smtplib.SMTP(*args,
        **kwargs)``) that this module calls: each of its calls is the client's call,
        with the caller's arguments (:mod:`.forwarders`)."""
        function = self.symbols.enclosing_function(call)
        if not isinstance(function, ast.FunctionDef):
            return False
        through = pass_through(function, isinstance(self.parents.get(function), ast.ClassDef))
        return (
            through is not None and through.inner is call and bool(self.values.callers.of(function))
        )

    def _client_name(self, call: ast.Call) -> str | None:
        names = self._client_names(call)
        return names[0] if names else None

    def _direct_client(self, call: ast.Call) -> str | None:
        opener = self.own_inits.openers.get(call)
        if opener is not None:
            return opener[0]
        # A name bound to one of several clients on arms of the code (``from smtplib
        # import SMTP_SSL as SMTP`` in one, ``SMTP`` in the other) is no one client: the
        # referents give each (first in a set's order would differ from run to run).
        clients = [n for n in self.values.qualified_names(call.func) if n in self.front.clients]
        if len(clients) == 1:
            return clients[0]
        if clients:
            return None
        subclass = self._subclass_of(call.func)
        return subclass[0] if subclass else self._imported_client_class(call)

    def _imported_client_class(self, call: ast.Call) -> str | None:
        """``box = Box(host)`` then ``box.login(...)``, ``Box`` a client subclass without an
        ``__init__`` in another module of the project: the client (looked up only for a
        call whose result is logged in on or upgraded here)."""
        if self._used is None:
            self._used = results_used(self.symbols) if self.values.path else frozenset()
        if not self._used or not isinstance(call.func, (ast.Name, ast.Attribute)):
            return None
        if not logged_in_on(call, self.symbols, self.bindings.bound_name(call), self._used):
            return None
        clients = self.front.client_set
        for name in sorted(self.values.qualified_names(call.func)):
            found = imported_client_class(self.values.path, name, clients)  # type: ignore[arg-type]
            if found is not None:
                return found
        return None

    def _client_subclasses(self) -> dict[ast.ClassDef, str]:
        """Classes of this module that subclass a client class without their own
        ``__init__`` (so the client's parameters still apply), by the client they extend.
        Those with their own ``__init__`` are in ``self.own_inits``."""
        found: dict[ast.ClassDef, str] = {}
        self.own_inits = OwnInits(self.values)
        for klass in self.symbols.classes:  # outer classes come first
            client = None
            for base in klass.bases:
                names = self.values.qualified_names(base)
                client = next((n for n in names if n in self.front.clients), None)
                local = self.values.class_named(base)
                if client is None and local is not None:
                    client = found.get(local)
                    if client is None and (client := self.own_inits.client_of(local)):
                        self.own_inits.add(klass, client, local)
                        break
                if client is not None:
                    own_init = any(
                        isinstance(s, FUNCTIONS) and s.name == "__init__" for s in klass.body
                    )
                    if not own_init or not self.own_inits.add(
                        klass, client, local if local in found else None
                    ):
                        found[klass] = client
                    break
        return found

    def _subclass_of(self, func: ast.AST) -> tuple[str, ast.ClassDef] | None:
        klass = self.values.class_named(func) if self.subclasses else None
        if klass is None or klass not in self.subclasses:
            return None
        return self.subclasses[klass], klass

    def _overrides(self, call: ast.Call) -> frozenset[str]:
        """The methods a client subclass of this module defines (``emit``): of the class
        made, or of the class whose ``__init__`` calls the client's (``super().__init__``)."""
        subclass = self._subclass_of(call.func)
        klass = subclass[1] if subclass is not None else None
        if klass is None and call in self.own_inits.openers:
            klass = self.symbols.enclosing_class(call)
        if klass is None:
            return frozenset()
        return frozenset(s.name for s in klass.body if isinstance(s, FUNCTIONS))

    # Calls on connections and mail functions.

    def _method_call(self, call: ast.Call) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        receiver = None
        if isinstance(func.value, ast.Call) and func.value in self.opened:
            owners = [self.opened[func.value]]
        else:
            owners, receiver = self._owners(func.value, call)
        for conn, adapter in owners:
            spec: MethodSpec | None = adapter.methods.get(func.attr)
            if spec is None:
                continue
            site = self.sites.site(call, func.attr, spec.params, receiver=receiver)
            self._steps_of(conn, call, spec, site)

    def _owners(
        self, node: ast.AST, at: ast.AST
    ) -> tuple[list[tuple[Connection, Adapter]], str | None]:
        """The connections an expression may hold (a bound name, or a preset object of a
        library), and its receiver text."""
        receiver = dotted_name(node)
        bindings = self.bindings.reaching(receiver, at) if receiver else []
        if bindings:
            return [(b.conn, b.adapter) for b in bindings], receiver
        preset = self._preset(node, receiver)
        return ([preset] if preset else []), receiver

    def _holds_connection(self, node: ast.AST, at: ast.AST) -> bool:
        """Whether an expression is a bound connection or a library's preset object, without
        opening the preset (it opens where the module first uses it as a connection)."""
        receiver = dotted_name(node)
        if receiver is None:
            return False
        if self.bindings.reaching(receiver, at):
            return True
        if receiver.rsplit(".", 1)[-1] not in self.front.preset_names:
            return False
        return any(name in self.front.presets for name in self.values.qualified_names(node))

    def _preset(self, node: ast.AST, receiver: str | None) -> tuple[Connection, Adapter] | None:
        """A module-level connection object of a library (``redmail.outlook``)."""
        if receiver is None or receiver.rsplit(".", 1)[-1] not in self.front.preset_names:
            return None
        for name in self.values.qualified_names(node):
            if name in self.front.presets:
                if name not in self.presets:
                    adapter, spec = self.front.presets[name]
                    conn = spec.open(self.sites.bare(node, name, receiver))
                    if conn is None:
                        return None
                    self.mail.connections.append(conn)
                    self.presets[name] = (conn, adapter)
                return self.presets[name]
        return None

    def _attribute_set(self, target: ast.Attribute, value: ast.expr) -> None:
        """``conn.password = ...`` on a connection whose adapter reads attributes."""
        owners, receiver = self._owners(target.value, target)
        for conn, adapter in owners:
            spec = adapter.attributes.get(target.attr)
            if spec is None:
                continue
            assignment = self.parents[target]
            site = self.sites.bare(assignment, target.attr, receiver)
            site.args["value"] = self.values.evaluate(value)
            site.arg_spans["value"] = self.values.span(value)
            self._steps_of(conn, assignment, spec, site)

    def _function_call(self, call: ast.Call) -> None:
        for name in self.values.qualified_names(call.func):
            if name in self.front.functions:
                _, spec = self.front.functions[name]
                spec.record(self.mail, self.sites.site(call, name, spec.params))
                return
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in self.front.object_methods:
            if isinstance(func.value, ast.Call) and func.value in self.opened:
                return
            if self._holds_connection(func.value, call):
                return  # a method of a connection, which _method_call handles
            _, spec = self.front.object_methods[func.attr]
            site = self.sites.site(call, func.attr, spec.params)
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


def _no_fixes_at(spans: set[Span], mail: MailFile) -> None:
    """No remedy rewrites a call that runs another (``asyncio.to_thread(server.login, ...)``):
    its text is not the call the analysis read it as."""
    for conn in mail.connections:
        if conn.opened_at in spans:
            conn.remedies = {}
        for step in conn.steps:
            if step.span in spans:
                step.remedies = {}
