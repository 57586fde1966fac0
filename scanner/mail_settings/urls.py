"""Settings that are one URL: dj-email-url's (and django-environ's) ``EMAIL_URL``, read
into Django's ``EMAIL_*`` settings, and Airflow's ``AIRFLOW_CONN_<ID>`` connection URIs
(SMTP and IMAP),
expanded into the settings they stand for."""

from __future__ import annotations

from urllib.parse import unquote

from ..model import Span, Value
from .keys import URL_KEY, Setting

_EMAIL_URL_TLS = {
    "smtp": (False, False),
    "smtps": (True, False),  # dj-email-url: smtps means EMAIL_USE_TLS (STARTTLS)
    "smtp+tls": (True, False),
    "submission": (True, False),
    "submit": (True, False),
    "smtp+ssl": (False, True),
}
_URL_TRUE = frozenset({"1", "y", "yes", "t", "true", "on"})


def url_settings(setting: Setting) -> list[Setting]:
    """The settings a mail URL stands for (``smtp+tls://user:pw@host:587``), each part
    with its own span where the URL is written plainly; [] for anything else."""
    value = setting.value
    if not (URL_KEY.search(setting.key) and value.known and isinstance(value.value, str)):
        return []
    url = value.value.strip()
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    airflow = setting.key.upper().startswith("AIRFLOW_CONN_")
    if not sep or scheme not in (("smtp", "email", "imap") if airflow else _EMAIL_URL_TLS):
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
