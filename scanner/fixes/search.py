"""Whether other modules of the project still name what a fix took the last reader of
here: a module constant another file may import, an attribute, a dict key, a function.

``check`` plans the fix of every file with a fix on offer, and each plan may search the
whole project several times: a file is parsed and indexed once per process, and the
index used again while the file's bytes are the same (they are read on every search, so
a file ``fix`` has just written is indexed afresh)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from .. import digests
from ..project import GENERATED_MARK, ProjectFacts, facts_for
from .reads import Elsewhere


def project_search(location: Path | None) -> Elsewhere | None:
    """A search of the other Python files of the project of the file at ``location``
    (listed as :mod:`..project` lists them; modules authsweep wrote are left out); None for
    code that is in no file (stdin)."""
    if location is None:
        return None
    facts = facts_for(str(location))
    if facts is None:
        return None
    me = location.resolve()
    others = [file for file, resolved in _resolved(facts) if resolved != me]
    module = me.stem
    found: dict[tuple[str, str], list[str]] = {}

    def search(word: str, kind: str) -> list[str]:
        if (word, kind) not in found:
            found[(word, kind)] = _search(others, facts.root, word, kind, module)
        return found[(word, kind)]

    return search


# The project's Python files with their resolved paths, for the facts they were listed in
# (the facts of a root are read once per process).
_RESOLVED: dict[Path, tuple[ProjectFacts, list[tuple[Path, Path]]]] = {}


def _resolved(facts: ProjectFacts) -> list[tuple[Path, Path]]:
    cached = _RESOLVED.get(facts.root)
    if cached is None or cached[0] is not facts:
        cached = (facts, [(file, file.resolve()) for file in facts.python_files])
        _RESOLVED[facts.root] = cached
    return cached[1]


def _search(files: list[Path], root: Path, word: str, kind: str, module: str) -> list[str]:
    """Files naming ``word``; for a name of the module (a constant, a function), only
    files that import the module can."""
    needle = word.encode()
    places = []
    for file in files:
        try:
            data = file.read_bytes()
        except OSError:
            continue
        if needle not in data or GENERATED_MARK.encode() in data:
            continue
        index = _index(file, data)
        if index is None:
            continue
        if kind == "name" and module not in index.imported:
            continue
        line = index.first_line(word, kind)
        if line is not None:
            places.append(f"{_relative(file, root)}:{line}")
    return places


@dataclass
class _Index:
    """What a search asks of one module: the modules it imports (by their last dotted
    part) and, for each word, where it is first named (in ``ast.walk`` order, with its
    line) as an attribute, a name or an import of it, or a string constant."""

    imported: set[str] = field(default_factory=set)
    attributes: dict[str, tuple[int, int]] = field(default_factory=dict)
    names: dict[str, tuple[int, int]] = field(default_factory=dict)
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)

    def first_line(self, word: str, kind: str) -> int | None:
        if kind == "key":
            places = [self.keys.get(word)]
        elif kind == "attribute":
            places = [self.attributes.get(word)]
        else:
            places = [self.attributes.get(word), self.names.get(word)]
        seen = [place for place in places if place is not None]
        return min(seen)[1] if seen else None


# Per file: the digest of the bytes indexed, and the index (None: the file does not parse).
_INDEXES: dict[Path, tuple[bytes, _Index | None]] = {}


def _index(file: Path, data: bytes) -> _Index | None:
    digest = digests.blake2b(data, digest_size=16).digest()
    cached = _INDEXES.get(file)
    if cached is not None and cached[0] == digest:
        return cached[1]
    try:
        index: _Index | None = _indexed(ast.parse(data))
    except (SyntaxError, ValueError, RecursionError):
        index = None
    _INDEXES[file] = (digest, index)
    return index


def _indexed(tree: ast.Module) -> _Index:
    index = _Index()
    for position, node in enumerate(ast.walk(tree)):
        if isinstance(node, ast.Import):
            index.imported.update(alias.name.rsplit(".", 1)[-1] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            index.imported.add((node.module or "").rsplit(".", 1)[-1])
            index.imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Attribute):
            index.attributes.setdefault(node.attr, (position, node.lineno))
        elif isinstance(node, ast.Name):
            index.names.setdefault(node.id, (position, node.lineno))
        elif isinstance(node, ast.alias):
            for name in (node.name, node.asname):
                if name is not None:
                    index.names.setdefault(name, (position, node.lineno))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            index.keys.setdefault(node.value, (position, node.lineno))
    return index


def _relative(file: Path, root: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()
