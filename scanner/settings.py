"""Mail settings, whatever file they come from, turned into connections of the mail model.

Front ends (config readers, the Python settings source) hand over keyed
:class:`Setting` values with their positions; :func:`interpret` groups them,
recognises the families of mail settings from the data table :data:`FAMILIES`
(Django's ``EMAIL_*``, Flask-Mail's ``MAIL_*``, Airflow's ``[smtp]``, Home
Assistant's ``smtp`` notify, ...) and builds :class:`Connection` objects with the
remedies a fix applies: text edits on the value tokens only, so quotes, comments
and layout stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from urllib.parse import unquote

from . import hints
from .model import (
    MISSING,
    PACKAGE_PREFIX,
    Connection,
    Edit,
    Protocol,
    Remedy,
    RemedyKind,
    SecretUse,
    Span,
    Step,
    StepKind,
    Tls,
    Value,
    Verification,
)
from .providers import host_provider, lookup
from .secrets import is_placeholder
from .settings_backend import (
    DJANGO,
    FLASK_MAIL,
    FLASK_MAILMAN,
    GRAPH_BACKENDS,
    GRAPH_HANDLER_CLASS,
    GRAPH_HANDLER_NOTE,
    HANDLER_CLASS,
    HANDLER_NOTE,
    Backend,
    Project,
    backend_remedy,
    handler_module,
    is_oauth2_backend,
)


@dataclass(frozen=True)
class Setting:
    """One keyed value of a settings file or module.

    ``span`` is the key (where findings about the setting point); ``value.span`` is
    the value. ``token`` is the exact text of the value as written, where an edit
    may replace it (``"465"`` with its quotes, ``True``, ``587``); None when the
    value is not a plain token there (a block scalar, an expression, a string with
    escapes). ``group`` holds settings that belong together: the INI section, the
    YAML/JSON/TOML mapping path (components joined by ``/``), the Python class, or
    the file.
    """

    key: str
    value: Value
    span: Span
    group: str = ""
    token: Span | None = None
    token_text: str = ""
    # An item of a comma-separated list (a JSON object, a Python dict or call): a line
    # added after it needs the comma that separates it from the next item.
    listed: bool = False
    # Where the setting stands on lines of its own (``EMAIL_HOST_PASSWORD = ...``, without
    # the line break), and how a sibling is written there: the text of those lines with
    # ``{key}`` and ``{value}`` in place of the key and the value. A fix replaces the
    # setting by others this way; None and "" where it does not stand alone.
    statement: Span | None = None
    form: str = ""


class Role(str, Enum):
    HOST = "host"
    PORT = "port"
    USER = "user"
    PASSWORD = "password"
    STARTTLS = "starttls"  # true: upgrade with STARTTLS
    IMPLICIT = "implicit"  # true: TLS from the first byte (SMTP_SSL)
    NO_IMPLICIT = "no-implicit"  # true: implicit TLS turned off (Airflow's disable_ssl)
    NO_STARTTLS = "no-starttls"
    ENCRYPTION = "encryption"  # one of starttls / tls / ssl / none
    VERIFY = "verify"  # false: certificate not verified
    SECURE = "secure"  # present: STARTTLS (logging's SMTPHandler ``secure``)
    BACKEND = "backend"  # the sending backend; only SMTP ones connect
    AUTH_TYPE = "auth-type"  # "oauth2" means no password login
    CREDENTIALS = "credentials"  # false: the library does not log in (FastAPI-Mail)
    HANDLER_CLASS = "handler-class"  # a logging handler's class (fileConfig ``class=``)
    CREDENTIAL_PAIR = "credential-pair"  # SMTPHandler's ``(user, password)`` as written


@dataclass(frozen=True)
class Family:
    """One way of writing mail settings.

    Keys are matched case-insensitively. With ``prefixes`` a key is a prefix plus a
    suffix of ``keys``; the prefix may follow an application prefix ending in ``_``
    (``DJANGO_EMAIL_HOST``, ``GF_SMTP_HOST``) and each distinct stem is its own
    connection. Without prefixes the keys are bare names of a mapping (``host``).
    """

    library: str
    keys: Mapping[str, Role]  # upper-case key suffix -> role
    prefixes: tuple[str, ...] = ()
    # The keys the library itself reads; other keys of ``keys`` are common spellings,
    # and a connection that uses one is labelled by its prefix instead of the library.
    canonical: frozenset[str] = frozenset()
    protocol: Protocol = Protocol.SMTP
    group_names: frozenset[str] = frozenset()  # last group component must be one of these
    # The group must hold this key with a value this pattern matches (``platform: smtp``).
    marker: tuple[str, re.Pattern[str]] | None = None
    # A group of bare keys counts as mail settings when its host is a Microsoft one.
    microsoft_host_hint: bool = False
    self_contained: bool = False  # the group is all the library reads: defaults apply
    defaults: Mapping[Role, object] = field(default_factory=dict)
    starttls_default: bool | None = None  # what the library does when no flag says
    default_ports: tuple[int, int] | None = None  # without a port: (implicit TLS, otherwise)
    conflict_possible: bool = True  # the library honours both flags at once (and fails)
    in_python: bool = False  # also read from Python settings modules
    # No library reads these keys as such: they are constants some code hands to a mail
    # library. In Python, where that code may be the next line, a password counts as a
    # login only for a Microsoft host (as in a ``.env``).
    generic: bool = False
    # Bare member names (``host``, ``port``): read inside a mapping (a config file, a
    # Python dict literal), never as Python module constants or class attributes.
    mapping_only: bool = False
    # Keys only this library reads: the group must hold one (FastAPI-Mail's MAIL_SSL_TLS).
    signature: frozenset[str] = frozenset()
    # The key (after the stem) a fix adds to turn STARTTLS on when the group has none.
    starttls_key: str = ""
    oauth_hint: str = ""
    log_handler: bool = False  # a logging handler that mails records (its login is AS103's)


def _keys(**roles: Iterable[str]) -> dict[str, Role]:
    table: dict[str, Role] = {}
    for role, names in roles.items():
        for name in names:
            table[name.upper()] = Role[role.upper()]
    return table


_GENERIC_SMTP_KEYS = _keys(
    host=("HOST", "SERVER", "HOSTNAME", "ADDRESS"),
    port=("PORT",),
    user=("USER", "USERNAME", "USER_NAME", "LOGIN"),
    password=("PASSWORD", "PASS", "PASSWD", "PWD"),
    starttls=("STARTTLS", "USE_STARTTLS", "START_TLS", "USE_TLS", "TLS", "ENABLE_STARTTLS"),
    implicit=("SSL", "USE_SSL", "SECURE", "SMTPS", "IMPLICIT_TLS"),
    encryption=("ENCRYPTION", "SECURITY"),
    verify=("VERIFY_SSL", "SSL_VERIFY", "VERIFY_CERTS", "VALIDATE_CERTS", "TLS_VERIFY"),
    auth_type=("AUTH_TYPE", "AUTH_METHOD"),
)
_AIRFLOW_KEYS = _keys(
    host=("HOST",),
    port=("PORT",),
    user=("USER",),
    password=("PASSWORD",),
    starttls=("STARTTLS",),
    implicit=("SSL",),
)
_AIRFLOW_DEFAULTS = {Role.HOST: "localhost", Role.PORT: 25}
_MAIL_GROUPS = frozenset(
    {
        "email",
        "mail",
        "smtp",
        "mailer",
        "smtp_settings",
        "email_settings",
        "mail_settings",
        "smtp_config",
        "email_config",
        "mail_config",
        "mailserver",
        "mail_server",
        "outgoing_mail",
        "imap",
        "pop",
        "pop3",
    }
)

_FASTAPI_MAIL_KEYS = _keys(
    host=("MAIL_SERVER",),
    port=("MAIL_PORT",),
    user=("MAIL_USERNAME",),
    password=("MAIL_PASSWORD",),
    # MAIL_TLS / MAIL_SSL before FastAPI-Mail 1.2.
    starttls=("MAIL_STARTTLS", "MAIL_TLS"),
    implicit=("MAIL_SSL_TLS", "MAIL_SSL"),
    verify=("VALIDATE_CERTS",),
    credentials=("USE_CREDENTIALS",),
)

# The table. Order matters: a key is claimed by the first family that matches it.
FAMILIES: tuple[Family, ...] = (
    # FastAPI-Mail's ``ConnectionConfig`` (a pydantic settings class): aiosmtplib with
    # use_tls=MAIL_SSL_TLS, start_tls=MAIL_STARTTLS, validate_certs=VALIDATE_CERTS, and a
    # login only when USE_CREDENTIALS (default True).
    Family(
        library="fastapi-mail",
        keys=_FASTAPI_MAIL_KEYS,
        canonical=frozenset(_FASTAPI_MAIL_KEYS),
        signature=frozenset(
            {"MAIL_STARTTLS", "MAIL_SSL_TLS", "MAIL_TLS", "MAIL_SSL", "USE_CREDENTIALS"}
        ),
        defaults={Role.VERIFY: True, Role.CREDENTIALS: True},
        in_python=True,
        starttls_key="MAIL_STARTTLS",
        oauth_hint=hints.FASTAPI_MAIL,
    ),
    Family(
        library="django-settings",
        prefixes=("EMAIL_",),
        keys=_keys(
            host=("HOST", "SERVER"),
            port=("PORT",),
            user=("HOST_USER", "USER", "USERNAME"),
            password=("HOST_PASSWORD", "PASSWORD"),
            starttls=("USE_TLS",),
            implicit=("USE_SSL",),
            backend=("BACKEND",),
        ),
        canonical=frozenset(
            {"HOST", "PORT", "HOST_USER", "HOST_PASSWORD", "USE_TLS", "USE_SSL", "BACKEND"}
        ),
        defaults={Role.HOST: "localhost", Role.PORT: 25},
        starttls_default=False,
        in_python=True,
        starttls_key="USE_TLS",
        oauth_hint=hints.DJANGO,
    ),
    Family(
        library="flask-mail",
        prefixes=("MAIL_",),
        keys=_keys(
            host=("SERVER", "HOST"),
            port=("PORT",),
            user=("USERNAME", "USER"),
            password=("PASSWORD",),
            starttls=("USE_TLS",),
            implicit=("USE_SSL",),
            backend=("BACKEND",),
        ),
        canonical=frozenset(
            {"SERVER", "PORT", "USERNAME", "PASSWORD", "USE_TLS", "USE_SSL", "BACKEND"}
        ),
        defaults={Role.HOST: "127.0.0.1", Role.PORT: 25},
        starttls_default=False,
        in_python=True,
        starttls_key="USE_TLS",
        oauth_hint=hints.FLASK_MAIL,
    ),
    # Airflow's ``[smtp]`` section (airflow.cfg, or ``config.smtp`` of the Helm chart).
    Family(
        library="airflow",
        prefixes=("SMTP_",),
        keys=_AIRFLOW_KEYS,
        canonical=frozenset(_AIRFLOW_KEYS),
        group_names=frozenset({"smtp"}),
        self_contained=True,
        defaults=_AIRFLOW_DEFAULTS,
        starttls_default=True,
    ),
    Family(
        library="airflow",
        prefixes=("AIRFLOW__SMTP__SMTP_",),
        keys=_AIRFLOW_KEYS,
        canonical=frozenset(_AIRFLOW_KEYS),
        defaults=_AIRFLOW_DEFAULTS,
        starttls_default=True,
    ),
    # An Airflow SMTP provider connection (JSON/YAML export): SMTP_SSL unless disable_ssl.
    Family(
        library="airflow-smtp-connection",
        keys=_keys(
            host=("HOST",),
            port=("PORT",),
            user=("LOGIN",),
            password=("PASSWORD",),
            no_implicit=("EXTRA.DISABLE_SSL",),
            no_starttls=("EXTRA.DISABLE_TLS",),
            auth_type=("EXTRA.AUTH_TYPE",),
        ),
        marker=("conn_type", re.compile(r"(?i)^(?:smtp|email)$")),
        self_contained=True,
        defaults={Role.HOST: "localhost"},
        starttls_default=True,
        default_ports=(465, 587),
        conflict_possible=False,
    ),
    Family(
        library="home-assistant",
        keys=_keys(
            host=("SERVER",),
            port=("PORT",),
            user=("USERNAME",),
            password=("PASSWORD",),
            encryption=("ENCRYPTION",),
            verify=("VERIFY_SSL",),
        ),
        marker=("platform", re.compile(r"(?i)smtp")),
        self_contained=True,
        defaults={
            Role.HOST: "localhost",
            Role.PORT: 587,
            Role.ENCRYPTION: "starttls",
            Role.VERIFY: True,
        },
        oauth_hint=hints.HOME_ASSISTANT,
    ),
    Family(
        library="logging.handlers.SMTPHandler",
        keys=_keys(
            host=("MAILHOST", "MAILHOST.0"),
            port=("MAILHOST.1",),
            user=("CREDENTIALS.0",),
            password=("CREDENTIALS.1",),
            secure=("SECURE",),
            handler_class=("CLASS",),
            credential_pair=("CREDENTIALS",),
        ),
        marker=("class", re.compile(r"(?:^|\.)SMTPHandler$")),
        self_contained=True,
        defaults={Role.PORT: 25},
        oauth_hint=hints.SMTP_HANDLER,
        log_handler=True,
    ),
    Family(
        library="IMAP settings",
        prefixes=("IMAP_",),
        keys=_GENERIC_SMTP_KEYS,
        protocol=Protocol.IMAP,
        in_python=True,
        generic=True,
    ),
    Family(
        library="SMTP settings",
        prefixes=("SMTP_", "MAILER_"),
        keys=_GENERIC_SMTP_KEYS,
        in_python=True,
        generic=True,
    ),
    # ``email: {host: ..., port: ..., username: ..., password: ...}`` and the like.
    Family(
        library="mail settings",
        keys={
            **_GENERIC_SMTP_KEYS,
            **_keys(
                host=("SMTP_HOST", "SMTP_SERVER", "MAIL_SERVER", "MAILHOST"),
                port=("SMTP_PORT",),
                user=("SMTP_USER", "SMTP_USERNAME"),
                password=("SMTP_PASSWORD",),
                starttls=("ENABLE_STARTTLS_AUTO", "STARTTLS_ENABLED"),
                implicit=("SSL_ENABLED", "USE_SMTPS"),
                verify=("VERIFY",),
            ),
        },
        group_names=_MAIL_GROUPS,
        microsoft_host_hint=True,
        in_python=True,
        generic=True,
        mapping_only=True,
    ),
)

_MARKER_KEYS = frozenset(f.marker[0] for f in FAMILIES if f.marker)
_TRUE = frozenset({"true", "yes", "on", "1", "y", "t", "enabled"})
_FALSE = frozenset({"false", "no", "off", "0", "n", "f", "disabled", "none", ""})
_BOOL_WORDS = (
    ("true", "false"),
    ("yes", "no"),
    ("on", "off"),
    ("1", "0"),
    ("y", "n"),
    ("t", "f"),
    ("enabled", "disabled"),
)
_OAUTH = re.compile(r"(?i)x?oauth")
_HOST_PORT = re.compile(r"^(?P<host>[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")
# A line that may be copied to add a sibling setting: what may stand before the key
# (indentation, a compose list dash, ``export``, the quote of a quoted key) and between
# the key and the value (``=``, ``:``, a Python annotation, the value's opening quote).
_LEAD = re.compile(r"[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?(?P<quote>['\"]?)")
_SEPARATOR = re.compile(
    r"(?P<close>['\"]?)[ \t]*(?::[ \t]*(?P<annotation>[A-Za-z_][\w.\[\], |]*?)[ \t]*=|[:=])"
    r"[ \t]*(?P<open>['\"]?)"
)

# Settings that are one URL: dj-email-url's (and django-environ's) ``EMAIL_URL``, read
# into Django's EMAIL_* settings, and Airflow's ``AIRFLOW_CONN_<ID>`` connection URIs.
_URL_KEY = re.compile(r"(?i)(?:^|_)EMAIL_URL$|^AIRFLOW_CONN_")
_EMAIL_URL_TLS = {
    "smtp": (False, False),
    "smtps": (True, False),  # dj-email-url: smtps means EMAIL_USE_TLS (STARTTLS)
    "smtp+tls": (True, False),
    "submission": (True, False),
    "submit": (True, False),
    "smtp+ssl": (False, True),
}
_URL_TRUE = frozenset({"1", "y", "yes", "t", "true", "on"})


@lru_cache(maxsize=4096)
def _match(index: int, key: str) -> tuple[str, Role, str] | None:
    """(stem, role, suffix) of ``key`` in family ``index``, or None."""
    family = FAMILIES[index]
    upper = key.upper()
    if not family.prefixes:
        role = family.keys.get(upper)
        return ("", role, upper) if role else None
    for prefix in family.prefixes:
        at = upper.find(prefix)
        while at >= 0:
            if at == 0 or upper[at - 1] == "_":
                suffix = upper[at + len(prefix) :]
                role = family.keys.get(suffix)
                if role is not None:
                    return upper[: at + len(prefix)], role, suffix
            at = upper.find(prefix, at + 1)
    return None


@lru_cache(maxsize=8192)
def is_setting_key(key: str, *, mapping: bool = True) -> bool:
    """Whether a key can matter to :func:`interpret` (readers skip the others).
    ``mapping``: the key is a member of a mapping; False for a Python module constant
    or class attribute, where bare names (``HOST``) mean nothing about mail."""
    if _URL_KEY.search(key):
        return True
    if mapping and key.lower() in _MARKER_KEYS:
        return True
    return any(
        _match(i, key) is not None
        for i, family in enumerate(FAMILIES)
        if mapping or not family.mapping_only
    )


def is_prefixed_key(key: str) -> bool:
    """A key of a prefixed family (``EMAIL_HOST``, ``smtp_port``), not a bare name."""
    return any(_match(i, key) is not None for i, f in enumerate(FAMILIES) if f.prefixes)


@dataclass
class Interpretation:
    connections: list[Connection] = field(default_factory=list)
    secrets: list[SecretUse] = field(default_factory=list)


def interpret(
    settings: Iterable[Setting],
    *,
    complete: bool = False,
    login_needs_microsoft_host: bool = False,
    python: bool = False,
    bool_words: tuple[str, str] = ("true", "false"),
    text: str | None = None,
    project: Project | None = None,
) -> Interpretation:
    """Connections and literal secrets that ``settings`` describe.

    ``complete``: the groups hold everything the library reads (a settings module),
    so library defaults fill in missing keys; otherwise (an environment file, a
    compose ``environment:`` block) a missing key is unknown. ``login_needs_microsoft_host``:
    report a password login only for a Microsoft host (a ``.env`` has no call that
    proves a login). ``python``: only families a Python settings module can hold.
    ``bool_words``: how to write a flag whose current token has no recognisable style.
    ``text``: the file's text, where a fix may add a missing flag as a copy of a sibling's
    line; without it fixes only edit values. ``project``: where the file is in its project,
    for fixes that add a module to it (the OAuth2 email backend); none without it.
    """
    result = Interpretation()
    groups: dict[str, list[Setting]] = {}
    urls: set[str] = set()
    for setting in settings:
        expanded = _url_settings(setting)
        if expanded:
            # The URL is everything the library reads: a group of its own, defaults apply.
            group = f"{setting.group}/{setting.key}"
            urls.add(group)
            groups.setdefault(group, []).extend(expanded)
            continue
        groups.setdefault(setting.group, []).append(setting)
    context = _Context(login_needs_microsoft_host, python, bool_words, text, project)
    for group, items in groups.items():
        _interpret_group(group, items, result, complete or group in urls, context)
    return result


@dataclass(frozen=True)
class _Context:
    login_needs_microsoft_host: bool
    python: bool
    bool_words: tuple[str, str]
    text: str | None
    project: Project | None = None


def _interpret_group(
    group: str,
    items: list[Setting],
    result: Interpretation,
    complete: bool,
    context: _Context,
) -> None:
    last = group.rsplit("/", 1)[-1].lower()
    by_key = {s.key.lower(): s for s in items}
    claimed: set[int] = set()
    for index, family in enumerate(FAMILIES):
        if context.python and not family.in_python:
            continue
        if family.signature and not any(key.upper() in family.signature for key in by_key):
            continue
        if family.marker is not None:
            key, pattern = family.marker
            marker = by_key.get(key)
            if marker is None or not (
                marker.value.known and pattern.search(str(marker.value.value))
            ):
                continue
        stems: dict[str, dict[Role, tuple[Setting, str]]] = {}
        for setting in items:
            if id(setting) in claimed:
                continue
            found = _match(index, setting.key)
            if found is not None:
                stem, role, suffix = found
                # A later assignment of the same role wins, as it does at run time.
                stems.setdefault(stem, {})[role] = (setting, suffix)
        for stem, matched in stems.items():
            roles = {role: setting for role, (setting, _) in matched.items()}
            if not _is_mail_group(family, last, roles):
                continue
            library = family.library
            if family.prefixes and (
                not family.canonical
                or any(suffix not in family.canonical for _, suffix in matched.values())
            ):
                library = f"{stem.rstrip('_')}_* settings"
            built = _Builder(
                family,
                library,
                roles,
                stem=stem,
                defaults=family.self_contained or complete,
                context=context,
                protocol=_protocol(family, last, roles),
            ).build(context.login_needs_microsoft_host or (context.python and family.generic))
            if built is None:
                continue
            conn, secrets = built
            result.connections.append(conn)
            result.secrets.extend(secrets)
            claimed.update(id(s) for s in roles.values())


_CONNECTION_ROLES = frozenset(
    {Role.HOST, Role.PORT, Role.USER, Role.PASSWORD, Role.STARTTLS, Role.IMPLICIT, Role.ENCRYPTION}
)


def _is_mail_group(family: Family, last: str, roles: Mapping[Role, Setting]) -> bool:
    """A group needs a host hint before anything is reported: the family's marker
    (``platform: smtp``), a Microsoft host, or a mail-shaped group (a mail-named
    mapping, or keys of a prefixed family) with a host or two connection settings."""
    if family.marker is not None:
        return True
    if family.group_names and last not in family.group_names:
        return family.microsoft_host_hint and _microsoft_host(roles.get(Role.HOST))
    present = _CONNECTION_ROLES & set(roles)
    return Role.HOST in roles or len(present) >= 2


def _microsoft_host(setting: Setting | None) -> bool:
    if setting is None:
        return False
    value = setting.value
    return value.known and isinstance(value.value, str) and lookup(value.value).microsoft


def _protocol(family: Family, last: str, roles: Mapping[Role, Setting]) -> Protocol:
    if family.protocol is not Protocol.SMTP or family.prefixes or family.marker:
        return family.protocol
    # Bare ``host``/``port`` keys: the group name or the port tells the protocol.
    if "imap" in last:
        return Protocol.IMAP
    if last.startswith("pop"):
        return Protocol.POP
    port = roles.get(Role.PORT)
    number = _as_int(port.value) if port else None
    if number in (993, 143):
        return Protocol.IMAP
    if number in (995, 110):
        return Protocol.POP
    return Protocol.SMTP


def _url_settings(setting: Setting) -> list[Setting]:
    """The settings a mail URL stands for (``smtp+tls://user:pw@host:587``), each part
    with its own span where the URL is written plainly; [] for anything else."""
    value = setting.value
    if not (_URL_KEY.search(setting.key) and value.known and isinstance(value.value, str)):
        return []
    url = value.value.strip()
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    airflow = setting.key.upper().startswith("AIRFLOW_CONN_")
    if not sep or scheme not in (("smtp", "email") if airflow else _EMAIL_URL_TLS):
        return []
    base = _url_offset(setting, url)
    at = base + len(scheme) + 3 if base >= 0 else -1  # where ``rest`` starts in the token

    def part(key: str, item: object, start: int, end: int, *, editable: bool = False) -> Setting:
        token = setting.token
        span = value.span
        if at >= 0 and token is not None:
            first, last = token.start + at + start, token.start + at + end
            column = token.column + at + start
            span = Span(token.line, column, token.line, column + end - start, first, last)
        exact = span is not value.span
        written = url[len(scheme) + 3 + start : len(scheme) + 3 + end]
        # The parts keep the URL's origin and literalness: a password written in a .env
        # URL is a literal one.
        part_value = Value(True, item, value.origin, span, value.literal, span, written)
        if editable and exact:
            return Setting(key, part_value, span, setting.group, span, written)
        return Setting(key, part_value, span or setting.span, setting.group)

    netloc_end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    userinfo, has_user, hostport = rest[:netloc_end].rpartition("@")
    host_at = len(userinfo) + 1 if has_user else 0
    host, colon, port = hostport.rpartition(":")
    if not colon or not port.isdigit():
        host, port = hostport, ""
    names = (
        ("host", "port", "login", "password")
        if airflow
        else ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD")
    )
    scheme_at = (-len(scheme) - 3, -3)
    found = [part("conn_type", scheme, *scheme_at)] if airflow else []
    found.append(part(names[0], unquote(host), host_at, host_at + len(host)))
    if port:
        start = host_at + len(host) + 1
        found.append(part(names[1], int(port), start, start + len(port), editable=True))
    elif scheme in ("submission", "submit"):
        found.append(part(names[1], 587, *scheme_at))
    if has_user:
        user, has_password, password = userinfo.partition(":")
        found.append(part(names[2], unquote(user), 0, len(user)))
        if has_password:
            start = len(user) + 1
            found.append(part(names[3], unquote(password), start, start + len(password)))
    flags: dict[str, Setting] = {}
    if not airflow:
        tls, ssl = _EMAIL_URL_TLS[scheme]
        flags["EMAIL_USE_TLS"] = part("EMAIL_USE_TLS", tls, *scheme_at)
        flags["EMAIL_USE_SSL"] = part("EMAIL_USE_SSL", ssl, *scheme_at)
    query_at = rest.find("?", netloc_end)
    offset = query_at + 1
    for pair in rest[offset:].split("#", 1)[0].split("&") if query_at >= 0 else ():
        name, _, raw = pair.partition("=")
        start = offset + len(name) + 1
        offset += len(pair) + 1
        if airflow:
            found.append(part(f"extra.{unquote(name)}", unquote(raw), start, start + len(raw)))
        elif name.lower() in ("ssl", "tls") and raw.lower() in _URL_TRUE:
            # dj-email-url: ?ssl=true also turns EMAIL_USE_TLS off, ?tls=true EMAIL_USE_SSL.
            on, off = ("EMAIL_USE_SSL", "EMAIL_USE_TLS")[:: 1 if name.lower() == "ssl" else -1]
            flags[on] = part(on, True, start, start + len(raw))
            flags[off] = part(off, False, start, start + len(raw))
    return found + list(flags.values())


def _url_offset(setting: Setting, url: str) -> int:
    """Where the URL starts in the setting's token as written (one line), or -1."""
    token = setting.token
    if token is None or token.line != token.end_line:
        return -1
    return setting.token_text.find(url)


def _as_int(value: Value) -> int | None:
    if not value.known or isinstance(value.value, bool):
        return None
    if isinstance(value.value, int):
        return value.value
    if isinstance(value.value, str) and value.value.strip().isdigit():
        return int(value.value.strip())
    return None


def _as_bool(value: Value) -> bool | None:
    if not value.known:
        return None
    raw = value.value
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        return bool(raw)
    if isinstance(raw, (tuple, list)):
        return True  # SMTPHandler's ``secure=()``: present means STARTTLS
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


class _Builder:
    """Builds one connection from the settings one family recognised in one group."""

    def __init__(
        self,
        family: Family,
        library: str,
        roles: dict[Role, Setting],
        *,
        stem: str,
        defaults: bool,
        context: _Context,
        protocol: Protocol,
    ) -> None:
        self.family = family
        self.library = library
        self.roles = roles
        self.stem = stem
        self.defaults = family.defaults if defaults else {}
        self.bool_words = context.bool_words
        self.python = context.python
        self.text = context.text
        self.project = context.project
        self.protocol = protocol
        backend = roles.get(Role.BACKEND)
        # The OAuth2 backend a fix wrote: STARTTLS and XOAUTH2, whatever the flags say.
        self.oauth2_backend = (
            backend is not None and backend.value.known and is_oauth2_backend(backend.value.value)
        )

    def flag(self, role: Role) -> bool | None:
        setting = self.roles.get(role)
        if setting is not None:
            return _as_bool(setting.value)
        default = self.defaults.get(role)
        return default if isinstance(default, bool) else None

    def build(self, login_needs_microsoft_host: bool) -> tuple[Connection, list[SecretUse]] | None:
        backend = self.roles.get(Role.BACKEND)
        if backend is not None and backend.value.known and not self.oauth2_backend:
            name = str(backend.value.value)
            if not (name.endswith("smtp.EmailBackend") or name == "smtp"):
                return None  # console, file, locmem or another custom backend
        host, port = self._host_and_port()
        tls, implicit, starttls = self._tls()
        if self.oauth2_backend and not (implicit and starttls):
            tls, implicit, starttls = Tls.STARTTLS, False, True
        opened_at = (
            self.roles[Role.HOST].span
            if Role.HOST in self.roles
            else min((s.span for s in self.roles.values()), key=lambda s: s.start)
        )
        if port is None:
            port = self._default_port(implicit)
        conn = Connection(
            protocol=self.protocol,
            library=self.library,
            host=host,
            port=port,
            tls=tls,
            opened_at=opened_at,
            oauth_hint=self.family.oauth_hint,
            log_handler=self.family.log_handler,
        )
        if implicit and starttls and self.family.conflict_possible:
            source = self.roles.get(Role.IMPLICIT)
            conn.tls_conflict = source.span if source else opened_at
            conflict = self._edits_implicit_off()
            if conflict:
                conn.remedies[RemedyKind.RESOLVE_TLS_CONFLICT] = Remedy(tuple(conflict))
        self._verification(conn)
        self._remedies(conn, implicit)
        secrets = self._login(conn, login_needs_microsoft_host)
        return conn, secrets

    # Host, port, TLS.

    def _host_and_port(self) -> tuple[Value, Value | None]:
        setting = self.roles.get(Role.HOST)
        port_setting = self.roles.get(Role.PORT)
        port = None
        if port_setting is not None:
            number = _as_int(port_setting.value)
            value = port_setting.value
            port = (
                Value(
                    True,
                    number,
                    value.origin,
                    value.span,
                    value.literal,
                    value.literal_span,
                    value.source,
                )
                if number is not None
                else Value.unknown(value.origin, value.span, source=value.source)
            )
        if setting is None:
            default = self.defaults.get(Role.HOST)
            return (Value.of(default) if default else MISSING), port
        host = setting.value
        if host.known and isinstance(host.value, str):
            text = host.value.strip()
            both = _HOST_PORT.match(text)
            if both and port is None:
                # ``smtp.office365.com:587`` (Grafana and others write host and port in one).
                port = Value(True, int(both["port"]), host.origin, host.span)
                text = both["host"]
            host = Value(True, text, host.origin, host.span, host.literal, host.literal_span)
        elif host.known and host.value in (None, ""):
            default = self.defaults.get(Role.HOST)
            host = Value.of(default, host.span) if default else MISSING
        elif host.known:
            host = Value.unknown(host.origin, host.span, source=host.source)  # a list, a number
        return host, port

    def _default_port(self, implicit: bool | None) -> Value:
        default = self.defaults.get(Role.PORT)
        if default is not None:
            return Value.of(default)
        if self.family.default_ports and self.defaults and implicit is not None:
            return Value.of(self.family.default_ports[0 if implicit else 1])
        return MISSING

    def _tls(self) -> tuple[Tls, bool | None, bool | None]:
        """The TLS mode, and whether implicit TLS and STARTTLS are each asked for."""
        encryption = self.roles.get(Role.ENCRYPTION)
        if encryption is not None or Role.ENCRYPTION in self.defaults:
            value = encryption.value if encryption else Value.of(self.defaults[Role.ENCRYPTION])
            mode = str(value.value).strip().lower() if value.known else None
            if mode in ("tls", "ssl", "smtps", "ssl/tls"):
                return Tls.IMPLICIT, True, False
            if mode == "starttls":
                return Tls.STARTTLS, False, True
            if mode in ("none", "", "plain", "false"):
                return Tls.NONE, False, False
            return Tls.UNKNOWN, None, None
        if Role.SECURE in self.family.keys.values():
            # SMTPHandler: plain SMTP, STARTTLS only when ``secure`` is given (not None).
            secure = self.flag(Role.SECURE) if Role.SECURE in self.roles else False
            tls = Tls.UNKNOWN if secure is None else Tls.STARTTLS if secure else Tls.NONE
            return tls, False, secure
        implicit = self.flag(Role.IMPLICIT)
        if Role.NO_IMPLICIT in self.family.keys.values():
            off = self.flag(Role.NO_IMPLICIT)
            implicit = (not off) if off is not None else (True if self.defaults else None)
        starttls = self.flag(Role.STARTTLS)
        if Role.NO_STARTTLS in self.family.keys.values():
            off = self.flag(Role.NO_STARTTLS)
            starttls = (not off) if off is not None else (True if self.defaults else None)
        if starttls is None and Role.STARTTLS not in self.roles and self.defaults:
            starttls = self.family.starttls_default
        if implicit is None and Role.IMPLICIT not in self.roles and self.defaults:
            implicit = False if Role.IMPLICIT in self.family.keys.values() else None
        if implicit and starttls and self.family.conflict_possible:
            return Tls.UNKNOWN, implicit, starttls
        if implicit:
            return Tls.IMPLICIT, implicit, starttls
        if implicit is False and starttls:
            return Tls.STARTTLS, implicit, starttls
        if implicit is False and starttls is False:
            return Tls.NONE, implicit, starttls
        return Tls.UNKNOWN, implicit, starttls

    def _verification(self, conn: Connection) -> None:
        setting = self.roles.get(Role.VERIFY)
        if setting is None or _as_bool(setting.value) is not False:
            return
        fix = self._edit(setting, True)
        remedies = {RemedyKind.VERIFY_TLS: Remedy((fix,))} if fix else {}
        if conn.tls is Tls.IMPLICIT:
            conn.verification = Verification.UNVERIFIED
            conn.remedies.update(remedies)
        elif conn.tls is Tls.STARTTLS:
            conn.steps.append(
                Step(
                    StepKind.STARTTLS,
                    setting.span,
                    verification=Verification.UNVERIFIED,
                    remedies=dict(remedies),
                )
            )

    # Remedies: edits of value tokens.

    def _edit(self, setting: Setting, new: object) -> Edit | None:
        if setting.token is None:
            return None
        text = setting.token_text
        quote = ""
        if len(text) >= 2 and text[0] in "'\"" and text[-1] == text[0]:
            quote = text[0]
        body = text[len(quote) : len(text) - len(quote)] if quote else text
        if isinstance(new, bool):
            replacement = _bool_word(body, new, self.bool_words)
        else:
            replacement = str(new)
        if replacement == body:
            return None
        return Edit(setting.token.start, setting.token.end, f"{quote}{replacement}{quote}")

    def _edits_implicit_off(self) -> list[Edit] | None:
        """Edits that turn implicit TLS off, or None when that cannot be written."""
        edits: list[Edit] = []
        implicit = self.roles.get(Role.IMPLICIT)
        no_implicit = self.roles.get(Role.NO_IMPLICIT)
        encryption = self.roles.get(Role.ENCRYPTION)
        if encryption is not None:
            edit = self._edit(encryption, "starttls")
            return [edit] if edit else None
        if implicit is not None and _as_bool(implicit.value):
            edit = self._edit(implicit, False)
            if edit is None:
                return None
            edits.append(edit)
        elif Role.NO_IMPLICIT in self.family.keys.values():
            if no_implicit is None:
                return None  # the key would have to be added
            if not _as_bool(no_implicit.value):
                edit = self._edit(no_implicit, True)
                if edit is None:
                    return None
                edits.append(edit)
        return edits

    def _edits_starttls_on(self) -> list[Edit] | None:
        """Edits that turn STARTTLS on; [] when it is on already or by default."""
        starttls = self.roles.get(Role.STARTTLS)
        no_starttls = self.roles.get(Role.NO_STARTTLS)
        if starttls is not None:
            if _as_bool(starttls.value):
                return []
            edit = self._edit(starttls, True)
            return [edit] if edit else None
        if no_starttls is not None:
            if _as_bool(no_starttls.value) is False:
                return []
            edit = self._edit(no_starttls, False)
            return [edit] if edit else None
        if Role.STARTTLS in self.family.keys.values() and self.family.starttls_default is not True:
            # STARTTLS is off unless a key that is not there says otherwise: add it, where
            # whether implicit TLS is on is known (a flag elsewhere could conflict).
            implicit = self.roles.get(Role.IMPLICIT)
            if implicit is not None and _as_bool(implicit.value) is None:
                return None
            if (
                implicit is None
                and Role.IMPLICIT in self.family.keys.values()
                and not self.defaults
            ):
                return None
            added = self._add_flag(self.family.starttls_key)
            return [added] if added else None
        return []

    def _add_flag(self, name: str) -> Edit | None:
        """A new line that turns the flag ``stem + name`` on, right after the line of the
        implicit TLS flag (or of the port): a copy of that line with the key and value
        replaced, so indentation, quoting and separator are the file's own. None where a
        copy would not clearly be right (no text, key and value on different lines, the
        value an expression, something else on the line, the last item of a list)."""
        anchor = self.roles.get(Role.IMPLICIT) or self.roles.get(Role.PORT)
        text = self.text
        if not name or anchor is None or anchor.token is None or text is None:
            return None
        key, token = anchor.span, anchor.token
        value = anchor.value.span
        if value is None or not (value.start <= token.start and token.end <= value.end):
            return None
        if text[value.start : value.end].strip("'\"") != anchor.token_text.strip("'\""):
            return None  # the value is an expression around the literal (env(..., default=))
        line_start = text.rfind("\n", 0, key.start) + 1
        line_end = text.find("\n", token.end)
        line_end = len(text) if line_end < 0 else line_end
        if text[line_end - 1 : line_end] == "\r":
            line_end -= 1
        lead = _LEAD.fullmatch(text, line_start, key.start)
        separator = _SEPARATOR.fullmatch(text, key.end, token.start)
        key_text = text[key.start : key.end]
        if (
            lead is None
            or separator is None
            or lead["quote"] != separator["close"]
            or anchor.key not in key_text
        ):
            return None
        open_quote = separator["open"]
        rest = text[token.end : line_end]
        if not rest.startswith(open_quote):
            return None
        rest = rest[len(open_quote) :].strip()
        comma = rest.startswith(",")
        if comma:
            rest = rest[1:].strip()
        elif anchor.listed:
            return None  # the last item of a list: no comma would separate the new one
        if rest and not rest.startswith("#" if self.python else ("#", ";")):
            return None
        is_flag = anchor is self.roles.get(Role.IMPLICIT)
        body = anchor.token_text
        quote = body[0] if len(body) >= 2 and body[0] in "'\"" and body[-1] == body[0] else ""
        if quote and self.python and not is_flag:
            quote = ""  # a port written as a string: the flag is a real bool
        word = self.bool_words[0]  # after a port: the file's style
        if is_flag:
            # The implicit TLS flag's own style: ``yes``, ``1``, ``True``.
            word = _bool_word(body.strip("'\""), True, self.bool_words)
        written = anchor.key[len(self.stem) :]
        new_key = anchor.key[: len(self.stem)] + (name.lower() if written.islower() else name)
        between = text[key.end : token.start]
        if separator["annotation"] and not is_flag:
            at = separator.start("annotation") - key.end
            between = between[:at] + "bool" + between[separator.end("annotation") - key.end :]
        line = (
            text[line_start : key.start]
            + key_text.replace(anchor.key, new_key, 1)
            + between
            + f"{quote}{word}{quote}{open_quote}"
            + ("," if comma else "")
        )
        return Edit(line_end, line_end, "\n" + line)

    def _use_starttls(self) -> list[Edit] | None:
        """Implicit TLS -> STARTTLS in the same family."""
        if Role.ENCRYPTION in self.roles:
            return self._edits_implicit_off()
        off = self._edits_implicit_off()
        on = self._edits_starttls_on()
        if off is None or on is None or not off:
            return None
        return off + on

    def _remedies(self, conn: Connection, implicit: bool | None) -> None:
        if implicit:
            switch = self._use_starttls()
            if switch:
                conn.remedies[RemedyKind.USE_STARTTLS] = Remedy(tuple(switch))
        port = self.roles.get(Role.PORT)
        if port is None:
            return
        edit = self._edit(port, 587)
        if edit is None:
            return
        if implicit:
            rest = self._use_starttls()
        elif Role.SECURE in self.family.keys.values():
            rest = []  # SMTPHandler: STARTTLS is the ``secure`` argument, not a flag
        else:
            rest = self._edits_starttls_on()
            if rest is None:
                rest = []  # the port still changes; AS203 speaks for the missing STARTTLS
        if rest is None:
            return
        conn.remedies[RemedyKind.PORT_587] = Remedy((edit, *rest))

    # Authentication and secrets.

    def _login(self, conn: Connection, login_needs_microsoft_host: bool) -> list[SecretUse]:
        password_setting = self.roles.get(Role.PASSWORD)
        if password_setting is None:
            return []
        secret = _secret_value(password_setting.value)
        provider = host_provider(conn.host)
        host_known = provider is not None and not provider.placeholder
        microsoft = provider is not None and provider.microsoft
        secrets = []
        if (
            secret.literal
            and isinstance(secret.value, str)
            and secret.value
            and not is_placeholder(secret.value)
            and (microsoft or not host_known)
        ):
            secrets.append(SecretUse(secret, password_setting.key, password_setting.span))
        auth = self.roles.get(Role.AUTH_TYPE)
        if auth is not None and auth.value.known and _OAUTH.search(str(auth.value.value)):
            return secrets
        if not secret.present or (login_needs_microsoft_host and not microsoft):
            return secrets
        if self.flag(Role.CREDENTIALS) is False:
            return secrets  # FastAPI-Mail's USE_CREDENTIALS=False: no login() call
        user_setting = self.roles.get(Role.USER)
        user = _secret_value(user_setting.value) if user_setting else MISSING
        if user.known and user.value in (None, ""):
            return secrets  # every library skips login() without a user name
        if self.oauth2_backend:
            conn.steps.append(Step(StepKind.AUTH, password_setting.span, mechanism="XOAUTH2"))
            return secrets  # the backend signs in with XOAUTH2; the password is not used
        secret = self._where_set(secret)
        step = Step(StepKind.LOGIN, password_setting.span, user=user, secret=secret)
        for kind, graph in ((RemedyKind.XOAUTH2, False), (RemedyKind.GRAPH, True)):
            remedy = self._backend_remedy(conn, password_setting, graph) or self._handler_remedy(
                conn, graph
            )
            if remedy is not None:
                step.remedies[kind] = remedy
        if conn.tls is Tls.NONE:
            on = self._edits_starttls_on()
            if on:
                step.remedies[RemedyKind.ADD_STARTTLS] = Remedy(tuple(on))
        conn.steps.append(step)
        return secrets

    def _where_set(self, secret: Value) -> Value:
        """A password read from the environment names the config file of the project that
        sets it (``env EMAIL_HOST_PASSWORD, set in ../.env line 3``), so the finding links
        the two places."""
        origin = secret.origin or ""
        key = origin[len("env ") :]
        if self.project is None or self.project.path is None or not origin.startswith("env "):
            return secret
        if not key.isidentifier():
            return secret  # already says where it is set, or is no variable name
        from .config.feeds import config_setting  # the config front end imports this module

        found = config_setting(self.project.path, key)
        if found is None:
            return secret
        return replace(secret, origin=f"{origin}, set in {found[0]} line {found[1]}")

    def _backend(self) -> Backend | None:
        """The framework whose backend class the settings name, if a fix can write one."""
        if self.project is None:
            return None
        if self.family.library == "django-settings":
            return DJANGO
        if self.family.library == "flask-mail" and self.project.flask_extension == "flask_mailman":
            return FLASK_MAILMAN
        if self.family.library == "flask-mail" and self.project.flask_extension == "flask_mail":
            return FLASK_MAIL
        return None

    def _backend_remedy(self, conn: Connection, password: Setting, graph: bool) -> Remedy | None:
        backend = self._backend()
        host = conn.host
        if backend is None or self.project is None:
            return None
        if graph:
            backend = GRAPH_BACKENDS[backend]
        if not (host.known and isinstance(host.value, str) and host.value):
            return None
        hint = next(
            (s.token_text[0] for s in self.roles.values() if s.token_text[:1] in ("'", '"')),
            '"',
        )
        return backend_remedy(
            backend,
            stem=self.stem,
            host=host.value,
            password=password,
            backend_setting=self.roles.get(Role.BACKEND),
            quote_hint=hint,
            project=self.project,
        )

    def _handler_remedy(self, conn: Connection, graph: bool) -> Remedy | None:
        """fileConfig's ``class=handlers.SMTPHandler`` -> the XOAuth2SMTPHandler module a
        fix adds beside the file (``graph``: GraphSMTPHandler), ``(user, password)`` ->
        ``user``."""
        klass = self.roles.get(Role.HANDLER_CLASS)
        pair = self.roles.get(Role.CREDENTIAL_PAIR)
        user = self.roles.get(Role.USER)
        if not self.family.log_handler or klass is None or klass.token is None:
            return None
        module = handler_module(conn.host, graph=graph)
        if module is None:
            return None
        name = GRAPH_HANDLER_CLASS if graph else HANDLER_CLASS
        edits = [Edit(klass.token.start, klass.token.end, f"{PACKAGE_PREFIX}{name}")]
        if pair is not None and pair.token is not None and user is not None and self.text:
            # The user as written in the pair (its span is the whole argument, quotes too).
            written = self.text[user.span.start : user.span.end]
            if pair.token.start <= user.span.start and user.span.end <= pair.token.end:
                edits.append(Edit(pair.token.start, pair.token.end, written))
        return Remedy(
            tuple(edits), note=GRAPH_HANDLER_NOTE if graph else HANDLER_NOTE, files=(module,)
        )


def tls_flag_edits(group: Iterable[Setting], bool_words: tuple[str, str]) -> list[Edit]:
    """Edits that make a group of bare settings say STARTTLS (``"use_ssl": True`` ->
    ``False``, ``"tls": False`` -> ``True``): what a port changed to 587 needs, also where
    code, not the settings interpreter, reads the group (``SMTP_SSL(host, cfg["port"])``)."""
    found: list[Edit] = []
    for setting in group:
        upper = setting.key.upper()
        role = _GENERIC_SMTP_KEYS.get(upper) or _GENERIC_SMTP_KEYS.get(upper.split("_", 1)[-1])
        wanted = {Role.IMPLICIT: False, Role.STARTTLS: True}.get(role)  # type: ignore[arg-type]
        if wanted is None or setting.token is None or _as_bool(setting.value) is not (not wanted):
            continue
        text = setting.token_text
        quote = text[0] if len(text) >= 2 and text[0] in "'\"" and text[-1] == text[0] else ""
        body = text[len(quote) : len(text) - len(quote)]
        word = _bool_word(body, wanted, bool_words)
        found.append(Edit(setting.token.start, setting.token.end, f"{quote}{word}{quote}"))
    return found


def _secret_value(value: Value) -> Value:
    """A password (or user name) as a login sees it: an empty default of an environment
    variable is not the value (the environment sets it), and a placeholder is not one."""
    if value.known and value.value in (None, "") and value.origin:
        return Value.unknown(value.origin, value.span, source=value.source)
    if value.known and isinstance(value.value, str) and is_placeholder(value.value):
        return Value.unknown("placeholder", value.span, source=value.source)
    return value


def _bool_word(body: str, new: bool, default: tuple[str, str]) -> str:
    """``True`` -> ``False``, ``yes`` -> ``no``, ``1`` -> ``0``: the file's own style."""
    lower = body.strip().lower()
    for pair in _BOOL_WORDS:
        if lower in pair:
            word = pair[0] if new else pair[1]
            if body.isupper() and len(body) > 1:
                return word.upper()
            if body[:1].isupper():
                return word.capitalize()
            return word
    return default[0] if new else default[1]
