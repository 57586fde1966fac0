"""The byte-level pre-check: most files of a big tree cannot matter and are never parsed.

One compiled pattern over the raw bytes (no decoding) looks for a mail library,
a Microsoft mail host, or a mail settings name. A file without any is skipped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .providers import microsoft_host_names

# Names that mean mail code or mail settings in any front end. Library adapters and
# config readers add their own through ``extra``.
_BASE_MARKERS = (
    "smtplib",
    "imaplib",
    "poplib",
    "smtp",
    "imap",
    "email_host",
    "mail_server",
    "mail_password",
    "xoauth2",
)


@lru_cache(maxsize=8)
def _pattern(extra: tuple[str, ...]) -> re.Pattern[bytes]:
    words = sorted({*_BASE_MARKERS, *microsoft_host_names(), *extra}, key=len, reverse=True)
    return re.compile(b"|".join(re.escape(w.encode()) for w in words), re.IGNORECASE)


def may_matter(data: bytes, extra: tuple[str, ...] = ()) -> bool:
    return _pattern(extra).search(data) is not None
