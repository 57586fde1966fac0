"""Code that fixes write, shared by the library adapters.

The token helper the XOAUTH2 rewrite calls lives in :mod:`authsweep.scanner.fixes.helpers`;
here is only the code at call sites.
"""

from __future__ import annotations

from ..model import Span, Value
from ..providers import Provider, lookup
from ..remedies import Edit, Remedy

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from .adapters.base import CallSite

VERIFYING_CONTEXT = "ssl.create_default_context()"
TOKEN_HELPER = "oauth2_access_token"
DEFAULT_SCOPE = "https://outlook.office365.com/.default"
DEFAULT_AUTHORITY = "login.microsoftonline.com"


def token_call(host: object, quote: str = '"') -> str:
    """The token call for the host's cloud. The scope is always passed (a project's own
    ``token-provider`` takes it); the authority host only where it is not the
    commercial cloud's. String arguments are written with ``quote``."""
    provider: Provider | None = lookup(host) if isinstance(host, str) else None
    scope = provider.oauth_scope if provider is not None and provider.oauth_scope else None
    arguments = [scope or DEFAULT_SCOPE]
    if scope is not None and provider is not None and provider.authority_host != DEFAULT_AUTHORITY:
        arguments.append(provider.authority_host)
    return f"{TOKEN_HELPER}({', '.join(quote + a + quote for a in arguments)})"


def xoauth2_string(user_source: str, host: object) -> str:
    """An expression for the raw (not base64) SASL XOAUTH2 string."""
    # Before Python 3.12 an f-string cannot reuse its quote or hold a backslash inside {}.
    quote = next((q for q in "\"'" if q not in user_source), None)
    if quote is not None and all(c not in user_source for c in "\\\n{}"):
        token = token_call(host, quote="'" if quote == '"' else '"')
        return f"f{quote}user={{{user_source}}}\\x01auth=Bearer {{{token}}}\\x01\\x01{quote}"
    token = token_call(host)
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


def replace_literals(value: Value, text: str, code: str) -> tuple[Edit, ...]:
    """Rewrite the literal a value comes from and every other literal it also comes from
    (a caller passing the same port): all of them, or none when one cannot be rewritten."""
    first = replace_literal(value, text, code)
    if first is None:
        return ()
    found = [first]
    for span in value.also:
        other = replace_literal(
            Value(True, value.value, literal=True, literal_span=span), text, code
        )
        if other is None:
            return ()
        found.append(other)
    return tuple(found)


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


def remove_statement(site: CallSite) -> Edit | None:
    """Delete the statement the call is, with its line break, when it stands on lines of
    its own (the only statement of its block becomes ``pass``); None otherwise."""
    if site.statement is None or site.before is None:
        return None
    code = site.code
    end = site.statement.end
    while end < len(code) and code[end] not in "\r\n":
        end += 1
    line_end = end
    end += 2 if code.startswith("\r\n", end) else 1 if end < len(code) else 0
    end = min(end, len(code))
    if site.alone:
        kept = f"{site.before.indent}pass{code[line_end:end]}"
        return Edit(site.before.offset, end, kept)
    return Edit(site.before.offset, end, "")


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
