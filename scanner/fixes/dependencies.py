"""The project's declared dependencies, and what the code a fix writes needs from them.

The XOAUTH2 rewrite needs ``msal`` (its token helper and the modules a fix writes), and
the aiosmtplib rewrite needs aiosmtplib 5.1 or later (``oauth_token_generator``). The
project's dependencies are read where it declares them: ``pyproject.toml`` (PEP 621
``[project] dependencies``, Poetry's ``[tool.poetry.dependencies]``), ``setup.cfg``
(``install_requires``), a ``Pipfile`` (``[packages]``) and requirements files
(``requirements.in``/``requirements.txt``, ``requirements/*.txt``; not the ones for
development or tests). A fix whose code needs a version the project does not allow
(``aiosmtplib==3.0.2``) is refused, with the line that pins it. Otherwise the declarations
are updated with the fix, each file's layout kept: a missing distribution added to the
main declaration, a lower bound raised (``aiosmtplib>=2`` to ``>=5.1``). Where nothing can
be edited (``setup.py``, no declaration at all), the summary says exactly what to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import inputs
from ..project import project_root
from ..remedies import Edit, Remedy
from .dependency_files import (
    Declared,
    DependencyFile,
    pipfile,
    poetry,
    pyproject,
    relative,
    requirements,
    setup_cfg,
    setup_py,
)
from .requirements import Requirement, allows, normalize, raised

# The token helper's cache lookup in acquire_token_for_client came in MSAL 1.23.
MSAL = "msal>=1.23"
TOKEN_FUNCTION = "oauth2_access_token"
_REQUIREMENTS = (
    "requirements.in",
    "requirements.txt",
    "requirements/base.in",
    "requirements/base.txt",
    "requirements/common.txt",
    "requirements/main.txt",
    "requirements/prod.txt",
    "requirements/production.txt",
)
_NOT_RUNTIME = re.compile(r"dev|test|lint|doc|ci|type|check", re.IGNORECASE)
_LOCKS = {
    "poetry.lock": "poetry lock",
    "Pipfile.lock": "pipenv lock",
    "uv.lock": "uv lock",
    "pdm.lock": "pdm lock",
}
_MAX_BYTES = 256 * 1024


def needs(remedy: Remedy) -> tuple[str, ...]:
    """The distributions the code of a remedy needs: its own, and msal for the token
    helper and the modules it writes."""
    wanted = list(remedy.requires)
    if TOKEN_FUNCTION in remedy.helpers or remedy.files:
        wanted.append(MSAL)
    return tuple(dict.fromkeys(wanted))


@dataclass
class Plan:
    """What a run's fixes need of one project's declarations."""

    # Per file: its text before and after, what changed, by the requirement it is for, and
    # the edits that made the change (on the text before).
    edits: dict[Path, tuple[str, str, list[tuple[str, str]], tuple[Edit, ...]]] = field(
        default_factory=dict
    )
    notes: list[str] = field(default_factory=list)


def refusal(location: Path | None, requirement: str) -> str | None:
    """Why code needing ``requirement`` cannot be written in the project of ``location``
    (a declaration that excludes it), or None."""
    if location is None:
        return None
    wanted = Requirement.parse(requirement)
    root = project_root(location.resolve())
    for file in declarations(root):
        for declared in file.declared:
            if declared.name == wanted.name and allows(declared.specifier, wanted.minimum) is False:
                return (
                    f"it needs {requirement}, and {file.where(declared, root)} declares "
                    f"{wanted.name}{declared.specifier}: change that first"
                )
    return None


def pinned_below(path: str | None, distribution: str, release: tuple[int, ...]) -> bool:
    """Whether the project of the file at ``path`` declares ``distribution`` at releases
    before ``release`` only (``aiosmtplib==1.1.6``, ``<2``, Poetry's ``^1.1``): the
    check then follows that release's behaviour. The declarations are noted as inputs
    of the file's result."""
    if path is None:
        return False
    location = Path(path).resolve()
    note_declarations(location)
    name = normalize(distribution)
    return any(
        declared.name == name and allows(declared.specifier, release) is False
        for file in declarations(project_root(location))
        for declared in file.declared
    )


def plan(root: Path, requirements: list[str]) -> Plan:
    """The edits of the declaration files under ``root`` that declare ``requirements``."""
    result = Plan()
    files = declarations(root)
    pending: dict[Path, list[tuple[int, int, str]]] = {}
    notes: dict[Path, list[tuple[str, str]]] = {}
    for requirement in requirements:
        wanted = Requirement.parse(requirement)
        found = [(f, d) for f in files for d in f.declared if d.name == wanted.name]
        for file, declared in found:
            higher = raised(declared.specifier, wanted.minimum)
            if higher is None or allows(declared.specifier, wanted.minimum) is False:
                continue
            old = file.text[declared.start : declared.end]
            pending.setdefault(file.path, []).append(
                (declared.start, declared.end, _rewritten(old, declared, higher))
            )
            notes.setdefault(file.path, []).append(
                (
                    requirement,
                    f"{wanted.name}{declared.specifier} raised to {wanted.name}{higher} "
                    f"(line {declared.line})",
                )
            )
        if found:
            continue
        main = next((f for f in files if f.entry is not None), None)
        if main is None or main.insert_at is None or main.entry is None:
            setup = next((f for f in files if f.kind == "setup.py"), None)
            where = (
                f"install_requires in {relative(setup.path, root)}"
                if setup
                else "the project's dependencies"
            )
            result.notes.append(f"add {requirement} to {where}")
            continue
        at = main.insert_at
        pending.setdefault(main.path, []).append((at, at, main.entry(requirement)))
        notes.setdefault(main.path, []).append((requirement, f"{requirement} added"))
    for file in files:
        edits = pending.get(file.path)
        if not edits:
            continue
        text = file.text
        for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            text = text[:start] + new + text[end:]
        made = tuple(Edit(start, end, new) for start, end, new in edits)
        result.edits[file.path] = (file.text, text, notes[file.path], made)
    for lock, command in _LOCKS.items():
        if result.edits and (root / lock).is_file():
            result.notes.append(f"{lock} no longer matches: run `{command}`")
    return result


def _rewritten(old: str, declared: Declared, specifier: str) -> str:
    if not declared.whole:
        return specifier
    name_end = len(old) - len(old.lstrip())
    found = re.match(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?", old)
    name_end = found.end() if found else name_end
    marker = old.find(";")
    tail = old[marker:] if marker >= 0 else ""
    return f"{old[:name_end].rstrip()}{specifier}{' ' + tail if tail else ''}"


def note_declarations(location: Path) -> None:
    """Note the declaration files of the project of ``location`` as inputs (the result
    cache then knows that ``check``'s fixability was read from them)."""
    root = project_root(location.resolve())
    for name in ("pyproject.toml", "setup.cfg", "Pipfile", "setup.py", *_REQUIREMENTS):
        inputs.read(root / name, _MAX_BYTES)
    for entry in inputs.listing(root):
        if entry.name.startswith("requirements") and entry.name.endswith(".txt"):
            inputs.read(root / entry.name, _MAX_BYTES)


def declarations(root: Path) -> list[DependencyFile]:
    """The declaration files of the project at ``root``, the main one first."""
    stamps = []
    for name in ("pyproject.toml", "setup.cfg", "Pipfile", "setup.py", *_REQUIREMENTS):
        path = root / name
        try:
            stat = path.stat()
        except OSError:
            continue
        stamps.append((name, stat.st_mtime_ns, stat.st_size))
    extra = sorted(p.name for p in root.glob("requirements*.txt"))
    return _declarations(root, tuple(stamps), tuple(extra))


@lru_cache(maxsize=32)
def _declarations(root: Path, stamps: tuple, extra: tuple[str, ...]) -> list[DependencyFile]:
    found: list[DependencyFile] = []
    for name, reader in (
        ("pyproject.toml", pyproject),
        ("pyproject.toml", poetry),
        ("setup.cfg", setup_cfg),
        ("Pipfile", pipfile),
    ):
        text = _read(root / name)
        if text is not None:
            file = reader(root / name, text)
            if file is not None:
                found.append(file)
    names = [n for n in _REQUIREMENTS if (root / n).is_file()]
    names += [n for n in extra if n not in names and not _NOT_RUNTIME.search(n)]
    for name in names:
        text = _read(root / name)
        if text is not None:
            found.append(requirements(root / name, text))
    text = _read(root / "setup.py")
    if text is not None and "install_requires" in text:
        found.append(setup_py(root / "setup.py", text))
    # Only the first file that can take a new entry does.
    main = next((f for f in found if f.entry is not None), None)
    for file in found:
        if file is not main:
            file.entry = None
    return found


def _read(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
