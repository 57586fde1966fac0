"""The import name of a folder of the project, as the program that runs it imports it.

A module a fix writes is named by a dotted path (Django's ``EMAIL_BACKEND``, an import),
which must resolve from where the program imports code. In a Django project that is the
folder of ``manage.py`` (Django puts it first on ``sys.path``, and
``DJANGO_SETTINGS_MODULE`` is a path from it): a folder's name is its path from there,
packages with or without ``__init__.py`` alike (``proj/settings`` is ``proj.settings``).
Elsewhere it is the folder's packages up to the first folder without ``__init__.py``.
"""

from __future__ import annotations

from pathlib import Path

_MAX_PARENTS = 8
_MAX_PACKAGES = 12


def dotted(folder: Path) -> str:
    """The import name of ``folder`` ("" for a folder imported from directly)."""
    folder = folder.resolve()
    root = django_root(folder)
    if root is not None:
        return ".".join(folder.relative_to(root).parts)
    names: list[str] = []
    current = folder
    # A folder whose name is no identifier (``my-repo``) cannot be imported as a package.
    while (
        (current / "__init__.py").is_file()
        and current.name.isidentifier()
        and len(names) < _MAX_PACKAGES
    ):
        names.append(current.name)
        current = current.parent
    return ".".join(reversed(names))


def django_root(folder: Path) -> Path | None:
    """The folder of the ``manage.py`` at or above ``folder``, if any."""
    for candidate in [folder, *list(folder.parents)[:_MAX_PARENTS]]:
        if (candidate / "manage.py").is_file():
            return candidate
    return None
