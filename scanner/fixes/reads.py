"""What the clean-up after a fix works with: reading an ``ast`` back into offsets of the
text, deleting statements and list items without breaking the code around them, and
telling a read (of the environment, a setting, a literal) from code that does something."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..python.source import dotted_name
from ..remedies import Edit
from ..text import LineIndex

# Where other files of the project name a word ("path:line"), as a name ("name"), an
# attribute ("attribute": ``.word``) or a quoted key ("key"); None when the project
# cannot be searched (code from stdin).
Elsewhere = Callable[[str, str], list[str]]

# Calls whose only effect is to read a value (their result is the secret).
READERS = frozenset(
    {
        "os.getenv",
        "os.environ.get",
        "getpass.getpass",
        "getpass",  # from getpass import getpass
        "input",
        "keyring.get_password",
        "decouple.config",
        "str",
        "int",
    }
)
READER_METHODS = frozenset({"get", "getenv", "get_password", "str", "getboolean", "getint"})


def reads_only(value: ast.AST) -> bool:
    """A literal, a name, an environment or setting lookup, a prompt: nothing a program
    could depend on happening."""
    for node in ast.walk(value):
        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            method = node.func.attr if isinstance(node.func, ast.Attribute) else None
            if name not in READERS and method not in READER_METHODS:
                return False
        elif isinstance(node, (ast.Lambda, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
    return True


@dataclass
class Found:
    """Edits on the fixed text, and notes on what was kept, by what they are about."""

    edits: list[Edit] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)


class Text(LineIndex):
    """Offsets of ``ast`` positions (lines, UTF-8 byte columns) in a text."""

    def offset(self, line: int, byte_column: int) -> int:
        return super().offset(min(line, self.count), byte_column)

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def whole_lines(self, node: ast.stmt) -> tuple[int, int] | None:
        """The lines a statement is alone on, as offsets (with the last line's break)."""
        start, end = self.span(node)
        first = self.line_start(node.lineno)
        last_end = self.line_start(node.end_lineno + 1)  # type: ignore[operator]
        before = self.text[first:start]
        after = self.text[end:last_end]
        if before.strip() or (after.strip() and not after.strip().startswith("#")):
            return None
        return first, last_end


class Removal:
    """Edits that delete a statement; ``pass`` where it was the only one of its block."""

    def __init__(self, source: Text, tree: ast.Module, found: Found) -> None:
        self.source, self.blocks, self.found = source, blocks_of(tree), found
        self.removed: Counter[int] = Counter()  # statements removed, by block

    def remove(self, statement: ast.stmt) -> bool:
        lines = self.source.whole_lines(statement)
        if lines is None:
            return False
        block = self.blocks.get(id(statement), [])
        self.removed[id(block)] += 1
        replacement = ""
        if self.removed[id(block)] >= len(block):
            text = self.source.text
            indent = text[lines[0] : self.source.span(statement)[0]]
            line = text[lines[0] : lines[1]]
            replacement = f"{indent}pass{line[len(line.rstrip(chr(13) + chr(10))) :]}"
        start = lines[0]
        if not replacement and self._blank_line_at(lines[1]):
            # Between blank lines: the blank lines above go too, so the gap keeps its size.
            while start > 0 and self._blank_line_at(self._line_before(start)):
                start = self._line_before(start)
        self.found.edits.append(Edit(start, lines[1], replacement))
        return True

    def _blank_line_at(self, offset: int) -> bool:
        text = self.source.text
        end = text.find("\n", offset)
        return end >= 0 and not text[offset:end].strip()

    def _line_before(self, offset: int) -> int:
        return self.source.text.rfind("\n", 0, max(offset - 1, 0)) + 1


def blocks_of(tree: ast.AST) -> dict[int, list[ast.stmt]]:
    """The block each statement is in."""
    blocks: dict[int, list[ast.stmt]] = {}
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                for statement in block:
                    blocks[id(statement)] = block
        for handler in getattr(node, "handlers", ()):
            for statement in handler.body:
                blocks[id(statement)] = handler.body
    return blocks


def loads(tree: ast.AST) -> Counter[str]:
    return Counter(
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    )


class ScopeLoads:
    """:func:`loads` of a module and of every function in it, from one walk of the module
    (asked of each function before and after a fix, and of the module in every tidy
    pass, a walk each cost a tenth of planning a fix); :func:`loads` of anything else."""

    def __init__(self, tree: ast.AST) -> None:
        self.tree = tree  # keeps every node, and so its id, alive
        self._by_node: dict[int, Counter[str]] = {}
        module: Counter[str] = Counter()
        self._by_node[id(tree)] = module
        stack: list[tuple[ast.AST, tuple[Counter[str], ...]]] = [(tree, (module,))]
        while stack:
            node, counts = stack.pop()
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    for count in counts:
                        count[node.id] += 1
                continue
            if node is not tree and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                own: Counter[str] = Counter()
                self._by_node[id(node)] = own
                counts = (*counts, own)
            stack.extend((child, counts) for child in ast.iter_child_nodes(node))

    def __call__(self, node: ast.AST) -> Counter[str]:
        known = self._by_node.get(id(node))
        return known if known is not None else loads(node)


def attribute_loads(tree: ast.AST) -> Counter[str]:
    return Counter(
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
    )


def exported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            names |= {
                e.value
                for e in ast.walk(node.value)
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
    return names


def named_scopes(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    """The module and every function, by qualified name and occurrence (lines move when a
    fix adds code; names do not)."""
    seen: Counter[str] = Counter()

    def visit(scope: ast.AST, name: str) -> Iterator[tuple[str, ast.AST]]:
        seen[name] += 1
        yield f"{name}#{seen[name]}", scope
        for child in direct_functions(scope):
            yield from visit(child, f"{name}.{child.name}")

    yield from visit(tree, "")


def direct_functions(scope: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Functions defined in ``scope`` (methods of its classes too), not in nested ones."""
    stack = list(reversed(list(ast.iter_child_nodes(scope))))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node
        else:
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def drop_item(code: str, start: int, end: int) -> Edit:
    """Delete one item of a bracketed, comma-separated list: its own line when it has
    one, else with the comma after it (or before it, for the last item)."""
    line = code.rfind("\n", 0, start) + 1
    tail = end
    while tail < len(code) and code[tail] in " \t":
        tail += 1
    comma = tail < len(code) and code[tail] == ","
    if comma:
        tail += 1
    line_end = code.find("\n", tail)
    rest = code[tail : line_end if line_end >= 0 else len(code)]
    if not code[line:start].strip() and not rest.strip() and line_end >= 0:
        if comma:
            return Edit(line, line_end + 1, "")
    if comma:
        while tail < len(code) and code[tail] in " \t":
            tail += 1
        return Edit(start, tail, "")
    head = start
    while head > 0 and code[head - 1] in " \t\r\n":
        head -= 1
    if head > 0 and code[head - 1] == ",":
        return Edit(head - 1, end, "")
    return Edit(start, end, "")


def places(elsewhere: Elsewhere | None, word: str, kind: str) -> list[str] | None:
    return None if elsewhere is None else elsewhere(word, kind)


def kept(what: str, where: list[str] | None) -> str:
    if where:
        return f"{what} is no longer used here; kept, since {', '.join(where[:3])} names it"
    return f"{what} is no longer used here; delete it if nothing imports it"
