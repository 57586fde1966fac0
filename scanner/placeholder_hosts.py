"""Hosts written as examples to be replaced, not servers.

The shapes: template syntax left unfilled (``<smtp server>``, ``${SMTP_HOST}``);
filler (``smtp.xxx.com``); and labels made only of words that describe a host instead
of naming one. Those are read as words, not matched as strings: a label is split into
words of a small vocabulary (``_`` and ``-`` separate words, run-together compounds are
split too), in the languages mail scripts are commonly written in, so
``smtp.host_address.com``, ``smtp.meumail.com`` (Portuguese "my mail"),
``mail.seudominio.com.br`` and ``smtp.votredomaine.fr`` are placeholders while
``smtp.myrepublic.net`` (a word outside the vocabulary) and ``smtp.mail.com`` (a real
provider: mail words alone say nothing) are hosts. Names reserved for documentation
(RFC 2606, RFC 6761) are told apart: nobody's hosts, not placeholders.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .lazy_regex import lazy_pattern

# Names reserved for documentation and testing (RFC 2606, RFC 6761): no server of any
# provider can ever have one, so they are not placeholders but hosts known to be nobody's.
_RESERVED_DOMAINS = frozenset({"example.com", "example.net", "example.org"})
_RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost"})
_FILLER = lazy_pattern(r"^(?:x{2,}|\*+|_+)$")
_NOT_A_HOST = lazy_pattern(r"[<>{}$%\[\]*\s]")
# ``host:port`` whose port is a word (``smtp服务器:端口``, "SMTP server:port"), not a
# number: text describing what goes there (an IPv6 address is hexadecimal digits).
_NOT_A_PORT = lazy_pattern(r":(?!//)[^:\d]*[^:\da-f][^:]*$")
# Second-level labels under which a country registers names (``example.co.uk``).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or"})

# "my", "your", "our", "some" and their forms in Portuguese, Spanish, French, German,
# Italian, Dutch and Polish: a host "of someone", so not a name. (Articles are left
# out: "la poste" and "le mail" are names.)
_OWNERS = frozenset(
    {
        "my", "your", "yours", "our", "some",
        "meu", "minha", "seu", "sua", "teu", "tua", "nosso", "nossa",
        "mi", "tu", "su", "nuestro", "nuestra",
        "mon", "ma", "ton", "votre", "notre",
        "mein", "meine", "dein", "deine", "ihr", "ihre", "unser", "unsere",
        "mio", "mia", "tuo", "vostro", "vostra",
        "mijn", "jouw", "uw", "onze",
        "moj", "moja", "twoj", "twoja",
    }
)  # fmt: skip
# Words that stand where a host's own name goes: "host", "server", "domain", "company",
# "example", and their translations.
_GENERIC = frozenset(
    {
        "host", "hostname", "address", "addr", "server", "domain", "domainname", "name",
        "website", "site", "company", "provider", "organization", "organisation",
        "business", "isp", "example", "sample", "dummy", "fake", "placeholder",
        "something", "whatever", "xyz", "abc", "foo", "foobar", "test", "here",
        "servidor", "dominio", "endereco", "empresa", "provedor", "exemplo", "nome",
        "direccion", "proveedor", "ejemplo", "nombre", "sitio",
        "serveur", "domaine", "adresse", "entreprise", "societe", "fournisseur",
        "exemple", "nom",
        "domaene", "firma", "anbieter", "beispiel", "unternehmen",
        "indirizzo", "azienda", "fornitore", "esempio", "sito",
        "bedrijf", "voorbeeld", "naam",
        "domena", "serwer", "adres", "przyklad", "nazwa",
    }
)  # fmt: skip
# Words about mail: part of a placeholder's words, but no placeholder alone
# (``mail.com`` and ``email.com`` are real providers).
_MAIL = frozenset(
    {
        "mail", "email", "emails", "smtp", "imap", "pop", "pop3", "outgoing", "incoming",
        "correo", "correio", "courriel", "posta", "post", "poczta", "of", "do", "da", "del",
        "du", "des", "di", "der", "van",
    }
)  # fmt: skip
_WORDS = _OWNERS | _GENERIC | _MAIL
# The words that make a name with no dot a placeholder: whose it is, or a word for a name
# (not "server" or "host" alone: ``mail-server`` and ``smtp-host`` are services' names).
_FILL_IN = _OWNERS | {
    "hostname", "address", "addr", "domain", "domainname", "name", "here", "example",
    "sample", "dummy", "fake", "placeholder", "something", "whatever",
    "endereco", "exemplo", "nome", "direccion", "ejemplo", "nombre", "adresse", "exemple",
    "nom", "beispiel", "indirizzo", "esempio", "voorbeeld", "naam", "adres", "przyklad",
    "nazwa", "dominio", "domaine", "domaene", "domena",
}  # fmt: skip
_LONGEST = max(map(len, _WORDS))


def is_placeholder_name(name: str) -> bool:
    """Whether a host name (lower case, without a trailing dot) is written as an example
    to be replaced (``smtp.yourserver.com``, ``smtp.host_address.com``)."""
    if _NOT_A_HOST.search(name) or _NOT_A_PORT.search(name):
        return True
    labels = name.split(".")
    if len(labels) < 2:
        # A local name (``mailhog``, ``exchange01``, ``mail-server``), unless its words
        # say whose it is or what goes there (``Mailserver-Hostname``, ``YOUR_SMTP_SERVER``).
        words = _words(name)
        return words is not None and len(words) > 1 and any(w in _FILL_IN for w in words)
    if is_reserved_name(name):
        return False  # a name nobody can have, not one left to fill in
    main = len(labels) - 2
    if main > 0 and labels[main] in _SECOND_LEVEL:
        main -= 1
    for index, label in enumerate(labels[:-1]):
        if _FILLER.match(label):
            return True
        words = _words(label)
        if words is None:
            continue
        if any(word in _OWNERS for word in words) and any(word not in _OWNERS for word in words):
            return True  # "your server", "meu mail": somebody's, not a name
        if words[0] in ("your", "yours"):
            return True  # ``your.smtp.server.com``: English "your" is never a name
        if index == main and any(word in _GENERIC for word in words):
            return True  # ``smtp.domain.com``, ``smtp.host_address.com``
    return False


def is_reserved_name(name: str) -> bool:
    """Whether a host name (lower case, without a trailing dot) is under a domain reserved
    for documentation (``smtp.example.com``, ``mail.corp.example``, ``imap.test``)."""
    labels = name.split(".")
    return labels[-1] in _RESERVED_TLDS or ".".join(labels[-2:]) in _RESERVED_DOMAINS


@lru_cache(maxsize=1024)
def _words(label: str) -> tuple[str, ...] | None:
    """The label as words of the vocabulary (``host_address`` -> host, address;
    ``meumail`` -> meu, mail), fewest words first; None when it is not made of them."""
    words: list[str] = []
    for part in re.split(r"[-_]+", label):
        if not part:
            continue
        split = _split(part)
        if split is None:
            return None
        words.extend(split)
    return tuple(words) or None


def _split(text: str) -> tuple[str, ...] | None:
    """``text`` cut into the fewest words of the vocabulary, None when it cannot be."""
    best: list[tuple[str, ...] | None] = [None] * (len(text) + 1)
    best[0] = ()
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - _LONGEST), end):
            before = best[start]
            if before is None or text[start:end] not in _WORDS:
                continue
            candidate = (*before, text[start:end])
            current = best[end]
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    return best[-1]
