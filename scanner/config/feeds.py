"""Config files that feed code: where the value a program reads from its environment is
set in the project (a ``.env``, decouple's ``settings.ini``, a compose file), so that a
finding on the code can name that place (``password set in .env:3``). The folders
listed and the files read are inputs of the result of the file being checked
(``scanner/inputs.py``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from .. import inputs
from ..discover import kind_of
from ..errors import ParseError
from ..lazy_regex import lazy_pattern
from ..project import project_root
from ..text import decode
from . import read_settings

# Config files whose values are examples for people to copy, not values code reads.
_EXAMPLE_NAME = lazy_pattern(r"(?:^|[._-])(?:example|sample|template|dist|tmpl)(?:[._-]|$)", re.I)
_CONFIG_SUFFIXES = (".ini", ".cfg", ".yaml", ".yml", ".toml", ".json")
_SET_IN = lazy_pattern(r", set in (?P<where>.+) line (?P<line>\d+)$")


def set_in(origin: str | None, path: str) -> str | None:
    """Where a value read from the environment is set (``.env:3``), as the run shows
    paths: from its origin (``env SMTP_PASSWORD, set in ../.env line 3``, relative to the
    folder of the file at ``path``, as shown), else the config file above that file that
    sets the variable (:func:`config_setting`)."""
    origin = origin or ""
    found = _SET_IN.search(origin)
    if found is not None:
        where, line = found["where"], found["line"]
    elif origin.startswith("env ") and origin[4:].isidentifier():
        setting = config_setting(path, origin[4:])
        if setting is None:
            return None
        where, line = setting[0], str(setting[1])
    else:
        return None
    shown = os.path.normpath(os.path.join(os.path.dirname(path), where))
    return f"{Path(shown).as_posix()}:{line}"


def config_setting(path: str | Path, key: str) -> tuple[str, int] | None:
    """The config file in the folder of the file at ``path`` or above it (up to its
    project root) that sets ``key``, relative to that folder, and the line: where a
    ``.env``, decouple's ``settings.ini``, a compose file, ... gives the variable the code
    reads."""
    here = Path(path).resolve().parent
    needle = key.encode()
    for config in config_files_above(path):
        kind = kind_of(config)
        if kind is None:
            continue
        data = inputs.read(config, inputs.MAX_INPUT_BYTES)
        if data is None or needle not in data:
            continue
        try:
            _, text = decode(kind, data)
            settings = read_settings(str(config), kind, text)
        except (ValueError, ParseError):
            continue
        for setting in settings:
            if setting.key == key:
                return Path(os.path.relpath(config, here)).as_posix(), setting.span.line
    return None


def config_files_above(path: str | Path) -> list[Path]:
    """The config files (``.env``, INI, YAML, TOML, JSON; not examples or templates) in
    the folder of the file at ``path`` and the folders above it, up to its project root:
    where ``.env`` loaders, decouple and compose look for the values code reads."""
    here = Path(path).resolve().parent
    root = project_root(Path(path).resolve())
    found: list[Path] = []
    for folder in (here, *here.parents):
        names = [entry.name for entry in inputs.listing(folder) if entry.is_file()]
        found += [folder / name for name in names if _is_config_name(name)]
        if folder == root or not folder.is_relative_to(root):
            break
    return found


def _is_config_name(name: str) -> bool:
    lower = name.lower()
    dotenv = (lower.startswith(".env") and lower != ".envrc") or lower.endswith(".env")
    return (dotenv or lower.endswith(_CONFIG_SUFFIXES)) and not _EXAMPLE_NAME.search(name)
