"""`authsweep lab run` and `authsweep lab serve` as a user runs them (real CLI, subprocesses)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CLI = [sys.executable, "-c", "from authsweep.scanner.cli import main; main()"]

SENDER = textwrap.dedent(
    """
    import os, smtplib, ssl, msal
    app = msal.ConfidentialClientApplication(
        os.environ["AZURE_CLIENT_ID"],
        client_credential=os.environ["AZURE_CLIENT_SECRET"],
        authority="https://login.microsoftonline.com/" + os.environ["AZURE_TENANT_ID"],
    )
    token = app.acquire_token_for_client(scopes=["https://outlook.office365.com/.default"])
    with smtplib.SMTP("smtp.office365.com", 587, timeout=10) as smtp:
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()
        raw = f"user=reports@contoso.com\\x01auth=Bearer {token['access_token']}\\x01\\x01"
        smtp.auth("XOAUTH2", lambda challenge=None: raw)
        smtp.sendmail("reports@contoso.com", ["ops@contoso.com"], "Subject: By hand\\r\\n\\r\\nx")
    print("sent")
    """
)


def lab(*args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "lab", *args], capture_output=True, text=True, cwd=cwd, check=False, **kwargs
    )


@pytest.mark.slow
def test_json_goes_to_a_file_while_the_terminal_gets_text(tmp_path: Path) -> None:
    proc = lab(
        "run",
        "--format",
        "json",
        "-o",
        "verdict.json",
        "--",
        sys.executable,
        "-c",
        SENDER,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "sent" in proc.stderr  # the program's output never mixes with the verdict
    assert proc.stdout.rstrip().endswith("PASS: 1 message delivered; nothing failed")
    verdict = json.loads((tmp_path / "verdict.json").read_text())
    assert (verdict["tool"], verdict["passed"], verdict["exit_code"]) == ("authsweep", True, 0)
    [message] = verdict["messages"]
    assert (message["from"], message["to"], message["subject"]) == (
        "reports@contoso.com",
        ["ops@contoso.com"],
        "By hand",
    )
    [auth] = verdict["authentications"]
    assert auth["token"]["audience"] == "https://outlook.office365.com"
    assert auth["token"]["flow"] == "client_credentials"


@pytest.mark.slow
def test_the_command_after_the_double_dash_keeps_its_own_options(tmp_path: Path) -> None:
    proc = lab(
        "run",
        "--",
        sys.executable,
        "-c",
        "import sys; sys.exit(len(sys.argv))",
        "--format",
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert "the command exited with status 2" in proc.stdout
    assert "FAIL: no message delivered or mailbox read; 1 failure" in proc.stdout


@pytest.mark.slow
def test_timeout_stops_the_command_and_says_so(tmp_path: Path) -> None:
    proc = lab(
        "run",
        "--timeout",
        "0.5",
        "--format",
        "json",
        "--",
        sys.executable,
        "-c",
        "import time; time.sleep(60)",
        cwd=tmp_path,
        timeout=30,
    )
    assert proc.returncode == 1
    assert [f["cause"] for f in json.loads(proc.stdout)["failures"]] == ["command-timeout"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["run", "--token-lifetime", "soon", "--", "true"],
            "--token-lifetime: 'soon' is not a duration",
        ),
        (["run", "--", "no-such-program-authsweep"], "cannot run no-such-program-authsweep"),
        (["run"], "Missing argument"),
    ],
)
def test_bad_usage_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    proc = lab(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr


@pytest.mark.slow
def test_serve_prints_an_export_block_a_shell_can_use(tmp_path: Path) -> None:
    """The `export ...` block `lab serve` prints, pasted into a POSIX shell, sends through
    the lab; SIGTERM ends it with the verdict of what it saw."""
    serve = subprocess.Popen(
        [*CLI, "lab", "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert serve.stdout is not None
        banner = []
        for line in serve.stdout:
            banner.append(line)
            if line.startswith("Events:"):
                break
        exports = [line for line in banner if line.startswith(("export ", "unset "))]
        assert any(line.startswith("export AZURE_CLIENT_SECRET=") for line in exports)
        script = "".join(exports) + f'exec "{sys.executable}" sender.py\n'
        (tmp_path / "sender.py").write_text(SENDER)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AUTHSWEEP_"))}
        sent = subprocess.run(
            ["sh", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        assert sent.stdout.strip() == "sent", sent.stderr
    finally:
        serve.send_signal(signal.SIGTERM)
        out, err = serve.communicate(timeout=30)
    assert serve.returncode == 0, out + err
    assert "AUTH XOAUTH2  reports@contoso.com" in err  # the live event log
    assert out.rstrip().endswith("PASS: 1 message delivered; nothing failed")


def test_check_does_not_load_the_lab() -> None:
    """`authsweep` registers `lab` at start-up; the servers load only when a lab command runs."""
    code = (
        "import sys, authsweep.scanner.cli\n"
        "heavy = [m for m in sys.modules if m.startswith(('aiosmtpd', 'trustme', 'msal'))"
        " or m in ('authsweep.lab.sim', 'authsweep.lab.smtp')]\n"
        "print(heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


@pytest.mark.slow
def test_without_the_lab_extra_the_error_says_what_to_install(tmp_path: Path) -> None:
    hide = "import sys; sys.modules['aiosmtpd'] = None; "
    command = [sys.executable, "-c", hide + "from authsweep.scanner.cli import main; main()"]
    proc = subprocess.run(
        [*command, "lab", "run", "--", "true"], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 2
    assert (
        "the lab needs its extra: in a clone of authsweep, python3 -m pip install '.[lab]'"
        in proc.stderr
    )


def test_only_the_command_registration_imports_the_lab() -> None:
    """The scanner's analysis and fix code never import the lab."""
    repo = Path(__file__).resolve().parent.parent
    importers = sorted(
        str(path.relative_to(repo))
        for top in ("scanner", "rules")
        for path in (repo / top).rglob("*.py")
        if "authsweep.lab" in path.read_text(encoding="utf-8")
    )
    assert importers == ["scanner/cli/group.py"]


def test_ctrl_c_while_serve_starts_still_stops_the_lab_and_gives_the_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Ctrl-C that arrives while the servers start (a loaded machine, a quick Ctrl-C):
    the lab started, then stopped, and the verdict printed; before, the KeyboardInterrupt
    left the servers' threads running and `lab serve` hung."""
    import threading

    from authsweep.lab import cli as lab_cli
    from click.testing import CliRunner

    make = lab_cli._make_lab
    made = []

    def interrupted_while_starting(*args: object, **kwargs: object):
        os.kill(os.getpid(), signal.SIGINT)
        lab = make(*args, **kwargs)
        made.append(lab)
        return lab

    monkeypatch.setattr(lab_cli, "_make_lab", interrupted_while_starting)
    before = {t.ident for t in threading.enumerate()}
    handler = signal.getsignal(signal.SIGINT)
    result = CliRunner().invoke(lab_cli.lab_app.click_group("lab"), ["serve"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    assert "loopback Exchange Online is running" in result.output
    assert made and signal.getsignal(signal.SIGINT) is handler
    left = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert not left, left
