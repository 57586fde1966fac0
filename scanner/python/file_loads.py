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
    opened_with: Callable[[ast.Name], ast.expr | None],
    module: str | None,
) -> Value | None:
    """The document a loader call reads from a file of the project, as a value; None
    when the file is not named or not found, or is not of ``kind``."""
    if not call.args or module is None:
        return None
    path = _path_expression(call.args[0], opened_with)
    if path is None:
        return None
    names = file_names(path)
    found = locate(names[0], Path(module)) if names else None
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


def _path_expression(
    node: ast.expr, opened_with: Callable[[ast.Name], ast.expr | None]
) -> ast.expr | None:
    """The path a loader's argument reads: ``open(path)`` or a name bound to it (``with
    open(path) as f``), ``f.read()``, ``Path(path).read_text()``, or the path itself."""
    for _ in range(4):
        if isinstance(node, ast.Name):
            bound = opened_with(node)
            if bound is None:
                return None
            node = bound
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr not in _READS:
                return node  # ``Path(__file__).with_name("mail.json")``
            node = node.func.value
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("open", "Path"):
            return node.args[0] if node.args else None
        else:
            return node
    return None


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
