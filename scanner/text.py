"""Decoding source files to text and back, exactly.

Offsets in the mail model are indices into the text this module decodes; fixes
edit that text and encode it back with the same codec, so a BOM, a PEP 263
coding cookie and the file's newlines survive unchanged.
"""

from __future__ import annotations

import bisect
import codecs
import io
from functools import cached_property
from itertools import accumulate, count
from operator import add

from .lazy_regex import lazy_pattern
from .model import Span
from .precheck import utf8_by_default
from .records import plain

# Byte order marks of the wide encodings, longest first (UTF-32 LE starts like UTF-16 LE).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@plain
class SourceCodec:
    """How a file's text is encoded back to bytes: its encoding, line ending and byte order
    mark."""

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
        encoding = _declared_encoding(data)
    else:
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise ValueError(f"cannot decode as {encoding}: {error}") from None
    return SourceCodec(encoding, first_newline(text)), text


def _declared_encoding(data: bytes) -> str:
    """A Python module's encoding, as ``tokenize.detect_encoding`` finds it (PEP 263);
    ValueError when it cannot say. A module whose first two lines do not say ``coding``
    and that starts with no UTF-8 byte order mark is UTF-8 without asking it, when those
    lines are UTF-8 (most modules: its answer took about 15,000 instructions a module,
    and importing ``tokenize`` about 3.7 M once). It answers the same: with no cookie it
    reads the first line, and the second only after a blank or comment line, and says
    UTF-8 unless a line it read does not decode as UTF-8 (an error, left to it)."""
    if utf8_by_default(data):
        return "utf-8"
    # start-up: `tokenize` only for a module that may declare an encoding or holds other
    # than ASCII
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise ValueError(f"cannot decode: {error}") from None
    return encoding


# Where Python's tokenizer, ``ast`` and LibCST end a line: ``\r\n``, a lone ``\r`` or ``\n``
# (``str.splitlines`` also breaks at form feeds and Unicode separators, which would put
# every line after one in the wrong place).
_LINE_END = lazy_pattern(r"\r\n|\r|\n")
_LINE = lazy_pattern(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _line_starts(text: str) -> list[int]:
    """Where each line starts. Without a ``\r``, from the lengths of the ``\n``-split
    lines, with no Python step a line: the expression took about 4,000 instructions a
    line (14 M for Airflow's 3,400-line config template; bench/RESULTS.md, speed10b)."""
    if "\r" in text:
        return [0] + [m.end() for m in _LINE_END.finditer(text)]
    # Line i + 1 starts past the i + 1 line breaks and the lengths of lines 0..i.
    return [0, *map(add, accumulate(map(len, text.split("\n")[:-1])), count(1))]


class LineIndex:
    """Where each line of a text starts, and positions in it: 1-based lines, columns in
    characters or (as ``ast``, ``tokenize`` and LibCST give them) in UTF-8 bytes. The one
    line table of a text; every stage that turns positions into offsets uses it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = _line_starts(text)
        self._ascii = text.isascii()
        self._encoded: dict[int, bytes | None] = {}  # None: the line is ASCII

    def __len__(self) -> int:
        """The number of lines (a text that ends with a line break has an empty last one)."""
        return len(self.starts)

    @property
    def count(self) -> int:
        """The number of lines that hold text or end with a break (:meth:`lines`)."""
        ends_open = self.text and self.text[-1] not in "\r\n"
        return len(self.starts) if ends_open else len(self.starts) - 1

    def line_start(self, line: int) -> int:
        """The offset where a 1-based line starts (past the last line: the end)."""
        return self.starts[line - 1] if 0 < line <= len(self.starts) else len(self.text)

    def line_end(self, line: int) -> int:
        """The offset where a 1-based line's text ends, before its line break."""
        end = self.line_start(line + 1)
        if end > self.line_start(line) and self.text[end - 1] == "\n":
            end -= 1
        if end > self.line_start(line) and self.text[end - 1] == "\r":
            end -= 1
        return end

    def line_of(self, offset: int) -> int:
        """The 1-based line an offset is on."""
        return bisect.bisect_right(self.starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and 1-based character column of an offset."""
        line = self.line_of(offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        """The model's span of two offsets."""
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column, start, end)

    def line(self, line: int) -> str:
        """A 1-based line's text, without its line break."""
        return self.text[self.line_start(line) : self.line_end(line)]

    def lines(self) -> list[str]:
        """Every line's text, without line breaks (no empty line after a last break)."""
        return [line.rstrip("\r\n") for line in _LINE.findall(self.text)]

    def offset(self, line: int, byte_column: int) -> int:
        """The character offset of a 1-based line and a UTF-8 byte column on it."""
        start = self.line_start(line)
        if self._ascii:
            return start + byte_column
        if line in self._encoded:
            encoded = self._encoded[line]
        else:
            text = self.text[start : self.line_start(line + 1)]
            encoded = None if text.isascii() else text.encode("utf-8", "surrogatepass")
            self._encoded[line] = encoded
        if encoded is None:
            return start + byte_column
        return start + len(encoded[:byte_column].decode("utf-8", "ignore"))


class Source:
    """One file's bytes as the stages of a check and a fix read them, decoded once, on
    first use: the front end, suppression, the encode-back check, the code frames and the
    fixer's rounds share its codec, text and line index instead of decoding the bytes
    each."""

    def __init__(self, kind: str, data: bytes) -> None:
        self.kind = kind
        self.data = data

    @classmethod
    def of_text(cls, kind: str, codec: SourceCodec, text: str) -> Source:
        """The source of a text already decoded (a fix round's result): its bytes are the
        text encoded, and nothing decodes them again."""
        source = cls(kind, codec.encode(text))
        source.__dict__["_decoded"] = (codec, text)
        return source

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

    @cached_property
    def readable(self) -> str:
        """The text, or for bytes that do not decode, the bytes read as UTF-8 with
        replacement characters (what a report can still show and point into)."""
        try:
            return self.text
        except ValueError:
            return self.data.decode("utf-8", errors="replace")

    @cached_property
    def lines(self) -> LineIndex:
        """The line index of :attr:`readable`."""
        return LineIndex(self.readable)

    def utf8(self) -> Source:
        """This source with UTF-8 bytes, for the byte-level checks and the front ends: a
        UTF-16/32 file's text encoded as UTF-8 (from the one decoding; bytes that do not
        decode, with replacement characters); other sources as they are."""
        if wide_encoding(self.data) is None:
            return self
        try:
            codec, text = self.codec, self.text
        except ValueError:
            return Source(self.kind, as_utf8(self.data))
        return Source.of_text(self.kind, SourceCodec("utf-8", codec.newline), text)


def lines_with_ends(text: str) -> list[str]:
    """The lines of source as Python counts them, each with its line end."""
    return _LINE.findall(text)


def source_lines(text: str) -> list[str]:
    """The lines of source as Python counts them, without their line ends."""
    return [line.rstrip("\r\n") for line in _LINE.findall(text)]
