"""The rewrite shapes that once broke at run time (issue 23), as before/after pairs. Each
is also run against the lab by tests/test_fix_shapes_lab.py; these pin the code written."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions, check_source, selected_rules
from authsweep.scanner.fixer import fix_paths
from authsweep.scanner.fixes.outcome import FileFix
from authsweep.scanner.fixes.rounds import fix_source
from authsweep.scanner.report.fix_summary import fix_summary
from cli_support import commit_all, init_repo

RULES = selected_rules(RunOptions())


def fix(code: str, *, unsafe: bool = False, options: RunOptions | None = None) -> str:
    result = fix_source("m.py", "python", code.encode(), options or RunOptions(), unsafe=unsafe)
    assert result.error is None, result.error
    assert not result.refused, result.refused
    return result.after


def rules(code: str) -> Counter[str]:
    checked = check_source("m.py", "python", code.encode(), RULES)
    return Counter(f.rule for f in checked.findings)


def fixable(code: str) -> dict[str, bool]:
    checked = check_source("m.py", "python", code.encode(), RULES)
    return {f"{f.rule}:{f.span.line}": f.fix is not None for f in checked.findings}


# 1. No host, then connect(): smtplib checks the certificate against the constructor's host.


def test_connect_right_after_a_bare_constructor_moves_into_it() -> None:
    before = (
        "import smtplib\n"
        "HOST = 'smtp.office365.com'\n"
        "def send(user, password):\n"
        "    server = smtplib.SMTP(timeout=10)\n"
        "    server.connect(HOST, 587)\n"
        "    server.starttls()\n"
        "    server.login(user, password)\n"
    )
    after = fix(before)
    assert "    server = smtplib.SMTP(HOST, 587, timeout=10)\n    server.starttls(context=" in after
    assert ".connect(" not in after


def test_connect_in_a_with_block_moves_into_the_constructor() -> None:
    before = (
        "import smtplib\n"
        "def send(user, password):\n"
        "    with smtplib.SMTP() as server:\n"
        "        server.connect('smtp.office365.com', 587)\n"
        "        server.login(user, password)\n"
    )
    after = fix(before)
    assert "    with smtplib.SMTP('smtp.office365.com', 587) as server:\n" in after
    assert "        server.starttls(context=ssl.create_default_context())\n" in after
    assert ".connect(" not in after


def test_connect_in_another_method_makes_the_client_with_the_host() -> None:
    before = (
        "import smtplib\n"
        "class Mailer:\n"
        "    def __init__(self, port=587):\n"
        "        self.port = port\n"
        "        self.smtp = smtplib.SMTP(timeout=10)\n"
        "\n"
        "    def send(self, user, password):\n"
        "        self.smtp.connect('smtp.office365.com', self.port)\n"
        "        self.smtp.login(user, password)\n"
    )
    after = fix(before)
    assert (
        "        self.smtp = smtplib.SMTP('smtp.office365.com', self.port, timeout=10)\n"
        "        self.smtp.starttls(context=ssl.create_default_context())\n"
    ) in after


def test_ssl_client_without_host_switched_after_connect_gets_the_host() -> None:
    before = (
        "import smtplib\n"
        "def send(user, password):\n"
        "    server = smtplib.SMTP_SSL(timeout=10)\n"
        "    server.connect('smtp.office365.com', 465)\n"
        "    server.login(user, password)\n"
    )
    after = fix(before)
    assert "    server = smtplib.SMTP('smtp.office365.com', 587, timeout=10)\n" in after
    assert "    server.starttls(context=ssl.create_default_context())\n" in after
    assert not rules(after)["AS202"] and not rules(after)["AS201"]


def test_no_verifying_fix_where_the_host_cannot_reach_the_constructor() -> None:
    """A with-block client connected after other calls: nothing that verifies is
    written, so the finding stays and is not marked fixable."""
    code = (
        "import smtplib\n"
        "def send(user, password):\n"
        "    with smtplib.SMTP() as server:\n"
        "        server.set_debuglevel(1)\n"
        "        server.connect('smtp.office365.com', 587)\n"
        "        server.starttls()\n"
        "        server.login(user, password)\n"
    )
    assert fixable(code)["AS204:6"] is False
    assert fix(code) == code


# 7. The rewrite states port 587: no session on 25 or 465 before the one on 587.


def test_ssl_constructor_with_host_and_later_connect_states_587() -> None:
    before = (
        "import smtplib\n"
        "def send(user, password):\n"
        "    with smtplib.SMTP_SSL('smtp.office365.com', timeout=10) as s:\n"
        "        s.connect('smtp.office365.com', 587)\n"
        "        s.login(user, password)\n"
    )
    after = fix(before)
    assert "smtplib.SMTP('smtp.office365.com', timeout=10, port=587)" in after


def test_port_of_the_constructor_moves_with_the_port_of_connect() -> None:
    before = (
        "import smtplib\n"
        "s = smtplib.SMTP('smtp.office365.com', 25)\n"
        "s.connect('smtp.office365.com', 465)\n"
    )
    after = fix(before)
    assert "smtplib.SMTP('smtp.office365.com', 587)\ns.connect('smtp.office365.com', 587)\n" in (
        after
    )


# 10. A string port is a port; what check marks fixable, fix fixes.


def test_a_string_port_is_a_port() -> None:
    code = (
        "import smtplib, ssl\n"
        "s = smtplib.SMTP(host='smtp.office365.com', port='587')\n"
        "s.starttls(context=ssl.create_default_context())\n"
    )
    assert not rules(code)
    before = code.replace("'587'", "'25'")
    assert fixable(before) == {"AS202:2": True}
    assert "port='587'" in fix(before)


# 2. STARTTLS under a condition: unconditional for a Microsoft 365 host only.

CONDITIONAL = (
    "import smtplib, ssl\n"
    "def alert(host, use_tls, user, password):\n"
    "    server = smtplib.SMTP({host}, 587)\n"
    "    if use_tls:  # old relays\n"
    "        server.ehlo()\n"
    "        server.starttls(context=ssl.create_default_context())\n"
    "    server.login(user, password)\n"
)


def test_conditional_starttls_runs_on_every_path_for_microsoft() -> None:
    before = CONDITIONAL.format(host="'smtp.office365.com'").replace("  # old relays", "")
    after = fix(before)
    assert (
        "    server = smtplib.SMTP('smtp.office365.com', 587)\n"
        "    server.ehlo()\n"
        "    server.starttls(context=ssl.create_default_context())\n"
        "    server.login(user, password)\n"
    ) in after
    assert not rules(after)["AS203"]


def test_conditional_starttls_on_one_line() -> None:
    before = (
        "import smtplib, ssl\n"
        "def alert(use_tls, user, password):\n"
        "    server = smtplib.SMTP('smtp.office365.com', 587)\n"
        "    if use_tls: server.starttls(context=ssl.create_default_context())\n"
        "    server.login(user, password)\n"
    )
    assert "    server.starttls(context=ssl.create_default_context())\n    server.login" in (
        fix(before)
    )


def test_conditional_starttls_stays_for_an_unknown_host_or_a_comment_or_other_code() -> None:
    unknown = CONDITIONAL.format(host="host").replace("  # old relays", "")
    commented = CONDITIONAL.format(host="'smtp.office365.com'")
    other_code = commented.replace("  # old relays", "").replace(
        "        server.ehlo()\n", "        log('tls on')\n"
    )
    # For a host not known to be Microsoft's the plain path is the user's option (a relay
    # without TLS): not reported at all, so nothing to fix.
    assert "AS203:7" not in fixable(unknown)
    for code in (unknown, commented, other_code):
        assert fixable(code).get("AS203:7", False) is False
        assert "if use_tls:" in fix(code)


# 3 and 16. What only fed the removed login goes with it; guards on the password change.


def fixed_in_project(tmp_path: Path, code: str, **others: str) -> FileFix:
    """``code`` fixed as ``m.py`` of a project that also holds ``others`` (name: code)."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    for name, text in others.items():
        (tmp_path / f"{name}.py").write_text(text)
    module = tmp_path / "m.py"
    module.write_text(code)
    result = fix_source("m.py", "python", code.encode(), RunOptions(), unsafe=True, location=module)
    assert result.error is None and not result.refused, (result.error, result.refused)
    return result


SENDER = (
    "import os\n"
    "import smtplib\n"
    "import ssl\n"
    "\n"
    "SMTP_USER = os.environ['SMTP_USER']\n"
    "SMTP_PASSWORD = os.environ['SMTP_PASSWORD']\n"
    "\n"
    "\n"
    "def send():\n"
    "    with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
    "        smtp.starttls(context=ssl.create_default_context())\n"
    "        smtp.login(SMTP_USER, SMTP_PASSWORD)\n"
)


def test_a_module_constant_only_the_login_read_goes(tmp_path: Path) -> None:
    result = fixed_in_project(
        tmp_path, SENDER, other="import os\nprint(os.environ['SMTP_PASSWORD'])\n"
    )
    assert "SMTP_PASSWORD" not in result.after and "SMTP_USER = " in result.after
    assert not result.notes


def test_a_module_constant_another_module_imports_stays_with_a_note(tmp_path: Path) -> None:
    result = fixed_in_project(tmp_path, SENDER, cli="from m import SMTP_PASSWORD\n")
    assert "SMTP_PASSWORD = os.environ['SMTP_PASSWORD']\n" in result.after
    assert result.notes == ["`SMTP_PASSWORD` is no longer used here; kept, since cli.py:1 names it"]


def test_the_constructor_argument_and_attribute_go_with_the_login(tmp_path: Path) -> None:
    code = (
        "import os, smtplib, ssl\n"
        "class Mailer:\n"
        "    def __init__(self, host, user, password, port=587):\n"
        "        self.host = host\n"
        "        self.port = port\n"
        "        self.user = user\n"
        "        self.password = password\n"
        "\n"
        "    def send(self, to, text):\n"
        "        with smtplib.SMTP(self.host, self.port) as smtp:\n"
        "            smtp.starttls(context=ssl.create_default_context())\n"
        "            smtp.login(self.user, self.password)\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    pw = os.environ['SMTP_PASSWORD']\n"
        "    Mailer('smtp.office365.com', os.environ['SMTP_USER'], pw, 587).send('a@b.c', 'hi')\n"
    )
    after = fixed_in_project(tmp_path, code).after
    assert "    def __init__(self, host, user, port=587):\n" in after
    assert "self.password" not in after and "pw" not in after
    assert "    Mailer('smtp.office365.com', os.environ['SMTP_USER'], 587).send(" in after


def test_a_parameter_other_modules_pass_stays_with_a_note(tmp_path: Path) -> None:
    code = (
        "import smtplib, ssl\n"
        "def send(user, password):\n"
        "    with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
        "        smtp.starttls(context=ssl.create_default_context())\n"
        "        smtp.login(user, password)\n"
    )
    result = fixed_in_project(tmp_path, code, job="from m import send\nsend('u', 'p')\n")
    assert "def send(user, password):" in result.after
    assert result.notes == [
        "`password` of `send()` is no longer used; kept for its callers (job.py:1)"
    ]


def test_the_password_entry_of_an_accounts_dict_goes(tmp_path: Path) -> None:
    code = (
        "import os, smtplib, ssl\n"
        "ACCOUNTS = {\n"
        "    'ops': {'host': 'smtp.office365.com', 'user': 'ops@contoso.com',\n"
        "            'password': os.environ['OPS_PASSWORD']},\n"
        "}\n"
        "def send(name):\n"
        "    account = ACCOUNTS[name]\n"
        "    with smtplib.SMTP(account['host'], 587) as smtp:\n"
        "        smtp.starttls(context=ssl.create_default_context())\n"
        "        smtp.login(account['user'], account['password'])\n"
        "send('ops')\n"
    )
    after = fixed_in_project(tmp_path, code).after
    assert "'ops': {'host': 'smtp.office365.com', 'user': 'ops@contoso.com'},\n" in after


GUARDED = (
    "import os, smtplib, ssl\n"
    "def send():\n"
    "    username = os.environ.get('SMTP_USER')\n"
    "    password = os.environ.get('SMTP_PASSWORD')\n"
    "{check}"
    "    with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
    "        smtp.starttls(context=ssl.create_default_context())\n"
    "        if {guard}:\n"
    "            smtp.login(username, password)\n"
)


def test_a_guard_on_the_password_changes_with_the_login(tmp_path: Path) -> None:
    after = fixed_in_project(
        tmp_path, GUARDED.format(check="", guard="username and password")
    ).after
    assert "        if username:\n            smtp.ehlo_or_helo_if_needed()\n" in after
    assert "password" not in after


def test_a_check_that_stops_without_the_password_goes(tmp_path: Path) -> None:
    check = "    if not password:\n        raise SystemExit('SMTP_PASSWORD is not set')\n"
    after = fixed_in_project(tmp_path, GUARDED.format(check=check, guard="username")).after
    assert "password" not in after and "SystemExit" not in after


def test_a_guard_on_the_password_alone_is_named(tmp_path: Path) -> None:
    result = fixed_in_project(tmp_path, GUARDED.format(check="", guard="password"))
    assert "        if password:\n" in result.after
    (note,) = result.notes
    assert note.endswith(
        ": `if password:` tests a value the fixed code no longer uses; what it guards "
        "is skipped while that is unset: change the condition"
    )


# 11. One token module per project, imported by every rewritten module.

LOGIN = (
    "import smtplib\n"
    "import ssl\n"
    "\n"
    "\n"
    "def send(user, password):\n"
    "    with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
    "        smtp.starttls(context=ssl.create_default_context())\n"
    "        smtp.login(user, password)\n"
)


def test_rewritten_modules_of_a_package_share_one_token_module(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    package = tmp_path / "shop"
    (package / "mail").mkdir(parents=True)
    for folder in (package, package / "mail"):
        (folder / "__init__.py").write_text("")
    (package / "alerts.py").write_text(LOGIN)
    (package / "mail" / "reports.py").write_text(LOGIN.replace("send(", "report("))
    (tmp_path / "cron.py").write_text(LOGIN)
    outcome = fix_paths(["."], RunOptions(), unsafe=True, write=True, cwd=tmp_path)
    assert not outcome.errors, outcome.errors
    shared = "from shop.mail_oauth2_token import oauth2_access_token\n"
    assert shared in (package / "alerts.py").read_text()
    assert shared in (package / "mail" / "reports.py").read_text()
    assert "from mail_oauth2_token import oauth2_access_token\n" in (
        (tmp_path / "cron.py").read_text()
    )
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*_token.py"))
    assert written == ["mail_oauth2_token.py", "shop/mail_oauth2_token.py"]
    assert "Added shop/mail_oauth2_token.py (oauth2_access_token)." in fix_summary(outcome)
    assert "def oauth2_access_token(" not in (package / "alerts.py").read_text()
    again = fix_paths(["."], RunOptions(), unsafe=True, write=False, cwd=tmp_path)
    assert not again.diff and not again.remaining


def test_a_configured_token_provider_is_imported_instead(tmp_path: Path) -> None:
    (tmp_path / "alerts.py").write_text(LOGIN)
    options = RunOptions(token_provider="corp.auth:mail_token")
    outcome = fix_paths(["alerts.py"], options, unsafe=True, write=True, cwd=tmp_path)
    assert not outcome.errors
    fixed = (tmp_path / "alerts.py").read_text()
    assert "from corp.auth import mail_token as oauth2_access_token\n" in fixed
    assert not list(tmp_path.rglob("*_token.py"))


# 17. Imports go where the project's own Ruff or isort settings put them.

RUFF_SECTIONS = """\
[tool.ruff.lint]
select = ["I"]

[tool.ruff.lint.isort]
known-first-party = ["corp"]
section-order = [
    "future", "standard-library", "django", "third-party", "first-party", "local-folder",
]

[tool.ruff.lint.isort.sections]
django = ["django"]
"""


def test_imports_follow_the_projects_sections(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(RUFF_SECTIONS)
    package = tmp_path / "helpdesk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(
        "import os\n\n"
        "EMAIL_HOST = 'smtp.office365.com'\n"
        "EMAIL_PORT = 587\n"
        "EMAIL_USE_TLS = True\n"
        "EMAIL_HOST_USER = 'desk@contoso.com'\n"
        "EMAIL_HOST_PASSWORD = os.environ['EMAIL_HOST_PASSWORD']\n"
    )
    (package / "digest.py").write_text(
        "import smtplib\n"
        "import ssl\n"
        "\n"
        "import requests\n"
        "\n"
        "import corp\n"
        "from helpdesk import settings\n"
        "\n"
        "\n"
        "def send(user, password):\n"
        "    requests.get(corp.URL, timeout=5)\n"
        "    with smtplib.SMTP(settings.EMAIL_HOST or 'smtp.office365.com', 587) as smtp:\n"
        "        smtp.starttls(context=ssl.create_default_context())\n"
        "        smtp.login(user, password)\n"
    )
    (tmp_path / "corp.py").write_text("URL = 'https://intranet'\n")
    lint = [sys.executable, "-m", "ruff", "check", "--no-cache", "."]
    assert subprocess.run(lint, cwd=tmp_path, capture_output=True).returncode == 0
    outcome = fix_paths(["."], RunOptions(), unsafe=True, write=True, cwd=tmp_path)
    assert not outcome.errors, outcome.errors
    assert "from helpdesk.mail_oauth2_token import" in (package / "digest.py").read_text()
    assert (package / "mail_oauth2.py").is_file()
    after = subprocess.run(lint, cwd=tmp_path, capture_output=True, text=True)
    assert after.returncode == 0, after.stdout


# 14 and 15. A context the code builds is fixed where it is built; one that verifies unless
# the user opts out is the user's choice.


def test_an_unverified_context_is_fixed_where_it_is_built() -> None:
    before = (
        "import smtplib\n"
        "import ssl\n"
        "\n"
        "\n"
        "def send(msg):\n"
        "    ctx = ssl._create_unverified_context()\n"
        "    with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
        "        smtp.starttls(context=ctx)\n"
        "        smtp.send_message(msg)\n"
    )
    after = fix(before)
    assert after == before.replace(
        "ssl._create_unverified_context()", "ssl.create_default_context()"
    )
    lint = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F841", "-"]
    assert subprocess.run(lint, input=after, text=True, capture_output=True).returncode == 0


def test_loosening_statements_go_and_the_users_context_stays() -> None:
    before = (
        "import smtplib, ssl\n"
        "context = ssl.create_default_context(cafile='corp-ca.pem')\n"
        "context.check_hostname = False  # the relay's certificate is for another name\n"
        "context.verify_mode = ssl.CERT_NONE\n"
        "server = smtplib.SMTP_SSL('smtp.office365.com', 465, context=context)\n"
        "other = smtplib.SMTP('smtp.office365.com', 587)\n"
        "other.starttls(context=context)\n"
    )
    after = fix(before)
    assert "context = ssl.create_default_context(cafile='corp-ca.pem')\n" in after
    assert "check_hostname" not in after and "CERT_NONE" not in after
    assert "starttls(context=context)" in after and after.count("create_default_context") == 1


def test_a_context_that_verifies_unless_the_user_opts_out_is_left_alone() -> None:
    code = (
        "import smtplib, ssl\n"
        "def notify(host_verify, msg, verify=True):\n"
        "    context = ssl.create_default_context()\n"
        "    if not verify:\n"
        "        context.check_hostname = False\n"
        "        context.verify_mode = ssl.CERT_NONE\n"
        "    with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
        "        smtp.starttls(context=context)\n"
        "        smtp.send_message(msg)\n"
    )
    checked = check_source("m.py", "python", code.encode(), RULES)
    (finding,) = checked.findings
    assert (finding.rule, finding.severity.value, finding.fix) == ("AS204", "info", None)
    assert "checks the certificate unless `not verify`" in finding.message
    assert fix(code) == code


# 9. Logins a test expects to fail are left alone, whichever call makes them.

EXPECTED_FAILURES = """\
import smtplib
import ssl

import aiosmtplib
import pytest
from pytest import raises


def test_login_refused():
    with smtplib.SMTP("smtp.office365.com", 587) as smtp:
        smtp.starttls(context=ssl.create_default_context())
        with pytest.raises(smtplib.SMTPAuthenticationError) as excinfo:
            smtp.login("u@contoso.com", "pw")
        assert "5.7.139" in str(excinfo.value)


def test_login_refused_imported():
    smtp = smtplib.SMTP("smtp.office365.com", 587)
    smtp.starttls(context=ssl.create_default_context())
    with raises(smtplib.SMTPAuthenticationError, match="5.7.139"):
        smtp.login("u@contoso.com", "pw")


async def test_aiosmtplib_refused():
    with pytest.raises(aiosmtplib.SMTPAuthenticationError):
        await aiosmtplib.send(
            "m", hostname="smtp.office365.com", port=587, start_tls=True, username="u", password="p"
        )


def test_helper_refused():
    def login():
        smtp = smtplib.SMTP("smtp.office365.com", 587)
        smtp.starttls(context=ssl.create_default_context())
        smtp.login("u@contoso.com", "pw")

    with pytest.raises(smtplib.SMTPAuthenticationError):
        login()
"""


def test_logins_a_test_expects_to_fail_are_left_alone() -> None:
    checked = check_source("tests/test_live.py", "python", EXPECTED_FAILURES.encode(), RULES)
    assert not [f for f in checked.findings if f.rule == "AS101"]
    result = fix_source(
        "tests/test_live.py", "python", EXPECTED_FAILURES.encode(), RunOptions(), unsafe=True
    )
    assert result.after == EXPECTED_FAILURES


# 8. Generated settings read the environment with expressions of their own.


def test_a_broken_reader_is_not_copied_into_new_settings(tmp_path: Path) -> None:
    code = (
        "import os\n"
        "EMAIL_HOST = 'smtp.office365.com'\n"
        "EMAIL_PORT = 587\n"
        "EMAIL_USE_TLS = True\n"
        "EMAIL_HOST_USER = 'desk@contoso.com'\n"
        "EMAIL_HOST_PASSWORD = os.getenv.get('EMAIL_HOST_PASSWORD')\n"
    )
    after = fixed_in_project(tmp_path, code).after
    assert "EMAIL_OAUTH2_TENANT_ID = os.environ.get('AZURE_TENANT_ID')\n" in after
    assert "getenv" not in after


# 13. Django settings in a package: EMAIL_BACKEND resolves from where Django imports it.


def test_a_settings_package_without_init_names_an_importable_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # settings modules are found as the command line finds them
    (tmp_path / "manage.py").write_text("import os\n")
    settings = tmp_path / "proj" / "settings"
    settings.mkdir(parents=True)
    (settings / "base.py").write_text("SECRET_KEY = 'x'\n")
    (settings / "production.py").write_text(
        "import os\n\n"
        "from .base import *  # noqa: F403\n\n"
        "EMAIL_HOST = 'smtp.office365.com'\n"
        "EMAIL_PORT = 587\n"
        "EMAIL_USE_TLS = True\n"
        "EMAIL_HOST_USER = 'desk@contoso.com'\n"
        "EMAIL_HOST_PASSWORD = os.environ['EMAIL_HOST_PASSWORD']\n"
    )
    outcome = fix_paths(["."], RunOptions(), unsafe=True, write=True, cwd=tmp_path)
    assert not outcome.errors, outcome.errors
    fixed = (settings / "production.py").read_text()
    assert "EMAIL_BACKEND = 'proj.mail_oauth2.XOAuth2EmailBackend'\n" in fixed
    assert (tmp_path / "proj" / "mail_oauth2.py").is_file()


# 6. The flags of a settings dict change with its port.


def test_the_ssl_flag_of_a_settings_dict_changes_with_its_port() -> None:
    before = (
        "import smtplib\n"
        "SETTINGS = {'smtp_host': 'smtp.office365.com', 'smtp_port': 465, 'use_ssl': True}\n"
        "def send(msg):\n"
        "    if SETTINGS['use_ssl']:\n"
        "        server = smtplib.SMTP_SSL(SETTINGS['smtp_host'], SETTINGS['smtp_port'])\n"
        "    else:\n"
        "        server = smtplib.SMTP(SETTINGS['smtp_host'], SETTINGS['smtp_port'])\n"
        "        server.starttls()\n"
        "    server.send_message(msg)\n"
    )
    after = fix(before)
    assert (
        "SETTINGS = {'smtp_host': 'smtp.office365.com', 'smtp_port': 587, 'use_ssl': False}\n"
        in after
    )


# 18. A value the fix changes is changed where every caller supplies it.


def test_a_wrapper_passing_the_old_port_passes_the_new_one() -> None:
    before = (
        "import smtplib\n"
        "HOST = 'smtp.office365.com'\n"
        "class Mailer:\n"
        "    def __init__(self, flag, port=465):\n"
        "        self.smtp = smtplib.SMTP_SSL(HOST, port, timeout=10)\n"
        "def send(flag, port=465):\n"
        "    Mailer(flag, port)\n"
        "def send_literal(flag):\n"
        "    Mailer(flag, port=465)\n"
        "def send_other(flag):\n"
        "    Mailer(flag, 2525)\n"
    )
    after = fix(before)
    assert "    def __init__(self, flag, port=587):\n" in after
    assert "def send(flag, port=587):\n" in after and "    Mailer(flag, port=587)\n" in after
    assert "    Mailer(flag, 2525)\n" in after  # another port is another connection


# 5. One login for two providers: XOAUTH2 for Microsoft 365 only, never its token elsewhere.

TWO_PROVIDERS = (
    "import os, smtplib, ssl\n"
    "PROVIDERS = {\n"
    "    'gmail': {'host': 'smtp.gmail.com', 'port': 587},\n"
    "    'office365': {'host': 'smtp.office365.com', 'port': 587},\n"
    "}\n"
    "def send(user, password, message):\n"
    "    provider = PROVIDERS[os.environ['MAIL_PROVIDER']]\n"
    "    with smtplib.SMTP(provider['host'], provider['port']) as smtp:\n"
    "        smtp.starttls(context=ssl.create_default_context())\n"
    "        smtp.login(user, password)\n"
)


def test_a_login_for_two_providers_is_rewritten_per_provider() -> None:
    checked = check_source("m.py", "python", TWO_PROVIDERS.encode(), RULES)
    (finding,) = checked.findings
    assert "'smtp.gmail.com' or 'smtp.office365.com' (picked by env MAIL_PROVIDER)" in (
        finding.message
    )
    after = fix(TWO_PROVIDERS, unsafe=True)
    assert (
        "        if provider['host'] in (\"smtp.office365.com\",):\n"
        "            smtp.ehlo_or_helo_if_needed()\n"
        '            smtp.auth("XOAUTH2", lambda challenge=None: '
    ) in after
    assert "        else:\n            smtp.login(user, password)\n" in after
    assert not rules(after)["AS101"]


def test_a_host_from_a_conditional_or_a_row_read_with_get_is_rewritten_per_provider() -> None:
    conditional = (
        "import os, smtplib, ssl\n"
        "HOST = 'smtp.office365.com' if os.environ.get('M365') else 'smtp.gmail.com'\n"
        "def send(user, password):\n"
        "    with smtplib.SMTP(HOST, 587) as smtp:\n"
        "        smtp.starttls(context=ssl.create_default_context())\n"
        "        smtp.login(user, password)\n"
    )
    after = fix(conditional, unsafe=True)
    assert '        if HOST in ("smtp.office365.com",):\n' in after
    assert "        else:\n            smtp.login(user, password)\n" in after
    row = TWO_PROVIDERS.replace("provider['host'], provider['port']", "provider.get('host'), 587")
    after = fix(row, unsafe=True)
    assert "        if provider.get('host') in (\"smtp.office365.com\",):\n" in after
    assert "        else:\n            smtp.login(user, password)\n" in after


def test_no_per_provider_rewrite_when_a_host_is_known_in_part_or_its_key_changes() -> None:
    # '{}.office365.com' cannot be written in a test of the host; HOSTS[index] read again
    # after index changed is another host.
    template = (
        "import os, smtplib, ssl\n"
        "HOSTS = [f\"{os.environ['REGION']}.office365.com\", 'smtp.gmail.com']\n"
        "def send(user, password, index):\n"
        "    with smtplib.SMTP(HOSTS[index], 587) as smtp:\n"
        "        smtp.starttls(context=ssl.create_default_context())\n"
        "        smtp.login(user, password)\n"
    )
    assert fixable(template) == {"AS101:6": False}
    moved = (
        "import smtplib, ssl\n"
        "HOSTS = ['smtp.office365.com', 'smtp.gmail.com']\n"
        "def send(user, password, index):\n"
        "    with smtplib.SMTP(HOSTS[index], 587) as smtp:\n"
        "        index = 0\n"
        "        smtp.starttls(context=ssl.create_default_context())\n"
        "        smtp.login(user, password)\n"
    )
    assert fixable(moved) == {"AS101:7": False}


def test_assume_microsoft_never_sends_a_microsoft_token_to_another_provider() -> None:
    options = RunOptions(assume_microsoft=True)
    after = fix(TWO_PROVIDERS, unsafe=True, options=options)
    assert "        else:\n            smtp.login(user, password)\n" in after


# 4. A host the code reads from the project's config is that config's host.


def test_hosts_from_dotenv_and_mail_ini_are_rewritten_and_their_passwords_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(init_repo(tmp_path))  # committed: git has the passwords the fix takes out
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / ".env").write_text(
        "MAILER_HOST=smtp.office365.com\nMAILER_USER=r@contoso.com\nMAILER_PASSWORD=pw\n"
    )
    (tmp_path / "mail.ini").write_text(
        "[mail]\nhost = smtp.office365.com\nuser = r@contoso.com\npassword = pw\n"
    )
    (tmp_path / "dot.py").write_text(
        "import os, smtplib, ssl\n"
        "def send():\n"
        "    with smtplib.SMTP(os.getenv('MAILER_HOST'), 587) as smtp:\n"
        "        smtp.starttls(context=ssl.create_default_context())\n"
        "        smtp.login(os.getenv('MAILER_USER'), os.getenv('MAILER_PASSWORD'))\n"
    )
    (tmp_path / "ini.py").write_text(
        "import configparser, smtplib, ssl\n"
        "from pathlib import Path\n"
        "config = configparser.ConfigParser()\n"
        "config.read(Path(__file__).with_name('mail.ini'))\n"
        "def send():\n"
        "    with smtplib.SMTP(config.get('mail', 'host'), 587) as smtp:\n"
        "        smtp.starttls(context=ssl.create_default_context())\n"
        "        smtp.login(config['mail']['user'], config['mail']['password'])\n"
    )
    commit_all(tmp_path)
    outcome = fix_paths(["dot.py", "ini.py"], RunOptions(), unsafe=True, write=True)
    assert not outcome.errors, outcome.errors
    assert "XOAUTH2" in Path("dot.py").read_text() and "XOAUTH2" in Path("ini.py").read_text()
    assert "PASSWORD" not in Path(".env").read_text()
    assert (
        Path("mail.ini").read_text() == "[mail]\nhost = smtp.office365.com\nuser = r@contoso.com\n"
    )


# 10. What check marks fixable, fix fixes: no fix that is right for one connection of a
# name and wrong for the other (both seen in public code).


@pytest.mark.slow
@pytest.mark.parametrize(
    "code",
    [
        "import smtplib, ssl\n"
        "def send(host, port, use_ssl, user, password):\n"
        "    server = smtplib.SMTP_SSL(host, port) if use_ssl else smtplib.SMTP(host, port)\n"
        "    server.login(user, password)\n",
        "import smtplib, ssl\n"
        "def send(config):\n"
        "    if config.port == 465:\n"
        "        server = smtplib.SMTP_SSL('smtp.office365.com', config.port)\n"
        "    else:\n"
        "        server = smtplib.SMTP('smtp.office365.com', config.port)\n"
        "    if config.use_tls and config.port != 465:\n"
        "        server.starttls(context=ssl.create_default_context())\n"
        "    server.login(config.user, config.password)\n",
    ],
)
def test_no_fix_is_offered_that_fix_would_refuse(code: str) -> None:
    settings = RunOptions(assume_microsoft=True)
    checked = check_source("m.py", "python", code.encode(), selected_rules(settings))
    offered = {f.rule for f in checked.findings if f.fix is not None}
    result = fix_source("m.py", "python", code.encode(), settings, unsafe=True)
    assert not result.refused, result.refused
    assert offered <= {"AS101", "AS204"}


# From the accuracy corpus: comments LibCST drops at the end of a module, a keyword a
# ``**spread`` may already hold.


def test_indented_comments_at_the_end_of_a_module_survive_the_fix() -> None:
    """LibCST does not give this module back byte for byte (it drops comments indented
    deeper than the code they trail), so fix leaves it whole and says why (issue 21)."""
    before = (
        "import smtplib\n"
        "smtp = smtplib.SMTP('smtp.office365.com', 587)\n"
        "smtp.starttls()\n"
        "smtp.quit()\n"
        "    # (221, b'2.0.0 Service closing transmission channel')\n"
        "\n"
        "\n"
        "    #Office365 from an SMTP client\n"
    )
    result = fix_source("m.py", "python", before.encode(), RunOptions(), unsafe=False)
    assert not result.changed and result.after == before
    assert result.error is not None
    assert "LibCST does not give it back byte for byte" in result.error.message


def test_no_keyword_is_added_beside_a_spread_that_may_hold_it() -> None:
    code = (
        "import smtplib, ssl\n"
        "if use_ssl:\n"
        "    options = dict(context=ssl.create_default_context())\n"
        "else:\n"
        "    options = {}\n"
        "server = smtplib.SMTP('smtp.office365.com', 587)\n"
        "server.starttls(**options)\n"
    )
    assert fix(code) == code


# A client subclass with its own __init__ (issue 22): the fixes write on ``self`` and in
# the arguments of the client's __init__ it calls, never in place of that call.


def test_a_client_subclass_is_fixed_on_self() -> None:
    before = (
        "import smtplib\n"
        "class Mailer(smtplib.SMTP):\n"
        "    def __init__(self, user, password):\n"
        "        smtplib.SMTP.__init__(self, 'smtp.office365.com', 25)\n"
        "        self.login(user, password)\n"
    )
    after = fix(before, unsafe=True)
    assert "        smtplib.SMTP.__init__(self, 'smtp.office365.com', 587)\n" in after
    assert "        self.starttls(context=ssl.create_default_context())\n" in after
    assert '        self.auth("XOAUTH2", ' in after


def test_no_fix_replaces_the_base_init_a_subclass_calls() -> None:
    """``super().__init__`` is no class to swap (``SMTP_SSL`` on 587 to ``SMTP``), and a
    handler made in its place would leave ``self`` unmade: check and fix agree."""
    ssl_on_587 = (
        "import smtplib\n"
        "class Mailer(smtplib.SMTP_SSL):\n"
        "    def __init__(self, user, password):\n"
        "        super().__init__('smtp.office365.com', 587)\n"
        "        self.login(user, password)\n"
    )
    assert fixable(ssl_on_587)["AS201:4"] is False
    assert "super().__init__('smtp.office365.com', 587" in fix(ssl_on_587, unsafe=True)
    handler = (
        "import logging.handlers\n"
        "class MailHandler(logging.handlers.SMTPHandler):\n"
        "    def __init__(self, user, password):\n"
        "        super().__init__(('smtp.office365.com', 587), user, ['ops@contoso.com'],\n"
        "                         'alert', credentials=(user, password), secure=())\n"
    )
    assert not any(fixable(handler).values())
    assert fix(handler, unsafe=True) == handler


def test_a_subclass_without_its_own_init_is_not_swapped_for_the_client() -> None:
    """``smtplib.SMTP(...)`` in place of ``Sender(...)`` would lose ``notify``."""
    before = (
        "import smtplib\n"
        "class Sender(smtplib.SMTP_SSL):\n"
        "    def notify(self):\n"
        "        pass\n"
        "def office(user, password):\n"
        "    sender = Sender('smtp.office365.com', 465)\n"
        "    sender.login(user, password)\n"
        "    sender.notify()\n"
    )
    assert fixable(before)["AS202:6"] is False
    assert "    sender = Sender('smtp.office365.com', 465, context=" in fix(before, unsafe=True)


# A STARTTLS taken out of the block it is alone in leaves `pass` there (a helper method;
# a second upgrade under an `if`).
def test_a_starttls_moved_out_of_its_helper_leaves_pass() -> None:
    code = (
        "import smtplib, ssl\n\n\n"
        "class Mailer:\n"
        "    def _secure(self):\n"
        "        self.smtp.starttls(context=ssl.create_default_context())\n\n"
        "    def _login(self):\n"
        "        self.smtp.login(self.user, self.password)\n\n"
        "    def send(self):\n"
        "        self.smtp = smtplib.SMTP('smtp.office365.com', 587)\n"
        "        self._login()\n"
        "        self._secure()\n"
    )
    after = fix(code)
    assert "    def _secure(self):\n        pass\n" in after
    assert (
        "    def _login(self):\n"
        "        self.smtp.starttls(context=ssl.create_default_context())\n"
        "        self.smtp.login(self.user, self.password)\n"
    ) in after


def test_a_second_starttls_alone_under_an_if_leaves_pass() -> None:
    code = (
        "import smtplib, ssl\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls(context=ssl.create_default_context())\n"
        "if again:\n"
        "    s.starttls(context=ssl.create_default_context())\n"
        "s.quit()\n"
    )
    assert rules(code)["AS206"] == 1
    after = fix(code)
    assert "if again:\n    pass\n" in after
    assert rules(after)["AS206"] == 0


# A module whose `ssl` is another module (backports.ssl: no create_default_context): the
# fix's `ssl.create_default_context()` would call it, and an added `import ssl` would
# replace it. Refused, with the line that binds it.
@pytest.mark.parametrize("binding", ["from backports import ssl", "import backports.ssl as ssl"])
def test_a_module_whose_ssl_is_another_module_gets_no_import_ssl(binding: str) -> None:
    code = (
        f"import smtplib\n{binding}\n\ns = smtplib.SMTP('smtp.office365.com', 587)\ns.starttls()\n"
    )
    assert fixable(code) == {"AS204:5": True}  # what the rule offers
    result = fix_source("m.py", "python", code.encode(), RunOptions(), unsafe=True)
    assert result.after == code
    [(finding, reason)] = result.refused.values()
    assert finding.rule == "AS204"
    assert f"(line 2: {binding})" in reason


# A plain IMAP client whose library has no STARTTLS: its implicit-TLS client on 993 for a
# Microsoft 365 host (with a verifying context where that client's default does not
# verify); left alone for another host, and where the port comes from elsewhere.
@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "from aioimaplib import aioimaplib\n"
            "c = aioimaplib.IMAP4(host='outlook.office365.com', port=143)\n",
            "c = aioimaplib.IMAP4_SSL(host='outlook.office365.com', port=993)\n",
        ),
        (
            "from aioimaplib.aioimaplib import IMAP4\nc = IMAP4('outlook.office365.com')\n",
            "c = IMAP4_SSL('outlook.office365.com')\n",
        ),
        (
            "import imap_tools\nc = imap_tools.MailBoxUnencrypted('outlook.office365.com')\n",
            "c = imap_tools.MailBox('outlook.office365.com', "
            "ssl_context=ssl.create_default_context())\n",
        ),
    ],
)
def test_a_plain_imap_client_without_starttls_moves_to_tls_on_993(before: str, after: str) -> None:
    code = before + "async def f(u, p):\n    await c.login(u, p)\n"
    assert fixable(code)["AS203:4"]
    fixed = fix(code)
    assert after in fixed
    assert rules(fixed)["AS203"] == 0


@pytest.mark.parametrize(
    "opener",
    [
        "aioimaplib.IMAP4(os.environ['IMAP_HOST'], 143)",
        "aioimaplib.IMAP4('outlook.office365.com', PORT)",
    ],
)
def test_a_plain_imap_client_stays_for_another_host_or_port(opener: str) -> None:
    code = (
        f"import os\nfrom aioimaplib import aioimaplib\nPORT = 143\nc = {opener}\n"
        "async def f(u, p):\n    await c.login(u, p)\n"
    )
    assert fixable(code)["AS203:6"] is False


# 3. A `fileConfig` default that only fed the INI handler's password goes with it; one
# that another INI of the project still interpolates stays, and the summary says who.
INI_HANDLER = (
    "[loggers]\nkeys=root\n\n[handlers]\nkeys=mail\n\n[formatters]\nkeys=\n\n"
    "[logger_root]\nlevel=ERROR\nhandlers=mail\n\n[handler_mail]\n"
    "class=handlers.SMTPHandler\nlevel=ERROR\n"
    "args=(('smtp.office365.com', 587), 'a@contoso.com', ['b@contoso.com'], 'Failed', "
    "('a@contoso.com', '%(smtp_password)s'), ())\n"
)
LOADS_INI = (
    "import logging.config\nimport os\n\n"
    "logging.config.fileConfig(\n"
    "    'logging.ini',\n"
    "    defaults={\n"
    "        'smtp_password': os.environ['SMTP_PASSWORD'],\n"
    "        'level': 'ERROR',\n"
    "    },\n"
    ")\n"
)


@pytest.mark.parametrize("loaded", ["'logging.ini'", "CONFIG"])
def test_a_file_config_default_only_the_handler_read_goes(tmp_path: Path, loaded: str) -> None:
    """Taken out where the call names the INI the fix changed; where it does not (a
    variable path), kept, and the summary says why."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "logging.ini").write_text(INI_HANDLER)
    code = LOADS_INI.replace("'logging.ini'", loaded)
    (tmp_path / "job.py").write_text(code)
    outcome = fix_paths([str(tmp_path)], RunOptions(), unsafe=True, write=True, cwd=tmp_path)
    job = (tmp_path / "job.py").read_text()
    assert "%(smtp_password)s" not in (tmp_path / "logging.ini").read_text()
    if loaded == "CONFIG":
        assert job == code
        notes = [n for f in outcome.files for n in f.notes]
        assert any("'smtp_password'" in n and "does not name its file" in n for n in notes), notes
    else:
        assert job == code.replace("        'smtp_password': os.environ['SMTP_PASSWORD'],\n", "")


# A plain mode the user chose (mailmerge's `security = PLAIN`, a relay on 25 that offers no
# STARTTLS): on a host not known to be Microsoft's, adding STARTTLS changes what the program
# does, so the fix is unsafe; on Microsoft 365 it is what the server requires.
def test_starttls_before_a_login_is_safe_only_for_microsoft_hosts() -> None:
    template = (
        "import smtplib, ssl\n\n\n"
        "def send_plain(host, user, password):\n"
        "    smtp = smtplib.SMTP({host}, 25)\n"
        "    smtp.login(user, password)\n"
    )
    unknown = template.format(host="host")
    assert fix(unknown) == unknown
    assert "smtp.starttls(context=ssl.create_default_context())" in fix(unknown, unsafe=True)
    microsoft = template.format(host="'smtp.office365.com'")
    assert "smtp.starttls(context=ssl.create_default_context())" in fix(microsoft)
