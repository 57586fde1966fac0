"""What a module's own text says of it as mail code: the mail libraries it imports and the
mail hosts its strings name. Asked of the module being checked (is it a mail script, whose
password literals are mail secrets?) and of a module another imports names from (will its
own check report them?)."""

from __future__ import annotations

import ast

from ..lazy_regex import lazy_pattern
from ..providers import OTHER, Provider, lookup
from .mail_libraries import LIBRARIES
from .symbols import Symbols

_HOST_LIKE = lazy_pattern(r"^[\w.-]*(?:smtp|imap|pop|mail|outlook|office365)[\w.-]*\.[a-z]{2,}$")


def named_mail_hosts(symbols: Symbols) -> list[Provider]:
    """The providers of the mail hosts the module's strings name."""
    found = []
    for text in symbols.strings:
        if len(text) < 100 and _HOST_LIKE.match(text.lower()):
            provider = lookup(text)
            if provider is not OTHER and not provider.placeholder:
                found.append(provider)
    return found


def imports_mail_library(symbols: Symbols) -> bool:
    """Whether the module imports a mail library (``smtplib``, ``imap_tools``, ...)."""
    for statement in symbols.imports:
        if isinstance(statement, ast.ImportFrom):
            names = [statement.module or ""] if not statement.level else []
        else:
            names = [alias.name for alias in statement.names]
        if any(name.split(".", 1)[0] in LIBRARIES for name in names):
            return True
    return False


def names_mail_code(symbols: Symbols) -> bool:
    """Whether the module imports a mail library or names a Microsoft mail host: its own
    check then reports the literals its names say are passwords."""
    return imports_mail_library(symbols) or any(p.microsoft for p in named_mail_hosts(symbols))
