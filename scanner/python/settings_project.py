"""The project around a Python settings module, as the settings interpreter's fixes need
it: where a module a fix adds goes, and the facts of other files (the code that makes
Flask-Mail's ``Mail``, the config file that sets an environment variable), read from
disk here, by the caller, only when a fix asks for them."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

from .. import inputs
from ..config.feeds import config_setting
from ..mail_settings.backends import Project
from ..project import mail_makers


def project_of(path: str | None, flask_extension: str = "") -> Project | None:
    """Where a module goes for the settings file at ``path``: beside it, or beside the
    settings package when the file is in one (``config/settings/production.py``). The
    fixer names the package the module is in."""
    if not path:
        return None
    resolved = Path(path).resolve()
    folder = resolved.parent
    in_package = folder.name == "settings" and (
        inputs.is_file(folder / "__init__.py") or _imports_relatively(resolved)
    )
    return Project(
        ".." if in_package else "",
        flask_extension,
        resolved,
        mail_makers=partial(mail_makers, str(resolved)),
        set_in=partial(config_setting, resolved),
    )


def _imports_relatively(path: Path) -> bool:
    """Whether a settings module imports relatively (``from .base import *``): it is in a
    package, with or without ``__init__.py``."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*from\s+\.", text, re.MULTILINE) is not None
