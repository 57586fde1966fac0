"""SHA-256 and BLAKE2b digests without loading OpenSSL.

``import hashlib`` loads OpenSSL's ``_hashlib`` (about 9 M instructions, every run with a
finding or the result cache), though the digests a check makes are tiny: a finding's
fingerprint (SHA-256 of a few lines) and a file's content hash (BLAKE2b). The
interpreter's own implementations give the same digests (the algorithms are fixed;
``tests/test_digests.py`` compares them with ``hashlib``'s); ``hashlib.blake2b`` *is*
``_blake2.blake2b`` (``hashlib`` never takes BLAKE2 from OpenSSL). An interpreter built
without them gets ``hashlib``'s. Each is imported when first used, marked ``# start-up``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


@cache
def _sha256() -> Callable[[bytes], Any]:
    try:
        from _sha2 import sha256  # start-up: Python 3.12 and later
    except ImportError:
        try:
            from _sha256 import sha256  # start-up: Python 3.10 and 3.11
        except ImportError:
            from hashlib import sha256  # start-up: built without the interpreter's own
    return sha256


@cache
def _blake2b() -> Callable[..., Any]:
    try:
        from _blake2 import blake2b  # start-up: hashlib's own blake2b
    except ImportError:
        from hashlib import blake2b  # start-up: built without it
    return blake2b


def sha256(data: bytes = b"") -> Any:
    """``hashlib.sha256(data)``."""
    return _sha256()(data)


def blake2b(data: bytes = b"", *, digest_size: int = 64) -> Any:
    """``hashlib.blake2b(data, digest_size=digest_size)``."""
    return _blake2b()(data, digest_size=digest_size)
