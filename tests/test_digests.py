"""The digests a check makes without OpenSSL (scanner/digests.py) are ``hashlib``'s."""

from __future__ import annotations

import hashlib

from authsweep.scanner import digests
from hypothesis import given
from hypothesis import strategies as st


@given(st.binary(max_size=4096))
def test_sha256_is_hashlibs(data: bytes) -> None:
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


@given(st.binary(max_size=4096), st.integers(min_value=1, max_value=64))
def test_blake2b_is_hashlibs(data: bytes, size: int) -> None:
    ours = digests.blake2b(data, digest_size=size).hexdigest()
    assert ours == hashlib.blake2b(data, digest_size=size).hexdigest()


def test_blake2b_is_hashlibs_own_function() -> None:
    assert digests._blake2b() is hashlib.blake2b


def test_a_digest_made_in_parts_is_hashlibs() -> None:
    """As the project's fingerprints are made: ``update`` by ``update``."""
    ours, theirs = digests.blake2b(digest_size=16), hashlib.blake2b(digest_size=16)
    for part in (b"a.py\0", b"12\0", b"b/c.py\0"):
        ours.update(part)
        theirs.update(part)
    assert ours.hexdigest() == theirs.hexdigest()
    assert digests.sha256().hexdigest() == hashlib.sha256().hexdigest()
