"""Graph remedies of the sends smtplib and aiosmtplib make (`fix --target graph`).

The rewrite keeps the code's shape: the smtplib client the code makes becomes the
project's ``GraphMailClient``, which takes smtplib's ``sendmail`` and ``send_message``
arguments and sends through Microsoft Graph; the password login becomes
``use_mailbox(user)`` (the mailbox Graph sends from). The other session calls (``ehlo``,
``starttls``, ``quit``) stay and do nothing, so the diff is the two lines that change what
is sent through. ``aiosmtplib.send(message, ..., username=..., password=...)`` becomes
``graph_send_async(message, sender, recipients, mailbox=...)``. Only where every send of
the connection goes through the rewritten object: the constructor is in this file, the host
is one known (or declared) Microsoft 365 cloud with a Graph endpoint, and the connection
sends something.
"""

from __future__ import annotations

import ast

from ...model import Connection, Step, StepKind
from ...providers import lookup
from ...remedies import GRAPH_MODULE, Edit, Remedy, RemedyKind
from .base import CallSite

CLIENT = "GraphMailClient"
SEND_ASYNC = "graph_send_async"
DEFAULT_GRAPH_HOST = "graph.microsoft.com"


def _graph_host(conn: Connection) -> str | None:
    """The Graph endpoint of the connection's cloud (the commercial one for a host the
    code does not name, which only a declared Microsoft host makes fixable); None where
    its mail cannot go through Graph sendMail."""
    host = conn.host
    if host.choices is not None:
        return None  # one of several providers, picked at run time
    if not (host.known and isinstance(host.value, str) and host.value):
        return DEFAULT_GRAPH_HOST
    provider = lookup(host.value)
    if not provider.microsoft or provider.personal_accounts or provider.probable:
        return None
    return provider.graph_host or None


def _cloud_argument(graph_host: str) -> str:
    return "" if graph_host == DEFAULT_GRAPH_HOST else f'graph_host="{graph_host}"'


def open_client(conn: Connection, site: CallSite) -> None:
    """Note where an smtplib client is made, for the Graph remedy settled later."""
    conn.remedies[RemedyKind.GRAPH] = Remedy((Edit(site.span.start, site.span.end, CLIENT),))


def login(step: Step, site: CallSite) -> None:
    """``smtp.login(user, password)`` -> ``smtp.use_mailbox(user)``: the part of the Graph
    remedy at the login (completed by :func:`settle_client`)."""
    user = site.args.get("user")
    if site.receiver is None or user is None or user.source is None:
        return
    call = f"{site.receiver}.use_mailbox({user.source})"
    step.remedies[RemedyKind.GRAPH] = Remedy((Edit(site.span.start, site.span.end, call),))


def settle_client(conn: Connection) -> None:
    """The Graph remedy of each password login of an smtplib connection: the client made
    as ``GraphMailClient(...)``, the login as ``use_mailbox``; none where the sends cannot
    all go through it."""
    opening = conn.remedies.pop(RemedyKind.GRAPH, None)
    logins = [s for s in conn.steps if s.kind is StepKind.LOGIN and RemedyKind.GRAPH in s.remedies]
    graph_host = _graph_host(conn)
    sends = any(s.kind is StepKind.SEND for s in conn.steps)
    if opening is None or conn.via or graph_host is None or not sends:
        for step in logins:
            del step.remedies[RemedyKind.GRAPH]
        return
    made = opening.edits[0]
    client = Edit(made.start, made.end, f"{CLIENT}({_cloud_argument(graph_host)})")
    for step in logins:
        rewritten = step.remedies[RemedyKind.GRAPH].edits[0]
        if client.start <= rewritten.start < client.end:
            del step.remedies[RemedyKind.GRAPH]  # the login is in the constructor call
            continue
        step.remedies[RemedyKind.GRAPH] = Remedy(
            (client, rewritten), imports=(f"{GRAPH_MODULE}:{CLIENT}",), target=made.start
        )


def send_call(conn: Connection, site: CallSite) -> None:
    """``aiosmtplib.send(message, sender, recipients, hostname=..., username=...,
    password=..., ...)`` -> ``graph_send_async(message, sender, recipients, mailbox=...)``:
    on the login the call makes. Not for a call that spreads ``*args`` or ``**kwargs``."""
    step = next((s for s in conn.steps if s.kind is StepKind.LOGIN), None)
    graph_host = _graph_host(conn)
    if step is None or graph_host is None or not _plain_call(site):
        return
    parts = []
    for name in ("message", "sender", "recipients"):
        value = site.args.get(name)
        if value is not None and value.source is not None:
            parts.append(value.source if name == "message" else f"{name}={value.source}")
        elif name == "message":
            return
    user = site.args.get("username")
    if user is not None and user.source is not None:
        parts.append(f"mailbox={user.source}")
    cloud = _cloud_argument(graph_host)
    if cloud:
        parts.append(cloud)
    call = f"{SEND_ASYNC}({', '.join(parts)})"
    step.remedies[RemedyKind.GRAPH] = Remedy(
        (Edit(site.span.start, site.span.end, call),),
        imports=(f"{GRAPH_MODULE}:{SEND_ASYNC}",),
    )


def _plain_call(site: CallSite) -> bool:
    """Whether the call passes its arguments one by one (no ``*args``, no ``**kwargs``)."""
    try:
        node = ast.parse(site.code[site.span.start : site.span.end].strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return False
    return (
        isinstance(node, ast.Call)
        and not any(isinstance(arg, ast.Starred) for arg in node.args)
        and all(keyword.arg is not None for keyword in node.keywords)
    )
