"""Patterns compiled on first use behave as the compiled patterns they stand for."""

from __future__ import annotations

import re

import pytest
from authsweep.scanner.lazy_regex import lazy_pattern


def test_nothing_is_compiled_before_the_first_use() -> None:
    broken = lazy_pattern("unbalanced(")  # compiled now, this would raise
    with pytest.raises(re.error):
        broken.search("text")


def test_it_answers_as_the_compiled_pattern() -> None:
    source, flags = rb"\b(?:smtp|imap)(?P<tail>lib)?\b", re.IGNORECASE
    lazy, compiled = lazy_pattern(source, flags), re.compile(source, flags)
    data = b"import SMTPlib, imaplib; smtp_host = 'x'"
    assert [m.span() for m in lazy.finditer(data)] == [m.span() for m in compiled.finditer(data)]
    assert lazy.sub(b"_", data) == compiled.sub(b"_", data)
    assert lazy.search(data).group("tail") == b"lib"
    assert (lazy.pattern, lazy.flags, lazy.groupindex) == (
        compiled.pattern,
        compiled.flags,
        compiled.groupindex,
    )


def test_a_method_is_bound_on_the_object_after_its_first_use() -> None:
    lazy = lazy_pattern(r"\d+")
    assert "search" not in vars(lazy)
    assert lazy.search("port 587").group() == "587"
    assert "search" in vars(lazy)  # later uses do not go through __getattr__


def test_the_words_of_a_name_are_split_as_by_the_plain_range() -> None:
    # secret_names writes [a-z\u00c0-\uffff] as a negated class, which compiles without
    # a table of the whole range: the same characters, the same words.
    from authsweep.scanner.python.secret_names import WORD

    plain = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z\u00c0-\uffff]+|\d+")
    points = [*range(0x60, 0x7C), *range(0xB0, 0x200), 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF]
    points += range(0, 0x110000, 97)
    for point in points:
        name = f"smtp{chr(point)}Password{chr(point)}2"
        assert WORD.findall(name) == plain.findall(name), hex(point)
    assert WORD.findall("SMTPSenhaDoUsuário_contraseñaÜber") == plain.findall(
        "SMTPSenhaDoUsuário_contraseñaÜber"
    )
