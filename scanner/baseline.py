"""Baselines: record today's findings, then report only new ones.

A finding is known when the baseline has one with the same rule, the same file
(relative to the baseline file's folder, so the check can run from anywhere)
and the same fingerprint: a hash of the masked code of the finding, not of its
line number, so code that moves stays known. The baseline keeps a count per
key, so a second copy of a known mistake in the same file is new.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from . import __version__
from .findings import Finding, RunResult

FORMAT = 1
Key = tuple[str, str, str]  # rule, path, fingerprint


class BaselineError(Exception):
    pass


def _key(finding: Finding, cwd: Path, base: Path) -> Key:
    absolute = os.path.abspath(cwd / finding.path)
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        relative = absolute
    return finding.rule, Path(relative).as_posix(), finding.fingerprint


def write_baseline(path: Path, findings: Iterable[Finding], cwd: Path) -> int:
    """Write the findings as a baseline; returns how many it records. Atomic: a temporary
    file in the same folder replaces the old baseline only once it is whole, so a full
    disk or a killed run never leaves a truncated one. Only a regular file is replaced
    (or a new one made). BaselineError when it cannot."""
    findings = list(findings)
    base = path.absolute().parent
    counts = Counter(_key(f, cwd, base) for f in findings)
    names = {f.rule: f.name for f in findings}
    ordered = sorted(counts.items(), key=lambda item: (item[0][1], item[0][0], item[0][2]))
    entries = [
        {"rule": rule, "name": names[rule], "path": where, "fingerprint": fp, "count": n}
        for (rule, where, fp), n in ordered
    ]
    document = {"tool": "authsweep", "version": __version__, "format": FORMAT, "findings": entries}
    _write_atomically(path, json.dumps(document, indent=2) + "\n")
    return sum(counts.values())


def _target_problem(path: Path) -> str | None:
    """Why the baseline may not be written at ``path``: only a regular file (or nothing)
    is replaced; never a link, a folder, a FIFO or a device (``/dev/null``)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        return error.strerror
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        what = "a symbolic link"
    elif stat.S_ISDIR(mode):
        what = "a folder"
    elif stat.S_ISFIFO(mode):
        what = "a named pipe (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device"
    else:
        what = "a special file"
    return f"it is {what}, not a regular file"


def _write_atomically(path: Path, text: str) -> None:
    folder = path.absolute().parent
    if not folder.is_dir():
        raise BaselineError(f"{path}: cannot write baseline: folder {folder} does not exist")
    problem = _target_problem(path)
    if problem is not None:
        raise BaselineError(f"{path}: cannot write baseline: {problem}")
    import tempfile  # start-up: only a run that writes a baseline needs it (and shutil)

    try:
        handle = tempfile.NamedTemporaryFile(
            "w", dir=folder, prefix=".baseline-", suffix=".tmp", delete=False, encoding="utf-8"
        )
    except OSError as error:
        raise BaselineError(f"{path}: cannot write baseline: {error.strerror}") from None
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            mode = os.lstat(path).st_mode & 0o777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(handle.name, mode)
        # Looked at again just before the rename: what replaced the file meanwhile is kept.
        problem = _target_problem(path)
        if problem is not None:
            raise BaselineError(f"{path}: cannot write baseline: {problem}")
        os.replace(handle.name, path)
    except OSError as error:
        Path(handle.name).unlink(missing_ok=True)
        raise BaselineError(f"{path}: cannot write baseline: {error.strerror}") from None
    except BaseException:  # BaselineError, or an interruption: no temporary file is left
        Path(handle.name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_baseline(path: Path) -> Counter[Key]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read baseline: {error.strerror}") from None
    except ValueError as error:
        raise BaselineError(f"{path}: not a baseline (invalid JSON: {error})") from None
    if not isinstance(document, dict) or document.get("tool") != "authsweep":
        raise BaselineError(f"{path}: not an authsweep baseline")
    if document.get("format") != FORMAT:
        raise BaselineError(f"{path}: baseline format {document.get('format')!r} unsupported")
    counts: Counter[Key] = Counter()
    try:
        for entry in document["findings"]:
            key = (entry["rule"], entry["path"], entry["fingerprint"])
            counts[key] += int(entry.get("count", 1))
    except (KeyError, TypeError, ValueError):
        raise BaselineError(f"{path}: malformed baseline entry") from None
    return counts


def split_known(
    findings: Iterable[Finding], path: Path, cwd: Path
) -> tuple[list[Finding], list[Finding]]:
    """The findings the baseline at ``path`` does not know, and those it does."""
    known = read_baseline(path)
    base = path.absolute().parent
    new: list[Finding] = []
    old: list[Finding] = []
    for finding in sorted(findings, key=Finding.sort_key):  # a later copy is the new one
        key = _key(finding, cwd, base)
        if known[key] > 0:
            known[key] -= 1
            old.append(finding)
        else:
            new.append(finding)
    return new, old


def apply_baseline(run: RunResult, path: Path, cwd: Path) -> None:
    """Move the findings the baseline knows from ``run.findings`` to ``run.baselined``."""
    run.findings, known = split_known(run.findings, path, cwd)
    run.baselined.extend(known)
