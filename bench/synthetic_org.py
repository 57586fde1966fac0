"""A synthetic organisation of small git repositories, and a measured sweep of it in shards.

    python bench/synthetic_org.py [--repos 2000] [--shards 8] [--parallel 2]
                                  [--org DIR] [--out DIR] [--clone-shard] [--write-results]

1. **Generate** (once; kept in ``--org``, default ``~/.cache/authsweep-bench/org-<N>``):
   ``--repos`` git repositories in team folders (``team-07/svc-0123``), each with one
   commit, with a realistic mix: most are clean (no mail code, mail through another
   provider, or already on XOAUTH2), others need only safe fixes (implicit TLS on 587,
   port 465, no certificate check), the OAuth2 rewrite (password logins to Microsoft
   365 in code, Django settings or ``.env`` files, IMAP, hard-coded passwords), or are
   blocked (personal Outlook.com accounts, EWS, Python 2 files). Some carry a
   ``[tool.authsweep]`` configuration or a CODEOWNERS file; sizes vary from a few files
   to about a hundred. The mix is seeded, so the same ``--seed`` gives the same org.
2. **Sweep** it in ``--shards`` shards, ``--parallel`` at a time (``authsweep sweep ORG
   --shard K/N --format json``), timing each shard's wall clock; then once whole (one
   process, for reference).
3. **Merge** the shards (JSON, SARIF, HTML), timing each and measuring the report sizes.
4. With ``--clone-shard``: the first shard again from a list of ``file://`` remotes, so
   the managed work folder is measured too (cold: shallow clones; warm: fetches).

Prints a Markdown section; ``--write-results`` appends it to bench/RESULTS.md. Standard
library only; needs ``git`` and authsweep (``--authsweep``, default this Python's).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Synthetic Org",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Synthetic Org",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_AUTHOR_DATE": "2026-11-02T09:00:00Z",
    "GIT_COMMITTER_DATE": "2026-11-02T09:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
TEAMS = 12

# --- what the repositories hold --------------------------------------------------------

FILLER = '''"""{name}: part of the {service} service."""

from dataclasses import dataclass


@dataclass
class {cls}:
    identifier: int
    label: str

    def describe(self) -> str:
        return f"{{self.label}} #{{self.identifier}}"


def load_{func}(rows):
    return [{cls}(i, str(row)) for i, row in enumerate(rows)]
'''
OTHER_PROVIDER = (
    "import smtplib, ssl, os\n\n"
    "def send(message):\n"
    "    with smtplib.SMTP('smtp.sendgrid.net', 587) as smtp:\n"
    "        smtp.starttls(context=ssl.create_default_context())\n"
    "        smtp.login('apikey', os.environ['SENDGRID_API_KEY'])\n"
    "        smtp.send_message(message)\n"
)
XOAUTH2_DONE = (
    "import smtplib, ssl\n"
    "from corp.auth import mail_token\n\n"
    "def send(message, user):\n"
    "    with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
    "        smtp.starttls(context=ssl.create_default_context())\n"
    "        smtp.ehlo_or_helo_if_needed()\n"
    "        smtp.auth('XOAUTH2', lambda challenge=None: "
    "f'user={user}\\x01auth=Bearer {mail_token()}\\x01\\x01')\n"
    "        smtp.send_message(message)\n"
)
SSL_ON_587 = (
    "import smtplib, ssl\n\n"
    "def send(message):\n"
    "    with smtplib.SMTP_SSL('smtp.office365.com', 587, "
    "context=ssl.create_default_context()) as smtp:\n"
    "        smtp.send_message(message)\n"
)
NO_CONTEXT = (
    "import smtplib\n\n"
    "def send(message):\n"
    "    with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
    "        smtp.starttls()\n"
    "        smtp.send_message(message)\n"
)
PORT_465_ENV = "EMAIL_HOST=smtp.office365.com\nEMAIL_PORT=465\nEMAIL_USE_SSL=True\n"
LOGIN_ENV_PASSWORD = (
    "import os, smtplib, ssl\n\n"
    "def send(message):\n"
    "    with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
    "        smtp.starttls(context=ssl.create_default_context())\n"
    "        smtp.login(os.environ['MAIL_USER'], os.environ['MAIL_PASSWORD'])\n"
    "        smtp.send_message(message)\n"
)
LOGIN_HARDCODED = (
    "import smtplib, ssl\n\n"
    "server = smtplib.SMTP('smtp.office365.com', 587)\n"
    "server.starttls(context=ssl.create_default_context())\n"
    "server.login('alerts@contoso.com', 'Spring2026-{n}')\n"
)
IMAP_LOGIN = (
    "import imaplib, os\n\n"
    "def inbox():\n"
    "    imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
    "    imap.login(os.environ['IMAP_USER'], os.environ['IMAP_PASSWORD'])\n"
    "    return imap.select('INBOX')\n"
)
DJANGO_SETTINGS = (
    "import os\n\n"
    "EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'\n"
    "EMAIL_HOST = 'smtp.office365.com'\n"
    "EMAIL_PORT = 587\n"
    "EMAIL_USE_TLS = True\n"
    "EMAIL_HOST_USER = os.environ.get('EMAIL_USER', 'noreply@contoso.com')\n"
    "EMAIL_HOST_PASSWORD = os.environ['EMAIL_PASSWORD']\n"
)
ENV_HARDCODED = (
    "EMAIL_HOST=smtp.office365.com\nEMAIL_PORT=587\nEMAIL_USE_TLS=True\n"
    "EMAIL_HOST_USER=reports@contoso.com\nEMAIL_HOST_PASSWORD=Winter2026-{n}\n"
)
PERSONAL = (
    "import smtplib, ssl, os\n\n"
    "s = smtplib.SMTP('smtp-mail.outlook.com', 587)\n"
    "s.starttls(context=ssl.create_default_context())\n"
    "s.login('lab.robot@outlook.com', os.environ['PASSWORD'])\n"
)
EWS = (
    "from exchangelib import Account, Configuration, Credentials, DELEGATE\n"
    "import os\n\n"
    "credentials = Credentials('reports@contoso.com', os.environ['EWS_PASSWORD'])\n"
    "config = Configuration(server='outlook.office365.com', credentials=credentials)\n"
    "account = Account('reports@contoso.com', config=config, access_type=DELEGATE)\n"
)
PYTHON2 = (
    "import smtplib\n"
    "server = smtplib.SMTP('smtp.office365.com', 587)\n"
    "server.starttls()\n"
    "server.login(user, password)\n"
    'print "sent to %s" % recipient\n'
)
# Its own configuration: the missing certificate check is accepted, so the repo is clean.
PYPROJECT = '[project]\nname = "service"\n\n[tool.authsweep]\nignore = ["AS204"]\n'

# (kind, share of the org, files that make it so)
MIX = (
    ("clean", 0.45, lambda n: {}),
    ("clean-other-provider", 0.05, lambda n: {"notify/mailer.py": OTHER_PROVIDER}),
    ("clean-xoauth2", 0.05, lambda n: {"notify/mailer.py": XOAUTH2_DONE}),
    ("safe-tls", 0.05, lambda n: {"notify/mailer.py": SSL_ON_587}),
    ("safe-port", 0.04, lambda n: {"deploy/.env": PORT_465_ENV}),
    ("safe-context", 0.03, lambda n: {"notify/mailer.py": NO_CONTEXT}),
    ("rewrite-login", 0.08, lambda n: {"notify/mailer.py": LOGIN_ENV_PASSWORD}),
    ("rewrite-hardcoded", 0.03, lambda n: {"scripts/alert.py": LOGIN_HARDCODED.format(n=n)}),
    ("rewrite-imap", 0.03, lambda n: {"inbox/reader.py": IMAP_LOGIN}),
    ("rewrite-django", 0.04, lambda n: {"site/settings.py": DJANGO_SETTINGS}),
    ("rewrite-env", 0.03, lambda n: {".env.production": ENV_HARDCODED.format(n=n)}),
    ("personal", 0.04, lambda n: {"lab/notify.py": PERSONAL}),
    ("ews", 0.03, lambda n: {"reports/ews.py": EWS}),
    ("python2", 0.03, lambda n: {"legacy/send_mail.py": PYTHON2}),
    ("configured", 0.02, lambda n: {"notify/mailer.py": NO_CONTEXT, "pyproject.toml": PYPROJECT}),
)


def repo_files(index: int, rng: random.Random) -> tuple[str, dict[str, str]]:
    roll, total = rng.random(), 0.0
    kind, make = MIX[0][0], MIX[0][2]
    for name, share, maker in MIX:
        total += share
        if roll < total:
            kind, make = name, maker
            break
    service = f"svc-{index:04}"
    # Mostly small; a few larger ones make the shard split's weights matter.
    count = rng.choice([2, 3, 3, 4, 5, 6, 8]) if rng.random() > 0.05 else rng.randint(40, 100)
    files = {
        f"src/{service.replace('-', '_')}/mod_{i:03}.py": FILLER.format(
            name=f"mod_{i:03}", service=service, cls=f"Record{i}", func=f"records_{i}"
        )
        for i in range(count)
    }
    files["README.md"] = f"# {service}\n\nInternal service {index}.\n"
    files["requirements.txt"] = "requests>=2\n"
    files.update(make(index))
    if rng.random() < 0.3:
        files[".github/CODEOWNERS"] = f"* @contoso/team-{index % TEAMS:02}\n"
    return kind, files


def _git(args: list[str], cwd: Path) -> None:
    subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


def _make_repo(path: Path, files: dict[str, str]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    _git(["init", "-q", "-b", "main"], path)
    _git(["add", "-A"], path)
    _git(["commit", "-q", "--no-verify", "-m", "initial"], path)


def generate(org: Path, repos: int, seed: int) -> dict[str, int]:
    """The org in ``org`` (made once; a finished one is re-used); counts by kind."""
    manifest = org / "manifest.json"
    if manifest.exists():
        recorded = json.loads(manifest.read_text())
        if recorded["repos"] == repos and recorded["seed"] == seed:
            return recorded["kinds"]
        raise SystemExit(f"{org} holds another org ({recorded}); pass another --org")
    if org.exists() and any(org.iterdir()):
        raise SystemExit(f"{org} exists and is not a finished org; remove it")
    rng = random.Random(seed)
    plan = []
    kinds: dict[str, int] = {}
    for index in range(repos):
        kind, files = repo_files(index, rng)
        kinds[kind] = kinds.get(kind, 0) + 1
        plan.append((org / f"team-{index % TEAMS:02}" / f"svc-{index:04}", files))
    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda item: _make_repo(*item), plan))
    elapsed = time.perf_counter() - started
    print(f"generated {repos} repositories in {elapsed:.0f} s", file=sys.stderr)
    manifest.write_text(json.dumps({"repos": repos, "seed": seed, "kinds": kinds}, indent=2))
    return kinds


# --- measuring ---------------------------------------------------------------------------


def _timed(argv: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"{shlex.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed, result


def load_average() -> str:
    """The 1-minute load average: on a shared machine, other work skews the walls."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def machine_info() -> list[str]:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        ram = f"{pages / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        ram = "?"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"nproc {usable} (of {os.cpu_count()}), RAM {ram}",
        f"{platform.platform()}, Python {platform.python_version()} ({sys.executable})",
        subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip(),
    ]


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**10:.0f} KB"


def measure(args: argparse.Namespace) -> str:
    authsweep = shlex.split(args.authsweep)
    org, out = args.org, args.out
    kinds = generate(org, args.repos, args.seed)
    args.load_before = load_average()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    commands: list[str] = []

    def sweep_shard(index: int) -> tuple[int, float, dict]:
        argv = [
            *authsweep, "sweep", str(org), "--shard", f"{index}/{args.shards}",
            "--format", "json", "--output-file", str(out / f"shard-{index}.json"),
            "--no-cache", "--exit-zero", "--quiet",
        ]  # fmt: skip
        if index == 1:
            shown = shlex.join(argv).replace(" --shard 1/", " --shard K/")
            commands.append(shown.replace("shard-1.json", "shard-K.json"))
        elapsed, _ = _timed(argv, out)
        document = json.loads((out / f"shard-{index}.json").read_text())
        return index, elapsed, document["summary"]

    started = time.perf_counter()
    with ThreadPoolExecutor(args.parallel) as pool:
        shards = sorted(pool.map(sweep_shard, range(1, args.shards + 1)))
    all_shards = time.perf_counter() - started

    merges = []
    for fmt, name in (("json", "sweep.json"), ("sarif", "sweep.sarif"), ("html", "sweep.html")):
        argv = [
            *authsweep, "merge", *(str(out / f"shard-{i}.json") for i in range(1, args.shards + 1)),
            "--format", fmt, "--output-file", str(out / name), "--quiet",
        ]  # fmt: skip
        elapsed, _ = _timed(argv, out)
        shown = [*authsweep, "merge", "SHARDS", *argv[len(authsweep) + 1 + args.shards :]]
        # The shell glob names the same files (the order of the shards does not matter).
        glob = shlex.quote(str(out)) + "/shard-*.json"
        commands.append(shlex.join(shown).replace("SHARDS", glob))
        merges.append((fmt, elapsed, _size(out / name)))
    merged = json.loads((out / "sweep.json").read_text())

    whole_argv = [
        *authsweep, "sweep", str(org), "--format", "json", "--output-file",
        str(out / "whole.json"), "--no-cache", "--exit-zero", "--quiet",
    ]  # fmt: skip
    whole, _ = _timed(whole_argv, out)
    commands.append(shlex.join(whole_argv))

    clone_rows = []
    if args.clone_shard:
        listing = out / "remotes.txt"
        repos = sorted(p.parent for p in org.glob("team-*/svc-*/.git"))
        listing.write_text("".join(f"{p.as_uri()}\n" for p in repos))
        work = out / "clones"
        argv = [
            *authsweep, "sweep", str(listing), "--shard", f"1/{args.shards}", "--work-dir",
            str(work), "--format", "json", "--output-file", str(out / "clones.json"),
            "--no-cache", "--exit-zero", "--quiet",
        ]  # fmt: skip
        for label in ("cold: shallow clones", "warm: fetch and check out"):
            elapsed, _ = _timed(argv, out)
            clone_rows.append((label, elapsed))
        commands.append(shlex.join(argv))

    return _section(args, kinds, shards, all_shards, merges, merged, whole, clone_rows, commands)


def _section(args, kinds, shards, all_shards, merges, merged, whole, clone_rows, commands) -> str:
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    summary = merged["summary"]
    status = ", ".join(f"{n} {s}" for s, n in summary["by_status"].items())
    mix = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    lines = [
        f"## Sweep of a synthetic organisation: {args.repos:,} repositories, {args.shards} "
        f"shards ({stamp})",
        "",
        *(f"- {line}" for line in machine_info()),
        f"- command: `{shlex.join([sys.executable, *sys.argv])}`",
        f"- org: `bench/synthetic_org.py` seed {args.seed}, {args.repos:,} repositories in "
        f"{TEAMS} team folders; mix: {mix}",
        f"- shards run {args.parallel} at a time on this machine "
        f"({'sequentially' if args.parallel == 1 else 'in parallel'}); no result cache; "
        f"load average {args.load_before} before the sweeps, {load_average()} after",
        f"- merged result: {summary['repositories']:,} repositories ({status}); "
        f"{summary['files_scanned']:,} files checked, {summary['findings']:,} findings, "
        f"{summary['errors']:,} errors",
        "",
        "| shard | repositories | files | findings | wall s |",
        "|---|--:|--:|--:|--:|",
    ]
    for index, elapsed, shard in shards:
        lines.append(
            f"| {index}/{args.shards} | {shard['repositories']} | {shard['files_scanned']:,} | "
            f"{shard['findings']} | {elapsed:.1f} |"
        )
    walls = [elapsed for _, elapsed, _ in shards]
    lines += [
        "",
        f"All {args.shards} shards, {args.parallel} at a time: {all_shards:.1f} s wall "
        f"(slowest shard {max(walls):.1f} s, fastest {min(walls):.1f} s). "
        f"The whole org in one process, unsharded: {whole:.1f} s.",
        "",
        "| merge to | wall s | report size |",
        "|---|--:|--:|",
        *(f"| {fmt} | {elapsed:.2f} | {size} |" for fmt, elapsed, size in merges),
        "",
    ]
    if clone_rows:
        lines += [
            f"Shard 1/{args.shards} from a list of `file://` remotes (the managed work folder):",
            "",
            "| run | wall s |",
            "|---|--:|",
            *(f"| {label} | {elapsed:.1f} |" for label, elapsed in clone_rows),
            "",
        ]
    lines += ["Commands:", "", *(f"- `{command}`" for command in commands), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=2000, help="repositories in the org")
    parser.add_argument("--shards", type=int, default=8, help="shards to split the sweep in")
    parser.add_argument("--parallel", type=int, default=2, help="shards run at a time")
    parser.add_argument("--seed", type=int, default=17, help="the mix's random seed")
    cache = Path.home() / ".cache" / "authsweep-bench"
    parser.add_argument("--org", type=Path, help="where the org is generated and kept")
    parser.add_argument("--out", type=Path, help="where shard results and reports go")
    parser.add_argument(
        "--authsweep",
        default=shlex.join([sys.executable, "-m", "authsweep.scanner.cli"]),
        help="the authsweep command to measure",
    )
    parser.add_argument(
        "--clone-shard", action="store_true", help="also sweep shard 1 from file:// remotes"
    )
    parser.add_argument("--write-results", action="store_true", help="append to RESULTS.md")
    args = parser.parse_args()
    args.org = (args.org or cache / f"org-{args.repos}").absolute()
    args.out = (args.out or cache / f"org-{args.repos}-sweep").absolute()
    section = measure(args)
    print(section)
    if args.write_results:
        with RESULTS_FILE.open("a", encoding="utf-8") as results:
            results.write("\n" + section)


if __name__ == "__main__":
    main()
