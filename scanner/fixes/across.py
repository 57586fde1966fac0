"""The second stage of a ``fix`` run: edits of other files than the one a fix is for.

Each file is fixed on its own first (in parallel for large runs). Then, in this process:

1. **Linked edits** (see :mod:`.linked`) are made in their files: on the bytes a fix was
   analysed against, checked (the file must parse, no rule may report more), then that
   file's own fixes applied again on top. A linked edit that cannot be made refuses the
   fix it goes with: that file is fixed again without it.
2. **Config keys nothing reads any more** are taken out of the config files the code's
   loaders read (the folders from the code up to the project root), checked the same
   way; where a key stays, the summary says why. A password the fixes took out of a
   Python file git has no copy of stays there in a comment (:mod:`.only_copy`).
3. Files that go together (a fix and its linked edits, code and the config it stopped
   reading) are written as one change: each only if unchanged since it was read, and
   all put back when one cannot be written.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config.feeds import config_files_above
from ..config.removal import Removal, commented_out, removal
from ..discover import SourceFile, kind_of
from ..engine import RunOptions
from ..findings import FileError, Finding
from ..project import (
    keys_read,
    mentions,
    project_root,
    reads_setting,
    setting_reads,
    settings_written,
)
from ..python.ini_reads import read_from_ini
from ..reading import MAX_FILE_BYTES, read_regular_or_none
from ..remedies import Edit
from ..text import decode, source_lines
from .apply import with_module_needs
from .dependencies import plan
from .edits import apply_edits
from .file_config_defaults import unused_defaults
from .linked import Link, digest
from .module_needs import NotRewritable
from .new_files import create_file
from .only_copy import keep_only_copies
from .outcome import FileFix
from .recoverable import in_last_commit
from .rounds import fix_source
from .spans import Changes, OutsideEdits, edit_lines, kept_outside, round_trip_problem
from .verify import edit_verdict, reported_after
from .write import link_out_of_project, write_atomically

# Variables the code the fixes write reads only if they are set.
OPTIONAL_KEYS = frozenset({"AZURE_AUTHORITY_HOST"})
# Rounds of refusing fixes whose linked edits could not be made (each refusal may free
# another file's edits).
MAX_PASSES = 4


@dataclass
class Entry:
    """A file of the run's second stage: fixed on its own, or edited for others."""

    display: str
    path: Path
    fixed: FileFix
    data: bytes | None  # the bytes it was fixed from
    options: RunOptions
    ignored: tuple[str, ...] = ()
    unsafe: bool = False
    own: bool = True  # False: edited only for another file's fix
    partners: set[str] = field(default_factory=set)  # files written with it
    # Findings as reported after the second stage, when it changed the file.
    remaining: list[Finding] | None = None


Configure = Callable[[SourceFile], "tuple[RunOptions, tuple[str, ...]] | None"]


def settle(entries: dict[str, Entry], configure: Configure | None) -> list[FileError]:
    """Make the linked edits and take out config keys nothing reads, in ``entries``
    (keyed by the path shown; files edited for others are added); the edits of config
    files refused (a link out of the project), as errors."""
    for _ in range(MAX_PASSES):
        edited, failures = _linked(entries, configure)
        if not failures:
            break
        for display, refusals in failures.items():
            _refix_without(entries[display], refusals)
    else:  # still failing: no fix of this run edits another file
        edited = {}
        for entry in entries.values():
            if entry.own and entry.fixed.links:
                reason = "its edits of other files did not settle"
                _refix_without(entry, {link.key: reason for link in entry.fixed.links})
    for display, (text, changes, links) in edited.items():
        _finish_target(entries, display, text, changes, links, configure)
    declined = _unread_config_keys(entries, configure)
    _unused_file_config_defaults(entries, configure)
    _settings_still_read(entries)
    _declared_dependencies(entries)
    keep_only_copies((e.path, e.fixed) for e in entries.values() if kind_of(e.path) == "python")
    return declined


def _linked(entries: dict[str, Entry], configure: Configure | None):
    """The text of each file that linked edits go to, and the fixes whose edits failed."""
    targets: dict[str, list[tuple[str, Link]]] = {}
    for display, entry in entries.items():
        if entry.own and entry.fixed.changed:
            for link in entry.fixed.links:
                targets.setdefault(link.display, []).append((display, link))
    edited: dict[str, tuple[str, Changes, list[tuple[str, Link]]]] = {}
    failures: dict[str, dict[tuple, str]] = {}
    for display, links in targets.items():
        text, changes, reason = _apply_links(display, links, entries.get(display), configure)
        if text is None or changes is None:
            for owner, link in links:
                failures.setdefault(owner, {})[link.key] = reason
        else:
            edited[display] = (text, changes, links)
    return edited, failures


def _apply_links(
    display: str,
    links: list[tuple[str, Link]],
    entry: Entry | None,
    configure: Configure | None,
) -> tuple[str | None, Changes | None, str]:
    """The text of the file the links go to, with their edits, and its changes; or why
    they cannot be made."""
    target = links[0][1].target
    why = f"it edits {display} too, "
    data = entry.data if entry is not None and entry.data is not None else _read(target)
    kind = kind_of(target)
    if data is None or kind is None:
        return None, None, why + "which cannot be read"
    if any(link.other.digest != digest(data) for _, link in links):
        return None, None, why + "which changed since it was checked"
    try:
        codec, text = decode(kind, data)
    except ValueError as error:
        return None, None, why + f"which cannot be decoded: {error}"
    edits = {(e.start, e.end, e.replacement): e for _, link in links for e in link.other.edits}
    ordered = sorted(edits.values(), key=lambda e: (e.start, e.end))
    if any(a.end > b.start for a, b in zip(ordered, ordered[1:], strict=False)):
        return None, None, why + "where two fixes would edit the same code"
    if kind == "python":
        problem = round_trip_problem(text)
        if problem is not None:
            return None, None, why + f"which cannot be edited safely: {problem}"
    updated = apply_edits(text, ordered, codec.newline)
    try:
        reason = "an edit for the fix of " + ", ".join(sorted({owner for owner, _ in links}))
        changes = Changes.of(text).step(
            text, updated, edit_lines(text, ((e, reason) for e in ordered))
        )
        if kind == "python":
            imports = {name for _, link in links for name in link.other.imports}
            updated, changes, _ = with_module_needs(
                text, updated, changes, imports, (), None, None, None
            )
    except (NotRewritable, OutsideEdits) as error:
        return None, None, why + str(error)
    except ValueError:
        return None, None, why + "which would not parse"
    settings = _settings_of(entry, target, display, configure, links)
    failure = edit_verdict(display, kind, data, codec.encode(updated), settings)
    return (updated, changes, "") if failure is None else (None, None, why + failure)


def _settings_of(entry, target, display, configure, links) -> tuple[RunOptions, tuple[str, ...]]:
    if entry is not None:
        return entry.options, entry.ignored
    kind = kind_of(target)
    chosen = configure(SourceFile(target, display, kind)) if configure and kind else None
    return chosen if chosen is not None else (RunOptions(), ())


def _refix_without(entry: Entry, refusals: dict[tuple, str]) -> None:
    """Fix the file again without the fixes whose linked edits could not be made."""
    assert entry.data is not None
    refused = {key: reason for key, (_, reason) in entry.fixed.refused.items()}
    fixed = fix_source(
        entry.display,
        kind_of(entry.path) or "python",
        entry.data,
        entry.options,
        unsafe=entry.unsafe,
        ignored=entry.ignored,
        location=entry.path,
        refused={**refused, **refusals},
    )
    entry.fixed = fixed


def _finish_target(
    entries: dict[str, Entry],
    display: str,
    text: str,
    changes: Changes,
    links: list[tuple[str, Link]],
    configure: Configure | None,
) -> None:
    """The file the linked edits went to (``text``, with ``changes``), with its own fixes
    applied again on top."""
    target = links[0][1].target
    entry = entries.get(display)
    data = entry.data if entry is not None and entry.data is not None else _read(target)
    assert data is not None
    kind = kind_of(target) or "python"
    codec, before = decode(kind, data)
    settings = _settings_of(entry, target, display, configure, links)
    if entry is not None and entry.own:
        fixed = fix_source(
            display,
            kind,
            codec.encode(text),
            entry.options,
            unsafe=entry.unsafe,
            ignored=entry.ignored,
            location=target,
        )
        if fixed.error is not None:  # its own fixes do not go on top: the edits alone
            fixed = FileFix(display, before, text, codec=codec, changes=changes)
        elif fixed.changes is not None:
            fixed.changes = changes.then(fixed.changes)
        fixed.before = before
        fixed.links = entry.fixed.links
    else:
        fixed = FileFix(display, before, text, codec=codec, changes=changes)
        entry = entries[display] = Entry(display, target, fixed, data, *settings, own=False)
    owners: dict[str, dict[str, None]] = {}
    for owner, link in links:
        owners.setdefault(link.other.note, {})[owner] = None
        entry.partners.add(owner)
        entries[owner].partners.add(display)
    for note, fixes in owners.items():
        fixed.edited_for.append(f"{note}, for the fix of {', '.join(fixes)}")
    entry.fixed = fixed
    entry.remaining = reported_after(display, kind, codec.encode(fixed.after), settings)


def _unread_config_keys(entries: dict[str, Entry], configure: Configure | None) -> list[FileError]:
    """Take out of config files the keys that code read before the run's fixes and no
    code of the project reads after them: deleted where git has the lines, else commented
    out under a note (or left, in JSON), never in a file reached through a link out of
    the project (an error says so)."""
    declined: list[FileError] = []
    finals = {entry.path.resolve(): entry for entry in entries.values()}
    gone: dict[str, list[Entry]] = {}
    new_keys: dict[str, dict[str, None]] = {}
    for entry in list(entries.values()):
        fixed = entry.fixed
        if not fixed.changed or kind_of(entry.path) != "python":
            continue
        before = keys_read(fixed.before) + read_from_ini(fixed.before, entry.path)[1]
        after = keys_read(fixed.after) + read_from_ini(fixed.after, entry.path)[1]
        for created in fixed.created:
            after += keys_read(created.content)
        for key in (k for k in before if k not in after):
            gone.setdefault(key, []).append(entry)
            added = new_keys.setdefault(key, {})
            added.update(dict.fromkeys(k for k in after if k not in before))
    for key, owners in sorted(gone.items()):
        texts = {path: entry.fixed.after for path, entry in finals.items() if entry.fixed.after}
        still = mentions(owners[0].path, key, texts)
        for config in _config_above(owners):
            entry = finals.get(config.resolve())
            display = entry.display if entry is not None else _shown(config)
            kind = kind_of(config)
            changed = entry is not None and entry.fixed.changed and entry.fixed.codec
            if changed:  # on top of its own fixes
                codec, text = entry.fixed.codec, entry.fixed.after  # type: ignore[union-attr]
                data = entry.data  # type: ignore[union-attr]
            else:
                data = entry.data if entry is not None and entry.data else _read(config)
                if kind is None or data is None:
                    continue
                try:
                    codec, text = decode(kind, data)
                except ValueError:
                    continue
            if kind is None:
                continue
            found = removal(display, kind, text, key)
            if found is None:
                continue
            lines = ", ".join(str(n) for n in found.lines)
            stays = f"{key} stays in {display} (line {lines}): "
            if still:
                for owner in owners:
                    owner.fixed.notes.append(stays + f"{_places(still)} still uses it")
                continue
            outside = link_out_of_project(config)
            if outside is not None:
                why = f"a link to {outside}, outside the project; not edited"
                for owner in owners:
                    owner.fixed.notes.append(stays + f"{display} is {why}")
                declined.append(FileError(display, f"{key} not taken out: {why}", "fix"))
                continue
            readers_now = ", ".join(sorted({o.display for o in owners}))
            unread = f"no code reads it after the fix of {readers_now}"
            edits, how = _taking_out(config, kind, text, found, unread)
            if edits is None:
                for owner in owners:
                    owner.fixed.notes.append(stays + how)
                continue
            updated = apply_edits(text, list(edits), codec.newline)  # type: ignore[union-attr]
            allowed = edit_lines(text, ((e, f"{key} {how}") for e in edits))
            settings = _settings_of(entry, config, display, configure, [])
            failure = edit_verdict(
                display, kind, codec.encode(text), codec.encode(updated), settings
            )  # type: ignore[union-attr]
            if failure is not None:
                for owner in owners:
                    owner.fixed.notes.append(stays + failure)
                continue
            instead = [k for k in new_keys[key] if k not in OPTIONAL_KEYS]
            note = f"{key} {how} (line {lines}): {unread}"
            if instead:
                note += "; set " + ", ".join(instead) + " instead"
            if entry is None:
                fixed = FileFix(display, text, text, codec=codec, changes=Changes.of(text))
                entry = Entry(display, config, fixed, data, *settings, own=False)
                entries[display] = finals[config.resolve()] = entry
            elif not changed:
                entry.fixed.before, entry.fixed.codec = text, codec
                entry.fixed.changes = Changes.of(text)
            if entry.fixed.changes is not None:
                entry.fixed.changes = entry.fixed.changes.step(text, updated, allowed)
            entry.fixed.after = updated
            entry.fixed.notes.append(note)
            entry.remaining = reported_after(display, kind, codec.encode(updated), settings)  # type: ignore[union-attr]
            for owner in owners:
                owner.partners.add(display)
                entry.partners.add(owner.display)
    return declined


def _unused_file_config_defaults(entries: dict[str, Entry], configure: Configure | None) -> None:
    """Take ``fileConfig(..., defaults={...})`` entries out of the modules that pass them
    once no INI of the project interpolates them (:mod:`.file_config_defaults`)."""
    changed = [
        (e.path.resolve(), e.fixed.before, e.fixed.after)
        for e in entries.values()
        if e.fixed.changed and kind_of(e.path) == "ini"
    ]
    if not changed:
        return
    finals = {entry.path.resolve(): entry for entry in entries.values()}
    texts = {path: entry.fixed.after for path, entry in finals.items() if entry.fixed.after}
    taken, notes = unused_defaults(changed, texts)
    owners = [finals[path] for path, _, _ in changed]
    for owner in owners:
        owner.fixed.notes += notes
    for found in taken:
        entry = finals.get(found.path)
        display = entry.display if entry is not None else _shown(found.path)
        settings = _settings_of(entry, found.path, display, configure, [])
        updated = apply_edits(found.text, found.edits, "\n")
        keys = ", ".join(repr(k) for k in found.keys)
        why = f"the fileConfig default {keys}: no logging INI uses it after the fix"
        allowed = edit_lines(found.text, ((e, why) for e in found.edits))
        data = found.text.encode("utf-8")
        failure = edit_verdict(display, "python", data, updated.encode("utf-8"), settings)
        if failure is not None:
            for owner in owners:
                owner.fixed.notes.append(f"{display}: {why}; kept, {failure}")
            continue
        if entry is None:
            fixed = FileFix(display, found.text, found.text, changes=Changes.of(found.text))
            fixed.codec = decode("python", data)[0]
            entry = Entry(display, found.path, fixed, data, *settings, own=False)
            entries[display] = finals[found.path] = entry
        if entry.fixed.changes is not None:
            entry.fixed.changes = entry.fixed.changes.step(found.text, updated, allowed)
        entry.fixed.after = updated
        entry.fixed.notes.append(f"removed {why}")
        entry.remaining = reported_after(display, "python", updated.encode("utf-8"), settings)
        for owner in owners:
            owner.partners.add(display)
            entry.partners.add(owner.display)


def _taking_out(
    config: Path, kind: str, text: str, found: Removal, unread: str
) -> tuple[tuple[Edit, ...] | None, str]:
    """The edits that take a key out of a config file, and what they do ("removed",
    "commented out"); or None and why the key stays. Lines are deleted only where the last
    commit has them; otherwise they hold the only copy of the value, and are commented out
    under a note with the key, why and the date."""
    lines = source_lines(text)
    if in_last_commit(config, [lines[n - 1] for n in found.lines]):
        return found.edits, "removed"
    today = datetime.date.today().isoformat()
    note = (
        f"{found.key} commented out by authsweep fix on {today}: {unread}; "
        "this is the only copy of its value (git has none): delete it once it is not needed"
    )
    edits = commented_out(kind, text, found, note)
    if edits is None:
        return None, (
            f"{unread}, but git has no copy of this file, so it is not deleted: "
            "delete it once it is not needed"
        )
    return edits, "commented out"


def _settings_still_read(entries: dict[str, Entry]) -> None:
    """A note for each setting a fix took out (the password) that other code of the
    project still reads (``app.config["MAIL_PASSWORD"]``): it fails once it runs."""
    finals = {entry.path.resolve(): entry for entry in entries.values()}
    for entry in entries.values():
        fixed = entry.fixed
        if not fixed.changed or kind_of(entry.path) != "python":
            continue
        after = set(settings_written(fixed.after))
        for name in (n for n in settings_written(fixed.before) if n not in after):
            still = [
                read
                for read in setting_reads(entry.path, name)
                if reads_setting(_text_of(read.path, finals), name)
            ]
            if still:
                fixed.notes.append(
                    f"{name} is gone from the settings, but {_places(still)} still reads it: "
                    "change that code too"
                )


def _declared_dependencies(entries: dict[str, Entry]) -> None:
    """Declare what the fixed code needs (``msal``, ``aiosmtplib>=5.1``) where the project
    declares its dependencies, as a change written with the files that need it."""
    wanted: dict[Path, dict[str, dict[str, Entry]]] = {}
    for entry in list(entries.values()):
        if entry.own and entry.fixed.changed and entry.fixed.requires:
            root = project_root(entry.path.resolve())
            for requirement in sorted(entry.fixed.requires):
                wanted.setdefault(root, {}).setdefault(requirement, {})[entry.display] = entry
    finals = {entry.path.resolve(): entry for entry in entries.values()}
    for root, requirements in wanted.items():
        owners = {d: e for needing in requirements.values() for d, e in needing.items()}
        result = plan(root, list(requirements))
        for path, (before, after, notes, made) in result.edits.items():
            display = _shown(path)
            data = _read(path)
            if path.resolve() in finals or data is None:  # also fixed in this run: by hand
                result.notes += [f"{display}: make this change by hand: {n}" for _, n in notes]
                continue
            codec, _ = decode("text", data)
            declared = edit_lines(
                before, ((edit, "a dependency of the fixed code") for edit in made)
            )
            changes = Changes.of(before).step(before, after, declared)
            fixed = FileFix(display, before, after, codec=codec, changes=changes)
            fixed.notes = [
                f"{note}, for the fix of {', '.join(requirements[requirement])}"
                for requirement, note in notes
            ]
            entry = Entry(display, path, fixed, data, RunOptions(), own=False)
            entry.remaining = []
            entry.partners.update(owners)
            entries[display] = finals[path.resolve()] = entry
            for owner in owners.values():
                owner.partners.add(display)
        first = next(iter(owners.values()))
        first.fixed.notes += result.notes


def _places(reads) -> str:
    """``a.py:13,14, b.py:3``."""
    lines: dict[str, list[str]] = {}
    for read in reads:
        lines.setdefault(_shown(read.path), []).append(str(read.line))
    return ", ".join(f"{path}:{','.join(dict.fromkeys(found))}" for path, found in lines.items())


def _config_above(owners: list[Entry]) -> list[Path]:
    """The config files in the folders of ``owners`` and above them: the ones their
    loaders read (``.env`` and ``settings.ini`` are looked for upwards), and the INI
    files their code reads with configparser."""
    found = [c for owner in owners for c in config_files_above(owner.path)]
    found += [f for owner in owners for f in read_from_ini(owner.fixed.before, owner.path)[0]]
    return list(dict.fromkeys(found))


def _text_of(path: Path, finals: dict[Path, Entry]) -> str:
    entry = finals.get(path.resolve())
    if entry is not None and entry.fixed.after:
        return entry.fixed.after
    data = _read(path)
    return data.decode("utf-8", errors="replace") if data is not None else ""


def _shown(path: Path) -> str:
    relative = os.path.relpath(path)
    return Path(path if relative.startswith(os.pardir) else relative).as_posix()


def _read(path: Path) -> bytes | None:
    return read_regular_or_none(path, MAX_FILE_BYTES)


def write_groups(entries: dict[str, Entry]) -> list[FileError]:
    """Write the changed files, those that go together as one change; the errors."""
    errors: list[FileError] = []
    seen: set[str] = set()
    for display in sorted(entries):
        if display in seen:
            continue
        group = _group(entries, display)
        seen.update(group)
        errors += _write_group([entries[name] for name in sorted(group)])
    return errors


def _group(entries: dict[str, Entry], start: str) -> set[str]:
    group, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in group or name not in entries:
            continue
        group.add(name)
        todo.extend(entries[name].partners)
    return group


def _write_group(group: list[Entry]) -> list[FileError]:
    changed = [
        e for e in group if e.fixed.changed and e.fixed.codec is not None and e.data is not None
    ]
    for entry in changed:
        if _read(entry.path) != entry.data:
            return _not_written(changed, entry, "changed since it was read; not written")
        problem = kept_outside(entry.fixed.before, entry.fixed.after, entry.fixed.changes)
        if problem is not None:
            return _not_written(changed, entry, f"{problem}; not written")
    written: list[Entry] = []
    made: list[Path] = []
    try:
        for entry in changed:
            for created in entry.fixed.created:
                if create_file(created, entry.path):
                    made.append(created.path)
            new = entry.fixed.codec.encode(entry.fixed.after)  # type: ignore[union-attr]
            write_atomically(entry.path, new, entry.data)  # type: ignore[arg-type]
            written.append(entry)
    except (OSError, UnicodeEncodeError) as problem:
        for entry in written:  # put back what was written: all of the change or nothing
            try:
                new = entry.fixed.codec.encode(entry.fixed.after)  # type: ignore[union-attr]
                write_atomically(entry.path, entry.data, new)  # type: ignore[arg-type]
            except OSError:
                continue
        for path in made:
            path.unlink(missing_ok=True)
        failed = changed[len(written)]
        return _not_written(changed, failed, str(problem))
    return []


def _not_written(group: list[Entry], failed: Entry, reason: str) -> list[FileError]:
    errors = [FileError(failed.display, f"fix not written: {reason}", "fix")]
    for entry in group:
        if entry is not failed:
            message = f"fix not written: it goes with {failed.display}, which was not written"
            errors.append(FileError(entry.display, message, "fix"))
        entry.fixed.after = entry.fixed.before
    return errors
