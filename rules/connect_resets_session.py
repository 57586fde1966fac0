"""AS207 connect-resets-session: ``connect()`` after STARTTLS or a login on the same object."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Finding, Severity
from authsweep.scanner.model import Connection, MailFile, ProtocolPath, Step, StepKind

from .base import Example, Rule, describe_host, on_path

_SESSION = {
    StepKind.STARTTLS: "upgraded with STARTTLS",
    StepKind.LOGIN: "logged in",
    StepKind.AUTH: "authenticated",
}


class ConnectResetsSession(Rule):
    id = "AS207"
    name = "connect-resets-session"
    severity = Severity.ERROR
    security_severity = "8.1"  # the login after it may travel in clear text
    summary = (
        "`connect()` after STARTTLS or a login on the same client: the new session is plain "
        "and anonymous (clear-text login, `530 5.7.57`)."
    )
    why = (
        "`connect()` opens a new socket: the encrypted, authenticated session is thrown away "
        "and what follows runs on a plain, anonymous one. A login after it travels in clear "
        "text (or is refused: AUTH is offered only after STARTTLS), and a send is answered "
        "`530 5.7.57 Client not authenticated to send mail`. A reconnect that upgrades "
        "again before it logs in, and logs in again before it sends (`except "
        "SMTPServerDisconnected: connect(); starttls(); login()`), is a new session of "
        "its own and is not reported."
    )
    fix_doc = (
        "Open once: give host and port to the constructor, or call `connect()` first, then "
        "`starttls()`, then authenticate. There is no automatic fix: which of the two sessions "
        "the code meant is for a person to say."
    )
    no_fix = "which of the two sessions the code meant is for a person to say"
    references = ("https://docs.python.org/3/library/smtplib.html#smtplib.SMTP.connect",)
    bad = (
        Example(
            "import smtplib, ssl\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.starttls(context=ssl.create_default_context())\n"
            "server.connect('smtp.office365.com', 587)\n"
            "server.login(user, password)\n",
            lines=(4,),
        ),
    )
    good = (
        Example(
            "import smtplib, ssl\n"
            "server = smtplib.SMTP()\n"
            "server.connect('smtp.office365.com', 587)\n"
            "server.starttls(context=ssl.create_default_context())\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for conn, connect, path, policy in self.steps_on_paths(mail, _resetting_connect):
            found = _reset(path.steps)  # the path the connect() was found on
            assert found is not None
            lost = found[1]
            yield self.finding(
                mail,
                connect.span,
                f"connect() to {describe_host(conn)} after the client {_SESSION[lost]}"
                f"{on_path(path)}: the new session is plain and anonymous",
                severity=policy.severity,
                confidence=policy.confidence,
            )


def _resetting_connect(_conn: Connection, path: ProtocolPath) -> Iterator[Step]:
    found = _reset(path.steps)
    if found is not None:
        yield found[0]


def _reset(steps: tuple[Step, ...]) -> tuple[Step, StepKind] | None:
    """The first ``connect()`` that throws away an upgraded or authenticated session and
    is not followed by a new one: a reconnect that upgrades again before it logs in, and
    logs in again before it sends, is a session of its own."""
    lost: StepKind | None = None
    for at, step in enumerate(steps):
        if step.kind in _SESSION:
            lost = step.kind if lost is None or step.kind is not StepKind.STARTTLS else lost
        elif step.kind is StepKind.CONNECT:
            if lost is not None and not _restored(steps[:at], steps[at + 1 :]):
                return step, lost
            lost = None
    return None


def _restored(before: tuple[Step, ...], after: tuple[Step, ...]) -> bool:
    """Whether the steps ``after`` a reconnect make again what the session ``before`` it
    had: STARTTLS before any login or send, a login before any send."""
    since = before
    for at, step in enumerate(before):
        if step.kind is StepKind.CONNECT:
            since = before[at + 1 :]
    had = {step.kind for step in since}
    upgraded = StepKind.STARTTLS in had
    authenticated = bool(had & {StepKind.LOGIN, StepKind.AUTH})
    for step in after:
        if step.kind is StepKind.STARTTLS:
            upgraded = False
        elif step.kind in (StepKind.LOGIN, StepKind.AUTH, StepKind.USER):
            if upgraded:
                return False
            authenticated = False
        elif step.kind is StepKind.SEND:
            return not (upgraded or authenticated)
        elif step.kind is StepKind.CONNECT:
            break
    return bool(after) and not (upgraded or authenticated)
