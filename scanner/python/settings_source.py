"""Mail settings written in Python: Django settings modules, Flask configuration,
pydantic settings classes, config modules and FastAPI-Mail's ``ConnectionConfig``.

Module-level ``EMAIL_HOST = ...`` / ``SMTP_HOST = ...`` assignments, class bodies (``class
Config: MAIL_SERVER = ...``, ``class Settings(BaseSettings): SMTP_PORT: int = 465``), dict
literals assigned to a name (``SMTP_CONFIG = {"host": ...}``), ``app.config["MAIL_SERVER"] =
...``, ``app.config.update(MAIL_SERVER=...)``, ``app.config.from_mapping(...)`` and upper-case
keyword arguments of any call (``ConnectionConfig(MAIL_SERVER=...)``, ``settings.configure(
EMAIL_HOST=...)``) become settings (values through the evaluator, so ``os.environ``,
django-environ and python-decouple defaults count) and go through the same interpreter as
config files. A logging configuration dictionary (Django's ``LOGGING``) goes to the
SMTPHandler adapter's reader of ``dictConfig`` dictionaries.
"""

from __future__ import annotations

import ast
import dataclasses

from ..lazy_regex import lazy_pattern
from ..mail_settings.coerce import tls_flag_edits
from ..mail_settings.interpret import interpret
from ..mail_settings.keys import Setting, is_framework_key, is_prefixed_key, is_setting_key
from ..model import Connection, MailFile, Span, Value
from ..project import flask_extension
from ..providers import lookup
from ..remedies import RemedyKind
from .adapters import HAND_WRITTEN
from .adapters.logging_handlers import config_connections
from .arguments import call_arguments
from .imports import imported_constant
from .mapping_sites import is_dict_call, mapping_site
from .model_names import MODEL_NAMES, OPENER_MODULES
from .positional_servers import keyword_span, positional_server
from .settings_branches import branches
from .settings_project import project_of
from .settings_reexports import passes_on_django_settings
from .settings_spoken import as_spoken, spoken_protocols
from .settings_users import left_to_code
from .source import dotted_name, main_guard
from .symbols import TRIES, BindingKind, Symbols
from .values import Evaluator

_MENTIONS = lazy_pattern(r"(?i)mail|smtp|imap")
# The modules the library adapters read calls of. Not those of library models: a model
# reads a call only when the library's signature accepts it (``mailer.Mailer(server=...)``
# is not quick-mailer's), and one it does not read is left to the settings reader here.
_MAIL_LIBRARIES = (
    frozenset(
        name.split(".", 1)[0]
        for adapter in HAND_WRITTEN
        for name in (*adapter.clients, *adapter.functions, *adapter.presets)
    )
    | frozenset(name.split(".", 1)[0] for _, _, *names in MODEL_NAMES for n in names for name in n)
) - OPENER_MODULES
_CONFIG_METHODS = frozenset({"update", "from_mapping"})


def read_python_settings(
    tree: ast.Module,
    symbols: Symbols,
    values: Evaluator,
    mail: MailFile,
    *,
    microsoft_only: bool = False,
) -> None:
    """Add the connections and secrets of the module's mail settings to ``mail``;
    ``microsoft_only``: of the groups of settings that hold a Microsoft mail host (a
    module that only names one, ``Client(host=HOST, password=...)``)."""
    if not _MENTIONS.search(values.text.code):
        return
    reader = _Reader(values, frozenset(symbols.names_read))
    # Calls a library adapter made a connection of: their keywords are its arguments.
    reader.known_calls = {conn.opened_at for conn in mail.connections}
    star_import = any(
        isinstance(statement, ast.ImportFrom) and any(a.name == "*" for a in statement.names)
        for statement in tree.body
    )
    # A module that star-imports base settings holds only overrides: no defaults then.
    reader.statements(tree.body, "module", complete=not star_import)
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef):
            bases = [dotted_name(base) for base in statement.bases]
            reader.statements(
                statement.body,
                f"class {statement.name}",
                complete=all(base == "object" for base in bases),
            )
    # In source order, as the settings a later one overrides come first.
    nodes: list[ast.Assign | ast.Call] = [
        *(a for a in symbols.assignments if isinstance(a, ast.Assign)),
        *symbols.calls,
    ]
    for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset, isinstance(n, ast.Call))):
        if isinstance(node, ast.Assign):
            reader.config_assignment(node)
        else:
            reader.config_call(node)
    for mapping in symbols.dicts:
        reader.inner_dict(mapping, symbols)
    for call in symbols.calls:
        if call.keywords and is_dict_call(call):
            reader.inner_dict(call, symbols)
    # What the module's code opened (and dictConfig calls described) before settings.
    code = [conn for conn in mail.connections if not conn.log_handler]
    described = {conn.opened_at for conn in mail.connections}
    project = project_of(values.path, flask_extension(values.path, values.text.code))
    spoken = spoken_protocols(symbols, code)
    # Constants the project's code connects with: it says the port, the TLS and, for a
    # module with no mail code of its own, the protocol; no framework defaults.
    used = left_to_code(reader.complete, tree, values.path, speaks=bool(spoken))
    reader.complete = [s for s in reader.complete if s not in used.settings]
    reader.partial.extend(used.settings)
    spoken = spoken or used.spoken
    if microsoft_only:
        reader.complete, reader.partial = map(_microsoft_groups, (reader.complete, reader.partial))
    unused = _unused_constants(tree, symbols, reader.complete)
    for complete, settings in ((True, reader.complete), (False, reader.partial)):
        found = interpret(
            settings,
            complete=complete,
            python=True,
            bool_words=("True", "False"),
            text=values.text.code,
            project=project,
        )
        connections = as_spoken(found.connections, spoken, values.text.code)
        mail.connections.extend(
            # The code that logs in with the group's password reports the login there.
            dataclasses.replace(conn, secret_only=True)
            if conn.opened_at in used.logged_in_elsewhere
            else conn
            for conn in connections
            if conn.opened_at not in unused and not any(_same(conn, c) for c in code)
        )
        mail.secrets.extend(found.secrets)
    mail.connections.extend(c for c in reader.log_handlers if c.opened_at not in described)
    _port_brings_tls_mode(code, [*reader.complete, *reader.partial])


def _microsoft_groups(settings: list[Setting]) -> list[Setting]:
    """The settings of the mappings and calls' keywords one of whose values is a Microsoft
    mail host (module constants such as ``HOST = ...`` may be anyone's)."""
    groups = {
        s.group
        for s in settings
        if s.listed
        and s.value.known
        and isinstance(s.value.value, str)
        and lookup(s.value.value).microsoft
    }
    return [s for s in settings if s.group in groups and s.listed]


def _unused_constants(tree: ast.Module, symbols: Symbols, settings: list[Setting]) -> set[Span]:
    """The module-level settings of a program that uses none of them: a script run as
    ``__main__`` whose own code reads none of its ``SMTP_*`` constants, nor hands its
    namespace to a reader (``app.config.from_object(__name__)``, ``globals()``), connects
    nowhere with them. A settings module has no program of its own (other modules import
    its constants), and a framework reads its settings by name from a settings module,
    not from a script. Their secrets stay: a password literal there is still committed."""
    constants = [s for s in settings if s.group == "module"]
    if not constants or not _runs_as_main(tree):
        return set()
    if any(s.key in symbols.names_read for s in constants):
        return set()
    if {"globals", "vars", "modules"} & symbols.names_read or _hands_over_name(tree):
        return set()
    return {s.span for s in constants}


def _runs_as_main(tree: ast.Module) -> bool:
    """``if __name__ == "__main__":`` at the module's top level."""
    return any(main_guard(statement) for statement in tree.body)


def _hands_over_name(tree: ast.Module) -> bool:
    """Whether a configuration loader takes the module's ``__name__`` (Flask's
    ``app.config.from_object(__name__)`` reads its upper-case names)."""
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "from_object"
        and any(
            isinstance(argument, ast.Name) and argument.id == "__name__"
            for argument in [*node.args, *(k.value for k in node.keywords)]
        )
        for node in ast.walk(tree)
    )


def _port_brings_tls_mode(code: list[Connection], settings: list[Setting]) -> None:
    """A fix that moves code to STARTTLS on 587 with a port from a settings dict
    (``SMTP_SSL(host, CONFIG["port"])`` under ``CONFIG = {"port": 465, "use_ssl": True}``)
    also turns the dict's implicit TLS flag off and its STARTTLS flag on, so the settings
    never say SSL on 587."""
    groups: dict[str, list[Setting]] = {}
    for setting in settings:
        groups.setdefault(setting.group, []).append(setting)
    ports = {s.token: s.group for s in settings if s.token is not None and _is_port(s.key)}
    for conn in code:
        where = conn.port.literal_span
        group = ports.get(where) if where is not None else None
        if group is None:
            continue
        flags = tls_flag_edits(groups[group], ("True", "False"))
        for kind in (RemedyKind.PORT_587, RemedyKind.USE_STARTTLS):
            remedy = conn.remedies.get(kind)
            if remedy is None or not flags:
                continue
            taken = [(e.start, e.end) for e in remedy.edits]
            extra = tuple(
                f for f in flags if not any(f.start < end and start < f.end for start, end in taken)
            )
            conn.remedies[kind] = dataclasses.replace(remedy, edits=remedy.edits + extra)


def _is_port(key: str) -> bool:
    """``port``, ``smtp_port``, ``MAIL_PORT``: the port of a settings group."""
    lower = key.lower()
    return lower == "port" or lower.endswith("_port")


def _same(conn: Connection, code: Connection) -> bool:
    """Whether settings describe a connection the module's own code opens with them
    (``smtplib.SMTP(SMTP_HOST, SMTP_PORT)`` under ``SMTP_HOST = ...``): the code's
    connection says it all, with the calls that prove a login."""
    pairs = [(conn.host, code.host), (conn.port, code.port)]
    pairs += [(a.secret, b.secret) for a in conn.logins() for b in code.logins()]
    return any(_same_value(a, b) for a, b in pairs)


def _same_value(a: Value, b: Value) -> bool:
    if a.literal_span is not None or b.literal_span is not None:
        return a.literal_span == b.literal_span
    # A setting's origin may also say where the project sets it: ", set in .env line 3".
    return a.origin is not None and a.origin != "missing" and _read(a.origin) == _read(b.origin)


def _read(origin: str | None) -> str | None:
    return origin.split(", set in ", 1)[0] if origin else origin


class _Reader:
    def __init__(self, values: Evaluator, names_read: frozenset[str] = frozenset()) -> None:
        self.values = values
        self.names_read = names_read
        self.known_calls: set[Span] = set()
        self.complete: list[Setting] = []
        self.partial: list[Setting] = []
        self.log_handlers: list[Connection] = []

    def add(
        self,
        key: str,
        key_span: Span,
        value: ast.expr,
        group: str,
        complete: bool,
        *,
        mapping: bool = True,
        listed: bool = False,
        item: ast.AST | Span | None = None,
    ) -> None:
        """One setting; ``item`` is the statement, keyword or dict entry that writes it,
        for fixes that replace it by other settings."""
        if not is_setting_key(key, mapping=mapping):
            return
        evaluated = self.values.evaluate(value)
        self.add_value(key, key_span, evaluated, value, group, complete, item, listed=listed)

    def add_value(
        self,
        key: str,
        key_span: Span,
        evaluated: Value,
        value: ast.expr | None,
        group: str,
        complete: bool,
        item: ast.AST | Span | None = None,
        *,
        listed: bool = False,
    ) -> None:
        """One setting of a value already evaluated (``value``: its expression here, for
        fixes; None for a value of another module)."""
        token = evaluated.literal_span or (evaluated.span if evaluated.literal else None)
        text = self.values.text.text(token) if token is not None else ""
        statement, form = None, ""
        if item is not None and value is not None:
            statement, form = self._layout(key_span, self.values.span(value), item)
        setting = Setting(
            key,
            evaluated,
            key_span,
            group,
            token,
            text,
            listed=listed,
            statement=statement,
            form=form,
        )
        (self.complete if complete else self.partial).append(setting)

    def _entries(self, keys: dict[str, tuple[ast.Constant, ast.expr]], group: str) -> None:
        """A dict literal's string keys and values, as one group of settings."""
        for key, (key_node, value) in keys.items():
            self.add(
                key,
                self.values.span(key_node),
                value,
                group,
                False,
                listed=True,
                item=self._entry(key_node, value),
            )

    def _entry(self, key: ast.expr, value: ast.expr) -> Span:
        """A dict entry, from its key to its value."""
        return self.values.text.span_of(self.values.span(key).start, self.values.span(value).end)

    def _layout(self, key: Span, value: Span, item: ast.AST | Span) -> tuple[Span | None, str]:
        """The lines ``item`` stands alone on, and the form of a sibling written there."""
        code = self.values.text.code
        span = item if isinstance(item, Span) else self.values.span(item)
        line_start = code.rfind("\n", 0, span.start) + 1
        line_end = _line_end(code, span.end)
        rest = code[span.end : line_end].strip()
        comma = rest.startswith(",")
        if code[line_start : span.start].strip() or rest.lstrip(",").strip():
            return None, ""  # something else on its lines (a comment included): left alone
        if code[key.start : key.start + 1] in "'\"":
            key = self.values.text.span_of(key.start + 1, key.end - 1)  # inside the quotes

        def escaped(part: str) -> str:
            return part.replace("{", "{{").replace("}", "}}")

        form = (
            escaped(code[line_start : key.start])
            + "{key}"
            + escaped(code[key.end : value.start])
            + "{value}"
            + escaped(code[value.end : span.end])
            + ("," if comma else "")
        )
        return self.values.text.span_of(line_start, line_end), form

    def statements(self, body: list[ast.stmt], group: str, *, complete: bool) -> None:
        for statement in body:
            if isinstance(statement, (ast.If, *TRIES)):
                # Settings under a branch are settings: of the production branch of an
                # ``if DEBUG:``, else of every branch, in order (a later one overrides).
                for branch in branches(statement):
                    self.statements(branch, group, complete=complete)
                continue
            if isinstance(statement, ast.ImportFrom):
                self.imported(statement, group, complete)
                continue
            if isinstance(statement, ast.Assign):
                targets = statement.targets
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets = [statement.target]
            else:
                continue
            alone = isinstance(statement, ast.Assign) and len(targets) == 1
            for target in targets:
                if isinstance(target, ast.Name):
                    item = statement if alone and target.id not in self.names_read else None
                    self.assignment(target, statement.value, group, complete, item)  # type: ignore[arg-type]

    def imported(self, statement: ast.ImportFrom, group: str, complete: bool) -> None:
        """``from base import EMAIL_HOST``: a framework reads its settings by name from the
        module, imported ones as assigned ones; the value as the project's module gives it.
        Only a framework's keys that the module's own code does not read (a script's
        ``MAIL_SERVER`` or ``SMTP_HOST`` is its code's, reported where it is used), and not
        a name of a module outside the project (its value unseen)."""
        module = "." * statement.level + (statement.module or "")
        for alias in statement.names:
            key = alias.asname or alias.name
            if alias.name == "*" or not is_framework_key(key) or key in self.names_read:
                continue
            value = imported_constant(self.values.path, module, alias.name, Evaluator)
            if value is not None:
                self.add_value(key, self.values.span(alias), value, None, group, complete)

    def assignment(
        self,
        target: ast.Name,
        value: ast.expr,
        group: str,
        complete: bool,
        item: ast.stmt | None = None,
    ) -> None:
        """``NAME = value``: a setting; a dict literal is a group of settings of its own
        (``SMTP_CONFIG = {...}``), or a logging configuration (``LOGGING = {...}``)."""
        span = self.values.span(target)
        if passes_on_django_settings(value, self.values.qualified_names):
            return
        if not isinstance(value, ast.Dict):
            self.add(target.id, span, value, group, complete, mapping=False, item=item)
            return
        keys = _dict_keys(value)
        if "handlers" in keys:
            evaluated = self.values.evaluate(value)
            found = config_connections(evaluated, self.values.text.code, self.values.span(value))
            self.log_handlers.extend(found)
            return
        for key, (key_node, item) in keys.items():
            self.add(
                key,
                self.values.span(key_node),
                item,
                f"{group}/{target.id}",
                False,
                listed=True,
                item=self._entry(key_node, item),
            )

    def inner_dict(self, node: ast.Dict | ast.Call, symbols: Symbols) -> None:
        """A dict literal or ``dict(...)`` handed to a call, assigned inside a function, or
        nested in another mapping (``connect({"host": "outlook.office365.com", ...})``,
        ``{"transport": {"host": ...}}``): a group of settings of its own, named by the key
        it sits under, when it holds a Microsoft mail host (:mod:`.mapping_sites`). A
        module or class constant's own keys are read as statements."""
        site = mapping_site(node, symbols.parents, symbols.enclosing_function)
        if site is None or (site.module_level and not site.key and isinstance(node, ast.Dict)):
            return
        call = site.call
        if call is not None:
            if self.values.span(call) in self.known_calls or (
                isinstance(call.func, ast.Attribute) and call.func.attr in _CONFIG_METHODS
            ):
                return  # a connection's own call; ``config.from_mapping({...})`` is read there
            names = self.values.qualified_names(call.func)
            if any(name.split(".", 1)[0] in _MAIL_LIBRARIES for name in names):
                return  # a mail library's own call: its adapter reads the dict
        keys = _dict_keys(node) if isinstance(node, ast.Dict) else {}
        keywords = [k for k in node.keywords if k.arg] if isinstance(node, ast.Call) else []
        values = [value for key, (_, value) in keys.items() if is_setting_key(key)]
        values += [k.value for k in keywords if is_setting_key(k.arg or "")]
        if not any(self._microsoft_host(value) for value in values):
            return
        group = f"dict@{self.values.span(node).start}" + (f"/{site.key}" if site.key else "")
        self._entries(keys, group)
        self._add_keywords(keywords, group, False)

    def _config_owner(self, node: ast.AST) -> str | None:
        """``app.config``, or a bare ``config`` that may be it: not one the code binds to a
        mapping of its own (``config = json.load(f)``), which it fills to save or pass on."""
        owner = _config_owner(node)
        for binding in self.values.bindings(node) if isinstance(node, ast.Name) else ():
            statement = self.values.parents.get(binding.node)
            if binding.kind is BindingKind.NAME and isinstance(statement, ast.Assign):
                owner = owner if _config_owner(statement.value) else None
        return owner

    def config_assignment(self, node: ast.Assign) -> None:
        """``app.config[KEY] = value`` (Flask configuration)."""
        for target in node.targets:
            if not isinstance(target, ast.Subscript):
                continue
            owner = self._config_owner(target.value)
            index = target.slice
            if owner is None or not isinstance(index, ast.Constant):
                continue
            if isinstance(index.value, str):
                alone = node if len(node.targets) == 1 else None
                self.add(index.value, self.values.span(index), node.value, owner, False, item=alone)

    def config_call(self, node: ast.Call) -> None:
        """``app.config.update(KEY=value)`` (Flask configuration), and the upper-case
        keyword settings of any other call."""
        func = node.func
        owner = None
        if isinstance(func, ast.Attribute) and func.attr in _CONFIG_METHODS:
            owner = self._config_owner(func.value)
        if owner is None:
            self._keywords(node)
            return
        for argument in call_arguments(node):
            if isinstance(argument, ast.keyword):
                if argument.arg is not None:
                    self.add(
                        argument.arg,
                        keyword_span(self.values, argument),
                        argument.value,
                        owner,
                        False,
                        listed=True,
                        item=argument,
                    )
            elif isinstance(argument, ast.Dict):
                self._entries(_dict_keys(argument), owner)
            elif is_dict_call(argument):
                for item in argument.keywords:
                    if item.arg is not None:
                        self.add(
                            item.arg,
                            keyword_span(self.values, item),
                            item.value,
                            owner,
                            False,
                            listed=True,
                        )

    def _keywords(self, node: ast.Call) -> None:
        """``ConnectionConfig(MAIL_SERVER=..., MAIL_PORT=...)``,
        ``settings.configure(EMAIL_HOST=...)``: keywords written as settings names are the
        call's settings, a group of their own; everything the library reads unless a
        ``**mapping`` may add more. (``dict(...)`` is read where it is used.)"""
        if not node.keywords:
            return  # most calls: no keyword, no setting (nor mail keywords, below)
        name = dotted_name(node.func)
        if name == "dict":
            return  # read as a mapping (``inner_dict``)
        named = [
            keyword
            for keyword in node.keywords
            if keyword.arg is not None
            and keyword.arg.isupper()
            and is_setting_key(keyword.arg, mapping=False)
        ]
        if named:
            complete = not any(isinstance(a, ast.Starred) for a in node.args) and all(
                k.arg is not None for k in node.keywords
            )
            start = self.values.span(node).start
            self._add_keywords(named, f"call {name or 'expression'}@{start}", complete)
        self._mail_keywords(node, name)

    def _add_keywords(self, keywords: list[ast.keyword], group: str, complete: bool) -> None:
        for keyword in keywords:
            assert keyword.arg is not None
            self.add(
                keyword.arg,
                keyword_span(self.values, keyword),
                keyword.value,
                group,
                complete,
                listed=True,
                item=keyword,
            )

    def _microsoft_host(self, node: ast.expr) -> bool:
        value = self.values.evaluate(node)
        return value.known and isinstance(value.value, str) and lookup(value.value).microsoft

    def _mail_keywords(self, node: ast.Call, name: str | None) -> None:
        """``send_report(host="smtp.office365.com", port=465, use_ssl=True)``: lower-case
        mail keywords of a call the library adapters do not know, read as a mapping of
        settings (reported only with a Microsoft host, as a mail-named dict is otherwise),
        with the server the call gives first by position (:mod:`.positional_servers`).
        A known client's keywords describe the connection its adapter builds instead."""
        lowered = [
            keyword
            for keyword in node.keywords
            if keyword.arg is not None and keyword.arg.islower() and is_setting_key(keyword.arg)
        ]
        server = positional_server(node, lowered, self.values.evaluate) if lowered else []
        # The call's span only past this: most calls have no such keywords.
        if len(lowered) + len(server) < 2 or self.values.span(node) in self.known_calls:
            return
        # Bare names (``host``, ``port``, ``use_ssl``); ``smtp_server=`` is an argument like
        # any other, unless the call names a Microsoft mail host (``Notifier(smtp_server=
        # "smtp.office365.com", smtp_password=...)``): then its keywords are the settings.
        if not server and not any(self._microsoft_host(k.value) for k in lowered):
            lowered = [k for k in lowered if k.arg is not None and not is_prefixed_key(k.arg)]
        else:  # a framework's keys (``email_host=``) stay an argument: not its settings
            lowered = [k for k in lowered if k.arg is not None and not is_framework_key(k.arg)]
            if len(lowered) + len(server) < 2:
                return
        names = self.values.qualified_names(node.func)
        if any(qualified.split(".", 1)[0] in _MAIL_LIBRARIES for qualified in names):
            return  # a mail library's own call: its adapter says what the keywords mean
        group = f"keywords of {name or 'expression'}@{self.values.span(node).start}"
        self._add_keywords(lowered, group, False)
        for key, arg in server:  # the server given first, by position
            self.add(key, self.values.span(arg), arg, group, False, listed=True)


def _line_end(code: str, offset: int) -> int:
    """The end of the line ``offset`` is on, before its line break."""
    end = code.find("\n", offset)
    end = len(code) if end < 0 else end
    return end - 1 if code[end - 1 : end] == "\r" else end


def _dict_keys(node: ast.Dict) -> dict[str, tuple[ast.Constant, ast.expr]]:
    found = {}
    for key, value in zip(node.keys, node.values, strict=True):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found[key.value] = (key, value)
    return found


def _config_owner(node: ast.AST) -> str | None:
    """``app.config`` (or ``self.app.config``, ``current_app.config``), else None."""
    name = dotted_name(node)
    return name if name is not None and name.split(".")[-1] == "config" else None
