"""Placeholder secrets by their shape: what people write where a password goes.

A value is a placeholder, not a secret, when it is made of the words that say what goes
there (``your-app-password``, ``SMTP_PASSWORD``, ``enterYourPasswordHere``,
``SENHA_AQUI``, ``yourpassword``), misspelt or repeated (``PASSWWORD-KEY-PASSWWORD-KEY``),
is too short to be any service's password (``x``, ``123``), has almost no variety of
characters (``xxxxxxxx``, ``xxxx-xxxx-xxxx``, ``********``,
``00000000-0000-0000-0000-000000000000``) or is a template to fill (``{password}``,
``%s``). A word with a number of its own (``Password2015``, the kind of password policies
force on people), leetspeak (``P@ssw0rd``), words run together in lower case that say
neither whose nor where (``mailpassword``, ``supersecret``: weak passwords people choose)
and random-looking values stay secrets. A value written as an identifier whose last word
names a secret (``device_password``, ``adminPassword``) is a setting's name, whatever its
first words. The words are :mod:`.placeholder_words`'.

A value written as a sentence is a placeholder when it reads as an instruction or as a
field's description: plain words only, and an instruction word (``Enter``, ``Type``,
``colocar``, ``digite``, ``ingrese``, ``inserisci``, ``mettre``, ``eingeben``, ``here``)
with a word that names the field or its owner (``your``, ``senha``, ``email``, ``user``),
or a password, e-mail or user word among three or more words (``senha do email
outlook``). A passphrase of plain words that names no field and gives no instruction
(``correct horse battery staple``) is a real secret: people do use them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .lazy_regex import lazy_pattern
from .placeholder_words import (
    ARTICLES,
    DESCRIPTIONS,
    FIELDS,
    FILLERS,
    FIRST_PERSON,
    INSTRUCTIONS,
    MARKERS,
    SECOND_PERSON,
    SECRET_WORDS,
    fold,
    joined,
)

_SECRET_WORDS = joined(SECRET_WORDS)  # ``motdepasse``
_VOCABULARY = _SECRET_WORDS | MARKERS | FILLERS
# Long secret words a placeholder misspells (``PASSWWORD``, ``pasword``).
_LONG_SECRET_WORDS = tuple(sorted(word for word in _SECRET_WORDS if len(word) >= 6))
# Words that make a run of words a placeholder: whose value, "here", what the field is.
_SIGNS = SECOND_PERSON | FIRST_PERSON | ARTICLES | MARKERS | DESCRIPTIONS
# A number people append to a placeholder's words (``password123``), not one of their own;
# after a short word (``pw12``) it makes a password.
_COUNTING = ("0123456789", "123456789")

# Fewer characters than any mail service takes for a password (Microsoft 365 and
# Outlook.com ask for eight at least): ``"x"``, ``"pw"``, ``"123"`` stand for one.
_SHORTEST = 4
# Placeholders are short; a longer value (a key, a certificate, a hostile megabyte) is
# not taken apart word by word.
_LONGEST = 120

# With an instruction, any word of a field's name counts (``Type your user id``).
_INSTRUCTED_FIELDS = FIELDS | _SECRET_WORDS | frozenset("id name address".split())
_SENTENCE_WORD = lazy_pattern(r"^[^\W\d_]+(?:[-'][^\W\d_]+)*[.:!?,;…]*$")

_TEMPLATE = lazy_pattern(r"^(?:\{[\w.\[\]]*\}|%[sdr]|\$\{?\w+\}?|@@\w+@@|#\{\w+\})$")
_CHUNK = lazy_pattern(r"[^\W\d_]+|[0-9]+")
_SEPARATED = lazy_pattern(r"[-_.\s]")
# An identifier: words joined by ``_`` (``device_password``, ``ADMIN_PASSWORD``), or
# letters in camel case (``adminPassword``; ``ftpSecret2022`` has a number of its own).
_IDENTIFIER = lazy_pattern(r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+$|^[a-z]+(?:[A-Z][a-z]+)+$")
_CAMEL = lazy_pattern(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")


def shaped_like_placeholder(value: str) -> bool:
    """Whether ``value`` (stripped) has a placeholder's shape: worded, repeated, of one
    or two characters, or a template."""
    if not value or len(value) > _LONGEST:
        return False
    return (
        len(value) < _SHORTEST
        or bool(_TEMPLATE.match(value))
        or _low_variety(value)
        or _repeated(value)
        or _worded(value)
        or _named(value)
        or _sentence(value)
    )


def _named(value: str) -> bool:
    """An identifier whose last word names a secret (``device_password``,
    ``NOTIFY_SMTP_PASS``, ``adminPassword``): the name of a setting left where its
    value goes, whatever the words before it; people do not choose identifiers as
    passwords. ``Password_2015`` (a number last) is not one."""
    if not _IDENTIFIER.match(value):
        return False
    last = value.rsplit("_", 1)[-1]
    words = [last] if "_" in value else _CAMEL.findall(last)
    return bool(words) and words[-1].lower() in _SECRET_WORDS


def _sentence(value: str) -> bool:
    """Plain words that read as an instruction or a field's description: ``Enter your
    password``, ``Passwort eingeben``, ``Type your user id``, ``colocar senha do email
    outlook``; not ``correct horse battery staple`` (a passphrase names no field)."""
    tokens = value.split()
    if len(tokens) < 2 or not all(_SENTENCE_WORD.match(token) for token in tokens):
        return False
    words = [_plain(token) for token in tokens]
    if any(word in INSTRUCTIONS for word in words):
        return any(word in SECOND_PERSON or word in _INSTRUCTED_FIELDS for word in words)
    return len(words) >= 3 and any(word in FIELDS for word in words)


def _plain(token: str) -> str:
    """``Contraseña:`` as ``contrasena``, ``E-mail`` as ``email``: folded, without
    hyphens, apostrophes and the punctuation after it."""
    return "".join(char for char in fold(token) if char.isalpha())


def _low_variety(value: str) -> bool:
    """``xxxxxxxx``, ``xxxx-xxxx``, ``00000000-0000-...``, ``********``, ``#####``."""
    kept = [char.lower() for char in value if char.isalnum()]
    if not kept:
        return len(value) >= 3
    return len(kept) >= 4 and len(set(kept)) <= 2 and len(set(value)) <= 3


def _repeated(value: str) -> bool:
    """A unit written twice or more, separators aside: ``KEY-KEY``, ``abcabcabc``,
    ``PASSWWORD-KEY-PASSWWORD-KEY``. A separator inside a unit is part of it, so it comes
    again in each: ``hgoahg@oa`` (``hgoa`` twice but for the ``@``) is typed, not
    repeated. A unit of letters and digits written twice (``pychat01@pychat01``, the
    account's name as its password) is a weak password someone chose."""
    kept = re.sub(r"[\W_]+", "", value).lower()
    if len(kept) < 6 or not any(char.isalpha() for char in kept):
        return False
    if any(char.isdigit() for char in kept):
        return False
    # Which kept characters come right after a separator.
    parted = [bool(re.match(r"[\W_]", piece)) for piece in re.findall(r"[\W_]*[^\W_]", value)]
    return any(
        len(kept) % size == 0
        and kept == kept[:size] * (len(kept) // size)
        and all(parted[at] == parted[at % size] for at in range(len(kept)) if at % size)
        for size in range(2, len(kept) // 2 + 1)
    )


def _worded(value: str) -> bool:
    """Made only of placeholder words (and a counting number), one of them a secret
    word or a marker: ``YOUR_APP_PASSWORD``, ``yourpassword``, ``pasword-here``. Words
    run together in lower case with nothing that says whose or where (``mailpassword``,
    ``supersecret``) are a weak password people do choose, not a placeholder."""
    words: list[str] = []
    counted = False
    for chunk in _CHUNK.findall(value):
        if chunk.isdigit():
            if not any(counting.startswith(chunk) for counting in _COUNTING):
                return False
            counted = True
            continue
        if not chunk.isascii():
            # A word with letters of its own language (``şifren``, ``contraseña``) counts
            # only as the vocabulary spells it: ``Pässword`` is no misspelt placeholder.
            if chunk.lower() not in _VOCABULARY:
                return False
            words.append(chunk.lower())
            continue
        for part in _CAMEL.findall(chunk):
            found = _segments(part.lower())
            if found is None:
                return False
            words += found
    if counted and sum(len(word) for word in words) < 6:
        return False  # ``pw12``, ``Pw-1234!``: a short word with a number is a password
    if not any(word in _SECRET_WORDS or word in MARKERS for word in words):
        return False
    return len(words) < 2 or not _run_together(value) or any(word in _SIGNS for word in words)


def _run_together(value: str) -> bool:
    """Written as one word: no separator, no capital after the first letter."""
    return not _SEPARATED.search(value) and not any(char.isupper() for char in value[1:])


@lru_cache(maxsize=1024)
def _segments(text: str) -> tuple[str, ...] | None:
    """``text`` as a run of placeholder words (``yourpassword``: ``your``, ``password``),
    a misspelt long secret word standing for itself; None when it is not one."""
    if text in _VOCABULARY or text == "x" * len(text):
        return (text,)
    if len(text) >= 6:
        for word in _LONG_SECRET_WORDS:
            if _one_edit(text, word):
                return (word,)
    for end in range(len(text) - 2, 1, -1):  # longest first word, of two letters or more
        head = text[:end]
        if head in _VOCABULARY:
            rest = _segments(text[end:])
            if rest is not None:
                return (head, *rest)
    return None


def _one_edit(text: str, word: str) -> bool:
    """Whether ``text`` is ``word`` with one letter added, left out or changed."""
    if abs(len(text) - len(word)) > 1 or text == word:
        return False
    if len(text) == len(word):
        return sum(a != b for a, b in zip(text, word, strict=True)) == 1
    short, long = (text, word) if len(text) < len(word) else (word, text)
    return any(long[:at] + long[at + 1 :] == short for at in range(len(long)))
