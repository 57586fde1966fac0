"""SEARCH (RFC 3501 section 6.4.4): search keys read into one test of a message. Strings
match as case-insensitive substrings, as Exchange matches them; dates are compared by day
(``INTERNALDATE`` for BEFORE/ON/SINCE, the ``Date`` field for the SENT* keys)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime

from .imap_message import MONTHS, MessageView
from .imap_syntax import CommandSyntaxError, SequenceSet, Token, is_sequence_set, text

Test = Callable[[MessageView], bool]

# Keys that test a flag: the flag, and whether it must be set.
FLAG_KEYS = {
    "ANSWERED": (r"\Answered", True),
    "DELETED": (r"\Deleted", True),
    "DRAFT": (r"\Draft", True),
    "FLAGGED": (r"\Flagged", True),
    "SEEN": (r"\Seen", True),
    "UNANSWERED": (r"\Answered", False),
    "UNDELETED": (r"\Deleted", False),
    "UNDRAFT": (r"\Draft", False),
    "UNFLAGGED": (r"\Flagged", False),
    "UNSEEN": (r"\Seen", False),
}
HEADER_KEYS = ("BCC", "CC", "FROM", "SUBJECT", "TO")


def search_test(keys: list[Token], largest_sequence: int, largest_uid: int) -> Test:
    """One test for a list of search keys (all must hold)."""
    reader = _Reader(list(keys), largest_sequence, largest_uid)
    tests = []
    while reader.keys:
        tests.append(reader.key())
    return lambda message: all(test(message) for test in tests)


class _Reader:
    def __init__(self, keys: list[Token], largest_sequence: int, largest_uid: int) -> None:
        self.keys = keys
        self.largest_sequence = largest_sequence
        self.largest_uid = largest_uid

    def take(self) -> Token:
        if not self.keys:
            raise CommandSyntaxError("a search key is missing its argument")
        return self.keys.pop(0)

    def key(self) -> Test:
        token = self.take()
        if isinstance(token, list):
            inner = _Reader(token, self.largest_sequence, self.largest_uid)
            tests = []
            while inner.keys:
                tests.append(inner.key())
            return lambda m: all(t(m) for t in tests)
        if is_sequence_set(token):
            numbers = SequenceSet(text(token), self.largest_sequence)
            return lambda m: m.sequence in numbers
        name = text(token).upper()
        if name == "ALL" or name == "OLD":
            return lambda m: True
        if name in ("NEW", "RECENT"):  # the lab marks no message \Recent
            return lambda m: False
        if name in FLAG_KEYS:
            flag, wanted = FLAG_KEYS[name]
            return lambda m: (flag in m.flags) == wanted
        if name in ("KEYWORD", "UNKEYWORD"):
            keyword, wanted = text(self.take()), name == "KEYWORD"
            return lambda m: (keyword in m.flags) == wanted
        if name == "NOT":
            negated = self.key()
            return lambda m: not negated(m)
        if name == "OR":
            first, second = self.key(), self.key()
            return lambda m: first(m) or second(m)
        if name in HEADER_KEYS:
            return _contains(lambda m, field=name: m.field(field) or "", text(self.take()))
        if name == "HEADER":
            field, wanted = text(self.take()), text(self.take())
            return _contains(lambda m: m.field(field) or "", wanted, present=field)
        if name == "BODY":
            return _contains(lambda m: _decoded(m.body), text(self.take()))
        if name == "TEXT":
            return _contains(lambda m: _decoded(m.raw), text(self.take()))
        if name in ("LARGER", "SMALLER"):
            size = int(text(self.take()))
            return (
                (lambda m: len(m.raw) > size) if name == "LARGER" else (lambda m: len(m.raw) < size)
            )
        if name == "UID":
            uids = SequenceSet(text(self.take()), self.largest_uid)
            return lambda m: m.uid in uids
        if name in ("BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE"):
            return _date_test(name, _day(text(self.take())))
        raise CommandSyntaxError(f"search key {name} is not served by the lab")


def _contains(value: Callable[[MessageView], str], wanted: str, present: str = "") -> Test:
    needle = wanted.lower()

    def test(message: MessageView) -> bool:
        if present and message.field(present) is None:
            return False
        return needle in value(message).lower()

    return test


def _decoded(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _day(value: str) -> date:
    """An IMAP date, ``1-Feb-2026``."""
    try:
        day, month, year = value.split("-")
        return date(int(year), MONTHS.index(month.capitalize()) + 1, int(day))
    except ValueError:
        raise CommandSyntaxError(f"bad date {value!r}; dates are written 1-Feb-2026") from None


def _date_test(name: str, day: date) -> Test:
    def of(message: MessageView) -> date | None:
        if not name.startswith("SENT"):
            return datetime.fromtimestamp(message.received, timezone.utc).date()
        written = message.field("Date")
        try:
            return parsedate_to_datetime(written).date() if written else None
        except (TypeError, ValueError):
            return None

    compare = name.removeprefix("SENT")

    def test(message: MessageView) -> bool:
        when = of(message)
        if when is None:
            return False
        return {"BEFORE": when < day, "ON": when == day, "SINCE": when >= day}[compare]

    return test
