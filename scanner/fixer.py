"""A ``fix`` run: every file checked as ``check`` does, the files with a fix this run may
apply fixed one by one (:mod:`.fixes.rounds`, in parallel when there are many), then the
edits of other files than the one fixed (a linked edit a fix goes with, a config key no
code reads any more) made once every file is fixed, and the files that go together
written as one change (:mod:`.fixes.across`).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

from .discover import SourceFile, kind_of
from .engine import RunOptions, check_source, read_path, selected_rules
from .findings import FileError, FileResult, Finding, RunResult, Severity
from .fixes.fixability import mark_refused
from .fixes.outcome import FileFix, FixOutcome, allowed
from .fixes.rounds import fix_source
from .runner import (
    FILE_TIMEOUT_SECONDS,
    HARD_DEADLINE_GRACE,
    FileTimeout,
    apply_file_settings,
    check_paths,
    time_limit,
)

# Fixing a file costs several analyses, so a pool pays off much sooner than for check.
FIX_PARALLEL_THRESHOLD = 16


Configure = Callable[[SourceFile], "tuple[RunOptions, tuple[str, ...]] | None"]
FixTask = tuple[str, str, str, RunOptions, tuple[str, ...], bool]  # path, shown, kind, ...

_rules_by_options: dict[RunOptions, list] = {}


def _fix_task(task: FixTask) -> tuple[FixTask, FileFix, bytes | None]:
    """Read and fix one file in memory; returns the bytes it was fixed from."""
    path, display, kind, options, ignored, unsafe = task
    data, error = read_path(Path(path), display)
    if error is not None:
        return task, FileFix(display, "", "", error=error), None
    assert data is not None
    rules = _rules_by_options.get(options)
    if rules is None:
        rules = _rules_by_options[options] = selected_rules(options)
    try:
        with time_limit(FILE_TIMEOUT_SECONDS):
            fixed = fix_source(
                display,
                kind,
                data,
                options,
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
    options: RunOptions,
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
    ``configure`` gives each file its own options and ignored rules, as for
    ``check_paths``."""
    with _terminate_as_interrupt():
        return _fix_paths(
            paths, options, unsafe, write, configure, jobs, cache_dir, progress, cwd or Path.cwd()
        )


def _fix_paths(
    paths, options, unsafe, write, configure, jobs, cache_dir, progress, cwd
) -> FixOutcome:
    checked = check_paths(
        paths,
        options,
        cwd,
        jobs=jobs,
        cache_dir=cache_dir,
        progress=(lambda done, total: progress("Checking", done, total)) if progress else None,
        configure=configure,
        plan=False,  # fixing plans each file anyway; what it leaves says why below
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
            chosen = (options, ()) if configure is None else configure(source)
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
    # In the order of the files, not of the workers finishing: what the files' fixes
    # share (a dependency they all need) is noted on the same file every run.
    done.sort(key=lambda result: result[0][1])
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
                outcome.remaining.extend(_as_reported(entry.remaining, entry.options))
        elif fixed.changed:
            left = entry.remaining if entry.remaining is not None else fixed.remaining
            outcome.remaining.extend(_as_reported(left, entry.options))
            mark_refused(left, fixed, unsafe)
        else:  # refused, failed or not written: the file is as it was
            outcome.remaining.extend(before)
            mark_refused(before, fixed, unsafe)
    outcome.remaining.sort(key=Finding.sort_key)
    outcome.errors.sort(key=lambda e: e.path)
    return outcome


def _as_reported(findings: list[Finding], options: RunOptions) -> list[Finding]:
    """Severity overrides, as ``check`` applies them after checking."""
    overrides = dict(options.severity)
    for finding in findings:
        if finding.rule in overrides:
            finding.severity = Severity(overrides[finding.rule])
    return findings


def fix_stdin(
    display: str,
    kind: str,
    data: bytes,
    options: RunOptions,
    ignored: Sequence[str],
    *,
    unsafe: bool,
) -> FixOutcome:
    """Fix code read from stdin, in memory: ``outcome.files[0].after`` is the fixed text."""
    checked = check_source(display, kind, data, selected_rules(options))
    apply_file_settings(checked, options, ignored)
    run = RunResult()
    run.add(checked)
    outcome = FixOutcome(
        errors=list(run.errors), found=list(run.findings), files_scanned=1, unsafe=unsafe
    )
    if run.errors:
        outcome.remaining = list(run.findings)
        return outcome
    fixed = fix_source(display, kind, data, options, unsafe=unsafe, ignored=ignored)
    if fixed.error is not None:
        outcome.errors.append(fixed.error)
    outcome.files.append(fixed)
    if fixed.changed:
        reported = FileResult(display, findings=fixed.remaining)
        apply_file_settings(reported, options, ())
        outcome.remaining = reported.findings
    else:
        outcome.remaining = list(run.findings)
    mark_refused(outcome.remaining, fixed, unsafe)
    return outcome
