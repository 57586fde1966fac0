"""What every rule is made of: identity, docs, examples, and a check over the mail model."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator

from authsweep.scanner.findings import Applicability, Confidence, Finding, Fix, Severity
from authsweep.scanner.model import (
    MISSING,
    Connection,
    MailFile,
    Protocol,
    ProtocolPath,
    Span,
    Step,
    StepKind,
    Value,
    Verification,
)
from authsweep.scanner.providers import (
    OTHER,
    RESERVED,
    Provider,
    host_provider,
    is_personal_account,
    lookup,
)
from authsweep.scanner.remedies import Remedy, RemedyKind

from ..scanner.records import plain, record

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import ClassVar


@plain
class Example:
    """Code (or config) a rule must flag (bad) or must leave alone (good).

    ``path`` decides which front end reads it (``settings.py``, ``.env``, ...).
    ``lines`` pins the reported lines of a bad example when given.
    """

    code: str
    path: str = "example.py"
    lines: tuple[int, ...] = ()
    # For bad examples with a fix: the expected code after applying it (unsafe fixes included).
    fixed: str | None = None


@plain
class RuleOptions:
    """The run's options a rule reads (providers, the Microsoft assumption, the fix target)."""

    all_providers: bool = False
    # The project declares these files' mail hosts Microsoft 365 (``assume-microsoft``).
    assume_microsoft: bool = False
    # What a password login's fix sends through: "xoauth2" or "graph" (``target``).
    target: str = "xoauth2"


@record(eq=False, repr=False)
class HostPolicy:
    """How sure and how loud a finding on a connection is, given what its host is."""

    provider: Provider
    severity: Severity
    confidence: Confidence

    @property
    def mixed(self) -> bool:
        """The host is one of several picked at run time, Microsoft 365 among others."""
        return self.provider.mixed

    @property
    def host_known(self) -> bool:
        return self.provider is not OTHER or self.confidence is Confidence.HIGH


# Origins of a value the code's user sets: the environment, a parameter, a config key.
_SET_BY_USER = ("env ", "parameter ", "config key ")


def set_by_user(value: Value) -> bool:
    """A value the code's user sets (a parameter, a setting, the environment), known here
    by its default: ``int(cfg.get("port", 587))``, ``os.getenv("HOST", "smtp.gmail.com")``."""
    return (value.origin or "").startswith(_SET_BY_USER)


class Rule:
    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    # For code scanning (GitHub's CVSS-like 0.1-10 scale) when the rule is about security.
    security_severity: ClassVar[str | None] = None
    summary: ClassVar[str]  # one line: what it flags
    why: ClassVar[str]  # why it is a problem
    fix_doc: ClassVar[str]  # what to do, and what `authsweep fix` does
    fix_safety: ClassVar[str] = "No automatic fix."
    # Why a finding of this rule has no fix, when a more precise reason is not given (shown
    # by `check --show-fixes` and in the JSON as `no_fix_reason`); empty: the first sentence
    # of ``fix_safety`` when that says there is no automatic fix.
    no_fix: ClassVar[str] = ""
    references: ClassVar[tuple[str, ...]] = ()
    # A defect on every server (no certificate check, an upgrade that raises): also
    # reported where the deployment picks the host and the code's default names another
    # provider's (``os.getenv("SMTP_HOST", "smtp.gmail.com")``, ``host="smtp.gmail.com"``).
    every_host: ClassVar[bool] = False
    bad: ClassVar[tuple[Example, ...]] = ()
    good: ClassVar[tuple[Example, ...]] = ()

    def __init__(self, options: RuleOptions | None = None) -> None:
        self.options = options or RuleOptions()

    def check(self, mail: MailFile) -> Iterator[Finding]:
        raise NotImplementedError

    # Helpers shared by rules.

    def finding(
        self,
        mail: MailFile,
        span: Span,
        message: str,
        *,
        severity: Severity | None = None,
        confidence: Confidence = Confidence.HIGH,
        fix: Fix | None = None,
        no_fix: str = "",
    ) -> Finding:
        """A finding of this rule; ``no_fix``: why it has no fix (when ``fix`` is None),
        where the rule knows better than its ``no_fix``."""
        return Finding(
            rule=self.id,
            name=self.name,
            severity=severity or self.severity,
            confidence=confidence,
            path=mail.path,
            span=span,
            message=message,
            fix=fix,
            no_fix_reason="" if fix is not None else no_fix or self.default_no_fix(),
        )

    @classmethod
    def default_no_fix(cls) -> str:
        if cls.no_fix:
            return cls.no_fix
        if cls.fix_safety.startswith("No automatic fix"):
            return cls.fix_safety.removeprefix("No automatic fix: ").rstrip(".")
        return ""

    def host_policy(self, conn: Connection) -> HostPolicy | None:
        """Microsoft host: as loud as the rule says; unknown host: a warning of medium
        confidence, except in test code; a host of another provider: only with
        ``--all-providers``, or for a rule of :attr:`every_host` when that host is only
        the default of a value the deployment sets (then as an unknown host)."""
        policy = self._host_policy(conn.host, conn.test_code)
        if policy is None and self.every_host and not conn.test_code:
            if conn.host.known and set_by_user(conn.host):
                policy = self._host_policy(Value.unknown(conn.host.origin), test_code=False)
        return self._inferred(conn, policy)

    def step_policy(self, conn: Connection, step: Step) -> HostPolicy | None:
        """The host policy for one step: of the hosts it runs with, when a test of the host
        guards it (``else: smtp.login(...)`` after ``if host in MICROSOFT:``)."""
        if step.hosts is None or conn.host.choices is None:
            return self.host_policy(conn)
        hosts = tuple(c for c in conn.host.choices if c.known and c.value in step.hosts)
        if not hosts:
            return None
        narrowed = Value(False, origin=conn.host.origin, choices=hosts)
        return self._inferred(conn, self._host_policy(narrowed, conn.test_code))

    @staticmethod
    def _inferred(conn: Connection, policy: HostPolicy | None) -> HostPolicy | None:
        if policy is not None and conn.inferred:
            return dataclasses.replace(policy, confidence=Confidence.LOW)
        return policy

    def _host_policy(self, host: Value, test_code: bool) -> HostPolicy | None:
        provider = host_provider(host)
        # A placeholder (``smtp.yourserver.com``) names no server: as unknown as no host;
        # so does a documentation domain a value the user sets only defaults to
        # (``host="smtp.example.com"``: the callers give the server).
        if provider is RESERVED and host.origin:
            provider = None
        if provider is not None and not provider.placeholder:
            if provider.microsoft:
                # A known default that the environment can override is less certain, and
                # so is a host that only looks like Microsoft's (a misspelling), one known
                # by its shape, and one picked at run time among several.
                uncertain = (
                    host.origin
                    or provider.probable
                    or host.template is not None
                    or host.choices is not None
                )
                confidence = Confidence.MEDIUM if uncertain else Confidence.HIGH
                return HostPolicy(provider, self.severity, confidence)
            if self.options.all_providers:
                confidence = Confidence.MEDIUM if provider.probable else Confidence.HIGH
                return HostPolicy(provider, Severity.INFO, confidence)
            return None
        if self.options.assume_microsoft:
            return HostPolicy(lookup(DECLARED_MICROSOFT_HOST), self.severity, Confidence.MEDIUM)
        if test_code:
            return None  # tests talk to fake servers; a Microsoft host in a test is still reported
        severity = Severity.WARNING if self.severity is Severity.ERROR else self.severity
        return HostPolicy(OTHER, severity, Confidence.MEDIUM)

    def steps_on_paths(
        self,
        mail: MailFile,
        pick: Callable[[Connection, ProtocolPath], Iterator[Step]],
        forced_only: bool = False,
    ) -> Iterator[tuple[Connection, Step, ProtocolPath, HostPolicy]]:
        """Each step ``pick`` finds on a protocol path of a connection, once, with the first
        path it is found on and the connection's host policy (connections the policy
        leaves out, and those that stand for several objects, are skipped). With
        ``forced_only``, only paths the program is forced onto count
        (:attr:`ProtocolPath.forced`: at most one undecided choice of its TLS)."""
        for conn in mail.connections:
            policy = self.host_policy(conn)
            if policy is None or conn.several_objects:
                continue  # (several objects: the order of their steps is not known)
            reported: set[int] = set()
            for path in conn.protocol_paths():
                if forced_only and not path.forced:
                    continue
                for step in pick(conn, path):
                    if id(step) not in reported:
                        reported.add(id(step))
                        yield conn, step, path, policy

    def password_logins(
        self, mail: MailFile, wanted: Callable[[Connection], bool]
    ) -> Iterator[tuple[Connection, Step, HostPolicy]]:
        """Every password login on the connections ``wanted`` picks, with its host policy
        (logins whose host the policy leaves out are skipped). A login reached from several
        connections (``pass_`` after either of two ``POP3_SSL(...)``) is one login: given
        once, with the loudest and most certain of its connections."""
        found: dict[tuple[int, int], tuple[Connection, Step, HostPolicy]] = {}
        for conn in mail.connections:
            if not wanted(conn) or conn.secret_only or conn.unreached:
                continue
            for login in conn.logins():
                if not login.password_given or login.expected_to_fail:
                    continue  # a test that asserts basic auth is refused is right as it is
                if login.unreached:
                    continue  # on an arm the committed settings never take: never sent
                policy = self.step_policy(conn, login)
                if policy is None:
                    continue
                place = (login.span.start, login.span.end)
                kept = found.get(place)
                if kept is None or loudness(policy) > loudness(kept[2]):
                    found[place] = (conn, login, policy)
        # A connection that tries password mechanisms in turn (PLAIN, then CRAM-MD5, then
        # ``login()``) makes one password login: reported once, at its plain login if it
        # has one, else at its first mechanism.
        of_connection: dict[int, list[Step]] = {}
        for conn, login, _ in found.values():
            of_connection.setdefault(id(conn), []).append(login)
        for conn, login, policy in found.values():
            if sasl_alternative(login, of_connection[id(conn)]) is None:
                yield conn, login, policy

    @staticmethod
    def oauth2_remedy(policy: HostPolicy, login: Step) -> Remedy | None:
        """The XOAUTH2 rewrite of a password login, only for a host known (or declared) to
        be Microsoft 365 and an organisation account: an unknown host may be anyone's, and
        a misspelt one would keep its misspelling (the message says what it means)."""
        provider = policy.provider
        if not provider.microsoft or provider.probable or personal_account(policy, login.user):
            return None
        if policy.mixed:  # XOAUTH2 for the Microsoft 365 hosts only, never a token to another
            return login.remedies.get(RemedyKind.XOAUTH2_PER_PROVIDER)
        return login.remedies.get(RemedyKind.XOAUTH2)

    def login_fix(
        self, conn: Connection, policy: HostPolicy, login: Step, message: str
    ) -> Fix | None:
        """The unsafe fix of a password login, for the run's ``target``: with ``graph``, the
        sends of an SMTP connection go through Microsoft Graph sendMail where authsweep can
        write that; anything else stays on XOAUTH2 and the message says why. ``message``
        says what the XOAUTH2 fix does."""
        xoauth2 = self.oauth2_remedy(policy, login)
        if self.options.target != "graph" or xoauth2 is None:
            return self.fix_from(xoauth2, Applicability.UNSAFE, message)
        graph = login.remedies.get(RemedyKind.GRAPH)
        if graph is not None and policy.provider.graph_host and not policy.mixed:
            return Fix(Applicability.UNSAFE, graph_fix_message(login), graph)
        sends = any(step.kind is StepKind.SEND for step in conn.steps)
        if conn.protocol is not Protocol.SMTP:
            why = "Graph sendMail only sends mail; readers keep XOAUTH2"
        elif policy.mixed:
            why = "the host is one of several providers, picked at run time"
        elif not policy.provider.graph_host:
            why = f"{policy.provider.name} mail cannot go through Graph sendMail here"
        elif not sends and conn.library in ("smtplib", "aiosmtplib"):
            why = "no message is sent on this connection"
        else:
            why = "authsweep cannot route this connection's sends through Graph (docs/graph.md)"
        return Fix(Applicability.UNSAFE, f"{message} ({STAYS_ON_XOAUTH2}{why})", xoauth2)

    def login_no_fix(
        self, mail: MailFile, conn: Connection, policy: HostPolicy, login: Step
    ) -> str:
        """Why a password login gets no OAuth2 rewrite."""
        provider = policy.provider
        if provider.placeholder:
            return "the host is a placeholder: put the real host in, then run fix again"
        if not provider.microsoft:
            if policy.host_known:
                return f"{provider.name} is not Microsoft 365: its login is left as it is"
            return (
                "the host is not known to be Microsoft 365 (fix rewrites a login only to a "
                "host the code or its config names as Microsoft's; declare the project's "
                "hosts with assume-microsoft)"
            )
        if personal_account(policy, login.user):
            return PERSONAL_ACCOUNT_NOTE
        if provider.probable:
            return (
                f"the host is only probably Microsoft 365 ({provider.probable_note}): fix "
                "does not rewrite a login on a guess"
            )
        if policy.mixed:
            return (
                "the host is one of several providers, and the test that picks the "
                "Microsoft 365 hosts cannot be written at the login"
            )
        if mail.kind != "python":
            return (
                "a config file changes only with the code that reads it (its password key "
                "goes once no code reads it): migrate that code, or the service's own "
                "mail settings"
            )
        if conn.via.startswith("through "):
            return (
                f"the login is made {conn.via.split(', ')[0]}: the rewrite goes there, "
                "and the calls here keep working once it is made"
            )
        if conn.inferred:
            return "the connection is only inferred (a module used without its import)"
        if conn.oauth_hint:
            return f"not rewritten here ({conn.library}): {conn.oauth_hint}"
        if conn.via:
            return f"the client is {conn.via}: {NO_LOGIN_REWRITE}"
        return NO_LOGIN_REWRITE

    @staticmethod
    def fix_from(remedy: Remedy | None, applicability: Applicability, message: str) -> Fix | None:
        return Fix(applicability, message, remedy) if remedy else None


def table_rows(conn: Connection) -> Iterator[Connection]:
    """``conn`` on each row of a table it takes both its host and its port from, picked
    at run time (``preset = PRESETS.get(domain, {})``, then ``preset["host"]`` and
    ``preset["port"]``): the row's host with its own port, with no fix (the row serves the
    other rows' connections too). Nothing when the port is known or not from such rows."""
    port, host = conn.port, conn.host
    if port.known or port.choices is None or host.known or host.choices is None:
        return
    hosts = {c.row: c for c in host.choices if c.known and c.row is not None}
    for choice in port.choices:
        if choice.known and choice.row in hosts:
            yield dataclasses.replace(conn, host=hosts[choice.row], port=choice, remedies={})


def starttls_switch(conn: Connection) -> Remedy | None:
    """The edits that open ``conn`` in plain text for the STARTTLS it takes
    (``USE_STARTTLS``: ``SMTP_SSL`` becomes ``SMTP``), with those that give each upgrade
    that raises today (on an encrypted session on every path, so AS206's alone, not
    AS204's) a verifying context: after the switch it is the handshake, and must verify.
    Without them when their edits would overlap."""
    remedy = conn.remedies.get(RemedyKind.USE_STARTTLS)
    if remedy is None:
        return None
    verifying = [
        step.remedies[RemedyKind.VERIFY_TLS]
        for step in conn.steps
        if step.kind is StepKind.STARTTLS
        and step.verification is Verification.UNVERIFIED
        and RemedyKind.VERIFY_TLS in step.remedies
        and conn.always_repeated(step)
    ]
    if not verifying:
        return remedy
    merged = (remedy, *verifying)
    unique = {(e.start, e.end, e.replacement): e for r in merged for e in r.edits}
    edits = sorted(unique.values(), key=lambda e: (e.start, e.end))
    if any(later.start < earlier.end for earlier, later in itertools.pairwise(edits)):
        return remedy
    return dataclasses.replace(
        remedy,
        edits=tuple(edits),
        imports=tuple(dict.fromkeys(i for r in merged for i in r.imports)),
        helpers=tuple(dict.fromkeys(h for r in merged for h in r.helpers)),
        files=tuple(dict.fromkeys(f for r in merged for f in r.files)),
        elsewhere=tuple(dict.fromkeys(o for r in merged for o in r.elsewhere)),
        requires=tuple(dict.fromkeys(q for r in merged for q in r.requires)),
    )


def sasl_alternative(login: Step, logins: list[Step]) -> Step | None:
    """The password login of the same connection that ``login``, made by a password SASL
    mechanism, is an alternative to (reported in its stead); None when ``login`` is the
    one reported: the plain login, or the first mechanism when there is none."""
    if login.mechanism is None:
        return None
    plain = [other for other in logins if other.mechanism is None]
    first = plain[0] if plain else min(logins, key=lambda other: other.span.start)
    return None if first is login else first


def tried_mechanisms(conn: Connection, login: Step) -> str:
    """`` (also tried as PLAIN, CRAM-MD5 on this connection)`` for the password login that
    stands for the connection's password SASL mechanisms."""
    logins = [other for other in conn.logins() if not other.unreached]
    names = [
        other.mechanism
        for other in logins
        if other.mechanism and sasl_alternative(other, logins) is login
    ]
    return f" (also tried as {', '.join(dict.fromkeys(names))} on this connection)" if names else ""


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
_CONFIDENCE_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


def loudness(policy: HostPolicy) -> tuple[int, int]:
    return _SEVERITY_RANK[policy.severity], _CONFIDENCE_RANK[policy.confidence]


# Why a login to a Microsoft 365 host gets no rewrite when nothing more precise is known.
NO_LOGIN_REWRITE = (
    "authsweep has no OAuth2 rewrite for this library or code shape (docs/coverage.md "
    "lists what each adapter rewrites)"
)

# How a fix message says a login stays on XOAUTH2 with `--target graph` (the summary of
# `fix` lists these), and why.
STAYS_ON_XOAUTH2 = "stays on XOAUTH2: "

# How the provider table names Microsoft 365 when the project declares its hosts are.
DECLARED_MICROSOFT_HOST = "smtp.office365.com"

PERSONAL_ACCOUNT_NOTE = (
    "a personal Outlook.com account needs a delegated OAuth2 flow (device code or "
    "authorization code with MSAL's PublicClientApplication, scope "
    "https://outlook.office.com/SMTP.Send or IMAP.AccessAsUser.All), which authsweep does "
    "not write for you"
)


def personal_account(policy: HostPolicy, user: Value) -> bool:
    """An Outlook.com host, or a login name at a personal Microsoft domain."""
    return policy.provider.personal_accounts or (user.known and is_personal_account(user.value))


def graph_fix_message(login: Step) -> str:
    message = (
        "Send through Microsoft Graph sendMail (the MIME message as built) with an MSAL "
        "client-credentials token for Mail.Send"
    )
    if login.secret.literal:
        message += "; then delete the hard-coded password and rotate it"
    return message


def xoauth2_fix_message(login: Step) -> str:
    message = "Authenticate with XOAUTH2 and an MSAL client-credentials token"
    if login.secret.literal:
        # The rewrite no longer uses it, so nothing reports it any more: say it now.
        message += "; then delete the hard-coded password and rotate it"
    return message


def on_path(path: ProtocolPath) -> str:
    """`` when `use_ssl` is true and ...`` for a finding on a path with conditions."""
    return on_conditions(path.conditions)


def on_conditions(conditions: tuple[str, ...]) -> str:
    """:func:`on_path` of the conditions several paths share, each said once (a path
    through a loop or a retry meets one test again)."""
    return f" {' and '.join(dict.fromkeys(conditions))}" if conditions else ""


def describe_host(conn: Connection, step: Step | None = None) -> str:
    """The connection's host as a message says it, with what the provider table makes of
    it (a near miss, a shape, one of several) and the wrapper it came through; for a step
    guarded by a test of the host (one of several), the hosts it runs with."""
    host = conn.host
    if step is not None and step.hosts is not None and host.choices is not None:
        narrowed = tuple(c for c in host.choices if c.known and c.value in step.hosts)
        host = Value(False, origin=host.origin, choices=narrowed or host.choices)
        if len(narrowed) == 1:
            host = narrowed[0]
    text = describe(host, "the host")
    provider = host_provider(host)
    note = provider.probable_note if provider is not None else ""
    notes = ", ".join(part for part in (note, conn.via) if part)
    return f"{text} ({notes})" if notes else text


def describe(value: Value, what: str) -> str:
    """``'smtp.office365.com'``, what a value picked at run time may be (``'{}'`` for
    what is not known of one), or where an unknown value comes from."""
    choices = value.choices or ()
    origin = shown_origin(value.origin)
    if choices and all(c.known or c.template is not None for c in choices):
        written = " or ".join(
            dict.fromkeys(repr(c.value if c.known else c.template) for c in choices)
        )
        return f"{written} (picked by {origin})" if origin else written
    if value.known and not (value.value in (None, "") and origin):
        # An empty default (``host=None``) says only that the caller gives it: as unknown.
        text = repr(value.value)
        if origin and (", set in " in origin or origin.startswith("found by ")):
            return f"{text} ({origin})"  # a value the project's .env gives, or a lookup's
        return f"{text} (default of {origin})" if origin else text
    if origin and value.origin != MISSING.origin:
        return f"{what} from {origin}"
    return f"an unknown {what.removeprefix('the ')}"  # also one the call does not give


def shown_origin(origin: str | None) -> str | None:
    """An origin as a message says it: a name local to a function as the code writes it
    (``attribute email_reader.imap_server``, not ``attribute
    process_emails.<locals>.email_reader.imap_server``: the qualification tells names
    apart inside the analysis, the line already says where)."""
    if not origin or "<locals>." not in origin:
        return origin
    return " ".join(word.rpartition("<locals>.")[2] for word in origin.split(" "))
