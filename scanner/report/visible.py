"""Text from a scanned tree made safe to print on a terminal.

File names, messages that quote source and code frames can hold what a terminal obeys
instead of showing: ESC sequences (an OSC that retitles the window or writes the
clipboard, SGR 8 that conceals the rest of a line), a carriage return or a line break
that forges a line of the report, C1 controls some terminals read as ESC, and bidi
controls that make text read in another order than it runs (Trojan Source). Each is
written as the escape Python would use (``\\x1b``, ``\\r``, ``\\u202e``); a tab stays.
"""

from __future__ import annotations

import re

from ..lazy_regex import lazy_pattern

_CONTROLS = lazy_pattern(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\n": "\\n", "\r": "\\r"}


def visible(text: str, keep: str = "") -> str:
    """``text`` with every control character but a tab (and those in ``keep``) escaped."""
    if not _CONTROLS.search(text):
        return text

    def escaped(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        if char in _NAMED:
            return _NAMED[char]
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROLS.sub(escaped, text)
