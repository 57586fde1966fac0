"""Whether a module that calls no mail library hands a wrapper of the project what a login
needs: a password literal (``get_otp(email, "Sup3rSecret!")``), or a value another module
of the project holds (``send(SMTP_HOST, SMTP_USER, SMTP_PASSWORD)`` with the constants of
a settings module or of a script, ``mail.login(config.outlook_email,
config.outlook_password)`` with a plain config module's password). Such a module is
analysed, its wrapper calls followed, and the login reported at the call with the values
as they resolve there.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .. import inputs
from ..providers import microsoft_host_names
from ..reading import MAX_FILE_BYTES
from ..test_paths import is_test_path
from .imports import resolved
from .module_paths import module_path
from .secret_literals import WrittenPasswords
from .secret_names import password_name
from .summaries import Analyze, gives_login_value
from .symbols import NOT_THE_PROJECT, Symbols

_MICROSOFT_HOSTS = tuple(name.lower().encode() for name in microsoft_host_names())


def hands_login_values(symbols: Symbols, path: str, analyze: Analyze) -> bool:
    """Whether the module gives a wrapper of another module of the project (its summary
    says so) a password-like literal for a password, or a name imported from a module of
    the project for a host or a password. Not asked of test code, whose passwords are not
    reported."""
    if not path or is_test_path(path):
        return False
    asked: set[str] = set()
    passwords = WrittenPasswords(symbols)
    for call in passwords.calls():
        for name in called_names(symbols, call):
            if name in asked:
                continue
            # A password written here (a literal, a name bound to one) for a parameter
            # the wrapper hands to a login as its password (``get_otp(email, "...")``).
            if gives_login_value(
                path, name, call, analyze, lambda node, host: not host and passwords.written(node)
            ):
                return True
            asked.add(name)
    asked.clear()
    importer = resolved(path)

    def from_mail_module(node: ast.AST, host: bool) -> bool:
        return _from_mail_module(symbols, importer, node) or (
            not host and _imported_password(symbols, node)
        )

    for call in _calls_given_imported_values(symbols):
        if not any(
            from_mail_module(argument, False)
            for argument in (*call.args, *(k.value for k in call.keywords))
        ):
            continue
        for name in called_names(symbols, call):
            if name in asked:
                continue
            if gives_login_value(path, name, call, analyze, from_mail_module):
                return True
            asked.add(name)
    return False


def _calls_given_imported_values(symbols: Symbols) -> list[ast.Call]:
    """The calls of a function or class the module imports that pass a name (or one's
    attribute) the module imports from a module of the project."""
    return [
        call
        for call in symbols.calls
        if any(  # first: most calls pass no imported name
            _from_project(symbols, argument)
            for argument in (*call.args, *(k.value for k in call.keywords))
        )
        and called_names(symbols, call)
    ]


def called_names(symbols: Symbols, call: ast.Call) -> list[str]:
    """What a call runs, by the qualified names of what the module imports: a function or
    class (``send``, ``pkg.mail.Mailer``), or a method of an object of an imported class
    made in the same expression or bound to the name it is called on
    (``Relay().connect(...)``, ``relay = Relay()`` then ``relay.connect(...)``, ``with
    Mailer(cfg) as mailer:``)."""
    names = [name for name, local in symbols.qualified_names(call.func) if not local]
    func = call.func
    if not isinstance(func, ast.Attribute):
        return names
    made: list[ast.expr] = [func.value] if isinstance(func.value, ast.Call) else []
    if isinstance(func.value, ast.Name):
        made += [
            value
            for _, statement, value in symbols.bound_values(func.value)
            if isinstance(statement, ast.withitem)
            or (isinstance(statement, ast.Assign) and isinstance(value, ast.Call))
        ]
    for value in made:
        if not isinstance(value, ast.Call):
            continue
        names += [
            f"{name}.{func.attr}"
            for name, local in symbols.qualified_names(value.func)
            if not local
        ]
    return names


def _from_project(symbols: Symbols, node: ast.AST) -> bool:
    """A name or attribute chain imported from a module that is not the standard
    library's (``SMTP_HOST`` from ``settings``, ``config.MAIL_KEY``)."""
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return False
    return any(
        not local and name.split(".")[0] not in NOT_THE_PROJECT
        for name, local in symbols.qualified_names(node)
    )


def _imported_password(symbols: Symbols, node: ast.AST) -> bool:
    """A name or attribute chain imported from a module of the project whose name says it
    is a password (``config.outlook_password``): a plain config module's, which that
    module's own check does not report (it is no mail code), handed to a login."""
    last = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return password_name(last) and _from_project(symbols, node)


def _from_mail_module(symbols: Symbols, importer: Path, node: ast.AST) -> bool:
    """A name or attribute chain imported from a module of the project that names a
    Microsoft mail host (a settings module's or a script's constants): a look at the
    bytes of that module, so that the wrappers a call reaches are summarised only when
    what it hands over may be a Microsoft login's."""
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return False
    for name, local in symbols.qualified_names(node):
        if local or name.split(".")[0] in NOT_THE_PROJECT:
            continue
        module = name.rpartition(".")[0]
        for candidate in (module, module.rpartition(".")[0]):  # a class's attribute too
            found = module_path(importer, candidate) if candidate.strip(".") else None
            if found is not None and found != importer:
                return _names_microsoft_host(found)
    return False


@inputs.remembered
def _names_microsoft_host(path: Path) -> bool:
    data = inputs.read(path, MAX_FILE_BYTES)
    if data is None:
        return False
    lowered = data.lower()
    return any(name in lowered for name in _MICROSOFT_HOSTS)
