"""The accuracy corpora's migrated files run in the lab: which of them deliver.

For each corpus: a copy is fixed with ``fix --unsafe-fixes``; every changed Python file
that names a Microsoft host is a candidate. Each candidate runs, before and after the fix,
under ``authsweep lab run`` (loopback Exchange Online, other host names refused) inside a
network namespace of its own (``unshare -rn``: nothing it does leaves the machine), with
stdin closed, a 20 s timeout and the environment variables it reads set (an address,
the host and port variables left unset so their defaults apply, the password unset after
the fix). A candidate is self-contained when it reaches the lab (a connection) in the
run before the fix; the others stop earlier (a module that is not installed, a name the
file never defines, a file it reads that is not there).

    python bench/real_projects_lab.py --work /tmp/realproj/lab [--corpus /work/corpus1 ...]

Writes ``WORK/lab.json`` and prints the table for bench/FIXES.md.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

MICROSOFT = re.compile(r"office365\.com|outlook\.com|office\.com|outlook\.cn", re.I)
ENV_READ = re.compile(r"""(?:environ(?:\.get)?\s*[\[(]|getenv\()\s*['"](\w+)['"]""")
USER = "reports@contoso.com"
# What a program that prompts gets on stdin: the address, then a password, a few times over.
ANSWERS = f"{USER}\nCorrect-Horse-9\n" * 4
CORPORA = [Path("/work/corpus1"), Path("/work/corpus2"), Path("/work/corpus3")]


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )
    return done.returncode, done.stdout + done.stderr


def environment(source: str, password: bool) -> dict[str, str]:
    """The variables the program reads: addresses, except hosts and ports (their defaults
    apply) and the password (set before the fix only)."""
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/tmp"}
    for name in set(ENV_READ.findall(source)):
        upper = name.upper()
        if upper.endswith(("HOST", "SERVER", "PORT")) or "SSL" in upper or "TLS" in upper:
            continue
        if any(word in upper for word in ("PASS", "PWD", "SECRET", "SENHA", "CONTRASENA")):
            if password:
                env[name] = "Correct-Horse-9"
            continue
        env[name] = USER
    return env


def lab_run(program: Path, password: bool) -> dict[str, object]:
    env = environment(program.read_text(errors="replace"), password)
    authsweep = Path(sys.executable).parent / "authsweep"
    lab = [str(authsweep), "lab", "run", "--format", "json", "--timeout", "20", "--"]
    command = [*lab, sys.executable, program.name]
    script = "ip link set lo up && exec " + " ".join(f"'{a}'" for a in command)
    done = subprocess.run(
        ["unshare", "-rn", "sh", "-c", script],
        cwd=program.parent,
        capture_output=True,
        text=True,
        env=env,
        input=ANSWERS,
    )
    try:
        verdict = json.loads(done.stdout)
    except ValueError:
        return {"exit": done.returncode, "error": (done.stdout + done.stderr)[-600:]}
    return {
        "passed": verdict["passed"],
        "connections": len(verdict["connections"]),
        "auth": [(a["mechanism"], a["outcome"]) for a in verdict["authentications"]],
        "messages": len(verdict["messages"]),
        "reads": len(verdict["mailbox_reads"]),
        "failures": [(f["cause"], f.get("code")) for f in verdict["failures"]],
        "output": done.stderr[-400:],
    }


def candidates(original: Path, fixed: Path) -> list[Path]:
    found = []
    for path in sorted(fixed.rglob("*.py")):
        if path.name.endswith("_token.py"):
            continue
        before = original / path.relative_to(fixed)
        text = path.read_text(errors="replace")
        if before.is_file() and before.read_bytes() != path.read_bytes() and MICROSOFT.search(text):
            found.append(path.relative_to(fixed))
    return found


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--work", type=Path, default=Path("/tmp/realproj/lab"))
    p.add_argument("--corpus", type=Path, action="append")
    args = p.parse_args()
    results = []
    for corpus in args.corpus or CORPORA:
        before, after = args.work / corpus.name / "before", args.work / corpus.name / "after"
        shutil.rmtree(args.work / corpus.name, ignore_errors=True)
        shutil.copytree(corpus, before)
        shutil.copytree(corpus, after)
        authsweep = Path(sys.executable).parent / "authsweep"
        run([str(authsweep), "fix", "--unsafe-fixes", "--no-cache", "."], after)
        for relative in candidates(before, after):
            row = {
                "file": f"{corpus.name}/{relative}",
                "before": lab_run(before / relative, password=True),
                "after": lab_run(after / relative, password=False),
            }
            print(json.dumps(row), file=sys.stderr)
            results.append(row)
    (args.work / "lab.json").write_text(json.dumps(results, indent=1))
    reached = [r for r in results if r["before"].get("connections")]
    delivered = [r for r in reached if r["after"].get("passed")]
    print(f"candidates {len(results)}, self-contained {len(reached)}, deliver {len(delivered)}")
    for r in results:
        b, a = r["before"], r["after"]
        print(
            f"| {r['file']} | {b.get('connections', '-')} conn, passed {b.get('passed')} "
            f"| passed {a.get('passed')}, auth {a.get('auth')}, failures {a.get('failures')} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
