"""INI files the code reads with ``configparser``: their values, and the keys read.

``config = configparser.ConfigParser(); config.read("mail.ini")`` then
``config["mail"]["host"]``, ``config.get("mail", "host")`` or ``section = config["mail"];
section["host"]``: the host is what ``mail.ini`` says (``host = smtp.office365.com``), so
the login is to Microsoft 365 as surely as if the code named it. The file is found from
the path the code passes (a string, ``Path(__file__).with_name(...)``,
``os.path.join(os.path.dirname(__file__), ...)``: its file name) beside the module, then
in the folders above it up to the project root. It is read as ``RawConfigParser`` reads
it (no interpolation); nothing is run. After a fix, the keys the code no longer reads
(the password) can be taken out of that file like any config key.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from .. import inputs
from ..model import Value
from .source import dotted_name

PARSERS = frozenset(
    {"configparser.ConfigParser", "configparser.RawConfigParser", "configparser.SafeConfigParser"}
)
_MAX_PARENTS = 4
_MAX_BYTES = 256 * 1024
_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")


class IniConfig(dict):
    """A parsed INI file as a value: sections (dicts of Values) by name."""


def config_value(call: ast.Call, tree: ast.Module, module: str | None) -> Value | None:
    """The value of ``configparser.ConfigParser()`` bound to a name the module reads files
    into: the files' sections, each key a Value whose origin names the file and key.
    The parser is an (empty) IniConfig also when the files it reads are not in the tree, so
    that its ``get(section, option)`` is never read as ``dict.get(key, default)``."""
    target = _target(call, tree)
    if target is None:
        return None
    sections: IniConfig = IniConfig()
    for path in files_read(tree, target, Path(module)) if module else ():
        for section, keys in _parse(path).items():
            found = sections.setdefault(section, {})
            for key, (value, line) in keys.items():
                origin = f"{path.name} [{section}] {key}, line {line}"
                found[key] = Value(True, value, origin)
    return Value(True, sections)


def _target(call: ast.Call, tree: ast.Module) -> str | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and node.value is call and len(node.targets) == 1:
            return dotted_name(node.targets[0])
    return None


def files_read(tree: ast.Module, target: str, module: Path) -> list[Path]:
    """The INI files ``target.read(...)`` / ``target.read_file(open(...))`` name, found."""
    found: list[Path] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("read", "read_file")
            and dotted_name(node.func.value) == target
            and node.args
        ):
            continue
        for name in file_names(node.args[0]):
            path = locate(name, module)
            if path is not None and path not in found:
                found.append(path)
    return found


def file_names(node: ast.AST) -> list[str]:
    """The file names a path expression ends with (the last string literal of each
    path; a list of paths gives several)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return [name for element in node.elts for name in file_names(element)]
    strings = [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value
    ]
    return [strings[-1]] if strings else []


def locate(name: str, module: Path) -> Path | None:
    folder = module.resolve().parent
    for _ in range(_MAX_PARENTS):
        candidate = (folder / name).resolve()
        if folder in candidate.parents and inputs.is_file(candidate):
            return candidate
        if any(inputs.exists(folder / marker) for marker in _MARKERS) or folder.parent == folder:
            return None
        folder = folder.parent
    return None


def _parse(path: Path) -> dict[str, dict[str, tuple[str, int]]]:
    data = inputs.read(path, _MAX_BYTES)  # an input of the result: the cache follows it
    if data is None:
        return {}
    text = data.decode("utf-8", errors="replace")
    import configparser  # start-up: only a module that reads an INI file it names needs it

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    lines = text.splitlines()
    found: dict[str, dict[str, tuple[str, int]]] = {}
    for section in parser.sections():
        keys = found.setdefault(section, {})
        for key, value in parser.items(section):
            keys[key] = (value, _line_of(lines, key))
    return found


def _line_of(lines: list[str], key: str) -> int:
    for number, line in enumerate(lines, start=1):
        if line.split("=", 1)[0].split(":", 1)[0].strip().lower() == key:
            return number
    return 0


def section_get(
    container: IniConfig, call: ast.Call, evaluate: Callable[[ast.expr], Value]
) -> Value:
    """``config.get("mail", "host")`` (and ``getint``, ``getboolean``, ``getfloat``) on a
    parsed INI file: the file's value; else its ``fallback=``; else unknown from that key
    (the second argument is the option's name, never a default)."""
    keys = [evaluate(arg) for arg in call.args[:2]]
    if len(keys) == 2 and all(key.known for key in keys):
        section = container.get(keys[0].value)
        item = section.get(keys[1].value) if isinstance(section, dict) else None
        if isinstance(item, Value):
            return item
        origin = f"INI [{keys[0].value}] {keys[1].value}"
    else:
        origin = "configuration"
    fallback = next((k.value for k in call.keywords if k.arg == "fallback"), None)
    if fallback is not None:
        default = evaluate(fallback)
        if default.known and default.value is not None:
            return default.as_default(origin)
    return Value.unknown(origin)


def read_from_ini(text: str, module: Path) -> tuple[list[Path], list[str]]:
    """The INI files a module reads with configparser, and the keys of those files it
    reads by name (``section["password"]``, ``config.get("mail", "password")``)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return [], []
    files: list[Path] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            name = dotted_name(node.func) or ""
            if name.rsplit(".", 1)[-1] in {p.rsplit(".", 1)[-1] for p in PARSERS}:
                target = _target(node, tree)
                if target is not None:
                    files += [f for f in files_read(tree, target, module) if f not in files]
    if not files:
        return [], []
    known = {key for path in files for keys in _parse(path).values() for key in keys}
    read: dict[str, None] = {}
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr.startswith("get")
            and node.args
        ):
            key = node.args[-1] if len(node.args) <= 2 else node.args[1]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            if key.value.lower() in known:
                read[key.value.lower()] = None
    return files, list(read)
