"""What the rest of a project says about a file: facts a file alone does not hold.

Flask-Mail and Flask-Mailman read the same ``MAIL_*`` settings; which one a config
class feeds shows only in the code that imports one of them. A ``.env`` key matters
when code of the tree reads it. These facts come from a cheap look at the project's
Python files (a byte search first, ``ast`` only for the few that match), made once per
project root and run; nothing is imported or run.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git", "manage.py")
_MAX_PARENTS = 8
_MAX_FILES = 5000
_MAX_BYTES = 512 * 1024
_SKIPPED = frozenset(
    {
        ".git",
        ".hg",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "env",
        "node_modules",
        "site-packages",
        "__pycache__",
        "build",
        "dist",
        ".authsweep_cache",
        ".mypy_cache",
        ".ruff_cache",
    }
)
_FLASK_MAILMAN = re.compile(rb"\bflask_mailman\b")
_FLASK_MAIL = re.compile(rb"\bflask_mail\b")
# Settings of Flask's mail extensions (``EMAIL_HOST`` is Django's: no word boundary).
_FLASK_SETTINGS = re.compile(rb"\bMAIL_(?:SERVER|PORT|USE_TLS|USE_SSL|USERNAME|PASSWORD)\b")
# Calls that read one environment variable or config key by name.
_READERS = frozenset({"env", "config", "getenv", "get_env_variable", "get_env", "get_secret"})
_ENV_HINT = re.compile(rb"environ|getenv|\benv\(|\bconfig\(|decouple|get_env")


@dataclass(frozen=True)
class Read:
    """Code that reads a key by name: ``os.environ["EMAIL_HOST_PASSWORD"]``."""

    path: Path
    line: int
    expression: str


@dataclass
class ProjectFacts:
    root: Path
    flask_extension: str = ""  # "flask_mailman", "flask_mail" or ""
    reads: dict[str, list[Read]] = field(default_factory=dict)  # key -> code reading it


def project_root(path: Path) -> Path:
    """The nearest folder above ``path`` with a project marker, else its folder."""
    folder = path.parent
    for candidate in [folder, *list(folder.parents)[:_MAX_PARENTS]]:
        if any((candidate / marker).exists() for marker in _ROOT_MARKERS):
            return candidate
    return folder


def facts_for(path: str | None) -> ProjectFacts | None:
    if not path:
        return None
    return _facts(project_root(Path(path).resolve()))


@lru_cache(maxsize=64)
def _facts(root: Path) -> ProjectFacts:
    facts = ProjectFacts(root)
    mailman = mail = 0
    for file in _python_files(root):
        try:
            data = file.read_bytes()
        except OSError:
            continue
        if _FLASK_MAILMAN.search(data):
            mailman += 1
        elif _FLASK_MAIL.search(data):
            mail += 1
        if _ENV_HINT.search(data):
            _record_reads(file, data, facts.reads)
    facts.flask_extension = "flask_mailman" if mailman else "flask_mail" if mail else ""
    return facts


def _python_files(root: Path):
    count = 0
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if f not in _SKIPPED and not f.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            file = Path(folder) / name
            try:
                if file.is_symlink() or file.stat().st_size > _MAX_BYTES:
                    continue
            except OSError:
                continue
            count += 1
            if count > _MAX_FILES:
                return
            yield file


def _record_reads(file: Path, data: bytes, reads: dict[str, list[Read]]) -> None:
    try:
        tree = ast.parse(data)
        text = data.decode("utf-8")
    except (SyntaxError, ValueError, RecursionError, UnicodeDecodeError):
        return
    for node in ast.walk(tree):
        key = _key_read(node)
        if key is not None:
            expression = ast.get_source_segment(text, node) or key
            reads.setdefault(key, []).append(Read(file, node.lineno, expression))  # type: ignore[attr-defined]


def _key_read(node: ast.AST) -> str | None:
    """``os.environ["X"]``, ``os.environ.get("X")``, ``os.getenv("X")``, ``env("X")``,
    ``env.str("X")``, ``config("X")`` (decouple), ``get_env_variable("X")``: the key."""
    if isinstance(node, ast.Subscript) and _named(node.value, "environ"):
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, str):
            return index.value
        return None
    if not isinstance(node, ast.Call) or not node.args:
        return None
    first = node.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id in _READERS:
        return first.value
    if isinstance(func, ast.Attribute):
        owner = func.value
        if func.attr in ("get", "setdefault") and _named(owner, "environ"):
            return first.value
        if func.attr == "getenv" or (_named(owner, "env") and func.attr.isidentifier()):
            return first.value
    return None


def _named(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )


def flask_extension(path: str | None, code: str) -> str:
    """The Flask mail extension the module uses, else the one its project imports; the
    project is looked at only for a module that holds Flask mail settings."""
    data = code.encode("utf-8", errors="ignore")
    if _FLASK_MAILMAN.search(data):
        return "flask_mailman"
    if _FLASK_MAIL.search(data):
        return "flask_mail"
    if not path or not _FLASK_SETTINGS.search(data):
        return ""
    return _flask_imports(project_root(Path(path).resolve()))


@lru_cache(maxsize=64)
def _flask_imports(root: Path) -> str:
    """Which Flask mail extension the project's Python imports (a byte search only)."""
    mail = False
    for file in _python_files(root):
        try:
            data = file.read_bytes()
        except OSError:
            continue
        if _FLASK_MAILMAN.search(data):
            return "flask_mailman"
        mail = mail or bool(_FLASK_MAIL.search(data))
    return "flask_mail" if mail else ""
