"""Helpers for the tests that run programs under `authsweep lab run`: the real command line,
and verdicts pinned by what matters (connections, TLS, authentications with their token,
replies, causes, rules, messages), not by the rewritten source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

USER = "reports@contoso.com"
OUTLOOK = "https://outlook.office365.com"
CREDENTIALS = {"MAIL_USER": USER, "MAIL_PASSWORD": "Correct-Horse-9"}


def authsweep(
    *args: str, cwd: Path, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command line; ``env`` adds variables to this process's (None removes one)."""
    environment = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "-c", "from authsweep.scanner.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        check=False,
    )


def lab_run(
    program: Path, *options: str, env: dict[str, str | None] | None = None
) -> dict[str, Any]:
    """`authsweep lab run --format json` on a sample; the verdict, with the run's exit code."""
    proc = authsweep(
        "lab",
        "run",
        "--format",
        "json",
        "--mailbox",
        USER,
        *options,
        "--",
        sys.executable,
        str(program),
        cwd=program.parent,
        env={**CREDENTIALS, **(env or {})},
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    verdict = json.loads(proc.stdout)
    assert proc.returncode == (0 if verdict["passed"] else 1)
    verdict["stderr"] = proc.stderr  # the program's own output
    return verdict


def essentials(verdict: dict[str, Any]) -> dict[str, Any]:
    """What a verdict is pinned by."""
    return {
        "passed": verdict["passed"],
        "exit_code": verdict["exit_code"],
        "connections": [
            (c["protocol"], c["host"], c["port"], c["tls"], c["tls_error"])
            for c in verdict["connections"]
        ],
        "auth": [
            (
                a["protocol"],
                a["mechanism"],
                a["outcome"],
                a["token"] and (a["token"]["audience"], a["token"]["flow"]),
            )
            for a in verdict["authentications"]
        ],
        "messages": [(m["from"], m["to"], m["subject"]) for m in verdict["messages"]],
        "reads": [(r["protocol"], r["mailbox"]) for r in verdict["mailbox_reads"]],
        "failures": [(f["cause"], f["code"], f["rule"]) for f in verdict["failures"]],
    }


def smtp_587(tls: str = "starttls", error: str | None = None) -> tuple[Any, ...]:
    return ("smtp", "smtp.office365.com", 587, tls, error)


XOAUTH2_OK = ("smtp", "XOAUTH2", "accepted", (OUTLOOK, "client_credentials"))
FAILED = ("command-failed", None, None)


def refused(
    cause: str, code: str | None, rule: str, connections: list[Any], auth: list[Any]
) -> dict[str, Any]:
    return {
        "passed": False,
        "exit_code": 1,
        "connections": connections,
        "auth": auth,
        "messages": [],
        "reads": [],
        "failures": [(cause, code, rule), FAILED],
    }


def delivered(recipient: str, subject: str, sends: int = 1) -> dict[str, Any]:
    return {
        "passed": True,
        "exit_code": 0,
        "connections": [smtp_587()] * sends,
        "auth": [XOAUTH2_OK] * sends,
        "messages": [(USER, [recipient], subject)] * sends
        if sends == 1
        else [(USER, [recipient], f"{subject} {n}") for n in range(1, sends + 1)],
        "reads": [],
        "failures": [],
    }
