"""What fixed code needs at module level: imports and helper functions, added once."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ..errors import ParseError
from ..python.parse import parse_whole
from ..text import first_newline, lines_with_ends
from .helpers import HELPERS, Helper
from .import_style import ImportStyle
from .imports import Wanted, add_imports


def _defined_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name.split(".", 1)[0])
    return names


def _is_header(statement: ast.stmt, index: int) -> bool:
    """A docstring or an import: what stays above the helpers."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return True
    return (
        index == 0
        and isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


class NotRewritable(ValueError):
    """The module is beyond what the rewriter is trusted with (size, nesting)."""


# LibCST's native parser slows down sharply (and can crash) on very large or very deeply
# nested modules, which the standard library's parser reads in milliseconds.
MAX_REWRITE_CHARS = 500_000
MAX_REWRITE_DEPTH = 200


def rewritable(code: str) -> None:
    """Raise :class:`NotRewritable` for a module too large or too deeply nested to be
    handed to LibCST, and ValueError for one that does not parse."""
    if len(code) > MAX_REWRITE_CHARS:
        raise NotRewritable(f"{len(code):,} characters is over the rewriter's limit")
    too_deep = NotRewritable(f"nested over {MAX_REWRITE_DEPTH} levels deep for the rewriter")
    try:
        tree = ast.parse(code)
    except RecursionError:
        raise too_deep from None
    except (SyntaxError, ValueError, MemoryError):
        tree = _whole(code)  # syntax newer than this Python, which LibCST reads
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_REWRITE_DEPTH:
            raise too_deep
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _whole(code: str) -> ast.Module:
    try:
        return parse_whole(code)
    except ParseError as error:
        raise ValueError(str(error)) from None


def add_module_needs(
    code: str,
    imports: Iterable[str],
    helpers: Iterable[str],
    token_provider: str | None,
    style: ImportStyle | None = None,
) -> str:
    """Add imports (each at its sorted place, no duplicates; ``module:name`` is a
    from-import of the project's own module) and helper definitions after
    the import block. ``token_provider`` ("pkg.mod:func") replaces the token helper with
    an import of the project's own function. Imports go into the sections of ``style``
    (the project's Ruff or isort settings). Raises ValueError if ``code`` does not parse,
    :class:`NotRewritable` if it is beyond what LibCST is trusted with."""
    imports = set(imports)
    helpers = set(helpers)
    if not imports and not helpers:
        return code
    rewritable(code)
    defined = _defined_names(_whole(code))
    wanted: list[Wanted] = []
    new_helpers = []
    for name in sorted(helpers):
        if name in defined:
            continue
        if token_provider and name == "oauth2_access_token":
            provider_module, _, function = token_provider.partition(":")
            wanted.append(Wanted(provider_module, function, name, first_party=True))
            continue
        helper = HELPERS[name]
        imports.update(helper.imports)
        new_helpers.append(helper)
    for name in sorted(imports):
        module_name, _, obj = name.partition(":")  # "pkg.mod:Class": from pkg.mod import Class
        wanted.append(Wanted(module_name, obj or None, first_party=bool(obj)))
    code = add_imports(code, wanted, style)
    if new_helpers:
        code = _with_helpers(code, new_helpers)
    return code


def _with_helpers(code: str, helpers: list[Helper]) -> str:
    """The helper definitions inserted as text after the docstring and imports (every
    byte of ``code`` kept): one blank line before a statement and two before a ``def``,
    as isort and Ruff's formatter leave them, and at least two after."""
    tree = _whole(code)
    newline = first_newline(code)
    lines = lines_with_ends(code)
    header = 0
    while header < len(tree.body) and _is_header(tree.body[header], header):
        header += 1
    at = tree.body[header - 1].end_lineno or len(lines) if header else 0
    parts: list[str] = []
    for helper in helpers:
        source = helper.source.replace("\n", newline)
        gap = 2 if source.startswith(("def ", "class ", "async def ")) else 1
        parts.append(newline * gap + source)
    if not at:
        parts[0] = parts[0].lstrip("\r\n")  # no blank line at the top of the file
    elif not lines[at - 1].endswith(("\n", "\r")):
        parts.insert(0, newline)  # after a last line without a line end
    blank_after = 0
    while at + blank_after < len(lines) and not lines[at + blank_after].strip(" \t\r\n"):
        blank_after += 1
    if at + blank_after < len(lines):
        parts.append(newline * max(0, 2 - blank_after))
    return "".join(lines[:at]) + "".join(parts) + "".join(lines[at:])
