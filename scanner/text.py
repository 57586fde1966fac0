"""Decoding source files to text and back, exactly.

Offsets in the mail model are indices into the text this module decodes; fixes
edit that text and encode it back with the same codec, so a BOM, a PEP 263
coding cookie and the file's newlines survive unchanged.
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from dataclasses import dataclass
from functools import cached_property

# Byte order marks of the wide encodings, longest first (UTF-32 LE starts like UTF-16 LE).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class SourceCodec:
    encoding: str  # "utf-8-sig" keeps a UTF-8 BOM
    newline: str  # the file's first line ending, used for inserted lines
    bom: bytes = b""  # the byte order mark of a UTF-16/32 file, written back first

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)


def wide_encoding(data: bytes) -> tuple[bytes, str] | None:
    """The BOM and codec of a UTF-16 or UTF-32 file (Windows tools write them)."""
    return next(((bom, name) for bom, name in _WIDE_BOMS if data.startswith(bom)), None)


def as_utf8(data: bytes) -> bytes:
    """A UTF-16/32 file's bytes as UTF-8, so byte-level checks and the front ends see its
    text; other bytes unchanged."""
    wide = wide_encoding(data)
    if wide is None:
        return data
    bom, name = wide
    return data[len(bom) :].decode(name, errors="replace").encode("utf-8", "surrogatepass")


def first_newline(text: str) -> str:
    index = text.find("\n")
    if index > 0 and text[index - 1] == "\r":
        return "\r\n"
    if index < 0 and "\r" in text:
        return "\r"
    return "\n"


def decode(kind: str, data: bytes) -> tuple[SourceCodec, str]:
    """The file's text and how to encode it back; ValueError when it cannot be decoded."""
    wide = wide_encoding(data)
    if wide is not None:
        bom, name = wide
        try:
            text = data[len(bom) :].decode(name)
        except UnicodeDecodeError as error:
            raise ValueError(f"cannot decode as {name}: {error}") from None
        return SourceCodec(name, first_newline(text), bom), text
    if kind == "python":
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as error:
            raise ValueError(f"cannot decode: {error}") from None
    else:
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise ValueError(f"cannot decode as {encoding}: {error}") from None
    return SourceCodec(encoding, first_newline(text)), text


class Source:
    """One file's bytes as the stages of a check read them, decoded once, on first use:
    the front end, the encode-back check and the code frames share its codec and text
    instead of decoding the bytes each."""

    def __init__(self, kind: str, data: bytes) -> None:
        self.kind = kind
        self.data = data

    @cached_property
    def _decoded(self) -> tuple[SourceCodec, str] | ValueError:
        try:
            return decode(self.kind, self.data)
        except ValueError as error:
            return error

    @property
    def codec(self) -> SourceCodec:
        """How the text encodes back; ValueError when the bytes cannot be decoded."""
        if isinstance(self._decoded, ValueError):
            raise self._decoded
        return self._decoded[0]

    @property
    def text(self) -> str:
        """The file's text; ValueError when its bytes cannot be decoded."""
        if isinstance(self._decoded, ValueError):
            raise self._decoded
        return self._decoded[1]


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def lines_with_ends(text: str) -> list[str]:
    """The lines of source as Python counts them, each with its line end."""
    return _LINE.findall(text)


def source_lines(text: str) -> list[str]:
    """The lines of source as Python counts them: only ``\\r\\n``, ``\\r`` and ``\\n``
    end a line (``str.splitlines`` also breaks at form feeds and Unicode separators,
    which would put every line after one in the wrong place)."""
    return [line.rstrip("\r\n") for line in _LINE.findall(text)]
