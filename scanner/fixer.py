"""Applying fixes: rounds of non-overlapping edits, imports and helpers, checked and
written atomically.

A rule's fix is a :class:`~authsweep.scanner.model.Remedy` that a front end prepared:
text edits on the decoded file plus module-level needs (imports, helpers). Each
round applies the edits of every chosen fix that does not overlap an earlier one,
adds what they need, re-parses and re-checks; rounds repeat until nothing is left
to fix. A result that does not parse is thrown away and the file left alone. Edits of
other files than the one fixed (a linked edit a fix goes with, a config key no code reads
any more) are made once every file is fixed, and the files that go together are written
as one change (:mod:`.fixes.across`).
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from .discover import SourceFile
from .engine import RunOptions, check_source, matches, read_path, selected_rules
from .findings import Applicability, FileError, Finding, Severity
from .fixes.apply import finish_round
from .fixes.dependencies import needs, refusal
from .fixes.graph_target import count_targets, graph_home, sends_through_graph, with_graph_module
from .fixes.import_root import dotted
from .fixes.import_style import ImportStyle, style_for
from .fixes.linked import Link, link_targets
from .fixes.module_needs import MAX_REWRITE_CHARS
from .fixes.new_files import CreatedFile, plan_files
from .fixes.outcome import FileFix, FixOutcome, allowed
from .fixes.reads import Elsewhere
from .fixes.search import project_search
from .fixes.spans import Changes, kept_outside, round_trip_problem
from .fixes.token_module import token_home, with_token_module
from .model import MODULE_NAME, PACKAGE_PREFIX, Edit, Remedy
from .runner import FILE_TIMEOUT_SECONDS, HARD_DEADLINE_GRACE, FileTimeout, time_limit
from .text import decode

# Analyses one file's fixing may take: rounds, and rounds retried one fix at a time.
MAX_STEPS = 24
# Fixing a file costs several analyses, so a pool pays off much sooner than for check.
FIX_PARALLEL_THRESHOLD = 16


def _reported(findings: list[Finding], ignored: Sequence[str]) -> list[Finding]:
    """What check would report: suppressed findings and per-file ignores left out."""
    return [f for f in findings if not f.suppressed and not matches(f.rule, ignored)]


Footprint = tuple[int, int, frozenset[int], "int | None"]


def _footprint(remedy: Remedy) -> Footprint:
    """The range a fix touches, the points where it inserts, and what it rewrites."""
    edits = remedy.edits
    inserts = frozenset(e.start for e in edits if e.start == e.end)
    return min(e.start for e in edits), max(e.end for e in edits), inserts, remedy.target


def _overlaps(a: Footprint, b: Footprint) -> bool:
    # Two insertions at one point: which goes first is a guess, so one waits a round.
    same_target = a[3] is not None and a[3] == b[3]
    return (a[0] < b[1] and b[0] < a[1]) or bool(a[2] & b[2]) or same_target


def apply_edits(text: str, edits: Sequence[Edit], newline: str) -> str:
    """Apply non-overlapping edits; at one offset, replacements go before insertions so an
    insertion lands in front of the replaced text."""
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        replacement = edit.replacement.replace("\n", newline)
        text = text[: edit.start] + replacement + text[edit.end :]
    return text


def fix_source(
    path: str,
    kind: str,
    data: bytes,
    settings: RunOptions,
    *,
    unsafe: bool,
    rules: Sequence | None = None,
    ignored: Sequence[str] = (),
    location: Path | None = None,
    refused: dict[tuple, str] | None = None,
) -> FileFix:
    """Fix one file's bytes in memory. Never raises for bad input. Suppressed findings and
    rules ignored for this file (``ignored``) are not fixed. ``location`` is where the file
    is, for fixes that add a module beside it or edit another file (none without it:
    stdin). ``refused``: fixes (by :func:`fix_key`) not to apply, with the reason.

    The fixer answers to the model: each round's fixes are applied and the file analysed
    again; they are kept only if every finding they were meant to remove is gone and no
    rule reports more than before. A round that fails is tried one fix at a time, and a
    fix that fails alone is left out, with the reason, for the rest of the run."""
    rules = list(rules) if rules is not None else selected_rules(settings)
    try:
        codec, text = decode(kind, data)
    except ValueError as error:
        return FileFix(path, "", "", error=FileError(path, str(error), "unparsable"))
    result = FileFix(path, text, text, codec=codec, changes=Changes.of(text))
    if codec.encode(text) != data:
        # utf-7 and the like: the file's other bytes would not be written back as they are.
        message = f"not fixed: its encoding ({codec.encoding}) would not give back its bytes"
        result.error = FileError(path, message, "fix")
        return result
    if kind == "python" and len(text) > MAX_REWRITE_CHARS:
        # Generated code of this size is not fixed by hand either; check still reports it.
        limit = f"{len(text):,} characters is over the rewriter's limit ({MAX_REWRITE_CHARS:,})"
        result.error = FileError(path, f"not fixed: {limit}", "fix")
        return result
    current = text
    checked = check_source(path, kind, data, rules)
    if checked.errors:
        result.error = checked.errors[0]
        return result
    for finding in checked.findings:
        reason = (refused or {}).get(fix_key(finding))
        if reason is not None:
            result.refused[fix_key(finding)] = (finding, reason)
    # The token helper rewritten code calls: the project's own (``token-provider``), else
    # one module of the project (written with the first fix that needs it).
    own_provider = settings.token_provider
    home = None if own_provider else token_home(location, settings.oauth2_module, text)
    if home is not None:
        settings = replace(settings, token_provider=home.provider)
    # `--target graph`: the Graph client module, in the token module's place.
    graph = None
    if settings.target == "graph":
        graph = graph_home(location, settings.oauth2_module, text, own_provider)
    project = Project(project_search(location), style_for(location), location)
    one_at_a_time = round_tripped = False
    for _ in range(MAX_STEPS):
        result.secrets |= {current[s.start : s.end] for s in checked.secrets}
        candidates = [
            f
            for f in _reported(checked.findings, ignored)
            if allowed(f, unsafe) and fix_key(f) not in result.refused
        ]
        for finding in candidates:
            reason = project.refusal(finding)
            if reason is not None:
                result.refused[fix_key(finding)] = (finding, reason)
        chosen = _choose([f for f in candidates if fix_key(f) not in result.refused], one_at_a_time)
        if not chosen:
            result.remaining = _reported(checked.findings, ignored)
            problem = kept_outside(text, current, result.changes)
            if problem is not None:
                result.error = FileError(path, f"not fixed: {problem}", "fix")
                return result
            result.after = current
            # A refusal counts only for what is still there (a later round may have fixed it).
            left = {(f.rule, f.fingerprint) for f in result.remaining}
            result.refused = {
                key: refusal for key, refusal in result.refused.items() if key[:2] in left
            }
            return result
        if kind == "python" and not round_tripped:
            problem = round_trip_problem(text)  # once, before the first edit
            if problem is not None:
                result.error = FileError(path, f"not fixed: {problem}", "fix")
                return result
            round_tripped = True
        named = [
            with_graph_module(with_token_module(_named_modules(f, settings, location), home), graph)
            for f in chosen
        ]
        updated, failure, notes, changes = _apply(
            current, named, codec.newline, kind, settings, project, result.changes
        )
        attempt = None
        created: list[CreatedFile] = []
        if failure is None:
            # A module beside a config file is written in the default style.
            style_source = updated if kind == "python" else ""
            created, failure = _new_files(
                path, location, style_source, codec.newline, named, settings, rules, project.style
            )
        links: list[Link] = []
        if failure is None:
            links, failure = link_targets(zip(chosen, named, strict=True), path, location, fix_key)
        if failure is None:
            attempt = check_source(path, kind, codec.encode(updated), rules)
            failure = _verdict(checked, attempt, named, ignored)
        if failure is None and attempt is not None:
            result.applied.update(f.rule for f in chosen)
            count_targets(result, chosen)
            result.notes += notes
            result.created.extend(created)
            result.links.extend(links)
            result.requires.update(r for f in named for r in needs(f.fix.remedy))  # type: ignore[union-attr]
            current, checked, result.changes = updated, attempt, changes
        elif len(chosen) > 1:
            one_at_a_time = True
        else:
            result.refused[fix_key(chosen[0])] = (chosen[0], failure or "")
    result.error = FileError(path, f"fix did not converge in {MAX_STEPS} steps", "fix")
    result.after = text
    return result


def _named_modules(finding: Finding, settings: RunOptions, location: Path | None) -> Finding:
    """The finding with the module its fix adds named (``oauth2-module``, and the package
    it goes in) in its edits, imports and new files."""
    fix = finding.fix
    assert fix is not None
    remedy = fix.remedy
    if not remedy.files and not remedy.elsewhere:
        return finding
    # The package of the folder the (first) module goes to: what imports of it start with.
    first = location.parent / remedy.files[0].path if location and remedy.files else None
    package = dotted(first.parent) if first is not None else ""

    def named(text: str) -> str:
        prefix = f"{package}." if package else ""
        return text.replace(MODULE_NAME, settings.oauth2_module).replace(PACKAGE_PREFIX, prefix)

    edits = tuple(Edit(e.start, e.end, named(e.replacement)) for e in remedy.edits)
    imports = tuple(named(name) for name in remedy.imports)
    files = tuple(replace(new, path=named(new.path)) for new in remedy.files)
    elsewhere = tuple(
        replace(
            other,
            edits=tuple(Edit(e.start, e.end, named(e.replacement)) for e in other.edits),
            imports=tuple(named(name) for name in other.imports),
        )
        for other in remedy.elsewhere
    )
    renamed = replace(remedy, edits=edits, imports=imports, files=files, elsewhere=elsewhere)
    return replace(finding, fix=replace(fix, remedy=renamed))


def _new_files(
    display: str,
    location: Path | None,
    text: str,
    newline: str,
    chosen: list[Finding],
    settings: RunOptions,
    rules: Sequence,
    imports: ImportStyle,
) -> tuple[list[CreatedFile], str | None]:
    """The modules the chosen fixes add, each checked clean, or why they cannot be added."""

    def check(shown: str, data: bytes) -> list[str]:
        checked = check_source(shown, "python", data, rules)
        if checked.errors:
            raise ValueError(checked.errors[0].message)
        return [f"{f.rule} {f.message}" for f in checked.findings if not f.suppressed]

    return plan_files(
        [f.fix.remedy for f in chosen],  # type: ignore[union-attr]
        display=display,
        location=location,
        text=text,
        newline=newline,
        module_name=settings.oauth2_module,
        token_provider=settings.token_provider,
        check=check,
        imports=imports,
    )


def fix_key(finding: Finding) -> tuple:
    """A fix whatever line it moved to: the finding's rule and the fingerprint of its code,
    and what the fix writes (a fix refused once may be another fix once other fixes have
    changed the code around it)."""
    remedy = finding.fix.remedy if finding.fix is not None else None
    writes = tuple(e.replacement for e in remedy.edits) if remedy is not None else ()
    return finding.rule, finding.fingerprint or "", writes


def _choose(candidates: list[Finding], one_at_a_time: bool) -> list[Finding]:
    """Fixes that do not overlap, safe ones first: the transport is settled before
    authentication is rewritten. A send moved to Graph goes before all (`--target graph`):
    the SMTP transport it leaves behind needs no fix."""

    def order(finding: Finding) -> tuple[bool, bool]:
        fix = finding.fix
        assert fix is not None
        graph = sends_through_graph(fix.remedy)
        return not graph, fix.applicability is not Applicability.SAFE

    chosen: list[Finding] = []
    taken: list[Footprint] = []
    for finding in sorted(candidates, key=order):
        assert finding.fix is not None
        footprint = _footprint(finding.fix.remedy)
        if any(_overlaps(footprint, other) for other in taken):
            continue  # next round, on the text this round produces
        chosen.append(finding)
        taken.append(footprint)
        if one_at_a_time:
            break
    return chosen


def _apply(
    text: str,
    chosen: list[Finding],
    newline: str,
    kind: str,
    settings: RunOptions,
    project: Project | None,
    changes: Changes | None,
) -> tuple[str, str | None, list[str], Changes | None]:
    """The text with the chosen fixes, what they need at module level and nothing they
    left unused, or why not; notes on what was kept; the changes with this round's."""
    edits = [(edit, f.rule) for f in chosen for edit in f.fix.remedy.edits]  # type: ignore[union-attr]
    updated = apply_edits(text, [edit for edit, _ in edits], newline)
    remedies = [f.fix.remedy for f in chosen]  # type: ignore[union-attr]
    style = project.style if project is not None else None
    elsewhere = project.elsewhere if project is not None else None
    return finish_round(
        text, updated, edits, remedies, kind, settings.token_provider, changes, style, elsewhere
    )


def _verdict(before, after, chosen: list[Finding], ignored: Sequence[str]) -> str | None:
    """None when the fixes removed what they were meant to and added nothing; else why
    they are not kept."""
    if after.errors:
        return "the fixed file would not parse"
    old = Counter(f.rule for f in _reported(before.findings, ignored))
    new = Counter(f.rule for f in _reported(after.findings, ignored))
    meant = Counter(f.rule for f in chosen)
    for rule in sorted(set(new) | set(meant)):
        if new[rule] > old[rule] - meant[rule]:
            added = [f for f in _reported(after.findings, ignored) if f.rule == rule]
            what = added[-1].message if added else rule
            if rule in meant and new[rule] >= old[rule]:
                return f"the fix would leave it in place ({rule}: {what})"
            return f"the fix would add {rule}: {what}"
    return None


@dataclass(frozen=True)
class Project:
    """What fixing a file asks of the rest of its project: who else names what a fix left
    unread, and how its imports are sorted."""

    elsewhere: Elsewhere | None
    style: ImportStyle
    location: Path | None = None

    def refusal(self, finding: Finding) -> str | None:
        """Why the project cannot take a fix: it declares a version the fixed code cannot
        run with."""
        fix = finding.fix
        for requirement in needs(fix.remedy) if fix is not None else ():
            reason = refusal(self.location, requirement)
            if reason is not None:
                return reason
        return None


Configure = Callable[[SourceFile], "tuple[RunOptions, tuple[str, ...]] | None"]
FixTask = tuple[str, str, str, RunOptions, tuple[str, ...], bool]  # path, shown, kind, ...

_rules_by_settings: dict[RunOptions, list] = {}


def _fix_task(task: FixTask) -> tuple[FixTask, FileFix, bytes | None]:
    """Read and fix one file in memory; returns the bytes it was fixed from."""
    path, display, kind, settings, ignored, unsafe = task
    data, error = read_path(Path(path), display)
    if error is not None:
        return task, FileFix(display, "", "", error=error), None
    assert data is not None
    rules = _rules_by_settings.get(settings)
    if rules is None:
        rules = _rules_by_settings[settings] = selected_rules(settings)
    try:
        with time_limit(FILE_TIMEOUT_SECONDS):
            fixed = fix_source(
                display,
                kind,
                data,
                settings,
                unsafe=unsafe,
                rules=rules,
                ignored=ignored,
                location=Path(path),
            )
    except (FileTimeout, RecursionError, MemoryError) as problem:
        reason = "took too long" if isinstance(problem, FileTimeout) else type(problem).__name__
        fixed = FileFix(display, "", "", error=FileError(display, f"not fixed: {reason}", "fix"))
    if not fixed.changed:
        fixed.before = fixed.after = ""  # a sweep keeps only the texts it changes
    return task, fixed, data


def _lost_fix(task: FixTask, reason: str):
    if reason == "timeout":
        error = FileError(task[1], "not fixed: took too long", "fix")
    else:
        error = FileError(task[1], "not fixed: the fixing process crashed", "internal")
    return task, FileFix(task[1], "", "", error=error), None


@contextmanager
def _terminate_as_interrupt():
    """SIGTERM behaves like Ctrl-C while files are written, so the write in progress
    cleans up its temporary file instead of dying half-way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


Progress = Callable[[str, int, int], None]  # stage ("Checking", "Fixing"), done, total


def fix_paths(
    paths: Sequence[str],
    settings: RunOptions,
    *,
    unsafe: bool,
    write: bool,
    configure: Configure | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    cwd: Path | None = None,
) -> FixOutcome:
    """Fix every file under ``paths``. First they are checked as ``check`` does (in
    parallel for large inputs, through the result cache in ``cache_dir``): that is what
    the counts start from, and only files with a fix this run may apply are fixed, in
    parallel when there are many; files are written one by one by this process.
    ``configure`` gives each file its own settings and ignored rules, as for
    ``check_paths``."""
    with _terminate_as_interrupt():
        return _fix_paths(
            paths, settings, unsafe, write, configure, jobs, cache_dir, progress, cwd or Path.cwd()
        )


def _fix_paths(
    paths, settings, unsafe, write, configure, jobs, cache_dir, progress, cwd
) -> FixOutcome:
    from .discover import kind_of
    from .runner import check_paths

    checked = check_paths(
        paths,
        settings,
        cwd,
        jobs=jobs,
        cache_dir=cache_dir,
        progress=(lambda done, total: progress("Checking", done, total)) if progress else None,
        configure=configure,
    )
    outcome = FixOutcome(
        errors=list(checked.errors),
        found=list(checked.findings),
        files_scanned=checked.files_scanned,
        unsafe=unsafe,
    )
    by_file: dict[str, list[Finding]] = {}
    for finding in checked.findings:
        by_file.setdefault(finding.path, []).append(finding)
    tasks: list[FixTask] = []
    for display, found in by_file.items():
        source = None
        if any(allowed(f, unsafe) for f in found):
            path = cwd / display
            kind = kind_of(path, named=True)
            source = SourceFile(path, display, kind) if kind else None
        chosen = None
        if source is not None:
            chosen = (settings, ()) if configure is None else configure(source)
        if chosen is None:
            outcome.remaining.extend(found)  # nothing this run may fix
            continue
        tasks.append((str(source.path), display, source.kind, chosen[0], tuple(chosen[1]), unsafe))
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(tasks) < FIX_PARALLEL_THRESHOLD:
        results = map(_fix_task, tasks)
    else:
        from .pool import run_tasks  # multiprocessing: only for a pool

        results = run_tasks(
            _fix_task,
            tasks,
            workers,
            lost=_lost_fix,
            deadline=FILE_TIMEOUT_SECONDS + HARD_DEADLINE_GRACE,
        )
    done: list = []
    for result in results:
        done.append(result)
        if progress:
            progress("Fixing", len(done), len(tasks))
    # Other files the fixes edit too (linked edits, config keys nothing reads any more).
    from .fixes.across import Entry, settle, write_groups

    entries = {
        task[1]: Entry(task[1], Path(task[0]), fixed, data, task[3], task[4], unsafe)
        for task, fixed, data in done
    }
    if any(e.fixed.changed for e in entries.values()):
        outcome.errors.extend(settle(entries, configure))
    if write:
        outcome.errors.extend(write_groups(entries))
    for display, entry in sorted(entries.items()):
        fixed = entry.fixed
        if fixed.error is not None:
            outcome.errors.append(fixed.error)
        for finding, reason in fixed.refused.values():
            where = f"line {finding.span.line}: {finding.rule}"
            outcome.errors.append(FileError(display, f"{where} not fixed: {reason}", "fix"))
        outcome.files.append(fixed)
        before = by_file.get(display, [])
        if not entry.own:  # edited for others: what it reported before stands or is replaced
            if before and fixed.changed and entry.remaining is not None:
                gone = {id(f) for f in before}
                outcome.remaining = [f for f in outcome.remaining if id(f) not in gone]
                outcome.remaining.extend(_as_reported(entry.remaining, entry.settings))
        elif fixed.changed:
            left = entry.remaining if entry.remaining is not None else fixed.remaining
            outcome.remaining.extend(_as_reported(left, entry.settings))
        else:  # refused, failed or not written: the file is as it was
            outcome.remaining.extend(before)
    outcome.remaining.sort(key=Finding.sort_key)
    outcome.errors.sort(key=lambda e: e.path)
    return outcome


def _as_reported(findings: list[Finding], settings: RunOptions) -> list[Finding]:
    """Severity overrides, as ``check`` applies them after checking."""
    overrides = dict(settings.severity)
    for finding in findings:
        if finding.rule in overrides:
            finding.severity = Severity(overrides[finding.rule])
    return findings


def fix_stdin(
    display: str,
    kind: str,
    data: bytes,
    settings: RunOptions,
    ignored: Sequence[str],
    *,
    unsafe: bool,
) -> FixOutcome:
    """Fix code read from stdin, in memory: ``outcome.files[0].after`` is the fixed text."""
    from .findings import FileResult, RunResult
    from .runner import apply_file_settings

    checked = check_source(display, kind, data, selected_rules(settings))
    apply_file_settings(checked, settings, ignored)
    run = RunResult()
    run.add(checked)
    outcome = FixOutcome(
        errors=list(run.errors), found=list(run.findings), files_scanned=1, unsafe=unsafe
    )
    if run.errors:
        outcome.remaining = list(run.findings)
        return outcome
    fixed = fix_source(display, kind, data, settings, unsafe=unsafe, ignored=ignored)
    if fixed.error is not None:
        outcome.errors.append(fixed.error)
    outcome.files.append(fixed)
    if fixed.changed:
        reported = FileResult(display, findings=fixed.remaining)
        apply_file_settings(reported, settings, ())
        outcome.remaining = reported.findings
    else:
        outcome.remaining = list(run.findings)
    return outcome
