"""The files a command keeps between runs beside the package's bytecode (the dataclass
methods of :mod:`.method_cache`, the compiled patterns of :mod:`.pattern_cache`): where
each lives and how it is replaced."""

from __future__ import annotations

import marshal
import os
import sys


def kept_path(folder: str, command: str, file_name: str) -> str | None:
    """``folder``/__pycache__/``file_name`` filled in for ``command`` and the interpreter;
    None for what is not a command's name (``--version``, ``--help``) or an interpreter
    that caches no bytecode."""
    tag = sys.implementation.cache_tag
    if tag is None or not (command[:1].isalpha() and command.replace("-", "_").isidentifier()):
        return None
    return os.path.join(folder, "__pycache__", file_name.format(command=command, tag=tag))


def replace_whole(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (a reader sees the old file or the new one); a
    folder that cannot be written is done without."""
    partial = f"{path}.{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(partial, "xb") as file:
            file.write(data)
        os.replace(partial, path)
    except OSError:
        try:
            os.unlink(partial)
        except OSError:
            pass


def read_table(path: str) -> dict[object, object]:
    """The dict marshalled at ``path``; empty if the file is missing, unreadable or holds
    something else (each reader checks its entries)."""
    try:
        with open(path, "rb") as file:
            table = marshal.loads(file.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return table if isinstance(table, dict) else {}
