"""The tree of a project module that another module's analysis reads (never runs): its
wrappers for the summaries across the project (:mod:`.summaries`), its constants for an
importer (:mod:`.imports`).

One reading for both, so a module is understood the same way whichever asks: a Python 2
module (print statements, indentation mixing tabs and spaces) is read in its Python 3
translation, whose lines are the file's (:mod:`.python2`), as the module's own check
reads it; one with a statement the parser refuses has that statement left out. Memoised
by the module's bytes: a settings module that several files import, and that is a
wrapper's module too, is parsed (and translated) once.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from ..budget import TooComplex
from ..errors import ParseError
from ..records import plain
from ..text import Source
from .parse import WRAPPER_WHOLE_CHARS, parse_python


@plain
class ModuleTree:
    """A module's tree and the text its positions index: a Python 2 module's translation
    (the same lines as the file, columns may differ)."""

    tree: ast.Module
    text: str


@lru_cache(maxsize=32)
def module_tree(data: bytes) -> ModuleTree | None:
    """The tree of the module whose bytes are ``data``, None when it does not parse."""
    try:
        try:
            # Above this size one whole parse costs ~80 times the text: the front end's
            # parse goes a few statements at a time.
            if len(data) <= WRAPPER_WHOLE_CHARS:
                return ModuleTree(ast.parse(data), data.decode("utf-8", errors="replace"))
        except SyntaxError:
            pass  # Python 2 (its translation keeps the lines), or statements to leave out
        parsed = parse_python(Source("python", data))
        return ModuleTree(parsed.tree, parsed.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, ParseError, TooComplex):
        return None
