"""Whole words in bytes, found by substring search: what ``\\b(?:w1|w2)\\b`` finds, at a
fraction of its cost.

The expression tries every position of the text (``\\b`` first leaves the regular
expression engine no literal to skip ahead to): about 3 ms for a 100 kB module, paid for
each module the front end reads and each such expression (bench/RESULTS.md, issue 27,
speed7 and speed8). Each word is found with ``bytes.find`` and the bytes either side are
looked at instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .lazy_regex import lazy_pattern

# What ``\w`` is in a bytes pattern: ASCII letters, digits and the underscore.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# Words that many mail libraries' names hold (``aiosmtplib``, ``imap_tools``, ``yagmail``):
# the families :class:`Substrings` looks for before their members.
MAIL_FAMILY_WORDS = (b"smtp", b"imap", b"mail")
# Occurrences of a word inside longer words looked at one by one before the expression
# takes over: a text made of ``smtpx smtpx ...`` costs what the expression costs.
_INSIDE_WORDS = 64


class WholeWords:
    """Whether a text holds one of ``words`` as a whole word (as ``\\b(?:...)\\b``)."""

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


class Substrings:
    """Which of ``words`` a text holds, by one substring search a word, but the words that
    hold a family word (``imaplib``, ``aioimaplib``, ``imap_tools`` hold ``imap``) are looked
    for only in a text that holds it: most texts hold none of a family, and each search is
    a pass over the whole text."""

    def __init__(self, words: Iterable[bytes], families: Iterable[bytes]) -> None:
        words = tuple(dict.fromkeys(words))
        families = tuple(families)
        self.direct = tuple(w for w in words if not any(f in w for f in families))
        grouped: dict[bytes, list[bytes]] = {}
        for word in words:
            family = next((f for f in families if f in word), None)
            if family is not None:
                grouped.setdefault(family, []).append(word)
        self.grouped = tuple((family, tuple(held)) for family, held in grouped.items())

    def found_in(self, text: bytes) -> set[bytes]:
        """The words ``text`` holds."""
        find = text.find  # not ``in``: see precheck._follows
        found = {word for word in self.direct if find(word) >= 0}
        for family, held in self.grouped:
            if find(family) >= 0:
                found.update(word for word in held if find(word) >= 0)
        return found
