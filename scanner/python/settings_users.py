"""Module constants that the project's own code hands to a call: a config module's
``SMTP_SERVER`` / ``SMTP_PASSWORD`` imported by a script that opens the connection itself
(``from mail_config import SMTP_SERVER`` then ``smtplib.SMTP(SMTP_SERVER, 587)``,
``import mail_config as cfg`` then ``Credentials(cfg.EMAIL_HOST_USER, ...)``).

A framework reads its settings module by name and fills in what it leaves out (Django's
port 25, no STARTTLS); code that imports the constants says the port and the TLS itself,
where its own connection is judged. So the settings reader asks this before it guesses
what a module's constants leave out; and a module with no mail code of its own takes the
protocol of that code (an ``imaplib`` script's host is an IMAP login's). Read, never
run: a byte search for the module's name in the project's Python files first, ``ast``
only for the few that name it.
"""

from __future__ import annotations

import ast
from dataclasses import field
from pathlib import Path

from ..mail_settings.keys import FAMILIES, Role, Setting, is_framework_key, match
from ..model import Protocol, Span
from ..project import facts_for
from ..reading import read_regular
from ..records import plain
from .imports import find_module, resolved
from .module_trees import module_tree
from .settings_spoken import imported_protocols

_MAX_BYTES = 512 * 1024
# Settings a Django settings module holds besides mail: Django reads such a module itself.
_DJANGO_SETTINGS = frozenset(
    {"INSTALLED_APPS", "DATABASES", "MIDDLEWARE", "ROOT_URLCONF", "WSGI_APPLICATION", "SECRET_KEY"}
)
_CONNECTING = frozenset({Role.HOST, Role.PASSWORD})


@plain
class CodeUse:
    """Constants of a module that the project's code connects with: the settings left to
    that code, the protocols the files using them speak (``imaplib``: IMAP), and the
    settings of the groups whose password a mail library's file logs in with (that
    file reports the login)."""

    settings: list[Setting]
    spoken: dict[Protocol, str]
    logged_in_elsewhere: frozenset[Span] = frozenset()


def left_to_code(
    settings: list[Setting], tree: ast.Module, path: str | None, *, speaks: bool
) -> CodeUse:
    """The module-level settings (``EMAIL_HOST = ...``) of a module whose host or
    password another module of the project passes to a call: that code connects with
    them and says the port and the TLS, so the reader guesses no framework default for
    what the module leaves out of a group that names its host; and, for a module that
    ``speaks`` no mail protocol of its own, the protocols of that code. Not a framework's
    settings module (``INSTALLED_APPS`` beside them), which the framework reads with its
    defaults whoever else imports it."""
    if _assigns(tree) & _DJANGO_SETTINGS:
        return CodeUse([], {})
    kinds = {s.key: kind for s in settings if s.group == "module" and (kind := _kind(s.key))}
    # Without a host the framework's default host (``localhost``) is guessed too: such a
    # group keeps its defaults, which report nothing, and the code's login its password.
    hosted = {kind[:2] for kind in kinds.values() if kind[2] is Role.HOST}
    grouped = [s for s in settings if (kind := kinds.get(s.key)) and kind[:2] in hosted]
    # Only a framework's keys (Django's ``EMAIL_*``, Flask-Mail's ``MAIL_*``) get defaults.
    framework = [s for s in grouped if is_framework_key(s.key)]
    asked = framework if speaks else grouped
    connecting = frozenset(s.key for s in asked if kinds[s.key][2] in _CONNECTING)
    # The stems (``SMTP_``) of a plain config module's constants whose password the code
    # hands to a mail library's call: that code's login is reported, so the group's own
    # connection stands only for its secrets. Not a framework's keys (Django's
    # ``EMAIL_*``), read by the framework by name whoever else imports them.
    passwords = frozenset(
        key for key, kind in kinds.items() if kind[2] is Role.PASSWORD and not is_framework_key(key)
    )
    use = names_code_passes(path, connecting | passwords)
    passed = use.passed & connecting
    left = framework if passed & {s.key for s in framework} else []
    stems = {kinds[key][1] for key in use.in_mail_code & passwords}
    elsewhere = frozenset(
        s.span
        for s in settings
        if (kind := kinds.get(s.key)) and kind[1] in stems and not is_framework_key(s.key)
    )
    return CodeUse(left, use.spoken if passed else {}, elsewhere)


def _assigns(tree: ast.Module) -> set[str]:
    return {
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign | ast.AnnAssign)
        for target in (
            statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        )
        if isinstance(target, ast.Name)
    }


def _kind(key: str) -> tuple[int, str, Role] | None:
    """The family, stem and role of a key (``EMAIL_HOST``: Django's, ``EMAIL_``, host)."""
    for index in range(len(FAMILIES)):
        found = match(index, key)
        if found is not None:
            return index, found[0], found[1]
    return None


# Calls that show a value, not use it.
_SHOWING = frozenset({"print", "repr", "str", "len", "type", "isinstance", "bool"})


@plain
class PassedNames:
    """What the project's code does with a module's constants: those it passes to a call
    (``passed``), those of them a file importing a mail library or framework passes
    (``in_mail_code``), and the protocols those files speak."""

    passed: frozenset[str] = frozenset()
    in_mail_code: frozenset[str] = frozenset()
    spoken: dict[Protocol, str] = field(default_factory=dict)


def names_code_passes(path: str | None, names: frozenset[str]) -> PassedNames:
    """Of ``names`` (module-level constants of the module at ``path``), those another
    Python module of the project imports from it and passes to a call (a client, a
    login, a wrapper of the project), or imports by name as a framework's setting of its
    own (``from mail_defaults import EMAIL_HOST`` in Django settings); and the protocols
    the mail libraries those files import speak."""
    if not path or not names:
        return PassedNames()
    module = resolved(path)
    stem = module.parent.name if module.name == "__init__.py" else module.stem
    facts = facts_for(str(module))
    if facts is None:
        return PassedNames()
    needle = stem.encode()
    passed: set[str] = set()
    in_mail_code: set[str] = set()
    spoken: dict[Protocol, str] = {}
    for file in facts.python_files:
        try:
            data = read_regular(file, _MAX_BYTES)
        except OSError:
            continue
        if needle not in data or not any(name.encode() in data for name in names):
            continue
        if file.resolve() == module:
            continue
        read = module_tree(data)
        if read is None:
            continue
        found = _passed(read.tree, file, module, stem, names)
        if found:
            passed |= found
            libraries = imported_protocols(ast.walk(read.tree))
            if libraries:
                in_mail_code |= found
            for protocol, library in libraries.items():
                spoken.setdefault(protocol, library)
    return PassedNames(frozenset(passed), frozenset(in_mail_code), spoken)


def _passed(
    tree: ast.Module, file: Path, module: Path, stem: str, names: frozenset[str]
) -> set[str]:
    """The constants of ``names`` that ``tree`` (the module at ``file``) imports from
    ``module`` and passes to a call."""
    constants: dict[str, str] = {}  # local name -> the module's constant
    aliases: set[str] = set()  # local names of the module itself
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            dotted = "." * node.level + (node.module or "")
            if (node.module or "").rsplit(".", 1)[-1] == stem and _is(file, dotted, module):
                for alias in node.names:
                    if alias.name == "*":
                        constants.update((name, name) for name in names)
                    elif alias.name in names:
                        constants[alias.asname or alias.name] = alias.name
                        # A framework's key imported by name is a setting of the
                        # importer's own (settings_source ``_Reader.imported``), judged
                        # there with the importer's port and TLS.
                        if is_framework_key(alias.name) and not alias.asname:
                            imported.add(alias.name)
            inner = "." * node.level + (f"{node.module}." if node.module else "") + stem
            for alias in node.names:
                if alias.name == stem and _is(file, inner, module):
                    aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.rsplit(".", 1)[-1] != stem or not _is(file, alias.name, module):
                    continue
                if alias.asname or "." not in alias.name:
                    aliases.add(alias.asname or alias.name)
    if not constants and not aliases:
        return set()

    def constant(part: ast.AST) -> str | None:
        if isinstance(part, ast.Name) and part.id in constants:
            return constants[part.id]
        if (
            isinstance(part, ast.Attribute)
            and part.attr in names
            and isinstance(part.value, ast.Name)
            and part.value.id in aliases
        ):
            return part.attr
        return None

    # One step through a name or an attribute it is stored in (``self.smtp_passwd =
    # smtp_passwd`` in ``__init__``, then ``login(self.smtp_user, self.smtp_passwd)``).
    stored: dict[str, str] = {}  # stored name or attribute name -> the module's constant
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and (name := constant(node.value)):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    stored[target.id] = name
                elif isinstance(target, ast.Attribute):
                    stored["." + target.attr] = name
    passed = imported
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _callee(node.func) in _SHOWING:
            continue
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            for part in ast.walk(argument):
                name = constant(part)
                if name is None and isinstance(part, ast.Name):
                    name = stored.get(part.id)
                elif name is None and isinstance(part, ast.Attribute):
                    name = stored.get("." + part.attr)
                if name is not None:
                    passed.add(name)
    return passed


def _is(importer: Path, dotted: str, module: Path) -> bool:
    """Whether ``importer`` finds ``module`` under the name ``dotted``."""
    found = find_module(importer, dotted)
    return found is not None and found.resolve() == module


def _callee(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else ""
