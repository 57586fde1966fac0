"""Faults that bite after a migration, injected on purpose so a program can prove it copes.

* **token lifetime**: tokens expire after this long (Entra ID: about an hour). A service that
  fetched one token at start-up and keeps the string gets ``535 5.7.3`` once it expires; one
  that asks MSAL before each connection gets a fresh token.
* **throttle N**: the first N SMTP sessions that try to authenticate are answered
  ``421 4.7.0 Temporary server error. Please try again later. PRX4`` and closed, as Exchange
  Online's front ends answer when they are busy. A sender that retries later delivers.
* **drop N**: the first N SMTP sessions that reach ``MAIL FROM`` are cut without a reply, as a
  connection lost in the middle of a session (smtplib: ``SMTPServerDisconnected``).
* **probe certificate**: the mail servers present a certificate from a CA the program was never
  given, to find out whether it checks certificates (see ``certs.py``).

Always on, because Exchange Online does it too: at most three SMTP sessions of one mailbox
may submit at once; a fourth gets ``432 4.3.2 Concurrent connections limit exceeded`` after
its message data.
"""

from __future__ import annotations

import re
import threading

DEFAULT_TOKEN_LIFETIME = 3599  # what Entra ID's token endpoint answers in expires_in
SUBMISSION_CONCURRENCY_LIMIT = 3  # Microsoft: "up to three concurrent connections"

_DURATION_RE = re.compile(r"\s*(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?\s*\Z")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> int:
    """Whole seconds from ``"30s"``, ``"5m"``, ``"1h"`` or ``"90"``; ValueError otherwise."""
    match = _DURATION_RE.match(text.lower())
    if match is None:
        raise ValueError(f"{text!r} is not a duration such as 30s, 5m or 1h")
    seconds = int(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s")[0]]
    if seconds < 1:
        raise ValueError(f"{text!r}: a token must live at least one second")
    return seconds


class Countdown:
    """A thread-safe budget: ``take()`` is True for the first ``n`` calls."""

    def __init__(self, n: int) -> None:
        self._left = n
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True


class SubmissionSlots:
    """Counts the authenticated SMTP sessions of each mailbox that are open right now."""

    def __init__(self, limit: int = SUBMISSION_CONCURRENCY_LIMIT) -> None:
        self.limit = limit
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, mailbox: str) -> None:
        with self._lock:
            self._open[mailbox.lower()] = self._open.get(mailbox.lower(), 0) + 1

    def leave(self, mailbox: str) -> None:
        with self._lock:
            self._open[mailbox.lower()] = max(0, self._open.get(mailbox.lower(), 0) - 1)

    def over_limit(self, mailbox: str) -> bool:
        with self._lock:
            return self._open.get(mailbox.lower(), 0) > self.limit
