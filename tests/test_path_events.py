"""The path finder's events, grouped once for all of a module's connections
(:class:`GroupedEvents`): each connection's events, and those its paths follow, as
filtering every call's events for each connection gave them."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from authsweep.scanner.model import Tls
from authsweep.scanner.python.path_walker import Event
from authsweep.scanner.python.paths import GroupedEvents
from hypothesis import given, settings
from hypothesis import strategies as st


@dataclass(eq=False)
class _Connection:  # what the grouping reads of a connection: itself, protocol, TLS
    protocol: str
    tls: Tls
    steps: list = field(default_factory=list)


_CONNECTIONS = [
    _Connection("smtp", Tls.NONE),
    _Connection("smtp", Tls.IMPLICIT),
    _Connection("imap", Tls.NONE),
    _Connection("smtp", Tls.NONE),
]


def _filtered_for(conn, events):
    """The way before the grouping: every call's events filtered for ``conn``."""
    mine = {call: [e for e in found if e.conn is conn] for call, found in events.items()}
    mine = {call: found for call, found in mine.items() if found}
    receivers = {e.receiver for found in mine.values() for e in found if e.receiver}
    rebinds = {
        call: [e for e in found if e.opens and e.conn is not conn and e.receiver in receivers]
        for call, found in events.items()
        if not any(e.opens for e in mine.get(call, ()))
    }
    relevant = {call: [*mine.get(call, []), *rebinds.get(call, [])] for call in events}
    relevant = {call: found for call, found in relevant.items() if found}
    openers: dict[int, set] = {}
    for call, found in events.items():
        for event in found:
            if event.opens:
                openers.setdefault(id(call), set()).add((event.conn.protocol, event.conn.tls))
    return mine, receivers, relevant, openers


_EVENT = st.tuples(
    st.integers(0, len(_CONNECTIONS) - 1),
    st.sampled_from([None, "server", "self.smtp", "conn"]),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_EVENT, max_size=4), max_size=12))
def test_each_connection_gets_the_events_filtering_gave_it(calls) -> None:
    events = {
        ast.Call(func=ast.Name(id=f"f{at}"), args=[], keywords=[]): [
            Event(_CONNECTIONS[conn], receiver, opens)  # type: ignore[arg-type]
            for conn, receiver, opens in found
        ]
        for at, found in enumerate(calls)
    }
    grouped = GroupedEvents(events)
    for conn in _CONNECTIONS:
        mine, receivers, relevant, openers = _filtered_for(conn, events)
        assert (id(conn) in grouped.by_connection) == bool(mine)
        got_mine, got_receivers, got_relevant = grouped.of_connection(conn)  # type: ignore[arg-type]
        assert list(got_mine.items()) == list(mine.items())  # same calls, same order
        assert got_receivers == receivers
        assert list(got_relevant.items()) == list(relevant.items())
        assert grouped.opened_kinds == openers
