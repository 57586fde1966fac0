"""The second filter: does a module call a mail library or set mail settings at all?

After the byte pre-check, a file that names ``smtp`` somewhere is parsed and its
imports and calls are looked at. Only modules that construct a mail client, call a
mail function, subclass a mail class or assign mail settings are analysed further, and
mail scripts (a mail library imported) that keep a password literal under its name.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterable

from ..lazy_regex import lazy_pattern
from ..providers import lookup
from .mail_libraries import LIBRARIES
from .secret_names import secret_name
from .source import dotted_name
from .symbols import Symbols, standard_name

SETTING_NAME = lazy_pattern(
    r"^(?:DJANGO_)?(?:EMAIL|MAIL|SMTP|IMAP)_(?:HOST|SERVER|PORT|USE_TLS|USE_SSL|STARTTLS|SSL|TLS"
    r"|SSL_TLS|HOST_USER|HOST_PASSWORD|USER|USERNAME|PASSWORD|URL)$"
    # Names of settings dicts (``SMTP_CONFIG = {...}``, ``EMAIL = {...}``): constants only,
    # not the ``email = ...`` variables of ordinary code.
    r"|^(?-i:(?:[A-Z0-9]+_)?(?:EMAIL|MAIL|SMTP|IMAP|MAILER|MAIL_SERVER)(?:_CONFIG|_SETTINGS)?)$",
    re.IGNORECASE,
)


_HOST_KEYWORDS = frozenset({"host", "server", "hostname", "smtp_host", "mail_server"})


def _microsoft_host_keyword(keyword: ast.keyword) -> bool:
    """``host="smtp.office365.com"`` in any call: mail settings as keyword arguments."""
    value = keyword.value
    return (
        keyword.arg in _HOST_KEYWORDS
        and isinstance(value, ast.Constant)
        and isinstance(value.value, str)
        and lookup(value.value).microsoft
    )


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """The dotted name with its first part read through the module's import aliases."""
    name = dotted_name(node)
    if name is None:
        return None
    head, dot, rest = name.partition(".")
    return aliases.get(head, head) + dot + rest


def import_aliases(imports: Iterable[ast.Import | ast.ImportFrom]) -> dict[str, str]:
    """What each name a module's imports bind stands for (``S`` of ``from smtplib import
    SMTP as S``: ``smtplib.SMTP``); a module imported under its own name is not listed."""
    aliases: dict[str, str] = {}
    for node in imports:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = standard_name(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                # A bundled copy of a library is the library (``app.vendor.imaplib2``).
                aliases[alias.asname or alias.name] = standard_name(f"{node.module}.{alias.name}")
    return aliases


def _imported_modules(imports: Iterable[ast.Import | ast.ImportFrom]) -> list[str]:
    found = []
    for node in imports:
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif node.module and not node.level:
            found.append(node.module)
    return found


class _Hits:
    """What makes a node matter: a call of a mail name, a subclass of one, a mail setting."""

    def __init__(
        self,
        imports: Iterable[ast.Import | ast.ImportFrom],
        names: Collection[str],
        methods: Collection[str],
        last_parts: Collection[str],
        modules: Collection[str],
    ) -> None:
        imports = list(imports)
        self.aliases = import_aliases(imports)
        self.names = names
        self.last_parts = last_parts
        self.modules = modules
        self.methods = methods
        # ``from exchangelib import *``: a name not imported by name may be one of theirs.
        self.star_modules = [
            node.module
            for node in imports
            if isinstance(node, ast.ImportFrom)
            and node.module
            and not node.level
            and any(alias.name == "*" for alias in node.names)
        ]
        # A mail script: its password literals matter even with no mail call left in it.
        self.mail_script = any(
            name.split(".", 1)[0] in LIBRARIES for name in _imported_modules(imports)
        )
        self.settings: dict[str, bool] = {}  # names asked of SETTING_NAME, and its answer

    def call(self, node: ast.Call) -> bool:
        func = node.func
        if isinstance(func, ast.Attribute):
            # ``a.b.attr(...)`` can only be a name that ends in ``.attr``: most calls
            # of a module are methods no mail name ends in, and need no dotted name.
            if func.attr in self.last_parts and _dotted(func, self.aliases) in self.names:
                return True
            if func.attr in self.methods:
                return True
        elif isinstance(func, ast.Name):  # its dotted name is its own, read through aliases
            if self.aliases.get(func.id, func.id) in self.names or self._from_star(func):
                return True
            if func.id == "getattr" and self._got_client(node):
                return True
        for keyword in node.keywords:
            if keyword.arg and (self._setting(keyword.arg) or _microsoft_host_keyword(keyword)):
                return True
        return False

    def _got_client(self, node: ast.Call) -> bool:
        """``getattr(smtplib, "SMTP_SSL" if ssl else "SMTP")``: a mail name read by a
        constant attribute name (either arm of a conditional one); ``getattr(smtplib,
        method)``: any name of a mail library's module, read by a name."""
        if len(node.args) < 2:
            return False
        owner, attribute = node.args[0], node.args[1]
        if isinstance(attribute, ast.Name):
            return _dotted(owner, self.aliases) in self.modules
        arms = (
            [attribute.body, attribute.orelse] if isinstance(attribute, ast.IfExp) else [attribute]
        )
        return any(
            isinstance(arm, ast.Constant)
            and isinstance(arm.value, str)
            and arm.value in self.last_parts
            and _dotted(ast.Attribute(owner, arm.value, ast.Load()), self.aliases) in self.names
            for arm in arms
        )

    def subclass(self, node: ast.ClassDef) -> bool:
        return any(_dotted(base, self.aliases) in self.names for base in node.bases)

    def assignment(self, node: ast.Assign | ast.AnnAssign) -> bool:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(self._is_setting(target) for target in targets):
            return True
        return (
            self.mail_script
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and any(isinstance(t, ast.Name) and secret_name(t.id) for t in targets)
        )

    def mapping(self, node: ast.Dict) -> bool:
        return any(
            isinstance(k, ast.Constant) and isinstance(k.value, str) and self._setting(k.value)
            for k in node.keys
        )

    def _is_setting(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return self._setting(node.id)
        if isinstance(node, ast.Attribute):
            return self._setting(node.attr)
        if isinstance(node, ast.Subscript):
            key = node.slice
            return (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and self._setting(key.value)
            )
        return False

    def _setting(self, name: str) -> bool:
        """Whether ``name`` is a mail setting's; asked once a name in the module (keyword
        arguments and targets repeat: 8,000 questions, 1,000 names in Django's files)."""
        known = self.settings.get(name)
        if known is None:
            known = self.settings[name] = SETTING_NAME.match(name) is not None
        return known

    def _from_star(self, func: ast.expr) -> bool:
        name = dotted_name(func)
        return (
            name is not None
            and name.split(".", 1)[0] not in self.aliases
            and any(f"{module}.{name}" in self.names for module in self.star_modules)
        )


class Relevance:
    """Whether a parsed module may build a connection: it calls or subclasses one of
    ``names`` (qualified), calls a method named in ``methods`` on anything
    (``app.acquire_token_for_client``), or assigns a mail setting."""

    def __init__(self, names: Collection[str], methods: Collection[str]) -> None:
        self.names = frozenset(names)
        self.methods = methods
        # The last part of each name (``SMTP`` of ``smtplib.SMTP``).
        self.last_parts = frozenset(name.rsplit(".", 1)[-1] for name in names)
        # The modules they are in (``smtplib``): ``getattr(smtplib, method)`` reads one.
        self.modules = frozenset(name.rsplit(".", 1)[0] for name in names if "." in name)

    def matters(self, symbols: Symbols) -> bool:
        """From what the one walk of the module collected: its calls, classes,
        assignments, dictionaries and string constants."""
        hits = _Hits(symbols.imports, self.names, self.methods, self.last_parts, self.modules)
        if not self.names.isdisjoint(symbols.strings):
            return True  # "logging.handlers.SMTPHandler" in a config dict
        return (
            any(map(hits.call, symbols.calls))
            or any(map(hits.subclass, symbols.classes))
            or any(map(hits.assignment, symbols.assignments))
            or any(map(hits.mapping, symbols.dicts))
        )


def calls_a_method(symbols: Symbols, methods: Collection[str]) -> bool:
    """Whether a call of the module is a method named in ``methods`` (``x.send(...)``):
    what ``Relevance(frozenset(), methods).matters`` adds to the question every
    :class:`Relevance` asks alike (mail settings assigned, passed or keyed), for a module
    of which it has been answered no."""
    return any(
        isinstance(call.func, ast.Attribute) and call.func.attr in methods for call in symbols.calls
    )
