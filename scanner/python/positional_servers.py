"""The server a call names by position beside mail keywords it is given by name.

``Client("smtp.office365.com", 587, username=USER, password=PASSWORD)``: a client of a
library authsweep has no model of, given the Microsoft mail host and its port first, by
position, and the credentials by name. The keywords alone are a settings group without a
host; the positional host and port complete it, so the group is the connection the
library makes and logs in to (the same call with ``host=`` is read so already; with
``port=`` the host alone completes it). Only for a call handed a password by a keyword
(``password=``, ``smtp_pass=``): a host and a port by themselves
(``check("smtp.office365.com", 25, timeout=3)``) say nothing of a login.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..mail_settings.keys import is_setting_key
from ..model import Value
from ..providers import lookup
from .secret_names import password_name

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from ..model import Span
    from .values import Evaluator

# The keywords that name the server (any of them given: nothing to complete).
_SERVER_WORDS = ("host", "server", "hostname", "mailhost")


def positional_server(
    call: ast.Call, lowered: list[ast.keyword], evaluate: Callable[[ast.AST], Value]
) -> list[tuple[str, ast.expr]]:
    """(setting key, argument) for the Microsoft mail host the call gives first by
    position, and its port second when that is a number and no keyword names it, when the
    call's mail keywords (``lowered``) hand a password and name no server; else nothing."""
    if not call.args or not any(k.arg and password_name(k.arg) for k in lowered):
        return []
    if any(k.arg and k.arg.lower().endswith(_SERVER_WORDS) for k in lowered):
        return []
    first = call.args[0]
    if isinstance(first, ast.Starred):
        return []
    host = evaluate(first)
    if not (host.known and isinstance(host.value, str) and lookup(host.value).microsoft):
        return []
    found: list[tuple[str, ast.expr]] = [("host", first)]
    port_named = any(
        k.arg and (k.arg.lower() == "port" or k.arg.lower().endswith("_port")) for k in lowered
    )
    if len(call.args) > 1 and not port_named and not isinstance(call.args[1], ast.Starred):
        port = evaluate(call.args[1])
        number = port.value if port.known else None
        if isinstance(number, int) or (isinstance(number, str) and number.isdigit()):
            found.append(("port", call.args[1]))
    return [(key, node) for key, node in found if is_setting_key(key)]


def keyword_span(values: Evaluator, keyword: ast.keyword) -> Span:
    """The span of a keyword argument's name (``MAIL_SERVER`` in ``MAIL_SERVER=...``)."""
    span = values.span(keyword)
    return values.text.span_of(span.start, span.start + len(keyword.arg or ""))
