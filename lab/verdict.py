"""The verdict of a lab run: what connected, who authenticated with what, what was delivered or
read, what failed and why, and whether the program passes.

A run passes when at least one message was delivered or one mailbox was read (IMAP
SELECT/EXAMINE, POP3 STAT/LIST/UIDL/RETR/TOP after XOAUTH2), nothing failed, and the command
exited 0. A transient failure (4xx throttling, a dropped connection) counts as recovered when
a delivery or a mailbox read followed it. With ``probe_certificate`` a run passes when every
TLS connection refused the lab's untrusted certificate (the command's exit status, which then
reports the refusal, is not judged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .diagnosis import CAUSES, Cause, token_request_cause
from .records import Failure, Snapshot

_SMTP_CODE = re.compile(r"\A(\d{3}(?: [245]\.\d{1,3}\.\d{1,3})?)\b")
_AADSTS = re.compile(r"AADSTS\d+")


def reply_code(reply: str) -> str | None:
    """The part of a reply that identifies it: ``535 5.7.139``, ``-ERR``, ``NO``,
    ``WRONG_VERSION_NUMBER``, ``invalid_scope AADSTS1002012``."""
    match = _SMTP_CODE.match(reply)
    if match:
        return match.group(1)
    if reply.startswith("TLS handshake failed: "):
        return reply.split(": ", 1)[1]
    if reply.startswith("TLS "):
        return reply[4:].split(":", 1)[0]
    if reply.startswith("HTTP "):
        error = reply.split(" ")[2].rstrip(":")
        code = _AADSTS.search(reply)
        return f"{error} {code.group(0)}" if code else error
    first = reply.split(" ", 1)[0]
    return first if first in ("-ERR", "+OK", "NO", "BAD") else None


@dataclass(frozen=True)
class JudgedFailure:
    failure: Failure
    cause: Cause
    recovered: bool

    def to_json(self) -> dict[str, Any]:
        rule = self.cause.rule
        return {
            "connection": self.failure.connection,
            "protocol": self.failure.protocol,
            "cause": self.cause.id,
            "code": reply_code(self.failure.reply),
            "reply": self.failure.reply,
            "detail": self.failure.detail,
            "meaning": self.cause.meaning,
            "remedy": self.cause.remedy,
            "rule": rule.id if rule else None,
            "rule_name": rule.name if rule else None,
            "transient": self.cause.transient,
            "recovered": self.recovered,
        }


@dataclass(frozen=True)
class Verdict:
    """What the lab judged: plain data. :func:`.report.render_text` writes it for people,
    :meth:`to_json` for CI; :meth:`.sim.ExchangeSim.verdict` gives one that prints as its
    text (:class:`.report.ShownVerdict`)."""

    snapshot: Snapshot
    failures: tuple[JudgedFailure, ...]
    passed: bool
    summary: str
    command: tuple[str, ...] | None = None
    exit_code: int | None = None
    duration: float | None = None
    probe_certificate: bool = False
    faults: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_status(self) -> int:
        """What ``authsweep lab run`` exits with: 0 pass, 1 fail."""
        return 0 if self.passed else 1

    @property
    def outstanding(self) -> tuple[JudgedFailure, ...]:
        return tuple(f for f in self.failures if not f.recovered)

    def to_json(self, version: str) -> dict[str, Any]:
        snap = self.snapshot
        return {
            "tool": "authsweep",
            "version": version,
            "command": list(self.command) if self.command is not None else None,
            "exit_code": self.exit_code,
            "duration": round(self.duration, 3) if self.duration is not None else None,
            "passed": self.passed,
            "summary": self.summary,
            "faults": self.faults,
            "connections": [
                {
                    "id": c.id,
                    "protocol": c.protocol,
                    "host": c.host,
                    "port": c.port,
                    "tls": c.tls,
                    "tls_version": c.tls_version,
                    "sni": c.sni,
                    "certificate": c.certificate if c.tls != "none" or c.tls_error else None,
                    "tls_error": c.tls_error,
                    "ended": c.ended,
                }
                for c in snap.connections
            ],
            "authentications": [
                {
                    "connection": a.connection,
                    "protocol": a.protocol,
                    "mechanism": a.mechanism,
                    "user": a.user,
                    "outcome": a.outcome,
                    "reply": a.reply,
                    "detail": a.detail,
                    "token": None
                    if a.token is None
                    else {
                        "audience": a.token.audience,
                        "scope": a.token.scope,
                        "flow": a.token.flow,
                        "client_id": a.token.client_id,
                        "expired": a.token.expired,
                    },
                }
                for a in snap.auth_attempts
            ],
            "token_requests": [
                {
                    "authority_host": t.authority_host,
                    "tenant": t.tenant,
                    "grant_type": t.grant_type,
                    "scope": t.scope,
                    "status": t.status,
                    "error": t.error,
                }
                for t in snap.token_requests
            ],
            "messages": [
                {
                    "connection": m.connection,
                    "from": m.mail_from,
                    "to": list(m.rcpt_tos),
                    "subject": m.subject,
                    "user": m.user,
                    "tls_version": m.tls_version,
                    "via": m.via,
                }
                for m in snap.messages
            ],
            "graph_requests": [
                {
                    "host": g.host,
                    "path": g.path,
                    "mailbox": g.mailbox,
                    "status": g.status,
                    "code": g.code,
                    "message": g.message,
                    "token_audience": g.audience,
                }
                for g in snap.graph_requests
            ],
            "mailbox_reads": [
                {
                    "connection": r.connection,
                    "protocol": r.protocol,
                    "mailbox": r.mailbox,
                    "command": r.command,
                    "messages": r.messages,
                }
                for r in snap.mailbox_reads
            ],
            "failures": [f.to_json() for f in self.failures],
        }


def _token_failures(snapshot: Snapshot) -> list[Failure]:
    failures = []
    for request in snapshot.token_requests:
        if request.status == 200:
            continue
        description = (request.error_description or "").split(" Trace ID:", 1)[0]
        failures.append(
            Failure(
                token_request_cause(request.grant_type, request.error, description),
                f"HTTP {request.status} {request.error}: {description}",
                "https",
                detail=f"{request.authority_host} grant {request.grant_type or '-'} "
                f"scope {request.scope or '-'}",
                at=request.at,
            )
        )
    return failures


def judge(
    snapshot: Snapshot,
    *,
    command: tuple[str, ...] | None = None,
    exit_code: int | None = None,
    duration: float | None = None,
    timed_out: bool = False,
    probe_certificate: bool = False,
    faults: dict[str, Any] | None = None,
) -> Verdict:
    """Decide whether the run passes, and why not."""
    failures = [*snapshot.failures, *_token_failures(snapshot)]
    if timed_out:
        failures.append(
            Failure("command-timeout", "the command was stopped after --timeout", "command")
        )
    elif exit_code not in (None, 0) and not probe_certificate:
        failures.append(
            Failure("command-failed", f"the command exited with status {exit_code}", "command")
        )
    successes = [m.at for m in snapshot.messages] + [r.at for r in snapshot.mailbox_reads]
    judged = tuple(
        JudgedFailure(
            f,
            CAUSES[f.cause],
            CAUSES[f.cause].transient and any(at > f.at for at in successes),
        )
        for f in sorted(failures, key=lambda f: f.at)
    )
    outstanding = [f for f in judged if not f.recovered]
    delivered, read = len(snapshot.messages), len(snapshot.mailbox_reads)
    if probe_certificate:
        probed = [c for c in snapshot.connections if c.certificate in ("verified", "not-verified")]
        passed = bool(probed) and not outstanding
        if passed:
            summary = f"every TLS connection refused an untrusted certificate ({len(probed)})"
        elif not probed:
            summary = "no TLS connection to probe"
        else:
            summary = _count(len(outstanding), "failure")
    else:
        passed = bool(delivered or read) and not outstanding
        done = []
        if delivered:
            done.append(_count(delivered, "message") + " delivered")
        if read:
            done.append(_count(read, "mailbox read", "mailbox reads"))
        did = ", ".join(done) or "no message delivered or mailbox read"
        recovered = len(judged) - len(outstanding)
        if outstanding:
            summary = f"{did}; {_count(len(outstanding), 'failure')}"
        elif recovered:
            summary = f"{did}; recovered from {_count(recovered, 'transient failure')}"
        else:
            summary = f"{did}; nothing failed"
    return Verdict(
        snapshot,
        judged,
        passed,
        ("PASS: " if passed else "FAIL: ") + summary,
        command,
        exit_code,
        duration,
        probe_certificate,
        faults or {},
    )


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
