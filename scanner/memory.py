"""Garbage collection around the work on one file.

A module's analysis allocates its syntax tree, scope tree and value graph, all alive
until the file is done. Collections their allocations trigger traverse them again and
again (CPython's young generation fills every 700 allocations) and promote them to the
older generations, which are traversed again later: this cost a fifth of a cold run of
a large tree and made a large parse five times slower. Paused for the file, the
collector runs once afterwards, over what the file left: reference counting frees the
analysis itself (its scope tree and passes hold no cycle; a module whose connections
get paths still leaves one, the path finder's).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
