"""Per-file bounds on analysis, so that no file takes more than its share (the budget a
file has: 5 s and 500 MB on the benchmark machine, see bench/robustness.py).

Most of the analysis is linear in the size of a file. What is not (following each
connection through the statements of its function, finding which of many bindings of a
name reaches a call) counts its steps here, and a file that needs more than
:data:`MAX_STEPS` is refused as too complex, with the reason, rather than checked for
minutes. The size of the code that is parsed and analysed is bounded the same way
(:data:`MAX_ANALYSED_CHARS`): memory grows with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

# Steps of the analyses that grow faster than the file, per file. The slowest of them
# (a statement visited on a connection's path) takes ~50 µs: well within 5 s.
MAX_STEPS = 60_000
# Characters of code the Python front end parses and analyses in one file: the whole
# module, or, for a very large one, the statements that mention mail and what they use.
MAX_ANALYSED_CHARS = 1_000_000


class TooComplex(Exception):
    """The file needs more work than a file may take; the message says what."""


# The file being checked: its budget and the steps it has left (none: no bound).
_budgets: list[list[int]] = []


@contextmanager
def bounded(steps: int = MAX_STEPS) -> Iterator[None]:
    """Count the steps of what runs inside against ``steps``."""
    _budgets.append([steps, steps])
    try:
        yield
    finally:
        _budgets.pop()


def spend(steps: int, what: str) -> None:
    """Count ``steps`` of ``what`` (a phrase: "following connections through their
    functions"); raise :class:`TooComplex` once the file has spent its budget."""
    if not _budgets:
        return
    budget = _budgets[-1]
    budget[1] -= steps
    if budget[1] < 0:
        raise TooComplex(f"{what} takes over {budget[0]:,} steps")
