"""A sweep: the repositories of a shard, prepared, checked (and fixed), one by one.

Clones and fetches are network-bound, so a few run ahead in threads while the
repository before them is checked; checking itself runs in this process (a large
repository gets ``check``'s worker pool). Whatever goes wrong with one repository (a
clone that fails, a tree git cannot read, a bad configuration, an internal error) is
recorded as that repository's failure and the sweep goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__
from ..options_file import ConfigError, ConfigResolver
from ..records import record
from .campaign import fix_repository
from .document import FORMAT, build_summary
from .git import GitFailure, repository_state
from .scan import RepoScan, scan_repository
from .shards import Shard, input_digest, select
from .sources import RepoSource, read_sources
from .status import fix_kind, repository_status
from .workspace import prepare

# Clones prepared ahead of the one being checked; more mostly queues on the remote.
PREPARE_THREADS = 4

Progress = Callable[[int, int, str], None]


@record
class SweepOptions:
    source: Path  # a folder of repositories, or a list file of remotes
    work_dir: Path  # where listed repositories are cloned
    resolver: ConfigResolver
    shard: Shard | None = None
    jobs: int | None = None
    cache_dir: Path | None = None  # per repository below it; None: no cache
    fix_branch: str | None = None  # a fix campaign onto this branch
    unsafe_fixes: bool = False


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sweep(options: SweepOptions, progress: Progress | None = None) -> dict:
    """The sweep document of ``options.shard`` (or of every repository). Raises
    SourceError when the source cannot be read at all."""
    sources = read_sources(options.source)
    chosen = select(sources, options.shard)
    started, clock = _now(), time.monotonic()
    if any(source.remote for source in chosen):
        _make_work_dir(options.work_dir)
    repositories: list[dict] = []
    findings: list[dict] = []
    errors: list[dict] = []
    for done, (source, tree, failure, seconds) in enumerate(_prepared(chosen, options), 1):
        if progress is not None:
            progress(done - 1, len(chosen), source.name)
        begun = time.monotonic()
        entry, scan = _sweep_one(source, tree, failure, options)
        entry["seconds"] = round(seconds + time.monotonic() - begun, 3)
        repositories.append(entry)
        findings.extend(scan.findings)
        errors.extend(scan.errors)
        if entry["failure"] is not None:
            errors.append(
                {
                    "path": source.name,
                    "message": entry["failure"]["message"],
                    "kind": "repository",
                    "repository": source.name,
                }
            )
    if progress is not None:
        progress(len(chosen), len(chosen), "")
    shard = options.shard
    return {
        "tool": "authsweep",
        "version": __version__,
        "findings": findings,
        "errors": errors,
        "summary": build_summary(findings, errors, repositories),
        "sweep": {
            "format": FORMAT,
            "source": str(options.source),
            "input": {"repositories": len(sources), "digest": input_digest(sources)},
            "shards": {"count": shard.count, "indexes": [shard.index]} if shard else None,
            "runs": [
                {
                    "shard": shard.index if shard else None,
                    "started": started,
                    "finished": _now(),
                    "seconds": round(time.monotonic() - clock, 3),
                    "repositories": len(chosen),
                }
            ],
            "repositories": repositories,
        },
    }


def _make_work_dir(work_dir: Path) -> None:
    work_dir.mkdir(parents=True, exist_ok=True)
    ignore = work_dir / ".gitignore"
    if not ignore.exists():  # clones are nobody's source: keep them out of git status
        ignore.write_text("# Created by authsweep: managed clones\n*\n", encoding="utf-8")


Prepared = tuple[RepoSource, "Path | None", "str | None", float]


def _prepare(source: RepoSource, work_dir: Path) -> Prepared:
    begun = time.monotonic()
    try:
        tree = prepare(source, work_dir)
        return source, tree, None, time.monotonic() - begun
    except (GitFailure, OSError) as error:
        return source, None, str(error), time.monotonic() - begun


def _prepared(chosen: list[RepoSource], options: SweepOptions) -> Iterator[Prepared]:
    """Each repository ready to check, in order, with clones running ahead."""
    if not any(source.remote for source in chosen):
        yield from (_prepare(source, options.work_dir) for source in chosen)
        return
    executor = ThreadPoolExecutor(PREPARE_THREADS, thread_name_prefix="authsweep-clone")
    try:
        yield from executor.map(lambda source: _prepare(source, options.work_dir), chosen)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _entry(source: RepoSource) -> dict:
    return {
        "name": source.name,
        "source": source.shown,
        "weight": source.weight,
        "commit": None,
        "branch": None,
        "dirty": False,
        "status": None,
        "reasons": [],
        "files_scanned": 0,
        "files_parsed": 0,
        "suppressed": 0,
        "findings": 0,
        "by_fix": {"safe": 0, "unsafe": 0, "manual": 0},
        "errors": 0,
        "failure": None,
        "fix": None,
    }


def _sweep_one(
    source: RepoSource, tree: Path | None, failure: str | None, options: SweepOptions
) -> tuple[dict, RepoScan]:
    entry = _entry(source)
    scan = RepoScan()
    if tree is not None:
        try:
            state = repository_state(tree)
            entry.update(commit=state.commit, branch=state.branch, dirty=bool(state.changes))
            scan = scan_repository(
                source.name,
                tree,
                options.resolver,
                jobs=options.jobs,
                cache_dir=options.cache_dir / source.name if options.cache_dir else None,
            )
        except GitFailure as error:
            failure = f"cannot read the repository: {error}"
        except ConfigError as error:
            failure = f"bad configuration: {error}"
        except Exception as error:  # noqa: BLE001 - one repository must not end the sweep
            failure = f"internal error: {error!r}"
    if failure is not None:
        entry["failure"] = {"message": failure}
        scan = RepoScan()
    entry["status"], entry["reasons"] = repository_status(
        scan.findings, scan.errors, entry["failure"]
    )
    entry.update(
        files_scanned=scan.files_scanned,
        files_parsed=scan.files_parsed,
        suppressed=scan.suppressed,
        findings=len(scan.findings),
        errors=len(scan.errors),
    )
    for finding in scan.findings:
        entry["by_fix"][fix_kind(finding)] += 1
    # A repository without findings has nothing to fix: no branch, nothing to report.
    if options.fix_branch and tree is not None and failure is None and scan.findings:
        try:
            entry["fix"] = fix_repository(
                tree,
                options.resolver,
                options.fix_branch,
                unsafe=options.unsafe_fixes,
                jobs=options.jobs,
            )
        except GitFailure as error:
            entry["fix"] = {"result": "failed", "message": str(error), "remaining": None}
        except Exception as error:  # noqa: BLE001 - one repository must not end the sweep
            message = f"internal error: {error!r}"
            entry["fix"] = {"result": "failed", "message": message, "remaining": None}
    return entry, scan
