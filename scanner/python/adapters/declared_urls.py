"""A service URL handed to a library (apprise's ``mailtos://user:pw@outlook.com``) read
as the values of the call: the scheme and the ``mode`` query pick the TLS, the host is a
domain the library's table maps to its server (or the query names the server), and the
port, user and password are those the library logs in with. The opener is specialised
and the site given the values, so the interpreter (:mod:`.declared`) reads the call as
any other (see ``url`` in :mod:`..models.spec`)."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, unquote, urlsplit

from ...model import Tls, Value
from ..models.spec import Opener
from ..shapes import HOLE
from .base import CallSite


def from_url(opener: Opener, site: CallSite) -> tuple[Opener, CallSite] | None:
    """The opener and site as the URL argument makes them; None when the call gives no
    URL of the library's mail schemes (another service, or a URL known only at run
    time)."""
    if opener.url is None:
        return opener, site
    given = site.arg(opener.url) if site.has(opener.url) else None
    if given is None:
        return None
    for value in (given, *(given.items or ())):
        text = value.value if value.known else value.template
        if not isinstance(text, str):
            continue
        scheme = text.partition("://")[0].strip().lower()
        row = next((r for r in opener.schemes if r[0] == scheme), None)
        if row is not None:
            return _read(opener, site, value, text.strip(), row[1:])
    return None


def _read(
    opener: Opener, site: CallSite, url: Value, text: str, scheme: tuple[Tls, int]
) -> tuple[Opener, CallSite] | None:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    domain = unquote(parts.hostname or "")
    if not domain or HOLE in domain:
        return None
    tls, default_port = scheme
    opener = dataclasses.replace(
        opener,
        tls=Tls.NONE,
        port_default=default_port,
        implicit_default=tls is Tls.IMPLICIT,
        starttls_default=tls is Tls.STARTTLS,
    )
    args = dict(site.args)
    spans = dict(site.arg_spans)
    at = url.span or site.span

    def put(name: str | None, item: object, *, secret: bool = False) -> None:
        if name is None or item in (None, ""):
            return
        hole = isinstance(item, str) and HOLE in item
        if hole:  # a part the f-string fills in: from where the value comes
            args[name] = Value.unknown(url.origin or f"the URL's {name}", at)
        elif secret:
            args[name] = Value(True, item, None, at, url.literal, url.literal_span)
        else:
            args[name] = Value(True, item, None, at)
        spans[name] = at

    query = parse_qs(parts.query)
    server = _first(query, opener.url_server)
    row = next((r for r in opener.domains if r.domain == domain.lower()), None)
    if server:
        put(opener.host, server)
    else:  # the library's server for the domain, else the URL's host itself
        put(opener.host, row.host if row is not None else domain)
        if row is not None and port is None:
            port = row.port
            opener = dataclasses.replace(
                opener,
                implicit_default=row.tls is Tls.IMPLICIT,
                starttls_default=row.tls is Tls.STARTTLS,
            )
    mode = _first(query, opener.url_mode)
    if mode is not None:
        chosen = dict(opener.modes).get(mode.lower(), Tls.UNKNOWN)
        put(opener.implicit_flag, chosen is Tls.IMPLICIT)
        put(opener.starttls_flag, chosen is Tls.STARTTLS)
        if chosen is Tls.UNKNOWN:
            opener = dataclasses.replace(opener, tls=Tls.UNKNOWN, implicit_flag=None)
    put(opener.port, port)
    password = unquote(parts.password or "")
    if password:
        put(opener.user, unquote(parts.username or ""))
        put(opener.secret, password, secret=True)
    return opener, dataclasses.replace(site, args=args, arg_spans=spans)


def _first(query: dict[str, list[str]], key: str | None) -> str | None:
    values = query.get(key or "")
    return values[0] if values else None
