"""INI and cfg files, read raw and line by line (configparser gives no positions, and its
interpolation would fail on ``%(...)s``; here those are values that come from elsewhere).

Sections, ``key = value`` and ``key: value``, full-line comments (``#``, ``;``), a
``#``/``;`` after whitespace ending a value, indented continuation lines, and quotes
around a value (stripped, as most INI readers other than configparser do). The
``[handler_*]`` sections of a logging ``fileConfig`` file have their ``args`` read
with :mod:`ast` (parsed, never evaluated) into the settings of an ``SMTPHandler``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..errors import ParseError
from ..mail_settings.keys import Setting, is_setting_key
from ..model import Value
from ..text import LineIndex
from .positions import make_setting

_SECTION = re.compile(r"\[(?P<name>[^\]\r\n]+)\][ \t]*(?:[#;][^\r\n]*)?\r?$")
_PAIR = re.compile(r"(?P<key>[^=:\r\n]*?[^=:\s])[ \t]*[=:][ \t]*(?P<value>[^\r\n]*?)\r?$")
_INLINE_COMMENT = re.compile(r"[ \t]+[#;]")
# SMTPHandler(mailhost, fromaddr, toaddrs, subject, credentials=None, secure=None, timeout=5.0)
_HANDLER_PARAMS = ("mailhost", "fromaddr", "toaddrs", "subject", "credentials", "secure")
_HANDLER_CLASS = re.compile(r"(?:^|\.)SMTPHandler$")


@dataclass
class _Entry:
    key: str
    key_at: tuple[int, int]
    value: str
    value_at: tuple[int, int]
    exact: bool  # one line, the value as written between value_at


def read_ini(text: str, index: LineIndex, *, strict: bool = False) -> list[Setting]:
    """Settings of every section. ``strict``: raise ParseError for a line that is not INI
    (used for ``.conf`` files, which are INI only sometimes)."""
    sections: dict[str, list[_Entry]] = {}
    section = ""
    current: _Entry | None = None
    pos = 0
    for line in text.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if body[0] in " \t" and current is not None:
            # A continuation line: the value spans lines, so it is no single token; its
            # span runs to the end of this line (a password's second line is masked too).
            current.value = f"{current.value}\n{stripped}"
            current.value_at = (current.value_at[0], start + len(body.rstrip()))
            current.exact = False
            continue
        header = _SECTION.match(body)
        if header is not None:
            section = header["name"].strip()
            sections.setdefault(section, [])
            current = None
            continue
        pair = _PAIR.match(body)
        if pair is None or (strict and not sections):
            if strict:
                raise ParseError(f"not INI at line {index.span(start, start).line}")
            current = None
            continue
        current = _entry(pair, start)
        sections.setdefault(section, []).append(current)
    settings: list[Setting] = []
    for name, entries in sections.items():
        for entry in entries:
            if is_setting_key(entry.key):
                settings.append(
                    make_setting(
                        index,
                        entry.key,
                        entry.key_at,
                        entry.value,
                        entry.value_at,
                        name,
                        exact=entry.exact,
                    )
                )
        if name.lower().startswith("handler_"):
            settings.extend(_smtp_handler(index, name, entries))
    return settings


def _entry(pair: re.Match[str], start: int) -> _Entry:
    value = pair["value"]
    value_start = start + pair.start("value")
    comment = _INLINE_COMMENT.search(value)
    if comment is not None:
        value = value[: comment.start()]
    if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
        value = value[1:-1]
        value_start += 1
    key_at = (start + pair.start("key"), start + pair.end("key"))
    return _Entry(pair["key"].strip(), key_at, value, (value_start, value_start + len(value)), True)


def _smtp_handler(index: LineIndex, section: str, entries: list[_Entry]) -> list[Setting]:
    """``class=handlers.SMTPHandler`` with ``args=((host, port), from, [to], subject,
    (user, password))`` (and ``kwargs={...}``): the arguments as settings."""
    by_key = {entry.key.lower(): entry for entry in entries}
    klass = by_key.get("class")
    if klass is None or not _HANDLER_CLASS.search(klass.value.strip()):
        return []
    arguments: dict[str, tuple[ast.expr, _Entry]] = {}
    for name in ("args", "kwargs"):
        entry = by_key.get(name)
        if entry is None or not entry.exact:
            continue
        try:
            tree = ast.parse(entry.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError):
            continue
        if name == "args" and isinstance(tree, ast.Tuple):
            for param, node in zip(_HANDLER_PARAMS, tree.elts, strict=False):
                arguments[param] = (node, entry)
        elif name == "kwargs" and isinstance(tree, ast.Dict):
            for key, node in zip(tree.keys, tree.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in _HANDLER_PARAMS:
                    arguments[str(key.value)] = (node, entry)
    settings = []
    for param, (node, entry) in arguments.items():
        parts = node.elts if isinstance(node, (ast.Tuple, ast.List)) else None
        if param == "secure":
            if not (isinstance(node, ast.Constant) and node.value is None):
                settings.append(_argument(index, section, "secure", node, entry, present=True))
        elif param in ("mailhost", "credentials") and parts is not None:
            for number, part in enumerate(parts[:2]):
                settings.append(_argument(index, section, f"{param}.{number}", part, entry))
            if param == "credentials":
                settings.append(_written(index, section, param, node, entry))
        elif param == "mailhost":
            settings.append(_argument(index, section, param, node, entry))
    return settings


def _argument(
    index: LineIndex,
    section: str,
    key: str,
    node: ast.expr,
    entry: _Entry,
    *,
    present: bool = False,
) -> Setting:
    """One argument of the handler, positioned inside the ``args`` line."""
    source = entry.value.strip()
    base = entry.value_at[0] + len(entry.value) - len(entry.value.lstrip())
    start, end = (base + at for at in _offsets(source, node))
    span = index.span(start, end)
    written = index.text[start:end]
    if present:
        return Setting(key, Value.of((), span, source=written), span, section)
    if not isinstance(node, ast.Constant) or isinstance(node.value, bytes):
        return Setting(
            key, Value.unknown(f"expression {written}", span, source=written), span, section
        )
    if isinstance(node.value, str):
        # A plain quoted string: the fix edits inside the quotes.
        if written[:1] in "'\"" and written[-1:] == written[:1] and written[1:-1] == node.value:
            return make_setting(
                index, key, (start, end), node.value, (start + 1, end - 1), section, exact=True
            )
        return make_setting(
            index, key, (start, end), node.value, (start, end), section, exact=False
        )
    return make_setting(index, key, (start, end), node.value, (start, end), section, exact=True)


def _written(index: LineIndex, section: str, key: str, node: ast.expr, entry: _Entry) -> Setting:
    """An argument as written (``('user', 'password')``), which a fix may replace whole."""
    source = entry.value.strip()
    base = entry.value_at[0] + len(entry.value) - len(entry.value.lstrip())
    start, end = (base + at for at in _offsets(source, node))
    span = index.span(start, end)
    written = index.text[start:end]
    value = Value.unknown(f"expression {written}", span, source=written)
    return Setting(key, value, span, section, span, written)


def _offsets(source: str, node: ast.expr) -> tuple[int, int]:
    """Where ``node`` is in the ``source`` it was parsed from, in characters (``ast`` gives
    lines and UTF-8 byte columns)."""
    lines = LineIndex(source)
    start = lines.offset(node.lineno, node.col_offset)
    if node.end_lineno is None or node.end_col_offset is None:
        return start, start
    return start, lines.offset(node.end_lineno, node.end_col_offset)
