"""What a library decides from a call's own arguments before it connects: the server its
table gives the domain of the mail address (zmail: ``@hotmail.com`` is
``smtp.office365.com`` on 587 with STARTTLS, ``@contoso.com`` is ``smtp.contoso.com`` on
465), and the TLS a text parameter names (pyzmail's ``smtp_mode="tls"``). The opener
is specialised to the call (its defaults and TLS replaced), so the interpreter
(:mod:`.declared`) reads it as any other."""

from __future__ import annotations

import dataclasses

from ...model import MISSING, Tls, Value
from ..models.spec import DomainServer, Opener
from ..shapes import HOLE
from .base import CallSite


def specialise(opener: Opener, site: CallSite) -> tuple[Opener, Value | None]:
    """The opener as this call makes it, and the host its address gives (known, or unknown
    from the address) when the opener picks its server by the address's domain."""
    host: Value | None = None
    if opener.address is not None:
        opener, host = _by_address(opener, site)
    if opener.mode is not None:
        opener = _by_mode(opener, site)
    if opener.verify_with is not None:
        opener = dataclasses.replace(opener, context_verifies=verifies(site, opener.verify_with))
    return opener, host


def verifies(site: CallSite, name: str) -> bool:
    """Whether the parameter that makes the library verify certificates is given (not
    ``None``)."""
    if not _given(site, name):
        return False
    given = site.arg(name)
    return not (given.known and given.value in (None, ""))


def _given(site: CallSite, name: str | None) -> bool:
    return name is not None and site.has(name) and site.arg(name) is not MISSING


def _by_address(opener: Opener, site: CallSite) -> tuple[Opener, Value]:
    assert opener.address is not None
    address = site.arg(opener.address) if site.has(opener.address) else MISSING
    text = address.value if address.known and isinstance(address.value, str) else None
    if text is None and address.template and HOLE not in address.template.rpartition("@")[2]:
        text = address.template  # ``f"{name}@hotmail.com"``: its domain is written
    domain = text.rpartition("@")[2].strip().lower() if text and "@" in text else None
    if domain is None:
        where = address.origin or address.source or f"parameter {opener.address}"
        host = Value.unknown(f"the domain of {where}")
        if _given(site, opener.implicit_flag) or _given(site, opener.starttls_flag):
            return opener, host
        # Which server, port and TLS: the table's, for a domain not known here.
        return dataclasses.replace(
            opener, tls=Tls.UNKNOWN, implicit_flag=None, starttls_flag=None, port_default=None
        ), host
    row = next((r for r in opener.domains if r.domain == domain), None)
    if row is None:
        named = (opener.domain_host or "{}").format(domain)
        return opener, Value(True, named, f"{_library(opener)} for @{domain}")
    return _row(opener, row), Value(True, row.host, f"{_library(opener)} for @{domain}")


def _library(opener: Opener) -> str:
    return f"{opener.names[0].split('.')[0]}'s server"


def _row(opener: Opener, row: DomainServer) -> Opener:
    return dataclasses.replace(
        opener,
        port_default=row.port,
        implicit_default=row.tls is Tls.IMPLICIT,
        implicit_port=None,
        starttls_default=row.tls is Tls.STARTTLS,
    )


def _by_mode(opener: Opener, site: CallSite) -> Opener:
    """The TLS the mode's text names; unknown for a mode not known here."""
    assert opener.mode is not None
    given = site.arg(opener.mode) if _given(site, opener.mode) else None
    if given is None:
        text: object = opener.mode_default
    elif given.known:
        text = given.value
    else:
        return dataclasses.replace(opener, tls=Tls.UNKNOWN)
    key = text if isinstance(text, str) else ""
    tls = dict(opener.modes).get(key, Tls.UNKNOWN)
    port = dict(opener.mode_ports).get(key, opener.port_default)
    return dataclasses.replace(opener, tls=tls, port_default=port)
