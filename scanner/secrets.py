"""Secrets: recognising placeholders, and masking real values in every output."""

from __future__ import annotations

import re

# The word "password" in the languages mail code is written in (Portuguese, Spanish,
# Catalan, German, French, Dutch, Italian/Romanian, Polish, Finnish, Swedish, Danish,
# Norwegian, Czech, Hungarian, Turkish, Russian, Chinese, Japanese, Korean).
_PASSWORD_WORDS = (
    "password|passwd|pass|pwd|pw|secret|token|client[-_ ]?secret|key"
    "|senha|contrase(?:ñ|n|nh)a|contrasenya|clave|passwort|kennwort|mot[-_ ]?de[-_ ]?passe|mdp"
    "|wachtwoord|parola|has(?:ł|l)o|salasana|l(?:ö|o)senord|adgangskode|passord|heslo"
    "|jelsz(?:ó|o)|(?:ş|s)ifre|пароль|密码|密碼|パスワード|비밀번호"
)
# "your" and "my" likewise ("sua_senha", "tu_contraseña", "votre_mot_de_passe").
_OWNER_WORDS = "your|my|the|some|sua|seu|tu|su|mi|votre|ton|mon|dein|ihr|mein|je|uw|il[-_]tuo|tuo"
# Not a secret: references to other settings, templates, vault lookups, the words people
# write in example files ("your-app-password-here", "my_password", "[PASSWORD]", "senha",
# "password123"), and the throwaway passwords of tests ("test", "testpass"). The word
# with a year ("Password2015") is a real password, of the kind policies force on people.
_PLACEHOLDER = re.compile(
    r"""^(\$\{.*\}|\$[A-Za-z_]\w*|\{\{.*\}\}|%\(.*\)s|<.*>|\[.*\]|vault:.*|!vault.*|secret:.*
        |(?i:(?:"""
    + _OWNER_WORDS
    + r"""|example|sample|dummy|fake|test|app)?[-_ .]?
              (?:app[-_ ]?)?(?:"""
    + _PASSWORD_WORDS
    + r""")
              (?:[-_ .]?(?:here|goes[-_ ]here|placeholder|123|1234))?
            |(?:"""
    + _OWNER_WORDS
    + r""")[-_ ].*|.*[-_ ]here|changeme|change[-_]?me|replace[-_]?me|xxx+|\*+
            |\.\.\.|todo|tbd|none|null|password\d{0,3}|secret\d{0,3}|example|sample|dummy|fake
            |test(?:ing|er)?\d*|test[-_]?(?:pass|pw|pwd)\d*|foo(?:bar)?|bar|baz))$""",
    re.VERBOSE,
)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value.strip()))


def mask(value: str) -> str:
    """``"Wi*********"``: at most two characters shown, never more than a quarter."""
    shown = min(2, len(value) // 4)
    return repr(value[:shown] + "*" * max(len(value) - shown, 3))


# The start of a string piece in source: its prefix letters and opening quotes.
_STRING_START = re.compile(r"""(?i:[rbuf]{0,2})('\'\'|"\"\"|'|")""")
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
    """Each character of ``body`` as ``*``, line breaks kept; at least ``minimum``
    stars, so that a short secret does not show its length."""
    stars = "".join(c if c in _LINE_ENDS else "*" for c in body)
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
