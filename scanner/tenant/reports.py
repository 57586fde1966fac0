"""Readers of the tenant's own evidence, streamed row by row (memory grows with the
distinct senders, not with the rows):

- the **SMTP AUTH clients report** exported from the Exchange admin center: Sender
  address, Domain, TLS 1.0, TLS 1.1, TLS 1.2, Messages sent and, since October 2024,
  Authentication protocol; also the detailed report of a historical search
  (``Start-HistoricalSearch -ReportType SmtpCSReport``: date, senderName, senderDomain,
  authMethod, message_count, ...);
- the **Entra sign-in logs**, downloaded as CSV (Username, Client app, Status, Date (UTC))
  or JSON (userPrincipalName, clientAppUsed, status.errorCode, createdDateTime: an array,
  one object per line, or a Graph response's ``value``).

Column names match whatever their case, spacing and punctuation. CSV may be UTF-8 (with
or without BOM) or UTF-16 with its BOM, as Excel saves "Unicode Text" (tab-separated);
commas, semicolons and tabs are told apart from the header. A file that cannot be read
raises :class:`ReportError` naming the file, the line and what was expected.
"""

from __future__ import annotations

import codecs
import csv
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .protocols import protocol_of_client_app

_CHUNK = 1 << 20


class ReportError(Exception):
    """An export that cannot be read; the message names the file, line and columns."""


@functools.lru_cache(maxsize=4096)
def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


@dataclass
class Activity:
    """What a report says about one mailbox and protocol."""

    basic: int = 0  # messages (SMTP report) or sign-ins with a password (legacy client)
    oauth: int = 0
    unknown_auth: int = 0  # the report does not say how it signed in
    failed: int = 0  # sign-ins that failed
    protocols: set[str] = field(default_factory=set)


@dataclass
class Evidence:
    """Activity by mailbox (lower-cased address), and the window the reports cover."""

    activity: dict[str, Activity] = field(default_factory=dict)
    first: str | None = None
    last: str | None = None
    files: list[str] = field(default_factory=list)
    rows: int = 0

    def note(self, when: str | None) -> None:
        if not when:
            return
        self.first = when if self.first is None or when < self.first else self.first
        self.last = when if self.last is None or when > self.last else self.last

    def of(self, address: str) -> Activity:
        return self.activity.setdefault(address.strip().lower(), Activity())


# The SMTP AUTH clients report: the overview export and the historical search's CSV.
_SENDER = ("senderaddress", "sender", "sendername", "senderemail", "mailfrom")
_DOMAIN = ("domain", "senderdomain")
_AUTH = ("authenticationprotocol", "authprotocol", "authmethod", "authenticationmethod")
_COUNT = ("messagessent", "messagecount", "messages", "count")
_DATE = ("date", "datetime", "datetimeutc", "dateutc", "timestamp", "received")
SMTP_COLUMNS = (
    "Sender address, Domain, TLS 1.0, TLS 1.1, TLS 1.2, Messages sent, Authentication protocol"
)

# The Entra sign-in logs.
_UPN = ("userprincipalname", "username", "upn", "signinidentifier", "user")
_CLIENT = ("clientapp", "clientappused", "clientapplication")
_STATUS = ("status", "resulttype", "errorcode", "signinerrorcode", "result")
_WHEN = ("createddatetime", "dateutc", "date", "timegenerated", "datetime")
SIGN_IN_COLUMNS = "Username (userPrincipalName), Client app (clientAppUsed), Status, Date (UTC)"


def read_smtp_auth_report(path: Path, evidence: Evidence) -> None:
    """Add the senders of an SMTP AUTH clients report export to ``evidence``."""
    with _open_text(path) as (stream, line_offset):
        rows = _csv_rows(path, stream, line_offset)
        header, _ = next(rows, (None, 0))
        if header is None:
            raise ReportError(f"{path}: empty; expected a header with the columns {SMTP_COLUMNS}")
        columns = {_key(name): index for index, name in enumerate(header)}
        sender = _pick(columns, _SENDER)
        if sender is None:
            found = ", ".join(name.strip() for name in header)
            raise ReportError(
                f"{path}:{line_offset + 1}: no sender column; expected the columns "
                f"{SMTP_COLUMNS} (or a historical search's senderName, senderDomain, "
                f"authMethod, message_count); found: {found}"
            )
        domain, auth, count, date = (
            _pick(columns, names) for names in (_DOMAIN, _AUTH, _COUNT, _DATE)
        )
        evidence.files.append(str(path))
        for row, line in rows:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ReportError(
                    f"{path}:{line}: {len(row)} fields where the header has {len(header)}"
                )
            address = row[sender].strip()
            if "@" not in address and domain is not None and row[domain].strip():
                address = f"{address}@{row[domain].strip()}"
            if not address:
                continue
            messages = _number(path, line, header[count], row[count]) if count is not None else 1
            activity = evidence.of(address)
            activity.protocols.add("smtp")
            kind = _auth_kind(row[auth]) if auth is not None else "unknown"
            if kind == "basic":
                activity.basic += messages
            elif kind == "oauth":
                activity.oauth += messages
            else:
                activity.unknown_auth += messages
            evidence.rows += 1
            if date is not None:
                evidence.note(row[date].strip())


def read_sign_ins(path: Path, evidence: Evidence) -> None:
    """Add the mail protocol sign-ins of an Entra sign-in log export (CSV or JSON)."""
    with _open_text(path) as (stream, line_offset):
        first = _peek(stream)
        if first in ("[", "{"):
            records = _json_records(path, stream, line_offset)
        else:
            records = _csv_records(path, stream, line_offset)
        evidence.files.append(str(path))
        for record, line in records:
            _add_sign_in(path, line, record, evidence)


def _add_sign_in(path: Path, line: int, record: dict, evidence: Evidence) -> None:
    keyed = {_key(name): value for name, value in record.items()}
    upn = _field(keyed, _UPN)
    client = _field(keyed, _CLIENT)
    if upn is None or client is None:
        found = ", ".join(record) or "nothing"
        raise ReportError(
            f"{path}:{line}: a sign-in without a user or client app; expected "
            f"{SIGN_IN_COLUMNS}; found: {found}"
        )
    protocol = protocol_of_client_app(str(client))
    if protocol is None or not str(upn).strip():
        return  # a browser, a modern client, ActiveSync...: not what the code does
    activity = evidence.of(str(upn))
    activity.protocols.add(protocol)
    if _succeeded(_field(keyed, _STATUS)):
        activity.basic += 1  # a legacy client app: a password sign-in
    else:
        activity.failed += 1
    evidence.rows += 1
    when = _field(keyed, _WHEN)
    evidence.note(str(when).strip() if when is not None else None)


def _field(keyed: dict, names: tuple[str, ...]) -> object | None:
    """The first of ``names`` with a value in a record keyed by :func:`_key`."""
    for name in names:
        if name in keyed and keyed[name] not in (None, ""):
            return keyed[name]
    return None


def _succeeded(status: object | None) -> bool:
    if isinstance(status, dict):
        status = status.get("errorCode", status.get("ErrorCode"))
    if status is None:
        return True
    text = str(status).strip().casefold()
    return text in ("0", "success", "succeeded", "true")


def _auth_kind(value: str) -> str:
    text = value.casefold()
    if "basic" in text:
        return "basic"
    if "oauth" in text or "modern" in text:
        return "oauth"
    return "unknown"


def _number(path: Path, line: int, column: str, text: str) -> int:
    cleaned = text.strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    try:
        return int(float(cleaned)) if cleaned else 0
    except ValueError:
        raise ReportError(f"{path}:{line}: {column.strip()} is {text!r}, not a number") from None


def _pick(columns: dict[str, int], names: tuple[str, ...]) -> int | None:
    return next((columns[name] for name in names if name in columns), None)


class _open_text:
    """The file as text, its encoding told by its BOM (UTF-8, UTF-16) or, without one, by
    NUL bytes (UTF-16 without BOM) else UTF-8; yields the stream and the lines skipped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream: IO[str] | None = None

    def __enter__(self) -> tuple[IO[str], int]:
        try:
            with self.path.open("rb") as raw:
                head = raw.read(4)
        except OSError as error:
            raise ReportError(f"{self.path}: cannot read: {error.strerror}") from None
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        elif len(head) >= 2 and head[1] == 0 and head[0] != 0:
            encoding = "utf-16-le"
        elif len(head) >= 2 and head[0] == 0 and head[1] != 0:
            encoding = "utf-16-be"
        else:
            encoding = "utf-8"
        self.stream = self.path.open(encoding=encoding, newline="", errors="strict")
        return self.stream, 0

    def __exit__(self, kind, error, traceback) -> None:
        if self.stream is not None:
            self.stream.close()
        if isinstance(error, UnicodeDecodeError):
            raise ReportError(
                f"{self.path}: not text in UTF-8 or UTF-16 ({error.reason} at byte "
                f"{error.start} of a block); save the export as CSV UTF-8 or Unicode Text"
            ) from None


def _peek(stream: IO[str]) -> str:
    """The first character that is not white space, leaving the stream where it was."""
    position = stream.tell()
    while True:
        char = stream.read(1)
        if not char or not char.isspace():
            stream.seek(position)
            return char


def _csv_rows(path: Path, stream: IO[str], line_offset: int) -> Iterator[tuple[list[str], int]]:
    """Rows and the line each ends on; the first row is the header (blank lines before it
    are skipped), whose commas, semicolons or tabs decide the delimiter."""
    header_line = ""
    while not header_line.strip():
        header_line = stream.readline()
        line_offset += 1
        if not header_line:
            return
    delimiter = max(("\t", ",", ";"), key=header_line.count)
    try:
        yield next(csv.reader([header_line], delimiter=delimiter)), line_offset
        reader = csv.reader(stream, delimiter=delimiter)
        for row in reader:
            yield row, line_offset + reader.line_num
    except csv.Error as error:
        raise ReportError(f"{path}:{line_offset + 1}: not CSV ({error})") from None


def _csv_records(path: Path, stream: IO[str], line_offset: int) -> Iterator[tuple[dict, int]]:
    rows = _csv_rows(path, stream, line_offset)
    header, _ = next(rows, (None, 0))
    if header is None:
        raise ReportError(f"{path}: empty; expected a header with the columns {SIGN_IN_COLUMNS}")
    names = [name.strip() for name in header]
    keys = {_key(name) for name in names}
    if not keys & set(_UPN) or not keys & set(_CLIENT):
        raise ReportError(
            f"{path}:1: not a sign-in log export; expected the columns {SIGN_IN_COLUMNS}; "
            f"found: {', '.join(names)}"
        )
    for row, line in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            raise ReportError(f"{path}:{line}: {len(row)} fields where the header has {len(names)}")
        yield dict(zip(names, row, strict=True)), line


def _json_records(path: Path, stream: IO[str], line_offset: int) -> Iterator[tuple[dict, int]]:
    """Objects of a JSON array (also a Graph page's ``value``) or of JSON lines, decoded
    one at a time from a sliding buffer."""
    decoder = json.JSONDecoder()
    buffer, position, line = "", 0, line_offset + 1
    eof = False

    def more() -> bool:
        nonlocal buffer, position, eof
        chunk = stream.read(_CHUNK)
        buffer, position = buffer[position:] + chunk, 0
        eof = not chunk
        return bool(chunk)

    def skip(chars: str) -> str:
        nonlocal position, line
        while True:
            while position < len(buffer) and (
                buffer[position].isspace() or buffer[position] in chars
            ):
                line += buffer[position] == "\n"
                position += 1
            if position < len(buffer) or not more():
                return buffer[position] if position < len(buffer) else ""

    def value() -> object:
        nonlocal position, line
        while True:
            try:
                item, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError as error:
                if eof:
                    at = line - buffer.count("\n", 0, position) + error.lineno - 1
                    raise ReportError(
                        f"{path}:{at}: not JSON ({error.msg}); expected "
                        f"sign-in records with {SIGN_IN_COLUMNS}"
                    ) from None
                more()
                continue
            line += buffer.count("\n", position, end)
            position = end
            return item

    more()
    first = skip("")
    if first == "{":
        start = line
        top = value()
        records = top.get("value") if isinstance(top, dict) and "value" in top else None
        if isinstance(records, list):
            for record in records:
                yield _record(path, start, record), start
            return
        yield _record(path, start, top), start
        while skip("") == "{":
            start = line
            yield _record(path, start, value()), start
        if skip(""):
            raise ReportError(f"{path}:{line}: not JSON lines of sign-in records")
        return
    position += 1  # the array's "["
    while True:
        char = skip(",")
        if char == "]":
            return
        if not char:
            raise ReportError(f"{path}:{line}: the JSON array is not closed")
        start = line
        yield _record(path, start, value()), start


def _record(path: Path, line: int, record: object) -> dict:
    if not isinstance(record, dict):
        raise ReportError(
            f"{path}:{line}: a sign-in record is {type(record).__name__}, not an object with "
            f"{SIGN_IN_COLUMNS}"
        )
    return record


def is_sign_in_log(path: Path) -> bool:
    """Whether an export is a sign-in log (a header or keys with a client app), not an SMTP
    AUTH clients report; for ``sweep --tenant-report``, which takes either."""
    with _open_text(path) as (stream, _):
        head = stream.read(64 * 1024)
    keys = {_key(word) for word in re.split(r"[,;\t\"{}:\[\]\r\n]+", head) if word.strip()}
    return bool(keys & set(_CLIENT))
