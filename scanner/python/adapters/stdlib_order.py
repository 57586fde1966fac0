"""smtplib, imaplib and poplib: the remedies that depend on the order of steps on every
path of a connection, settled once its paths are known (a STARTTLS added before a login
only where no path upgrades before it, moved up where one upgrades after it; the STARTTLS
that switching ``SMTP_SSL`` to a plain client adds, kept, dropped or moved after a later
``connect()``)."""

from __future__ import annotations

import dataclasses

from ...model import Connection, Protocol, Step, StepKind, Tls
from ...remedies import Edit, Remedy, RemedyKind
from . import graph_sends, smtp_host

# The STARTTLS method and its context keyword, per protocol.
STARTTLS = {
    Protocol.SMTP: ("starttls", "context"),
    Protocol.IMAP: ("starttls", "ssl_context"),
    Protocol.POP: ("stls", "context"),
}


def settle(conn: Connection) -> None:
    """Remedies that depend on the order of steps on every path."""
    paths = [path.steps for path in conn.protocol_paths()]
    for step in conn.steps:
        if step.kind is StepKind.LOGIN and RemedyKind.ADD_STARTTLS in step.remedies:
            _settle_upgrade(conn, step, [p for p in paths if _has(p, step)])
        elif step.kind is StepKind.STARTTLS and conn.tls is not Tls.IMPLICIT:
            through = [p for p in paths if _has(p, step)]
            if step.removal and through and all(_upgraded(conn, p, step) for p in through):
                step.remedies[RemedyKind.DROP_STARTTLS] = Remedy((step.removal,))
    if conn.tls is Tls.IMPLICIT:
        _settle_switch(conn, paths)
    smtp_host.merge(conn)
    graph_sends.settle_client(conn)


def _settle_upgrade(conn: Connection, login: Step, paths: list[tuple[Step, ...]]) -> None:
    """Add STARTTLS before a login only where no path upgrades before it; where one
    upgrades after it instead (login then starttls), move that STARTTLS up."""
    remedy = login.remedies.pop(RemedyKind.ADD_STARTTLS)
    if not paths:
        return
    if any(_upgraded(conn, p, login) for p in paths):
        # Upgraded on some path already: adding one would make two there. Where one
        # conditional STARTTLS is the upgrade, it can run on every path instead.
        upgrades = {
            id(s): s for p in paths for s in _before(p, login) if s.kind is StepKind.STARTTLS
        }
        (starttls,) = upgrades.values() if len(upgrades) == 1 else (None,)
        unconditional = (
            starttls.remedies.get(RemedyKind.UNCONDITIONAL_STARTTLS) if starttls else None
        )
        if unconditional is not None:
            login.remedies[RemedyKind.UNCONDITIONAL_STARTTLS] = unconditional
        return
    later = {id(s): s for p in paths for s in _after(p, login) if s.kind is StepKind.STARTTLS}
    if not later:
        login.remedies[RemedyKind.ADD_STARTTLS] = remedy
        return
    (starttls,) = later.values() if len(later) == 1 else (None,)
    if starttls is None or starttls.removal is None or starttls.text is None:
        return
    insert = remedy.edits[0]
    moved = Edit(insert.start, insert.end, f"{_indent(insert)}{starttls.text}\n")
    login.remedies[RemedyKind.ADD_STARTTLS] = Remedy((starttls.removal, moved))


def _settle_switch(conn: Connection, paths: list[tuple[Step, ...]]) -> None:
    """The STARTTLS that switching ``SMTP_SSL`` to a plain client adds: none when the code
    already upgrades it (a fallback sharing the STARTTLS below it); after a later
    ``connect(host, 587)``, which opens the session anew, when there is one."""
    upgrading = [p for p in paths if any(s.kind is StepKind.STARTTLS for s in p)]
    if upgrading and len(upgrading) < len(paths):
        # A STARTTLS on some paths only: switching to a plain client leaves the others
        # plain, adding one upgrades twice where it is.
        for kind in (RemedyKind.USE_STARTTLS, RemedyKind.PORT_587):
            conn.remedies.pop(kind, None)
        return
    if upgrading:
        for kind in (RemedyKind.USE_STARTTLS, RemedyKind.PORT_587):
            remedy = conn.remedies.get(kind)
            if remedy is not None:
                kept = tuple(e for e in remedy.edits if not _inserts_starttls(e, conn))
                conn.remedies[kind] = dataclasses.replace(remedy, edits=kept)
        return
    connects = {id(s): s for p in paths for s in p if s.kind is StepKind.CONNECT}
    if len(connects) != 1:
        return
    (connect,) = connects.values()
    if connect.removal is None:
        return
    for kind in (RemedyKind.USE_STARTTLS, RemedyKind.PORT_587):
        remedy = conn.remedies.get(kind)
        inserts = [e for e in remedy.edits if _inserts_starttls(e, conn)] if remedy else []
        if remedy is None or len(inserts) != 1:
            continue
        at = connect.removal.end
        statement = inserts[0].replacement[len(_indent(inserts[0])) :]
        moved = Edit(at, at, connect.indent + statement)
        kept = tuple(moved if e is inserts[0] else e for e in remedy.edits)
        conn.remedies[kind] = dataclasses.replace(remedy, edits=kept)


def _has(path: tuple[Step, ...], step: Step) -> bool:
    return any(s is step for s in path)


def _before(path: tuple[Step, ...], step: Step) -> tuple[Step, ...]:
    """The steps before ``step`` on a path, since the last ``connect()``."""
    index = next(i for i, s in enumerate(path) if s is step)
    earlier = path[:index]
    start = max((i + 1 for i, s in enumerate(earlier) if s.kind is StepKind.CONNECT), default=0)
    return earlier[start:]


def _after(path: tuple[Step, ...], step: Step) -> tuple[Step, ...]:
    """The steps after ``step`` on a path, up to a ``connect()`` that starts over."""
    index = next(i for i, s in enumerate(path) if s is step)
    rest = path[index + 1 :]
    end = next((i for i, s in enumerate(rest) if s.kind is StepKind.CONNECT), len(rest))
    return rest[:end]


def _upgraded(conn: Connection, path: tuple[Step, ...], step: Step) -> bool:
    """Whether the connection is encrypted when ``step`` comes on ``path``."""
    encrypted = conn.tls is Tls.IMPLICIT
    for current in path:
        if current is step:
            return encrypted
        if current.kind is StepKind.STARTTLS:
            encrypted = True
        elif current.kind is StepKind.CONNECT:
            encrypted = conn.tls is Tls.IMPLICIT
    return encrypted


def _indent(insert: Edit) -> str:
    text = insert.replacement
    return text[: len(text) - len(text.lstrip(" \t"))]


def _inserts_starttls(edit: Edit, conn: Connection) -> bool:
    method = STARTTLS[conn.protocol][0]
    return edit.start == edit.end and f".{method}(" in edit.replacement
