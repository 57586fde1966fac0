"""What the rest of a project says about a file: facts a file alone does not hold.

Flask-Mail and Flask-Mailman read the same ``MAIL_*`` settings; which one a config
class feeds shows only in the code that imports one of them, and Flask-Mail's ``Mail``
(whose connections log in) is made in code, often in another file than the settings.
A ``.env`` key matters when code of the tree reads it. These facts come from a cheap
look at the project's files (a byte search first, ``ast`` or a config reader only for
the few that match); which files there are is listed once per project root and run,
what they hold is read when asked. Nothing is imported or run. A file whose result used
these facts has the project's fingerprint (its Python files' contents, the names of its
other code) as an input (``scanner/inputs.py``), and each file read for it.
"""

from __future__ import annotations

import ast
import os
import re
import stat
import time
from dataclasses import field
from functools import lru_cache
from pathlib import Path

from . import digests, inputs
from .discover import SKIP_DIRS, walk
from .lazy_regex import lazy_pattern
from .mail_settings.keys import is_setting_key
from .reading import read_regular
from .records import plain
from .text import LineIndex, decode
from .words import WholeWords

_ROOT_MARKERS = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    ".git",
    "manage.py",
    "requirements.txt",
    "Pipfile",
)
_MAX_PARENTS = 8
_MAX_FILES = 5000
_MAX_BYTES = 512 * 1024
# Walked as discovery walks a tree; ``env`` too, a virtualenv's usual name here.
_SKIPPED = SKIP_DIRS | {"env"}
_FLASK_MAILMAN = WholeWords([b"flask_mailman"])
_FLASK_MAIL = WholeWords([b"flask_mail"])
# Settings of Flask's mail extensions (``EMAIL_HOST`` is Django's: not a whole word).
_FLASK_SETTINGS = WholeWords(
    b"MAIL_" + name
    for name in (b"SERVER", b"PORT", b"USE_TLS", b"USE_SSL", b"USERNAME", b"PASSWORD")
)
# The class a fix switches Flask-Mail's Mail to (scanner/fixes/modules.py writes it).
OAUTH2_MAIL_CLASS = "XOAuth2Mail"
# The class `fix --target graph` switches it to (scanner/fixes/graph_modules.py writes it).
GRAPH_MAIL_CLASS = "GraphMail"
_MIGRATED_CLASSES = (OAUTH2_MAIL_CLASS, GRAPH_MAIL_CLASS)
_OAUTH2_MAIL = WholeWords(name.encode() for name in _MIGRATED_CLASSES)
# What a module authsweep wrote says about itself (it subclasses Mail, names old settings
# to say they are not used): such modules are not the project's own code.
GENERATED_MARK = "Written by authsweep:"
_GENERATED = GENERATED_MARK.encode()
# Calls that read one environment variable or config key by name.
_READERS = frozenset({"env", "config", "getenv", "get_env_variable", "get_env", "get_secret"})
_ENV_HINT = lazy_pattern(rb"environ|getenv|\benv\(|\bconfig\(|decouple|get_env")


@plain
class Read:
    """Code that reads a key by name: ``os.environ["EMAIL_HOST_PASSWORD"]``."""

    path: Path
    line: int
    expression: str


@plain
class ProjectFacts:
    """Facts of the project around the checked files: its Flask extension, where settings
    are read, its files."""

    root: Path
    flask_extension: str = ""  # "flask_mailman", "flask_mail" or ""
    reads: dict[str, list[Read]] = field(default_factory=dict)  # key -> code reading it
    # The Python files, those that name flask_mail (where Mail may be made), and the code
    # in other languages.
    python_files: list[Path] = field(default_factory=list)
    flask_mail_files: list[Path] = field(default_factory=list)
    other_code: list[Path] = field(default_factory=list)
    # Of what the facts were read from: its files' times (none when too recent to trust)
    # and their contents (fingerprint_matches).
    fingerprint: str = ""


@plain
class MailMaker:
    """Code that makes Flask-Mail's ``Mail``: ``mail = Mail()``, ``flask_mail.Mail(app)``.

    ``start``/``end`` are offsets of the class as written in the call (``Mail``,
    ``flask_mail.Mail``) in the file's decoded text, whose bytes hash to ``digest``;
    ``migrated``: the call already makes the OAuth2 class a fix wrote."""

    path: Path
    line: int
    start: int
    end: int
    digest: str
    migrated: bool = False


def project_root(path: Path) -> Path:
    """The nearest folder above ``path`` with a project marker, else its folder."""
    folder = path.parent
    for candidate in [folder, *list(folder.parents)[:_MAX_PARENTS]]:
        if any(inputs.exists(candidate / marker) for marker in _ROOT_MARKERS):
            return candidate
    return folder


def facts_for(path: str | None) -> ProjectFacts | None:
    if not path:
        return None
    facts = _facts(project_root(Path(path).resolve()))
    inputs.note(inputs.PROJECT + str(facts.root), facts.fingerprint)
    return facts


@plain
class _Listed:
    """A file of the project's listing, with its stat result."""

    path: Path
    info: os.stat_result
    python: bool  # else code in another language


def project_fingerprint(root: Path, listed: list[_Listed] | None = None) -> str:
    """The names, sizes and modification times of the files the facts of the project at
    ``root`` are read from: any change to one (or a file added or removed) changes it."""
    digest = digests.blake2b(digest_size=16)
    for entry in _project_files(root) if listed is None else listed:
        info = entry.info
        digest.update(os.fsencode(entry.path) + f"\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def content_fingerprint(listed: list[_Listed], hashes: dict[Path, str] | None = None) -> str:
    """The names of the project's files and the contents of its Python files (their
    ``hashes`` where already read): the same after a file is touched, or rewritten as it
    was."""
    digest = digests.blake2b(digest_size=16)
    for entry in listed:
        digest.update(os.fsencode(entry.path) + b"\0")
        if not entry.python:
            continue
        found = (hashes or {}).get(entry.path)
        if found is None:
            try:
                found = inputs.content_hash(read_regular(entry.path, _MAX_BYTES))
            except OSError:
                found = ""
        digest.update(found.encode() + b"\0")
    return digest.hexdigest()


def fingerprint_matches(root: Path, recorded: str) -> bool:
    """Whether the project at ``root`` is still what ``recorded`` (:attr:`ProjectFacts.
    fingerprint`) was read from: by its files' names, sizes and times when those were
    recorded and agree, else by its files' names and contents (a file touched but not
    changed, or times too recent to trust when the facts were read)."""
    times, _, contents = recorded.partition(" ")
    listed = _project_files(root)
    if times and times == project_fingerprint(root, listed):
        return True
    return bool(contents) and contents == content_fingerprint(listed)


@lru_cache(maxsize=64)
def _facts(root: Path) -> ProjectFacts:
    facts = ProjectFacts(root)
    mailman = mail = 0
    listed = _project_files(root)
    # A file changed within the mtime clock's resolution of this read may change again
    # unseen: a fingerprint nothing matches makes the next run read the facts afresh.
    recent = time.time() - inputs.RACY_SECONDS
    racy = any(entry.info.st_mtime >= recent for entry in listed)
    hashes: dict[Path, str] = {}
    for entry in listed:
        if not entry.python:
            facts.other_code.append(entry.path)
            continue
        file = entry.path
        facts.python_files.append(file)
        try:
            data = read_regular(file, _MAX_BYTES)
        except OSError:
            continue
        hashes[file] = inputs.content_hash(data)
        if _FLASK_MAILMAN.found_in(data):
            mailman += 1
        elif _FLASK_MAIL.found_in(data):
            mail += 1
        if (_FLASK_MAIL.found_in(data) or _OAUTH2_MAIL.found_in(data)) and _GENERATED not in data:
            facts.flask_mail_files.append(file)
        if _ENV_HINT.search(data):
            _record_reads(file, data, facts.reads)
    facts.flask_extension = "flask_mailman" if mailman else "flask_mail" if mail else ""
    times = "" if racy else project_fingerprint(root, listed)
    facts.fingerprint = f"{times} {content_fingerprint(listed, hashes)}"
    return facts


def _project_files(root: Path) -> list[_Listed]:
    """The project's Python files and its code in other languages (scripts, Dockerfiles)."""
    listed: list[_Listed] = []
    for folder, folders, files in walk(root):
        folders[:] = sorted(f for f in folders if f not in _SKIPPED and not f.startswith("."))
        for name in sorted(files):
            python = name.endswith(".py")
            if not (python or _is_other_code(name)):
                continue
            file = Path(folder) / name
            try:
                info = file.lstat()
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_BYTES:
                continue
            if len(listed) == _MAX_FILES:
                return listed
            listed.append(_Listed(file, info, python))
    return listed


# Code in other languages that may read an environment variable a .env sets.
_OTHER_CODE = (".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx", ".sh", ".bash", ".ps1", ".rb")
_OTHER_CODE += (".php", ".go", ".java", ".kt", ".cs", ".pl")
_OTHER_NAMES = frozenset({"dockerfile", "makefile", "procfile", "justfile"})


def _is_other_code(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(_OTHER_CODE) or lower in _OTHER_NAMES or lower.startswith("dockerfile")


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
    """The Flask mail extension the module uses, else the one its project imports."""
    data = code.encode("utf-8", errors="ignore")
    if _FLASK_MAILMAN.found_in(data):
        return "flask_mailman"
    if _FLASK_MAIL.found_in(data):
        return "flask_mail"
    if not _FLASK_SETTINGS.found_in(data):
        return ""  # reading the whole project is for modules with Flask's mail settings
    facts = facts_for(path)
    return facts.flask_extension if facts is not None else ""


def mail_makers(path: str | None) -> list[MailMaker] | None:
    """Where the project of the file at ``path`` makes Flask-Mail's ``Mail``, read now
    (offsets and digests are of the files as they are); None when one of them cannot be
    switched plainly (a subclass of ``Mail``, a file that does not parse)."""
    facts = facts_for(path)
    if facts is None:
        return []
    found: list[MailMaker] = []
    for file in facts.flask_mail_files:
        data = inputs.read(file, _MAX_BYTES)
        if data is None:
            continue
        made = _mail_makers(file, data)
        if made is None:
            return None
        found.extend(made)
    return found


def _mail_makers(file: Path, data: bytes) -> list[MailMaker] | None:
    try:
        _, text = decode("python", data)
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError):
        return None
    classes: set[str] = set()  # names bound to flask_mail.Mail
    modules: set[str] = set()  # names bound to the flask_mail module
    migrated: set[str] = set()  # names bound to the OAuth2 class a fix wrote
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "flask_mail":
            classes |= {a.asname or a.name for a in node.names if a.name == "Mail"}
        elif isinstance(node, ast.ImportFrom):
            migrated |= {a.asname or a.name for a in node.names if a.name in _MIGRATED_CLASSES}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == "flask_mail"}
    lines = LineIndex(text)
    digest = digests.sha256(data).hexdigest()
    found: list[MailMaker] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            _is_mail_class(base, classes, modules) for base in node.bases
        ):
            return None  # a subclass of Mail: its own code decides how it connects
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        made = _is_mail_class(func, classes, modules)
        done = isinstance(func, ast.Name) and func.id in migrated
        if made or done:
            start = lines.offset(func.lineno, func.col_offset)
            end = lines.offset(func.end_lineno or func.lineno, func.end_col_offset or 0)
            found.append(MailMaker(file, node.lineno, start, end, digest, migrated=done))
    return found


def _is_mail_class(node: ast.AST, classes: set[str], modules: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in classes
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "Mail"
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
    )


def keys_read(text: str) -> list[str]:
    """The environment variables and config keys Python ``text`` reads by name, in the
    order it first reads them."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    found = [
        (node.lineno, node.col_offset, key)  # type: ignore[attr-defined]
        for node in ast.walk(tree)
        if (key := _key_read(node)) is not None
    ]
    return list(dict.fromkeys(key for _, _, key in sorted(found)))


def setting_reads(path: str | Path, name: str) -> list[Read]:
    """Code of the project of ``path`` that reads setting ``name`` from a framework's
    settings: ``app.config["MAIL_PASSWORD"]``, ``app.config.get("MAIL_PASSWORD")``,
    ``settings.EMAIL_HOST_PASSWORD``, ``getattr(settings, "EMAIL_HOST_PASSWORD")``."""
    facts = facts_for(str(path))
    if facts is None:
        return []
    found: list[Read] = []
    needle = name.encode()
    for file in facts.python_files:
        try:
            data = read_regular(file, _MAX_BYTES)
            if needle not in data:
                continue
            text = data.decode("utf-8")
            tree = ast.parse(data)
        except (OSError, SyntaxError, ValueError, RecursionError):
            continue
        for node in ast.walk(tree):
            if _reads_setting(node, name):
                expression = ast.get_source_segment(text, node) or name
                found.append(Read(file, node.lineno, expression))  # type: ignore[attr-defined]
    return found


def _reads_setting(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        index = node.slice
        return (
            isinstance(index, ast.Constant) and index.value == name and _named(node.value, "config")
        )
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
        return node.attr == name and _named(node.value, "settings")
    if not isinstance(node, ast.Call) or not node.args:
        return False
    func = node.func
    if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) > 1:
        return _is_string(node.args[1], name) and _named(node.args[0], "settings")
    return (
        _is_string(node.args[0], name)
        and isinstance(func, ast.Attribute)
        and func.attr == "get"
        and _named(func.value, "config")
    )


def _is_string(node: ast.AST, value: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def settings_written(text: str) -> list[str]:
    """The mail settings Python ``text`` writes: ``EMAIL_HOST_PASSWORD = ...`` (in a module
    or a class), ``MAIL_PASSWORD=...`` keywords, ``app.config["MAIL_PASSWORD"] = ...``."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    names: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names[node.id] = None
        elif isinstance(node, ast.keyword) and node.arg:
            names[node.arg] = None
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                names[node.slice.value] = None
    return [n for n in names if n.isupper() and is_setting_key(n, mapping=False)]


def reads_setting(text: str, name: str) -> bool:
    """Whether Python ``text`` reads setting ``name`` as :func:`setting_reads` finds it."""
    if name not in text:
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return True
    return any(_reads_setting(node, name) for node in ast.walk(tree))


def mentions(path: str | Path, key: str, texts: dict[Path, str]) -> list[Read]:
    """Code of the project of ``path`` that names ``key`` (as a word; in Python in any
    case, as a pydantic ``BaseSettings`` field reads ``SMTP_PASSWORD`` as
    ``smtp_password``), in the text ``texts`` gives a file (resolved path) or on disk:
    code that may still read the variable. Modules authsweep wrote are left out."""
    facts = facts_for(str(path))
    if facts is None:
        return []
    word = re.escape(key)
    python = re.compile(rf"(?<![A-Za-z0-9_]){word}(?![A-Za-z0-9_])", re.IGNORECASE)
    other = re.compile(rf"(?<![A-Za-z0-9_]){word}(?![A-Za-z0-9_])")
    found: list[Read] = []
    for file in [*facts.python_files, *facts.other_code]:
        text = texts.get(file.resolve())
        if text is None:
            try:
                data = read_regular(file, _MAX_BYTES)
            except OSError:
                continue
            if key.lower().encode() not in data.lower():
                continue
            text = data.decode("utf-8", errors="replace")
        if GENERATED_MARK in text:
            continue
        pattern = python if file.suffix == ".py" else other
        hit = pattern.search(text)
        if hit is not None:
            line = text.count("\n", 0, hit.start()) + 1
            found.append(Read(file, line, hit.group(0)))
    return found
