"""Which import section a module belongs to, as the project's Ruff or isort settings say.

A new ``import msal`` belongs with the third-party imports; the project's own modules
(``known-first-party``, a top-level package or module in a source folder, the fixed
file's own package) come after them, and a project may define its own sections
(``[tool.ruff.lint.isort.sections]``, isort's ``sections`` and ``known_<name>``). Getting
this wrong puts ``msal`` in the first-party block, which Ruff's I001 then reports in a
file that was clean. Read from the nearest ``ruff.toml``, ``.ruff.toml`` or
``pyproject.toml`` with Ruff settings, else the nearest isort configuration
(``[tool.isort]``, ``.isort.cfg``, ``setup.cfg``, ``tox.ini``); nothing in them is run.
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

from ..project import project_root
from ..records import record

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the Python the project still supports
    import tomli as tomllib

FUTURE, STDLIB, THIRD, FIRST, LOCAL = "future", "stdlib", "thirdparty", "firstparty", "local"
DEFAULT_ORDER = (FUTURE, STDLIB, THIRD, FIRST, LOCAL)
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(sys.builtin_module_names)
# Ruff's section names, and isort's, as the names used here.
_NAMES = {
    "future": FUTURE,
    "standard-library": STDLIB,
    "stdlib": STDLIB,
    "third-party": THIRD,
    "thirdparty": THIRD,
    "first-party": FIRST,
    "firstparty": FIRST,
    "local-folder": LOCAL,
    "localfolder": LOCAL,
}
_MAX_PARENTS = 8
_MAX_BYTES = 256 * 1024


@record
class ImportStyle:
    """Sections in order, modules the settings place (by dotted prefix), where the
    project's own top-level modules are, and the fixed file's top package."""

    order: tuple[str, ...] = DEFAULT_ORDER
    known: tuple[tuple[str, str], ...] = ()
    source_roots: tuple[Path, ...] = ()
    own_package: str = ""

    def section(self, module: str, level: int = 0) -> str:
        if level:
            return LOCAL
        top = module.split(".", 1)[0]
        if top == "__future__":
            return FUTURE
        for prefix, section in self.known:
            if module == prefix or module.startswith(prefix + "."):
                return section
        if top in _STDLIB:
            return STDLIB
        if top == self.own_package:
            return FIRST
        if any(_has_module(root, top) for root in self.source_roots):
            return FIRST
        return THIRD

    def rank(self, section: str) -> int:
        return self.order.index(section) if section in self.order else self.order.index(THIRD)


def _has_module(root: Path, name: str) -> bool:
    return (root / name).is_dir() or (root / f"{name}.py").is_file()


def style_for(location: Path | None) -> ImportStyle:
    """The import style of the project of the file at ``location`` (the default without
    one)."""
    if location is None:
        return ImportStyle()
    folder = location.parent.resolve()
    own = _top_package(folder)
    for candidate in [folder, *list(folder.parents)[:_MAX_PARENTS]]:
        style = _ruff(candidate) or _isort(candidate)
        if style is not None:
            return _with_place(style, candidate, own)
        if (candidate / ".git").exists():
            break
    root = _root(folder)
    return ImportStyle(source_roots=(root, root / "src"), own_package=own)


def _root(folder: Path) -> Path:
    return project_root(folder / "_")


def _top_package(folder: Path) -> str:
    top = ""
    current = folder
    for _ in range(12):
        if not (current / "__init__.py").is_file() or not current.name.isidentifier():
            break
        top, current = current.name, current.parent
    return top


def _with_place(style: ImportStyle, config_folder: Path, own: str) -> ImportStyle:
    roots = style.source_roots or (config_folder, config_folder / "src")
    roots = tuple(root if root.is_absolute() else config_folder / root for root in roots)
    return ImportStyle(style.order, style.known, roots, own)


def _read_toml(path: Path) -> dict | None:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def _ruff(folder: Path) -> ImportStyle | None:
    for name in ("ruff.toml", ".ruff.toml"):
        document = _read_toml(folder / name)
        if document is not None:
            lint = document.get("lint", {})
            return _from_ruff(document, lint.get("isort", document.get("isort", {})))
    document = _read_toml(folder / "pyproject.toml")
    ruff = (document or {}).get("tool", {}).get("ruff")
    if not isinstance(ruff, dict):
        return None
    lint = ruff.get("lint", {})
    return _from_ruff(ruff, lint.get("isort", ruff.get("isort", {})))


def _from_ruff(ruff: dict, isort: dict) -> ImportStyle:
    known: list[tuple[str, str]] = []
    for key, section in (
        ("known-first-party", FIRST),
        ("known-third-party", THIRD),
        ("known-local-folder", LOCAL),
    ):
        known += [(module, section) for module in _strings(isort.get(key))]
    for name, modules in (isort.get("sections") or {}).items():
        known += [(module, name) for module in _strings(modules)]
    order = tuple(_NAMES.get(s, s) for s in _strings(isort.get("section-order")))
    custom = tuple(n for n in (isort.get("sections") or {}) if n not in order)
    if not order:
        order = (*DEFAULT_ORDER[:4], *custom, LOCAL) if custom else DEFAULT_ORDER
    roots = tuple(Path(p) for p in _strings(ruff.get("src")))
    return ImportStyle(order, tuple(_longest_first(known)), roots)


def _isort(folder: Path) -> ImportStyle | None:
    document = _read_toml(folder / "pyproject.toml")
    table = (document or {}).get("tool", {}).get("isort")
    if isinstance(table, dict):
        return _from_isort({k.replace("-", "_"): v for k, v in table.items()})
    for name, sections in ((".isort.cfg", ("settings",)), ("setup.cfg", ("isort", "tool:isort"))):
        parsed = _read_ini(folder / name, sections)
        if parsed is not None:
            return _from_isort(parsed)
    parsed = _read_ini(folder / "tox.ini", ("isort",))
    return _from_isort(parsed) if parsed is not None else None


def _read_ini(path: Path, sections: tuple[str, ...]) -> dict | None:
    parser = configparser.RawConfigParser()
    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        parser.read_string(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    for section in sections:
        if parser.has_section(section):
            return {k.replace("-", "_"): v for k, v in parser.items(section)}
    return None


def _from_isort(settings: dict) -> ImportStyle:
    known: list[tuple[str, str]] = []
    for key, value in settings.items():
        if not key.startswith("known_"):
            continue
        name = key.removeprefix("known_")
        section = {"first_party": FIRST, "third_party": THIRD, "local_folder": LOCAL}.get(name)
        known += [(module, section or name) for module in _strings(value)]
    order = tuple(_NAMES.get(s.lower(), s.lower()) for s in _strings(settings.get("sections")))
    roots = tuple(Path(p) for p in _strings(settings.get("src_paths")))
    return ImportStyle(order or DEFAULT_ORDER, tuple(_longest_first(known)), roots)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _longest_first(known: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(known, key=lambda item: -len(item[0]))
