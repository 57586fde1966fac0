"""Secrets: recognising placeholders, and masking real values in every output.

What is masked is decided here, once, for every output (code frames, diffs, the cache,
sweep reports):

- every string literal a secret's value is built from (:attr:`Value.literal_parts`),
  whatever the expression: a literal, a concatenation, ``%``, ``.format``, ``"".join``,
  a slice, through names, defaults and a function's parameters;
- the secrets of the mail model: passwords of logins and of mail settings, EWS
  credentials, and whatever a call of a modelled library gets as a password, a client
  secret or a token (:func:`secret_arguments`: a ROPC token request's password, a token
  request form's ``password`` field);
- credentials in URLs and forms, wherever they are written (:func:`mask_url_credentials`):
  ``https://user:secret@host``, ``?access_token=...``, ``&password=...``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .lazy_regex import lazy_pattern
from .model import MailFile, Span, Value
from .placeholder_secrets import shaped_like_placeholder
from .placeholder_words import (
    ARTICLES,
    FIRST_PERSON,
    HERE_WORDS,
    SECOND_PERSON,
    SECRET_WORDS,
)


def _alternation(words: frozenset[str]) -> str:
    """The words as a pattern's alternatives, longest first; a separator or none where a
    word of several has a space (``mot-de-passe``, ``client_secret``, ``clientsecret``)."""
    ordered = sorted(words, key=lambda word: (-len(word), word))
    return "|".join(re.escape(word).replace(r"\ ", "[-_ ]?") for word in ordered)


_SECRET = _alternation(SECRET_WORDS)
# Whose value it is ("your", "my", "sua_senha", "tu_contraseña", "votre_mot_de_passe").
_OWNER = _alternation(SECOND_PERSON | FIRST_PERSON | ARTICLES)
# Not a secret: references to other settings, templates, vault lookups, the words people
# write in example files ("your-app-password-here", "my_password", "[PASSWORD]", "senha",
# "password123"), a few words that say what goes there ("AD credentials", "gmail app
# password"), the example values of API schemas ("string") and of defaults ("changeit"),
# and the throwaway passwords of tests and demos ("test", "testpass", "demo1234"). The word with a
# year ("Password2015") is a real password, of the kind policies force on people. The
# words are :mod:`.placeholder_words`', in either spelling (with accents or without).
_PLACEHOLDER = lazy_pattern(
    r"""^(\$\{.*\}|\$[A-Za-z_]\w*|\{\{.*\}\}|%\(.*\)s|<.*>|\[.*\]|vault:.*|!vault.*|secret:.*
        |(?:(?:"""
    + _OWNER
    + r"""|example|sample|dummy|fake|test|app)?[-_ .]?
              (?:app[-_ ]?)?(?:"""
    + _SECRET
    + r""")
              (?:[-_ .]?(?:here|goes[-_ ]here|placeholder|123|1234))?
            |(?:"""
    + _OWNER
    + r""")[-_ ].*|.*[-_ ](?:"""
    + _alternation(HERE_WORDS)
    + r""")|(?:change|replace)[-_ ]?(?:me|it|this)|xxx+|\*+
            |(?:[\w.-]+[ ]){1,3}(?:"""
    + _SECRET
    + r"""|login)
            |\.\.\.|todo|tbd|none|null|nil|undefined|empty|blank|string|str|text|value
            |password\d{0,3}|secret\d{0,3}|example|sample|dummy|fake
            |test(?:ing|er)?\d*|test[-_]?(?:pass|pw|pwd)\d*|demo\d*|fixme|foo(?:bar)?|bar|baz))$""",
    re.VERBOSE,
)


def is_placeholder(value: str) -> bool:
    value = value.strip()
    return bool(_PLACEHOLDER.match(value.lower())) or shaped_like_placeholder(value)


def mask(value: str) -> str:
    """``"Wi*********"``: at most two characters shown, never more than a quarter."""
    shown = min(2, len(value) // 4)
    return repr(value[:shown] + "*" * max(len(value) - shown, 3))


# The start of a string piece in source: its prefix letters and opening quotes.
_STRING_START = lazy_pattern(r"""(?i:[rbuf]{0,2})('\'\'|"\"\"|'|")""")
_LINE_ENDS = "\r\n"


def mask_literal(source: str) -> str:
    """Mask a secret as written in source, whatever its quoting: prefixes, quotes, line
    breaks, continuations and the code between the pieces of a concatenation are kept;
    every character inside the strings is masked, but for at most two of a one-piece
    literal (never more than a quarter). Unquoted text (a config value) is masked whole
    but for its first two characters at most."""
    pieces = list(_pieces(source))
    if not pieces:
        shown = min(2, len(source) // 4)
        return source[:shown] + _stars(source[shown:], minimum=3)
    masked: list[str] = []
    at = 0
    for start, end in pieces:
        masked.append(source[at:start])
        body = source[start:end]
        shown = min(2, len(body) // 4) if len(pieces) == 1 and "\n" not in body else 0
        masked.append(body[:shown] + _stars(body[shown:], minimum=3 if len(pieces) == 1 else 1))
        at = end
    masked.append(source[at:])
    return "".join(masked)


def mask_text(text: str, literals: set[str]) -> str:
    """``text`` with every occurrence of each secret literal (as written) masked."""
    for literal in sorted(literals, key=len, reverse=True):
        if len(literal) >= 3:
            text = text.replace(literal, mask_literal(literal))
    return text


def _stars(body: str, minimum: int) -> str:
    """Each character of ``body`` as ``*``, line breaks and the indentation after them
    kept (a config value's continuation line); at least ``minimum`` stars, so that a
    short secret does not show its length."""
    masked: list[str] = []
    line_start = False
    for char in body:
        kept = char in _LINE_ENDS or (line_start and char in " \t")
        masked.append(char if kept else "*")
        line_start = kept
    stars = "".join(masked)
    return stars if len(body) >= minimum or any(c in _LINE_ENDS for c in body) else "*" * minimum


def _pieces(source: str):
    """The spans of the string bodies (between the quotes) in a literal's source."""
    at = 0
    while True:
        match = _STRING_START.search(source, at)
        if match is None:
            return
        quote = match.group(1)
        raw = "r" in source[match.start() : match.start(1)].lower()
        start = position = match.end()
        while position < len(source):
            if not raw and source[position] == "\\":
                position += 2
                continue
            if source.startswith(quote, position):
                break
            position += 1
        yield start, min(position, len(source))
        at = position + len(quote)


# Parameter and field names that take a secret: a password, a client secret, a token.
_SECRET_NAMES = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "secret",
        "token",
        "client_credential",
        "client_assertion",
        "user_assertion",
        "assertion",
        "api_key",
        "apikey",
    }
)
_SECRET_SUFFIXES = ("password", "passwd", "_pwd", "_secret", "_token", "_key")


def is_secret_name(name: str) -> bool:
    """``password``, ``pass_``, ``client_secret``, ``access_token``, ``smtp_password``..."""
    name = name.lower().rstrip("_")
    return name in _SECRET_NAMES or name.endswith(_SECRET_SUFFIXES)


def secret_arguments(arguments: Mapping[str, Value]) -> list[Value]:
    """The values of a call's arguments that are secrets: those of secret parameters, and
    the secret fields of a dict passed (a token request's form, ``json={...}``)."""
    found = []
    for name, value in arguments.items():
        if is_secret_name(name):
            found.append(value)
        elif value.known and isinstance(value.value, dict):
            found += [
                item
                for key, item in value.value.items()
                if isinstance(key, str) and is_secret_name(key) and isinstance(item, Value)
            ]
    return [value for value in found if value.literal_parts or value.literal_span]


def _secret_values(mail: MailFile) -> list[Value]:
    values = [use.value for use in mail.secrets]
    values += [step.secret for conn in mail.connections for step in conn.steps]
    values += [account.secret for account in mail.ews]
    return values + mail.hidden


def secret_texts(mail: MailFile) -> set[str]:
    """The secrets a file writes as literals, as the program reads them (placeholders
    and short values left out): what no message may show."""
    return {
        value.value
        for value in _secret_values(mail)
        if value.literal
        and isinstance(value.value, str)
        and len(value.value) >= 4
        and not is_placeholder(value.value)
    }


def secret_spans(mail: MailFile) -> list[Span]:
    """Where the secrets of a file are written, as disjoint spans (one that holds another,
    an f-string around a literal, counts once)."""
    spans = [use.value.literal_span or use.span for use in mail.secrets]
    values = _secret_values(mail)
    for value in values:
        spans += value.literal_parts
        # ``login(user, None)``: None (or a flag) is no secret, and its text is code.
        if (
            value.literal
            and value.literal_span is not None
            and not isinstance(value.value, (bool, type(None)))
        ):
            spans.append(value.literal_span)
    merged: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if span.end > last.end:
                merged[-1] = Span(
                    last.line, last.column, span.end_line, span.end_column, last.start, span.end
                )
            continue
        merged.append(span)
    return merged


# Query and form fields that carry a credential: after ``?``, ``&`` or ``;`` (also a key
# or a signature: ``?key=AIza...``, ``&sig=...`` of a shared access signature), or first
# in a quoted form (``"password=...&scope=..."``).
_CREDENTIAL_FIELDS = (
    "access_token|refresh_token|id_token|token|password|passwd|pwd|client_secret|secret"
    "|client_assertion|assertion|api_key|apikey"
)
_URL_FIELD = lazy_pattern(
    r"(?:(?<=[?&;])(?i:" + _CREDENTIAL_FIELDS + r"|key|code|sig|signature)"
    r"|(?<=[\"'])(?i:" + _CREDENTIAL_FIELDS + r"))"
    r"""=(?P<value>[^&#\s"'`<>]+)"""
)
# ``scheme://user:password@host``: the password. The scheme starts a word and is short:
# tried at every letter of a megabyte-long word, an unbounded one took hours (quadratic).
_URL_USERINFO = lazy_pattern(
    r"""(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}://[^/@\s:"'`<>]*:"""
    r"""(?P<value>[^/@\s"'`<>]+)@"""
)


def mask_url_credentials(text: str) -> str:
    """``text`` with the credentials in its URLs and forms masked, as literals are."""
    for pattern in (_URL_USERINFO, _URL_FIELD):
        text = pattern.sub(_masked_value, text)
    return text


def _masked_value(match: re.Match[str]) -> str:
    value = match.group("value")
    shown = min(2, len(value) // 4)
    start = match.start("value") - match.start()
    whole = match.group()
    return (
        whole[:start]
        + value[:shown]
        + "*" * max(len(value) - shown, 3)
        + whole[start + len(value) :]
    )
