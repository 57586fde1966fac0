"""The mailboxes IMAP and POP3 read: messages the SMTP server accepted for an address, the
messages of a seed (``ExchangeSim(seed=...)``, ``lab run --seed``), and whatever a test
put there with ``ExchangeSim.add_mailbox_message``. One INBOX per address, shared by every
session: a message one client flags or deletes is flagged or gone for the others."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from pathlib import Path

# Flags a client may set (RFC 3501 system flags and Exchange's $MDNSent).
FLAGS = (r"\Seen", r"\Answered", r"\Flagged", r"\Deleted", r"\Draft", "$MDNSent")


@dataclass(frozen=True)
class StoredMessage:
    uid: str  # unique and stable for the lab's life, as POP3 UIDL wants
    content: bytes
    number: int = 0  # the IMAP UID: increasing for the lab's life (one UIDVALIDITY)
    received: float = field(default_factory=time.time)  # IMAP INTERNALDATE


class MailboxStore:
    def __init__(self) -> None:
        self._messages: dict[str, list[StoredMessage]] = {}
        self._flags: dict[int, set[str]] = {}  # by IMAP UID
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def add(self, mailbox: str, content: bytes) -> None:
        with self._lock:
            number = next(self._numbers)
            stored = StoredMessage(f"AAMkAGLab{number:08d}", content, number)
            self._messages.setdefault(mailbox.lower(), []).append(stored)
            self._flags[number] = set()
            self._changed.notify_all()

    def seed(self, paths: list[Path]) -> int:
        """Deliver RFC 5322 files (``.eml``, or every ``.eml`` in a folder) to the
        mailboxes their To and Cc headers name, as if the SMTP server had accepted them;
        how many deliveries that made. ValueError for a file that names no recipient."""
        delivered = 0
        for path in paths:
            files = sorted(path.glob("*.eml")) if path.is_dir() else [path]
            for file in files:
                content = file.read_bytes()
                headers = BytesHeaderParser().parsebytes(content)
                fields = [str(v) for name in ("to", "cc") for v in headers.get_all(name, [])]
                recipients = {address.lower() for _, address in getaddresses(fields) if address}
                if not recipients:
                    raise ValueError(f"{file}: no To or Cc address to deliver it to")
                for recipient in sorted(recipients):
                    self.add(recipient, content)
                    delivered += 1
        return delivered

    def messages(self, mailbox: str) -> list[StoredMessage]:
        with self._lock:
            return list(self._messages.get(mailbox.lower(), []))

    def remove(self, mailbox: str, uids: set[str]) -> None:
        """Delete these messages (POP3 DELE, committed at QUIT)."""
        with self._lock:
            box = self._messages.get(mailbox.lower(), [])
            self._forget([m for m in box if m.uid in uids])
            box[:] = [m for m in box if m.uid not in uids]
            self._changed.notify_all()

    def flags(self, number: int) -> frozenset[str]:
        with self._lock:
            return frozenset(self._flags.get(number, ()))

    def change_flags(self, number: int, flags: set[str], how: str) -> frozenset[str]:
        """Set (``""``), add (``"+"``) or remove (``"-"``) flags of the message with this
        IMAP UID; its flags afterwards."""
        with self._lock:
            current = self._flags.setdefault(number, set())
            if how == "+":
                current |= flags
            elif how == "-":
                current -= flags
            else:
                current.clear()
                current |= flags
            return frozenset(current)

    def expunge(self, mailbox: str, numbers: set[int] | None = None) -> None:
        """Remove the messages flagged ``\\Deleted`` (of ``numbers`` only, if given)."""
        with self._lock:
            box = self._messages.get(mailbox.lower(), [])
            kept = [
                m
                for m in box
                if r"\Deleted" not in self._flags.get(m.number, ())
                or (numbers is not None and m.number not in numbers)
            ]
            self._forget([m for m in box if m not in kept])
            box[:] = kept
            self._changed.notify_all()

    def _forget(self, removed: list[StoredMessage]) -> None:
        for message in removed:
            self._flags.pop(message.number, None)

    def wait_for_change(self, mailbox: str, known: list[int], timeout: float) -> bool:
        """Wait until the mailbox's messages differ from ``known`` (their IMAP UIDs), or
        ``timeout`` seconds; whether they do."""

        def differs() -> bool:
            return [m.number for m in self._messages.get(mailbox.lower(), [])] != known

        with self._changed:
            return self._changed.wait_for(differs, timeout)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._flags.clear()
