"""The verdict and the live event lines as people read them."""

from __future__ import annotations

import shlex
import textwrap
import time
from dataclasses import fields
from typing import Any

from .records import (
    AuthAttempt,
    Connection,
    DeliveredMessage,
    Failure,
    GraphRequest,
    MailboxRead,
    TokenRequest,
)
from .verdict import Verdict

_PROTOCOLS = {
    "smtp": "SMTP",
    "imap": "IMAP",
    "pop3": "POP3",
    "https": "HTTPS",
    "graph": "Graph",
    "dns": "DNS",
    "command": "",
}
_INDENT = "      "


def _tls(connection: Connection) -> str:
    if connection.tls == "none":
        parts = ["no TLS"]
    else:
        mode = "implicit TLS"
        if connection.tls == "starttls":
            mode = "STLS" if connection.protocol == "pop3" else "STARTTLS"
        parts = [f"{mode} {connection.tls_version}" if connection.tls_version else mode]
        parts.append(f"SNI {connection.sni}" if connection.sni else "no SNI")
    if connection.certificate == "verified":
        parts.append(f"refused the lab's untrusted certificate ({connection.tls_error})")
    elif connection.certificate == "not-verified":
        parts.append("accepted the lab's untrusted certificate: certificate NOT checked")
    elif connection.tls_error:
        parts.append(f"handshake failed: {connection.tls_error}")
    return ", ".join(parts)


def connection_line(connection: Connection) -> str:
    protocol = _PROTOCOLS[connection.protocol]
    return f"#{connection.id}  {connection.endpoint}  {protocol}  {_tls(connection)}"


def auth_line(attempt: AuthAttempt) -> str:
    who = attempt.user or "(no user)"
    token = ""
    if attempt.token is not None:
        state = ", expired" if attempt.token.expired else ""
        token = f"  token for {attempt.token.audience} ({attempt.token.flow}{state})"
    reply = attempt.reply or "(no reply: the client left)"
    verb = {"smtp": "AUTH", "imap": "AUTHENTICATE", "pop3": "AUTH"}[attempt.protocol]
    if attempt.mechanism in ("LOGIN", "USER/PASS") and attempt.protocol != "smtp":
        verb = ""
    name = f"{_PROTOCOLS[attempt.protocol]} {verb} {attempt.mechanism}".replace("  ", " ")
    return f"#{attempt.connection}  {name}  {who}{token}  ->  {reply}"


def message_line(message: DeliveredMessage) -> str:
    to = ", ".join(message.rcpt_tos)
    where = "Graph" if message.via == "graph" else f"#{message.connection}"
    return f"{where}  {message.mail_from} -> {to}  {message.subject!r}"


def graph_line(request: GraphRequest) -> str:
    answer = f"{request.status} {request.code}" if request.code else f"{request.status} Accepted"
    token = f"  token for {request.audience}" if request.audience else ""
    return f"{request.host}  POST {request.path}{token}  ->  {answer}"


def read_line(read: MailboxRead) -> str:
    protocol = _PROTOCOLS[read.protocol]
    return (
        f"#{read.connection}  {protocol} {read.command}  {read.mailbox}  ({read.messages} messages)"
    )


def token_line(request: TokenRequest) -> str:
    outcome = "200 token issued" if request.status == 200 else f"{request.status} {request.error}"
    return (
        f"{request.authority_host}  {request.grant_type or '-'}  {request.scope or '-'}  {outcome}"
    )


def render_text(verdict: Verdict) -> str:
    snap = verdict.snapshot
    lines: list[str] = []
    head = "authsweep lab verdict"
    if verdict.command is not None:
        head += f" for `{shlex.join(verdict.command)}`"
        if verdict.exit_code is not None:
            head += f": exit status {verdict.exit_code}"
        if verdict.duration is not None:
            head += f" after {verdict.duration:.1f} s"
    lines.append(head)

    def section(title: str, rows: list[str], empty: str | None = None) -> None:
        if rows or empty:
            lines.append("")
            lines.append(title)
            lines.extend("  " + row for row in rows or [empty or ""])

    section("Connections", [connection_line(c) for c in snap.connections], "none")
    section("Authentication", [auth_line(a) for a in snap.auth_attempts])
    section("Token requests", [token_line(t) for t in snap.token_requests])
    section("Graph requests", [graph_line(g) for g in snap.graph_requests])
    section("Messages accepted", [message_line(m) for m in snap.messages], "none")
    section("Mailboxes read", [read_line(r) for r in snap.mailbox_reads])
    failures = []
    for judged in verdict.failures:
        failure, cause = judged.failure, judged.cause
        where = f"#{failure.connection}  " if failure.connection is not None else ""
        protocol = _PROTOCOLS[failure.protocol]
        text = f"{where}{protocol + ' ' if protocol else ''}{failure.reply}"
        if judged.recovered:
            text += "  (recovered: the program retried)"
        failures.append(text)
        if failure.detail:
            failures.append(f"{_INDENT}{failure.detail}")
        for paragraph in (cause.meaning, "Fix: " + cause.remedy):
            failures.extend(
                textwrap.wrap(paragraph, 88, initial_indent=_INDENT, subsequent_indent=_INDENT)
            )
        if cause.rule is not None:
            failures.append(f"{_INDENT}Found before running by {cause.rule} (authsweep check).")
    section("Failures", failures)
    if not verdict.probe_certificate and any(c.tls != "none" for c in snap.connections):
        lines.append("")
        lines.extend(
            textwrap.wrap(
                "Certificate checks: a server cannot see whether a client checked its "
                "certificate (the handshake looks the same); run again with "
                "--probe-certificate to find out.",
                90,
            )
        )
    lines.append("")
    lines.append(verdict.summary)
    return "\n".join(lines) + "\n"


class ShownVerdict(Verdict):
    """A verdict that prints as its text, so ``assert verdict.passed, verdict`` explains a
    failure."""

    def __str__(self) -> str:
        return render_text(self)

    # pytest shows an assertion message that is not a string by its repr: the same text,
    # not the dataclass's fields (the records are reachable as attributes).
    __repr__ = __str__


def shown(verdict: Verdict) -> ShownVerdict:
    """The verdict, printing as its text."""
    return ShownVerdict(**{f.name: getattr(verdict, f.name) for f in fields(verdict)})


def event_line(record: Any) -> str | None:
    """One line for ``lab serve``'s live log, or None for records it does not show."""
    stamp = time.strftime("%H:%M:%S")
    if isinstance(record, Connection):
        if record.closed_at is not None:
            return f"{stamp}  #{record.id} closed ({record.ended})"
        if record.tls == "none" and record.tls_error is None:
            return (
                f"{stamp}  #{record.id} {record.endpoint} {_PROTOCOLS[record.protocol]} connected"
            )
        return f"{stamp}  #{record.id} {_tls(record)}"
    if isinstance(record, AuthAttempt):
        return f"{stamp}  {auth_line(record)}"
    if isinstance(record, DeliveredMessage):
        return f"{stamp}  {message_line(record)}  accepted"
    if isinstance(record, MailboxRead):
        return f"{stamp}  {read_line(record)}"
    if isinstance(record, TokenRequest):
        return f"{stamp}  token request: {token_line(record)}"
    if isinstance(record, GraphRequest):
        return f"{stamp}  Graph: {graph_line(record)}"
    if isinstance(record, Failure) and record.connection is None:
        return f"{stamp}  {record.reply}"
    return None
