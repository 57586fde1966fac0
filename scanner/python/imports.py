"""Constants imported from the project's own modules (``from config import SMTP_HOST``).

Real code keeps hosts, ports and passwords in a settings module and imports them.
The module is found next to the importing file (relative imports) or in a parent
folder (absolute ones), read as the summaries read a wrapper's module (never imported or
run; a Python 2 module in its Python 3 translation: :mod:`.module_trees`), and the name
evaluated there as the module's own analysis would: literals, environment reads with
defaults, f-strings, dicts and tuples, class attributes (``from settings import
Config`` then ``Config.SMTP_HOST``), names it imports in turn. The value keeps its
origin, so a message still says where it came from; spans stay in the file being
checked (a value of another file carries none). Every module file read, and every place
looked at where one was not found, is an input of the importing file's result
(``scanner/inputs.py``). The evaluator is the caller's (:class:`~.values.Evaluator`), passed
in: evaluating a name may import in turn, so the two call each other without importing
each other. A star import (``from settings import *``) brings a module's public names, or
those its ``__all__`` lists: such a name resolves as if imported by name.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from .. import inputs
from ..mail_settings.keys import is_prefixed_key, is_setting_key
from ..model import Value
from ..precheck import module_may_matter
from .mail_code import named_mail_hosts, names_mail_code
from .module_trees import module_tree
from .secret_names import microsoft_mail_password, password_name, secret_name
from .source import SourceText
from .symbols import Symbols

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Protocol

    class ModuleEvaluator(Protocol):
        """What is asked of the evaluator of an imported module."""

        def evaluate(self, node: ast.AST | None, depth: int = 0) -> Value: ...

        def member(self, klass: ast.ClassDef, name: str) -> Value: ...

        @property
        def symbols(self) -> Symbols: ...

        @property
        def parents(self) -> dict[ast.AST, ast.AST]: ...

    # Makes the evaluator of a module (its names, its text, its path).
    MakeEvaluator = Callable[[Symbols, SourceText, str], ModuleEvaluator]
    Module = tuple[ModuleEvaluator, dict[str, ast.expr]]


# Whether a module of the project, checked itself, reports the secret written at a line.
OwnCheck = Callable[[Path, int], bool]

_MAX_PARENTS = 8
_MAX_MODULE_BYTES = 1024 * 1024


def find_module(importer: Path, module: str) -> Path | None:
    """The file of ``module`` (``pkg.mod``, or ``.mod`` / ``..pkg.mod`` for relative
    imports) as seen from the file ``importer``."""
    name = str(importer)
    if name[:1] == "/" and name[1:2] != "/" and os.sep == "/" and _dotted(module):
        # An absolute path (the callers resolve theirs): looked for by the folder, once a
        # run for every module of that folder that asks (a module's passes each do).
        return _find_from(os.path.dirname(name), module)
    level = len(module) - len(module.lstrip("."))
    parts = [p for p in module.lstrip(".").split(".") if p]
    if level:
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = [importer.parent, *list(importer.parents)[1:_MAX_PARENTS]]
    for base in bases:
        target = base.joinpath(*parts) if parts else base
        for candidate in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
            if candidate is not None and inputs.is_file(candidate):
                return candidate
    return None


def resolved(path: str | Path) -> Path:
    """``Path(path).resolve()``, once a run for each path (and working folder): the passes
    of a module's analysis each resolve the file they are given, for every import they look
    at (Django's mail tests: 46 times, a ``stat`` of each folder on the way each time)."""
    return _resolved(path, os.getcwd())


@lru_cache(maxsize=256)
def _resolved(path: str | Path, cwd: str) -> Path:
    return Path(path).resolve()


def _dotted(module: str) -> bool:
    """Whether ``module`` is dots and identifiers (what an import statement names), whose
    file names need none of ``pathlib``'s checks."""
    return all(part.isidentifier() for part in module.lstrip(".").split(".") if part)


@inputs.remembered
def _find_from(folder: str, module: str) -> Path | None:
    """:func:`find_module` for an importer in the absolute POSIX ``folder``, with strings:
    the same folders in the same order, the same paths looked at (and noted), as
    ``pathlib`` spells them, at a tenth of the cost."""
    level = len(module) - len(module.lstrip("."))
    parts = [p for p in module.lstrip(".").split(".") if p]
    bases = [folder]
    if level:
        for _ in range(level - 1):
            bases[0] = os.path.dirname(bases[0])
    else:
        while len(bases) < _MAX_PARENTS and bases[-1] != "/":
            bases.append(os.path.dirname(bases[-1]))
    relative = "/".join(parts)
    for base in bases:
        target = (base.rstrip("/") + "/" + relative) if parts else base
        stem = target.rstrip("/")
        for candidate in (target + ".py" if parts else None, stem + "/__init__.py"):
            if candidate is not None and inputs.is_file(candidate):
                return Path(candidate)
    return None


def _module(path: Path, make: MakeEvaluator) -> tuple[Module, bool] | None:
    """An evaluator over a project module (read now, never run) and its module-level
    names; and whether the byte pre-check skips the module (it is never checked itself)."""
    data = inputs.read(path, _MAX_MODULE_BYTES)
    if data is None:
        return None
    module = _parsed(path, data, make)
    return None if module is None else (module, _skipped(data))


@lru_cache(maxsize=64)
def _skipped(data: bytes) -> bool:
    return not module_may_matter("python", data)


@lru_cache(maxsize=64)
def _parsed(path: Path, data: bytes, make: MakeEvaluator) -> Module | None:
    read = module_tree(data)
    if read is None:
        return None
    tree = read.tree
    names: dict[str, ast.expr] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = target
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            if isinstance(statement.target, ast.Name):
                names[statement.target.id] = statement.target
        elif isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names[statement.name] = statement  # type: ignore[assignment]
        elif isinstance(statement, ast.ImportFrom):
            # ``from settings_mod import SECRET``: the module passes the name on.
            for alias in statement.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = statement  # type: ignore[assignment]
    return make(Symbols(tree), SourceText(read.text), str(path)), names


def _instance_class(
    target: ast.expr, names: dict[str, ast.expr], parents: dict[ast.AST, ast.AST]
) -> ast.ClassDef | None:
    """The module's class that a module-level name holds an instance of: ``settings =
    Settings()``, or ``settings = get_settings()`` where that function returns
    ``Settings()`` (a cached settings object); its attributes start as the class's."""
    statement = parents.get(target)
    value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
    made = _made_class(value, names)
    if made is not None or not isinstance(value, ast.Call):
        return made
    function = names.get(value.func.id) if isinstance(value.func, ast.Name) else None
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    returned = [s.value for s in function.body if isinstance(s, ast.Return)]
    return _made_class(returned[0], names) if len(returned) == 1 else None


def _made_class(value: ast.expr | None, names: dict[str, ast.expr]) -> ast.ClassDef | None:
    """The module's class that ``value`` calls (``Settings()``), if any."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        klass = names.get(value.func.id)
        return klass if isinstance(klass, ast.ClassDef) else None
    return None


def _foreign(
    value: Value, written_in: str | None, depth: int = 0, *, checked: bool = False
) -> Value:
    """A value of another file as this file sees it: no spans (they are offsets into that
    file), not a literal of this file; the origin kept, and where a literal is written in
    that file (``written_in``, as the importer names it). ``checked``: that file is
    checked itself, and reports a dict's entry whose key says it is a password."""
    items = value.items
    if items is not None and depth < 8:
        items = tuple(_foreign(item, written_in, depth + 1, checked=checked) for item in items)
    inner = value.value
    if isinstance(inner, dict) and depth < 8:
        inner = {
            key: _foreign(
                item,
                None if checked and isinstance(key, str) and secret_name(key) else written_in,
                depth + 1,
                checked=checked,
            )
            if isinstance(item, Value)
            else item
            for key, item in inner.items()
        }
    written_at = value.written_at
    if written_in is not None and value.literal and value.literal_span is not None:
        written_at = f"{written_in}:{value.literal_span.line}"
    return Value(value.known, inner, value.origin, items=items, written_at=written_at)


_resolving: set[tuple[Path, str]] = set()


def _evaluated(
    path: Path,
    name: str,
    make: MakeEvaluator,
    member: str | None = None,
    importer: Path | None = None,
    own_check: OwnCheck | None = None,
) -> Value | None:
    """Module-level ``name`` of the module at ``path`` (``member`` of it for a class)."""
    read = _module(path, make)
    if read is None or (path, name) in _resolving:
        return None
    (evaluator, names), skipped = read
    node = names.get(name)
    if node is None or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    if isinstance(node, ast.ImportFrom):
        return _passed_on(path, node, name, make, member, importer, own_check)
    _resolving.add((path, name))
    try:
        if isinstance(node, ast.ClassDef):
            if member is None:
                return None
            value = evaluator.member(node, member)
        elif member is not None:
            klass = _instance_class(node, names, evaluator.parents)
            if klass is None:
                return None
            value = evaluator.member(klass, member)
            if not value.known and value.items is None:
                return None
        else:
            value = evaluator.evaluate(node)
    finally:
        _resolving.discard((path, name))
    if not value.known and value.origin is None and value.items is None:
        return None
    # A literal of a module the byte pre-check skips (a constants module naming no mail
    # library, host or setting) is never reported there: where it is used says where it
    # is written. A module that is checked reports the literals its own code uses, and
    # those its names say are the app's secrets (``ClientSecret``: an Entra secret's
    # shape) or passwords, these when it is mail code itself (imports a mail library,
    # names a Microsoft mail host) or the name is a mail setting's key (``SMTP_PASSWORD``:
    # its settings reader's) or a Microsoft mail account's (``outlook_password``: its name
    # says so). One under another name that only other modules use (``MAIL_KEY = "..."``,
    # ``SMTP_AUTH = (user, "...")``), or a password of a plain config module
    # (``mail_password = "..."`` beside no mail code), is reported where it is used.
    symbols = evaluator.symbols
    named = member or name
    # A module that names another provider's mail host leaves its password literals to
    # the login that shows whose they are (secret_literals): they are reported here; not
    # a prefixed setting's (``SMTP_PASSWORD``), which its settings reader reports.
    defers = not is_prefixed_key(named) and any(
        not provider.microsoft for provider in named_mail_hosts(symbols)
    )
    reported_there = not skipped and (
        name in symbols.names_read
        or (
            secret_name(named)
            and (
                (not password_name(named) and _reported(value, path, own_check))
                or microsoft_mail_password(named)
                or (
                    not defers
                    and (names_mail_code(symbols) or is_setting_key(named))
                    and _reported(value, path, own_check)
                )
            )
        )
    )
    written_in = None if reported_there else _shown(path, importer)
    return _foreign(value, written_in, checked=not skipped)


def _passed_on(
    path: Path,
    statement: ast.ImportFrom,
    name: str,
    make: MakeEvaluator,
    member: str | None,
    importer: Path | None,
    own_check: OwnCheck | None,
) -> Value | None:
    """A name the module at ``path`` imports from another of the project and passes on
    (``config.py``: ``from settings_mod import ClientSecret``; ``config.ClientSecret``
    elsewhere): its value where it is written, named as the first importer sees it."""
    original = next(a.name for a in statement.names if (a.asname or a.name) == name)
    found = find_module(path, "." * statement.level + (statement.module or ""))
    if found is None or (path, name) in _resolving:
        return None
    _resolving.add((path, name))
    try:
        return _evaluated(found, original, make, member, importer=importer, own_check=own_check)
    finally:
        _resolving.discard((path, name))


def _reported(value: Value, path: Path, own_check: OwnCheck | None) -> bool:
    """Whether the settings reader of the module at ``path`` reports a setting's literal:
    by the group around it (``MAIL_PASSWORD`` with no host beside it: not), which only
    the module's own check knows; without one to ask, taken to."""
    span = value.literal_span
    return own_check is None or span is None or own_check(path, span.line)


def _shown(path: Path, importer: Path | None) -> str:
    """The module's path as the importing file's messages name it: from its folder."""
    if importer is not None:
        try:
            return Path(os.path.relpath(path, importer.parent)).as_posix()
        except ValueError:  # another drive (Windows)
            pass
    return path.name


def imported_constant(
    importer: str | None,
    module: str,
    name: str,
    make: MakeEvaluator,
    own_check: OwnCheck | None = None,
) -> Value | None:
    """The value of ``module.name`` as the importing file would see it, or None. Also
    ``package.module.Class`` and an attribute of that class. ``make`` makes the evaluator
    of a module the name is read from."""
    if not importer:
        return None
    where = resolved(importer)
    found = find_module(where, module)
    if found is not None:
        return _evaluated(found, name, make, importer=where, own_check=own_check)
    owner, _, klass = module.rpartition(".")
    if owner and owner.strip("."):
        found = find_module(where, owner)
        if found is not None:
            return _evaluated(found, klass, make, name, importer=where, own_check=own_check)
    return None


def star_constant(
    importer: str | None, module: str, name: str, make: MakeEvaluator
) -> Value | None:
    """The value of ``name`` as ``from module import *`` brings it into the importing
    file, or None (not the project's module, or a name it does not bring)."""
    if not importer:
        return None
    where = resolved(importer)
    found = find_module(where, module)
    if found is None or not _brings(found, name, make):
        return None
    return _evaluated(found, name, make, importer=where)


def star_imported(importer: str | None, module: str, name: str, make: MakeEvaluator) -> str | None:
    """What ``name`` is where ``from module import *`` brings it from a module of the
    project that imports it in turn (``from decouple import config`` in the base settings
    that ``settings_prod.py`` star-imports): the qualified name of that import; None for
    any other name."""
    if not importer:
        return None
    found = find_module(resolved(importer), module)
    if found is None or not _brings(found, name, make):
        return None
    read = _module(found, make)
    if read is None:
        return None
    (_, names), _ = read
    statement = names.get(name)
    if not isinstance(statement, ast.ImportFrom) or statement.level or not statement.module:
        return None
    for alias in statement.names:
        if (alias.asname or alias.name) == name:
            return f"{statement.module}.{alias.name}"
    return None


def star_brings(importer: str | None, module: str, name: str, make: MakeEvaluator) -> bool:
    """Whether ``from module import *`` may bring ``name``: not when ``module`` is one of
    the project that does not export it; any name of a module found nowhere."""
    found = find_module(resolved(importer), module) if importer else None
    return found is None or _brings(found, name, make)


def _brings(path: Path, name: str, make: MakeEvaluator) -> bool:
    """Whether a star import of the module at ``path`` brings ``name``: a public name, and
    one its ``__all__`` lists when it writes one as a literal list or tuple."""
    if name.startswith("_"):
        return False
    read = _module(path, make)
    if read is None:
        return True
    (evaluator, names), _ = read
    listed = names.get("__all__")
    statement = evaluator.parents.get(listed) if listed is not None else None
    value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
    return not isinstance(value, (ast.List, ast.Tuple)) or any(
        isinstance(item, ast.Constant) and item.value == name for item in value.elts
    )
