"""Microsoft Entra (Azure AD) client secrets written as literals, known by their shape.

Secrets Entra ID issues for an app registration since 2021 have a fixed shape: three
characters, a digit, ``Q~``, then 31 to 34 characters of ``[A-Za-z0-9_~.-]`` (secret
scanners key on it). Such a literal in a module that talks to Microsoft mail or identity
is the app's own secret: a hard-coded mail secret (AS105) whether or not the call that
takes it is modelled, imported (a snippet's ``Account(credentials)``), or parses at
all. The look is at the text, so a file the parser refuses gets the same answer.

Secrets Entra issued before that shape have none: 32 characters of letters, digits and
``[]:@.-_?=*`` (the portal's), or 44 of base64 (the classic portal's keys). Such text looks
like any random token, so it is taken for a client secret only where the code says it is
one: the value written for a name of an app's secret (``CLIENT_SECRET = ...``,
``client_secret=...``, ``"clientSecret": ...``, ``app_secret``), in the same Microsoft
context. The calls that take one by position (MSAL's ``client_credential``,
``ClientSecretCredential``, python-o365's ``(client_id, secret)``) are their models'.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from functools import cache

from .. import inputs
from ..lazy_regex import lazy_pattern
from ..model import MailFile, SecretUse, Span, Value
from ..providers import microsoft_host_names
from ..secrets import is_placeholder
from .entra_shapes import SHAPE, older_secret
from .imports import find_module, imported_constant, resolved
from .mail_libraries import LIBRARIES
from .secret_literals import tokens_not_for_mail
from .source import SourceText
from .symbols import Symbols
from .values import Evaluator

WHAT = "Microsoft Entra client secret"
_MAX_MODULE_BYTES = 1024 * 1024
# A literal given to a name of an app's secret: assigned (annotated or not), a keyword, a
# dict key, a parameter's default.
_NAMED_OLDER = lazy_pattern(
    r"""(?:client|app)[_-]?secret\w*['"]?\s*(?::\s*\w+\s*)?[:=]\s*"""
    r"""(['"])([A-Za-z0-9+/=\[\]:@._?*~-]{32,44})\1""",
    re.IGNORECASE,
)
# Libraries of Microsoft identity (tokens for mail and Graph), beside the mail libraries.
_IDENTITY = ("msal", "azure.identity", "office365", "msgraph", "O365")
_IMPORT = lazy_pattern(
    r"^[ \t]*(?:from|import)[ \t]+(?:"
    + "|".join(re.escape(name) for name in sorted({*LIBRARIES, *_IDENTITY}))
    + r")\b",
    re.MULTILINE,
)
# Classes of those libraries that take an app's secret, as a snippet calls them without
# importing them.
_TAKER_CLASSES = (
    "Account",
    "ConfidentialClientApplication",
    "ClientSecretCredential",
    "OAuth2Credentials",
)
_TAKERS = lazy_pattern(r"\b(?:" + "|".join(_TAKER_CLASSES) + r")\s*\(")


@cache
def _host_names() -> tuple[str, ...]:
    """Microsoft's mail, sign-in and Graph host names, lower-cased: searched for one by one
    in the lower-cased text (an alternation of them ignoring case, tried at every character,
    cost more than the rest of a small module's secret search)."""
    names = (*microsoft_host_names(), "login.microsoftonline.com", "graph.microsoft.com")
    return tuple(sorted({name.lower() for name in names}))


def entra_secrets(text: str, span_of: Callable[[int, int], Span]) -> list[SecretUse]:
    """The Entra client secret literals of a module's text, when the module talks to
    Microsoft mail or identity; ``span_of`` turns character offsets into a span."""
    found = list(SHAPE.finditer(text)) if "Q~" in text else []
    found += [m for m in _named_older(text) if older_secret(m.group(2))]
    if not found or not microsoft_context(text):
        return []
    uses = []
    for match in found:
        span = span_of(match.start(1), match.end())  # the literal with its quotes
        value = Value(True, match.group(2), span=span, literal=True, literal_span=span)
        uses.append(SecretUse(value, WHAT, span, certain=True, needs_mail=True))
    return uses


def _named_older(text: str) -> list[re.Match[str]]:
    """The literals given to a name of an app's secret: looked for around each
    ``secret`` of the text (a plain search, where the pattern alone would be tried at
    every character of a large module)."""
    lower = text.lower()
    found: dict[int, re.Match[str]] = {}
    at = lower.find("secret")
    while at != -1:
        match = _NAMED_OLDER.search(text, max(0, at - 7), at + 120)
        if match is not None:
            found.setdefault(match.start(), match)
        at = lower.find("secret", at + 6)
    return list(found.values())


def microsoft_context(text: str) -> bool:
    """Whether a module imports a mail or Microsoft identity library, calls a class of one
    that takes an app's secret, or names a Microsoft mail, sign-in or Graph host."""
    if _IMPORT.search(text) or _calls_a_taker(text):
        return True
    lower = text.lower()
    return any(name in lower for name in _host_names())


def _calls_a_taker(text: str) -> bool:
    """Whether ``_TAKERS`` matches in ``text``, asked only where a class's name is: a match
    starts with one, and the pattern searched whole, ``\\b`` first, is tried at every
    character (on a module of 20 kB, more than the rest of the secret search)."""
    for name in _TAKER_CLASSES:
        at = text.find(name)
        while at != -1:
            if _TAKERS.match(text, at):  # ``\b`` looks at the character before ``at``
                return True
            at = text.find(name, at + 1)
    return False


def add_entra_secrets(mail: MailFile, text: str, symbols: Symbols | None = None) -> None:
    """Add the Entra client secret literals of ``text`` to ``mail.secrets``, but those a
    library's model found already (an MSAL client secret); a literal only a name made a
    secret of (medium confidence) is the Entra secret it is. None when the analysis of
    the module (``symbols``) shows its tokens are for something else than mail."""
    if "Q~" not in text and "ecret" not in text and "ECRET" not in text:
        return
    lines: list[SourceText] = []

    def span_of(start: int, end: int) -> Span:
        if not lines:  # a line index of the module, made only for a secret found
            lines.append(SourceText(text))
        return lines[0].span_of(start, end)

    found = entra_secrets(text, span_of)
    if not found or (symbols is not None and tokens_not_for_mail(symbols, mail)):
        return
    entra = {use.span.start for use in found}
    mail.secrets = [
        use
        for use in mail.secrets
        if use.certain or (use.value.literal_span or use.span).start not in entra
    ]
    known = {(use.value.literal_span or use.span).start for use in mail.secrets}
    mail.secrets += [use for use in found if use.span.start not in known]


def add_imported_entra_secrets(symbols: Symbols, values: Evaluator, mail: MailFile) -> None:
    """An Entra client secret of the newer shape (certain whatever its name) imported from
    a module of the project that does not report it itself (``from settings_mod import
    CREDENTIAL``, where nothing names a Microsoft service), into a module that talks to
    Microsoft mail or identity: reported at the import, naming where it is written, unless
    a call here that takes it reports it already."""
    if not any(isinstance(s, ast.ImportFrom) for s in symbols.imports):
        return
    if not microsoft_context(values.text.code):
        return
    reported = {use.value.written_at for use in mail.secrets if use.value.written_at}
    for statement in symbols.imports:
        if not isinstance(statement, ast.ImportFrom):
            continue
        module = "." * statement.level + (statement.module or "")
        if not _may_hold_secret(values, module):
            continue  # most imports: a library's module, or one with no such text
        for alias in statement.names:
            if alias.name == "*":
                continue
            value = imported_constant(values.path, module, alias.name, Evaluator, values.own_check)
            written = value.written_at if value is not None else None
            text = value.value if value is not None else None
            if written is None or written in reported or not isinstance(text, str):
                continue
            if not SHAPE.fullmatch(f'"{text}"') or is_placeholder(text):
                continue
            if _reported_where_written(values, module, written):
                continue
            span = values.span(alias)
            found = Value(True, text, value.origin, span, written_at=written)  # type: ignore[union-attr]
            use = SecretUse(found, WHAT, span, needs_mail=True, path=f" written in {written}")
            mail.secrets.append(use)
            reported.add(written)


def _reported_where_written(values: Evaluator, module: str, written: str) -> bool:
    """Whether the module a literal is written in (``settings_mod.py:2``, as the import
    names it) reports it in its own check; taken to when that cannot be asked."""
    found = find_module(resolved(values.path), module) if values.path else None
    _, _, line = written.rpartition(":")
    if found is None or values.own_check is None or not line.isdigit():
        return True
    return values.own_check(found, int(line))


def _may_hold_secret(values: Evaluator, module: str) -> bool:
    """Whether the module of the project ``module`` names has the newer shape's mark in its
    bytes (read, not parsed: most modules a file imports have none)."""
    found = find_module(resolved(values.path), module) if values.path else None
    data = inputs.read(found, _MAX_MODULE_BYTES) if found is not None else None
    return data is not None and b"Q~" in data
