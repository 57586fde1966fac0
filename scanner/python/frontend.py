"""The Python front end: parse with ``ast``, find mail clients, build the mail model.

It finds calls that open a connection (by qualified name, whatever the import
style), follows the connection through names, ``with`` targets, ``self``
attributes, factory functions that return it and inline call chains, and hands
each call to the library adapter that knows what it means.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable

from ..model import MailFile
from ..providers import microsoft_host_names
from ..text import Source
from .adapters import HAND_WRITTEN
from .adapters.base import Adapter, ClientSpec
from .ast_walk import walk
from .client_words import ClientWords
from .entra_secrets import add_entra_secrets
from .handed_values import hands_login_values
from .model_tables import AdapterTables
from .module_paths import ShadowedLibraries
from .net import names_microsoft_host
from .own_check import OwnCheck
from .parse import WRAPPER_WHOLE_CHARS, parse_python
from .relevance import Relevance, calls_a_method
from .secret_literals import writes_microsoft_mail_password
from .source import dotted_name
from .symbols import Symbols

_MICROSOFT_NAMES = microsoft_host_names()
_MICROSOFT_HOSTS = tuple(name.encode() for name in _MICROSOFT_NAMES)


class PythonFrontEnd:
    def __init__(self, adapters: Iterable[Adapter] = HAND_WRITTEN) -> None:
        """``adapters``: the hand-written ones; the library models' are made as a module
        first names one of their callables (:mod:`.model_tables`)."""
        self.adapters = tuple(adapters)
        tables = AdapterTables(self.adapters)
        self.clients = tables.clients
        self.functions = tables.functions
        self.object_methods = tables.object_methods
        self.client_adapters = tables.by_library  # adapters with client classes, by library
        self.presets: dict[str, tuple[Adapter, ClientSpec]] = {}
        for adapter in self.adapters:
            for name, spec in adapter.presets.items():
                self.presets[name] = (adapter, spec)
        self.imap_adapter = next((a for a in self.adapters if a.library == "imaplib"), None)
        # The libraries' top-level modules a module of the project may take the name of
        # (not the standard library's: a file that shadows one is a mistake of its own).
        self.library_modules = tuple(
            sorted(
                {name.split(".", 1)[0] for name in (*self.clients, *self.functions, *self.presets)}
                - set(sys.stdlib_module_names)
            )
        )
        self.client_last_names = frozenset(name.rsplit(".", 1)[-1] for name in self.clients)
        self.client_set = frozenset(self.clients)
        self.own_check = OwnCheck(lambda path, data: self.analyze(path, Source("python", data)))
        # A module that never names a client's module and, as a word, its class cannot
        # refer to it: a cheap look at the bytes.
        self.client_words = ClientWords(self.clients)
        # Cheap filters before qualified names are asked for.
        self.preset_names = {name.rsplit(".", 1)[-1] for name in self.presets}
        self.attribute_names = {name for a in self.adapters for name in a.attributes}
        # A preset object is used through its methods (``outlook.send(...)``).
        preset_calls = {
            f"{name}.{method}"
            for name, (adapter, _) in self.presets.items()
            for method in adapter.methods
        }
        gated = {name for _, names in tables.gated for name in names}
        self.relevance = Relevance(
            frozenset(self.clients) | frozenset(self.functions) | preset_calls,
            frozenset(self.object_methods) - gated,
        )
        # Common method names count only in modules whose text names what they are for.
        self.gated_methods = tables.gated

    def analyze(self, path: str, source: Source) -> MailFile:
        return self._analyze(path, source, wrapper=False)

    def analyze_wrapper(self, path: str, data: bytes) -> MailFile:
        """A module of the project a caller imports a function or class from, for its
        summary: analysed whatever it names, since a wrapper of a wrapper may name no
        mail library itself."""
        return self._analyze(path, Source("python", data), wrapper=True)

    def _analyze(self, path: str, source: Source, *, wrapper: bool) -> MailFile:
        parsed = parse_python(source, WRAPPER_WHOLE_CHARS if wrapper else 0)
        lowered = source.data.lower()  # once, for every look at the bytes below
        symbols = Symbols(parsed.tree, ShadowedLibraries(path, self.library_modules))
        full = wrapper or self._matters(symbols, lowered)
        if not full and not self._calls_only(symbols, lowered, path):
            mail = MailFile(path=path, kind="python", analyzed=False)
        else:
            # start-up: a module that may call mail code is analysed further, not the others
            from .module_analysis import ModuleAnalysis

            analysis = ModuleAnalysis(self, path, symbols, parsed.text, wrapper=wrapper)
            mail = analysis.run(microsoft_settings_only=not full)
            # Its passes hold its bound methods and closures over it: cycles that would
            # keep the module's analysis for the cyclic collector. Reference counting
            # frees it now.
            vars(analysis).clear()
        add_entra_secrets(mail, parsed.text, symbols)
        if parsed.python2 is not None:
            from .python2 import map_back  # start-up: for a Python 2 module only

            map_back(mail, parsed.python2.lines)
            mail.not_checked = [parsed.python2.error]
        if parsed.left_out:
            mail.not_checked = [left.error for left in parsed.left_out]
            # What the token-level scan finds in the statements left out: nothing is lost.
            from .fallback import scan_unparsable  # start-up: only for statements left out

            scanned = scan_unparsable(path, source.data)

            def left_out(line: int) -> bool:
                return any(left.first_line <= line <= left.last_line for left in parsed.left_out)

            mail.connections += [c for c in scanned.connections if left_out(c.opened_at.line)]
            mail.token_requests += [t for t in scanned.token_requests if left_out(t.span.line)]
            mail.ews += [a for a in scanned.ews if left_out(a.span.line)]
            known = {s.span.start for s in mail.secrets}
            mail.secrets += [
                s for s in scanned.secrets if left_out(s.span.line) and s.span.start not in known
            ]
        return mail

    def _matters(self, symbols: Symbols, lowered: bytes) -> bool:
        """``lowered``: the module's bytes in lower case."""
        if self.relevance.matters(symbols):
            return True
        # The rest of the relevance question (settings, keywords) was just answered no.
        for markers, methods in self.gated_methods:
            if any(marker in lowered for marker in markers) and calls_a_method(symbols, methods):
                return True
        if not self.client_words.named_in(lowered):
            return False
        return self._names_client(symbols.tree, symbols.names_read)

    def _calls_only(self, symbols: Symbols, lowered: bytes, path: str) -> bool:
        """A module whose calls matter though it calls no mail library and sets no mail
        setting: it names a Microsoft host (handed to a wrapper or to a library without a
        model), does SASL on a connection passed in, writes a password under a name that
        says it is a Microsoft mail account's, or hands a password-like literal to
        a call while importing mail code of the project (a wrapper's login). Of its settings,
        only groups that hold a Microsoft mail host are read: bare names beside another
        host are no proof of mail settings."""
        if self.names_microsoft_host(symbols, lowered):
            return True
        if b"xoauth2" in lowered and "authenticate" in symbols.names_read:
            return True
        if writes_microsoft_mail_password(symbols, lowered):
            return True
        return self.hands_secret_to_project(symbols, path)

    def hands_secret_to_project(self, symbols: Symbols, path: str) -> bool:
        """Whether the module hands a wrapper of another module of the project a password
        literal or a value of another module of the project (:mod:`.handed_values`)."""
        return hands_login_values(symbols, path, self.analyze_wrapper)

    @staticmethod
    def names_microsoft_host(symbols: Symbols, lowered: bytes) -> bool:
        """Whether a string of the module is a Microsoft mail host (its bytes, lower-cased,
        looked at first)."""
        return any(name in lowered for name in _MICROSOFT_HOSTS) and any(
            names_microsoft_host(text, _MICROSOFT_NAMES) for text in symbols.strings
        )

    def _names_client(self, tree: ast.Module, names_read: set[str]) -> bool:
        """Whether the module refers to a client class without calling it where it names
        it (``transport = smtplib.SMTP_SSL``, ``return SMTP``, ``transport = Client``
        after ``from smtplib import SMTP as Client``): it may call it later."""
        imported: dict[str, str] = {}
        named: list[ast.Name | ast.Attribute] = []
        last_names = self.client_last_names
        for node in walk(tree):  # one pass: imports, and names that end like a client
            if isinstance(node, ast.Attribute):
                if node.attr in last_names:
                    named.append(node)
            elif isinstance(node, ast.Name):
                if node.id in last_names:
                    named.append(node)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    qualified = f"{node.module}.{alias.name}"
                    if alias.asname in names_read and qualified in self.clients:
                        return True  # a client class read under another name
                    imported[alias.asname or alias.name] = qualified
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    head = alias.name.split(".")[0]
                    imported[alias.asname or head] = alias.name if alias.asname else head
        for node in named:
            name = dotted_name(node) if isinstance(node.ctx, ast.Load) else None
            if name is None:
                continue
            head, _, rest = name.partition(".")
            if imported.get(head, head) + (f".{rest}" if rest else "") in self.clients:
                return True
        return False
