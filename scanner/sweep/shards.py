"""``--shard K/N``: a deterministic, size-balanced share of the repositories.

The split is greedy "largest first" (LPT scheduling): repositories are taken by weight,
largest first (ties by name), and each goes to the shard with the least weight so far
(ties to the lowest shard number). It depends only on the names and weights, so every
runner given the same input computes the same split, and no repository is in two shards
or in none. The largest shard is at most 4/3 of the optimum (Graham's bound) and, with
many small repositories, close to an even share.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Sequence

from ..records import record
from .sources import RepoSource

_SHARD = re.compile(r"^\s*(\d{1,12})\s*/\s*(\d{1,12})\s*$")
# More shards than any CI runs side by side (a GitHub Actions matrix stops at 256 jobs,
# GitLab's `parallel` at 200); sweep documents that claim more are refused too.
MAX_SHARDS = 10_000


@record
class Shard:
    index: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"3/8"`` as a shard; ValueError with a message for anything else."""
    match = _SHARD.match(text)
    if not match:
        raise ValueError(f"expected K/N (for example 3/8), got {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: K must be between 1 and N")
    if count > MAX_SHARDS:
        raise ValueError(f"shard {index}/{count}: N must be at most {MAX_SHARDS:,}")
    return Shard(index, count)


def _assign(sources: Sequence[RepoSource], count: int) -> dict[int, list[RepoSource]]:
    """The non-empty shards (0-based) of the LPT split. Shards that got nothing yet all
    weigh 0, so the lightest of them is the lowest numbered one not used so far: only
    used shards are kept (in a heap), and a split into more shards than there are
    repositories costs nothing for the shards left empty."""
    shards: dict[int, list[RepoSource]] = {}
    used: list[tuple[int, int]] = []  # (load, shard) of the shards used so far
    for source in sorted(sources, key=lambda s: (-s.weight, s.name)):
        fresh = len(shards)
        if used and (fresh >= count or used[0] < (0, fresh)):
            load, chosen = heapq.heappop(used)
        else:
            load, chosen = 0, fresh
            shards[chosen] = []
        shards[chosen].append(source)
        heapq.heappush(used, (load + source.weight, chosen))
    return {index: sorted(shard, key=lambda s: s.name) for index, shard in shards.items()}


def split(sources: Sequence[RepoSource], count: int) -> list[list[RepoSource]]:
    """All ``count`` shards, each sorted by name."""
    shards = _assign(sources, count)
    return [shards.get(index, []) for index in range(count)]


def select(sources: Sequence[RepoSource], shard: Shard | None) -> list[RepoSource]:
    if shard is None:
        return sorted(sources, key=lambda s: s.name)
    return _assign(sources, shard.count).get(shard.index - 1, [])


def input_digest(sources: Sequence[RepoSource]) -> str:
    """What the split was computed from: shards of one sweep carry the same digest, so a
    merge can tell shards of different inputs apart."""
    text = "\n".join(f"{s.name}\t{s.weight}" for s in sorted(sources, key=lambda s: s.name))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
