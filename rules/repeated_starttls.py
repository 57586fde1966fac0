"""AS206 repeated-starttls: STARTTLS on a connection that is already encrypted."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Applicability, Confidence, Finding, Severity
from authsweep.scanner.model import Connection, MailFile, Step, StepKind, Tls
from authsweep.scanner.remedies import RemedyKind

from .base import Example, Rule, describe_host, on_path, starttls_switch


class RepeatedStarttls(Rule):
    id = "AS206"
    name = "repeated-starttls"
    severity = Severity.ERROR
    security_severity = "4.0"  # fails before anything is sent; no exposure
    every_host = True
    summary = (
        "STARTTLS on a connection already encrypted: a second `starttls()` on one path (often "
        "left by a fix that added one above it), `starttls()` on `SMTP_SSL`/`IMAP4_SSL`, an "
        "explicit `starttls()` after aiosmtplib upgraded by itself (2.0+; also where its "
        "implicit TLS is a flag the program sets: true, the session is encrypted from the "
        "start, false, aiosmtplib upgrades it itself). The call raises."
    )
    why = (
        "A server stops offering STARTTLS once the session is encrypted, so the second call "
        "raises `SMTPNotSupportedError: STARTTLS extension not supported by server` (imaplib: "
        "`abort: TLS session already established`; aiosmtplib: `Connection already using "
        "TLS`) and the program stops before it sends anything. It happens after a fix that "
        "added an upgrade while the code already had one further down, or when a connection "
        "that upgrades by itself (aiosmtplib's `start_tls` default, from 2.0; also where "
        "its implicit TLS is a flag the program sets: whichever its value, the session is "
        "encrypted from `connect()` on, by implicit TLS or by the library's own upgrade) "
        "is upgraded again. A "
        "library whose user picks implicit TLS by one option (`if self.ssl: SMTP_SSL(...) "
        "else: SMTP(...)`) and the upgrade by another (`if self.tls: starttls()`) did not "
        "make the mistake: asking for both is the user's, and it is not reported; an "
        "upgrade every run of the implicit-TLS arm takes is, and so is one on an aiosmtplib "
        "client whose other arm its own upgrade encrypts (the user asking for STARTTLS "
        "alone gets the error too). An upgrade in a `try` is tried "
        "only on the connection its name holds there (the plain arm's, when the other arm "
        "opened `IMAP4_SSL`), a client picked by a conditional expression (`SMTP_SSL(...) if "
        "use_ssl else SMTP(...)`) is opened only on its arm, and a retry that calls the "
        "connecting method again starts a session of its own. Reported only on a path the "
        "program is forced onto: one that at most one undecided choice of the connection's "
        "TLS leads to (`use_ssl`, or one error a handler catches). A test counts when its "
        "arms (an arm that returns leaves the code after it to the other) open the "
        "connection with another TLS or upgrade it; the values it reads are "
        "one choice (`cfg['ssl']` and `cfg['tls']` are two, `if not ssl:` after `if ssl:` "
        "none more), and a value the project commits or the program's own default "
        "(`use_tls=True`, `cfg.get('tls', True)`) decides it. A path that needs two choices "
        "to go one way each (two settings, an option and a retry in an `except`) is a "
        "combination the program may keep apart where the analysis does not see it. An "
        "upgrade made only when the server offers it (`if server.has_extn('STARTTLS'):`, "
        "`'starttls' in server.esmtp_features`) never runs on an encrypted session: a "
        "server does not offer STARTTLS after a TLS handshake (RFC 3207), and smtplib's "
        "`has_extn` is false before `ehlo()` and after `starttls()`. The error comes whatever "
        "the server: a host the environment or a parameter only defaults to another "
        "provider's (`os.getenv('SMTP_SERVER', 'smtp.gmail.com')`) is reported as an "
        "unknown host, a warning."
    )
    fix_doc = (
        "Upgrade once, before the login. `authsweep fix` deletes a second `starttls()` that "
        "is redundant on every path that reaches it; on an `SMTP_SSL` client it switches the "
        "client to plain `SMTP` so that the existing `starttls()` is the upgrade, and gives "
        "that upgrade a verifying context when it has none (AS204 does not report a "
        "STARTTLS that always raises: this fix is where it gets one)."
    )
    no_fix = (
        "the second STARTTLS is not redundant on every path that reaches it; upgrade once by hand"
    )
    fix_safety = (
        "Safe: the call removed is one that raises. Switching `SMTP_SSL` to `SMTP` is safe for a "
        "known Microsoft host, unsafe otherwise (as AS201)."
    )
    references = (
        "https://docs.python.org/3/library/smtplib.html#smtplib.SMTP.starttls",
        "https://aiosmtplib.readthedocs.io/en/stable/encryption.html",
    )
    bad = (
        Example(
            "import smtplib, ssl\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.starttls(context=ssl.create_default_context())\n"
            "server.ehlo()\n"
            "server.starttls(context=ssl.create_default_context())\n",
            lines=(5,),
            fixed=(
                "import smtplib, ssl\n"
                "server = smtplib.SMTP('smtp.office365.com', 587)\n"
                "server.starttls(context=ssl.create_default_context())\n"
                "server.ehlo()\n"
            ),
        ),
        Example(
            "import smtplib, ssl\n"
            "server = smtplib.SMTP_SSL('smtp.office365.com', 587)\n"
            "server.starttls(context=ssl.create_default_context())\n",
            lines=(3,),
        ),
        # One choice leads here: every run with ``use_ssl``.
        Example(
            "import smtplib, ssl\n"
            "def connect(host, use_ssl):\n"
            "    server = smtplib.SMTP_SSL(host, 465) if use_ssl else smtplib.SMTP(host, 587)\n"
            "    server.starttls(context=ssl.create_default_context())\n",
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
        # The test is false on an encrypted session: the upgrade never runs.
        Example(
            "import smtplib, ssl\n"
            "ctx = ssl.create_default_context()\n"
            "server = smtplib.SMTP_SSL('mail.contoso.com', 465, context=ctx)\n"
            "if server.has_extn('STARTTLS'):\n"
            "    server.starttls()\n"
        ),
        Example(
            "import smtplib, ssl\n"
            "def send(secure):\n"
            "    server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "    if secure:\n"
            "        server.starttls(context=ssl.create_default_context())\n"
            "    else:\n"
            "        server.starttls()\n"
        ),
        Example(
            "import smtplib, ssl\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.starttls(context=ssl.create_default_context())\n"
            "server.connect('smtp.office365.com', 587)\n"
            "server.starttls(context=ssl.create_default_context())\n"
        ),
        # Two settings must both be set: a combination the program may never make.
        Example(
            "import smtplib, ssl\n"
            "def connect(host, cfg):\n"
            "    if cfg['security'] == 'ssl':\n"
            "        server = smtplib.SMTP_SSL(host, 465, context=ssl.create_default_context())\n"
            "    else:\n"
            "        server = smtplib.SMTP(host, 587)\n"
            "    if cfg['require_starttls']:\n"
            "        server.starttls(context=ssl.create_default_context())\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        # A STARTTLS that raises is found on its first run by whoever runs the code: a
        # path that needs two undecided choices to go one way each (two options, an
        # option and an error) is more likely one the program never takes than one
        # nobody ran. Reported only where the program is forced onto it.
        paths = self.steps_on_paths(mail, Connection.repeated_upgrades, forced_only=True)
        for conn, step, path, policy in paths:
            yield self._finding(mail, conn, step, path, policy)

    def _finding(self, mail, conn: Connection, step: Step, path, policy) -> Finding:
        implicit = conn.tls is Tls.IMPLICIT
        what = "implicit TLS" if implicit else "an earlier STARTTLS"
        earlier = path.steps[: path.steps.index(step)]
        if not implicit and not any(s.kind is StepKind.STARTTLS for s in earlier):
            # Plain because its implicit-TLS flag is false: the library upgraded by itself.
            flag = conn.upgrades_unless
            what = f"{conn.library}'s own STARTTLS in `connect()` (`{flag}` false)"
            if flag not in path.falsy:
                what = (
                    f"implicit TLS if `{flag}` is true, else {conn.library}'s own STARTTLS "
                    "in `connect()`"
                )
        if implicit:
            remedy = starttls_switch(conn)
            safe = policy.provider.microsoft and policy.confidence is Confidence.HIGH
            fix = self.fix_from(
                remedy,
                Applicability.SAFE if safe else Applicability.UNSAFE,
                "Connect in plain text; the existing STARTTLS upgrades it",
            )
        else:
            fix = self.fix_from(
                step.remedies.get(RemedyKind.DROP_STARTTLS),
                Applicability.SAFE,
                "Delete the second STARTTLS",
            )
        return self.finding(
            mail,
            step.span,
            f"STARTTLS to {describe_host(conn)} on a connection already encrypted by {what}"
            f"{on_path(path)}: the server no longer offers it and the call raises",
            severity=policy.severity,
            confidence=policy.confidence,
            fix=fix,
        )
