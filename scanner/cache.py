"""The result cache: a re-run over an unchanged tree reads no file twice.

The cache lives in ``.authsweep_cache`` at the project root (the nearest folder
with a ``pyproject.toml`` or ``.git`` above what is scanned, else the working folder,
as Ruff places its own),
marked with a ``CACHEDIR.TAG`` so backup tools skip it and a ``.gitignore`` so git
does. One JSON file per combination of authsweep version and effective settings, so a
new version or a changed configuration starts from nothing. Inside, one entry
per file: its size, modification time and content hash, and what checking it
gave. An entry is used when size and mtime match, or else when the content hash
matches; a file modified too close to the cache write to trust its mtime is
always hashed. JSON, not pickle: a cache folder committed to a repository must
not be able to run code. Findings in it are already masked, like every output.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from . import __version__
from .findings import Applicability, Confidence, FileError, Finding, Fix, Mailbox, Severity
from .model import Edit, NewFile, OtherFile, Remedy, Span

# mtimes this close to the cache write time can hide a same-size edit ("racy" entries).
_RACY_SECONDS = 2.0
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


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The installed authsweep code itself (names, sizes, mtimes of its modules), so that
    an upgrade, or an edit in a development checkout, never reuses old results."""
    import authsweep.rules

    roots = [Path(__file__).parent, Path(authsweep.rules.__file__).parent]
    entries = sorted(
        (str(path), path.stat().st_size, path.stat().st_mtime_ns)
        for root in roots
        for path in root.rglob("*.py")
    )
    return hashlib.sha256(repr(entries).encode()).hexdigest()[:16]


def settings_key(parts: object) -> str:
    """What makes results valid: the version and code, the rules and every setting."""
    text = json.dumps([__version__, code_fingerprint(), repr(parts)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


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
        notes=list(data["notes"]),
        frame=[tuple(item) for item in data["frame"]],
        mailboxes=tuple(Mailbox(**box) for box in data.get("mailboxes", ())),
    )


class ResultCache:
    def __init__(self, folder: Path, key: str) -> None:
        self.path = folder / f"results-{key}.json"
        self.folder = folder
        self.entries: dict[str, list] = {}
        self.written_at = 0.0
        self.dirty = False
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries = document["files"]
            self.written_at = float(document["written_at"])
        except (OSError, ValueError, KeyError, TypeError):
            self.entries = {}

    def lookup(self, path: str, stat: os.stat_result, read) -> tuple[list | None, bytes | None]:
        """The cached entry for ``path`` if still valid, and the bytes if they had to be
        read to decide (so the caller does not read them again)."""
        entry = self.entries.get(path)
        if entry is None:
            return None, None
        size, mtime, digest = entry[0], entry[1], entry[2]
        racy = stat.st_mtime >= self.written_at - _RACY_SECONDS
        if not racy and size == stat.st_size and mtime == stat.st_mtime_ns:
            return entry, None
        data = read()
        if data is not None and digest == content_hash(data):
            entry[0], entry[1] = stat.st_size, stat.st_mtime_ns
            self.dirty = True
            return entry, data
        return None, data

    def store(self, path: str, stat: os.stat_result, digest: str, result) -> None:
        # [size, mtime, hash, parsed, findings, errors]: a clean file costs four values.
        entry: list = [stat.st_size, stat.st_mtime_ns, digest, result.parsed]
        if result.findings or result.errors:
            entry.append([finding_to_json(f) for f in result.findings])
            entry.append([asdict(e) for e in result.errors])
        self.entries[path] = entry
        self.dirty = True

    def save(self, seen: set[str] | None = None) -> None:
        """Write atomically: concurrent runs each leave a whole file, the last one wins."""
        if not self.dirty:
            return
        if seen is not None:
            self.entries = {p: e for p, e in self.entries.items() if p in seen}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, text in (
                (".gitignore", "# Created by authsweep\n*\n"),
                ("CACHEDIR.TAG", CACHEDIR_TAG),
            ):
                marker = self.folder / name
                if not marker.exists():
                    marker.write_text(text, encoding="utf-8")
            handle = tempfile.NamedTemporaryFile(
                "w",
                dir=self.folder,
                prefix=".results-",
                suffix=".tmp",
                delete=False,
                encoding="utf-8",
            )
            document = {"written_at": time.time(), "files": self.entries}
            with handle:
                handle.write(json.dumps(document, separators=(",", ":")))
            os.replace(handle.name, self.path)
        except OSError:
            return  # a cache that cannot be written only costs time next run


def entry_result(entry: list, display: str):
    from .engine import FileResult

    findings = [finding_from_json(f) for f in entry[4]] if len(entry) > 4 else []
    for finding in findings:
        finding.path = display  # the same file may be named differently from another folder
    errors = [FileError(**{**e, "path": display}) for e in entry[5]] if len(entry) > 5 else []
    return FileResult(path=display, findings=findings, errors=errors, parsed=entry[3])
