"""Whether a module's text may refer to a client class without calling it: a cheap look
at its lower-cased bytes before the front end walks its tree for such references.

A module that never names a client's module and, as a whole word, its class cannot refer
to it (``transport = smtplib.SMTP_SSL``, ``from smtplib import SMTP``). The words are
found with substring searches and a look at the bytes either side, not with one
``\\b(?:smtp|smtp_ssl)\\b`` expression: the expression tries every position of the
text, and over the dozens of modules of a large tree that name ``django`` or
``logging`` (the module of a client class) it cost more than the rest of the
relevance question together (bench/RESULTS.md, issue 27, speed7).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..lazy_regex import lazy_pattern

# What ``\w`` is in a bytes pattern: ASCII letters, digits and the underscore.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# Occurrences of a word inside longer words looked at one by one before the expression
# takes over: a text made of ``smtpx smtpx ...`` costs what the expression costs.
_INSIDE_WORDS = 64


class _Words:
    """Whole words of a client module's classes, in lower case (word characters only)."""

    def __init__(self, words: Iterable[bytes]) -> None:
        self.words = tuple(sorted(set(words)))
        self.pattern = lazy_pattern(
            rb"\b(?:" + b"|".join(re.escape(word) for word in self.words) + rb")\b"
        )
        # The look either side is ``\b`` only for words of word characters.
        self.plain = all(set(word) <= _WORD_BYTES for word in self.words)

    def found_in(self, text: bytes) -> bool:
        """``self.pattern.search(text) is not None``, by substring search."""
        if not self.plain:
            return self.pattern.search(text) is not None
        inside = 0
        for word in self.words:
            start = text.find(word)
            while start >= 0:
                end = start + len(word)
                if (start == 0 or text[start - 1] not in _WORD_BYTES) and (
                    end == len(text) or text[end] not in _WORD_BYTES
                ):
                    return True
                inside += 1
                if inside > _INSIDE_WORDS:
                    return self.pattern.search(text) is not None
                start = text.find(word, start + 1)
        return False


class ClientWords:
    """For client classes by qualified name (``smtplib.SMTP_SSL``): whether lower-cased
    bytes name one's module (``RPA`` as ``rpa``) and its class as a word."""

    def __init__(self, clients: Iterable[str]) -> None:
        words: dict[bytes, set[bytes]] = {}
        for name in clients:
            words.setdefault(name.split(".")[0].lower().encode(), set()).add(
                name.rsplit(".", 1)[-1].lower().encode()
            )
        self.modules = [(module, _Words(names)) for module, names in sorted(words.items())]

    def named_in(self, lowered: bytes) -> bool:
        return any(module in lowered and words.found_in(lowered) for module, words in self.modules)
