"""Data files the code loads by name: what ``json.load``, ``yaml.safe_load``,
``tomllib.load`` and ``OmegaConf.load`` give, read from the file of the project.

``with open("config.json") as f: config = json.load(f)`` then ``config["smtp_server"]``:
the host is what ``config.json`` says, so the login is to Microsoft 365 as surely as if
the code named it (and a Gmail host in the file is Gmail's). The file is found as an
INI file a ``configparser`` reads is (:mod:`.ini_reads`): from the last string of the
path expression, beside the module and up to the project root. Each value's origin names
the file, the key and the line. The file is parsed as the config front end parses it
(YAML composed, never constructed: nothing in it runs).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from .. import inputs
from ..model import Value
from .ini_reads import file_names, locate

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from ..config.tree import Node

# The loader functions, by the kind of file they read.
LOADERS = {
    "json.load": "json",
    "json.loads": "json",
    "yaml.safe_load": "yaml",
    "yaml.load": "yaml",
    "yaml.full_load": "yaml",
    "tomllib.load": "toml",
    "tomllib.loads": "toml",
    "tomli.load": "toml",
    "tomli.loads": "toml",
    "toml.load": "toml",
    "omegaconf.OmegaConf.load": "yaml",
}
_MAX_BYTES = 256 * 1024
# Reading a file object or a path's text: ``f.read()``, ``Path(p).read_text()``.
_READS = frozenset({"read", "read_text", "read_bytes"})


def loaded(
    call: ast.Call,
    kind: str,
    holds: Callable[[ast.Name], list[ast.expr]],
    module: str | None,
) -> Value | None:
    """The document a loader call reads from a file of the project, as a value; None
    when the file is not named or not found, or is not of ``kind``. A path picked from
    several names (``"config.json"`` if it is readable, else ``"config.default.json"``)
    is read when each file is in the project and all say the same."""
    if not call.args or module is None:
        return None
    path = _path_expression(call.args[0], holds, call)
    if path is None:
        return None
    names = file_names(path)
    documents = [_document(name, kind, Path(module)) for name in names]
    if not documents or None in documents:
        return None
    first = documents[0]
    if any(_plain(other) != _plain(first) for other in documents[1:]):  # type: ignore[arg-type]
        return None
    return first


def _document(name: str, kind: str, module: Path) -> Value | None:
    found = locate(name, module)
    if found is None:
        return None
    data = inputs.read(found, _MAX_BYTES)  # an input of the result: the cache follows it
    if data is None:
        return None
    text = data.decode("utf-8", errors="replace")
    tree = _tree(kind, text)
    if tree is None:
        return None
    from ..config.tree import tree_value  # start-up: with the parsers below

    return tree_value(tree, text, found.name)


def _plain(value: Value) -> object:
    """A loaded document's data without the origins (which name the file)."""
    if isinstance(value.value, dict):
        return {key: _plain(item) for key, item in value.value.items()}  # type: ignore[arg-type]
    if value.items is not None:
        return tuple(_plain(item) for item in value.items)
    return value.value


def _path_expression(
    node: ast.expr, holds: Callable[[ast.Name], list[ast.expr]], call: ast.Call
) -> ast.expr | None:
    """The path a loader's argument reads: ``open(path)`` or a name bound to it (``with
    open(path) as f``, also rebound to what it loads: ``f = json.load(f)``), ``f.read()``,
    ``Path(path).read_text()``, or the path itself; a path name bound to several strings
    gives them all (as a list)."""
    for _ in range(6):
        if isinstance(node, ast.Name):
            made = [e for e in holds(node) if not any(n is call for n in ast.walk(e))]
            if len(made) == 1:
                node = made[0]
                continue
            if len(made) > 1 and all(_string(e) for e in made):
                return ast.List(made, ast.Load())
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr not in _READS:
                return node  # ``Path(__file__).with_name("mail.json")``
            node = node.func.value
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("open", "Path"):
            if not node.args:
                return None
            node = node.args[0]
            if not isinstance(node, ast.Name):
                return node
        else:
            return node
    return None


def _string(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value)


def _tree(kind: str, text: str) -> Node | None:
    # start-up: each config parser loads only for a module that loads such a data file
    if kind == "json":
        from ..config.json_file import json_tree  # start-up: as above

        return json_tree(text)
    if kind == "toml":
        from ..config.toml_file import toml_tree  # start-up: as above

        return toml_tree(text)
    from ..config.yaml_file import yaml_tree  # start-up: as above

    return yaml_tree(text)
