"""A token-level look at Python that does not parse (Python 2 above all).

Old mail scripts are often Python 2: ``print "sent"``, ``except X, e``. They
cannot be parsed, but their smtplib/imaplib/poplib shapes are plain enough to
find with patterns: a client assigned to a name, its host and port when written
as literals (or as a module constant), the SSL context it is given, and the calls
made on that name; exchangelib's password ``Credentials(user, password)`` (its server
found by autodiscover); and a token asked for with the user's password (MSAL's
``acquire_token_by_username_password``, a form with ``grant_type=password``). What
this finds is marked inferred (low confidence) and never fixed.
"""

from __future__ import annotations

import re

from ..model import (
    MISSING,
    Connection,
    EwsAccount,
    MailFile,
    Protocol,
    SecretUse,
    Span,
    Step,
    StepKind,
    Tls,
    TokenRequest,
    Value,
    Verification,
)
from ..text import LineIndex
from .entra_secrets import add_entra_secrets

_CLIENTS = {
    "SMTP": (Protocol.SMTP, Tls.NONE, 25),
    "SMTP_SSL": (Protocol.SMTP, Tls.IMPLICIT, 465),
    "IMAP4": (Protocol.IMAP, Tls.NONE, 143),
    "IMAP4_SSL": (Protocol.IMAP, Tls.IMPLICIT, 993),
    "POP3": (Protocol.POP, Tls.NONE, 110),
    "POP3_SSL": (Protocol.POP, Tls.IMPLICIT, 995),
}
_MODULES = re.compile(rb"^\s*(?:import|from)\s+(?:smtplib|imaplib|poplib)\b", re.MULTILINE)
# Arguments on one line, with calls one level deep (``context=ssl.create_default_context()``).
_ARGS = r"(?P<args>(?:[^()\n]|\([^()\n]*\))*)"
_OPEN = re.compile(
    r"(?P<receiver>[A-Za-z_][\w.]*)\s*=\s*(?:(?:smtplib|imaplib|poplib)\.)?"
    r"(?P<client>SMTP_SSL|SMTP|IMAP4_SSL|IMAP4|POP3_SSL|POP3)\s*\(" + _ARGS + r"\)"
)
_CALL = re.compile(
    r"(?P<receiver>[A-Za-z_][\w.]*)\.(?P<method>login|starttls|stls|pass_|ehlo)\s*\("
    + _ARGS
    + r"\)?"
)
# The resource-owner password flow (ROPC): MSAL's call, azure-identity's credential, and
# a token request's form that asks for the password grant.
_PASSWORD_FLOW = re.compile(
    r"\b(?:acquire_token_by_username_password|UsernamePasswordCredential)\s*\("
    r"|[\"']?\bgrant_type[\"']?\s*[:=]\s*[\"']?password\b"
)
_TOKEN_MARKERS = re.compile(
    rb"acquire_token_by_username_password|usernamepasswordcredential|grant_type", re.IGNORECASE
)
_EXCHANGELIB = re.compile(rb"^\s*(?:import|from)\s+exchangelib\b", re.MULTILINE)
# exchangelib's password credentials (not ``OAuth2Credentials``: no word boundary there).
_EWS_CREDENTIALS = re.compile(r"\b(?:exchangelib\.)?(?:Credentials|ServiceAccount)\s*\(")
# How far a call's arguments are looked for: a few lines.
_MAX_CALL = 400
_CONSTANT = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>'[^'\n]*'|\"[^\"\n]*\"|\d+)\s*$", re.MULTILINE
)
_STRING = re.compile(r"^\s*[uUbB]?(['\"])(?P<text>[^'\"]*)\1\s*$")


def _span(lines: LineIndex, start: int, end: int) -> Span:
    line, column = lines.position(start)
    end_line, end_column = lines.position(end)
    return Span(line, column, end_line, end_column, start, end)


def _value(
    argument: str,
    offset: int,
    text: str,
    lines: LineIndex,
    constants: dict[str, tuple[object, int, int]],
) -> Value:
    """The value of an argument written at ``offset``: a literal here, or a module
    constant's literal (whose span is then where the constant is written)."""
    stripped = argument.strip()
    start = offset + argument.find(stripped) if stripped else offset
    match = _STRING.match(stripped)
    if match or stripped.isdigit():
        literal = match.group("text") if match else int(stripped)
        span = _span(lines, start, start + len(stripped))
        return Value(True, literal, literal=True, literal_span=span, source=stripped)
    if stripped in constants:
        literal, begin, end = constants[stripped]
        span = _span(lines, begin, end)
        return Value(True, literal, literal=True, literal_span=span, source=stripped)
    return Value.unknown(f"name {stripped}" if stripped.isidentifier() else None)


def _arguments(args: str, offset: int) -> list[tuple[str, int]]:
    """Positional arguments with their offsets (keywords are left out)."""
    found = []
    position = offset
    for part in args.split(","):
        if part.strip() and "=" not in part:
            found.append((part, position))
        position += len(part) + 1
    return found


def _ews_credentials(mail: MailFile, text: str, lines: LineIndex) -> None:
    """``Credentials(user, password)``: a password login to the server autodiscover
    finds; a literal password is a hard-coded secret."""
    for match in _EWS_CREDENTIALS.finditer(text):
        close = _closing(text, match.end())
        args = text[match.end() : close] if close is not None else ""
        user, secret = Value.unknown(), Value.unknown("exchangelib credentials")
        positional = _arguments(args, match.end())
        for part, at in _keywords(args, match.end()):
            name, _, value = part.partition("=")
            if name.strip() in ("username", "password"):
                positional.append((value, at + len(name) + 1))
        if positional:
            user = _value(*positional[0], text, lines, {})
        if len(positional) > 1:
            secret = _value(*positional[1], text, lines, {})
        end = close + 1 if close is not None else match.end()
        span = _span(lines, match.start(), end)
        if secret.literal and isinstance(secret.value, str) and secret.literal_span:
            mail.secrets.append(SecretUse(secret, "EWS password", secret.literal_span, False))
        mail.ews.append(
            EwsAccount(
                auth="basic",
                span=span,
                user=user,
                secret=secret,
                host=Value.unknown("exchangelib autodiscover"),
                inferred=True,
            )
        )


def _closing(text: str, start: int) -> int | None:
    """The offset of the parenthesis that closes one opened just before ``start``, within
    a few lines; None when there is none (the call is cut short)."""
    depth = 0
    for offset in range(start, min(len(text), start + _MAX_CALL)):
        char = text[offset]
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return offset
            depth -= 1
    return None


def _keywords(args: str, offset: int) -> list[tuple[str, int]]:
    """Keyword arguments (``name=value``) with their offsets."""
    found = []
    position = offset
    for part in args.split(","):
        if "=" in part and "==" not in part:
            found.append((part, position))
        position += len(part) + 1
    return found


def _verification(args: str) -> Verification:
    """What the SSL context given in a call's arguments does: the standard library does
    not verify without one (FACTS 4.9)."""
    if "_create_unverified_context" in args or "CERT_NONE" in args:
        return Verification.UNVERIFIED
    if "create_default_context" in args:
        return Verification.VERIFIED
    return Verification.UNKNOWN if "context" in args else Verification.UNVERIFIED


def _password_flows(text: str, lines: LineIndex) -> list[TokenRequest]:
    """Requests of the password flow; the form's grant counts in a module that names a
    Microsoft token endpoint (other identity providers are left alone)."""
    microsoft = "login.microsoftonline." in text or "login.windows.net" in text
    found = []
    for match in _PASSWORD_FLOW.finditer(text):
        if "grant_type" in match.group() and not microsoft:
            continue
        span = _span(lines, match.start(), match.end())
        found.append(TokenRequest("username_password", MISSING, span, inferred=True))
    return found


def scan_unparsable(path: str, data: bytes) -> MailFile:
    """Inferred connections, EWS password credentials and password-flow token requests
    of a file that does not parse; empty if it uses no mail module and asks for no
    token."""
    mail = MailFile(path=path, kind="python", analyzed=False)
    if b"Q~" in data:
        add_entra_secrets(mail, data.decode("utf-8", errors="replace"))
    modules = _MODULES.search(data)
    exchangelib = _EXCHANGELIB.search(data)
    if not modules and not exchangelib and not _TOKEN_MARKERS.search(data):
        return mail
    text = data.decode("utf-8", errors="replace")
    lines = LineIndex(text)
    mail.token_requests = _password_flows(text, lines)
    if exchangelib:
        _ews_credentials(mail, text, lines)
    if not modules:
        return mail
    constants: dict[str, tuple[object, int, int]] = {}
    for match in _CONSTANT.finditer(text):
        raw = match.group("value")
        literal = int(raw) if raw.isdigit() else raw[1:-1]
        constants[match.group("name")] = (literal, match.start("value"), match.end("value"))
    opened: dict[str, Connection] = {}
    for match in _OPEN.finditer(text):
        protocol, tls, default_port = _CLIENTS[match.group("client")]
        args = _arguments(match.group("args"), match.start("args"))
        values = [_value(arg, at, text, lines, constants) for arg, at in args]
        host = values[0] if values else Value.unknown("missing")
        port = values[1] if len(values) > 1 else Value(True, default_port)
        conn = Connection(
            protocol=protocol,
            library={Protocol.SMTP: "smtplib", Protocol.IMAP: "imaplib"}.get(protocol, "poplib"),
            host=host,
            port=port,
            tls=tls,
            opened_at=_span(lines, match.start("client"), match.end()),
            verification=_verification(match.group("args"))
            if tls is Tls.IMPLICIT
            else (Verification.UNKNOWN),
            inferred=True,
        )
        mail.connections.append(conn)
        opened[match.group("receiver")] = conn
    for match in _CALL.finditer(text):
        conn = opened.get(match.group("receiver"))
        if conn is None:
            continue
        span = _span(lines, match.start(), match.end())
        method = match.group("method")
        if method in ("starttls", "stls"):
            verification = _verification(match.group("args") or "")
            conn.steps.append(Step(StepKind.STARTTLS, span, verification=verification))
        elif method == "ehlo":
            conn.steps.append(Step(StepKind.EHLO, span))
        else:
            args = _arguments(match.group("args") or "", match.start("args"))
            values = [_value(arg, at, text, lines, constants) for arg, at in args]
            if method == "pass_" or len(values) >= 2:
                secret = values[-1] if values else Value.unknown()
                user = values[0] if len(values) >= 2 else Value.unknown()
                conn.steps.append(Step(StepKind.LOGIN, span, user=user, secret=secret))
    return mail
