"""One message as an IMAP session sees it: its number in the session, UID, flags, the bytes
served (lines end in CRLF on the wire) and its header fields, parsed once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.parser import BytesHeaderParser
from email.policy import compat32
from functools import cached_property

_BARE_LF = re.compile(rb"(?<!\r)\n")
# IMAP's dates name months in English, whatever the locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class MessageView:
    sequence: int
    uid: int
    flags: frozenset[str]
    raw: bytes
    received: float
    headers_only: bytes = field(init=False)
    body: bytes = field(init=False)

    def __post_init__(self) -> None:
        self.raw = _BARE_LF.sub(b"\r\n", self.raw)
        head, separator, body = self.raw.partition(b"\r\n\r\n")
        if separator:
            self.headers_only, self.body = head + b"\r\n\r\n", body
        else:
            self.headers_only, self.body = self.raw, b""

    @cached_property
    def header(self):  # an email.message.Message holding the header fields, as written
        return BytesHeaderParser(policy=compat32).parsebytes(self.headers_only)

    def field(self, name: str) -> str | None:
        """A header field's value, unfolded, as written (encoded words stay encoded)."""
        value = self.header.get(name)
        return None if value is None else re.sub(r"\r?\n[ \t]", " ", str(value))

    def fields(self, names: list[str], *, keep: bool) -> bytes:
        """``HEADER.FIELDS`` (``keep``) or ``HEADER.FIELDS.NOT``: the named fields as
        written, then the blank line."""
        wanted = {n.lower() for n in names}
        lines: list[bytes] = []
        current: list[bytes] = []
        for line in self.headers_only.split(b"\r\n"):
            if line[:1] in (b" ", b"\t") and current:
                current.append(line)
                continue
            lines += self._field_lines(current, wanted, keep)
            current = [line] if line else []
        lines += self._field_lines(current, wanted, keep)
        return b"".join(line + b"\r\n" for line in lines) + b"\r\n"

    @staticmethod
    def _field_lines(current: list[bytes], wanted: set[str], keep: bool) -> list[bytes]:
        if not current:
            return []
        name = current[0].split(b":", 1)[0].decode("ascii", "replace").strip().lower()
        return current if (name in wanted) == keep else []

    @property
    def internal_date(self) -> str:
        """INTERNALDATE: ``"06-Dec-2026 08:30:00 +0000"``."""
        when = datetime.fromtimestamp(self.received, timezone.utc)
        return f"{when.day:02d}-{MONTHS[when.month - 1]}-{when:%Y %H:%M:%S} +0000"
