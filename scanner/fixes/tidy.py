"""What a fix leaves behind: imports it made unused, and reads nothing needs any more.

After the XOAUTH2 rewrite, ``password = os.environ["MAIL_PASSWORD"]`` would still run and
fail with ``KeyError`` once the variable is gone from the deployment, and ``import
getpass`` would stay unused (Ruff F401). Compared with the text before the fix: a
module-level import whose name the file used and no longer uses is removed; an
assignment in a function whose variable the function read and no longer reads is
removed when its value only reads the environment, a setting, a prompt or a literal
(nothing else a program could depend on). What else lost its last reader (module
constants, attributes, dict entries, parameters, guards) is :mod:`.leftovers`'.
"""

from __future__ import annotations

import ast
from collections import Counter

from ..errors import ParseError
from ..python.parse import parse_whole
from ..python.source import dotted_name
from ..records import record
from ..remedies import Edit
from ..text import LineIndex
from .leftovers import find
from .reads import Elsewhere, ScopeLoads, exported

# Each pass may free the next: a guard, then the attribute it tested, then the parameter
# that filled it, the argument of its caller, the read that made the argument, its import.
_MAX_PASSES = 8


@record
class Pass:
    """One pass of :func:`tidy`: the text it started from, the edits it made on it, and
    the text they gave."""

    before: str
    edits: tuple[Edit, ...]
    after: str


def tidy_passes(
    before: str, after: str, elsewhere: Elsewhere | None = None
) -> tuple[list[Pass], list[str]]:
    """``after`` taken, pass by pass, without the imports and reads the fix made unused
    (the last pass's text; each pass's edits say what it changed), and notes on what was
    kept. ``elsewhere`` searches the rest of the project (None: it cannot be searched)."""
    try:
        old = parse_whole(before)
    except ParseError:
        return [], []
    notes: dict[str, str] = {}
    passes: list[Pass] = []
    old_loads = ScopeLoads(old)
    for _ in range(_MAX_PASSES):
        try:
            new = parse_whole(after)
        except ParseError:
            break
        loads = (old_loads, ScopeLoads(new))
        lines = LineIndex(after)
        edits = [
            _line_edit(after, lines, first, last, replacement)
            for first, last, replacement in _unused_imports(old, new, loads)
        ]
        found = find(old, new, after, elsewhere, loads)
        notes.update(found.notes)
        edits += found.edits
        if not edits:
            break
        taken = _taken(edits)
        passes.append(Pass(after, taken, _applied(after, taken)))
        after = passes[-1].after
    return passes, list(notes.values())


def _line_edit(text: str, lines: LineIndex, first: int, last: int, replacement: str) -> Edit:
    """Replace lines ``first``..``last`` (a blank replacement deletes them); a replacement
    keeps the last line's ending."""
    start, end = lines.line_start(first), lines.line_start(last + 1)
    if replacement:
        line = text[lines.line_start(last) : end]
        return Edit(start, end, replacement + line[len(line.rstrip("\r\n")) :])
    return Edit(start, end, "")


def _taken(edits: list[Edit]) -> tuple[Edit, ...]:
    """The edits that do not overlap an earlier one (the others wait for the next pass)."""
    taken: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if any(edit.start < t.end and t.start < edit.end for t in taken):
            continue
        if any(edit.start == edit.end == t.start == t.end for t in taken):
            continue
        taken.append(edit)
    return tuple(taken)


def _applied(text: str, edits: tuple[Edit, ...]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


def _unused_imports(
    old: ast.Module, new: ast.Module, loads: tuple[ScopeLoads, ScopeLoads]
) -> list[tuple[int, int, str]]:
    used_before, used_after = loads[0](old), loads[1](new)
    attributes_after = {
        n.value.id
        for n in ast.walk(new)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
    }
    kept_anyway = exported(new)
    dotted_before, dotted_after = _dotted_uses(old), _dotted_uses(new)
    removals: list[tuple[int, int, str]] = []
    for node in new.body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or _is_future(node):
            continue
        gone = [
            alias
            for alias in node.names
            if (bound := _bound(alias, node)) is not None
            and used_before[bound]
            and not used_after[bound]
            and bound not in attributes_after
            and bound not in kept_anyway
        ]
        if isinstance(node, ast.Import):
            # ``import logging.handlers`` once ``logging.handlers.SMTPHandler`` is gone, where
            # another import still binds ``logging`` (Ruff's F401 does not see this one).
            gone += [
                alias
                for alias in node.names
                if alias not in gone
                and alias.asname is None
                and "." in alias.name
                and dotted_before[alias.name]
                and not dotted_after[alias.name]
                and _bound_elsewhere(new, node, alias.name.split(".", 1)[0])
            ]
        if not gone:
            continue
        left = [alias for alias in node.names if alias not in gone]
        replacement = _statement(node, left) if left else ""
        removals.append((node.lineno, node.end_lineno or node.lineno, replacement))
    return removals


def _dotted_uses(tree: ast.AST) -> Counter[str]:
    """Dotted names the code reads (``logging.handlers`` of ``logging.handlers.X``), each
    prefix of an attribute chain counted."""
    return Counter(
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and (name := dotted_name(node)) is not None
    )


def _bound_elsewhere(tree: ast.Module, node: ast.Import, top: str) -> bool:
    """Whether another module-level import binds ``top`` (``import logging``)."""
    return any(
        isinstance(other, ast.Import)
        and other is not node
        and any(_bound(alias, other) == top for alias in other.names)
        for other in tree.body
    )


def _is_future(node: ast.AST) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == "__future__"


def _bound(alias: ast.alias, node: ast.Import | ast.ImportFrom) -> str | None:
    if alias.name == "*":
        return None
    if isinstance(node, ast.Import) and alias.asname is None:
        return alias.name.split(".", 1)[0]
    return alias.asname or alias.name


def _statement(node: ast.Import | ast.ImportFrom, aliases: list[ast.alias]) -> str:
    names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in aliases)
    indent = " " * node.col_offset
    if isinstance(node, ast.Import):
        return f"{indent}import {names}"
    return f"{indent}from {'.' * node.level}{node.module or ''} import {names}"
