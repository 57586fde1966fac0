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
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .sources import RepoSource

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
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
    return Shard(index, count)


def split(sources: Sequence[RepoSource], count: int) -> list[list[RepoSource]]:
    """All ``count`` shards, each sorted by name."""
    loads = [0] * count
    shards: list[list[RepoSource]] = [[] for _ in range(count)]
    for source in sorted(sources, key=lambda s: (-s.weight, s.name)):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        loads[lightest] += source.weight
        shards[lightest].append(source)
    return [sorted(shard, key=lambda s: s.name) for shard in shards]


def select(sources: Sequence[RepoSource], shard: Shard | None) -> list[RepoSource]:
    if shard is None:
        return sorted(sources, key=lambda s: s.name)
    return split(sources, shard.count)[shard.index - 1]


def input_digest(sources: Sequence[RepoSource]) -> str:
    """What the split was computed from: shards of one sweep carry the same digest, so a
    merge can tell shards of different inputs apart."""
    text = "\n".join(f"{s.name}\t{s.weight}" for s in sorted(sources, key=lambda s: s.name))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
