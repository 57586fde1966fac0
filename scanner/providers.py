"""Mail providers: hosts, ports and authentication policy, as data.

Rules ask this table; nothing else hard-codes a host name. Sources are in
FACTS.md section 2 (Microsoft's multifunction-device and OAuth documents).
"""

from __future__ import annotations

import dataclasses
import re
from enum import Enum
from functools import lru_cache

from .lazy_regex import lazy_pattern
from .model import Protocol, Value
from .placeholder_hosts import is_placeholder_name, is_reserved_name
from .records import record


class BasicAuth(str, Enum):
    """What the provider does with a user name + password login."""

    RETIRED = "retired"  # already refused (IMAP/POP/EWS on Exchange Online, Outlook.com)
    RETIRING = "retiring"  # SMTP AUTH on Exchange Online: off by default from end of Dec 2026
    ALLOWED_UNTIL_2028 = "allowed-until-2028"  # High Volume Email
    NOT_USED = "not-used"  # Direct Send: no authentication at all
    ALLOWED = "allowed"


@record(eq=False, repr=False)
class Provider:
    """A mail service: the hosts it serves, what it does with a password login over SMTP
    and over IMAP/POP, its ports, and what an OAuth2 fix for it needs."""

    key: str
    name: str
    microsoft: bool
    hosts: tuple[str, ...]  # exact names, or "*.suffix" for a domain and its subdomains
    smtp_basic_auth: BasicAuth
    imap_pop_basic_auth: BasicAuth
    submission_ports: tuple[int, ...] = ()  # SMTP ports served for client submission
    discouraged_ports: tuple[int, ...] = ()  # served, but not the one to use
    oauth_scope: str = ""  # app-only (client credentials) scope for SMTP/IMAP/POP XOAUTH2
    authority_host: str = ""
    # The Microsoft Graph endpoint of the tenant's cloud, for `fix --target graph` (sendMail):
    # its app-only scope is https://<graph_host>/.default. Empty where mail cannot go through
    # Graph sendMail (High Volume Email accounts are no mailboxes; Direct Send; Outlook.com).
    graph_host: str = ""
    # Serves personal Microsoft accounts, for which only delegated OAuth2 flows exist.
    personal_accounts: bool = False
    # Set on the provider a misspelt host most likely means: the host as it should be
    # written (``smtp.office365.com`` for ``smtp.office365.con``).
    meant_host: str = ""
    # Set on the provider of a host known only in part: how it is known (``by its shape
    # '{}.office365.com'``).
    partly: str = ""
    # Set on the provider of a host picked at run time among several, not all of them
    # this provider's: the one that is (``when it is 'smtp.office365.com'``). Not a doubt
    # about the provider but about the run: a fix tells the runs apart.
    among: str = ""
    # A host written as an example to be replaced (``smtp.yourserver.com``): it names no
    # server, so it is as unknown as a host read from the environment.
    placeholder: bool = False

    @property
    def probable(self) -> bool:
        """Matched by a near miss or by part of the host, not by the host as the provider
        writes it."""
        return bool(self.meant_host or self.partly)

    @property
    def mixed(self) -> bool:
        """The host is this provider's on some runs only (:attr:`among`)."""
        return bool(self.among)

    @property
    def probable_note(self) -> str:
        """What a message says about a near miss, a host known in part, one of several or
        a placeholder (empty for a host of the table)."""
        if self.placeholder:
            return "a placeholder, not a real host"
        if self.among or self.partly:
            return f"{self.name} {self.among or self.partly}"
        if not self.meant_host:
            return ""
        if "." not in self.meant_host.split(".", 1)[1]:
            return f"probably {self.name}: a host of Microsoft's {self.meant_host} domain"
        return f"probably {self.name}: it looks like a misspelling of {self.meant_host!r}"


_M365_SMTP = (587, 25)

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        key="m365-hve",
        name="Microsoft 365 High Volume Email",
        microsoft=True,
        hosts=("smtp-hve.office365.com",),
        smtp_basic_auth=BasicAuth.ALLOWED_UNTIL_2028,
        imap_pop_basic_auth=BasicAuth.RETIRED,
        submission_ports=(587,),
        oauth_scope="https://outlook.office365.com/.default",
        authority_host="login.microsoftonline.com",
    ),
    Provider(
        key="m365-direct-send",
        name="Microsoft 365 Direct Send",
        microsoft=True,
        hosts=("*.mail.protection.outlook.com",),
        smtp_basic_auth=BasicAuth.NOT_USED,
        imap_pop_basic_auth=BasicAuth.RETIRED,
        submission_ports=(25,),
    ),
    Provider(
        key="outlook-com-mx",
        name="Outlook.com's inbound mail exchanger (MX)",
        microsoft=True,
        # Also the consumer domains' own MX names (``mx4.hotmail.com``): see
        # _inbound_exchanger.
        hosts=("*.olc.protection.outlook.com",),
        smtp_basic_auth=BasicAuth.NOT_USED,
        imap_pop_basic_auth=BasicAuth.RETIRED,
        submission_ports=(25,),
        personal_accounts=True,
    ),
    Provider(
        key="m365-gcc-high",
        name="Microsoft 365 GCC High / DoD",
        microsoft=True,
        hosts=("*.office365.us",),
        smtp_basic_auth=BasicAuth.RETIRING,
        imap_pop_basic_auth=BasicAuth.RETIRED,
        submission_ports=_M365_SMTP,
        discouraged_ports=(25,),
        oauth_scope="https://outlook.office365.us/.default",
        authority_host="login.microsoftonline.us",
        graph_host="graph.microsoft.us",  # DoD tenants: dod-graph.microsoft.us (docs/graph.md)
    ),
    Provider(
        key="m365-china",
        name="Microsoft 365 operated by 21Vianet",
        microsoft=True,
        hosts=("*.partner.outlook.cn",),
        smtp_basic_auth=BasicAuth.RETIRING,
        imap_pop_basic_auth=BasicAuth.RETIRED,
        submission_ports=_M365_SMTP,
        discouraged_ports=(25,),
        oauth_scope="https://partner.outlook.cn/.default",
        authority_host="login.chinacloudapi.cn",
        graph_host="microsoftgraph.chinacloudapi.cn",
    ),
    Provider(
        key="outlook-com",
        name="Outlook.com",
        microsoft=True,
        hosts=(
            "smtp-mail.outlook.com",
            "imap-mail.outlook.com",
            "pop-mail.outlook.com",
            "smtp.outlook.com",
            "smtp.live.com",
            "smtp.hotmail.com",
            "imap.outlook.com",
            "pop.outlook.com",
            "pop3.live.com",
            "imap.live.com",
        ),
        smtp_basic_auth=BasicAuth.RETIRED,
        imap_pop_basic_auth=BasicAuth.RETIRED,
        submission_ports=(587,),
        personal_accounts=True,
    ),
    Provider(
        key="m365",
        name="Microsoft 365",
        microsoft=True,
        hosts=(
            "smtp.office365.com",
            "smtp-legacy.office365.com",
            "outlook.office365.com",
            "outlook.office.com",
            "*.outlook.office365.com",
        ),
        smtp_basic_auth=BasicAuth.RETIRING,
        imap_pop_basic_auth=BasicAuth.RETIRED,
        submission_ports=_M365_SMTP,
        discouraged_ports=(25,),
        oauth_scope="https://outlook.office365.com/.default",
        authority_host="login.microsoftonline.com",
        graph_host="graph.microsoft.com",
    ),
    Provider(
        key="gmail",
        name="Google Gmail",
        microsoft=False,
        hosts=("smtp.gmail.com", "imap.gmail.com", "pop.gmail.com", "smtp-relay.gmail.com"),
        smtp_basic_auth=BasicAuth.ALLOWED,
        imap_pop_basic_auth=BasicAuth.ALLOWED,
        submission_ports=(587, 465, 25),
    ),
    Provider(
        key="other-known",
        name="another mail provider",
        microsoft=False,
        hosts=(
            "*.mail.yahoo.com",
            "*.sendgrid.net",
            "*.mailgun.org",
            "*.amazonaws.com",
            "*.zoho.com",
            "*.zoho.eu",
            "*.fastmail.com",
            "*.mailjet.com",
            "*.sparkpostmail.com",
            "*.postmarkapp.com",
            "*.gmx.net",
            "*.mail.me.com",
            "localhost",
        ),
        smtp_basic_auth=BasicAuth.ALLOWED,
        imap_pop_basic_auth=BasicAuth.ALLOWED,
    ),
)

# Hosts that name no provider but are clearly not Microsoft's: loopback, local relays.
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "mailhog", "mailpit"})
OTHER = Provider(
    key="other",
    name="a non-Microsoft server",
    microsoft=False,
    hosts=(),
    smtp_basic_auth=BasicAuth.ALLOWED,
    imap_pop_basic_auth=BasicAuth.ALLOWED,
)
PLACEHOLDER = dataclasses.replace(OTHER, key="placeholder", name="a placeholder", placeholder=True)
# A host under a domain reserved for documentation (RFC 2606, RFC 6761: ``example.com``,
# ``.test``, ``.invalid``): it can never be Microsoft's, nor anyone's, so as the code is
# written it logs in nowhere; not a placeholder, which may stand for a Microsoft host.
RESERVED = dataclasses.replace(OTHER, key="reserved", name="a domain reserved for documentation")


# Personal Microsoft accounts: they have no tenant, so no app-only (client credentials)
# token can act for them; they need a delegated flow (device code, auth code).
PERSONAL_DOMAINS = frozenset(
    {"outlook.com", "hotmail.com", "live.com", "msn.com", "passport.com"}
    | {
        f"{name}.{tld}"
        for name in ("outlook", "hotmail", "live")
        for tld in ("co.uk", "fr", "de", "it", "es", "com.au", "com.br", "jp", "ca", "nl", "be")
    }
)


def is_personal_account(address: object) -> bool:
    return (
        isinstance(address, str)
        and "@" in address
        and address.rsplit("@", 1)[1].strip().lower() in PERSONAL_DOMAINS
    )


def normalise_host(host: str) -> str:
    return host.strip().rstrip(".").lower()


# The protocol a mail host's first label names, the way providers name them
# (``imap.outlook.com``, ``pop3.live.com``, ``smtp-mail.outlook.com``, ``imaps.example.org``).
_PROTOCOL_LABEL = lazy_pattern(r"(smtp|imap|pop)(?:3)?s?\d*(?:-[a-z0-9-]+)?")
_LABEL_PROTOCOLS = {"smtp": Protocol.SMTP, "imap": Protocol.IMAP, "pop": Protocol.POP}


# Names only a private network resolves (RFC 6762 ``.local``, RFC 8375 ``home.arpa``'s
# ``.home``, and the suffixes intranets use).
_PRIVATE_TLDS = frozenset({"local", "lan", "internal", "intranet", "corp", "home", "localdomain"})


def another_providers_server(host: object) -> bool:
    """A server name of someone other than Microsoft (not the machine itself, nor a domain
    reserved for documentation): as a configuration's default, one of the servers the
    configuration may name instead."""
    if not (isinstance(host, str) and "." in host):
        return False
    if normalise_host(host).rsplit(".", 1)[-1] in _PRIVATE_TLDS:
        return False  # ``mail.contoso.local``: a server of the user's own network
    provider = lookup(host)
    return not (provider.microsoft or provider is RESERVED or is_local_host(host))


def is_local_host(host: str) -> bool:
    """Loopback or a local relay (``localhost``, ``127.0.0.1``, ``mailhog``)."""
    return normalise_host(host) in _LOCAL_HOSTS


def host_protocol(host: str) -> Protocol | None:
    """The one mail protocol ``host`` is named for, or None when its name does not say
    (``outlook.office365.com`` serves IMAP, POP, EWS and SMTP; ``mail.contoso.com``)."""
    label = normalise_host(host).split(".", 1)[0]
    named = _PROTOCOL_LABEL.fullmatch(label)
    return _LABEL_PROTOCOLS[named.group(1)] if named else None


@lru_cache(maxsize=1024)
def lookup(host: str) -> Provider:
    """The provider serving ``host``; for a host that is a near miss of a Microsoft one
    (``smpt-mail.outlook.com``, ``smtp.office365.con``), that provider marked
    :attr:`Provider.probable`; :data:`OTHER` for any other host."""
    name = normalise_host(host)
    if name in _LOCAL_HOSTS:
        return OTHER
    if is_reserved_name(name):
        return RESERVED
    exact = _exact(name)
    if exact is not None:
        return exact
    if is_placeholder_host(name):
        return PLACEHOLDER
    inbound = _inbound_exchanger(name)
    if inbound is not None:
        return inbound
    near = _near_miss(name)
    if near is not None:
        provider, meant = near
        return dataclasses.replace(provider, meant_host=meant)
    return OTHER


def _exact(name: str) -> Provider | None:
    for provider in PROVIDERS:
        for pattern in provider.hosts:
            if pattern.startswith("*."):
                suffix = pattern[1:]
                if name.endswith(suffix) or name == pattern[2:]:
                    return provider
            elif name == pattern:
                return provider
    return None


# Microsoft's consumer mail domains, whose inbound mail exchangers are named ``mx<n>.<domain>``.
_CONSUMER_MAIL_DOMAINS = frozenset({"hotmail.com", "outlook.com", "live.com", "msn.com"})
_EXCHANGER_LABEL = lazy_pattern(r"mx\d*")


def _inbound_exchanger(name: str) -> Provider | None:
    """Outlook.com's inbound MX for a host named like one of its mail exchangers
    (``mx4.hotmail.com``): it takes mail for its own recipients on 25 without AUTH, as
    Direct Send does, and is no misspelt submission host."""
    labels = name.split(".")
    if (
        len(labels) == 3
        and _EXCHANGER_LABEL.fullmatch(labels[0])
        and ".".join(labels[1:]) in _CONSUMER_MAIL_DOMAINS
    ):
        return _exact("mx.olc.protection.outlook.com")
    return None


# Domains of Microsoft mail hosts, and the host a bare or misspelt domain most likely means.
_MICROSOFT_DOMAINS = {
    "office365.com": "smtp.office365.com",
    "outlook.com": "smtp-mail.outlook.com",
    "office365.us": "smtp.office365.us",
    "hotmail.com": "smtp-mail.outlook.com",
    "live.com": "smtp-mail.outlook.com",
}
_HOST_NAME = lazy_pattern(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)


def _near_miss(name: str) -> tuple[Provider, str] | None:
    """The Microsoft provider and host that ``name`` most likely misspells: one or two
    letters off a host of the table, or a domain one letter off a Microsoft mail domain
    (or the bare domain itself, written for a host). An ``@`` typed for a dot
    (``smtp-mail@outlook.com``) is one letter off, as a host name never holds one."""
    if name.count("@") > 1 or not _HOST_NAME.match(name.replace("@", ".")):
        return None
    best: tuple[int, str] | None = None
    for known in _microsoft_exact_hosts():
        allowed = 2 if len(known) >= 14 else 1
        if abs(len(known) - len(name)) > allowed:
            continue
        distance = _distance(name, known, allowed)
        if distance > allowed or _other_short_domain(name, known):
            continue
        if best is None or distance < best[0]:
            best = (distance, known)
    if best is not None:
        provider = _exact(best[1])
        return (provider, best[1]) if provider is not None else None
    labels = name.split(".")
    domain = ".".join(labels[-2:])
    for known, meant in _MICROSOFT_DOMAINS.items():
        if domain == known:
            # The bare domain written for a host, or another host of the domain
            # (``autodiscover-s.outlook.com``).
            provider = _exact(meant)
            return (provider, meant if len(labels) == 2 else known) if provider else None
        own = known.split(".")[0]
        if len(own) >= _SHORTEST_MISSPELT_DOMAIN and _distance(domain, known, 1) <= 1:
            guess = ".".join([*labels[:-2], known]) if len(labels) > 2 else meant
            provider = _exact(guess) or _exact(meant)
            if provider is not None:
                return provider, guess if _exact(guess) else meant
    return None


# A domain's own name this short is not misspelt but another name when a letter changes
# (``live`` and ``line``, ``love``, ``lives``: other companies' domains).
_SHORTEST_MISSPELT_DOMAIN = 6


def _other_short_domain(name: str, known: str) -> bool:
    """Whether ``name`` differs from ``known`` in the domain's own name (the label before
    the top-level domain) where that name is short: another domain, not a typo of it."""
    labels, known_labels = name.split("."), known.split(".")
    if len(labels) != len(known_labels) or len(labels) < 2:
        return False
    own, known_own = labels[-2], known_labels[-2]
    return own != known_own and len(known_own) < _SHORTEST_MISSPELT_DOMAIN


@lru_cache(maxsize=1)
def _microsoft_exact_hosts() -> tuple[str, ...]:
    return tuple(
        pattern
        for provider in PROVIDERS
        if provider.microsoft
        for pattern in provider.hosts
        if not pattern.startswith("*.")
    )


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance with transpositions (``smpt`` for ``smtp`` is one), up to limit + 1."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, start=1):
            cost = 0 if char == other else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def is_placeholder_host(host: str) -> bool:
    """Whether ``host`` is written as an example to be replaced (``smtp.yourserver.com``)."""
    return is_placeholder_name(normalise_host(host))


HOLE = "{}"


@lru_cache(maxsize=256)
def lookup_template(template: str) -> Provider | None:
    """The provider of a host known only in part, written with ``{}`` for what is not
    known (``{}.office365.com``, ``smtp.zoho.{}``): the providers of the table whose hosts
    it can be, each hole standing for part of one label, when they agree on being
    Microsoft's or not. None when they do not, when none fits, or when the domain's own
    name is a hole (``smtp.{}.com`` could be anyone's)."""
    name = normalise_host(template)
    labels = name.split(".")
    if HOLE not in name or len(labels) < 2 or HOLE in labels[-2]:
        return None
    patterns = [
        re.compile("[^.]*".join(re.escape(piece) for piece in label.split(HOLE)))
        for label in labels
    ]
    # How well each provider fits: its hosts of that shape, a host of its own counting
    # more than a domain it serves (``smtp.office365.{}`` is Microsoft 365's host before
    # a subdomain of GCC High's office365.us).
    fits = [
        (sum(_could_be(patterns, host) * (1 if host[0] == "*" else 2) for host in p.hosts), p)
        for p in PROVIDERS
    ]
    fitting = [(weight, provider) for weight, provider in fits if weight]
    if not fitting or len({provider.microsoft for _, provider in fitting}) > 1:
        return None
    best = max(fitting, key=lambda fit: fit[0])[1]  # ties: the table's order
    return dataclasses.replace(best, partly=f"by its shape {template!r}")


def _could_be(patterns: list[re.Pattern[str]], host: str) -> bool:
    """Whether a host of the table (``*.suffix`` for a domain and its subdomains) can be
    written as the template whose labels ``patterns`` match."""
    wildcard = host.startswith("*.")
    labels = host.removeprefix("*.").split(".")
    if len(patterns) < len(labels) or (len(patterns) > len(labels) and not wildcard):
        return False
    tail = patterns[len(patterns) - len(labels) :]
    return all(pattern.fullmatch(label) for pattern, label in zip(tail, labels, strict=True))


def host_provider(host: Value) -> Provider | None:
    """The provider a host value names: a known host's (:data:`PLACEHOLDER` for a
    placeholder), a template's (:func:`lookup_template`), or, for a host picked at run
    time among several (:attr:`Value.choices`), Microsoft's when any of them is (``mixed``
    when not all are), another provider when all of them are named and none is
    Microsoft's. None when it cannot be known."""
    if host.known:
        value = host.value
        return lookup(value) if isinstance(value, str) and value.strip() else None
    if host.choices is not None:
        return _provider_of_choices(host.choices)
    if host.template is not None:
        return lookup_template(host.template)
    return None


def _provider_of_choices(choices: tuple[Value, ...]) -> Provider | None:
    named = [(choice, host_provider(choice)) for choice in choices]
    microsoft = [(c, p) for c, p in named if p is not None and p.microsoft]
    if microsoft:
        if len(microsoft) == len(named):  # the least certain of them
            return next((p for _, p in microsoft if p.probable), microsoft[0][1])
        choice, provider = microsoft[0]
        shown = choice.value if choice.known else choice.template
        return dataclasses.replace(provider, among=f"when it is {shown!r}")
    if all(p is not None and not p.placeholder for _, p in named):
        return named[0][1] if named else None
    return None


# Microsoft identity platform (Entra ID) hosts that issue tokens, beyond the providers'
# own authority hosts: older and alternative names seen in code.
_AUTHORITY_ALIASES = frozenset(
    {
        "login.windows.net",
        "login.microsoft.com",
        "login.partner.microsoftonline.cn",
        "login.live.com",
        "sts.windows.net",
    }
)


def is_microsoft_authority(host: str) -> bool:
    """Whether ``host`` is a Microsoft token authority (``login.microsoftonline.com``)."""
    name = normalise_host(host)
    return name in _AUTHORITY_ALIASES or any(p.authority_host == name for p in PROVIDERS)


def microsoft_host_names() -> tuple[str, ...]:
    """Host names and domain suffixes of Microsoft providers, for the byte pre-check."""
    names: list[str] = []
    for provider in PROVIDERS:
        if provider.microsoft:
            names.extend(p.removeprefix("*.") for p in provider.hosts)
    return tuple(names)
