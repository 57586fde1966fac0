"""AS105 hardcoded-mail-secret: a literal password or token in mail code or mail settings."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Finding, Severity
from authsweep.scanner.model import MailFile, Span, Value
from authsweep.scanner.secrets import is_placeholder, mask

from .base import Example, Rule


class HardcodedMailSecret(Rule):
    id = "AS105"
    name = "hardcoded-mail-secret"
    severity = Severity.ERROR
    security_severity = "8.5"  # a secret in the repository
    summary = "A literal password or token handed to mail login code or written in mail settings."
    why = (
        "A password in source or config is in every clone, backup and CI log of the "
        "repository, and it outlives the person who wrote it. Mail passwords are worse than "
        "most: the account can send as the organisation. Once the code moves to OAuth2 the "
        "password is not needed at all; until then it belongs in a secret store."
    )
    fix_doc = (
        "Rotate the password (it is compromised once committed), read it from the environment "
        "or a secret manager, and better: move to OAuth2 (AS101/AS102), after which the mailbox "
        "password is not used by the program. authsweep shows only the first characters of "
        "the secret, in every output."
    )
    references = ("https://cwe.mitre.org/data/definitions/798.html",)
    bad = (
        Example(
            "import smtplib\n"
            "s = smtplib.SMTP('smtp.office365.com', 587)\n"
            "s.starttls()\n"
            "s.login('alerts@contoso.com', 'Winter2026!')\n",
            lines=(4,),
        ),
        Example(
            "import os, smtplib\n"
            "PASSWORD = os.environ.get('SMTP_PASSWORD', 'Sup3rSecret')\n"
            "s = smtplib.SMTP('smtp.office365.com', 587)\n"
            "s.starttls()\n"
            "s.login('alerts@contoso.com', PASSWORD)\n",
            lines=(2,),
        ),
    )
    good = (
        Example(
            "import os, smtplib\n"
            "s = smtplib.SMTP('smtp.office365.com', 587)\n"
            "s.starttls()\n"
            "s.login(os.environ['SMTP_USER'], os.environ['SMTP_PASSWORD'])\n"
        ),
        Example(
            "import smtplib\n"
            "s = smtplib.SMTP('smtp.office365.com', 587)\n"
            "s.starttls()\n"
            "s.login(user, '')\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        if mail.example_config:
            return  # a template's values are examples, whatever they look like
        seen: set[int] = set()
        for conn in mail.connections:
            for step in conn.steps:
                if step.secret.literal:
                    policy = self.host_policy(conn)
                    if policy is not None:
                        yield from self._report(
                            mail,
                            step.secret,
                            "mail password",
                            seen,
                            policy.severity,
                            policy.confidence,
                        )
        for use in mail.secrets:
            yield from self._report(mail, use.value, use.what, seen, self.severity, None)

    def _report(
        self, mail, value: Value, what: str, seen: set[int], severity, confidence
    ) -> Iterator[Finding]:
        span: Span | None = value.literal_span or value.span
        if span is None or span.start in seen or not isinstance(value.value, str):
            return
        if not value.value or is_placeholder(value.value):
            return
        seen.add(span.start)
        kwargs = {"severity": severity}
        if confidence is not None:
            kwargs["confidence"] = confidence
        yield self.finding(
            mail,
            span,
            f"hard-coded {what} {mask(value.value)}; rotate it and read it from a "
            "secret store, or move to OAuth2",
            **kwargs,
        )
