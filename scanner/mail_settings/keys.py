"""The keys of mail settings: which names mean what, for every library that reads them.

:data:`FAMILIES` is the table of ways to write mail settings (Django's ``EMAIL_*``,
Flask-Mail's ``MAIL_*``, Airflow's ``[smtp]``, Home Assistant's ``smtp`` notify, ...);
:class:`Setting` is one keyed value as a front end hands it over. A leaf: readers and the
project scan ask :func:`is_setting_key` without loading the interpreter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import field
from enum import Enum
from functools import lru_cache

from .. import hints
from ..lazy_regex import lazy_pattern
from ..model import Protocol, Span, Value
from ..records import plain, record


@record(eq=False, repr=False)
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
    CREDENTIALS = "credentials"  # false: no login (FastAPI-Mail's, or a switch the code reads)
    HANDLER_CLASS = "handler-class"  # a logging handler's class (fileConfig ``class=``)
    CREDENTIAL_PAIR = "credential-pair"  # SMTPHandler's ``(user, password)`` as written


@plain
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
    # Keys another library reads and this one does not (Flask-Mail's MAIL_USE_TLS): in a
    # group holding one, only a signature key outside ``weak`` makes it this family's
    # (FastAPI-Mail's old MAIL_SSL beside MAIL_USE_TLS is a Flask app's stray key).
    foreign: frozenset[str] = frozenset()
    weak: frozenset[str] = frozenset()
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


# Whether the code logs in at all (``email_authentication = false``, ``SMTP_AUTH = False``).
_LOGIN_SWITCHES = (
    "AUTH",
    "USE_AUTH",
    "AUTHENTICATION",
    "USE_AUTHENTICATION",
    "USE_CREDENTIALS",
    "AUTH_REQUIRED",
    "REQUIRES_AUTH",
)
GENERIC_SMTP_KEYS = _keys(
    host=("HOST", "SERVER", "HOSTNAME", "ADDRESS"),
    port=("PORT",),
    user=("USER", "USERNAME", "USER_NAME", "LOGIN"),
    password=("PASSWORD", "PASS", "PASSWD", "PWD"),
    starttls=("STARTTLS", "USE_STARTTLS", "START_TLS", "USE_TLS", "TLS", "ENABLE_STARTTLS"),
    implicit=("SSL", "USE_SSL", "SECURE", "SMTPS", "IMPLICIT_TLS"),
    encryption=("ENCRYPTION", "SECURITY"),
    verify=("VERIFY_SSL", "SSL_VERIFY", "VERIFY_CERTS", "VALIDATE_CERTS", "TLS_VERIFY"),
    auth_type=("AUTH_TYPE", "AUTH_METHOD"),
    credentials=_LOGIN_SWITCHES,
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
        foreign=frozenset({"MAIL_USE_TLS", "MAIL_USE_SSL"}),
        weak=frozenset({"MAIL_TLS", "MAIL_SSL"}),
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
            credentials=_LOGIN_SWITCHES,
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
            credentials=_LOGIN_SWITCHES,
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
        marker=("conn_type", lazy_pattern(r"(?i)^(?:smtp|email)$")),
        self_contained=True,
        defaults={Role.HOST: "localhost"},
        starttls_default=True,
        default_ports=(465, 587),
        conflict_possible=False,
    ),
    # An Airflow IMAP provider connection (``ImapHook``): IMAP4_SSL with a verifying
    # context unless the extra ``use_ssl`` is false (then plain IMAP4); a login when the
    # connection has a login and a password.
    Family(
        library="airflow-imap-connection",
        keys=_keys(
            host=("HOST",),
            port=("PORT",),
            user=("LOGIN",),
            password=("PASSWORD",),
            implicit=("EXTRA.USE_SSL",),
        ),
        marker=("conn_type", lazy_pattern(r"(?i)^imap$")),
        protocol=Protocol.IMAP,
        self_contained=True,
        defaults={Role.HOST: "localhost", Role.IMPLICIT: True},
        starttls_default=False,
        default_ports=(993, 143),
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
        marker=("platform", lazy_pattern(r"(?i)smtp")),
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
        marker=("class", lazy_pattern(r"(?:^|\.)SMTPHandler$")),
        self_contained=True,
        defaults={Role.PORT: 25},
        oauth_hint=hints.SMTP_HANDLER,
        log_handler=True,
    ),
    Family(
        library="IMAP settings",
        prefixes=("IMAP_",),
        keys=GENERIC_SMTP_KEYS,
        protocol=Protocol.IMAP,
        in_python=True,
        generic=True,
    ),
    Family(
        library="POP settings",
        prefixes=("POP3_", "POP_"),
        keys=GENERIC_SMTP_KEYS,
        protocol=Protocol.POP,
        in_python=True,
        generic=True,
    ),
    Family(
        library="SMTP settings",
        prefixes=("SMTP_", "MAILER_"),
        keys=GENERIC_SMTP_KEYS,
        in_python=True,
        generic=True,
    ),
    # ``email: {host: ..., port: ..., username: ..., password: ...}`` and the like.
    Family(
        library="mail settings",
        keys={
            **GENERIC_SMTP_KEYS,
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
# The families each question below asks about, by index in FAMILIES' order (picked once,
# not for each key).
_ALL = tuple(range(len(FAMILIES)))
_IN_MODULES = tuple(i for i, f in enumerate(FAMILIES) if not f.mapping_only)
_FRAMEWORKS = tuple(
    i for i, f in enumerate(FAMILIES) if f.prefixes and f.in_python and not f.generic
)
_PREFIXED = tuple(i for i, f in enumerate(FAMILIES) if f.prefixes)
# Settings that are one URL: dj-email-url's (and django-environ's) ``EMAIL_URL``, read
# into Django's EMAIL_* settings, and Airflow's ``AIRFLOW_CONN_<ID>`` connection URIs.
URL_KEY = lazy_pattern(r"(?i)(?:^|_)EMAIL_URL$|^AIRFLOW_CONN_")


# Where a camelCase key's next word starts: before a capital that follows a small letter
# or a digit, and before the last capital of a run followed by a small letter (``SMTPPort``).
_CAMEL = lazy_pattern(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@lru_cache(maxsize=4096)
def match(index: int, key: str) -> tuple[str, Role, str] | None:
    """(stem, role, suffix) of ``key`` in family ``index``, or None."""
    family = FAMILIES[index]
    upper = key.upper()
    if not family.prefixes:
        role = family.keys.get(upper)
        return ("", role, upper) if role else None
    if "." in upper:
        # Dotted keys (Sentry's ``mail.host``, ``mail.use-tls``): the dots and dashes
        # separate words as ``_`` does. Only for prefixed families: in a bare key a dot
        # is a path into the value (``extra.disable_ssl``, ``mailhost.0``).
        upper = upper.replace(".", "_").replace("-", "_")
    if key != upper and not key.islower():
        # camelCase (``smtpServer``, ``mailPassword``, Mattermost's ``SMTPPassword``): a
        # capital starts a word. Only for prefixed families: a bare ``UseSsl`` is .NET's
        # (``EnableSsl`` there means STARTTLS), not these families' implicit-TLS flag.
        upper = _CAMEL.sub("_", key.replace(".", "_").replace("-", "_")).upper()
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
    if URL_KEY.search(key):
        return True
    if mapping and key.lower() in _MARKER_KEYS:
        return True
    return any(match(i, key) is not None for i in (_ALL if mapping else _IN_MODULES))


@lru_cache(maxsize=8192)
def is_framework_key(key: str) -> bool:
    """A key of a framework's settings read in Python (``EMAIL_HOST``, ``mail_server``:
    Django's, Flask-Mail's), whatever its case."""
    return any(match(i, key) is not None for i in _FRAMEWORKS)


@lru_cache(maxsize=8192)
def is_prefixed_key(key: str) -> bool:
    """A key of a prefixed family (``EMAIL_HOST``, ``smtp_port``), not a bare name."""
    return any(match(i, key) is not None for i in _PREFIXED)
