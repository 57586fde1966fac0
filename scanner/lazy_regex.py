"""Regular expressions compiled when first used, not when their module is imported.

Compiling a pattern is Python code (``re._parser``, ``re._compiler``) and costs 0.05 to
1 ms; a module-level ``re.compile`` pays it in every process that imports the module,
though most runs use few of those patterns (the masks of secrets, suppression comments,
configuration errors: bench/RESULTS.md, the start-up round of issue 27). A
:func:`lazy_pattern` stands where the compiled pattern stood and is used the same way
(``.search``, ``.sub``, ``.pattern``, ...); its first use compiles it, and each of its
attributes is then bound on the object itself, so that later uses cost what a compiled
pattern's do.
"""

from __future__ import annotations

import re

from .pattern_cache import compile_pattern

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import AnyStr


class _LazyPattern:
    """The stand-in: ``re.compile(pattern, flags)`` on the first attribute looked up."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> object:
        # Called only for an attribute not bound yet: the first use of each method.
        if name == "_source":  # an instance made without __init__ (a copy): no pattern
            raise AttributeError(name)
        value = getattr(compile_pattern(*self._source), name)  # the command's kept programs
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"lazy_pattern{self._source!r}"


def lazy_pattern(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(pattern, flags)``, done when the result is first used. Only for
    patterns used through their methods and attributes: ``re.sub(PATTERN, ...)`` and
    ``isinstance(PATTERN, re.Pattern)`` want the compiled pattern itself."""
    # The stand-in for the pattern, to type checkers (typing.cast, without typing).
    return _LazyPattern(pattern, flags)  # type: ignore[return-value]
