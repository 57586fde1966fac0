"""The folding of placeholder words (scanner/placeholder_words.py): ASCII text is only
lowered, the way the whole fold would give it."""

from __future__ import annotations

import unicodedata

from authsweep.scanner.placeholder_words import _UNMARKED, PASSWORD_WORDS, fold
from hypothesis import given
from hypothesis import strategies as st


def full_fold(text: str) -> str:
    """The fold without its ASCII shortcut."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_UNMARKED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_folds_as_the_whole_fold_folds_it(text: str) -> None:
    assert fold(text) == full_fold(text)


@given(st.text())
def test_any_text_folds_as_the_whole_fold_folds_it(text: str) -> None:
    assert fold(text) == full_fold(text)


def test_the_vocabulary_holds_both_spellings() -> None:
    assert {"contraseña", "contrasena", "hasło", "haslo", "password"} <= PASSWORD_WORDS
    assert fold("Pässword") == "password" and fold("PASSWORD") == "password"
