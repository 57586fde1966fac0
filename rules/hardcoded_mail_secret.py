"""AS105 hardcoded-mail-secret: a literal password or token in mail code or mail settings."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Confidence, Finding, Severity
from authsweep.scanner.model import Connection, MailFile, Span, Step, Value
from authsweep.scanner.secrets import is_placeholder, mask

from .base import Example, Rule


class HardcodedMailSecret(Rule):
    id = "AS105"
    name = "hardcoded-mail-secret"
    severity = Severity.ERROR
    security_severity = "8.5"  # a secret in the repository
    summary = (
        "A literal password or token in mail code or mail settings: handed to a login or a "
        "token library (MSAL client secret, refresh token), or kept under a password's name "
        "in a mail script."
    )
    why = (
        "A password in source or config is in every clone, backup and CI log of the "
        "repository, and it outlives the person who wrote it. Mail passwords are worse than "
        "most: the account can send as the organisation. Once the code moves to OAuth2 the "
        "password is not needed at all; until then it belongs in a secret store. A password "
        "left in a mail script whose login moved, or is misspelt, is as exposed; so are the "
        "app's own OAuth2 secrets (an MSAL client secret, a refresh token). A literal found "
        "by its name only (`smtp_password = '...'` in a module that talks to a mail host or "
        "imports a mail library) is reported at medium confidence; one in test code is not, "
        "nor one whose name or place says it is another service's (`DB_PASSWORD`, "
        "`FTP_PASS`, Django's `DATABASES`, `ftp.login(...)` of ftplib, "
        "`pymysql.connect(password=...)`, the fallback of an environment variable so named: "
        "`password = os.environ.get('ZIP_PASSWORD') or '...'`) unless a mail login takes it, "
        "nor one handed to a call beside the server it logs in to when that is a named host "
        "of another provider (`Notifier(password='...', smtp_server='smtp.feishu.cn')`). The "
        "second argument of a call named like a login (`serverlogin(user, '...')`) is taken "
        "for a password, unless the module defines the function: then the argument of its "
        "password-named parameter is, and none when it has none (`_login_refused(exc, what)`). "
        "A literal handed to a function or class of the project whose parameter reaches a "
        "login, in the same module or another, directly or by a name that holds it (a "
        "constant, a constructor's default kept on `self`), is reported where it is written, "
        "the message "
        "naming the way to the login (`to the IMAP login through get_otp in pkg/outlook.py`), "
        "at every call that writes one (`send(host, user, 'pw-1')` here, `send(host, user, "
        "'pw-2')` there: two findings, but not the literal of a call that names another "
        "provider's host); a password of a config module with no mail code "
        "of its own (`work_password = '...'` in `accounts.py`, Python 2 too) is reported at "
        "the login that takes it, `written in accounts.py:4`, once in a module however "
        "many of its logins take it (letters with digits or signs, or "
        "an app password's 16 lower-case letters), also through a wrapper of the project "
        "or a function of the importing module whose parameter reaches the login, and "
        "so is one of a config module that also names another provider's mail host (whose "
        "password it is shows at the login), and one under a setting's name "
        "(`MAIL_PASSWORD`) its own module's check does not report (no host beside it); "
        "one whose name says it is a Microsoft mail account's (`outlook_password`, "
        "`O365_PASS`, `hotmail_pwd`) is reported where it is written, in any module; "
        "a placeholder (`'your_password_here'`, `'SMTP_PASSWORD'`, `'xxxxxxxx'`, "
        "`'{password}'`: the words that say what goes there, repeated or misspelt, one or "
        "two characters, a template, a setting's name (`'device_password'`), a sentence "
        "that says what to type: `'Enter your "
        "password'`, `'colocar senha do email outlook'`, in the languages that say 'your "
        "password' in one word too: `'şifren'`, `'salasanasi'`; and in about thirty "
        "languages, `'kata sandi'`, `'password_anda'`, `'mật khẩu'`, `'lozinka'`; a "
        "test's or a demo's throwaway (`'test1234'`, `'demo1234'`) or a note (`'FIXME'`)) "
        "is not; "
        "a word with a year of its "
        "own is a password, so are words run together in lower case that say neither whose "
        "nor where (`'mailpassword'`, `'supersecret'`: weak passwords people choose), and "
        "so is a passphrase that names no field; so is one written encoded and "
        "decoded at run time (`base64.b64decode('V2ludGVy...').decode()`, `codecs.decode("
        "'...', 'rot13')`), reported where the encoded literal is. "
        "A literal of the shape of a "
        "Microsoft Entra client secret (`xxxNQ~` and 31-34 more characters) in a module "
        "that talks to Microsoft mail or identity is reported wherever it goes, also in "
        "a file that does not parse. An app's client secret under any name (a module "
        "constant, a class attribute, a dict entry, an environment default) is followed "
        "to the token call, the message naming the way; one imported from a module that "
        "is not checked itself (it names no mail library, host or setting), or from one "
        "that is under a name that does not say password (`MAIL_KEY`, a `SMTP_AUTH` pair, "
        "a dict's `'secret'` entry) and its own code does not use, is reported where a "
        "login uses it, naming where it is written. An Entra client secret handed to "
        "MSAL or azure-identity is reported in a module whose tokens are for other Graph "
        "scopes too (To Do, calendar): whoever holds it gets the app's `.default` token, "
        "with the mail permissions the tenant granted the app; a placeholder is not. A GUID "
        "handed as the app's secret is one (older tooling made password credentials of "
        "GUIDs; the secret's id pasted in its place is committed as the secret all the "
        "same); elsewhere a GUID is an id."
    )
    fix_doc = (
        "Rotate the password (it is compromised once committed), read it from the environment "
        "or a secret manager, and better: move to OAuth2 (AS101/AS102), after which the mailbox "
        "password is not used by the program. authsweep shows only the first characters of "
        "the secret, in every output."
    )
    no_fix = (
        "a secret leaves the code only with the rewrite of the login it feeds "
        "(AS101/AS102); rotate it and read it from a secret store by hand"
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
        Example(
            "import smtplib\n"
            "SMTP_PASSWORD = 'Quartz-Lantern-77'\n"
            "s = smtplib.SMTP('smtp.office365.com', 587)\n"
            "s.starttls()\n"
            "s.serverlogin('alerts@contoso.com', SMTP_PASSWORD)\n",
            lines=(2,),
        ),
        Example(
            "import imaplib\n"
            "def get_otp(email, password):\n"
            "    imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
            "    imap.login(email, password)\n"
            "get_otp('someone@contoso.com', 'Sup3rSecret!')\n",
            lines=(5,),
        ),
        Example(
            "import msal\n"
            "app = msal.ConfidentialClientApplication('client-id',\n"
            "    client_credential='Qx78Q~k2PZr3mW9vT1yLs0HdE4bNcJuF5gA6iKo_')\n"
            "app.acquire_token_for_client(scopes=['https://outlook.office365.com/.default'])\n",
            lines=(3,),
        ),
        Example(
            "import msal\n"
            "config = {'secret': 'Wq7~_41-9~k_2rtyPL_M58ab3n6XsDVz1~'}\n"
            "app = msal.ConfidentialClientApplication('id', client_credential=config['secret'])\n"
            "app.acquire_token_for_client(scopes=['https://graph.microsoft.com/.default'])\n",
            lines=(2,),
        ),
        Example(
            "from O365 import Account\n"
            "OLD_SECRET = 'l893Q~XMcU1vsHiQMaRiNTN9Ox98whGcTZc1U'\n"
            "account = Account(CLIENT_ID, auth_flow_type='authorization')\n",
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
        Example(
            "import os, smtplib\n"
            "PASSWORD_ENV = 'SMTP_PASSWORD'\n"
            "PASSWORD_PROMPT = 'Mail password:'\n"
            "s = smtplib.SMTP('smtp.office365.com', 587)\n"
            "s.starttls()\n"
            "s.login('alerts@contoso.com', os.environ[PASSWORD_ENV])\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        if mail.example_config:
            return  # a template's values are examples, whatever they look like
        seen: set[int | str] = set()
        for conn in mail.connections:
            for step in conn.steps:
                # A parameter's value here, and the literals other calls pass for it.
                for secret in (step.secret, *step.secret.passed_elsewhere):
                    if not (secret.literal or secret.written_at):
                        continue
                    policy = self.host_policy(conn)
                    if policy is not None:
                        yield from self._report(
                            mail,
                            secret,
                            "mail password",
                            seen,
                            policy.severity,
                            policy.confidence,
                            path=_path_to_login(conn, step, secret),
                            used_at=step.span,
                        )
        for use in mail.secrets:
            # A literal taken for a password by its name only: as sure as that guess.
            confidence = None if use.certain else Confidence.MEDIUM
            advice = _ADVICE
            if use.needs_mail:
                advice = _ROPC_ADVICE if use.what.startswith("password") else _APP_ADVICE
            yield from self._report(
                mail, use.value, use.what, seen, self.severity, confidence, advice, use.path
            )

    def _report(
        self,
        mail,
        value: Value,
        what: str,
        seen: set[int | str],
        severity,
        confidence,
        advice: str = "",
        path: str = "",
        used_at: Span | None = None,
    ) -> Iterator[Finding]:
        # A literal of another file spread into the call (``login(*SMTP_AUTH)``) has no
        # expression of its own here: reported at the login that uses it.
        fallback = used_at if value.written_at else None
        span: Span | None = value.literal_span or value.span or fallback
        # One literal written in another module is one report, at the first login here
        # that takes it (``login(user, PASSWORD)`` in two functions of one module).
        key: int | str | None = value.written_at or (span.start if span else None)
        if span is None or key in seen or not isinstance(value.value, str):
            return
        if not value.value or is_placeholder(value.value) or _spells_name(value, what):
            return
        seen.add(key)
        kwargs = {"severity": severity}
        if confidence is not None:
            kwargs["confidence"] = confidence
        yield self.finding(
            mail,
            span,
            f"hard-coded {what} {mask(value.value)}{path}; {advice or _ADVICE}",
            **kwargs,
        )


def _spells_name(value: Value, what: str) -> bool:
    """A value that spells the name it is given as or under (``PASS = "PASS"``,
    ``EMAIL_HOST_PASSWORD: "email-host-password"``): a name left for a value."""
    written = "".join(char for char in str(value.value).lower() if char.isalnum())
    # The source is a name only where the value is used away from its literal (a config
    # file's unquoted value is its own source).
    named = value.span is not None and value.span != value.literal_span
    names = (value.source or "" if named else "", what)
    return len(written) >= 4 and any(
        written == "".join(char for char in name.lower() if char.isalnum())
        for name in names
        if name.replace(".", "_").replace(" ", "_").isidentifier()
    )


def _path_to_login(conn: Connection, step: Step, secret: Value) -> str:
    """How a literal written away from the login reaches it: through a wrapper of the
    project (``get_otp in pkg/outlook.py``), or as a parameter of a function here."""
    login = f"{conn.protocol.value.upper()} login"
    through = f" {conn.via}" if conn.via.startswith("through ") else ""
    if secret.written_at:  # a literal of a module that is not checked itself
        return f" written in {secret.written_at} (to the {login}{through})"
    if through:
        return f" (to the {login}{through})"
    literal = secret.literal_span
    if literal is None or step.span.start <= literal.start < step.span.end:
        return ""
    source = step.secret.source or ""
    # Only a name: an expression there may hold the literal itself, and a config file's
    # unquoted value is its own source.
    name = source.replace(".", "_").isidentifier() and source != secret.value
    named = f", as `{source}`" if name else ""
    return f" (to the {login} at line {step.span.line}{named})"


_ADVICE = "rotate it and read it from a secret store, or move to OAuth2"
# The user's password handed to the password flow, which goes too.
_ROPC_ADVICE = (
    "rotate it, and replace the password flow (AS106) by the client-credentials or device "
    "code flow, which need no password"
)
# An app's own OAuth2 secret (client secret, refresh token): OAuth2 already.
_APP_ADVICE = (
    "rotate it and read it from a secret store, or give the app a certificate or a "
    "managed identity instead"
)
