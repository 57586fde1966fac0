"""Mail settings, whatever file they come from, turned into connections of the mail model.

Front ends (config readers, the Python settings source) hand over keyed
:class:`~.keys.Setting` values with their positions; :func:`interpret` groups them,
recognises the families of mail settings from the data table :data:`~.keys.FAMILIES`
and builds :class:`Connection` objects (:mod:`.builder`) with the remedies a fix applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field

from ..model import Connection, Protocol, SecretUse
from ..providers import host_protocol, lookup
from ..records import plain
from .backends import Project
from .builder import Builder, Context
from .coerce import as_int
from .keys import FAMILIES, GENERIC_SMTP_KEYS, Family, Role, Setting, match
from .urls import url_settings


@plain
class Interpretation:
    """The connections and secrets a file's mail settings amount to."""

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
    mappings: bool = False,
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
    ``mappings``: the groups are a document's mappings (YAML, JSON, TOML).
    """
    result = Interpretation()
    groups: dict[str, list[Setting]] = {}
    urls: set[str] = set()
    for setting in settings:
        expanded = url_settings(setting)
        if expanded:
            # The URL is everything the library reads: a group of its own, defaults apply.
            group = f"{setting.group}/{setting.key}"
            urls.add(group)
            groups.setdefault(group, []).extend(expanded)
            continue
        groups.setdefault(setting.group, []).append(setting)
    context = Context(login_needs_microsoft_host, python, bool_words, text, project, mappings)
    for group, items in groups.items():
        _interpret_group(group, items, result, complete or group in urls, context)
    return result


def _interpret_group(
    group: str,
    items: list[Setting],
    result: Interpretation,
    complete: bool,
    context: Context,
) -> None:
    last = group.rsplit("/", 1)[-1].lower()
    by_key = {s.key.lower(): s for s in items}
    claimed: set[int] = set()
    for index, family in enumerate(FAMILIES):
        if context.python and not family.in_python:
            continue
        if family.signature and not any(key.upper() in family.signature for key in by_key):
            continue
        if family.foreign and any(key.upper() in family.foreign for key in by_key):
            if not any(key.upper() in family.signature - family.weak for key in by_key):
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
            found = match(index, setting.key)
            if found is not None:
                stem, role, suffix = found
                # A later assignment of the same role wins, as it does at run time.
                stems.setdefault(stem, {})[role] = (setting, suffix)
        if family.prefixes and len(stems) == 1:
            _adopt_bare_keys(next(iter(stems.values())), items, claimed, context.mappings)
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
            built = Builder(
                family,
                library,
                roles,
                stem=stem,
                defaults=family.self_contained or complete,
                context=context,
                protocol=_protocol(family, last, roles, by_key),
            ).build(
                context.login_needs_microsoft_host
                or (context.python and family.generic)
                or (not context.python and _environment_block(group))
            )
            if built is None:
                continue
            conn, secrets = built
            result.connections.append(conn)
            result.secrets.extend(secrets)
            claimed.update(id(s) for s in roles.values())


# Blocks of environment variables handed to a program: docker-compose ``environment:``,
# Kubernetes ``env:`` lists, a CI workflow's ``env:``.
_ENVIRONMENT_BLOCKS = frozenset({"environment", "env"})


def _environment_block(group: str) -> bool:
    """Whether a config group is a block of environment variables: values handed to a
    program, as a ``.env`` holds, with no call that proves a login (the program's code,
    where it logs in with them, is reported). A password login there is reported only for
    a Microsoft host; a literal password is still a hard-coded secret."""
    return group.rsplit("/", 1)[-1].lower() in _ENVIRONMENT_BLOCKS


_FLAGS = (Role.STARTTLS, Role.IMPLICIT)
_CREDENTIALS = (Role.USER, Role.PASSWORD)


def _adopt_bare_keys(
    matched: dict[Role, tuple[Setting, str]],
    items: list[Setting],
    claimed: set[int],
    mapping: bool,
) -> None:
    """In one mapping (``{"smtp_server": ..., "smtp_port": 465, "use_ssl": True}``), the
    TLS flags written without the prefix belong to the prefixed settings beside them:
    what the code reading the mapping connects with, and what a fix of the port changes.
    So do a bare user and password beside a prefixed Microsoft host
    (``Notifier(smtp_server="smtp.office365.com", password=...)``): the login to it; and
    a bare Microsoft host and its port beside a prefixed password (``Client(host=
    "smtp.office365.com", smtp_user=..., smtp_password=...)``): the server it logs in to."""
    if not (mapping or all(setting.listed for setting in items)):
        return  # module constants or an INI section: a bare flag may be anyone's
    adopted = _FLAGS
    if Role.HOST in matched and _microsoft_host(matched[Role.HOST][0]):
        adopted = (*_FLAGS, *_CREDENTIALS)
    elif Role.PASSWORD in matched and any(
        GENERIC_SMTP_KEYS.get(s.key.upper()) is Role.HOST and _microsoft_host(s) for s in items
    ):
        adopted = (*_FLAGS, Role.HOST, Role.PORT)
    taken = {id(setting) for setting, _ in matched.values()}
    for setting in items:
        role = GENERIC_SMTP_KEYS.get(setting.key.upper())
        if role in adopted and role not in matched and id(setting) not in claimed | taken:
            matched[role] = (setting, setting.key.upper())


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


# The protocol a key's name starts with (``imap_port``, ``pop3_folder``, ``smtp_timeout``).
_KEY_PROTOCOLS = (("imap", Protocol.IMAP), ("pop", Protocol.POP), ("smtp", Protocol.SMTP))


def _protocol(
    family: Family, last: str, roles: Mapping[Role, Setting], keys: Iterable[str]
) -> Protocol:
    if family.protocol is not Protocol.SMTP or family.prefixes or family.marker:
        return family.protocol
    # Bare ``host``/``port`` keys: the group name, the port or the host's name tells the
    # protocol; keys that name it (``imap_host``, ``smtp_server``) are families of their own.
    if "imap" in last:
        return Protocol.IMAP
    if last.startswith("pop"):
        return Protocol.POP
    # Or the group's other keys, when they name one protocol (``host`` beside ``imap_port``).
    named = {p for key in keys for word, p in _KEY_PROTOCOLS if key.startswith(word)}
    if len(named) == 1:
        return named.pop()
    port = roles.get(Role.PORT)
    number = as_int(port.value) if port else None
    if number in (993, 143):
        return Protocol.IMAP
    if number in (995, 110):
        return Protocol.POP
    # Then the host, when its name says what it serves (``"host": "imap.outlook.com"``).
    host = roles.get(Role.HOST)
    if host is not None and host.value.known and isinstance(host.value.value, str):
        return host_protocol(host.value.value) or Protocol.SMTP
    return Protocol.SMTP
