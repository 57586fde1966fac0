"""`fix --target graph` as source: what it writes for each send shape, what stays on XOAUTH2
and says so, the module it adds, and the settings and command line that choose it. The
messages the rewritten code sends are proven against the lab by test_graph_e2e.py."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixer import fix_paths
from authsweep.scanner.report.fix_summary import fix_summary
from cli_support import GIT_ENV, invoke, write

GRAPH = RunOptions(target="graph")

WITH_BLOCK = """\
import os
import smtplib
import ssl


def send(message):
    with smtplib.SMTP("smtp.office365.com", 587) as server:
        server.starttls(context=ssl.create_default_context())
        server.login(os.environ["MAIL_USER"], os.environ["MAIL_PASSWORD"])
        server.send_message(message)
"""

IMAP_AND_SMTP = """\
import imaplib
import os
import smtplib


def report(message):
    smtp = smtplib.SMTP("smtp.office365.com", 587)
    smtp.starttls()
    smtp.login(os.environ["MAIL_USER"], os.environ["MAIL_PASSWORD"])
    smtp.sendmail(os.environ["MAIL_USER"], ["team@contoso.com"], message)
    smtp.quit()


def inbox():
    imap = imaplib.IMAP4_SSL("outlook.office365.com", ssl_context=None)
    imap.login(os.environ["MAIL_USER"], os.environ["MAIL_PASSWORD"])
    return imap
"""


def _fix(tmp_path: Path, files: dict[str, str], options: RunOptions = GRAPH, paths=(".",)):
    for name, text in files.items():
        write(tmp_path / name, text)
    return fix_paths(list(paths), options, unsafe=True, write=True, cwd=tmp_path)


def _parses(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    ast.parse(text)
    return text


def test_an_smtplib_client_becomes_the_graph_client(tmp_path: Path) -> None:
    outcome = _fix(tmp_path, {"mailer.py": WITH_BLOCK})
    assert not outcome.errors and not outcome.remaining, outcome.errors
    assert _parses(tmp_path / "mailer.py") == (
        "import os\n"
        "import ssl\n"
        "\n"
        "from mail_oauth2_token import GraphMailClient\n"
        "\n"
        "\n"
        "def send(message):\n"
        "    with GraphMailClient() as server:\n"
        "        server.starttls(context=ssl.create_default_context())\n"
        '        server.use_mailbox(os.environ["MAIL_USER"])\n'
        "        server.send_message(message)\n"
    )
    module = _parses(tmp_path / "mail_oauth2_token.py")
    for defined in ("class GraphMailClient", "def send_mime(", "def oauth2_access_token("):
        assert defined in module
    assert "import urllib.request" in module and "import requests" not in module
    summary = fix_summary(outcome)
    assert "Added mail_oauth2_token.py (GraphMailClient)." in summary
    assert "mailer.py: line 9: AS101 sends through Microsoft Graph sendMail" in summary
    assert "Mail.Send" in summary and "SMTP.SendAsApp" not in summary
    again = _fix(tmp_path, {})
    assert not any(f.changed for f in again.files) and not again.found  # idempotent


def test_the_default_target_is_still_xoauth2(tmp_path: Path) -> None:
    _fix(tmp_path, {"mailer.py": WITH_BLOCK}, RunOptions())
    source = _parses(tmp_path / "mailer.py")
    assert 'server.auth("XOAUTH2"' in source and "Graph" not in source
    assert "class GraphMailClient" not in (tmp_path / "mail_oauth2_token.py").read_text()


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ('smtplib.SMTP_SSL("smtp.office365.com", 465)', "GraphMailClient()"),
        ('smtplib.SMTP("smtp.office365.com:587")', "GraphMailClient()"),
        (
            'smtplib.SMTP("smtp.office365.us", 587)',
            'GraphMailClient(graph_host="graph.microsoft.us")',
        ),
        (
            'smtplib.SMTP("smtp.partner.outlook.cn", 587)',
            'GraphMailClient(graph_host="microsoftgraph.chinacloudapi.cn")',
        ),
    ],
)
def test_constructors_and_clouds(tmp_path: Path, written: str, expected: str) -> None:
    code = (
        "import smtplib\n"
        f"server = {written}\n"
        "server.login('reports@contoso.com', PASSWORD)\n"
        "server.sendmail('reports@contoso.com', ['a@contoso.com'], TEXT)\n"
    )
    _fix(tmp_path, {"job.py": code})
    source = _parses(tmp_path / "job.py")
    assert f"server = {expected}\n" in source
    assert "server.use_mailbox('reports@contoso.com')\n" in source
    assert "smtplib" not in source


def test_connect_after_a_bare_constructor_stays_and_does_nothing(tmp_path: Path) -> None:
    code = (
        "import smtplib\n"
        "def send(user, password, text):\n"
        "    server = smtplib.SMTP(timeout=10)\n"
        "    server.connect('smtp.office365.com', 587)\n"
        "    server.starttls()\n"
        "    server.login(user, password)\n"
        "    server.sendmail(user, ['a@contoso.com'], text)\n"
    )
    _fix(tmp_path, {"job.py": code})
    source = _parses(tmp_path / "job.py")
    assert (
        "    server = GraphMailClient()\n    server.connect('smtp.office365.com', 587)\n" in source
    )
    assert "    server.use_mailbox(user)\n" in source


def test_readers_stay_on_xoauth2_and_the_summary_says_so(tmp_path: Path) -> None:
    outcome = _fix(tmp_path, {"jobs.py": IMAP_AND_SMTP})
    source = _parses(tmp_path / "jobs.py")
    assert "smtp = GraphMailClient()" in source
    assert 'imap.authenticate("XOAUTH2"' in source
    assert "from mail_oauth2_token import GraphMailClient, oauth2_access_token" in source
    # One module for both: the Graph client holds the token helper the IMAP login calls.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.py", "mail_oauth2_token.py"]
    summary = fix_summary(outcome)
    assert "jobs.py: line 9: AS101 sends through Microsoft Graph sendMail" in summary
    assert (
        "jobs.py: line 16: AS102 stays on XOAUTH2: Graph sendMail only sends mail; readers "
        "keep XOAUTH2" in summary
    )
    assert "IMAP.AccessAsApp" in summary and "Mail.Send" in summary


@pytest.mark.parametrize(
    ("code", "why"),
    [
        (
            "import smtplib\n"
            "s = smtplib.SMTP('smtp-hve.office365.com', 587)\n"
            "s.starttls()\n"
            "s.login('bulk@contoso.com', PASSWORD)\n"
            "s.sendmail('bulk@contoso.com', ['a@contoso.com'], TEXT)\n",
            "Microsoft 365 High Volume Email mail cannot go through Graph sendMail here",
        ),
        (
            "import smtplib\n"
            "def can_log_in(user, password):\n"
            "    s = smtplib.SMTP('smtp.office365.com', 587)\n"
            "    s.starttls()\n"
            "    s.login(user, password)\n"
            "    return True\n",
            "no message is sent on this connection",
        ),
        (
            "import os\n"
            "import smtplib\n"
            "HOSTS = {'m365': 'smtp.office365.com', 'gmail': 'smtp.gmail.com'}\n"
            "def send(user, password, text):\n"
            "    s = smtplib.SMTP(HOSTS[os.environ['MAIL_PROVIDER']], 587)\n"
            "    s.starttls()\n"
            "    s.login(user, password)\n"
            "    s.sendmail(user, ['a@contoso.com'], text)\n",
            "the host is one of several providers, picked at run time",
        ),
    ],
)
def test_what_graph_cannot_take_stays_on_xoauth2(tmp_path: Path, code: str, why: str) -> None:
    write(tmp_path / "job.py", code)
    checked = invoke("check", "--target", "graph", "--format", "json", ".", cwd=tmp_path)
    (finding,) = [f for f in json.loads(checked.stdout)["findings"] if f["rule"] == "AS101"]
    assert finding["fixable"]
    assert finding["fix"]["message"].endswith(f"(stays on XOAUTH2: {why})")
    outcome = _fix(tmp_path, {})
    assert 'auth("XOAUTH2"' in _parses(tmp_path / "job.py")
    assert f"stays on XOAUTH2: {why}" in fix_summary(outcome)


def test_aiosmtplib_send_becomes_graph_send_async(tmp_path: Path) -> None:
    code = (
        "import os\n"
        "import aiosmtplib\n"
        "\n"
        "\n"
        "async def notify(message):\n"
        "    await aiosmtplib.send(\n"
        "        message,\n"
        '        hostname="smtp.office365.com",\n'
        "        port=587,\n"
        "        start_tls=True,\n"
        '        username=os.environ["MAIL_USER"],\n'
        '        password=os.environ["MAIL_PASSWORD"],\n'
        "    )\n"
        "\n"
        "\n"
        "async def spread(message, options):\n"
        '    await aiosmtplib.send(message, hostname="smtp.office365.com", port=587,\n'
        '                          username="a@contoso.com", password=PASSWORD, **options)\n'
    )
    outcome = _fix(tmp_path, {"notify.py": code})
    source = _parses(tmp_path / "notify.py")
    assert '    await graph_send_async(message, mailbox=os.environ["MAIL_USER"])\n' in source
    # Options spread from a dict may hold anything: that call stays on XOAUTH2, and says so.
    assert "oauth_token_generator=lambda: asyncio.to_thread(oauth2_access_token" in source
    assert "from mail_oauth2_token import graph_send_async, oauth2_access_token" in source
    assert "AS101 stays on XOAUTH2" in fix_summary(outcome)


def test_smtp_handler_in_code_dict_config_and_file_config(tmp_path: Path) -> None:
    code = (
        "import logging.config\n"
        "from logging.handlers import SMTPHandler\n"
        "\n"
        "alerts = SMTPHandler(('smtp.office365.com', 587), 'alerts@contoso.com',\n"
        "                     ['ops@contoso.com'], 'Alert',\n"
        "                     credentials=('alerts@contoso.com', PASSWORD), secure=())\n"
        "logging.config.dictConfig({\n"
        "    'version': 1,\n"
        "    'handlers': {'mail': {\n"
        "        'class': 'logging.handlers.SMTPHandler',\n"
        "        'mailhost': ('smtp.office365.com', 587),\n"
        "        'fromaddr': 'alerts@contoso.com', 'toaddrs': ['ops@contoso.com'],\n"
        "        'subject': 'Error', 'credentials': ('alerts@contoso.com', PASSWORD),\n"
        "    }},\n"
        "})\n"
    )
    ini = (
        "[loggers]\nkeys=root\n\n[handlers]\nkeys=mail\n\n[formatters]\nkeys=\n\n"
        "[logger_root]\nhandlers=mail\n\n"
        "[handler_mail]\nclass=handlers.SMTPHandler\nlevel=ERROR\n"
        "args=(('smtp.office365.com', 587), 'alerts@contoso.com', ['ops@contoso.com'], "
        "'Error', ('alerts@contoso.com', 'Pa55word!'), ())\n"
    )
    outcome = _fix(tmp_path, {"alerts.py": code, "logging.ini": ini})
    assert not outcome.errors, outcome.errors
    source = _parses(tmp_path / "alerts.py")
    assert "alerts = GraphSMTPHandler(" in source
    assert "credentials='alerts@contoso.com'" in source
    assert "'class': 'mail_oauth2_handler.GraphSMTPHandler'" in source
    assert "class=mail_oauth2_handler.GraphSMTPHandler\n" in (tmp_path / "logging.ini").read_text()
    handler = _parses(tmp_path / "mail_oauth2_handler.py")
    assert "class GraphSMTPHandler(logging.handlers.SMTPHandler)" in handler
    assert "from mail_oauth2_token import send_mime" in handler


def test_flask_mailman_gets_the_graph_backend(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "from flask_mailman import Mail\nmail = Mail()\n",
        "app/config.py": (
            "import os\n"
            "MAIL_SERVER = 'smtp.office365.com'\n"
            "MAIL_PORT = 587\n"
            "MAIL_USE_TLS = True\n"
            "MAIL_USERNAME = os.environ['MAIL_USER']\n"
            "MAIL_PASSWORD = os.environ['MAIL_PASSWORD']\n"
        ),
    }
    outcome = _fix(tmp_path, files)
    assert not outcome.errors, outcome.errors
    config = (tmp_path / "app" / "config.py").read_text()
    assert "MAIL_BACKEND = 'app.mail_oauth2.GraphEmailBackend'" in config
    assert "MAIL_PASSWORD" not in config
    backend = _parses(tmp_path / "app" / "mail_oauth2.py")
    assert "from flask_mailman.backends.base import BaseEmailBackend" in backend
    assert "from app.mail_oauth2_token import GraphMailError, send_mime" in backend


@pytest.mark.parametrize(
    ("declared", "transport"),
    [("", "urllib.request"), ("requests>=2", "requests"), ("httpx", "httpx")],
)
def test_http_library_follows_the_declared_dependencies(
    tmp_path: Path, declared: str, transport: str
) -> None:
    write(tmp_path / "requirements.txt", f"{declared}\n" if declared else "flask\n")
    _fix(tmp_path, {"mailer.py": WITH_BLOCK})
    module = _parses(tmp_path / "mail_oauth2_token.py")
    assert f"import {transport}\n" in module
    others = {"urllib.request", "requests", "httpx"} - {transport}
    assert not any(f"import {other}\n" in module for other in others)


def test_the_projects_token_provider_is_what_the_client_calls(tmp_path: Path) -> None:
    options = RunOptions(target="graph", token_provider="corp.tokens:get_token")
    _fix(tmp_path, {"mailer.py": WITH_BLOCK}, options)
    module = _parses(tmp_path / "mail_oauth2_token.py")
    assert "from corp.tokens import get_token as oauth2_access_token" in module
    assert "import msal" not in module and "def oauth2_access_token(" not in module


def test_an_xoauth2_token_module_already_there_is_not_overwritten(tmp_path: Path) -> None:
    _fix(tmp_path, {"old.py": IMAP_AND_SMTP}, RunOptions())  # an earlier XOAUTH2 migration
    before = (tmp_path / "mail_oauth2_token.py").read_text()
    outcome = _fix(tmp_path, {"mailer.py": WITH_BLOCK})
    assert (tmp_path / "mail_oauth2_token.py").read_text() == before
    assert "smtplib.SMTP(" in (tmp_path / "mailer.py").read_text()
    assert any("does not define GraphMailClient" in e.message for e in outcome.errors)


def test_the_target_setting_and_option(tmp_path: Path) -> None:
    write(tmp_path / "mailer.py", WITH_BLOCK)
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\ntarget = "graph"\n')
    shown = invoke("check", "--show-settings", ".", cwd=tmp_path)
    assert 'target = "graph"' in shown.stdout
    checked = json.loads(invoke("check", "--format", "json", ".", cwd=tmp_path).stdout)
    messages = {f["rule"]: f["fix"]["message"] for f in checked["findings"] if f["fix"]}
    assert messages["AS101"].startswith("Send through Microsoft Graph sendMail")
    # The command line wins over the configuration.
    over = json.loads(
        invoke("check", "--target", "xoauth2", "--format", "json", ".", cwd=tmp_path).stdout
    )
    assert "XOAUTH2" in {f["rule"]: f["fix"]["message"] for f in over["findings"]}["AS101"]
    bad = invoke("fix", "--target", "smtp", ".", cwd=tmp_path)
    assert bad.returncode == 2 and "--target" in bad.stderr
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\ntarget = "ews"\n')
    wrong = invoke("check", ".", cwd=tmp_path)
    assert wrong.returncode == 2 and "target: expected one of xoauth2, graph" in wrong.stderr


@pytest.mark.slow
def test_check_and_fix_agree_on_what_is_fixable(tmp_path: Path) -> None:
    write(tmp_path / "jobs.py", IMAP_AND_SMTP)
    write(tmp_path / "mailer.py", WITH_BLOCK)
    checked = invoke("check", "--target", "graph", "--format", "json", ".", cwd=tmp_path)
    found = json.loads(checked.stdout)["findings"]
    fixable = {(f["path"], f["rule"], f["line"]) for f in found if f["fixable"]}
    left = {(f["path"], f["rule"], f["line"]) for f in found if not f["fixable"]}
    fixed = invoke(
        "fix", "--unsafe-fixes", "--target", "graph", "--output-format", "json", ".", cwd=tmp_path
    )
    after = json.loads(invoke("check", "--format", "json", ".", cwd=tmp_path).stdout)
    remaining = {(f["path"], f["rule"], f["line"]) for f in after["findings"]}
    assert fixable and remaining == left, fixed.stdout
    assert fixed.returncode == 0, fixed.stdout


def test_the_diff_applies_as_a_patch(tmp_path: Path) -> None:
    write(tmp_path / "mailer.py", WITH_BLOCK)
    env = {**GIT_ENV}
    subprocess.run(
        ["git", "init", "-q"], cwd=tmp_path, check=True, env={**env, "PATH": "/usr/bin:/bin"}
    )
    diff = invoke("fix", "--unsafe-fixes", "--target", "graph", "--diff", ".", cwd=tmp_path)
    assert diff.returncode == 1 and "+++ b/mail_oauth2_token.py" in diff.stdout
    assert (tmp_path / "mailer.py").read_text() == WITH_BLOCK  # --diff writes nothing
    write(tmp_path / "change.patch", diff.stdout)
    applied = subprocess.run(
        ["git", "apply", "change.patch"], cwd=tmp_path, capture_output=True, text=True
    )
    assert applied.returncode == 0, applied.stderr
    assert "with GraphMailClient() as server:" in (tmp_path / "mailer.py").read_text()
    ast.parse((tmp_path / "mail_oauth2_token.py").read_text())
