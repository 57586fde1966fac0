"""The mail model: what a file says about mail connections, as plain data.

Front ends (the Python front end with its library adapters, the config readers)
build it; rules read it. Nothing here knows about LibCST or any one mail library.
Library-specific syntax reaches rules only as prepared :class:`Remedy` edits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from .errors import ParseError
from .records import record
from .remedies import Edit, Remedy, RemedyKind


class Protocol(str, Enum):
    SMTP = "smtp"
    IMAP = "imap"
    POP = "pop"
    EWS = "ews"


class Tls(str, Enum):
    """How the connection is protected before credentials are sent."""

    IMPLICIT = "implicit"  # TLS from the first byte (SMTP_SSL, IMAP4_SSL, use_tls=True)
    STARTTLS = "starttls"  # plain greeting, then upgraded
    NONE = "none"
    UNKNOWN = "unknown"


class Verification(str, Enum):
    """Whether the TLS certificate of the server is checked."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    # Verified unless an option of the program turns the checks off (``if not verify:
    # ctx.verify_mode = ssl.CERT_NONE``): the user's choice, not a mistake.
    OPTIONAL = "optional"
    UNKNOWN = "unknown"


@record
class Span:
    """A range of source: 1-based lines and columns, and 0-based offsets into the text."""

    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int


@record
class Value:
    """A value a rule may need: known, or unknown with where it comes from.

    ``origin`` names the source of a value that depends on the environment
    (``env SMTP_HOST``, ``parameter host``, ``import settings.EMAIL_HOST``), also
    when a default makes it known. ``literal`` marks a value written as a literal
    in the scanned file (a hard-coded secret is one); ``literal_span`` is where.
    ``literal_parts`` are the string literals of the file whose text may be in the value
    (``"%s-%s" % ("ab", "cd")``, ``"".join(...)``, a slice, through names and
    parameters), known or not: what a secret's value is built from is masked wherever
    output shows it. ``source`` is the expression as written, for fixes and messages.
    """

    known: bool
    value: object = None
    origin: str | None = None
    span: Span | None = None
    literal: bool = False
    literal_span: Span | None = None
    source: str | None = None
    # The elements of a tuple or list written in place, each a Value (also when some are
    # unknown): ``credentials=("bot@contoso.com", os.environ["PW"])``.
    items: tuple[Value, ...] | None = None
    literal_parts: tuple[Span, ...] = ()
    # For an unknown string built from known and unknown parts (an f-string, a
    # concatenation, a format): the text with each unknown part written ``{}``
    # (``{}.office365.com``).
    template: str | None = None
    # Other literals the same value comes from (a caller passing it for a parameter whose
    # default it also is): a fix that rewrites the literal rewrites these too.
    also: tuple[Span, ...] = ()
    # For an unknown value picked at run time among values written in the code (a dict or
    # list subscripted by a key known only at run time, a dict of providers indexed by an
    # environment variable, either arm of a conditional): the values it may be, known or
    # known in part (templates).
    choices: tuple[Value, ...] | None = None
    # For a literal of another module of the project (``from config import SECRET``):
    # where it is written, as the importing file's messages name it (``config.py:3``).
    written_at: str | None = None
    # For a parameter valued from the calls of the module: the literals the other calls
    # pass for it (``send(host, "pw-1")`` here, ``send(host, "pw-2")`` there), each a
    # committed value of its own that a rule about literals (AS105) reports where it is.
    passed_elsewhere: tuple[Value, ...] = ()
    # For one of those: the Microsoft host the same call passes, which a rule about the
    # value (a port) judges it on.
    passed_with: Value | None = None
    # For a dict or tuple written in the code: where it is written (line, column). For a
    # value picked at run time out of such a row of a table (``preset.get("port")`` with
    # ``preset = PRESETS.get(domain, {})``): the row's, so that a host and a port read
    # apart from one row stay together.
    row: tuple[int, int] | None = None

    @classmethod
    def of(cls, value: object, span: Span | None = None, *, source: str | None = None) -> Value:
        return cls(True, value, span=span, source=source)

    @classmethod
    def unknown(
        cls, origin: str | None = None, span: Span | None = None, *, source: str | None = None
    ) -> Value:
        return cls(False, None, origin=origin, span=span, source=source)

    def as_default(self, origin: str) -> Value:
        """This known value as the default of ``origin`` (an environment variable, a
        command-line option): what a run takes unless ``origin`` gives another, still
        the literal it is written as."""
        return Value(
            True,
            self.value,
            origin,
            literal=self.literal,
            literal_span=self.literal_span,
            literal_parts=self.literal_parts,
        )

    def made_into(self, value: object) -> Value:
        """The value this literal gives at run time (decoded, converted, stripped): known,
        and still the literal it is written as."""
        return Value(
            True,
            value,
            self.origin,
            literal=self.literal,
            literal_span=self.literal_span,
            literal_parts=self.literal_parts,
        )

    @property
    def present(self) -> bool:
        """False only for a value known to be empty (None or ""); an empty default of a
        parameter or environment variable may be replaced at run time."""
        return not self.known or self.value not in (None, "") or self.origin is not None


MISSING = Value.unknown("missing")


class StepKind(str, Enum):
    CONNECT = "connect"
    EHLO = "ehlo"
    STARTTLS = "starttls"
    USER = "user"  # POP3 USER: the name half of a password login
    LOGIN = "login"  # password login (login, pass_, credentials in a constructor)
    AUTH = "auth"  # SASL auth with a mechanism (smtplib auth, imaplib authenticate)
    SEND = "send"


# SASL mechanisms that send the user's password (or a hash of it): an authentication with
# one is a password login, whichever call makes it (``auth("PLAIN", ...)``,
# ``authenticate("LOGIN", ...)``, ``docmd("AUTH LOGIN")``).
PASSWORD_MECHANISMS = frozenset({"PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "NTLM"})


@record(eq=False, repr=False)
class OptOut:
    """How an SSL context that verifies is told not to, as the program's option: the
    condition (``verify is False``, as written) and the statement that turns the checks
    off under it."""

    condition: str
    span: Span


@dataclass(eq=False, repr=False)
class Step:
    """One thing done on a connection, in source order."""

    kind: StepKind
    span: Span
    verification: Verification = Verification.UNKNOWN  # for STARTTLS
    opt_out: OptOut | None = None  # for OPTIONAL verification
    # For STARTTLS: what makes the library verify, as a message says it ("pass
    # ssl_context=..."); "" for the standard library's ``context=``.
    verify_with: str = ""
    user: Value = MISSING  # for LOGIN / AUTH
    secret: Value = MISSING  # for LOGIN: the password
    sender: Value = MISSING  # for SEND: the envelope sender, when the call names it
    # For AUTH: "XOAUTH2", ...; for a LOGIN made by a password SASL mechanism: "PLAIN", ...
    mechanism: str | None = None
    xoauth2: XOAuth2 | None = None  # for AUTH XOAUTH2: what the front end learnt
    remedies: dict[RemedyKind, Remedy] = field(default_factory=dict)
    # When the call is a statement on lines of its own: the call as written, the edit that
    # deletes the statement, and its indent (what moving or dropping the step takes).
    text: str | None = None
    removal: Edit | None = None
    indent: str = ""
    # Test code asserts that this login fails (``pytest.raises``, ``assertRaises``).
    expected_to_fail: bool = False
    # For a connection whose host is one of several (``Value.choices``): the hosts this step
    # runs with, where a test of the host guards it (``if host in (...): ... else: ...``).
    hosts: tuple[object, ...] | None = None
    # Taken only on paths that never run (an arm the project's committed settings never
    # take, ``if USE_SSL:`` with ``USE_SSL = False``): what it sends never goes out.
    unreached: bool = False
    # For STARTTLS: the run-time test (as written) of an option of the code's user under
    # which it is taken (``if self.tls:``, also around the call of a helper that upgrades).
    option: str = ""
    # For STARTTLS: taken only where the server offers it (``if s.has_extn("STARTTLS"):``).
    when_offered: bool = False

    @property
    def password_given(self) -> bool:
        """A password was handed over: also an empty one (placeholders blanked out before
        a commit), not an explicit None."""
        secret = self.secret
        return not (secret.known and secret.value is None and secret.origin is None)


@dataclass(eq=False, repr=False)
class XOAuth2:
    """What is known about an XOAUTH2 authentication."""

    base64_encoded: bool | None = None  # the string handed over is already base64
    accepts_challenge: bool | None = None  # the authobject can be called with one argument
    authobject_span: Span | None = None
    encoding_span: Span | None = None
    token_scopes: Value = MISSING  # scopes the token was requested for (tuple of str)
    accepts_no_argument: bool | None = None  # the authobject can be called with no argument
    # The library first calls the authobject with no argument (SASL initial response).
    initial_response: bool | None = None
    encodes: bool = True  # the library base64-encodes what the authobject returns
    # Calls whose result may reach the token or string (to match token requests).
    token_sources: tuple[Span, ...] = ()


# The undecided choices a path takes, each the values one test reads (``use_ssl``;
# ``self.tls`` and ``ssl`` for ``self.tls and not ssl``; ``raised SSLError`` for the
# path of a handler). Only tests whose arms open the connection or upgrade it count; a
# parameter left at its literal default, or a value the project commits, decides its test.
Choices = tuple[frozenset[str], ...]


def with_choices(choices: Choices, more: Choices) -> Choices:
    """``choices`` and then each of ``more`` that reads a value none before it read: a
    test of values already tested on the path (``if not is_oauth:`` after ``if is_oauth
    or use_ssl:``) goes with the choice made there, as the program's author wrote it;
    one that reads a new value (``if tls and not ssl:`` after ``if ssl:``) is a new one."""
    for names in more:
        if names and not names <= frozenset().union(*choices):
            choices = (*choices, names)
    return choices


@record(eq=False, repr=False)
class ProtocolPath:
    """The steps taken on a connection along one control-flow path, in order, and the
    conditions that choose it, as source text (``when `use_ssl` is false``)."""

    steps: tuple[Step, ...]
    conditions: tuple[str, ...] = ()
    # Names and attributes (as written) that are false on this path, by its conditions
    # (``if not ssl:``, ``if ssl: ... else:``).
    falsy: frozenset[str] = frozenset()
    # And those that are true on it (``if ssl:``, ``if not ssl: ... else:``).
    truthy: frozenset[str] = frozenset()
    # The run-time choices of the connection's TLS this path takes that neither the
    # analysis nor the program's own constants decide, in order (:func:`with_choices`).
    choices: Choices = ()

    @property
    def forced(self) -> bool:
        """At most one undecided choice leads here: the program takes this path whenever
        that one choice (an option, an error) goes its way. A path that needs two or more
        independent choices to go one way each is a combination the program may never
        make (its options correlated elsewhere, a retry only some errors reach)."""
        return len(self.choices) <= 1


@dataclass
class Connection:
    """A client connection to a mail server, from code or from configuration."""

    protocol: Protocol
    library: str  # "smtplib", "django", "dotenv", ...
    host: Value
    port: Value
    tls: Tls
    opened_at: Span  # the constructor call, or the settings group's host key
    verification: Verification = Verification.UNKNOWN  # for implicit TLS
    opt_out: OptOut | None = None  # for OPTIONAL verification
    # For implicit TLS: as ``Step.verify_with``.
    verify_with: str = ""
    steps: list[Step] = field(default_factory=list)
    # The same object's connection of another protocol, taken when a method of that
    # protocol is called on it (zmail's server sends over SMTP and reads over POP3).
    other_protocols: dict[Protocol, Connection] = field(default_factory=dict)
    remedies: dict[RemedyKind, Remedy] = field(default_factory=dict)
    # Stands for several objects (each instance a module makes of its client subclass):
    # the order of the steps of one and of another is not known, so none is judged.
    several_objects: bool = False
    # The flag argument whose truth chose implicit TLS, as written, when a name or an
    # attribute the program sets (``ssl=ssl``): not a literal, so false on some runs.
    tls_flag: str = ""
    # The flag (as written) that chooses implicit TLS when true and otherwise leaves the
    # session plain for the library to upgrade by itself when the server offers STARTTLS
    # (aiosmtplib's ``SMTP(use_tls=self.use_ssl)``, ``start_tls`` left to its default):
    # on a path where the flag is false the session is encrypted from ``connect()`` on.
    upgrades_unless: str = ""
    # The run-time test (as written) whose arms open this protocol with and without
    # implicit TLS (``if self.ssl: SMTP_SSL(...) else: SMTP(...)``): TLS is the user's choice.
    tls_option: str = ""
    # The outcome of a run-time choice, as a message says it (``when `ssl` is false``,
    # ``when `cls` is `smtplib.SMTP```), on which the session is plain where the other
    # outcome opens implicit TLS: ``IMAPClient(host, ssl=self.ssl)``, a class picked among
    # ``SMTP_SSL`` and ``SMTP``. A value its user sets, so some runs take it.
    plain_when: str = ""
    # The run-time test (as written) whose other arm opens this protocol and upgrades it
    # with STARTTLS, for a plain connection opened on one arm (``elif security == "tls":
    # SMTP(...); starttls()`` ... ``else: SMTP(...)``): no TLS here is the user's choice.
    upgrade_option: str = ""
    # Both implicit TLS and STARTTLS asked for (settings flags, constructor arguments).
    tls_conflict: Span | None = None
    # Ports of sessions opened before the one on ``port``: a constructor given a host
    # connects at once, so ``SMTP_SSL(host)`` then ``connect(host, 587)`` first tries 465.
    earlier_ports: list[Value] = field(default_factory=list)
    # What the library offers instead of a password, for messages ("a custom EmailBackend").
    oauth_hint: str = ""
    # Opened by a logging handler to mail log records: its password login is reported as
    # handler credentials (AS103), not as a plain SMTP login.
    log_handler: bool = False
    # Found by a token-level scan of a file that does not parse (no fix), or made through
    # a module the file uses without importing it: low confidence.
    inferred: bool = False
    # Opened in test code (tests/, test_*.py, conftest.py), which talks to fake servers.
    test_code: bool = False
    # Made through a wrapper of the project in another module, or by a library without a
    # model: how, for messages (``through send_mail in mail/utils.py``).
    via: str = ""
    # Made at the call of a project wrapper that opens it with a host of its own (a literal,
    # a default): the wrapper's file reports its login with that host; here it stands only
    # for the secret the caller writes (one report per login, where its host is written).
    secret_only: bool = False
    # Opened only on paths that never run (an arm the project's committed settings never
    # take): it has no protocol path, and what it would connect to is never reached.
    unreached: bool = False
    # The argument that decides whether it upgrades, when the caller gives it (``secure``
    # of an SMTPHandler made from a parameter): TLS is unknown here, and a caller that
    # passes a value decides (project summaries carry it there).
    tls_choice: Value | None = None
    # A connection check: the client is used only for commands that carry no credentials,
    # no mail and no mailbox content (``noop()``, ``ehlo()``, ``quit()``) and never leaves
    # the code that opens it, so nothing travels over its handshake.
    carries_nothing: bool = False
    # Opened by one arm of a conditional expression (``IMAP4_SSL(h, port) if port else
    # IMAP4_SSL(h)``): the expression's span. The arms are one connection either way, and
    # a problem both arms share is one problem (one finding, at the expression).
    arm_of: Span | None = None
    returned_by: tuple[str, ...] = ()  # the functions of its module returning it (factories)

    # The orders its steps can happen in; empty when only source order is known.
    paths: list[ProtocolPath] = field(default_factory=list)

    def protocol_paths(self) -> list[ProtocolPath]:
        if self.unreached:
            return []
        return self.paths or [ProtocolPath(tuple(self.steps))]

    def plain_on(self, path: ProtocolPath) -> bool:
        """Whether the session is plain from its opening on ``path``: opened without TLS,
        or by a choice (:attr:`plain_when`) whose flag the path does not test true."""
        if self.tls is Tls.NONE:
            return True
        return bool(self.plain_when) and not (self.tls_flag and self.tls_flag in path.truthy)

    def logins(self) -> list[Step]:
        return [step for step in self.steps if step.kind is StepKind.LOGIN]

    def first(self, kind: StepKind) -> Step | None:
        return next((step for step in self.steps if step.kind is kind), None)

    @property
    def upgraded(self) -> bool:
        return self.tls is Tls.STARTTLS or any(s.kind is StepKind.STARTTLS for s in self.steps)

    def repeated_upgrades(self, path: ProtocolPath) -> Iterator[Step]:
        """The STARTTLS steps of ``path`` taken on a session already encrypted (by implicit
        TLS, or an earlier STARTTLS since the last ``connect``): the server no longer
        offers it and the call raises. Implicit TLS chosen by a flag (``ssl=ssl``) is not
        on a path where that flag is false (``if not ssl: conn.starttls()``), where a
        library that upgrades by itself (``upgrades_unless``) has upgraded; an upgrade
        taken under an option of the code's user on a connection whose implicit TLS is
        another option (``if self.ssl: SMTP_SSL(...) else: SMTP(...)`` then ``if
        self.tls: starttls()``) is the user asking for both, not the code's mistake. One
        taken only where the server offers STARTTLS (:attr:`Step.when_offered`) never runs."""
        return (step for step, raises in self._on_encrypted(path) if raises)

    def _on_encrypted(self, path: ProtocolPath) -> Iterator[tuple[Step, bool]]:
        """Each STARTTLS of ``path`` on an encrypted session, and whether it runs (raises)."""
        implicit = self.tls is Tls.IMPLICIT and not (self.tls_flag and self.tls_flag in path.falsy)
        by_itself = bool(self.upgrades_unless)  # flag true: implicit TLS; false: own upgrade
        encrypted, by_implicit = implicit or by_itself, implicit
        for step in path.steps:
            if step.kind is StepKind.STARTTLS:
                if encrypted and not (by_implicit and self.tls_option and step.option):
                    yield step, not step.when_offered
                encrypted, by_implicit = True, False
            elif step.kind is StepKind.CONNECT:
                encrypted, by_implicit = implicit or by_itself, implicit

    def always_repeated(self, step: Step) -> bool:
        """Whether the STARTTLS ``step`` raises or never runs on every path that takes it
        (:meth:`repeated_upgrades`): what it would verify is never sent. Not known for a
        connection that stands for several objects (the order of their steps is not)."""
        if self.several_objects:
            return False
        taking = [path for path in self.protocol_paths() if step in path.steps]
        return bool(taking) and all(
            any(s is step for s, _ in self._on_encrypted(p)) for p in taking
        )


@dataclass(eq=False, repr=False)
class SecretUse:
    """A secret handed to mail code or written in mail settings."""

    value: Value
    what: str  # "SMTP password", "EMAIL_HOST_PASSWORD", ...
    span: Span
    # False for a literal taken for a secret by its name (``smtp_password = "..."``), not
    # by where it goes: medium confidence.
    certain: bool = True
    # Handed to a token library (an MSAL client secret): a mail secret only in a module
    # that does mail.
    needs_mail: bool = False
    # How a literal written away from the call reaches it, for the message: `` (to
    # msal.ConfidentialClientApplication's client_credential at line 9, as
    # `CLIENT_SECRET`)``; "" when the literal is written in the call.
    path: str = ""


@dataclass(eq=False, repr=False)
class TokenRequest:
    """A call to an OAuth2 token library (MSAL, azure-identity)."""

    flow: str  # "client_credentials", "username_password", "device_code", ...
    scopes: Value
    span: Span
    used_for_mail: bool = False  # the token reaches an XOAUTH2 authentication
    used_for_graph: bool = False  # the token is sent to Microsoft Graph's API
    # Found by a token-level scan of a file that does not parse: low confidence.
    inferred: bool = False


@dataclass(eq=False, repr=False)
class EwsAccount:
    """Exchange Web Services credentials (exchangelib)."""

    auth: str  # "basic", "ntlm", "digest", "oauth2", "unknown"
    span: Span
    user: Value = MISSING
    secret: Value = MISSING
    host: Value = MISSING  # the EWS server, when a configuration names it
    # The code names the auth type (``auth_type=NTLM``) rather than leaving exchangelib
    # to guess it from the credentials: a password auth type even with no password given.
    auth_named: bool = False
    # In a test module: an unknown server there is a fake one (as for connections).
    test_code: bool = False
    # Found by a token-level scan of a file that does not parse: low confidence.
    inferred: bool = False

    @property
    def password_given(self) -> bool:
        """A password was handed over, as for a login: also an empty one (values blanked
        out before a commit: ``Credentials(username='', password='')``), not None."""
        secret = self.secret
        return not (secret.known and secret.value is None and secret.origin is None)


@dataclass(eq=False, repr=False)
class MailFile:
    """Everything one file says about mail."""

    path: str
    kind: str  # "python", "dotenv", "ini", "yaml", "toml", "json"
    connections: list[Connection] = field(default_factory=list)
    secrets: list[SecretUse] = field(default_factory=list)
    token_requests: list[TokenRequest] = field(default_factory=list)
    ews: list[EwsAccount] = field(default_factory=list)
    # What calls of modelled libraries get as a password, client secret or token (the
    # password of a ROPC token request, a form's password field): masked in every output,
    # reported by no rule.
    hidden: list[Value] = field(default_factory=list)
    # False when a cheap look showed nothing to analyse, so no full parse was made.
    analyzed: bool = True
    # A template for real configuration (.env.example, settings.sample.ini).
    example_config: bool = False
    # Statements the parser refused and the analysis left out; the rest was checked.
    not_checked: list[ParseError] = field(default_factory=list)
