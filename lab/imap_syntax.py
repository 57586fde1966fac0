"""IMAP4rev1 syntax (RFC 3501 section 9, and LITERAL+ of RFC 7888): reading one command
with its literals, splitting it into atoms, strings and parenthesised lists, sequence
sets, and writing strings back."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .listeners import readline

# An argument: an atom (str), a string (bytes: quoted or literal) or a list of arguments.
Token = str | bytes | list[Any]

# The largest literal a client may send in a command (a SEARCH string, an APPEND is not
# served): larger ones end the connection, as a server must bound what it buffers.
MAX_LITERAL = 1 << 20
_LITERAL_AT_END = re.compile(rb"\{(\d+)(\+?)\}\r?\n$")
_LITERAL = re.compile(rb"\{(\d+)\+?\}\r?\n")
_ATOM_END = frozenset(b' ()"{\r\n')


class CommandSyntaxError(ValueError):
    """A command the server cannot split into arguments."""


def read_command(rfile: Any, send: Callable[[str], None]) -> bytes | None:
    """One command with its literals (the client waits for ``+`` before a synchronising
    literal ``{n}``, not before a ``{n+}``); None when the client has gone."""
    parts: list[bytes] = []
    while True:
        line = readline(rfile)
        if line is None:
            return None
        parts.append(line)
        literal = _LITERAL_AT_END.search(line)
        if literal is None:
            return b"".join(parts)
        size = int(literal.group(1))
        if size > MAX_LITERAL:
            return None
        if not literal.group(2):
            send("+ Ready for additional command text.")
        data = rfile.read(size)
        if data is None or len(data) < size:
            return None
        parts.append(data)


def tokenize(data: bytes) -> list[Token]:
    """The arguments of a command line (after its tag and name)."""
    stack: list[list[Token]] = [[]]
    position = 0
    while position < len(data):
        byte = data[position]
        if byte in b" \r\n":
            position += 1
        elif byte == ord("("):
            stack.append([])
            position += 1
        elif byte == ord(")"):
            if len(stack) == 1:
                raise CommandSyntaxError("unbalanced )")
            inner = stack.pop()
            stack[-1].append(inner)
            position += 1
        elif byte == ord('"'):
            text, position = _quoted(data, position + 1)
            stack[-1].append(text)
        elif byte == ord("{"):
            literal = _LITERAL.match(data, position)
            if literal is None:
                raise CommandSyntaxError("bad literal")
            start = literal.end()
            end = start + int(literal.group(1))
            stack[-1].append(data[start:end])
            position = end
        else:
            atom, position = _atom(data, position)
            stack[-1].append(atom)
    if len(stack) != 1:
        raise CommandSyntaxError("unbalanced (")
    return stack[0]


def _quoted(data: bytes, position: int) -> tuple[bytes, int]:
    text = bytearray()
    while position < len(data):
        byte = data[position]
        if byte == ord("\\") and position + 1 < len(data):
            text.append(data[position + 1])
            position += 2
        elif byte == ord('"'):
            return bytes(text), position + 1
        else:
            text.append(byte)
            position += 1
    raise CommandSyntaxError("unterminated string")


def _atom(data: bytes, position: int) -> tuple[str, int]:
    """An atom; a ``[...]`` in it (``BODY[HEADER.FIELDS (FROM TO)]``) is taken whole."""
    start = position
    depth = 0
    while position < len(data):
        byte = data[position]
        if byte == ord("["):
            depth += 1
        elif byte == ord("]"):
            depth -= 1
        elif depth == 0 and byte in _ATOM_END:
            break
        position += 1
    return data[start:position].decode("utf-8", "replace"), position


class SequenceSet:
    """A sequence set (``1:3,7,9:*``) of message numbers or UIDs; ``*`` is the largest in
    use. Kept as ranges: ``1:4294967295`` costs nothing."""

    def __init__(self, text: str, largest: int) -> None:
        self.ranges: list[tuple[int, int]] = []
        for part in text.split(","):
            first, _, last = part.partition(":")
            low = self._number(first, largest)
            high = self._number(last, largest) if last else low
            self.ranges.append((min(low, high), max(low, high)))

    @staticmethod
    def _number(text: str, largest: int) -> int:
        if text == "*":
            return largest
        if not text.isdigit() or int(text) == 0:
            raise CommandSyntaxError(f"bad sequence set: {text!r}")
        return int(text)

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and any(lo <= number <= hi for lo, hi in self.ranges)


def is_sequence_set(token: Token) -> bool:
    return isinstance(token, str) and bool(
        re.fullmatch(r"[\d*]+(:[\d*]+)?(,[\d*]+(:[\d*]+)?)*", token)
    )


def text(token: Token) -> str:
    """An argument as text (an atom, or a string decoded as UTF-8)."""
    if isinstance(token, bytes):
        return token.decode("utf-8", "replace")
    if isinstance(token, str):
        return token
    raise CommandSyntaxError("a list where a string was expected")


def nstring(value: bytes | str | None) -> bytes:
    """A string as a server writes it: NIL, a quoted string, or a literal when it has line
    breaks, quotes or bytes outside printable ASCII."""
    if value is None:
        return b"NIL"
    data = value.encode("utf-8") if isinstance(value, str) else value
    if all(32 <= b < 127 for b in data):
        return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return b"{%d}\r\n" % len(data) + data
