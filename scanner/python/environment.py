"""Environment variables the project sets in its own ``.env`` file.

Code reads ``os.environ["SMTP_HOST"]``; the project's ``.env`` says
``SMTP_HOST=smtp.office365.com``. A variable read without a default takes the value the
nearest ``.env`` gives it (the importing file's folder, then its parents up to the
project root), and its origin names both places: ``env SMTP_HOST, set in .env line 3``.
A folder without ``.env`` may hold the file under another name, which the code loads by
name (``load_dotenv("Envs.env")``, ``prod.env``, ``.env.production``): the value those
files give, when they agree (``dev.env`` and ``prod.env`` that differ leave it unknown).
Templates (``.env.example``) and a test's file (``.env.test``) are not read: their values
are examples. The file is read
with the dotenv config reader; every variable counts (``MAILER_HOST`` as well as
``EMAIL_HOST``): code names what it reads. Each ``.env``, named dotenv file read and
project marker looked at is an input of the file's result (``scanner/inputs.py``); a
named dotenv file added later is not seen by a result cached before it.
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
# Words that make a dotenv file's name a template's or a test's (``.env.example``,
# ``sample.env``, ``.env.test``): its values are no run's of the program.
_NOT_A_RUN = frozenset(
    {"example", "sample", "template", "dist", "tmpl", "defaults", "test", "tests", "testing", "ci"}
)
_SEVERAL = ("several", 0, "")


def project_env(importer: str | None, key: str) -> Value | None:
    """The value the project's ``.env`` gives variable ``key``, seen from file ``importer``."""
    if not importer:
        return None
    folder = Path(importer).resolve().parent
    for _ in range(_MAX_PARENTS):
        found = _set_in_folder(folder, key)
        if found is _SEVERAL:
            return None  # ``dev.env`` and ``prod.env`` disagree: which a run loads is not known
        if found is not None:
            value, line, name = found
            where = os.path.relpath(folder / name, Path(importer).resolve().parent)
            return Value(True, value, f"env {key}, set in {where} line {line}")
        if any(inputs.exists(folder / marker) for marker in _PROJECT_ROOT):
            return None
        if folder.parent == folder:
            return None
        folder = folder.parent
    return None


def _set_in_folder(folder: Path, key: str) -> tuple[object, int, str] | None:
    """The value, line and file name of ``key`` in the folder's ``.env``, else in the
    other dotenv files of the folder, which code loads by name (``Envs.env``,
    ``prod.env``, ``.env.production``; not templates nor a test's): the one value they
    give it, :data:`_SEVERAL` when they give several."""
    settings = _dotenv(folder / ".env")
    if key in settings:
        value, line = settings[key]
        return value, line, ".env"
    found: list[tuple[object, int, str]] = []
    for name in _named_dotenv_files(folder):
        settings = _dotenv(folder / name)
        if key in settings:
            value, line = settings[key]
            found.append((value, line, name))
    if len({repr(value) for value, _, _ in found}) > 1:
        return _SEVERAL
    return found[0] if found else None


def _named_dotenv_files(folder: Path) -> list[str]:
    """The named dotenv files of ``folder``. The folder's listing is not an input of the
    result (a cache folder made beside the files would invalidate every result that read
    the environment); each file found is, through its read."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if e.name != ".env" and _named_dotenv(e.name)]
    except OSError:
        return []
    return sorted(name for name in names if (folder / name).is_file())


def _named_dotenv(name: str) -> bool:
    lower = name.lower()
    if not (lower.endswith(".env") or lower.startswith(".env.")):
        return False
    words = lower.replace("-", ".").replace("_", ".").split(".")
    return not any(word in _NOT_A_RUN for word in words)


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
