"""The result cache: a re-run over an unchanged tree reads no file twice.

The cache lives in ``.authsweep_cache`` at the project root (the nearest folder
with a ``pyproject.toml`` or ``.git`` above what is scanned, else the working folder,
as Ruff places its own),
marked with a ``CACHEDIR.TAG`` so backup tools skip it and a ``.gitignore`` so git
does. One JSON file per combination of authsweep version and effective settings, so a
new version or a changed configuration starts from nothing. Inside, one entry
per file: its size, modification time and content hash, and what checking it
gave; and the file's inputs, the other files its result was computed from
(``scanner/inputs.py``: a settings module it imports a host from, the ``.env`` that
sets a variable it reads, ...). An entry is used when size and mtime match, or else
when the content hash matches, and then only if every input is still as it was; a
file modified too close to the cache write to trust its mtime is always hashed.

The cache folder may come with the tree (committed, or unpacked from an archive), so
nothing in it is trusted: JSON, not pickle (a cache cannot run code); an entry of the
wrong shape is a miss, replaced by the next write; and no symbolic link is followed,
neither the folder itself nor anything in it (each file is opened relative to the
folder's descriptor with ``O_NOFOLLOW``; the result file is replaced by a rename,
which replaces a link rather than writing through it). Findings in it are already
masked, like every output.
"""

from __future__ import annotations

import json
import os
import stat as stat_module
import time
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from . import __version__, digests
from .findings import (
    Applicability,
    Confidence,
    FileError,
    FileResult,
    Finding,
    Fix,
    Mailbox,
    Severity,
)
from .inputs import RACY_SECONDS, content_hash, unchanged
from .model import Span
from .remedies import Edit, NewFile, OtherFile, Remedy

CACHE_FOLDER = ".authsweep_cache"
_PROJECT_MARKERS = ("pyproject.toml", ".git")
# https://bford.info/cachedir/
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by authsweep.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def project_root(paths: list[str], cwd: Path) -> Path:
    """The folder the cache of a run over ``paths`` belongs in: the nearest folder with a
    ``pyproject.toml`` or ``.git`` at or above what the paths have in common, else the
    working folder (as Ruff does)."""
    absolute = [os.path.abspath(cwd / path) for path in paths] or [str(cwd)]
    try:
        folder = os.path.commonpath(absolute)
    except ValueError:  # paths on different drives (Windows): no common folder
        return cwd
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        if any(os.path.exists(os.path.join(folder, marker)) for marker in _PROJECT_MARKERS):
            return Path(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            return cwd
        folder = parent


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The installed authsweep code itself (names, sizes, mtimes of its modules), so that
    an upgrade, or an edit in a development checkout, never reuses old results."""
    import authsweep.rules  # start-up: the CLI imports this module without the rules

    roots = [Path(__file__).parent, Path(authsweep.rules.__file__).parent]
    entries = sorted(
        (str(path), path.stat().st_size, path.stat().st_mtime_ns)
        for root in roots
        for path in root.rglob("*.py")
    )
    return digests.sha256(repr(entries).encode()).hexdigest()[:16]


def options_key(parts: object) -> str:
    """What makes results valid: the version and code, the rules and every setting."""
    text = json.dumps([__version__, code_fingerprint(), repr(parts)], sort_keys=True)
    return digests.sha256(text.encode()).hexdigest()[:24]


def finding_to_json(finding: Finding) -> dict:
    data = asdict(finding)
    data["severity"] = finding.severity.value
    data["confidence"] = finding.confidence.value
    if finding.fix is not None:
        data["fix"]["applicability"] = finding.fix.applicability.value
    return data


def finding_from_json(data: dict) -> Finding:
    fix = data.get("fix")
    if fix is not None:
        remedy = fix["remedy"]
        fix = Fix(
            Applicability(fix["applicability"]),
            fix["message"],
            Remedy(
                tuple(Edit(**edit) for edit in remedy["edits"]),
                tuple(remedy["imports"]),
                tuple(remedy["helpers"]),
                remedy["note"],
                files=tuple(
                    NewFile(new["path"], new["kind"], tuple(map(tuple, new["options"])))
                    for new in remedy.get("files", ())
                ),
                elsewhere=tuple(
                    OtherFile(
                        other["path"],
                        tuple(Edit(**edit) for edit in other["edits"]),
                        other["digest"],
                        tuple(other["imports"]),
                        other["note"],
                    )
                    for other in remedy.get("elsewhere", ())
                ),
            ),
        )
    lines = data.get("statement_lines")
    return Finding(
        rule=data["rule"],
        name=data["name"],
        severity=Severity(data["severity"]),
        confidence=Confidence(data["confidence"]),
        path=data["path"],
        span=Span(**data["span"]),
        message=data["message"],
        fix=fix,
        statement_lines=tuple(lines) if lines else None,
        fingerprint=data["fingerprint"],
        suppressed=data["suppressed"],
        no_fix_reason=data.get("no_fix_reason", ""),
        notes=list(data["notes"]),
        frame=[tuple(item) for item in data["frame"]],
        mailboxes=tuple(Mailbox(**box) for box in data.get("mailboxes", ())),
    )


# A results file larger than this is not read (a cache of a very large tree is a few MB).
_MAX_CACHE_BYTES = 256 * 1024 * 1024
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
# Decoding an entry of the right shape can still fail on what is inside it.
_BAD_ENTRY = (KeyError, TypeError, ValueError, IndexError, AttributeError)


def linked_folder(folder: Path) -> bool:
    """Whether ``folder`` is a symbolic link: such a cache folder is not used."""
    return os.path.islink(folder)


def _open_folder(folder: Path, create: bool) -> int | None:
    """A descriptor of the cache folder, never through a link (None: no usable folder)."""
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        if linked_folder(folder):  # where O_NOFOLLOW is missing; a race is caught below
            return None
        return os.open(folder, os.O_RDONLY | _DIRECTORY | _NO_FOLLOW)
    except OSError:
        return None


def _well_formed(entry: object) -> bool:
    """[size, mtime, hash, parsed] and, when the file had findings or errors, their lists."""
    if not isinstance(entry, list) or len(entry) not in (4, 6):
        return False
    size, mtime, digest, parsed = entry[:4]
    shaped = (
        isinstance(size, int)
        and isinstance(mtime, int)
        and isinstance(digest, str)
        and isinstance(parsed, bool)
    )
    return shaped and all(isinstance(part, list) for part in entry[4:])


class ResultCache:
    def __init__(self, folder: Path, key: str) -> None:
        self.name = f"results-{key}.json"
        self.path = folder / self.name
        self.folder = folder
        self.entries: dict[str, list] = {}
        self.inputs: dict[str, dict[str, str]] = {}
        self.written_at = 0.0
        self.dirty = False
        # Inputs found unchanged (or changed) this run: many files share a settings module.
        self._unchanged: dict[tuple[str, str], bool] = {}
        document = self._read()
        if document is None:
            return
        entries, inputs, written_at = (document.get(k) for k in ("files", "inputs", "written_at"))
        if not isinstance(entries, dict) or not isinstance(written_at, (int, float)):
            return
        self.entries = entries
        self.inputs = inputs if isinstance(inputs, dict) else {}
        self.written_at = float(written_at)

    def _read(self) -> dict | None:
        folder = _open_folder(self.folder, create=False)
        if folder is None:
            return None
        try:
            descriptor = os.open(self.name, os.O_RDONLY | _NO_FOLLOW | _NONBLOCK, dir_fd=folder)
        except OSError:
            return None
        finally:
            os.close(folder)
        with os.fdopen(descriptor, "rb") as handle:
            try:
                info = os.fstat(descriptor)
                if not stat_module.S_ISREG(info.st_mode) or info.st_size > _MAX_CACHE_BYTES:
                    return None
                document = json.loads(handle.read(_MAX_CACHE_BYTES + 1))
            except (OSError, ValueError, RecursionError):
                return None
        return document if isinstance(document, dict) else None

    def lookup(self, path: str, stat: os.stat_result, read) -> tuple[list | None, bytes | None]:
        """The cached entry for ``path`` if still valid, and the bytes if they had to be
        read to decide (so the caller does not read them again). An entry of the wrong
        shape, or one an input of changed since, is a miss."""
        entry = self.entries.get(path)
        if not _well_formed(entry):
            return None, None
        assert isinstance(entry, list)
        size, mtime, digest = entry[0], entry[1], entry[2]
        data = None
        racy = stat.st_mtime >= self.written_at - RACY_SECONDS
        if racy or size != stat.st_size or mtime != stat.st_mtime_ns:
            data = read()
            if data is None or digest != content_hash(data):
                return None, data
            entry[0], entry[1] = stat.st_size, stat.st_mtime_ns
            self.dirty = True
        if not self._inputs_unchanged(path):
            return None, data
        try:
            entry_result(entry, path)
        except _BAD_ENTRY:
            return None, data
        return entry, data

    def _inputs_unchanged(self, path: str) -> bool:
        recorded = self.inputs.get(path, {})
        if not isinstance(recorded, dict):
            return False
        # A warm run whose results record no project inputs never loads the project scan.
        from .project import fingerprint_matches

        for key, seen in recorded.items():
            if not (isinstance(key, str) and key and isinstance(seen, str)):
                return False
            known = self._unchanged.get((key, seen))
            if known is None:
                known = self._unchanged[key, seen] = unchanged(key, seen, fingerprint_matches)
            if not known:
                return False
        return True

    def store(self, path: str, stat: os.stat_result, digest: str, result) -> None:
        # [size, mtime, hash, parsed, findings, errors]: a clean file costs four values.
        entry: list = [stat.st_size, stat.st_mtime_ns, digest, result.parsed]
        if result.findings or result.errors:
            entry.append([finding_to_json(f) for f in result.findings])
            entry.append([asdict(e) for e in result.errors])
        self.entries[path] = entry
        if result.inputs:
            self.inputs[path] = dict(result.inputs)
        else:
            self.inputs.pop(path, None)
        self.dirty = True

    def save(self, seen: set[str] | None = None) -> None:
        """Write atomically: concurrent runs each leave a whole file, the last one wins.
        Nothing is written through a link: markers that exist (as anything) are left,
        and the results file is a new file renamed over the old name."""
        if not self.dirty:
            return
        if seen is not None:
            self.entries = {p: e for p, e in self.entries.items() if p in seen}
        inputs = {p: i for p, i in self.inputs.items() if p in self.entries}
        folder = _open_folder(self.folder, create=True)
        if folder is None:
            return  # a cache that cannot be written only costs time next run
        temporary = f".results-{os.urandom(8).hex()}.tmp"
        try:
            for name, text in (
                (".gitignore", "# Created by authsweep\n*\n"),
                ("CACHEDIR.TAG", CACHEDIR_TAG),
            ):
                _create(folder, name, text)
            document = {"written_at": time.time(), "files": self.entries, "inputs": inputs}
            _create(folder, temporary, json.dumps(document, separators=(",", ":")), 0o600)
            os.replace(temporary, self.name, src_dir_fd=folder, dst_dir_fd=folder)
        except OSError:
            try:
                os.unlink(temporary, dir_fd=folder)
            except OSError:
                pass
        finally:
            os.close(folder)


def _create(folder: int, name: str, text: str, mode: int = 0o666) -> None:
    """Write a new file ``name`` in the folder (none there yet: not even a link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW
    try:
        descriptor = os.open(name, flags, mode, dir_fd=folder)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def entry_result(entry: list, display: str) -> FileResult:
    findings = [finding_from_json(f) for f in entry[4]] if len(entry) > 4 else []
    for finding in findings:
        finding.path = display  # the same file may be named differently from another folder
    errors = [FileError(**{**e, "path": display}) for e in entry[5]] if len(entry) > 5 else []
    return FileResult(path=display, findings=findings, errors=errors, parsed=entry[3])
