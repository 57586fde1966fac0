"""Whether a module's text may refer to a client class without calling it: a cheap look
at its lower-cased bytes before the front end walks its tree for such references.

A module that never names a client's module and, as a whole word, its class cannot refer
to it (``transport = smtplib.SMTP_SSL``, ``from smtplib import SMTP``). The words are
found with substring searches and a look at the bytes either side
(:class:`~authsweep.scanner.words.WholeWords`), not with one ``\\b(?:smtp|smtp_ssl)\\b``
expression: over the dozens of modules of a large tree that name ``django`` or
``logging`` (the module of a client class) the expression cost more than the rest of the
relevance question together (bench/RESULTS.md, issue 27, speed7).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..words import MAIL_FAMILY_WORDS, Substrings, WholeWords


class ClientWords:
    """For client classes by qualified name (``smtplib.SMTP_SSL``): whether lower-cased
    bytes name one's module (``RPA`` as ``rpa``) and its class as a word."""

    def __init__(self, clients: Iterable[str]) -> None:
        words: dict[bytes, set[bytes]] = {}
        for name in clients:
            words.setdefault(name.split(".")[0].lower().encode(), set()).add(
                name.rsplit(".", 1)[-1].lower().encode()
            )
        self.modules = [(module, WholeWords(names)) for module, names in sorted(words.items())]
        self.module_names = Substrings((module for module, _ in self.modules), MAIL_FAMILY_WORDS)

    def named_in(self, lowered: bytes) -> bool:
        named = self.module_names.found_in(lowered)
        return any(module in named and words.found_in(lowered) for module, words in self.modules)
