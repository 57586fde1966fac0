"""What fixed code needs at module level: imports and helper functions, added once."""

from __future__ import annotations

import ast
from collections.abc import Iterable

import libcst as cst

from ..errors import ParseError
from ..python.parse import parse_whole
from .helpers import HELPERS
from .import_style import ImportStyle
from .imports import Wanted, add_imports


def _defined_names(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            names.add(target.target.value)
                elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                    small.names, cst.ImportStar
                ):
                    for alias in small.names:
                        bound = alias.asname.name if alias.asname else alias.name
                        if isinstance(bound, cst.Name):
                            names.add(bound.value)
    return names


def _is_header(statement: cst.CSTNode) -> bool:
    """A docstring or an import: what stays above the helpers."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return all(
        isinstance(small, (cst.Import, cst.ImportFrom))
        or (isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString))
        for small in statement.body
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
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError as error:
        raise ValueError(str(error)) from None
    defined = _defined_names(module)
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
    if not new_helpers:
        return code  # imports are placed as text: no round trip through LibCST
    module = cst.parse_module(code)
    statements: list[cst.BaseStatement] = []
    for helper in new_helpers:
        # Newlines inside the docstring are part of a string token: match the file's.
        parsed = cst.parse_module(helper.source.replace("\n", module.default_newline)).body
        # One blank line after the imports before a statement, two before a def (isort).
        gap = 2 if isinstance(parsed[0], (cst.FunctionDef, cst.ClassDef)) else 1
        first = parsed[0].with_changes(leading_lines=[cst.EmptyLine()] * gap)
        statements.extend([first, *parsed[1:]])
    body = list(module.body)
    index = 0
    while index < len(body) and _is_header(body[index]):
        index += 1
    if index < len(body):
        following = body[index]
        blank = [cst.EmptyLine(), cst.EmptyLine()]
        body[index] = following.with_changes(
            leading_lines=blank
            + [line for line in following.leading_lines if line.comment is not None]
        )
    module = module.with_changes(body=[*body[:index], *statements, *body[index:]])
    return module.code
