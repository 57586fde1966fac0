"""Whether a module that calls no mail library hands a wrapper of the project what a login
needs: a password literal (``get_otp(email, "Sup3rSecret!")``), or a value another module
of the project holds (``send(SMTP_HOST, SMTP_USER, SMTP_PASSWORD)`` with the constants of
a settings module or of a script). Such a module is analysed, its wrapper calls followed,
and the login reported at the call with the values as they resolve there.
"""

from __future__ import annotations

import ast
import sys

from ..test_paths import is_test_path
from .secret_literals import password_literal_calls
from .summaries import Analyze, gives_login_value, gives_written_secret
from .symbols import Symbols

_NOT_THE_PROJECT = frozenset(sys.stdlib_module_names) | {"builtins"}


def hands_login_values(symbols: Symbols, path: str, analyze: Analyze) -> bool:
    """Whether the module gives a wrapper of another module of the project (its summary
    says so) a password-like literal for a password, or a name imported from a module of
    the project for a host or a password. Not asked of test code, whose passwords are not
    reported."""
    if not path or is_test_path(path):
        return False
    asked: set[str] = set()
    for call in password_literal_calls(symbols):
        for name, local in symbols.qualified_names(call.func):
            if local or name in asked:
                continue
            if gives_written_secret(path, name, call, analyze):
                return True
            asked.add(name)
    asked.clear()
    for call in _calls_given_imported_values(symbols):
        for name, local in symbols.qualified_names(call.func):
            if local or name in asked:
                continue
            if gives_login_value(
                path, name, call, analyze, lambda node, _host: _from_project(symbols, node)
            ):
                return True
            asked.add(name)
    return False


def _calls_given_imported_values(symbols: Symbols) -> list[ast.Call]:
    """The calls of a function or class the module imports that pass a name (or one's
    attribute) the module imports from a module of the project."""
    return [
        call
        for call in symbols.calls
        if any(not local for _, local in symbols.qualified_names(call.func))
        and any(
            _from_project(symbols, argument)
            for argument in (*call.args, *(k.value for k in call.keywords))
        )
    ]


def _from_project(symbols: Symbols, node: ast.AST) -> bool:
    """A name or attribute chain imported from a module that is not the standard
    library's (``SMTP_HOST`` from ``settings``, ``config.MAIL_KEY``)."""
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return False
    return any(
        not local and name.split(".")[0] not in _NOT_THE_PROJECT
        for name, local in symbols.qualified_names(node)
    )
