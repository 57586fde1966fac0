"""Summaries across the project: a wrapper in another module becomes a modelled call.

A project's own function, method or class whose parameters reach a connection's host
or a login's user or password (``def send(host, user, pw): smtplib.SMTP(host)...``, a
``Mailer`` class whose ``__init__`` keeps them on ``self``) is summarised once per
module: which parameters feed the host and the credentials, of which protocol and
library. A call of it from another module (``send("smtp.office365.com", ...)``,
``Mailer(...)``, ``super().__init__(...)`` in a subclass, ``Base.__init__(self, ...)``)
then makes a connection at the caller with the caller's values, reported where the
Microsoft host or the secret is written, with the wrapper named in the message: a login
whose host the wrapper writes itself is the wrapper's file's to report, so a caller that
gives only the password gets the hard-coded secret (AS105), not the login a second time.

The wrapper's module is read (never run) and analysed by the same front end; its own
calls of wrappers in further modules are summarised in turn, to a bounded depth. Only
the facts of a login cross the module boundary: the TLS and port findings stay in the
wrapper's file, where the code that sets them is. Summaries are cached per file. A
factory's summary says which client it returns (:mod:`.returned_clients`).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from .. import inputs
from ..lazy_regex import lazy_pattern
from ..model import (
    Connection,
    MailFile,
    Protocol,
    Span,
    Step,
    StepKind,
    Tls,
    Value,
    Verification,
)
from ..precheck import may_matter
from ..reading import MAX_FILE_BYTES
from ..records import plain
from ..secrets import is_placeholder
from .adapters.logging_handlers import upgrades
from .arguments import call_arguments, param_names
from .imports import resolved
from .module_paths import module_path as _module_path
from .module_trees import module_tree
from .returned_clients import ReturnedClient, returned_clients
from .slot_paths import Path as ParamPath
from .slot_paths import follow, parameter_path, path_root
from .symbols import FUNCTIONS

# Wrappers of wrappers followed across modules; deeper chains stay unknown.
MAX_DEPTH = 3
# Re-exports followed from the module a name is imported from to the one defining it
# (``from pkg import Email`` where ``pkg/__init__.py`` imports it from ``pkg.email_``).
MAX_HOPS = 3
# Up to the size a run checks by default: a larger module is generated data, not a wrapper.
_MAX_MODULE_BYTES = MAX_FILE_BYTES
_STDLIB = frozenset(sys.stdlib_module_names)

Analyze = Callable[[str, bytes], MailFile]
Function = ast.FunctionDef | ast.AsyncFunctionDef


@plain
class Slot:
    """Where a summarised value comes from: a parameter of the wrapper, or the value it has
    in the wrapper (without spans: they are offsets into the wrapper's file)."""

    param: str | None
    value: Value
    path: ParamPath = ()  # from the parameter to the value: ``server["host"]``


@plain
class LoginFacts:
    """A login a wrapper does: where its user and secret come from."""

    user: Slot
    secret: Slot


@plain
class ConnectionFacts:
    """A connection a wrapper opens: its protocol, library, host and logins."""

    protocol: Protocol
    library: str
    log_handler: bool
    host: Slot
    logins: tuple[LoginFacts, ...]
    line: int  # where the wrapper opens it
    through: str = ""  # how the wrapper itself makes it (a wrapper of a wrapper)
    # What decides whether it upgrades (an SMTPHandler's ``secure``), when a caller gives it.
    tls_choice: Slot | None = None


@plain
class Summary:
    """What calling one wrapper does: ``params`` as callers pass them (no ``self``)."""

    name: str  # ``Mailer``, ``send_mail``, ``Mailer.connect``
    path: Path
    params: tuple[str, ...]
    connections: tuple[ConnectionFacts, ...]
    # The client it returns (a factory's): the caller's calls on the result act on it.
    returned: ReturnedClient | None = None

    def where(self, root: Path) -> str:
        try:
            shown = self.path.relative_to(root).as_posix()
        except ValueError:
            shown = self.path.name
        return f"{self.name} in {shown}"


_building: set[Path] = set()


def module_summaries(path: Path, analyze: Analyze) -> dict[str, Summary]:
    """The wrappers of the module at ``path`` by local name (read when it changed)."""
    try:
        if path.is_symlink():
            return {}  # a link may lead out of the project: not followed
        stat = path.stat()
    except OSError:
        return {}
    if stat.st_size > _MAX_MODULE_BYTES or path in _building or len(_building) >= MAX_DEPTH:
        return {}
    return _summaries(path, stat.st_mtime_ns, stat.st_size, analyze)


@inputs.remembered
def _summaries(path: Path, mtime: int, size: int, analyze: Analyze) -> dict[str, Summary]:
    data = inputs.read(path, _MAX_MODULE_BYTES)
    if data is None:
        return {}
    if not (may_matter(data) or _imports_mail_module(path, data)):
        return {}  # neither mail code nor a wrapper of it: not parsed (most imports)
    tree = _tree(data)
    if tree is None:
        return {}
    _building.add(path)
    try:
        mail = analyze(str(path), data)
        inherited = _inherited(path, tree, analyze)
    finally:
        _building.discard(path)
    definitions = _Definitions(tree)
    found: dict[str, list[ConnectionFacts]] = {}
    params: dict[str, tuple[str, ...]] = {}
    for conn in mail.connections:
        owner = definitions.owner(conn.opened_at.line)
        if owner is None:
            continue
        summarised = _facts(conn, owner, definitions)
        if summarised is None:
            continue
        name, names, facts = summarised
        found.setdefault(name, []).append(facts)
        params[name] = names
    own = {name: Summary(name, path, params[name], tuple(facts)) for name, facts in found.items()}
    factories = {name: (f, klass is not None) for f, name, klass in definitions.functions}
    inits = definitions.functions
    factories.update({k.name: (f, True) for f, _, k in inits if k and f.name == "__init__"})
    for name, (names, client) in returned_clients(mail.connections, factories).items():
        logins = own[name].connections if name in own else ()
        own[name] = Summary(name, path, names, logins, client)
    if own:
        _compose(definitions, own)
    return {**inherited, **own}


def _compose(definitions: _Definitions, summaries: dict[str, Summary]) -> None:
    """Add the module's functions that hand their own parameters to a wrapper of the same
    module (``def send(host, ...): _login_and_send(host=host, ...)``, ``self._connect(
    host)``): a caller in another module calls the outer one. Bounded by ``MAX_DEPTH``."""
    for _ in range(MAX_DEPTH):
        added = False
        for function, name, klass in definitions.functions:
            method = klass is not None
            summary_name = klass.name if method and function.name == "__init__" else name
            if summary_name in summaries:
                continue
            own = param_names(function, method)
            facts = [
                composed
                for call, target in _calls_of_wrappers(function, klass, summaries)
                for composed in _through(target, call, own)
            ]
            if facts:
                path = next(iter(summaries.values())).path
                summaries[summary_name] = Summary(summary_name, path, tuple(own), tuple(facts))
                added = True
        if not added:
            return


def _calls_of_wrappers(
    function: Function, klass: ast.ClassDef | None, summaries: dict[str, Summary]
) -> Iterator[tuple[ast.Call, Summary]]:
    """The calls in ``function`` of a summarised function or class of its module: by
    name, or a method of its own class on ``self``."""
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        target = None
        if isinstance(func, ast.Name):
            target = summaries.get(func.id)
        elif (
            klass is not None
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "self"
        ):
            target = summaries.get(f"{klass.name}.{func.attr}")
        if target is not None:
            yield node, target


def _through(target: Summary, call: ast.Call, own: list[str]) -> Iterator[ConnectionFacts]:
    """The connections of ``target`` as the function making ``call`` summarises them:
    a parameter it passes on stays the caller's to give, a literal it writes is known."""
    given = bind_arguments(target.params, call, skip_first=False) or {}

    def passed(slot: Slot) -> Slot:
        if slot.param is None:
            return slot
        node = given.get(slot.param)
        if node is None:
            return Slot(None, slot.value)  # the target's default
        if isinstance(node, ast.Name) and node.id in own:
            return Slot(node.id, Value.unknown(f"parameter {node.id}"), slot.path)
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)):
            return Slot(None, Value(True, node.value))
        return Slot(None, Value.unknown())

    for facts in target.connections:
        host = passed(facts.host)
        logins = tuple(LoginFacts(passed(x.user), passed(x.secret)) for x in facts.logins)
        choice = passed(facts.tls_choice) if facts.tls_choice is not None else None
        if not any(s.param for s in (host, *(x.secret for x in logins))):
            continue
        yield ConnectionFacts(
            facts.protocol,
            facts.library,
            facts.log_handler,
            host,
            logins,
            facts.line,
            f"{target.name}, {facts.through or facts.library}",
            choice if choice is not None and choice.param else None,
        )


def _inherited(path: Path, tree: ast.Module, analyze: Analyze) -> dict[str, Summary]:
    """Classes of the module without an ``__init__`` of their own, by name, with the
    summary of the first base class (imported from another module of the project) that
    has one: ``class SimpleEmail(HtmlMixin, SmtpMixin): pass`` is made as ``SmtpMixin``
    is."""
    imported = _from_imports(tree)
    found: dict[str, Summary] = {}
    for klass in tree.body:
        if not isinstance(klass, ast.ClassDef) or any(
            isinstance(item, FUNCTIONS) and item.name == "__init__" for item in klass.body
        ):
            continue
        for base in klass.bases:
            qualified = imported.get(base.id) if isinstance(base, ast.Name) else None
            summary = _find(path, qualified, analyze, MAX_HOPS) if qualified else None
            if summary is not None:
                found[klass.name] = summary
                break
    return found


def _from_imports(tree: ast.Module) -> dict[str, str]:
    """The names a module's top level imports from other modules, by local name, as
    qualified names (``.email_.Email``, ``pkg.mixin.SmtpMixin``)."""
    found: dict[str, str] = {}
    for statement in tree.body:
        if not isinstance(statement, ast.ImportFrom) or not statement.module:
            continue
        module = "." * statement.level + statement.module
        for alias in statement.names:
            if alias.name != "*":
                found[alias.asname or alias.name] = f"{module}.{alias.name}"
    return found


@inputs.remembered
def _imported_names(path: Path) -> dict[str, str]:
    if path.is_symlink():
        return {}
    data = inputs.read(path, _MAX_MODULE_BYTES)
    if data is None:
        return {}
    tree = _tree(data)
    return _from_imports(tree) if tree is not None else {}


def _tree(data: bytes) -> ast.Module | None:
    """A module's tree, None when it does not parse."""
    found = module_tree(data)
    return found.tree if found is not None else None


_IMPORT = lazy_pattern(rb"^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import|import[ \t]+([.\w]+))", re.M)


def _imports_mail_module(path: Path, data: bytes, hops: int = MAX_HOPS) -> bool:
    """Whether a module imports one of the project that mail code is in (a wrapper of a
    wrapper), by a look at the bytes of each module it imports, and of those they import
    for ``hops`` more steps (a package's ``__init__`` that re-exports a mixin)."""
    for match in _IMPORT.finditer(data):
        module = (match.group(1) or match.group(2)).decode("ascii", "replace")
        if module.split(".")[0] in _STDLIB:
            continue
        found = _module_path(path, module)
        if found is not None and found != path and _is_mail_code(found, hops):
            return True
    return False


def gives_login_value(
    importer: str,
    qualified: str,
    call: ast.Call,
    analyze: Analyze,
    matters: Callable[[ast.AST, bool], bool],
) -> bool:
    """Whether ``call`` of ``qualified``, a wrapper of the project, gives an argument
    ``matters`` takes (with whether it is for a host, else for a password) for a
    parameter that reaches a connection's host or a login's password."""
    if qualified.split(".")[0] in _STDLIB:
        return False
    summary = find_wrapper(importer, qualified, analyze)
    if summary is None:
        return False
    hosts = {facts.host.param for facts in summary.connections} - {None}
    secrets = {login.secret.param for facts in summary.connections for login in facts.logins} - {
        None
    }
    given = bind_arguments(summary.params, call, skip_first=False) or {}
    return any(
        matters(node, name in hosts) for name, node in given.items() if name in hosts | secrets
    )


@inputs.remembered
def _is_mail_code(path: Path, hops: int) -> bool:
    if path.is_symlink():
        return False
    data = inputs.read(path, _MAX_MODULE_BYTES)
    if data is None:
        return False
    return may_matter(data) or (hops > 0 and _imports_mail_module(path, data, hops - 1))


class _Definitions:
    """Functions and classes of a module by the lines they span."""

    def __init__(self, tree: ast.Module) -> None:
        self.functions: list[tuple[Function, str, ast.ClassDef | None]] = []
        for node in tree.body:
            if isinstance(node, FUNCTIONS):
                self.functions.append((node, node.name, None))
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, FUNCTIONS):
                        self.functions.append((item, f"{node.name}.{item.name}", node))

    def owner(self, line: int):
        for function, name, klass in self.functions:
            if function.lineno <= line <= (function.end_lineno or function.lineno):
                return function, name, klass
        return None


def _facts(conn: Connection, owner, definitions: _Definitions):
    """The summary a connection gives its wrapper: the function itself, or its class when
    a value comes from the class's ``__init__`` (kept on ``self``)."""
    function, name, klass = owner
    own = param_names(function, klass is not None)
    init = None
    if klass is not None:
        init = next(
            (f for f in klass.body if isinstance(f, FUNCTIONS) and f.name == "__init__"), None
        )
    init_params = param_names(init, True) if init is not None else []
    uses_init = False

    def slot(value: Value) -> Slot:
        nonlocal uses_init
        origin = value.origin or ""
        # A parameter: the caller's to give; without a default, with an empty one
        # (``password=None``), or with one a caller may replace (``host="smtp..."``);
        # also an item of one (``cfg["mail"]["host"]``, whose origin is the key's).
        param = origin.removeprefix("parameter ") if origin.startswith("parameter ") else None
        param = param or path_root(value)
        if param is not None:
            if function is not init and param in own:
                return Slot(param, value, parameter_path(value, param))
            if param in init_params:
                uses_init = True
                return Slot(param, value, parameter_path(value, param))
        return Slot(None, Value(value.known, value.value, value.origin))

    host = slot(conn.host)
    logins = tuple(
        LoginFacts(slot(step.user), slot(step.secret))
        for step in conn.steps
        if step.kind is StepKind.LOGIN and step.password_given
    )
    if not logins:
        return None
    slots = [host, *(s for login in logins for s in (login.user, login.secret))]
    if not any(s.param for s in slots):
        return None  # nothing a caller gives: the wrapper's own file reports it
    tls_choice = slot(conn.tls_choice) if conn.tls_choice is not None else None
    facts = ConnectionFacts(
        conn.protocol,
        conn.library,
        conn.log_handler,
        host,
        logins,
        conn.opened_at.line,
        conn.via,
        tls_choice if tls_choice is not None and tls_choice.param else None,
    )
    if uses_init and klass is not None:
        return klass.name, tuple(init_params), facts
    if klass is not None and any(s.param and s.param not in own for s in slots):
        return None
    return name, tuple(own), facts


def apply(
    summary: Summary,
    call: ast.Call,
    evaluate: Callable[[ast.AST], Value],
    span: Span,
    root: Path,
    *,
    skip_first: bool = False,
    forwarding: bool = False,
) -> Iterator[Connection]:
    """The connections a call of the wrapper makes, with the caller's values; only those
    whose host or secret the caller gives (else the wrapper's file says it all), or, with
    ``forwarding`` (the caller is being summarised itself), whose host or secret is a
    parameter of the caller."""
    given = bind_arguments(summary.params, call, skip_first)
    if given is None:
        return
    values = {name: evaluate(node) for name, node in given.items()}
    for facts in summary.connections:
        via = f"through {summary.where(root)}, {facts.through or facts.library}"
        host = _value(facts.host, values)
        if facts.log_handler:
            host = mailhost_of(host)
        steps = []
        gives_host = (
            facts.host.param is not None
            and facts.host.param in values
            and (host.known or (forwarding and _forwarded(host)))
        )
        gives_secret = False
        for login in facts.logins:
            secret = _value(login.secret, values)
            if _left_empty(login.secret, values):
                continue  # ``EmailSender(host=...)``: no password, so no login at this call
            if login.secret.param in values and (
                _written(secret) or (forwarding and _forwarded(secret))
            ):
                gives_secret = True
            steps.append(Step(StepKind.LOGIN, span, user=_value(login.user, values), secret=secret))
        if not steps or not (gives_host or gives_secret):
            continue
        choice = facts.tls_choice
        if choice is not None and choice.param in values and upgrades(values[choice.param]):
            # ``secure=()`` given here: SMTPHandler then calls starttls() without a context.
            chosen = values[choice.param]
            starttls = Step(StepKind.STARTTLS, chosen.span or span, Verification.UNVERIFIED)
            steps.insert(0, starttls)
        yield Connection(
            protocol=facts.protocol,
            library=facts.library,
            host=host,
            port=Value.unknown(via),
            tls=Tls.UNKNOWN,
            opened_at=span,
            steps=steps,
            log_handler=facts.log_handler,
            via=via,
            # The host is the wrapper's: its file reports the login with it.
            secret_only=not gives_host,
        )


def mailhost_of(mailhost: Value) -> Value:
    """The host of a logging handler's ``mailhost``, which may be ``(host, port)``."""
    if mailhost.items is not None and len(mailhost.items) == 2:
        return mailhost.items[0]
    return mailhost


def _left_empty(secret: Slot, values: Mapping[str, Value]) -> bool:
    """A wrapper's password parameter that the call leaves to its empty default
    (``password=None``): the wrapper then has no password to log in with."""
    if secret.param is None or secret.param in values:
        return False
    default = secret.value
    return default.known and default.value in (None, "")


def _written(secret: Value) -> bool:
    """A password the caller writes, or takes from a module of the project that does not
    report it itself (``config.outlook_password``); a placeholder is the wrapper's file's
    to report."""
    written = secret.literal or secret.written_at is not None
    return written and not (isinstance(secret.value, str) and is_placeholder(secret.value))


def _forwarded(value: Value) -> bool:
    return not value.known and (value.origin or "").startswith("parameter ")


def _value(slot: Slot, values: dict[str, Value]) -> Value:
    if slot.param is None:
        return slot.value
    given = values.get(slot.param)
    return slot.value if given is None else follow(given, slot.path)


def bind_arguments(
    params: tuple[str, ...], call: ast.Call, skip_first: bool
) -> dict[str, ast.AST] | None:
    """The caller's argument expressions by parameter name: those it names or places
    before any ``*args`` (``**kwargs`` passed on, as cooperative ``__init__`` methods do,
    leaves the rest unknown); None when nothing can be bound."""
    bound: dict[str, ast.AST] = {}
    position = -1 if skip_first else 0
    for argument in call_arguments(call):
        if isinstance(argument, ast.keyword) and argument.arg is None:
            continue
        if isinstance(argument, ast.Starred):
            position = len(params)  # where the next positional ones go is not known
            continue
        if isinstance(argument, ast.keyword):
            if argument.arg in params:
                bound[argument.arg] = argument.value  # type: ignore[index]
            continue
        if 0 <= position < len(params):
            bound[params[position]] = argument
        position += 1
    return bound or None


def find_wrapper(importer: str | None, qualified: str, analyze: Analyze) -> Summary | None:
    """The summary of ``qualified`` (``pkg.mail.send``, ``.mail.Mailer``) when it names a
    wrapper in a module of the project."""
    if not importer:
        return None
    return _find(resolved(importer), qualified, analyze, MAX_HOPS)


def _find(where: Path, qualified: str, analyze: Analyze, hops: int) -> Summary | None:
    """The summary of ``qualified`` as the module at ``where`` imports it, following a
    name the module it is imported from only imports in turn (a package's re-export)
    for ``hops`` steps."""
    if "." not in qualified.lstrip("."):
        return None
    module, _, name = qualified.rpartition(".")
    for candidate_module, candidate in ((module, name), _class_member(module, name)):
        if not candidate_module or not candidate_module.strip("."):
            continue
        path = _module_path(where, candidate_module)
        if path is None or path == where:
            continue
        summary = module_summaries(path, analyze).get(candidate)
        if summary is not None:
            return summary
        again = _imported_names(path).get(candidate) if hops > 0 else None
        if again is not None:
            summary = _find(path, again, analyze, hops - 1)
            if summary is not None:
                return summary
    return None


def _class_member(module: str, name: str) -> tuple[str, str]:
    owner, _, klass = module.rpartition(".")
    return owner, f"{klass}.{name}" if klass else ""
