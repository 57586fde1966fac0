"""An import inside a function says why it is there.

Such an import is kept only where it keeps start-up fast (a command's modules, LibCST,
rich, git, a module only some runs need) or for another stated reason (an optional
dependency, a function whose source is copied elsewhere); an import hiding a circle is
not one (tests/test_import_graph.py counts those imports too). The reason is a comment on
the import's line or on the line above it (above the first of a block of imports). A
module whose docstring declares the policy (its functions import what they run, marked
``# start-up``) may mark each such import with the bare ``# start-up``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

import pytest
from test_import_graph import module_files

MARKER = "start-up"
# A linter directive (noqa, type: ignore) alone is no reason.
_TOOL_DIRECTIVE = re.compile(r"(noqa(:\s*[A-Z]+\d+(,\s*[A-Z]+\d+)*)?|type:\s*ignore(\[[^\]]*\])?)")


def _reason(comment: str) -> str:
    """A comment's words, without the tool directives in it."""
    text = _TOOL_DIRECTIVE.sub("", comment.lstrip("#"))
    return text.strip(" -:;,.")


def _comments(source: str) -> dict[int, str]:
    """Each line's comment (``#`` and after) by line number."""
    found: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string
    return found


def _function_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    found.append(node)
    return list({id(node): node for node in found}.values())  # nested functions: once


def _block_start(node: ast.stmt, lines: list[str]) -> int:
    """The first line of the block of import statements ``node`` is in (line numbers)."""
    start = node.lineno
    while start > 1 and lines[start - 2].lstrip().startswith(("import ", "from ")):
        start -= 1
    return start


def unexplained(name: str, source: str) -> list[str]:
    """``name``'s imports inside functions that carry no reason, as ``module:line``."""
    tree = ast.parse(source)
    lines = source.splitlines()
    comments = _comments(source)
    policy = f"``# {MARKER}``" in (ast.get_docstring(tree) or "")
    found = []
    for node in _function_imports(tree):
        first = _block_start(node, lines)
        candidates = [first - 1, *range(node.lineno, (node.end_lineno or node.lineno) + 1)]
        reasons = [_reason(comments[n]) for n in candidates if n in comments]
        explained = any(r and (r != MARKER or policy) for r in reasons)
        if not explained:
            found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_a_reason_is_read_from_the_line_or_the_line_above() -> None:
    source = (
        "def a():\n"
        "    import json  # start-up: only `a` needs it\n"
        "def b():\n"
        "    # start-up: the writer loads rich\n"
        "    from x import y\n"
        "    from x import z\n"
        "def c():\n"
        "    import json\n"
        "def d():\n"
        "    import os  # noqa: F401\n"
        "def e():\n"
        "    import os  # start-up\n"
    )
    assert unexplained("m", source) == [
        "m:8: import json",
        "m:10: import os",
        "m:12: import os",
    ]
    declared = '"""Commands import what they run (``# start-up``)."""\n' + source
    assert unexplained("m", declared) == ["m:9: import json", "m:11: import os"]


@pytest.mark.parametrize("name", sorted(module_files()))
def test_imports_inside_functions_give_their_reason(name: str) -> None:
    path = module_files()[name]
    found = unexplained(name, path.read_text(encoding="utf-8"))
    assert not found, (
        "imports inside a function without a reason (a comment on the line or the line "
        f"above; hoist the import if it buys no start-up time): {found}"
    )
