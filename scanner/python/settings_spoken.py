"""Settings connections as the module's own code speaks them: names tell a framework's
protocol (``MAIL_SERVER`` is Flask-Mail's SMTP host), the libraries the module imports
and the connections it opens may say another (``mail_server`` beside ``imaplib``).
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterable

from ..model import Connection, Protocol, Tls, Value, Verification
from .mail_libraries import FRAMEWORKS, LIBRARIES
from .symbols import Symbols


def spoken_protocols(symbols: Symbols, code: list[Connection]) -> dict[Protocol, str]:
    """The protocols the module's mail code speaks, each with a library that speaks it:
    from the connections its code opens and the mail libraries it imports."""
    spoken = {conn.protocol: conn.library for conn in code}
    for protocol, library in imported_protocols(symbols.imports).items():
        spoken.setdefault(protocol, library)
    return spoken


def imported_protocols(statements: Iterable[ast.AST]) -> dict[Protocol, str]:
    """The protocols of the mail libraries and web frameworks that import ``statements``
    import (others are passed over), each with the first library that speaks it."""
    spoken: dict[Protocol, str] = {}
    for statement in statements:
        if isinstance(statement, ast.ImportFrom):
            names = [statement.module or ""] if not statement.level else []
        elif isinstance(statement, ast.Import):
            names = [alias.name for alias in statement.names]
        else:
            continue
        for name in names:
            library = name.split(".", 1)[0]
            protocol = LIBRARIES.get(library) or FRAMEWORKS.get(library)
            if protocol is not None:
                spoken.setdefault(protocol, library)
    return spoken


def as_spoken(found: list[Connection], spoken: dict[Protocol, str], code: str) -> list[Connection]:
    """Settings connections as the module's code speaks them. Names tell a framework's
    protocol (``MAIL_SERVER`` is Flask-Mail's SMTP host), but a module that talks only
    IMAP or POP (``mail_server`` beside ``imaplib.IMAP4_SSL``) holds that connection's
    settings: its protocol comes from the library, with the library's port and TLS, as
    the code does not say them here. In a module that talks only EWS they describe no
    connection of their own. Keys that name SMTP (``SMTP_HOST``) stay SMTP."""
    if not spoken or Protocol.SMTP in spoken:
        return found
    (protocol,) = spoken if len(spoken) == 1 else (None,)
    kept = []
    for conn in found:
        key = code[conn.opened_at.start : conn.opened_at.end].lower()
        if conn.protocol is not Protocol.SMTP or "smtp" in key:
            kept.append(conn)
        elif protocol in (Protocol.IMAP, Protocol.POP):
            kept.append(_speaking(conn, protocol, spoken[protocol]))
    return kept


def _speaking(conn: Connection, protocol: Protocol, library: str) -> Connection:
    """``conn`` as a connection of ``library`` (``imaplib``): a port the settings write
    is kept, a framework default is not."""
    port = conn.port if conn.port.span is not None else Value.unknown("library default")
    steps = [dataclasses.replace(step, remedies={}) for step in conn.steps]
    return dataclasses.replace(
        conn,
        protocol=protocol,
        library=library,
        port=port,
        tls=Tls.UNKNOWN,
        verification=Verification.UNKNOWN,
        tls_conflict=None,
        remedies={},
        steps=steps,
        paths=[],
    )
