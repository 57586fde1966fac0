"""Benchmark authsweep against its peers on large, pinned, real source trees.

One command (see bench/README.md):

    python bench/run.py [--trees homeassistant,django,airflow] [--runs 5]
                        [--cache-dir ~/.cache/authsweep-bench] [--bin-dir DIR]
                        [--tools ...] [--write-results]

What it does:

1. Downloads pinned reference trees with pip (``pip download --no-deps``) into
   the cache folder and unpacks each once; prints file counts and ``.py`` line
   counts per tree. Nothing is written under bench/ except RESULTS.md (with
   ``--write-results``).
2. Runs each tool on the same tree ``--warmup`` + ``--runs`` times and reports
   the median wall time, the median CPU time (user + sys of the child and its
   descendants, from ``os.wait4``), the peak RSS (``ru_maxrss`` from
   ``os.wait4``: the largest single process in the tree, not a sum over
   parallel workers) and the ratio of the wall time to authsweep's cold run.
   Tools that are not installed are skipped and named as such.
3. Prints one Markdown table per tree and, with ``--write-results``, appends
   it to bench/RESULTS.md together with the date, the machine, the tool
   versions and the exact commands.

Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SEMGREP_RULES = BENCH_DIR / "semgrep-rules.yml"
RESULTS_FILE = BENCH_DIR / "RESULTS.md"

# Words grep looks for: the mail libraries and the Microsoft hosts authsweep cares about.
GREP_PATTERN = (
    r"smtplib|imaplib|poplib|aiosmtplib|SMTP_SSL|starttls|SMTPHandler|exchangelib"
    r"|office365\.com|outlook\.com|EMAIL_HOST_PASSWORD|MAIL_PASSWORD"
)
# A file "touches mail" for the pre-commit sample if it contains one of these.
MAIL_WORDS = (b"smtplib", b"imaplib", b"poplib", b"SMTP_SSL", b"starttls")


# --------------------------------------------------------------------------- trees


@dataclass(frozen=True)
class TreeSpec:
    """A pinned reference tree fetched with ``pip download``."""

    name: str
    requirement: str
    kind: str  # "wheel" or "sdist"
    # The files a mail team's commit touches, where the speed issue names them; else a
    # sample is picked (see precommit_sample).
    precommit: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        return self.requirement.split("==", 1)[1]

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}-{self.kind}"


TREES: dict[str, TreeSpec] = {
    "homeassistant": TreeSpec("homeassistant", "homeassistant==2024.3.3", "wheel"),
    "django": TreeSpec(
        "django",
        "Django==5.2.8",
        "sdist",
        precommit=(
            "tests/mail/tests.py",
            "django/core/mail/backends/smtp.py",
            "django/core/mail/message.py",
        ),
    ),
    "airflow": TreeSpec("airflow", "apache-airflow-core==3.3.2", "wheel"),
}


@dataclass
class TreeStats:
    files: int = 0
    py_files: int = 0
    py_lines: int = 0
    py_bytes: int = 0


@dataclass
class Tree:
    spec: TreeSpec
    root: Path  # the folder scanned
    unpacked: Path  # the folder the archive was unpacked into
    archive: Path
    stats: TreeStats


def pip_download(spec: TreeSpec, dest: Path, python: str) -> Path:
    """Download the pinned archive for ``spec`` into ``dest`` and return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    binary = ["--only-binary=:all:"] if spec.kind == "wheel" else ["--no-binary=:all:"]
    base = [python, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    base += ["-d", str(dest), *binary, spec.requirement]
    attempts = [base]
    if spec.kind == "wheel":
        # A pure-Python wheel may declare a newer Requires-Python than ours; pip can
        # still fetch it for another interpreter since we never install it.
        attempts.append([*base, "--python-version", "3.12", "--platform", "any"])
    last = ""
    for cmd in attempts:
        before = set(dest.iterdir())
        print(f"  $ {shlex.join(cmd)}", file=sys.stderr)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
        if proc.returncode == 0:
            found = find_archive(spec, dest, exclude=set())
            if found is not None:
                return found
            new = sorted(set(dest.iterdir()) - before)
            if new:
                return new[0]
        last = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
    raise RuntimeError(f"pip download failed for {spec.requirement}: {last}")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def find_archive(spec: TreeSpec, dest: Path, exclude: set[Path]) -> Path | None:
    """Return an already-downloaded archive for ``spec`` in ``dest``, if any."""
    if not dest.is_dir():
        return None
    project = _norm(spec.requirement.split("==", 1)[0])
    suffixes = (".whl",) if spec.kind == "wheel" else (".tar.gz", ".zip", ".tar.bz2")
    for path in sorted(dest.iterdir()):
        if path in exclude or not path.name.endswith(suffixes):
            continue
        stem = path.name.split("-")
        if len(stem) >= 2 and _norm(stem[0]) == project and stem[1].startswith(spec.version):
            rest = stem[1][len(spec.version) :]
            if rest in ("", ".tar.gz", ".zip", ".tar.bz2"):
                return path
    return None


def unpack(archive: Path, dest: Path) -> Path:
    """Unpack ``archive`` into ``dest`` once; return the folder to scan.

    A sibling stamp file ``<dest>.unpacked`` marks a complete unpack and lists the
    scan folder's top-level entries, so that anything a tool leaves there later (a
    cache folder) can be removed again by :func:`clean_tree`.
    """
    stamp = dest.with_name(dest.name + ".unpacked")
    if not stamp.exists():
        if dest.exists():
            shutil.rmtree(dest)
        tmp = dest.with_name(dest.name + ".partial")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        if archive.name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp)
        else:
            with tarfile.open(archive) as tf:
                if hasattr(tarfile, "data_filter"):
                    tf.extractall(tmp, filter="data")
                else:  # pragma: no cover - Python < 3.11.4
                    tf.extractall(tmp)
        tmp.rename(dest)
        root = scan_root(dest)
        names = sorted(p.name for p in root.iterdir())
        stamp.write_text("\n".join([archive.name, *names]) + "\n")
    return scan_root(dest)


def scan_root(dest: Path) -> Path:
    # An sdist unpacks to a single top-level folder: scan that.
    entries = list(dest.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return dest


def clean_tree(tree: Tree) -> None:
    """Remove top-level entries a tool added to the tree (e.g. ``.authsweep_cache``)."""
    stamp = tree.unpacked.with_name(tree.unpacked.name + ".unpacked")
    try:
        keep = set(stamp.read_text().splitlines()[1:])
    except OSError:
        return
    for entry in tree.root.iterdir():
        if entry.name not in keep:
            print(f"  removing {entry} (left by a tool)", file=sys.stderr)
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def tree_stats(root: Path) -> TreeStats:
    stats = TreeStats()
    for dirpath, _dirnames, filenames in os.walk(root):
        for fname in filenames:
            stats.files += 1
            if fname.endswith(".py"):
                data = (Path(dirpath) / fname).read_bytes()
                stats.py_files += 1
                stats.py_bytes += len(data)
                stats.py_lines += data.count(b"\n") + (
                    1 if data and not data.endswith(b"\n") else 0
                )
    return stats


def prepare_tree(spec: TreeSpec, cache_dir: Path, python: str) -> Tree:
    downloads = cache_dir / "downloads"
    archive = find_archive(spec, downloads, exclude=set())
    if archive is None:
        print(f"downloading {spec.requirement} ({spec.kind}) ...", file=sys.stderr)
        archive = pip_download(spec, downloads, python)
    unpacked = cache_dir / "trees" / spec.label
    root = unpack(archive, unpacked)
    tree = Tree(spec, root, unpacked, archive, TreeStats())
    clean_tree(tree)
    tree.stats = tree_stats(root)
    return tree


def precommit_sample(root: Path, count: int) -> list[str]:
    """Pick ``count`` .py files as a pre-commit hook would pass them.

    Deterministic: files that mention a mail library first (sorted by path), then
    the largest remaining files. Paths are relative to ``root``.
    """
    mail: list[str] = []
    sized: list[tuple[int, str]] = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for fname in filenames:
            if not fname.endswith(".py"):
                continue
            path = Path(dirpath) / fname
            rel = path.relative_to(root).as_posix()
            data = path.read_bytes()
            if any(word in data for word in MAIL_WORDS):
                mail.append(rel)
            else:
                sized.append((len(data), rel))
    chosen = sorted(mail)[:count]
    sized.sort(key=lambda item: (-item[0], item[1]))
    chosen += [rel for _size, rel in sized[: count - len(chosen)]]
    return chosen


# --------------------------------------------------------------------------- tools


@dataclass
class Tool:
    """One benchmarked command. ``argv`` is run with the tree root as working folder."""

    name: str
    argv: list[str]
    ok_codes: tuple[int, ...]
    slow: bool = False
    env: dict[str, str] = field(default_factory=dict)
    note: str = ""
    skip: str = ""  # reason this tool is not run
    version: str = ""
    reference: bool = False  # the authsweep cold run, against which ratios are taken


@dataclass
class Measure:
    wall: float
    cpu: float
    maxrss_kb: int
    returncode: int


@dataclass
class Outcome:
    tool: Tool
    runs: list[Measure] = field(default_factory=list)
    error: str = ""
    summary: str = ""  # what the tool reported, when the harness can read it

    @property
    def wall(self) -> float | None:
        return statistics.median(m.wall for m in self.runs) if self.runs else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(m.cpu for m in self.runs) if self.runs else None

    @property
    def rss_mb(self) -> float | None:
        return max(m.maxrss_kb for m in self.runs) / 1024 if self.runs else None


@dataclass
class Setup:
    """How the runs are made, shared by every tree."""

    runs: int
    warmup: int
    logdir: Path
    gnu_time: str | None
    rss_floor_mb: float = 0.0  # peak RSS reported for `true`: nothing reads lower

    @property
    def rss_method(self) -> str:
        how = "GNU time %M" if self.gnu_time else "os.wait4 ru_maxrss"
        return (
            f"peak RSS: largest single process, via {how}; "
            f"floor {self.rss_floor_mb:.0f} MB (what `true` reads)"
        )


def which(name: str, bin_dirs: Sequence[Path]) -> str | None:
    path = os.pathsep.join([*(str(d) for d in bin_dirs), os.environ.get("PATH", "")])
    found = shutil.which(name, path=path)
    if found is None:
        sibling = Path(sys.executable).parent / name
        if sibling.is_file() and os.access(sibling, os.X_OK):
            found = str(sibling)
    return found


def first_line(argv: list[str], timeout: float = 60) -> str:
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=False, env=child_env({})
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    for line in (proc.stdout + "\n" + proc.stderr).splitlines():
        if line.strip():
            return line.strip()
    return "?"


def help_text(argv: list[str]) -> str:
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=child_env({"COLUMNS": "200", "PAGER": "cat", "MANPAGER": "cat"}),
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    # Some tools render help as a man page with overstrike ("b\bb") for bold.
    return re.sub(".\b", "", proc.stdout + proc.stderr)


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    # Python tools run from their bytecode caches, as an install from a wheel does (the
    # warm-up run writes what an editable install lacks): without them every run
    # compiles every module again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        {
            "NO_COLOR": "1",
            "TERM": "dumb",
            "SEMGREP_ENABLE_VERSION_CHECK": "0",
            "SEMGREP_SEND_METRICS": "off",
        }
    )
    env.update(extra)
    return env


ALL_TOOLS = (
    "authsweep-cold",
    "authsweep-warm",
    "authsweep-precommit",
    "python-start",
    "python-import-ast",
    "grep",
    "ruff",
    "semgrep",
    "bandit",
    "precli",
    "fixit",
)


def build_tools(
    args: argparse.Namespace, precommit_files: list[str], cache_dir: Path
) -> list[Tool]:
    """Build the command lines. Paths are relative to the tree root (the working folder)."""
    bin_dirs: list[Path] = args.bin_dir
    tools: list[Tool] = []

    # authsweep: explicit command (e.g. a stand-in), else found on PATH / --bin-dir.
    if args.authsweep:
        as_cmd: list[str] | None = shlex.split(args.authsweep)
    else:
        exe = which("authsweep", bin_dirs)
        as_cmd = [exe] if exe else None
    if as_cmd is None:
        missing = "authsweep not found (install it, or pass --authsweep CMD or --bin-dir)"
        cold = Tool("authsweep-cold", ["authsweep"], (0, 1), skip=missing, reference=True)
        precommit = Tool("authsweep-precommit", ["authsweep"], (0, 1), skip=missing)
        warm = Tool("authsweep-warm", ["authsweep"], (0, 1), skip=missing)
    else:
        helptext = help_text([*as_cmd, "check", "--help"])
        has_no_cache = "--no-cache" in helptext
        version = first_line([*as_cmd, "--version"]) if helptext else "?"
        # Keep authsweep's cache out of the tree and out of the user's cache, if it
        # follows XDG (platformdirs) or offers --cache-dir.
        as_env = {"XDG_CACHE_HOME": str(cache_dir / "authsweep-xdg-cache")}
        base = [*as_cmd, "check"]
        opts = ["--format", "json", "--exit-zero"]
        cold_opts = [*opts, "--no-cache"] if has_no_cache else opts
        cold = Tool(
            "authsweep-cold",
            [*base, ".", *cold_opts],
            (0, 1),
            env=as_env,
            version=version,
            note="" if helptext else "stand-in (no `check --help`)",
            reference=True,
        )
        # The files a commit changes are not in the cache, so the pre-commit shape
        # runs without it too.
        precommit = Tool(
            "authsweep-precommit",
            [*base, *precommit_files, *cold_opts],
            (0, 1),
            env=as_env,
            version=version,
            note=f"{len(precommit_files)} files named on the command line",
        )
        warm_opts = list(opts)
        if "--cache-dir" in helptext:
            warm_opts += ["--cache-dir", str(cache_dir / "authsweep-cache")]
        warm = Tool(
            "authsweep-warm",
            [*base, ".", *warm_opts],
            (0, 1),
            env=as_env,
            version=version,
            note="cache filled by the warm-up run",
            skip="" if has_no_cache else "authsweep has no cache (`--no-cache` not in its help)",
        )
    tools += [cold, precommit, *interpreter_floors(as_cmd)]

    def peer(
        name: str,
        exe_name: str,
        rest: list[str],
        ok: tuple[int, ...],
        slow: bool = False,
        note: str = "",
    ) -> Tool:
        exe = which(exe_name, bin_dirs)
        skip = "" if exe else f"not installed (`{exe_name}` not on PATH or --bin-dir)"
        tool = Tool(name, [exe or exe_name, *rest], ok, slow=slow, note=note, skip=skip)
        tools.append(tool)
        return tool

    peer(
        "grep",
        "grep",
        ["-rlIE", GREP_PATTERN, "."],
        (0, 1),
        note="text search, all files",
    )
    peer("ruff", "ruff", ["check", "--no-cache", "--exit-zero", "--isolated", "."], (0,))
    semgrep = peer(
        "semgrep",
        "semgrep",
        ["scan", "--config", str(SEMGREP_RULES), "--metrics=off", "--disable-version-check"],
        (0,),
        note="6 rules, bench/semgrep-rules.yml",
    )
    if not semgrep.skip:
        # Semgrep's built-in default .semgrepignore skips tests/, test/ and more (two
        # thirds of Django's .py files) and it skips files over 1 MB: scan what the
        # others scan. The ignore switch is marked internal, so only use it if offered.
        semgrep.argv += ["--quiet", "--max-target-bytes=0"]
        if "--x-ignore-semgrepignore-files" in help_text([semgrep.argv[0], "scan", "--help"]):
            semgrep.argv.append("--x-ignore-semgrepignore-files")
        else:
            semgrep.note += "; default .semgrepignore applies (skips tests/)"
        semgrep.argv.append(".")
    peer("bandit", "bandit", ["-r", "-q", "."], (0, 1), slow=True)
    peer("precli", "precli", ["-r", "--plain", "--no-color", "."], (0, 1, 2), slow=True)
    peer("fixit", "fixit", ["lint", "."], (0, 1), slow=True, note="default rules")

    # Last, so that a cache authsweep might keep in the tree is never seen by the peers.
    tools.append(warm)
    for tool in tools:
        if not tool.skip and not tool.version:
            exe = tool.argv[0]
            flag = "-V" if tool.name == "fixit" else "--version"
            tool.version = first_line([exe, flag])
    return tools


def interpreter_floors(as_cmd: list[str] | None) -> list[Tool]:
    """What authsweep's own interpreter costs doing nothing: no run of it can be faster."""
    python = interpreter_of(as_cmd) if as_cmd else None
    skip = "" if python else "authsweep's interpreter not found"
    return [
        Tool(
            "python-start",
            [python or "python", "-c", "pass"],
            (0,),
            skip=skip,
            note="floor: interpreter start-up",
        ),
        Tool(
            "python-import-ast",
            [python or "python", "-c", "import ast"],
            (0,),
            skip=skip,
            note="floor: start-up and `import ast`",
        ),
    ]


def interpreter_of(as_cmd: list[str]) -> str | None:
    """The Python behind an authsweep command: a console script's shebang, or the command
    itself when it is an interpreter (``python -m authsweep.scanner.cli``)."""
    exe = Path(as_cmd[0])
    if "python" in exe.name:
        return str(exe)
    try:
        first = exe.read_bytes()[:256].split(b"\n", 1)[0]
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode(errors="replace").split()
    return words[0] if words and "python" in words[0] else None


def select_tools(tools: list[Tool], wanted: list[str]) -> list[Tool]:
    names: set[str] = set()
    for item in wanted:
        if item == "authsweep":
            names.update(n for n in ALL_TOOLS if n.startswith(("authsweep", "python-")))
        elif item == "peers":
            names.update(n for n in ALL_TOOLS if not n.startswith(("authsweep", "python-")))
        elif item == "all":
            names.update(ALL_TOOLS)
        else:
            names.add(item)
    return [t for t in tools if t.name in names]


# --------------------------------------------------------------------------- running


class TimedOut(Exception):
    pass


def find_gnu_time() -> str | None:
    """GNU time, if installed: it reports the child's own peak RSS (see run_once)."""
    exe = shutil.which("time", path="/usr/bin:/bin:/usr/local/bin")
    if exe is None:
        return None
    try:
        proc = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return exe if "GNU" in proc.stdout + proc.stderr else None


def run_once(
    argv: list[str], cwd: Path, env: dict[str, str], timeout: float, log: Path, gnu_time: str | None
) -> Measure:
    """Run ``argv`` once; measure wall time, CPU time and peak RSS.

    CPU is user + sys of the child and all its descendants (``os.wait4``). Peak RSS
    is the largest single process of that tree. Linux keeps the high-water mark of
    the forking process (this harness) in the child's ``ru_maxrss`` across exec, so
    wait4 alone cannot report less than the harness's own size; when GNU time is
    installed it is put in between (a tiny process), and its ``%M`` is used.
    """
    rss_file = log.with_suffix(".rss")
    cmd = argv
    if gnu_time:
        cmd = [gnu_time, "-f", "%M", "-o", str(rss_file), "--", *argv]
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it is reaped
    if killed.is_set():
        raise TimedOut(f"timed out after {timeout:.0f} s")
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    if gnu_time:
        # GNU time may write "Command exited with non-zero status N" first.
        with contextlib.suppress(OSError, ValueError, IndexError):
            rss = int(rss_file.read_text().split()[-1])
    return Measure(wall, usage.ru_utime + usage.ru_stime, rss, proc.returncode)


def tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:])[:300]


def bench_tool(tool: Tool, tree: Tree, timeout: float, setup: Setup) -> Outcome:
    outcome = Outcome(tool)
    runs, warmup = setup.runs, setup.warmup
    log = setup.logdir / f"{tree.spec.name}-{tool.name}.log"
    for i in range(warmup + runs):
        phase = "warm-up" if i < warmup else f"run {i - warmup + 1}/{runs}"
        print(f"  {tool.name:<20} {phase} ...", end="", flush=True, file=sys.stderr)
        try:
            m = run_once(tool.argv, tree.root, child_env(tool.env), timeout, log, setup.gnu_time)
        except TimedOut as exc:
            outcome.error = str(exc)
            print(f" {exc}", file=sys.stderr)
            return outcome
        except OSError as exc:
            outcome.error = f"could not start: {exc}"
            print(f" {outcome.error}", file=sys.stderr)
            return outcome
        print(
            f" {m.wall:.2f} s wall, {m.cpu:.2f} s CPU,"
            f" {m.maxrss_kb / 1024:.0f} MB, rc={m.returncode}",
            file=sys.stderr,
        )
        if m.returncode not in tool.ok_codes:
            outcome.error = f"exit {m.returncode}: {tail(log)}"
            outcome.runs.clear()
            return outcome
        if i >= warmup:
            outcome.runs.append(m)
    if tool.name.startswith("authsweep"):
        outcome.summary = authsweep_summary(log)
    return outcome


# --------------------------------------------------------------------------- report


def fmt(value: float | None, digits: int | None = None) -> str:
    if value is None:
        return "–"
    if digits is None:
        digits = 3 if value < 1 else 2
    return f"{value:.{digits}f}"


def authsweep_summary(log: Path) -> str:
    """Best effort: "N findings, scanned X files, parsed Y" from authsweep's JSON output."""
    try:
        text = log.read_text(errors="replace")
        start = text.index("{")
        data, _end = json.JSONDecoder().raw_decode(text, start)
    except (OSError, ValueError):
        return ""
    if not isinstance(data, dict) or not isinstance(data.get("summary"), dict):
        return ""
    summary: dict[str, object] = data["summary"]
    parts = [f"{len(data.get('findings') or [])} findings"]
    for key, label in (("files_scanned", "files scanned"), ("files_parsed", "parsed")):
        if key in summary:
            parts.append(f"{summary[key]} {label}")
    if data.get("errors"):
        parts.append(f"{len(data['errors'])} errors")
    return ", ".join(parts)


def markdown_table(tree: Tree, outcomes: list[Outcome], setup: Setup) -> str:
    ref = next((o for o in outcomes if o.tool.reference and o.runs), None)
    ref_wall = ref.wall if ref else None
    s = tree.stats
    lines = [
        f"### {tree.spec.name} {tree.spec.version} ({tree.spec.kind}: `{tree.archive.name}`)",
        "",
        f"{s.files:,} files, {s.py_files:,} `.py` files, {s.py_lines:,} `.py` lines "
        f"({s.py_bytes / 1e6:.1f} MB). Median of {setup.runs} run(s) after "
        f"{setup.warmup} warm-up; {setup.rss_method}.",
        "",
        "| tool | wall s | CPU s | peak RSS MB | × authsweep cold | py kLOC/s | note |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for o in outcomes:
        t = o.tool
        if t.skip:
            lines.append(f"| {t.name} | – | – | – | – | – | skipped: {t.skip} |")
            continue
        if not o.runs:
            what = o.error if o.error.startswith("timed out") else f"failed: {o.error}"
            lines.append(f"| {t.name} | – | – | – | – | – | {what.replace('|', '/')} |")
            continue
        wall = o.wall
        ratio = f"{wall / ref_wall:.2f}" if wall is not None and ref_wall else "–"
        rate = "–"
        if wall and t.name != "authsweep-precommit" and not t.name.startswith("python-"):
            rate = f"{s.py_lines / 1000 / wall:,.0f}"
        walls = [m.wall for m in o.runs]
        spread = f"range {min(walls):.2f}–{max(walls):.2f} s" if len(walls) > 1 else ""
        note = "; ".join(x for x in (t.note, o.summary, spread) if x)
        lines.append(
            f"| {t.name} | {fmt(wall)} | {fmt(o.cpu)} | {fmt(o.rss_mb, 0)} | {ratio} "
            f"| {rate} | {note} |"
        )
    return "\n".join(lines) + "\n"


def machine_info() -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "?"
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return [
        f"nproc {usable} (of {os.cpu_count()}), CPU {cpu}, RAM {ram}",
        f"{platform.platform()}, Python {platform.python_version()} ({sys.executable})",
    ]


def results_section(tables: list[tuple[Tree, list[Outcome], list[str]]], setup: Setup) -> str:
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"## {now}", ""]
    out += [f"- {line}" for line in machine_info()]
    out.append(f"- command: `{shlex.join([sys.executable, *sys.argv])}`")
    seen: dict[str, str] = {}
    for _tree, outcomes, _files in tables:
        for o in outcomes:
            if not o.tool.skip and o.tool.version:
                seen.setdefault(o.tool.name.split("-")[0], o.tool.version)
    if seen:
        out.append("- versions: " + "; ".join(f"{k}: {v}" for k, v in seen.items()))
    out.append("")
    for tree, outcomes, files in tables:
        out.append(markdown_table(tree, outcomes, setup))
        out.append(f"Commands (working folder `{tree.root}`):")
        out.append("")
        for o in outcomes:
            if not o.tool.skip:
                out.append(f"- {o.tool.name}: `{shlex.join(o.tool.argv)}`")
        if files:
            out.append(f"- pre-commit sample: {', '.join(files)}")
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Benchmark authsweep and its peers on pinned real source trees.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--trees", type=csv, default=list(TREES), help=f"comma list of: {', '.join(TREES)}"
    )
    p.add_argument("--runs", type=int, default=5, help="measured runs per tool")
    p.add_argument("--warmup", type=int, default=1, help="unmeasured runs before those")
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=Path("~/.cache/authsweep-bench"),
        help="where archives and unpacked trees live (never inside the repo)",
    )
    p.add_argument(
        "--tools",
        type=csv,
        default=["all"],
        help="comma list of: all, authsweep, peers, " + ", ".join(ALL_TOOLS),
    )
    p.add_argument(
        "--bin-dir",
        type=Path,
        action="append",
        default=[],
        help="extra folder to look for tools in, before PATH (e.g. a peers venv's bin/)",
    )
    p.add_argument(
        "--authsweep",
        default="",
        help="authsweep command to run instead of the one on PATH (e.g. 'python -c pass')",
    )
    p.add_argument("--timeout", type=float, default=300, help="seconds per run")
    p.add_argument(
        "--slow-timeout",
        type=float,
        default=900,
        help="seconds per run for slow tools (bandit, precli, fixit)",
    )
    p.add_argument("--precommit-files", type=int, default=5, help="files in the pre-commit run")
    p.add_argument(
        "--pip-python",
        default=sys.executable,
        help="python whose pip downloads the trees",
    )
    p.add_argument(
        "--write-results",
        action="store_true",
        help="append the tables, machine info and commands to bench/RESULTS.md",
    )
    p.add_argument("--results-file", type=Path, default=RESULTS_FILE, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    unknown = [t for t in args.trees if t not in TREES]
    if unknown:
        p.error(f"unknown tree(s) {', '.join(unknown)}; choose from {', '.join(TREES)}")
    bad = [t for t in args.tools if t not in (*ALL_TOOLS, "all", "authsweep", "peers")]
    if bad:
        p.error(f"unknown tool(s) {', '.join(bad)}")
    if args.runs < 1 or args.warmup < 0:
        p.error("--runs must be >= 1 and --warmup >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cache_dir: Path = args.cache_dir.expanduser().resolve()
    repo = BENCH_DIR.parent
    if cache_dir == repo or repo in cache_dir.parents:
        print(f"--cache-dir must be outside the repository ({repo})", file=sys.stderr)
        return 2
    cache_dir.mkdir(parents=True, exist_ok=True)
    setup = Setup(
        runs=args.runs,
        warmup=args.warmup,
        logdir=Path(tempfile.mkdtemp(prefix="authsweep-bench-logs-")),
        gnu_time=find_gnu_time(),
    )
    true = shutil.which("true")
    if true:
        floor = run_once(
            [true], cache_dir, child_env({}), 30, setup.logdir / "true.log", setup.gnu_time
        )
        setup.rss_floor_mb = floor.maxrss_kb / 1024

    for line in machine_info():
        print(f"# {line}", file=sys.stderr)
    print(f"# {setup.rss_method}", file=sys.stderr)
    tables: list[tuple[Tree, list[Outcome], list[str]]] = []
    for name in args.trees:
        spec = TREES[name]
        try:
            tree = prepare_tree(spec, cache_dir, args.pip_python)
        except (RuntimeError, OSError, subprocess.SubprocessError, zipfile.BadZipFile) as exc:
            print(f"{name}: could not prepare tree: {exc}", file=sys.stderr)
            continue
        s = tree.stats
        print(
            f"{spec.label}: {tree.root}\n  {s.files:,} files, {s.py_files:,} .py files, "
            f"{s.py_lines:,} .py lines",
            file=sys.stderr,
        )
        files = list(spec.precommit) or precommit_sample(tree.root, args.precommit_files)
        tools = select_tools(build_tools(args, files, cache_dir), args.tools)
        outcomes: list[Outcome] = []
        for tool in tools:
            if tool.skip:
                print(f"  {tool.name:<20} skipped: {tool.skip}", file=sys.stderr)
                outcomes.append(Outcome(tool))
                continue
            timeout = args.slow_timeout if tool.slow else args.timeout
            outcomes.append(bench_tool(tool, tree, timeout, setup))
            clean_tree(tree)
        tables.append((tree, outcomes, files))
        print()
        print(markdown_table(tree, outcomes, setup), flush=True)

    if not tables:
        return 2
    print(f"(output of each tool's last run: {setup.logdir})", file=sys.stderr)
    if args.write_results:
        path: Path = args.results_file
        header = (
            ""
            if path.exists()
            else "# authsweep benchmark results\n\n"
            "Appended by `python bench/run.py --write-results`; newest last.\n\n"
        )
        with path.open("a", encoding="utf-8") as fh:
            fh.write(header + results_section(tables, setup) + "\n")
        print(f"appended to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
