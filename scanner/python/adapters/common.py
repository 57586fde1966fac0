"""Pieces the library adapters share: reading flags and ports, password logins made
by a library on the caller's behalf, and what an XOAUTH2 authentication looks like."""

from __future__ import annotations

import ast
import dataclasses
import re

from ...model import (
    MISSING,
    Connection,
    Protocol,
    SecretUse,
    Span,
    Step,
    StepKind,
    Tls,
    Value,
    Verification,
    XOAuth2,
)
from ...providers import lookup
from ...remedies import Edit, Remedy, RemedyKind
from .. import edits
from .base import CallSite


def flag(value: Value, default: bool | None) -> bool | None:
    """A boolean argument: its truth when known, ``default`` when not given, else None."""
    if value is MISSING:
        return default
    if not value.known:
        return None
    return bool(value.value)


def flag_name(value: Value) -> str:
    """A flag given as a name or attribute the program sets (``ssl=ssl``,
    ``use_tls=self.use_tls``), as written; "" for a literal or an expression."""
    source = value.source or ""
    if source in ("True", "False", "None") or not source.replace(".", "_").isidentifier():
        return ""
    return source


def false_run(value: Value) -> str:
    """For a flag whose truth opens implicit TLS and whose falsity leaves the session
    plain: its false run, as a message says it (``when `self.ssl` is false``), when the
    program's user sets the flag (a parameter, a setting, the environment: not known here,
    or known only as a default); "" for a literal or a value the project commits."""
    if value is MISSING or not value.source or (value.known and not value.origin):
        return ""
    return f"when `{value.source}` is false"


def port(value: Value) -> Value:
    """A port as an int when it is written as one or as a string of digits (``"587"``)."""
    if value.known and isinstance(value.value, str) and value.value.strip().isdigit():
        return Value(
            True,
            int(value.value),
            value.origin,
            value.span,
            value.literal,
            value.literal_span,
            value.source,
        )
    return value


def default_port(number: int | None) -> Value:
    """A port the library picks; unknown when it depends on an unknown flag."""
    return Value(True, number) if number is not None else Value.unknown("library default")


def written_here(site: CallSite, name: str) -> Span | None:
    """The span of a keyword argument written as a literal in this call, for edits."""
    value = site.arg(name) if site.has(name) else site.extra_keywords.get(name, MISSING)
    span = site.arg_spans.get(name)
    if span is None or not value.literal:
        return None
    # ``True``/``None`` have no literal span; a string or number may be a constant elsewhere.
    where = value.literal_span or value.span
    if where is None or not span.start <= where.start < span.end:
        return None
    return span


def keyword_is_written(site: CallSite, name: str) -> bool:
    """True when the argument is given as ``name=...`` (so it can be replaced by text)."""
    span = site.arg_spans.get(name)
    return span is not None and site.code[span.start : span.end].startswith(name)


def login(site: CallSite, user: str, password: str, *, fallback: Value = MISSING) -> Step:
    """A password login a library makes with the credentials given to this call: from
    the call (a constructor that logs in is where one looks for the login) to the
    password argument when there is one (that is what has to change)."""
    given = site.arg_spans.get(password) or site.arg_spans.get(user)
    span = through(site.span, given) if given is not None else site.span
    secret = site.arg(password) if site.has(password) else fallback
    return Step(StepKind.LOGIN, span, user=site.arg(user), secret=secret)


def through(call: Span, part: Span) -> Span:
    """From the start of ``call`` to the end of ``part``, an argument written in it (a
    finding about what an argument makes the call do is the call's, and reaches what has
    to change); ``part`` itself when it is written elsewhere."""
    if not call.start <= part.start <= part.end <= call.end:
        return part
    return Span(call.line, call.column, part.end_line, part.end_column, call.start, part.end)


def starttls(span: Span, verification: Verification, verify_with: str = "") -> Step:
    return Step(StepKind.STARTTLS, span, verification=verification, verify_with=verify_with)


# The standard library's client that verifies when given a context, by protocol, for a
# library that takes none.
_VERIFYING_CLIENTS = {
    Protocol.SMTP: "smtplib and context=ssl.create_default_context()",
    Protocol.IMAP: "imaplib and ssl_context=ssl.create_default_context()",
    Protocol.POP: "poplib and context=ssl.create_default_context()",
}


def verify_with(param: str | None, library: str, protocol: Protocol) -> str:
    """What makes a library's TLS handshake verify the server, as AS204's message says it:
    the parameter it has for a verifying context, or that it has none."""
    if param:
        return f"pass {param}=ssl.create_default_context()"
    instead = _VERIFYING_CLIENTS.get(protocol)
    return f"{library} takes no SSL context" + (f": connect with {instead}" if instead else "")


def token_auth(site: CallSite, token: str, span: Span | None = None) -> Step:
    """An XOAUTH2 authentication a library builds from an access token."""
    return Step(
        StepKind.AUTH,
        span or site.arg_spans.get(token) or site.span,
        mechanism="XOAUTH2",
        xoauth2=XOAuth2(token_sources=site.sources(token)),
    )


def xoauth2(site: CallSite, step: Step, *, initial_response: bool, encodes: bool = True) -> None:
    """What an XOAUTH2 ``authobject`` argument reveals, and the remedies for its bugs."""
    facts = XOAuth2(
        initial_response=initial_response,
        encodes=encodes,
        token_sources=site.sources("authobject"),
    )
    step.xoauth2 = facts
    info = site.callable("authobject")
    if info is None:
        return
    required = info.required_positional
    if required is not None:
        facts.accepts_no_argument = required == 0
        facts.accepts_challenge = required <= 1 and (
            info.max_positional is None or info.max_positional >= 1
        )
    facts.base64_encoded = info.base64_encoded
    facts.authobject_span = info.span
    facts.encoding_span = info.encoding
    if info.signature_edit is not None:
        step.remedies[RemedyKind.FIX_AUTHOBJECT] = Remedy((info.signature_edit,))
    if info.encoding is not None and info.raw is not None:
        step.remedies[RemedyKind.RAW_XOAUTH2] = Remedy((edits.replace(info.encoding, info.raw),))


def set_remedy(
    target: dict[RemedyKind, Remedy],
    kind: RemedyKind,
    *parts: Edit | None,
    imports: tuple[str, ...] = (),
) -> None:
    """Record a remedy made of ``parts`` unless one of them could not be prepared."""
    if parts and all(part is not None for part in parts):
        remedy = edits.remedy(*parts, imports=imports)
        if remedy is not None:
            target[kind] = remedy


def set_fix(target: dict[RemedyKind, Remedy], kind: RemedyKind, remedy: Remedy | None) -> None:
    if remedy is not None:
        target[kind] = remedy


def provider_test(conn: Connection, site: CallSite) -> tuple[str, list[str]] | None:
    """For a connection whose host is one of several (Microsoft 365 among others), the
    test that tells the Microsoft 365 ones at the call (``provider["host"] in
    ("smtp.office365.com",)``) and those hosts; None when the host expression cannot be
    read again there (another function, or its name assigned in between)."""
    host = conn.host
    if host.choices is None or not host.source or not all(c.known for c in host.choices):
        return None
    microsoft = [
        c.value
        for c in host.choices
        if isinstance(c.value, str) and lookup(c.value).microsoft and not lookup(c.value).probable
    ]
    if not microsoft or len(microsoft) == len(host.choices):
        return None
    try:
        expression = ast.parse(host.source, mode="eval").body
    except SyntaxError:
        return None
    root = expression
    while isinstance(root, (ast.Attribute, ast.Subscript)) or _dict_get(root):
        root = root.func.value if isinstance(root, ast.Call) else root.value  # type: ignore[union-attr]
    if not isinstance(root, ast.Name) or site.before is None:
        return None
    between = site.code[conn.opened_at.end : site.before.offset]
    scope = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]", re.MULTILINE)
    if scope.search(between):
        return None
    # No name the expression reads (the table, a key: ``HOSTS[index]``) assigned in between.
    for name in {n.id for n in ast.walk(expression) if isinstance(n, ast.Name)}:
        assigned = re.compile(rf"^[ \t]*{re.escape(name)}[ \t]*(?:[-+*/|&]?=)(?!=)", re.MULTILINE)
        if assigned.search(between):
            return None
    hosts = ", ".join(f'"{h}"' for h in dict.fromkeys(microsoft))
    return f"{host.source} in ({hosts},)", microsoft


def _dict_get(node: ast.AST) -> bool:
    """``row.get("host")``: read again, it gives the same."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
    )


def if_else(site: CallSite, test: str, body: list[str]) -> Edit | None:
    """The call's statement as the ``else`` of ``if test:`` ``body``."""
    if site.statement is None or site.before is None:
        return None
    code = site.code
    indent = site.before.indent
    end = code.find("\n", site.statement.end)
    end = len(code) if end < 0 else end
    statement = code[site.statement.start : end].rstrip("\r")
    lines = [f"{indent}if {test}:", *(f"{indent}    {line}" for line in body)]
    lines += [f"{indent}else:", f"{indent}    {statement}"]
    return Edit(site.before.offset, end, "\n".join(lines))


def conflict(conn: Connection, span: Span | None) -> None:
    """Both implicit TLS and STARTTLS asked for: the library fails before any login."""
    conn.tls = Tls.UNKNOWN
    conn.tls_conflict = span


def keyword(site: CallSite, name: str, value: str) -> Edit:
    """Set keyword ``name`` of the call: replace it, or add it where the call's layout
    puts arguments (a line of its own in a call written one argument per line)."""
    span = site.arg_spans.get(name)
    if span is not None:
        return Edit(span.start, span.end, f"{name}={value}")
    code, close = site.code, site.close_offset
    last = close - 1
    while last > 0 and code[last] in " \t\r\n":
        last -= 1
    if code[last] == "," and "\n" in code[last:close]:
        line = code.rfind("\n", 0, last) + 1
        first = line
        while code[first] in " \t":
            first += 1
        indent = code[line:first]
        at = code.rfind("\n", 0, close) + 1
        return Edit(at, at, f"{indent}{name}={value},\n")
    return edits.append_argument(site, f"{name}={value}")


def drop_keyword(site: CallSite, name: str) -> Edit | None:
    """Remove an argument; a whole line when it stands on a line of its own."""
    span = site.arg_spans.get(name)
    if span is None:
        return None
    code = site.code
    line = code.rfind("\n", 0, span.start) + 1
    end = span.end
    if end < len(code) and code[end] == ",":
        end += 1
    rest = code.find("\n", end)
    if rest >= 0 and not code[end:rest].strip():
        if not code[line : span.start].strip():
            return Edit(line, rest + 1, "")  # the argument's own line
        if end > span.end:
            # ``a=1, name=2,<newline>    b=3``: the next argument moves up behind ``a=1, ``.
            after = rest + 1
            while after < len(code) and code[after] in " \t":
                after += 1
            if after < len(code) and code[after] in ")]}":
                # The last argument: keep the line break before the bracket.
                head = span.start
                while head > 0 and code[head - 1] in " \t":
                    head -= 1
                return Edit(head, end, "")
            return Edit(span.start, after, "")
    return edits.remove_argument(site, name)


def verify_context(site: CallSite, name: str) -> Remedy | None:
    """A remedy that makes the SSL context argument ``name`` verify: where the code builds
    it when it is a named context of the module (never a fresh object in place of the
    user's), else a verifying context passed as ``name``, written as the call's layout
    has it. None when the context cannot be fixed where it is built."""
    at_definition = site.context_fix(name)
    if at_definition is not None:
        return Remedy(at_definition, imports=("ssl",)) if at_definition else None
    return Remedy((keyword(site, name, edits.VERIFYING_CONTEXT),), imports=("ssl",))


def switch_keyword(site: CallSite, old: str, new: str) -> list[Edit | None]:
    """``old=True`` becomes ``new=True`` (``use_tls`` -> ``start_tls``), without writing a
    keyword twice when ``new`` is already there (``new=False``)."""
    span = site.arg_spans.get(old)
    if span is None:
        return [None]
    if site.has(new) or new in site.extra_keywords:
        return [drop_keyword(site, old), keyword(site, new, "True")]
    return [Edit(span.start, span.end, f"{new}=True")]


def app_secret(site: CallSite, param: str, what: str) -> SecretUse | None:
    """The secret a token call's parameter is handed, when it is written as a literal: in
    this module (reported there, with the way to the call when written elsewhere, as
    :func:`path_to_call` says), or in another module of the project it is imported from
    (reported at the argument, naming the module and line it is written on)."""
    value = site.arg(param)
    if not (value.known and isinstance(value.value, str)):
        return None
    if value.literal and value.literal_span is not None:
        path = path_to_call(site, param, value)
        return SecretUse(value, what, value.literal_span, needs_mail=True, path=path)
    given = site.arg_spans.get(param)
    if value.written_at is None or given is None:
        return None
    source = value.source or ""
    named = f", as `{source}`" if source.replace(".", "_").isidentifier() else ""
    path = f" written in {value.written_at} (to {site.qualified_name}'s {param}{named})"
    return SecretUse(
        dataclasses.replace(value, span=given), what, given, needs_mail=True, path=path
    )


def path_to_call(site: CallSite, param: str, value: Value) -> str:
    """How a literal written away from the call (a module constant, a class attribute, a
    dict entry, an environment default) reaches its parameter, for the message."""
    literal = value.literal_span
    given = site.arg_spans.get(param)
    if literal is None or (given is not None and given.start <= literal.start < given.end):
        return ""
    source = value.source or ""
    named = f", as `{source}`" if source.replace(".", "_").isidentifier() else ""
    return f" (to {site.qualified_name}'s {param} at line {site.span.line}{named})"
