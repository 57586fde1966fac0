"""Password literals of a mail script that no login call shows.

A password written in a mail script is a hard-coded mail secret whether or not the
analysis follows it to a login: the call may be dead code, misspelt
(``server.serverlogin(user, password)``), or made by a library nobody modelled. What
counts, precisely:

* **a mail script**: a module that imports a mail library (:mod:`.mail_libraries`),
  opens a mail connection, asks for a token for Exchange Online or Graph mail, or names
  a Microsoft mail host. One that logs in to another provider (Gmail), or names another
  provider's host, is left alone: its literals may be that provider's, which are
  reported only where a login shows whose they are.
* **a password-like name**: an identifier with a word for "password" in it
  (``smtp_pass``, ``EMAIL_PASSWORD``, ``senha``, ``mailPwd``) and no word that makes it
  something else (``password_reset_url``, ``PASSWORD_PROMPT``), or a client secret or a
  refresh token (``CLIENT_SECRET``, ``refresh_token``). Assigned, given as a keyword or
  a dict key, or as a parameter's default; also the second argument of a call named like
  a login (``serverlogin(sender, "...")``), or, when the module defines that function,
  the argument its password-named parameter takes (none when it has none:
  ``_login_refused(exc, what)`` words a message). Not one given to a call beside a named
  host of another provider for its server (``smtp_server="smtp.feishu.cn"``).
* **a password-like value**: a literal string that is not a placeholder, a setting's or
  variable's name, a path, a URL, a template or a sentence.

They are reported at medium confidence (AS105), beside the secrets the library adapters
and settings readers found where they go. In test code they are left out (engine).
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from ..lazy_regex import lazy_pattern
from ..model import Connection, MailFile, SecretUse, StepKind, Value
from ..providers import Provider, host_provider, is_microsoft_authority, lookup
from ..secrets import is_placeholder
from .arguments import default_of, positional_params
from .entra_shapes import handed_secret
from .mail_code import imports_mail_library, named_mail_hosts
from .secret_names import OTHER_SERVICES, WORD, microsoft_mail_password, secret_name
from .symbols import Symbols
from .values import Evaluator

# Modules of other services that take a password (a file server's, a database's, an
# archive's): a password given to their calls is theirs, whatever its name.
_OTHER_SERVICE_MODULES = frozenset(
    {
        "ftplib", "paramiko", "pysftp", "fabric", "asyncssh", "telnetlib", "pymysql",
        "MySQLdb", "mysql", "aiomysql", "psycopg2", "psycopg", "asyncpg", "pymssql",
        "pyodbc", "cx_Oracle", "oracledb", "sqlalchemy", "pymongo", "motor", "redis",
        "ldap3", "ldap", "smbclient", "smb", "zipfile", "pyzipper", "pikepdf", "PyPDF2",
        "pypdf", "msoffcrypto", "keyring", "pika", "kafka",
    }
)  # fmt: skip
# Calls about the application's own users' passwords (``User(password=...)``,
# ``create_user``, ``generate_password_hash``), unless their name is about mail.
_APP_ACCOUNT_WORDS = frozenset(
    {
        "user", "users", "superuser", "member", "customer", "admin", "signup", "register",
        "registration", "hash", "hashpw", "verify", "check", "bcrypt", "argon2", "pbkdf2",
    }
)  # fmt: skip
_MAIL_CALL_WORDS = frozenset(
    {"mail", "email", "smtp", "imap", "pop", "exchange", "outlook", "mailbox", "send", "login"}
)
# Keyword words that name the server a call logs in to (``smtp_server``, ``mail_host``).
_SERVER_WORDS = frozenset({"host", "server", "hostname", "mailhost", "smtphost", "smtpserver"})
# HTTP clients, and the Microsoft API hosts whose forms may carry a mail secret.
_HTTP_MODULES = frozenset({"requests", "httpx", "aiohttp", "urllib3"})
_MICROSOFT_APIS = ("graph.microsoft.com", "microsoftonline.com", "graph.microsoft.us")
# How far up a dict's owners are read (``DATABASES["default"]["PASSWORD"]``).
_OWNER_DEPTH = 4
_SETTING_NAME = lazy_pattern(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_NOT_A_PASSWORD = lazy_pattern(r"://|^[~./\\]|^\$|\{\w*\}|%\(?\w*\)?s")
# Mail hosts named in a module: its strings that look like one, looked up in the table.
# Token scopes of mail: Exchange Online's resources, and Graph's Mail permissions.
_MAIL_SCOPE = lazy_pattern(r"outlook\.office(?:365)?\.(?:com|us)|partner\.outlook\.cn|/Mail\.")
# Letters with a digit or a sign, without what makes a name, path, host, format or MIME type.
_WRITTEN_PASSWORD = lazy_pattern(
    r"^(?=.*[A-Za-z])(?=.*[\d!@#$^&*+=?~])[^.\s/:\\%{}<>()\[\],;'\"]{6,64}$"
)
# An app password as Microsoft and Google show it (16 lower-case letters): what an account
# with MFA logs in to SMTP/IMAP with.
_APP_PASSWORD = lazy_pattern(r"^[a-z]{16}$")
# What the token libraries' models call the app's secret they are handed.
_CLIENT_SECRET = "client secret"
_LOGIN_CALL = lazy_pattern(r"login", re.IGNORECASE)
# Microsoft Graph's mail endpoints, in a URL or the path part of one an f-string builds.
_GRAPH_MAIL = lazy_pattern(r"(?:^|/)(?:sendMail|mailFolders|messages)(?:$|[/?])")


def add_secret_literals(symbols: Symbols, values: Evaluator, mail: MailFile) -> None:
    """Add the password literals of a mail script to ``mail.secrets``; drop the secrets a
    token library was handed when the module is no mail script, but an Entra client
    secret (:func:`_app_credential`)."""
    _doubt_imported_passwords(mail.connections)
    named = named_mail_hosts(symbols)
    if not _mail_script(symbols, mail, named):
        if not (mail.token_requests and _graph_mail(symbols)):
            mail.secrets = [
                use for use in mail.secrets if not use.needs_mail or _app_credential(use)
            ]
        # Graph's mail API takes tokens, not a mailbox password: the app's own secrets
        # are mail secrets there, literals under a password's name are for other things,
        # but those whose name says they are a Microsoft mail account's.
        _add_named_passwords(symbols, values, mail, microsoft_mail_password)
        return
    if _another_provider(mail.connections, named):
        return
    _add_named_passwords(symbols, values, mail)


def writes_microsoft_mail_password(symbols: Symbols, lowered: bytes) -> bool:
    """Whether the module assigns a literal to a name that says it is a Microsoft mail
    account's password (``outlook_password = '...'`` in a config module): ``lowered``,
    its bytes in lower case, looked at first."""
    if not any(word in lowered for word in (b"outlook", b"hotmail", b"365")):
        return False
    return any(
        isinstance(statement.value, ast.Constant)
        and microsoft_mail_password(_target_name(target) or "")
        for statement in symbols.assignments
        for target in (
            statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        )
    )


def _add_named_passwords(
    symbols: Symbols,
    values: Evaluator,
    mail: MailFile,
    named_for: Callable[[str], bool] | None = None,
) -> None:
    """Add the password-like literals under a password's name (one ``named_for`` takes)
    to ``mail.secrets``, each once."""
    seen = {use.value.literal_span or use.span for use in mail.secrets}
    for name, node in _named_values(symbols, values):
        if named_for is not None and not named_for(name):
            continue
        value = values.evaluate(node)
        where = value.literal_span
        if where is None or where in seen or not _password_like(value):
            continue
        seen.add(where)
        mail.secrets.append(SecretUse(value, name, where, certain=False))


def _app_credential(use: SecretUse) -> bool:
    """An Entra client secret a token library is handed: whatever scopes this module asks
    for, whoever holds it gets the app's ``.default`` token, with every application
    permission the tenant granted the app (mail's among them, for all we can see)."""
    value = use.value.value
    return use.what == _CLIENT_SECRET and isinstance(value, str) and handed_secret(value)


def _doubt_imported_passwords(connections: list[Connection]) -> None:
    """A login's password imported from a module that is not checked itself is taken for
    a hard-coded one (reported where it is used, naming where it is written) only when it
    looks like a written password: letters with a digit or a sign, not a placeholder
    (``minha_senha`` there is an example, not the account's)."""
    for conn in connections:
        for step in conn.steps:
            secret = step.secret
            if secret.written_at and not written_password(secret.value):
                step.secret = dataclasses.replace(secret, written_at=None)


def written_password(text: object) -> bool:
    """Whether a value looks like a written password (letters with digits or signs, or an
    app password; not a name, path, host, format or placeholder)."""
    return (
        isinstance(text, str)
        and bool(_WRITTEN_PASSWORD.match(text) or _APP_PASSWORD.match(text))
        and _password_like(Value(True, text, literal=True))
    )


def tokens_not_for_mail(symbols: Symbols, mail: MailFile) -> bool:
    """The module asks for OAuth2 tokens for scopes it names, none of them mail's (a Graph
    calendar job), and does no mail itself: its app's secrets are not mail secrets."""
    return (
        bool(mail.token_requests)
        and all(request.scopes.known for request in mail.token_requests)
        and not _mail_script(symbols, mail, named_mail_hosts(symbols))
        and not _graph_mail(symbols)
    )


def _mail_script(symbols: Symbols, mail: MailFile, named: list[Provider]) -> bool:
    if mail.connections or any(request.used_for_mail for request in mail.token_requests):
        return True
    for request in mail.token_requests:
        scopes = request.scopes.value if request.scopes.known else ()
        if isinstance(scopes, str):
            scopes = (scopes,)
        if any(isinstance(s, str) and _MAIL_SCOPE.search(s) for s in scopes or ()):
            return True
    return imports_mail_library(symbols) or any(provider.microsoft for provider in named)


def _graph_mail(symbols: Symbols) -> bool:
    """Whether the module names an endpoint of Graph's mail API (``/me/sendMail``)."""
    return any(_GRAPH_MAIL.search(text) for text in symbols.strings)


def _other_provider(conn: Connection) -> bool:
    """A connection that logs in to a named host that is not Microsoft's."""
    if not any(step.kind in (StepKind.LOGIN, StepKind.AUTH) for step in conn.steps):
        return False  # a relay without a login holds no password
    provider = host_provider(conn.host)
    return provider is not None and not provider.microsoft and not provider.placeholder


def _another_provider(connections: list[Connection], named: list[Provider]) -> bool:
    """Some of the module's mail logs in to another provider (Gmail), or it names one's
    host: its password literals may be that provider's, which are reported only where a
    login shows whose they are."""
    return any(_other_provider(conn) for conn in connections) or any(
        not provider.microsoft for provider in named
    )


def _named_values(symbols: Symbols, values: Evaluator):
    """(name, expression) for every value given to a password-like name."""
    for statement in symbols.assignments:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if statement.value is None:
            continue
        for target in targets:
            name = _target_name(target)
            if name is None or not secret_name(name):
                continue
            variable = _environment_variable(statement.value, values)
            if variable is not None and not secret_name(variable):
                break  # the fallback of ``ALLURE_ZIP_PASSWORD``: named by that variable
            yield name, statement.value
    for node in symbols.dicts:
        if _another_services_settings(node, symbols, values):
            continue
        for key, item in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if secret_name(key.value):
                    yield key.value, item
    for call in symbols.calls:
        given = [
            (keyword.arg, keyword.value)
            for keyword in call.keywords
            if keyword.arg is not None and secret_name(keyword.arg)
        ]
        func = call.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if _LOGIN_CALL.search(called) and len(call.args) >= 2:
            argument = _password_argument(call, called, symbols)
            if argument is not None:
                given.append((f"password of {called}()", argument))
        if given and not (
            _other_service_call(call, symbols)
            or _request_elsewhere(call, symbols, values)
            or _another_providers_server(call, values)
        ):
            yield from given
    for function in symbols.functions:
        arguments = function.args
        for param in (*positional_params(arguments), *arguments.kwonlyargs):
            default = default_of(param, arguments)
            if default is not None and secret_name(param.arg):
                yield param.arg, default


def _password_argument(call: ast.Call, called: str, symbols: Symbols) -> ast.expr | None:
    """The argument of a call named like a login taken for its password: the second, or,
    for a function the module defines, the one its password-named parameter receives
    (``do_login(client, user, password)``), and none when it has no such parameter
    (``_login_refused(exc, what)`` words a message; a helper's ``p`` that reaches a login
    is read where it does)."""
    defined = [function for function in symbols.functions if function.name == called]
    if not defined:
        return call.args[1] if len(call.args) >= 2 else None
    for function in defined:
        params = positional_params(function.args)
        offset = 0
        if isinstance(call.func, ast.Attribute) and params and params[0].arg in ("self", "cls"):
            offset = 1
        for index, param in enumerate(params[offset:]):
            if secret_name(param.arg):
                if index < len(call.args) and not isinstance(call.args[index], ast.Starred):
                    return call.args[index]
                return None
    return None


def _environment_variable(value: ast.expr, values: Evaluator) -> str | None:
    """The environment variable a value is read from with a literal fallback
    (``os.getenv("ZIP_PASSWORD", "...")``, ``os.environ.get("ZIP_PASSWORD") or "..."``,
    django-environ's and python-decouple's defaults): its name says whose the fallback is,
    whatever the name it is assigned to. Read as the evaluator reads the environment."""
    if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or):
        value = value.values[0]
    origin = values.evaluate(value).origin or ""
    if not origin.startswith("env "):
        return None
    return origin.removeprefix("env ").split(", set in ", 1)[0]


def _other_service_call(call: ast.Call, symbols: Symbols) -> bool:
    """A call of another service's library: ``pymysql.connect(password=...)``, or a
    method of an object one made (``ftp = ftplib.FTP(host)`` then ``ftp.login(user,
    "...")``, ``paramiko.SSHClient().connect(...)``); or one about the application's own
    users (``User(username=..., password=...)``, ``create_superuser``)."""
    func = call.func
    callables = [func]
    if isinstance(func, ast.Attribute):
        made = func.value
        if isinstance(made, ast.Name):
            for binding in symbols.bindings(made):
                statement = symbols.parents.get(binding.node)
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
                    callables.append(statement.value.func)
        elif isinstance(made, ast.Call):
            callables.append(made.func)
    if any(
        name.split(".", 1)[0] in _OTHER_SERVICE_MODULES and not local
        for node in callables
        for name, local in symbols.qualified_names(node)
    ):
        return True
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    words = {word.lower() for word in WORD.findall(called)}
    return bool(words & _APP_ACCOUNT_WORDS) and not words & _MAIL_CALL_WORDS


def _another_providers_server(call: ast.Call, values: Evaluator) -> bool:
    """A call given the server it logs in to, a named host of another provider
    (``super().__init__(..., password="...", smtp_server="smtp.feishu.cn")``): the
    password beside it is that provider's, reported only where a login shows it."""
    for keyword in call.keywords:
        words = {word.lower() for word in WORD.findall(keyword.arg or "")}
        if not words & _SERVER_WORDS:
            continue
        provider = host_provider(values.evaluate(keyword.value))
        if provider is not None and not provider.microsoft and not provider.placeholder:
            return True
    return False


def _request_elsewhere(call: ast.Call, symbols: Symbols, values: Evaluator) -> bool:
    """An HTTP request (requests, httpx, aiohttp) to a URL of a host that is neither a
    Microsoft token authority nor a Microsoft mail or Graph host: a web API's login, whose
    form's password is that API's (a token form for Entra ID stays a mail one)."""
    names = [name for name, local in symbols.qualified_names(call.func) if not local]
    if not any(name.split(".", 1)[0] in _HTTP_MODULES for name in names):
        return False
    url = (
        call.args[0]
        if call.args
        else next((k.value for k in call.keywords if k.arg == "url"), None)
    )
    text = values.evaluate(url).value if url is not None else None
    if not isinstance(text, str) or "://" not in text:
        return False
    host = urlsplit(text).hostname or ""
    return bool(host) and not (
        is_microsoft_authority(host) or lookup(host).microsoft or host.endswith(_MICROSOFT_APIS)
    )


def _another_services_settings(node: ast.Dict, symbols: Symbols, values: Evaluator) -> bool:
    """A dict held under a name of another service's settings (Django's ``DATABASES =
    {"default": {..., "PASSWORD": ...}}``, ``CACHES``, a ``"redis": {...}`` entry), or
    given to another service's call (``requests.post(url, json={...})`` to a web API)."""
    parents = symbols.parents
    child: ast.AST = node
    for _ in range(_OWNER_DEPTH):
        parent = parents.get(child)
        call = parents.get(parent) if isinstance(parent, ast.keyword) else parent
        if isinstance(call, ast.Call) and (
            _other_service_call(call, symbols) or _request_elsewhere(call, symbols, values)
        ):
            return True
        names: list[str] = []
        if isinstance(parent, ast.Dict):
            index = next((i for i, value in enumerate(parent.values) if value is child), None)
            key = parent.keys[index] if index is not None else None
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.append(key.value)
        elif isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names += [name for name in map(_target_name, targets) if name]
        elif isinstance(parent, ast.keyword) and parent.arg:
            names.append(parent.arg)
        elif not isinstance(parent, ast.Call):
            return False
        if any(word.lower() in OTHER_SERVICES for name in names for word in WORD.findall(name)):
            return True
        child = parent
    return False


def _target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


class WrittenPasswords:
    """The arguments of the module's calls that are a literal that looks like a written
    password (letters with digits or signs; not a name, path, host or format), which a
    project's wrapper may hand to a login (``outlook.get_otp("me@hotmail.com",
    "Sup3rSecret!")``), or a name the module binds to one (``mail.login(self.email,
    self.pwsd)`` with ``def __init__(self, pwsd="...")``)."""

    def __init__(self, symbols: Symbols) -> None:
        self.symbols = symbols
        self._holders: set[str] | None = None

    def calls(self) -> list[ast.Call]:
        """The calls given one."""
        # What is written, as an argument or bound to a name handed as one, is a string
        # constant of the module (the symbol table keeps them all): most modules have none
        # that looks like a password, and their calls' arguments need no look.
        if not any(map(written_password, self.symbols.strings)):
            return []
        return [
            call
            for call in self.symbols.calls
            if any(self.written(a) for a in (*call.args, *(k.value for k in call.keywords)))
        ]

    def written(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return written_password(node.value)
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return False
        if self._holders is None:
            self._holders = _password_holders(self.symbols)
        return _target_name(node) in self._holders


def _password_holders(symbols: Symbols) -> set[str]:
    """The names (of variables, attributes, parameters) the module binds to a literal that
    looks like a written password, and those bound from them (``self.pwsd = pwsd``)."""
    held: set[str] = set()
    for function in symbols.functions:
        args = function.args
        for param in (*positional_params(args), *args.kwonlyargs):
            default = default_of(param, args)
            if isinstance(default, ast.Constant) and written_password(default.value):
                held.add(param.arg)
    copies: list[tuple[list[str], str | None]] = []
    for statement in symbols.assignments:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        names = [name for name in map(_target_name, targets) if name]
        value = statement.value
        if isinstance(value, ast.Constant) and written_password(value.value):
            held.update(names)
        elif isinstance(value, (ast.Name, ast.Attribute)):
            copies.append((names, _target_name(value)))
    for names, source in copies:  # in source order: a copy of a copy comes after it
        if source in held:
            held.update(names)
    return held


def _password_like(value: Value) -> bool:
    text = value.value
    if not (value.known and value.literal and isinstance(text, str)):
        return False
    text = text.strip()
    return (
        4 <= len(text) <= 256
        and "\n" not in text
        and len(text.split()) < 3  # a sentence: a prompt, a message
        and not text.endswith((":", "?"))
        and not _SETTING_NAME.match(text)  # the name of what holds it: "SMTP_PASSWORD"
        and not _NOT_A_PASSWORD.search(text)
        and not is_placeholder(text)
        and text.lower() not in ("true", "false", "none", "null")
    )
