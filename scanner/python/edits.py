"""Code that fixes write, shared by the library adapters.

The token helper the XOAUTH2 rewrite calls lives in :mod:`authsweep.scanner.fixes.helpers`;
here is only the code at call sites.
"""

from __future__ import annotations

from ..model import Edit, Remedy, Span, Value
from ..providers import Provider, lookup
from .adapters.base import CallSite

VERIFYING_CONTEXT = "ssl.create_default_context()"
TOKEN_HELPER = "oauth2_access_token"
DEFAULT_SCOPE = "https://outlook.office365.com/.default"
DEFAULT_AUTHORITY = "login.microsoftonline.com"


def token_call(host: object) -> str:
    """The helper call for the host's cloud: arguments only where they differ from
    the commercial cloud's."""
    provider: Provider | None = lookup(host) if isinstance(host, str) else None
    if provider is None or not provider.oauth_scope or provider.oauth_scope == DEFAULT_SCOPE:
        return f"{TOKEN_HELPER}()"
    if provider.authority_host == DEFAULT_AUTHORITY:
        return f"{TOKEN_HELPER}({provider.oauth_scope!r})"
    return f"{TOKEN_HELPER}({provider.oauth_scope!r}, {provider.authority_host!r})"


def xoauth2_string(user_source: str, token: str) -> str:
    """An expression for the raw (not base64) SASL XOAUTH2 string."""
    # Before Python 3.12 an f-string cannot reuse its quote or hold a backslash inside {}.
    quote = next((q for q in "\"'" if q not in user_source), None)
    if quote is not None and all(c not in user_source for c in "\\\n{}"):
        return f"f{quote}user={{{user_source}}}\\x01auth=Bearer {{{token}}}\\x01\\x01{quote}"
    return f'"user=" + str({user_source}) + "\\x01auth=Bearer " + {token} + "\\x01\\x01"'


def replace_literal(value: Value, text: str, code: str) -> Edit | None:
    """Rewrite the literal a value comes from, keeping its quotes; None if there is none."""
    span = value.literal_span
    if not value.literal or span is None:
        return None
    written = code[span.start : span.end]
    quote = written[-1] if written[-1] in "'\"" else ""
    start = written.index(quote) if quote else 0
    return Edit(span.start, span.end, written[:start] + quote + text + quote)


def set_keyword(site: CallSite, name: str, value: str) -> Edit:
    """Replace keyword ``name`` of the call, or add it at the end."""
    span = site.arg_spans.get(name)
    if span is not None:
        return Edit(span.start, span.end, f"{name}={value}")
    return append_argument(site, f"{name}={value}")


def append_argument(site: CallSite, text: str) -> Edit:
    if not site.has_arguments:
        prefix = ""
    elif site.trailing_comma:
        prefix = " "
    else:
        prefix = ", "
    return Edit(site.close_offset, site.close_offset, prefix + text)


def remove_argument(site: CallSite, name: str) -> Edit | None:
    """Delete an argument with its separating comma; None when it is not there."""
    span = site.arg_spans.get(name)
    if span is None:
        return None
    source = site.code
    start, end = span.start, span.end
    # Eat the following comma and spaces, or else the preceding ones.
    tail = end
    while tail < len(source) and source[tail] in " \t":
        tail += 1
    if tail < len(source) and source[tail] == ",":
        tail += 1
        while tail < len(source) and source[tail] in " \t":
            tail += 1
        return Edit(start, tail, "")
    head = start
    while head > 0 and source[head - 1] in " \t":
        head -= 1
    if head > 0 and source[head - 1] == ",":
        return Edit(head - 1, end, "")
    return Edit(start, end, "")


def insert_statement(anchor_offset: int, indent: str, statement: str) -> Edit:
    return Edit(anchor_offset, anchor_offset, f"{indent}{statement}\n")


def replace(span: Span, text: str) -> Edit:
    return Edit(span.start, span.end, text)


def remedy(
    *edits: Edit | None,
    imports: tuple[str, ...] = (),
    helpers: tuple[str, ...] = (),
    note: str = "",
) -> Remedy | None:
    present = tuple(e for e in edits if e is not None)
    return Remedy(present, imports, helpers, note) if present else None
