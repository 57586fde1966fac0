"""The net under the library models: a login on anything made with a Microsoft mail host.

A library nobody modelled is still called the way mail libraries are: its client is
made with the server's host (``Client("outlook.office365.com", 993)``) and then asked
to ``login(user, password)`` / ``authenticate(...)`` / ``auth(...)``, on the result
directly or through the name it is bound to. Such a chain is a connection of unknown
TLS, its protocol guessed from the host and port, named after the library in
messages. Calls a model or an adapter reads never come here.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from urllib.parse import unquote, urlsplit

from ..lazy_regex import lazy_pattern
from ..mail_settings.keys import URL_KEY, is_framework_key, is_setting_key
from ..model import PASSWORD_MECHANISMS, Connection, Protocol, Span, Step, StepKind, Tls, Value
from ..providers import lookup
from .callers import Callers
from .secret_names import password_name
from .source import dotted_name
from .symbols import FUNCTIONS, NOT_THE_PROJECT, BindingKind, Symbols

_LOGINS = frozenset({"login", "authenticate", "auth"})
_HOST_KEYWORDS = ("host", "hostname", "server", "mailhost", "host_address", "smtp_server")
_HOST_ENDS = ("_host", "_server", "_hostname")
_PORT_KEYWORDS = ("port",)
# ``smtp_address=``, ``imap_addr=``: a server's address, named for its protocol (a mail
# address there is no Microsoft host, so it never passes for one).
_ADDRESS_ENDS = ("_address", "_addr")
_PROTOCOL_WORDS = ("smtp", "imap", "pop", "mail", "email", "server")
# ``auth=(user, password)``, ``credentials=(user, password)``: a login as one pair.
_PAIR_KEYWORDS = ("auth", "credentials", "creds")
_PAIR_ENDS = ("_auth", "_credentials", "_creds")
# Methods called on a client's result before its login (``Client(host).connect().login``).
_HOPS = 2
_OTHER_MECHANISMS = frozenset(
    {"XOAUTH2", "OAUTHBEARER", "GSSAPI", "EXTERNAL", "ANONYMOUS", "SCRAM-SHA-1", "SCRAM-SHA-256"}
)
_USER_KEYWORDS = ("user", "username", "email", "login")
_SECRET_KEYWORDS = ("password", "passwd", "pwd", "secret")
_IMAP_PORTS = frozenset({143, 993})
_URL_SCHEMES = {
    **dict.fromkeys(("smtp", "smtps", "submission", "submit"), Protocol.SMTP),
    **dict.fromkeys(("imap", "imaps", "imap4", "imap4s"), Protocol.IMAP),
    **dict.fromkeys(("pop", "pops", "pop3", "pop3s"), Protocol.POP),
}
# A mail address, and a text that may be a password: no blank, no "@", "/" or "\\", no file
# name's ending, not a bare word (a digit or sign beside its letters), 6 to 128 characters.
_ADDRESS = lazy_pattern(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_SECRET_TEXT = lazy_pattern(
    r"(?!.*\.[A-Za-z0-9]{2,4}$)(?=.*[^A-Za-z])(?=.*[A-Za-z])[^\s@/\\]{6,128}$"
)
# How the login calls made on a call's result directly are kept (no name holds it).
_CHAINED = "()"
_POP_PORTS = frozenset({110, 995})


def _microsoft(value: Value) -> bool:
    return (
        value.known
        and isinstance(value.value, str)
        and 3 < len(value.value) < 256
        and lookup(value.value).microsoft
    )


# A string that starts a mail URL (a whole one, or an f-string's first part).
_URL_START = lazy_pattern(r"(?i)\s*(?:smtps?|submit|submission|imap4?s?|pop3?s?)(?:\+\w+)?://")


def names_microsoft_host(text: str, names: tuple[str, ...]) -> bool:
    """A string that is a Microsoft mail host (``names``: the table's, a substring test
    before its look-up, which also weighs misspellings), also as the server of a URL or of
    the part of one an f-string writes (``imaps://u:pw@outlook.office365.com``,
    ``@smtp.office365.com:587``)."""
    if not 3 < len(text) < 256 or " " in text:
        return False
    lowered = text.lower()
    if not any(name in lowered for name in names):
        return False
    if lookup(text).microsoft:
        return True
    if "://" in lowered and not _URL_START.match(lowered):
        return False  # ``https://outlook.office365.com/...``: a web address, not a login
    server = lowered.rpartition("@")[2] if "@" in lowered else lowered.partition("://")[2]
    server = re.split(r"[:/?#]", server, maxsplit=1)[0]
    return server != lowered and lookup(server).microsoft


def mail_url(text: str) -> tuple[Protocol, str, int | None, str, str] | None:
    """(protocol, host, port, user, password) of a mail URL (``imaps://u:pw@host:993``,
    django-mailbox's ``imap+ssl://``, ``smtp+tls://``), decoded; None for another URL."""
    scheme = text.partition("://")[0].strip().lower()
    protocol = _URL_SCHEMES.get(scheme.split("+", 1)[0])
    if protocol is None:
        return None
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return (
        protocol,
        parts.hostname,
        port,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )


def _guess(host: str, port: Value) -> Protocol:
    if port.known and port.value in _IMAP_PORTS:
        return Protocol.IMAP
    if port.known and port.value in _POP_PORTS:
        return Protocol.POP
    name = host.lower()
    if name.startswith(("imap", "outlook.office")):
        return Protocol.IMAP
    if name.startswith("pop"):
        return Protocol.POP
    return Protocol.SMTP


class Net:
    def __init__(
        self,
        symbols: Symbols,
        evaluate: Callable[[ast.AST], Value],
        span: Callable[[ast.AST], Span],
        qualified: Callable[[ast.AST], set[str]],
        project_callee: Callable[[ast.Call], bool] = lambda call: False,
    ) -> None:
        self.symbols = symbols
        self.evaluate = evaluate
        self.span = span
        self.qualified = qualified
        # A call of another module of the project: its summary says whether it logs in.
        self.project_callee = project_callee
        self._logins: dict[str, list[ast.Call]] | None = None
        self._callers: Callers | None = None  # made when a method returns a client

    def connections(self, skip: Callable[[ast.Call], bool]) -> Iterator[Connection]:
        """A connection for each call made with a Microsoft mail host whose result logs in,
        and for each call given a mail URL with a password for a Microsoft host
        (``skip``: calls a model, an adapter or a summary reads)."""
        if any(_URL_START.match(text) for text in self.symbols.strings):
            for call in self.symbols.calls:
                if not skip(call) and (call.args or call.keywords):
                    found = self._url_login(call)
                    if found is not None:
                        yield found
        for call in self.symbols.calls:
            if not (call.args or call.keywords):
                continue
            # Syntactic, before any value is evaluated or a reader is asked about the call.
            logins = self._logins_on(call) if self._login_calls() else []
            password = None if logins else self._password_argument(call)
            if not (logins or password) or skip(call):
                continue
            made = self._on_made_object(call)
            if made is not None and skip(made):
                continue  # a method of a modelled client (BotCity's ``configure_smtp``)
            if self._own_login(made or call, logins):
                continue
            host = self._host(call)
            if host is None:
                continue
            port = self._port(call)
            conn = self._connection(call, _guess(str(host.value), port), host, port)
            if password is not None:
                secret = self.evaluate(password)
                conn.steps = [Step(StepKind.LOGIN, self.span(call), secret=secret)]
            else:
                conn.steps = [self._step(login) for login in logins]
            yield conn

    def _password_argument(self, call: ast.Call) -> ast.expr | None:
        """``Client("smtp.office365.com", 587, user, SMTP_PASSWORD)``: an argument after
        the first that names a password (a name, ``os.environ["MAIL_PASSWORD"]``,
        ``config.get("password")``), which a client given the host logs in with. Not a
        call of the module's own code (followed where it logs in), nor a keyword a
        settings name reads (``password=``: the keyword settings' own)."""
        given = [
            *call.args[1:],
            *(k.value for k in call.keywords if k.arg and not _settings_keyword(k.arg)),
        ]
        found = next((node for node in given if _names_password(node)), None)
        if found is None:  # ``sender_password="..."``, ``auth=(user, password)``
            found = next(filter(None, map(_keyword_secret, call.keywords)), None)
        if found is None and len(call.args) > 2:  # a user and a secret after the host
            found = self._paired_secret(call)
        if found is None:
            return None
        name = dotted_name(call.func)
        if (
            name is None  # ``super().__init__(host, ..., password)``: the class's own code
            or name.split(".", 1)[0] in ("self", "cls")
            or name.rsplit(".", 1)[-1].startswith("__")
            # ``keyring.set_password(host, user, password)`` keeps it for a login elsewhere.
            or password_name(name.rsplit(".", 1)[-1])
            or any(local for _, local in self.symbols.qualified_names(call.func))
            or self._standard(call)
        ):
            return None
        return None if self.project_callee(call) else found

    def _paired_secret(self, call: ast.Call) -> ast.expr | None:
        """``Client("smtp.office365.com", 587, "me@contoso.com", "Winter2024!")``: a text
        written out right after the user's address, by position, is the password the
        client logs in with (not an address, a sentence, a path or a bare word)."""
        given = call.args[1:]
        for user, secret in zip(given, given[1:], strict=False):
            # Syntactic first: most calls hand no such text, and nothing is evaluated.
            if not (
                isinstance(secret, ast.Constant)
                and isinstance(secret.value, str)
                and _SECRET_TEXT.match(secret.value)
            ) or isinstance(user, ast.Starred):
                continue
            address = self.evaluate(user)
            if address.known and isinstance(address.value, str) and _ADDRESS.match(address.value):
                return secret
        return None

    def _connection(
        self, call: ast.Call, protocol: Protocol, host: Value, port: Value
    ) -> Connection:
        names = [self._made_by(call)] if self._on_made_object(call) else []
        names = names or sorted(self.qualified(call.func)) or [dotted_name(call.func) or "a client"]
        return Connection(
            protocol=protocol,
            library=names[0].split(".")[0],
            host=host,
            port=port,
            tls=Tls.UNKNOWN,
            opened_at=self.span(call),
            via=f"made by {names[0]}, a library authsweep has no model of",
        )

    def _url_login(self, call: ast.Call) -> Connection | None:
        """``from_url("imaps://user:pw@outlook.office365.com")``: a mail URL with a user
        and a password for a Microsoft host, handed to any call, is what the library logs
        in with (the password may be a placeholder an f-string fills)."""
        if self._standard(call):
            return None  # ``urlparse(url)``: whoever uses the parts logs in, reported there
        parent = self.symbols.parents.get(call)
        if isinstance(parent, ast.Assign) and any(
            isinstance(t, ast.Name) and URL_KEY.search(t.id) for t in parent.targets
        ):
            return None  # ``EMAIL_URL = env("EMAIL_URL", default=...)``: the settings' URL
        for node in (*call.args, *(k.value for k in call.keywords)):
            if isinstance(node, ast.Starred):
                continue
            value = self.evaluate(node)
            text = value.value if value.known else value.template
            if not isinstance(text, str) or "://" not in text:
                continue
            found = mail_url(text)
            if found is None:
                continue
            protocol, host, port, user, password = found
            if not (password and lookup(host).microsoft):
                continue
            at = value.span or self.span(node)
            known = value.known and "{}" not in password
            secret = Value(
                known,
                password if known else None,
                value.origin if value.origin else (None if known else "the URL's password"),
                at,
                literal=value.literal and known,
                literal_span=value.literal_span if known else None,
                literal_parts=value.literal_parts,
            )
            conn = self._connection(
                call,
                protocol,
                Value(True, host, None, at),
                Value(True, port, None, at) if port else Value.unknown("library default"),
            )
            user_value = (
                Value(True, user, None, at) if user and "{}" not in user else Value.unknown(None)
            )
            conn.steps = [Step(StepKind.LOGIN, self.span(call), user=user_value, secret=secret)]
            return conn
        return None

    def _own_login(self, call: ast.Call, logins: list[ast.Call]) -> bool:
        """A class of this module that defines the login method called on it: the login
        runs the module's own code, which the front end follows and reports once (a
        subclass of an unmodelled client that keeps its ``login`` is still the net's)."""
        func = call.func
        if not isinstance(func, ast.Name):
            return False
        called = {login.func.attr for login in logins if isinstance(login.func, ast.Attribute)}
        for binding in self.symbols.bindings(func):
            klass = binding.node
            if binding.kind is BindingKind.CLASS and isinstance(klass, ast.ClassDef):
                defined = {s.name for s in klass.body if isinstance(s, FUNCTIONS)}
                if called <= defined:
                    return True
        return False

    def _login_calls(self) -> dict[str, list[ast.Call]]:
        if self._logins is None:
            self._logins = {}
            for call in self.symbols.calls:
                func = call.func
                if isinstance(func, ast.Attribute) and func.attr in _LOGINS:
                    receiver = dotted_name(func.value)
                    if receiver is None and isinstance(func.value, (ast.Call, ast.Await)):
                        receiver = _CHAINED  # ``Client(host).login(...)``, awaited or not
                    if receiver is not None:
                        self._logins.setdefault(receiver, []).append(call)
        return self._logins

    def _host(self, call: ast.Call) -> Value | None:
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        candidates = [keywords[k] for k in _HOST_KEYWORDS if k in keywords]
        # ``imap_server=``, ``smtp_host=``, ``mail_hostname=``: a server named for its protocol.
        candidates += [
            v
            for k, v in keywords.items()
            if k not in _HOST_KEYWORDS
            and (
                k.endswith(_HOST_ENDS)
                or (k.endswith(_ADDRESS_ENDS) and k.lower().startswith(_PROTOCOL_WORDS))
            )
        ]
        if call.args and not isinstance(call.args[0], ast.Starred):
            candidates.append(call.args[0])
        for node in candidates:
            value = self.evaluate(node)
            if _microsoft(value):
                return value
        return None

    def _port(self, call: ast.Call) -> Value:
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        node = next((keywords[k] for k in _PORT_KEYWORDS if k in keywords), None)
        if node is None:  # ``smtp_port=``, ``imap_port=``
            node = next((v for k, v in keywords.items() if k.lower().endswith("_port")), None)
        if node is None and len(call.args) > 1 and not isinstance(call.args[1], ast.Starred):
            node = call.args[1]
        if node is None:
            return Value.unknown("library default")
        value = self.evaluate(node)
        if value.known and isinstance(value.value, str) and value.value.isdigit():
            return Value(True, int(value.value), value.origin, value.span)
        return value if value.known and isinstance(value.value, int) else Value.unknown(None)

    def _logins_on(self, call: ast.Call, *, returned: bool = True) -> list[ast.Call]:
        """Login calls on the call's result: chained (also after a method or two,
        ``Client(host).connect().login(...)``), on the name it is bound to in the same
        function (``self.x`` in the same class), or, returned by a function of the module
        (``return Client(host)``), on the results of that function's calls."""
        result: ast.expr = call
        parent = self.symbols.parents.get(call)
        for _ in range(_HOPS + 1):
            if isinstance(parent, ast.Await):  # ``await Client.connect(host)``
                result, parent = parent, self.symbols.parents.get(parent)
            if not isinstance(parent, ast.Attribute) or parent.attr in _LOGINS:
                break
            outer = self.symbols.parents.get(parent)
            if not (isinstance(outer, ast.Call) and outer.func is parent):
                return []
            result, parent = outer, self.symbols.parents.get(outer)
        if isinstance(parent, ast.Return) and returned:
            return self._logins_on_calls_of(self.symbols.enclosing_function(call))
        if isinstance(parent, ast.Attribute) and parent.attr in _LOGINS:
            outer = self.symbols.parents.get(parent)
            return [outer] if isinstance(outer, ast.Call) and outer.func is parent else []
        target: ast.AST | None = None
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is result:
            target = parent.targets[0] if isinstance(parent, ast.Assign) else parent.target
        elif isinstance(parent, ast.withitem) and parent.context_expr is result:
            target = parent.optional_vars
        elif isinstance(parent, ast.Expr) and isinstance(call.func, ast.Attribute):
            # ``client.connect(host, 993)`` as a statement: the object it was called on
            # is the connection that logs in next (not a module: ``mailkit.send(host)``).
            if not self._is_module(call.func.value):
                target = call.func.value
        name = dotted_name(target) if target is not None else None
        if name is None:
            return []
        scope = self._scope(call, name)
        return [
            login
            for login in self._login_calls().get(name, [])
            if self._scope(login, name) is scope and login.lineno >= call.lineno
        ]

    def _logins_on_calls_of(self, function: ast.AST | None) -> list[ast.Call]:
        """The logins on what the calls of a module function return, or of a method
        called on an object of its class (``opener.open_inbox()``, ``self.open_inbox()``)."""
        if not isinstance(function, FUNCTIONS):
            return []
        found: list[ast.Call] = []
        if isinstance(self.symbols.parents.get(function), ast.ClassDef):
            if self._callers is None:
                self._callers = Callers(self.symbols)
            for call, _ in self._callers.of(function):
                found += self._logins_on(call, returned=False)
            return found
        if self.symbols.enclosing_class(function) is not None:
            return []
        for call in self.symbols.calls:
            func = call.func
            if isinstance(func, ast.Name) and func.id == function.name:
                if any(b.node is function for b in self.symbols.bindings(func)):
                    found += self._logins_on(call, returned=False)
        return found

    def _standard(self, call: ast.Call) -> bool:
        """A call of the standard library or a builtin: never an unmodelled mail library."""
        names = self.symbols.qualified_names(call.func)
        return (
            bool(names)
            and all(name.split(".", 1)[0] in NOT_THE_PROJECT for name, local in names if not local)
            and not any(local for _, local in names)
        )

    def _on_made_object(self, call: ast.Call) -> ast.Call | None:
        """For a method on a name bound to a call's result (``c = ImapClient()`` then
        ``c.connect(host)``, or ``with SMTP(...) as c:``, whose clients' ``__enter__``
        returns the client), that call."""
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            for _, statement, value in self.symbols.bound_values(func.value):
                if isinstance(statement, (ast.Assign, ast.withitem)) and isinstance(
                    value, ast.Call
                ):
                    return value
        return None

    def _made_by(self, call: ast.Call) -> str:
        """The class whose object a method is called on, and the method."""
        made = self._on_made_object(call)
        assert made is not None and isinstance(call.func, ast.Attribute)
        names = sorted(self.qualified(made.func)) or [dotted_name(made.func) or "a client"]
        return f"{names[0]}().{call.func.attr}"

    def _is_module(self, node: ast.expr) -> bool:
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and any(
            b.kind is BindingKind.IMPORT for b in self.symbols.bindings(node)
        )

    def _scope(self, node: ast.AST, name: str) -> ast.AST | None:
        if name.startswith("self."):
            return self.symbols.enclosing_class(node)
        return self.symbols.enclosing_function(node)

    def _step(self, login: ast.Call) -> Step:
        """A password login (``login(user, pw)``, ``auth(user, pw)``, a password SASL
        mechanism) or an authentication with another mechanism (``XOAUTH2``)."""
        func = login.func
        assert isinstance(func, ast.Attribute)
        arguments = [a for a in login.args if not isinstance(a, ast.Starred)]
        span = self.span(login)
        if func.attr != "login" and arguments:
            mechanism = self.evaluate(arguments[0])
            name = str(mechanism.value).upper() if mechanism.known else None
            if name in PASSWORD_MECHANISMS:
                return Step(
                    StepKind.LOGIN, span, secret=Value.unknown(f"{func.attr}()"), mechanism=name
                )
            if name in _OTHER_MECHANISMS:
                return Step(StepKind.AUTH, span, mechanism=name)
            if len(arguments) < 2:
                return Step(StepKind.AUTH, span, mechanism=name)
        keywords = {k.arg: k.value for k in login.keywords if k.arg}
        user = arguments[0] if arguments else _first(keywords, _USER_KEYWORDS)
        secret = arguments[1] if len(arguments) > 1 else _first(keywords, _SECRET_KEYWORDS)
        return Step(
            StepKind.LOGIN,
            span,
            user=self.evaluate(user) if user is not None else Value.unknown("missing"),
            secret=self.evaluate(secret) if secret is not None else Value.unknown(None),
        )


def _names_password(node: ast.expr) -> bool:
    """An argument whose name, or the key it is read with, is a password's."""
    key: ast.expr | None = None
    if isinstance(node, ast.Call) and node.args and dotted_name(node.func) is not None:
        key = node.args[0]  # ``os.getenv("MAIL_PASSWORD")``, ``config.get("password")``
    elif isinstance(node, ast.Subscript):  # ``os.environ["MAIL_PASSWORD"]``
        key = node.slice
    if key is not None:
        name = key.value if isinstance(key, ast.Constant) else None
    else:
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
    return isinstance(name, str) and password_name(name)


def _settings_keyword(name: str) -> bool:
    """A keyword the settings reader takes as a call's settings (:mod:`.settings_source`
    reads lower-case and upper-case ones): a camelCase ``smtpPassword=`` is a setting's
    name in a mapping, but a call's argument like any other here."""
    return is_setting_key(name) and (name.islower() or name.isupper())


def _keyword_secret(keyword: ast.keyword) -> ast.expr | None:
    """The password a keyword hands over by its own name: ``sender_password="..."``,
    ``email_password=`` (a framework's key is an argument here, not that framework's
    settings), or the second of a pair (``auth=(user, password)``). A bare ``password=``
    or ``smtp_password=`` is the keyword settings' own (:mod:`.settings_source`); an empty
    value or None hands over nothing."""
    name = keyword.arg
    if not name:
        return None
    value = keyword.value
    lowered = name.lower()
    if (lowered in _PAIR_KEYWORDS or lowered.endswith(_PAIR_ENDS)) and isinstance(
        value, (ast.Tuple, ast.List)
    ):
        if len(value.elts) != 2 or any(isinstance(e, ast.Starred) for e in value.elts):
            return None
        value = value.elts[1]
        # A text written out, or a value named a password (``auth=(user, token)`` is not).
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)) and not (
            _names_password(value)
        ):
            return None
    elif not password_name(name) or (_settings_keyword(name) and not is_framework_key(name)):
        return None
    if isinstance(value, ast.Constant) and value.value in (None, "", False):
        return None
    return value


def _first(keywords: dict[str | None, ast.expr], names: tuple[str, ...]) -> ast.expr | None:
    return next((keywords[name] for name in names if name in keywords), None)
