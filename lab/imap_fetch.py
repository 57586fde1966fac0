"""FETCH (RFC 3501 section 6.4.5): which data items a client asked for, and each one for a
message as Exchange Online writes it. ``BODY[...]``, ``RFC822`` and ``RFC822.TEXT`` set
``\\Seen`` (the session does it); ``BODY.PEEK[...]`` does not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import getaddresses

from .imap_message import MessageView
from .imap_syntax import CommandSyntaxError, Token, nstring, tokenize

MACROS = {
    "ALL": ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
    "FAST": ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
}
SIMPLE = ("UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE")
WHOLE = ("RFC822", "RFC822.HEADER", "RFC822.TEXT")
_BODY = re.compile(r"BODY(\.PEEK)?\[([^\]]*)\](?:<(\d+)(?:\.(\d+))?>)?", re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    name: str  # as the response names it: "FLAGS", "BODY[HEADER]", "BODY[]<0>"
    section: str | None = None  # BODY[...]: "", "HEADER", "TEXT", "HEADER.FIELDS (A B)"
    peek: bool = False
    start: int | None = None  # <start.count>
    count: int | None = None

    @property
    def sets_seen(self) -> bool:
        return self.name in ("RFC822", "RFC822.TEXT") or (
            self.section is not None and not self.peek
        )


def parse_items(arguments: list[Token]) -> list[Item]:
    """The data items of a FETCH (a macro, one item, or a list of them)."""
    if len(arguments) != 1:
        raise CommandSyntaxError("FETCH takes one item or one list of items")
    asked = arguments[0] if isinstance(arguments[0], list) else [arguments[0]]
    names: list[str] = []
    for token in asked:
        if not isinstance(token, str):
            raise CommandSyntaxError("a FETCH item is an atom")
        names += MACROS.get(token.upper(), [token])
    return [_item(name) for name in names]


def _item(name: str) -> Item:
    upper = name.upper()
    if upper in SIMPLE or upper in WHOLE:
        return Item(upper)
    body = _BODY.fullmatch(name)
    if body is None:
        raise CommandSyntaxError(f"FETCH item {name} is not served by the lab")
    section = body.group(2).upper()
    if not re.fullmatch(r"|HEADER|TEXT|HEADER\.FIELDS(\.NOT)? \(.*\)", section):
        raise CommandSyntaxError(f"BODY section {section} is not served by the lab")
    start = int(body.group(3)) if body.group(3) is not None else None
    count = int(body.group(4)) if body.group(4) is not None else None
    shown = f"BODY[{section}]" + (f"<{start}>" if start is not None else "")
    return Item(shown, section, bool(body.group(1)), start, count)


def render(item: Item, message: MessageView) -> bytes:
    """``NAME value`` for one item of one message."""
    name = item.name.encode()
    if item.name == "UID":
        return b"UID %d" % message.uid
    if item.name == "FLAGS":
        return b"FLAGS (" + " ".join(sorted(message.flags)).encode() + b")"
    if item.name == "INTERNALDATE":
        return b'INTERNALDATE "' + message.internal_date.encode() + b'"'
    if item.name == "RFC822.SIZE":
        return b"RFC822.SIZE %d" % len(message.raw)
    if item.name == "ENVELOPE":
        return b"ENVELOPE " + envelope(message)
    if item.name == "RFC822":
        return name + b" " + nstring_literal(message.raw)
    if item.name == "RFC822.HEADER":
        return name + b" " + nstring_literal(message.headers_only)
    if item.name == "RFC822.TEXT":
        return name + b" " + nstring_literal(message.body)
    data = _section(item.section or "", message)
    if item.start is not None:
        data = data[item.start :]
        if item.count is not None:
            data = data[: item.count]
    return name + b" " + nstring_literal(data)


def _section(section: str, message: MessageView) -> bytes:
    if section == "":
        return message.raw
    if section == "HEADER":
        return message.headers_only
    if section == "TEXT":
        return message.body
    keep = not section.startswith("HEADER.FIELDS.NOT")
    names = [n if isinstance(n, str) else n.decode() for n in tokenize(section.encode())[1]]
    return message.fields(names, keep=keep)


def nstring_literal(data: bytes) -> bytes:
    """Message data as a literal, as Exchange sends it."""
    return b"{%d}\r\n" % len(data) + data


def envelope(message: MessageView) -> bytes:
    """ENVELOPE: date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to,
    message-id; sender and reply-to default to from (RFC 3501)."""
    sender = message.field("From")
    parts = [
        nstring(message.field("Date")),
        nstring(message.field("Subject")),
        _addresses(sender),
        _addresses(message.field("Sender") or sender),
        _addresses(message.field("Reply-To") or sender),
        _addresses(message.field("To")),
        _addresses(message.field("Cc")),
        _addresses(message.field("Bcc")),
        nstring(message.field("In-Reply-To")),
        nstring(message.field("Message-ID")),
    ]
    return b"(" + b" ".join(parts) + b")"


def _addresses(value: str | None) -> bytes:
    if not value:
        return b"NIL"
    entries = []
    for name, address in getaddresses([value]):
        mailbox, _, host = address.partition("@")
        fields = (name or None, None, mailbox or None, host or None)
        entries.append(b"(" + b" ".join(nstring(f) for f in fields) + b")")
    return b"(" + b"".join(entries) + b")" if entries else b"NIL"
