"""The byte-level pre-check: most files of a big tree cannot matter and are never parsed.

One compiled pattern over the lower-cased raw bytes (no decoding) looks for a mail
library, a Microsoft mail host, or a mail settings name. A file without any is
skipped. Markers that contain a shorter marker are dropped: ``smtp`` already finds
``smtp.office365.com``, and a short alternation is what keeps this fast.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .providers import microsoft_host_names

# Names that mean mail code or mail settings in any front end. Library adapters and
# config readers add their own through ``extra``.
_BASE_MARKERS = (
    "smtp",
    "imap",
    "poplib",
    "email_host",
    "mail_server",
    "mail_password",
    # Settings that matter without a host (AS201: implicit TLS on 587, AS205).
    "mail_port",
    "mail_use_",
    "mail_host",
    "mail_username",
    "xoauth2",
    "office365",
    "outlook",
)


@lru_cache(maxsize=1)
def _adapter_markers() -> tuple[str, ...]:
    """The markers the Python front end's library adapters declare (``exchangelib``, ...).
    Importing the adapters does not import LibCST."""
    from .python.adapters import ADAPTERS

    return tuple(marker.decode() for adapter in ADAPTERS for marker in adapter.markers)


@lru_cache(maxsize=8)
def _pattern(extra: tuple[str, ...]) -> re.Pattern[bytes]:
    markers = (*_BASE_MARKERS, *_adapter_markers(), *microsoft_host_names(), *extra)
    words = {w.lower() for w in markers}
    minimal = sorted(w for w in words if not any(o != w and o in w for o in words))
    return re.compile(b"|".join(re.escape(w.encode()) for w in minimal))


def may_matter(data: bytes, extra: tuple[str, ...] = ()) -> bool:
    return _pattern(extra).search(data.lower()) is not None
