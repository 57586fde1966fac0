"""smtplib clients made without a host and opened later by ``connect(host, port)``.

smtplib keeps the host it checks a certificate against (``self._host``) only from its
constructor (CPython 3.10 to 3.13: ``connect()`` never sets it), so on
``SMTP(timeout=10)`` + ``connect(host, 587)`` a verifying
``starttls(context=ssl.create_default_context())`` raises ``ValueError: check_hostname
requires server_hostname``; so does ``SMTP_SSL()`` + ``connect()`` with a verifying
context. A fix that makes such a connection verify therefore gives the client its host
where smtplib reads it:

- the ``connect()`` right after the constructor: its arguments move into the constructor
  (``SMTP(HOST, 587, timeout=10)``) and the ``connect()`` goes;
- a ``connect()`` elsewhere (another method): it becomes a client made with the host,
  ``self.smtp = smtplib.SMTP(HOST, self.port, timeout=10)`` (the first one never
  connected, so nothing is left open).

Where neither can be written, no fix that verifies is offered: the finding stays.
"""

from __future__ import annotations

import ast
import dataclasses
import re

from ...lazy_regex import lazy_pattern
from ...model import Connection, Step, StepKind
from ...remedies import Edit, Remedy, RemedyKind
from .base import CallSite

# A note on the HOST_FOR_TLS remedy: how the host reaches the constructor.
MERGE = "merge"  # the connect() moves into the constructor
REBIND = "rebind"  # the connect() becomes a new client made with the host

# Remedies that make a connection verify the server's certificate.
_VERIFYING = (RemedyKind.USE_STARTTLS, RemedyKind.PORT_587, RemedyKind.VERIFY_TLS)
_STEP_VERIFYING = (RemedyKind.ADD_STARTTLS, RemedyKind.VERIFY_TLS)
_CONNECT_KEYWORDS = frozenset({"host", "port", "source_address"})
_CALLEE = lazy_pattern(r"[A-Za-z_][\w.]*\s*\(")


def prepare(conn: Connection, site: CallSite) -> None:
    """At a ``connect()`` on a client made without a host: record how the host can reach
    the constructor (a HOST_FOR_TLS remedy; one without edits when it cannot)."""
    code = site.code
    opened = conn.opened_at
    plan = Remedy((), note="")
    constructor = _call(code[opened.start : opened.end])
    connect = _call(code[site.span.start : site.span.end])
    if (
        constructor is not None
        and connect is not None
        and site.statement is not None
        and site.before is not None
        and site.receiver is not None
        and not constructor.args
        and all(k.arg is not None for k in constructor.keywords)
        and len(connect.args) <= 2
        and all(k.arg in _CONNECT_KEYWORDS for k in connect.keywords)
        and (connect.args or connect.keywords)
    ):
        original = Edit(opened.start, opened.end, code[opened.start : opened.end])
        mode = _mode(code, conn, site, constructor)
        if mode is not None:
            plan = Remedy((original,), note=mode)
    previous = conn.remedies.get(RemedyKind.HOST_FOR_TLS)
    # A second connect(): which one a fix should move is a guess.
    conn.remedies[RemedyKind.HOST_FOR_TLS] = plan if previous is None else Remedy((), note="")


def _call(text: str) -> ast.Call | None:
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    return node if isinstance(node, ast.Call) else None


def _mode(code: str, conn: Connection, site: CallSite, constructor: ast.Call) -> str | None:
    receiver = site.receiver or ""
    arguments = _arguments(code, site)
    if arguments is None or re.search(rf"\b{re.escape(receiver)}\b", arguments[2]):
        return None  # the arguments read the client itself: they cannot go before it
    opened = conn.opened_at
    line_start = code.rfind("\n", 0, opened.start) + 1
    assigned = re.fullmatch(
        rf"[ \t]*{re.escape(receiver)}[ \t]*(?::[^=\n]*)?=[ \t]*", code[line_start : opened.start]
    )
    between = code[opened.end : site.before.offset]  # type: ignore[union-attr]
    follows = re.fullmatch(r"[ \t]*(?:#[^\r\n]*)?\r?\n", between) and assigned
    in_with = re.fullmatch(
        rf"[ \t]+as[ \t]+{re.escape(receiver)}[ \t]*:[ \t]*(?:#[^\r\n]*)?\r?\n", between
    )
    if follows or in_with:
        return MERGE
    constant = all(isinstance(k.value, ast.Constant) for k in constructor.keywords)
    root = code[opened.start : opened.end].split(".", 1)[0].split("(", 1)[0].strip()
    imported = re.search(rf"^(?:import|from)\b[^\n]*\b{re.escape(root)}\b", code, re.MULTILINE)
    if assigned and constant and imported:
        return REBIND
    return None


def _arguments(code: str, site: CallSite) -> tuple[int, int, str] | None:
    """The argument list of the ``connect()`` call, on one line: start, end and text."""
    open_paren = code.find("(", site.callee_span.end)
    if open_paren < 0 or open_paren >= site.close_offset:
        return None
    start, end = open_paren + 1, site.close_offset
    text = code[start:end]
    if "\n" in text or "#" in text:
        return None
    return start, end, text


def merge(conn: Connection) -> None:
    """Give every remedy that makes the connection verify the host its constructor lacks,
    or drop it when that cannot be written."""
    plan = conn.remedies.pop(RemedyKind.HOST_FOR_TLS, None)
    if plan is None:
        return
    connects = [s for s in conn.steps if s.kind is StepKind.CONNECT]
    connect = connects[0] if len(connects) == 1 else None
    for kind in _VERIFYING:
        remedy = conn.remedies.get(kind)
        if remedy is not None:
            merged = _merged(remedy, plan, connect)
            if merged is None:
                del conn.remedies[kind]
            else:
                conn.remedies[kind] = merged
    for step in conn.steps:
        for kind in _STEP_VERIFYING:
            remedy = step.remedies.get(kind)
            if remedy is not None:
                merged = _merged(remedy, plan, connect)
                if merged is None:
                    del step.remedies[kind]
                else:
                    step.remedies[kind] = merged


def _merged(remedy: Remedy, plan: Remedy, connect: Step | None) -> Remedy | None:
    if not plan.edits or connect is None or connect.removal is None or connect.text is None:
        return None
    opening = plan.edits[0]
    call = _call(connect.text)
    if call is None or not isinstance(call.func, ast.Attribute):
        return None
    receiver = ast.get_source_segment(connect.text, call.func.value)
    open_paren = connect.text.find("(", len(receiver or ""))
    args_start = connect.span.start + open_paren + 1
    args_end = connect.span.end - 1
    inside_opening, inside_args, others = [], [], []
    for edit in remedy.edits:
        if opening.start <= edit.start and edit.end <= opening.end and edit.start < opening.end:
            inside_opening.append(edit)
        elif args_start <= edit.start and edit.end <= args_end:
            inside_args.append(edit)
        elif edit.start < connect.removal.end and connect.removal.start < edit.end:
            return None  # it rewrites the connect() itself: the host cannot move
        elif edit.start == edit.end == opening.start:
            return None
        else:
            others.append(edit)
    constructor = _applied(opening.replacement, opening.start, inside_opening)
    arguments = _applied(connect.text[open_paren + 1 : -1], args_start, inside_args).strip()
    found = _CALLEE.match(constructor)
    if found is None or receiver is None:
        return None
    paren = found.end()
    rest = constructor[paren:-1].strip()
    with_host = f"{constructor[:paren]}{arguments}{', ' if rest else ''}{constructor[paren:]}"
    if plan.note == MERGE:
        edits = [*others, Edit(opening.start, opening.end, with_host), connect.removal]
    else:
        if inside_opening:
            others.append(Edit(opening.start, opening.end, constructor))
        edits = [*others, Edit(connect.span.start, connect.span.end, f"{receiver} = {with_host}")]
    return dataclasses.replace(remedy, edits=tuple(edits))


def _applied(text: str, base: int, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        start, end = edit.start - base, edit.end - base
        text = text[:start] + edit.replacement + text[end:]
    return text
