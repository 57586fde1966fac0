"""Shell globs matched many at a time, compiled once.

A configuration may list thousands of ``extend-exclude`` patterns (generated lists of
vendored folders, say). Matching each pattern with ``fnmatch`` for every file recompiles
them once ``fnmatch``'s own cache overflows, and one alternation of them all takes
seconds to compile. Here a literal pattern is a set lookup, and a pattern with
wildcards is filed under the literal text before its first wildcard (or, when it starts
with one, after its last): a name is compared only with the patterns whose literal part
it starts (or ends) with, each compiled the first time it is needed.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

from .lazy_regex import lazy_pattern

_WILDCARD = lazy_pattern(r"[*?\[]")


class _Pattern:
    __slots__ = ("glob", "_regex")

    def __init__(self, glob: str) -> None:
        self.glob = glob
        self._regex: re.Pattern[str] | None = None

    def match(self, text: str) -> bool:
        if self._regex is None:
            self._regex = re.compile(fnmatch.translate(self.glob))
        return self._regex.match(text) is not None


class GlobSet:
    """Whether a text matches any of ``patterns``, with ``fnmatch.fnmatchcase`` rules."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.literals: set[str] = set()
        self._by_prefix: dict[str, list[_Pattern]] = {}
        self._by_suffix: dict[str, list[_Pattern]] = {}
        self._anywhere: list[_Pattern] = []  # wildcards at both ends: "*mail*"
        self._lengths: set[int] = set()
        self._suffix_lengths: set[int] = set()
        for glob in dict.fromkeys(patterns):
            first = _WILDCARD.search(glob)
            if first is None:
                self.literals.add(glob)
                continue
            pattern = _Pattern(glob)
            if first.start() > 0:
                prefix = glob[: first.start()]
                self._by_prefix.setdefault(prefix, []).append(pattern)
                self._lengths.add(len(prefix))
                continue
            # The literal tail after the last "*" or "?"; with a "[...]" class somewhere,
            # where the tail starts is not worth working out: such patterns are rare.
            suffix = "" if "[" in glob else re.split(r"[*?]", glob)[-1]
            if suffix:
                self._by_suffix.setdefault(suffix, []).append(pattern)
                self._suffix_lengths.add(len(suffix))
            else:
                self._anywhere.append(pattern)

    def __bool__(self) -> bool:
        return bool(self.literals or self._by_prefix or self._by_suffix or self._anywhere)

    def match(self, text: str) -> bool:
        if text in self.literals:
            return True
        for length in self._lengths:
            for pattern in self._by_prefix.get(text[:length], ()):
                if pattern.match(text):
                    return True
        for length in self._suffix_lengths:
            if length <= len(text):
                for pattern in self._by_suffix.get(text[len(text) - length :], ()):
                    if pattern.match(text):
                        return True
        return any(pattern.match(text) for pattern in self._anywhere)


class PathGlobs:
    """Exclude patterns as discovery and ``extend-exclude`` apply them: a pattern matches
    the relative path or any folder above it (``vendor/lib`` excludes what is inside;
    ``**/`` also matching no folder at all), or, without a ``/``, any one folder or file
    name in it."""

    def __init__(self, patterns: Iterable[str]) -> None:
        patterns = list(patterns)
        whole = [*patterns, *(p[3:] for p in patterns if p.startswith("**/"))]
        self._whole = GlobSet(whole)
        # A name has no "/", so a pattern with a literal "/" can never match one.
        self._names = GlobSet(p for p in patterns if "/" not in p)

    def __bool__(self) -> bool:
        return bool(self._whole)

    def match(self, relative: str) -> bool:
        """``relative`` uses ``/`` between its parts."""
        if self._whole.match(relative):
            return True
        parts = relative.split("/")
        for depth in range(1, len(parts)):
            if self._whole.match("/".join(parts[:depth])):
                return True
        return bool(self._names) and any(self._names.match(part) for part in parts)
