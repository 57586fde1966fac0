"""The rewrite shapes that once broke at run time (issue 23; fixtures/fix_shapes), each run
under `authsweep lab run` before and after `fix --unsafe-fixes`. Before: Microsoft's
failure. After: delivered (or the mailbox read) with XOAUTH2 and an app-only token, with
the password variable unset: nothing of the migrated program still needs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lab_support import USER, authsweep, lab_run

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "fix_shapes"
NO_PASSWORD = {"MAIL_PASSWORD": None}

# sample (a file, or a folder and the program in it), extra environment
CASES = [
    ("no_host_connect.py", {}),
    ("ssl_no_host_connect.py", {}),
    ("port_25_then_connect.py", {}),
    ("password_constant.py", {}),
    ("mailer_class.py", {}),
    ("client_subclass.py", {}),
    ("accounts_dict.py", {}),
    ("guarded_login.py", {}),
    ("settings_flags.py", {}),
    ("wrapper_port.py", {}),
    ("unverified_context.py", {}),
    ("two_providers.py", {"MAIL_PROVIDER": "office365"}),
    ("callers_of_two_providers.py", {}),
    ("imapclient_poller.py", {}),
    ("config_hosts/dotenv_sender.py", {}),
    ("config_hosts/ini_sender.py", {}),
    ("django_package/send_welcome.py", {}),
    ("token_project/nightly.py", {}),
    ("provider_parameter/send_document.py", {}),
    ("class_context.py", {}),
    ("handler_flush.py", {}),
    ("plain_imap_readers.py", {}),
    ("file_config_defaults/backup.py", {}),
]


def migrated(tmp_path: Path, sample: str) -> Path:
    """A copy of the sample (its folder, for a project) fixed as a user would fix it."""
    folder, _, name = sample.rpartition("/")
    if folder:
        shutil.copytree(SAMPLES / folder, tmp_path / folder)
        root = tmp_path / folder
    else:
        shutil.copy(SAMPLES / name, tmp_path / name)
        root = tmp_path
    program = root / name
    before = lab_run(program, env=dict(CASES)[sample])
    assert not before["passed"], before
    fixed = authsweep("fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    again = authsweep("fix", "--unsafe-fixes", "--diff", ".", cwd=root)
    assert again.stdout == "", again.stdout  # a second run changes nothing
    return program


@pytest.mark.parametrize(("sample", "env"), CASES, ids=[c[0] for c in CASES])
def test_the_migrated_program_delivers_without_its_password(
    tmp_path: Path, sample: str, env: dict[str, str]
) -> None:
    program = migrated(tmp_path, sample)
    verdict = lab_run(program, env={**env, **NO_PASSWORD})
    assert verdict["passed"], verdict["stderr"]
    assert verdict["failures"] == []
    for auth in verdict["authentications"]:
        assert (auth["mechanism"], auth["outcome"]) == ("XOAUTH2", "accepted"), auth
        assert auth["token"]["flow"] == "client_credentials"
    assert verdict["messages"] or verdict["mailbox_reads"]
    assert all(m["from"] == USER for m in verdict["messages"])


def test_one_token_request_for_every_rewritten_module_of_a_run(tmp_path: Path) -> None:
    """Three rewritten modules (SMTP twice, IMAP once) share the project's token module:
    one MSAL application, one token cache, one token request in the run."""
    program = migrated(tmp_path, "token_project/nightly.py")
    root = program.parent
    assert sorted(p.name for p in root.rglob("*_token.py")) == ["mail_oauth2_token.py"]
    for module in ("alerts", "reports", "inbox"):
        text = (root / "shop" / f"{module}.py").read_text()
        assert "from shop.mail_oauth2_token import oauth2_access_token\n" in text
        assert "def oauth2_access_token" not in text
    assert (root / "requirements.txt").read_text() == "requests>=2\nmsal>=1.23\n"
    verdict = lab_run(program, env=NO_PASSWORD)
    assert verdict["passed"], verdict["stderr"]
    assert len(verdict["authentications"]) == 3
    assert len(verdict["token_requests"]) == 1


def test_config_files_lose_the_password_the_migrated_code_no_longer_reads(
    tmp_path: Path,
) -> None:
    """No line sets the password any more. The copy is not in git, so the lines stay,
    commented out (issue 21: never the only copy of a secret deleted)."""
    root = migrated(tmp_path, "config_hosts/ini_sender.py").parent
    dotenv = (root / ".env").read_text().splitlines()
    ini = (root / "mail.ini").read_text().splitlines()
    assert not [line for line in dotenv if "PASSWORD" in line and not line.startswith("#")]
    assert not [line for line in ini if "password" in line and not line.startswith("#")]
    assert "host = smtp.office365.com" in ini


def test_the_other_provider_keeps_its_password_login(tmp_path: Path) -> None:
    program = migrated(tmp_path, "two_providers.py")
    text = program.read_text()
    assert 'if provider["host"] in ("smtp.office365.com",):' in text
    assert "        else:\n            smtp.login(user, password)\n" in text


def test_a_helper_called_for_two_providers_keeps_the_other_ones_login(tmp_path: Path) -> None:
    """`send("smtp.office365.com", ...)` and `send("smtp.gmail.com", ...)` of one helper:
    XOAUTH2 for the Microsoft host only; the Gmail call keeps its password."""
    text = migrated(tmp_path, "callers_of_two_providers.py").read_text()
    assert '    if host in ("smtp.office365.com",):\n' in text
    assert "    else:\n        server.login(user, password)\n" in text
    assert 'os.environ.get("GMAIL_PASSWORD", "")' in text


def test_a_provider_parameter_with_a_default_picks_any_row_of_its_table(tmp_path: Path) -> None:
    """`provider="outlook"` keys a table of Gmail, Microsoft 365 and Yahoo rows: callers
    pick the row, so XOAUTH2 goes to the Microsoft row only."""
    program = migrated(tmp_path, "provider_parameter/send_document.py")
    text = program.read_text()
    assert '        if config["server"] in ("smtp.office365.com",):\n' in text
    assert "        else:\n            server.login(sender, password)\n" in text


def test_a_context_the_class_builds_is_fixed_in_the_class_body(tmp_path: Path) -> None:
    """`context = ssl.SSLContext(...)` with its checks turned off in the class body, passed
    as `self.context`: the class body verifies, the call keeps passing the class's."""
    text = migrated(tmp_path, "class_context.py").read_text()
    assert "    context = ssl.create_default_context()\n" in text
    assert "CERT_NONE" not in text and "check_hostname" not in text
    assert "ssl=True, ssl_context=self.context)" in text


def test_django_imports_the_backend_of_a_settings_package(tmp_path: Path) -> None:
    root = migrated(tmp_path, "django_package/send_welcome.py").parent
    production = (root / "proj" / "settings" / "production.py").read_text()
    assert 'EMAIL_BACKEND = "proj.mail_oauth2.XOAuth2EmailBackend"' in production
    assert (root / "proj" / "mail_oauth2.py").is_file()


def test_a_login_helper_shared_by_implicit_tls_and_plain_connections(tmp_path: Path) -> None:
    """Odoo's fetchmail shape: the helper logs in on the connection either arm of an `if`
    made. The plain arm's missing STARTTLS stays a finding without a fix (a STARTTLS in the
    helper would run on the implicit-TLS connection too); the implicit-TLS path reads the
    mailbox with XOAUTH2."""
    program = tmp_path / "shared_login_helper.py"
    shutil.copy(SAMPLES / program.name, program)
    assert not lab_run(program)["passed"]
    fixed = authsweep("fix", "--unsafe-fixes", "--output-format", "json", ".", cwd=tmp_path)
    left = [(f["rule"], f["fixable"]) for f in json.loads(fixed.stdout)["remaining"]]
    assert left == [("AS203", False)], fixed.stdout
    assert "starttls" not in program.read_text()
    verdict = lab_run(program, env=NO_PASSWORD)
    assert verdict["passed"], verdict["stderr"]
    assert [a["mechanism"] for a in verdict["authentications"]] == ["XOAUTH2"]
    assert verdict["mailbox_reads"]
