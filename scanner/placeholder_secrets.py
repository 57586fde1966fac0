"""Placeholder secrets by their shape: what people write where a password goes.

A value is a placeholder, not a secret, when it is made of the words that say what goes
there (``your-app-password``, ``SMTP_PASSWORD``, ``enterYourPasswordHere``,
``SENHA_AQUI``, ``mailpassword``), misspelt or repeated (``PASSWWORD-KEY-PASSWWORD-KEY``),
has almost no variety of characters (``xxxxxxxx``, ``xxxx-xxxx-xxxx``, ``********``,
``00000000-0000-0000-0000-000000000000``) or is a template to fill (``{password}``,
``%s``). A word with a number of its own (``Password2015``, the kind of password policies
force on people), leetspeak (``P@ssw0rd``) and random-looking values stay secrets.

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
import unicodedata
from functools import lru_cache

from .lazy_regex import lazy_pattern

# Words that name a secret: one of them (or a marker) must be in a worded placeholder.
_SECRET_WORDS = frozenset(
    "password passwort passwd pass pwd pw passcode passphrase secret secrets token key keys "
    "apikey credential credentials senha contrasena contrasenya clave kennwort motdepasse "
    "mdp wachtwoord parola haslo salasana losenord adgangskode passord heslo jelszo sifre".split()
)
# Words that say "put something here" on their own.
_MARKERS = frozenset(
    "here placeholder example sample dummy fake test testing changeme change replace "
    "insert enter fill todo tbd xxx aqui ici hier qui".split()
)
# Words that say what, whose or where, in a placeholder's sentence.
_FILLERS = frozenset(
    "your yours my the a an some own real actual valid correct mail email e smtp imap pop "
    "pop3 exchange outlook office office365 gmail yahoo hotmail account user username usr "
    "login sender from app application specific generated api access client auth oauth "
    "goes go put type in with me default value string new strong secure super very long "
    "random to for of is generate create get set ur sua seu tu su mi votre ton mon dein "
    "ihr mein je uw tuo il config setting settings env variable var private shared "
    "master server service bot mailbox sendgrid host".split()
)
_VOCABULARY = _SECRET_WORDS | _MARKERS | _FILLERS
# Long secret words a placeholder misspells (``PASSWWORD``, ``pasword``).
_LONG_SECRET_WORDS = tuple(word for word in _SECRET_WORDS if len(word) >= 6)
# A number people append to a placeholder's words (``password123``), not one of their own;
# after a short word (``pw1``) it makes a password.
_COUNTING = ("0123456789", "123456789")

# Placeholders are short; a longer value (a key, a certificate, a hostile megabyte) is
# not taken apart word by word.
_LONGEST = 120

# Words of a sentence-like placeholder (accents dropped, ``contraseña`` is
# ``contrasena``). Instructions: "enter", "type", "put", "here", in the languages mail
# code is written in (English, Portuguese, Spanish, Italian, French, German, Dutch).
_INSTRUCTIONS = frozenset(
    "enter type insert put fill write add paste replace change set provide input specify "
    "here colocar coloque coloca digite digitar insira inserir preencha preencher escreva "
    "escrever informe informar ponha aqui ingrese ingresa ingresar introduce introduzca "
    "introducir escriba escribe escribir pon poner inserte insertar rellene reemplace aca "
    "inserisci inserire immetti metti mettere scrivi digita sostituisci qui mettre mettez "
    "entrez entrer saisir saisissez inserer inserez ecrire ecrivez remplacez renseignez "
    "renseigner ici eingeben einfugen eintragen ersetzen hier voer vul invullen".split()
)
# Whose value goes there ("your", "sua", "votre", "dein"): with an instruction, a field.
_OWNERS = frozenset(
    "your yours ur sua seu teu tua tu su vuestro vuestra votre vos ton ta dein deine ihr "
    "ihre tuo vostro vostra je uw jouw".split()
)
# Words that name the field: a password, an e-mail address, a user. Among three or more
# plain words they describe the field even with no instruction (``senha do email
# outlook``); short words that are also ordinary ones (``pass``, ``key``, ``parola``)
# do not count there.
_FIELDS = frozenset(
    "password passwort passwd pwd senha contrasena contrasenya kennwort wachtwoord haslo "
    "salasana losenord adgangskode passord heslo jelszo sifre passphrase passcode "
    "credential credentials passe email mail username user userid login account usuario "
    "utilisateur benutzer benutzername utente correo courriel".split()
)
# With an instruction, any word of a field's name counts (``Type your user id``).
_INSTRUCTED_FIELDS = _FIELDS | _SECRET_WORDS | frozenset("id name address".split())
_SENTENCE_WORD = lazy_pattern(r"^[^\W\d_]+(?:[-'][^\W\d_]+)*[.:!?,;…]*$")

_TEMPLATE = lazy_pattern(r"^(?:\{[\w.\[\]]*\}|%[sdr]|\$\{?\w+\}?|@@\w+@@|#\{\w+\})$")
_CHUNK = lazy_pattern(r"[A-Za-z]+|[0-9]+")
_CAMEL = lazy_pattern(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")


def shaped_like_placeholder(value: str) -> bool:
    """Whether ``value`` (stripped) has a placeholder's shape: worded, repeated, of one
    or two characters, or a template."""
    if not value or len(value) > _LONGEST:
        return False
    return (
        bool(_TEMPLATE.match(value))
        or _low_variety(value)
        or _repeated(value)
        or _worded(value)
        or _sentence(value)
    )


def _sentence(value: str) -> bool:
    """Plain words that read as an instruction or a field's description: ``Enter your
    password``, ``Passwort eingeben``, ``Type your user id``, ``colocar senha do email
    outlook``; not ``correct horse battery staple`` (a passphrase names no field)."""
    tokens = value.split()
    if len(tokens) < 2 or not all(_SENTENCE_WORD.match(token) for token in tokens):
        return False
    words = [_plain(token) for token in tokens]
    if any(word in _INSTRUCTIONS for word in words):
        return any(word in _OWNERS or word in _INSTRUCTED_FIELDS for word in words)
    return len(words) >= 3 and any(word in _FIELDS for word in words)


def _plain(token: str) -> str:
    """``Contraseña:`` as ``contrasena``, ``E-mail`` as ``email``: lower case, without
    accents, hyphens, apostrophes and the punctuation after it."""
    decomposed = unicodedata.normalize("NFKD", token.lower())
    return "".join(char for char in decomposed if char.isalpha() and char.isascii())


def _low_variety(value: str) -> bool:
    """``xxxxxxxx``, ``xxxx-xxxx``, ``00000000-0000-...``, ``********``, ``#####``."""
    kept = [char.lower() for char in value if char.isalnum()]
    if not kept:
        return len(value) >= 3
    return len(kept) >= 4 and len(set(kept)) <= 2 and len(set(value)) <= 3


def _repeated(value: str) -> bool:
    """A unit written twice or more, separators aside: ``KEY-KEY``, ``abcabcabc``."""
    kept = re.sub(r"[\W_]+", "", value).lower()
    if len(kept) < 6 or not any(char.isalpha() for char in kept):
        return False
    return any(
        len(kept) % size == 0 and kept == kept[:size] * (len(kept) // size)
        for size in range(2, len(kept) // 2 + 1)
    )


def _worded(value: str) -> bool:
    """Made only of placeholder words (and a counting number), one of them a secret
    word or a marker: ``YOUR_APP_PASSWORD``, ``mailpassword``, ``pasword-here``."""
    words: list[str] = []
    counted = False
    for chunk in _CHUNK.findall(value):
        if chunk.isdigit():
            if not any(counting.startswith(chunk) for counting in _COUNTING):
                return False
            counted = True
            continue
        for part in _CAMEL.findall(chunk):
            found = _segments(part.lower())
            if found is None:
                return False
            words += found
    if counted and sum(len(word) for word in words) < 6:
        return False  # ``pw1``, ``Pw-1234!``: a short word with a number is a password
    return any(word in _SECRET_WORDS or word in _MARKERS for word in words)


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
