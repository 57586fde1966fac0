"""`authsweep tenant match` on exports of a million rows: time and peak memory.

Writes the exports into a temporary folder (an SMTP AUTH historical search report in
UTF-16 as Exchange mails it, and an Entra sign-in log as a JSON array), then runs
`authsweep tenant match` on each in its own process, with GNU time when the machine has
it, else the child's ru_maxrss. Peak memory must stay flat when the rows grow: the
readers stream, and only distinct mailboxes are kept.

    python bench/tenant_match.py --rows 1000000 --senders 5000 [--write-results]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write_smtp_report(path: Path, rows: int, senders: int) -> None:
    with path.open("w", encoding="utf-16", newline="") as out:
        out.write(
            "date,senderName,senderDomain,authMethod,original_client_ip,tls_version,"
            "tls_cipher,message_count,message_id\r\n"
        )
        for n in range(rows):
            auth = "OAuth" if n % 7 == 0 else "Basic"
            day = 1 + n % 28
            out.write(
                f"2026-11-{day:02d}T10:{n % 60:02d}:00Z,sender{n % senders},contoso.com,{auth},"
                f"203.0.113.{n % 250},TLS1.2,TLS_AES_256_GCM_SHA384,1,<m{n}@contoso.com>\r\n"
            )


def write_sign_ins(path: Path, rows: int, senders: int) -> None:
    clients = ("Authenticated SMTP", "IMAP4", "POP3", "Browser")
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for n in range(rows):
            record = {
                "id": f"{n:08d}",
                "createdDateTime": f"2026-11-{1 + n % 28:02d}T08:00:00Z",
                "userPrincipalName": f"sender{n % senders}@contoso.com",
                "appDisplayName": "Office 365 Exchange Online",
                "clientAppUsed": clients[n % len(clients)],
                "status": {"errorCode": 0 if n % 5 else 50126, "failureReason": None},
            }
            out.write(("," if n else "") + json.dumps(record) + "\n")
        out.write("]\n")


def measure(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one run."""
    gnu_time = Path("/usr/bin/time")
    started = time.perf_counter()
    if gnu_time.exists():
        proc = subprocess.run(
            [str(gnu_time), "-f", "%M", *args], cwd=cwd, capture_output=True, text=True
        )
        wall = time.perf_counter() - started
        peak = int(proc.stderr.strip().splitlines()[-1]) / 1024
    else:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
        wall = time.perf_counter() - started
        peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--senders", type=int, default=5_000)
    parser.add_argument("--write-results", action="store_true")
    options = parser.parse_args()
    authsweep = [sys.executable, "-m", "authsweep.scanner.cli"]
    lines = []
    with tempfile.TemporaryDirectory(prefix="authsweep-tenant-bench-") as folder:
        # The code in a folder of its own: a big JSON file beside the code would be read
        # by `check` itself as config that may feed it (scanner/config/feeds.py).
        work = Path(folder) / "code"
        work.mkdir()
        exports = Path(folder) / "exports"
        exports.mkdir()
        (work / "mailer.py").write_text(
            "import os, smtplib\n"
            "s = smtplib.SMTP('smtp.office365.com', 587)\n"
            "s.starttls()\n"
            "s.login('sender1@contoso.com', os.environ['PASSWORD'])\n"
        )
        cases = []
        for rows in (options.rows // 10, options.rows):
            smtp = exports / f"smtp-{rows}.csv"
            write_smtp_report(smtp, rows, options.senders)
            cases.append(("SMTP AUTH report, UTF-16 CSV", rows, smtp, "--smtp-auth-report"))
            signins = exports / f"signins-{rows}.json"
            write_sign_ins(signins, rows, options.senders)
            cases.append(("sign-in log, JSON array", rows, signins, "--sign-ins"))
        baseline = measure(
            [
                *authsweep,
                "tenant",
                "match",
                "mailer.py",
                "--smtp-auth-report",
                str(exports / f"smtp-{options.rows // 10}.csv"),
                "--format",
                "json",
            ],
            work,
        )
        del baseline  # the first run warms the file cache and bytecode
        for title, rows, path, option in cases:
            wall, peak = measure(
                [*authsweep, "tenant", "match", "mailer.py", option, str(path), "--format", "json"],
                work,
            )
            size = path.stat().st_size / 1e6
            lines.append(
                f"| {title} | {rows:,} | {size:,.0f} | {wall:.2f} | {peak:.0f} | "
                f"{rows / wall / 1e3:,.0f} |"
            )
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = f"python bench/tenant_match.py --rows {options.rows} --senders {options.senders}"
    report = "\n".join(
        [
            f"## tenant match on large exports, {now}",
            "",
            f"- nproc {os.cpu_count()}, {platform.platform()}, Python {platform.python_version()}",
            f"- command: `{command}`; {options.senders:,} distinct mailboxes in every export;"
            " peak RSS of the whole `authsweep tenant match` process (GNU time %M)",
            "",
            "| export | rows | MB | wall s | peak RSS MB | k rows/s |",
            "|---|--:|--:|--:|--:|--:|",
            *lines,
            "",
        ]
    )
    print(report)
    if options.write_results:
        with (HERE / "RESULTS.md").open("a", encoding="utf-8") as results:
            results.write("\n" + report)


if __name__ == "__main__":
    main()
