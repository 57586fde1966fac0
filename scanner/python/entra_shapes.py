"""The shapes of the client secrets Microsoft Entra ID issues for an app registration.

Since 2021: three characters, a digit, ``Q~``, then 31 to 34 characters of
``[A-Za-z0-9_~.-]``. Before that: 32 to 44 random-looking characters (the portal's, with
``[]:@.-_?=*~``, or the classic portal's base64). The newer shape names itself; the older
ones are told from other text only by where the code puts them (:mod:`.entra_secrets`).
A GUID is an app's or a tenant's id, except in the slot of the app's secret.
"""

from __future__ import annotations

import re

from ..lazy_regex import lazy_pattern
from ..secrets import is_placeholder

# The newer shape, quoted (group 2 is the secret).
SHAPE = lazy_pattern(r"(['\"])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})\1")
_OLDER = lazy_pattern(r"^[A-Za-z0-9+/=\[\]:@._?*~-]{32,44}$")
_GUID = lazy_pattern(r"^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$", re.IGNORECASE)
# Another identity provider's client secrets, of a shape the older one's would take.
_OTHER_PREFIXES = ("GOCSPX-",)


def older_secret(text: str) -> bool:
    """Whether a value written for an app's secret can be one Entra issued before the
    ``Q~`` shape: random-looking (upper and lower case letters and digits), not an id
    (a GUID), not another provider's, not the newer shape, not a placeholder."""
    return (
        any(c.isupper() for c in text)
        and any(c.islower() for c in text)
        and any(c.isdigit() for c in text)
        and not _GUID.match(text)
        and not text.startswith(_OTHER_PREFIXES)
        and not SHAPE.fullmatch(f'"{text}"')
        and not is_placeholder(text)
    )


def entra_secret(text: str) -> bool:
    """Whether a value an app's client secret is given can be one Entra issued: of the
    newer shape, or of an older one (length and characters included)."""
    if SHAPE.fullmatch(f'"{text}"'):
        return not is_placeholder(text)
    return bool(_OLDER.match(text)) and older_secret(text)


def handed_secret(text: str) -> bool:
    """Whether a value a token library is handed as the app's secret can be one: Entra's
    shapes, or a GUID. Older tooling made a password credential of any value its maker
    gave, a GUID the usual generated one (``[guid]::NewGuid()``); and the secret's id
    pasted in its place is committed as the secret all the same. Elsewhere a GUID is an
    id (of the app, the tenant) and not taken for a secret; a placeholder never is."""
    return entra_secret(text) or (bool(_GUID.match(text)) and not is_placeholder(text))
