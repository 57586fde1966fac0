"""The mailboxes IMAP and POP3 read: messages the SMTP server accepted for an address, and
whatever a test put there with ``ExchangeSim.add_mailbox_message``."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredMessage:
    uid: str  # unique and stable for the lab's life, as POP3 UIDL wants
    content: bytes


class MailboxStore:
    def __init__(self) -> None:
        self._messages: dict[str, list[StoredMessage]] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, mailbox: str, content: bytes) -> None:
        with self._lock:
            stored = StoredMessage(f"AAMkAGLab{next(self._numbers):08d}", content)
            self._messages.setdefault(mailbox.lower(), []).append(stored)

    def messages(self, mailbox: str) -> list[StoredMessage]:
        with self._lock:
            return list(self._messages.get(mailbox.lower(), []))

    def remove(self, mailbox: str, uids: set[str]) -> None:
        """Delete these messages (POP3 DELE, committed at QUIT)."""
        with self._lock:
            box = self._messages.get(mailbox.lower(), [])
            box[:] = [m for m in box if m.uid not in uids]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
