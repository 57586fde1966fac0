"""The second filter: does a module call a mail library or set mail settings at all?

After the byte pre-check, a file that names ``smtp`` somewhere is read with
Python's own parser (about ten times faster than LibCST) and its imports and
calls are looked at. Only modules that construct a mail client, call a mail
function, subclass a mail class or assign mail settings go on to LibCST.
A file ``ast`` cannot parse goes on too, so LibCST can report it properly.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Collection

SETTING_NAME = re.compile(
    r"^(?:DJANGO_)?(?:EMAIL|MAIL|SMTP)_(?:HOST|SERVER|PORT|USE_TLS|USE_SSL|STARTTLS|SSL|TLS"
    r"|HOST_USER|HOST_PASSWORD|USER|USERNAME|PASSWORD)$",
    re.IGNORECASE,
)


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _aliases(tree: ast.AST) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _is_setting(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return bool(SETTING_NAME.match(node.id))
    if isinstance(node, ast.Attribute):
        return bool(SETTING_NAME.match(node.attr))
    if isinstance(node, ast.Subscript):
        key = node.slice
        return (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and bool(SETTING_NAME.match(key.value))
        )
    return False


def is_relevant(data: bytes, names: Collection[str], methods: Collection[str] = ()) -> bool:
    """True when the module may build a connection: it calls or subclasses one of
    ``names`` (qualified), calls a method named in ``methods`` on anything
    (``app.acquire_token_for_client``), or assigns a mail setting."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    aliases = _aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func, aliases)
            if name in names:
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr in methods:
                return True
            if any(kw.arg and SETTING_NAME.match(kw.arg) for kw in node.keywords):
                return True
        elif isinstance(node, ast.ClassDef):
            if any(_dotted(base, aliases) in names for base in node.bases):
                return True
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_is_setting(target) for target in targets):
                return True
        elif isinstance(node, ast.Constant) and node.value in names:
            return True  # "logging.handlers.SMTPHandler" in a logging config dict
        elif isinstance(node, ast.Dict):
            if any(
                isinstance(k, ast.Constant)
                and isinstance(k.value, str)
                and SETTING_NAME.match(k.value)
                for k in node.keys
            ):
                return True
    return False
