"""Constants imported from the project's own modules (``from config import SMTP_HOST``).

Real code keeps hosts, ports and passwords in a settings module and imports them.
The module is found next to the importing file (relative imports) or in a parent
folder (absolute ones), read with ``ast`` (never imported or run), and its
module-level constants evaluated: literals, ``os.environ.get``/``os.getenv`` with a
default, ``int``/``str`` of those. The value keeps its origin, so a message still says
where it came from; spans stay in the file being checked.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from ..model import Value

_MAX_PARENTS = 8
_MAX_MODULE_BYTES = 1024 * 1024
_ENV_READERS = {("os", "getenv"), ("environ", "get"), ("environ", "setdefault")}


def find_module(importer: Path, module: str) -> Path | None:
    """The file of ``module`` (``pkg.mod``, or ``.mod`` / ``..pkg.mod`` for relative
    imports) as seen from the file ``importer``."""
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
            if candidate is not None and candidate.is_file():
                return candidate
    return None


def _literal(node: ast.expr, env_origin: str | None = None) -> Value | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
        return Value(True, node.value, env_origin)
    if isinstance(node, ast.Call) and len(node.args) >= 1:
        func = node.func
        name = None
        if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Attribute)):
            owner = func.value.attr if isinstance(func.value, ast.Attribute) else func.value.id
            name = (owner, func.attr)
        if name in _ENV_READERS:
            key = node.args[0]
            origin = f"env {key.value}" if isinstance(key, ast.Constant) else "environment"
            default = node.args[1] if len(node.args) > 1 else None
            if default is None:
                return Value.unknown(origin)
            return _literal(default, origin) or Value.unknown(origin)
        if isinstance(func, ast.Name) and func.id in ("int", "str") and len(node.args) == 1:
            inner = _literal(node.args[0], env_origin)
            if inner is None or not inner.known:
                return inner
            try:
                converted = int(inner.value) if func.id == "int" else str(inner.value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return Value.unknown(inner.origin)
            return Value(True, converted, inner.origin)
    return None


@lru_cache(maxsize=256)
def module_constants(path: Path) -> dict[str, Value]:
    try:
        if path.stat().st_size > _MAX_MODULE_BYTES:
            return {}
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError):
        return {}
    constants: dict[str, Value] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name):
            found = _literal(value)
            if found is not None:
                constants[target.id] = found
    return constants


def imported_constant(importer: str | None, module: str, name: str) -> Value | None:
    """The value of ``module.name`` as the importing file would see it, or None."""
    if not importer:
        return None
    found = find_module(Path(importer).resolve(), module)
    if found is None:
        return None
    value = module_constants(found).get(name)
    if value is None:
        return None
    # A literal constant is as certain here as in its module; an environment default
    # keeps the variable as its origin.
    return Value(value.known, value.value, value.origin)
