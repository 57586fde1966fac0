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

from ..text import decode

SETTING_NAME = re.compile(
    r"^(?:DJANGO_)?(?:EMAIL|MAIL|SMTP|IMAP)_(?:HOST|SERVER|PORT|USE_TLS|USE_SSL|STARTTLS|SSL|TLS"
    r"|SSL_TLS|HOST_USER|HOST_PASSWORD|USER|USERNAME|PASSWORD|URL)$"
    # Names of settings dicts (``SMTP_CONFIG = {...}``, ``EMAIL = {...}``): constants only,
    # not the ``email = ...`` variables of ordinary code.
    r"|^(?-i:(?:[A-Z0-9]+_)?(?:EMAIL|MAIL|SMTP|IMAP|MAILER|MAIL_SERVER)(?:_CONFIG|_SETTINGS)?)$",
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


class _Hits:
    """What makes a node matter: a call of a mail name, a subclass of one, a mail setting."""

    def __init__(self, tree: ast.AST, names: Collection[str], methods: Collection[str]) -> None:
        self.aliases = _aliases(tree)
        self.names = names
        self.methods = methods

    def hit(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            if _dotted(node.func, self.aliases) in self.names:
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr in self.methods:
                return True
            return any(kw.arg and SETTING_NAME.match(kw.arg) for kw in node.keywords)
        if isinstance(node, ast.ClassDef):
            return any(_dotted(base, self.aliases) in self.names for base in node.bases)
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            return any(_is_setting(target) for target in targets)
        if isinstance(node, ast.Constant):
            return node.value in self.names  # "logging.handlers.SMTPHandler" in a config dict
        if isinstance(node, ast.Dict):
            return any(
                isinstance(k, ast.Constant)
                and isinstance(k.value, str)
                and SETTING_NAME.match(k.value)
                for k in node.keys
            )
        return False


def _parse(data: bytes) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def is_relevant(data: bytes, names: Collection[str], methods: Collection[str] = ()) -> bool:
    """True when the module may build a connection: it calls or subclasses one of
    ``names`` (qualified), calls a method named in ``methods`` on anything
    (``app.acquire_token_for_client``), or assigns a mail setting."""
    tree = _parse(data)
    if tree is None:
        return True
    hits = _Hits(tree, names, methods)
    return any(hits.hit(node) for node in ast.walk(tree))


# Below this many lines a module is analysed whole: focusing would save little.
FOCUS_MIN_LINES = 300
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def focus(
    data: bytes,
    names: Collection[str],
    methods: Collection[str],
    connection_methods: Collection[str],
) -> tuple[bool, str | None]:
    """Whether the module matters, and, for a large one, its text with every function and
    class that has nothing to do with mail blanked out.

    Blanking replaces each character of those lines with a space (line ends kept), so
    every line, column and offset of what stays is exactly what it is in the file: LibCST
    then parses a much smaller module whose findings and fixes apply to the real one.
    Kept are all statements that are not definitions, the definitions that touch mail
    (a mail call, a method call named like one on a connection, a mail setting), the
    definitions those refer to by name, and in a kept class every method but the ones
    that touch nothing of this (no mail, no ``self.x =``, not referred to).
    """
    tree = _parse(data)
    if tree is None:
        return True, None
    hits = _Hits(tree, names, methods)
    if not any(hits.hit(node) for node in ast.walk(tree)):
        return False, None
    if data.count(b"\n") < FOCUS_MIN_LINES:
        return True, None

    def touches_mail(node: ast.AST) -> bool:
        return any(
            hits.hit(inner)
            or (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr in connection_methods
            )
            for inner in ast.walk(node)
        )

    definitions = [s for s in tree.body if isinstance(s, _DEFINITIONS)]
    kept = {id(s) for s in tree.body if not isinstance(s, _DEFINITIONS)}
    kept.update(id(d) for d in definitions if touches_mail(d))
    # Definitions referred to by kept code (factories, base classes, helpers), to a fixpoint.
    while True:
        used = {
            n.id if isinstance(n, ast.Name) else n.attr
            for s in tree.body
            if id(s) in kept
            for n in ast.walk(s)
            if isinstance(n, (ast.Name, ast.Attribute))
        }
        added = [d for d in definitions if id(d) not in kept and d.name in used]
        if not added:
            break
        kept.update(id(d) for d in added)
    blank: list[tuple[int, int]] = []
    for statement in tree.body:
        if isinstance(statement, _DEFINITIONS) and id(statement) not in kept:
            blank.append(_lines(statement))
        elif isinstance(statement, ast.ClassDef):
            blank.extend(_idle_methods(statement, touches_mail, used))
    if not blank:
        return True, None
    try:
        _, text = decode("python", data)
    except ValueError:
        return True, None
    return True, _blanked(text, blank)


def _lines(node: ast.stmt) -> tuple[int, int]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
    return first, node.end_lineno or node.lineno


def _idle_methods(klass: ast.ClassDef, touches_mail, used: set[str]) -> list[tuple[int, int]]:
    """Methods of a kept class that neither touch mail, nor set ``self`` attributes, nor
    are referred to; the class keeps at least one statement."""
    idle = []
    for method in klass.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if method.name in used or method.name.startswith("__") or touches_mail(method):
            continue
        if any(
            isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
            for node in ast.walk(method)
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        ):
            continue
        idle.append(method)
    if len(idle) == len(klass.body):
        idle = idle[1:]
    return [_lines(method) for method in idle]


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_VISIBLE = re.compile(r"[^\r\n]")


def _blanked(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` with the given 1-based line ranges turned into spaces, character for
    character (Python's own line ends: \\n, \\r\\n, \\r)."""
    lines = _LINE.findall(text)
    for first, last in ranges:
        for index in range(first - 1, min(last, len(lines))):
            lines[index] = _VISIBLE.sub(" ", lines[index])
    return "".join(lines)
