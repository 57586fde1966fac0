"""Environment variables the project sets in its own ``.env`` file.

Code reads ``os.environ["SMTP_HOST"]``; the project's ``.env`` says
``SMTP_HOST=smtp.office365.com``. A variable read without a default takes the value the
nearest ``.env`` gives it (the importing file's folder, then its parents up to the
project root), and its origin names both places: ``env SMTP_HOST, set in .env line 3``.
Templates (``.env.example``) are not read: their values are examples. The file is read
with the dotenv config reader; every variable counts (``MAILER_HOST`` as well as
``EMAIL_HOST``): code names what it reads. Each ``.env`` and project marker looked at is
an input of the file's result (``scanner/inputs.py``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .. import inputs
from ..model import Value

_MAX_PARENTS = 8
_MAX_BYTES = 256 * 1024
# A folder that holds one of these is the top of a project: no .env above it applies.
_PROJECT_ROOT = (".git", "pyproject.toml", "setup.py", "setup.cfg")


def project_env(importer: str | None, key: str) -> Value | None:
    """The value the project's ``.env`` gives variable ``key``, seen from file ``importer``."""
    if not importer:
        return None
    folder = Path(importer).resolve().parent
    for _ in range(_MAX_PARENTS):
        settings = _dotenv(folder / ".env")
        if key in settings:
            value, line = settings[key]
            where = os.path.relpath(folder / ".env", Path(importer).resolve().parent)
            return Value(True, value, f"env {key}, set in {where} line {line}")
        if any(inputs.exists(folder / marker) for marker in _PROJECT_ROOT):
            return None
        if folder.parent == folder:
            return None
        folder = folder.parent
    return None


def _dotenv(path: Path) -> dict[str, tuple[object, int]]:
    data = inputs.read(path, _MAX_BYTES)
    return {} if data is None else _dotenv_settings(data)


@lru_cache(maxsize=256)
def _dotenv_settings(data: bytes) -> dict[str, tuple[object, int]]:
    text = data.decode("utf-8", errors="replace")
    # The config readers (and the settings tables they use) load only for a project
    # that has a .env.
    from ..config.dotenv_file import read_dotenv
    from ..config.positions import LineIndex

    found: dict[str, tuple[object, int]] = {}
    for setting in read_dotenv(text, LineIndex(text), every=True):
        if setting.value.known and setting.value.value not in (None, ""):
            found.setdefault(setting.key, (setting.value.value, setting.span.line))
    return found
