"""AS203 login-before-starttls: credentials on a connection that was never upgraded."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Applicability, Finding, Fix, Severity
from authsweep.scanner.model import Connection, MailFile, ProtocolPath, Step, StepKind, Tls
from authsweep.scanner.remedies import RemedyKind

from .base import Example, HostPolicy, Rule, describe_host, loudness, on_conditions


class LoginBeforeStarttls(Rule):
    id = "AS203"
    name = "login-before-starttls"
    severity = Severity.ERROR
    security_severity = "8.1"  # the password may travel in clear text
    summary = "Credentials sent on a plain connection that was not upgraded with STARTTLS first."
    why = (
        "Microsoft 365 advertises AUTH only after STARTTLS, so `login()` before `starttls()` "
        "raises `SMTPNotSupportedError: SMTP AUTH extension not supported by server` (and "
        "`530 5.7.57` on MAIL FROM). Against a server that does accept it, the password "
        "crosses the network in clear text. A connection is reported once, however many "
        "attempts it makes in clear text (PLAIN, then CRAM-MD5, then `login()`): at its "
        "password login, naming the other lines; and so is one login after a client opened "
        "one of several ways (`IMAP4(h, timeout=t)` on one arm, `IMAP4(h)` on the other), "
        "under the conditions those ways share. A path the project's committed settings "
        "never take (`if USE_TLS:` with `USE_TLS = True` in the code or a settings module it "
        "imports) is not a run of the program; a flag from the environment or a parameter "
        "can be either. Settings without a TLS key get their framework's default (no "
        "STARTTLS), except in a config module whose host or password the project's own "
        "code imports and connects with: that code says whether it upgrades. "
        "For a host not known to be Microsoft's, a plain path beside one "
        "that upgrades is an option of the program's user (`use_tls=False`, `encryption: "
        "none`), who may have chosen a server without TLS: reported only when no path "
        "upgrades; so is the plain arm of a run-time choice whose other arm opens implicit "
        "TLS (`if self.ssl: SMTP_SSL(...) else: SMTP(...)`) when another option upgrades it "
        "(`if self.tls: self._secure()`, in whatever function), or another arm of the same "
        "option opens a client and upgrades it (`elif security == 'tls': SMTP(...); "
        "starttls()` ... `else: SMTP(...)`, also one method per mode), unless a "
        "parameter's literal default takes that arm. A plain arm that never upgrades is "
        "reported; so is the plain run of a client's own TLS flag set by its user "
        "(`IMAPClient(host, ssl=self.ssl)`) and of a class picked at run time (`cls = "
        "SMTP_SSL if use_ssl else SMTP`), where nothing upgrades it. "
        "Microsoft 365 refuses AUTH without STARTTLS on every path; it also offers STARTTLS "
        "on every connection, so an upgrade made when the server offers it (`if "
        "server.has_extn('STARTTLS'):`, `'STARTTLS' in imap.capabilities`) is made. Methods "
        "of a client class that nothing in the module calls (`connect()`, `authenticate()`, "
        "`secure()`) run in the order their callers pick, taken as the protocol's, not the "
        "order they are written in."
    )
    fix_doc = (
        "Call `starttls(context=ssl.create_default_context())` (imaplib: `starttls(ssl_context="
        "...)`, poplib: `stls(context=...)`) before logging in. `authsweep fix` inserts it just "
        "before the login."
    )
    no_fix = (
        "no STARTTLS can be written before this login on every path that reaches it (a "
        "path where the upgrade failed or was refused, an upgrade in code a fix cannot "
        "move, a host not known to need it, or a session plain only on some runs, where "
        "an upgrade would raise on the others); upgrade first by hand"
    )
    fix_safety = (
        "Safe where the host is Microsoft 365's, which requires the upgrade; unsafe for any "
        "other host, which may offer no STARTTLS (a plain mode its user chose)."
    )
    references = (
        "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission",
        "https://github.com/mattermost/mattermost/issues/954",
    )
    bad = (
        Example(
            "import smtplib\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.ehlo()\n"
            "server.login(user, password)\n"
            "server.starttls()\n",
            lines=(4,),
        ),
        # The user's flag turns implicit TLS off, and nothing upgrades then.
        Example(
            "from imapclient import IMAPClient\n"
            "def fetch(host, user, password, ssl=True):\n"
            "    client = IMAPClient(host, ssl=ssl)\n"
            "    client.login(user, password)\n",
            lines=(4,),
        ),
    )
    good = (
        Example(
            "import smtplib, ssl\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.starttls(context=ssl.create_default_context())\n"
            "server.login(user, password)\n"
        ),
        Example(
            "import smtplib\n"
            "server = smtplib.SMTP('contoso-com.mail.protection.outlook.com', 25)\n"
            "server.send_message(msg)\n"
        ),
        # Upgraded on the runs the user's flag leaves plain.
        Example(
            "import smtplib, ssl\n"
            "def send(cfg):\n"
            "    cls = smtplib.SMTP_SSL if cfg.use_ssl else smtplib.SMTP\n"
            "    server = cls('smtp.office365.com')\n"
            "    if not cfg.use_ssl:\n"
            "        server.starttls(context=ssl.create_default_context())\n"
            "    server.login(cfg.user, cfg.password)\n"
        ),
        # The committed setting takes the upgrade on every run.
        Example(
            "import smtplib, ssl\n"
            "USE_TLS = True\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "if USE_TLS:\n"
            "    server.starttls(context=ssl.create_default_context())\n"
            "server.login(user, password)\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        # One run of a connection that sends credentials in clear text is one problem,
        # however many attempts it makes (PLAIN, then CRAM-MD5, then ``login()``): reported
        # once. Logins on arms that never run together (``if``/``else``) are one each.
        found: dict[int, list[Send]] = {}
        for conn, step, path, policy in self.steps_on_paths(mail, _clear_text_logins):
            if not policy.provider.microsoft and (
                _upgraded_elsewhere(conn, step) or _upgrade_offered(conn)
            ):
                # The code upgrades before this login on another path, or offers the
                # upgrade under an option: the plain one is an option of its user
                # (``use_tls=False``, ``encryption: none``), who may have chosen a server
                # without TLS. Microsoft 365 refuses AUTH on it.
                continue
            found.setdefault(id(conn), []).append((conn, step, path, policy))
        # One login reached from several plain connections (``IMAP4(h, timeout=t)`` on
        # one arm, ``IMAP4(h)`` on another, then one ``login()``) is one problem: reported
        # once, under the conditions all its paths share.
        reports: dict[tuple[int, int], list[tuple[Send, list[int]]]] = {}
        for sends in (cluster for found_on in found.values() for cluster in _runs(found_on)):
            send = min(sends, key=lambda send: _RANK[_kind(send[1])])
            others = [s.span.line for _, s, _, _ in sends if s is not send[1]]
            at = (send[1].span.start, send[1].span.end)
            reports.setdefault(at, []).append((send, others))
        for merged in reports.values():
            conn, step, path, policy = max(
                (send for send, _ in merged), key=lambda send: loudness(send[3])
            )
            others = sorted({line for _, lines in merged for line in lines})
            more = (
                f" (also at line{'s' if len(others) > 1 else ''} "
                f"{', '.join(map(str, others))} on this connection)"
                if others
                else ""
            )
            shared = tuple(
                c for c in path.conditions if all(c in p.conditions for (_, _, p, _), _ in merged)
            )
            if conn.tls is not Tls.NONE:
                shared = (*shared, conn.plain_when)
            fix = next(
                (f for f in (self._fix(c, st, pol) for (c, st, _, pol), _ in merged) if f), None
            )
            yield self.finding(
                mail,
                step.span,
                f"credentials sent to {describe_host(conn)} before STARTTLS"
                f"{on_conditions(shared)}"
                f"{more}: the server refuses AUTH on a plain connection, or the password "
                "travels in clear text",
                severity=policy.severity,
                confidence=policy.confidence,
                fix=fix,
            )

    def _fix(self, conn: Connection, step: Step, policy: HostPolicy) -> Fix | None:
        provider = policy.provider
        if conn.tls is not Tls.NONE:
            return None  # plain only on some runs: an upgrade would raise on the others
        added = step.remedies.get(RemedyKind.ADD_STARTTLS)
        if added is not None:
            if provider.microsoft and not provider.probable:
                return Fix(
                    Applicability.SAFE,
                    "Upgrade with STARTTLS and a verifying context before logging in",
                    added,
                )
            # Another server may offer no STARTTLS at all (a relay the user chose to
            # reach in plain text): the upgrade is then a change of behaviour.
            return Fix(
                Applicability.UNSAFE,
                "Upgrade with STARTTLS and a verifying context before logging in (a server "
                "that offers no STARTTLS then refuses the session)",
                added,
            )
        # A client without STARTTLS: its library's implicit-TLS client, where the host is
        # Microsoft 365's (IMAP on 993; another server may serve no TLS port).
        switch = conn.remedies.get(RemedyKind.USE_IMPLICIT_TLS)
        if switch is not None and provider.microsoft and not provider.probable:
            return Fix(
                Applicability.SAFE,
                "Connect with the library's implicit-TLS client on port 993, as Exchange "
                "Online serves IMAP",
                switch,
            )
        # Microsoft 365 wants STARTTLS on every path; another host keeps the condition.
        unconditional = step.remedies.get(RemedyKind.UNCONDITIONAL_STARTTLS)
        if unconditional is None or not provider.microsoft or provider.probable:
            return None
        return Fix(
            Applicability.SAFE,
            "Upgrade with STARTTLS on every path: Microsoft 365 refuses AUTH without it",
            unconditional,
        )


Send = tuple[Connection, Step, ProtocolPath, HostPolicy]


def _runs(sends: list[Send]) -> list[list[Send]]:
    """The clear-text sends of one connection, grouped by the runs they happen in: two
    sends on one path are one group, and so, in turn, are the sends each shares one with."""
    if len(sends) == 1:
        return [sends]
    paths = [{id(step) for step in path.steps} for path in sends[0][0].protocol_paths()]
    groups: list[list[Send]] = []
    for send in sends:
        joined = [
            group
            for group in groups
            if any(id(send[1]) in p and id(other[1]) in p for other in group for p in paths)
        ]
        groups = [g for g in groups if all(g is not j for j in joined)]
        groups.append([send, *(other for group in joined for other in group)])
    return groups


# Which of a connection's clear-text sends its one report goes at: the password login
# (where its basic-auth finding is), then POP3's USER, then a SASL mechanism.
_RANK = {"login": 0, "user": 1, "mechanism": 2, "auth": 3}


def _kind(step: Step) -> str:
    if step.kind is StepKind.LOGIN:
        return "login" if step.mechanism is None else "mechanism"
    return "user" if step.kind is StepKind.USER else "auth"


def _clear_text_logins(conn: Connection, path: ProtocolPath) -> Iterator[Step]:
    """The steps of a path that send credentials while the connection is plain: the
    first, and the attempts after it before any upgrade (a mechanism refused, then
    ``login()``: one run, one report naming them all)."""
    if conn.plain_on(path):
        first = _clear_text_login(path.steps)
        if first is None:
            return
        at = path.steps.index(first)
        for step in path.steps[at:]:
            if step.kind in (StepKind.STARTTLS, StepKind.CONNECT):
                break
            if step.kind in (StepKind.LOGIN, StepKind.AUTH, StepKind.USER):
                yield step


def _upgraded_elsewhere(conn: Connection, login: Step) -> bool:
    """Whether a path of ``conn`` reaches ``login`` after an upgrade."""
    for path in conn.protocol_paths():
        upgraded = False
        for step in path.steps:
            if step is login:
                if upgraded:
                    return True
                break
            if step.kind is StepKind.STARTTLS:
                upgraded = True
            elif step.kind is StepKind.CONNECT:
                upgraded = False
    return False


def _upgrade_offered(conn: Connection) -> bool:
    """Whether the plain arm of a run-time choice of TLS (``if self.ssl: SMTP_SSL(...)
    else: SMTP(...)``, ``IMAPClient(host, ssl=self.ssl)``) upgrades under another option
    of the user (``if self.tls:
    self._secure()``), wherever the order of its functions puts that upgrade. A plain
    arm that never upgrades is reported: the code offers no TLS on it."""
    if conn.upgrade_option:
        return True  # another arm of the user's option opens it and upgrades
    return bool(conn.tls_option or conn.plain_when) and any(
        step.kind is StepKind.STARTTLS and step.option for step in conn.steps
    )


def _clear_text_login(steps: tuple[Step, ...]) -> Step | None:
    """The first step on a path that sends credentials while the connection is plain
    (a ``connect()`` opens a new, plain one)."""
    upgraded = False
    for step in steps:
        if step.kind is StepKind.STARTTLS:
            upgraded = True
        elif step.kind is StepKind.CONNECT:
            upgraded = False
        elif step.kind in (StepKind.LOGIN, StepKind.AUTH, StepKind.USER) and not upgraded:
            return step
    return None
