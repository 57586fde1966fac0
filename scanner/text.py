"""Decoding source files to text and back, exactly.

Offsets in the mail model are indices into the text this module decodes; fixes
edit that text and encode it back with the same codec, so a BOM, a PEP 263
coding cookie and the file's newlines survive unchanged.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceCodec:
    encoding: str  # "utf-8-sig" keeps a BOM
    newline: str  # the file's first line ending, used for inserted lines

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


def first_newline(text: str) -> str:
    index = text.find("\n")
    if index > 0 and text[index - 1] == "\r":
        return "\r\n"
    if index < 0 and "\r" in text:
        return "\r"
    return "\n"


def decode(kind: str, data: bytes) -> tuple[SourceCodec, str]:
    """The file's text and how to encode it back; ValueError when it cannot be decoded."""
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
