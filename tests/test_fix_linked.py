"""Fixes that reach into other files: Flask-Mail's Mail() switched where the app makes it,
config keys no code reads after a fix taken out, settings other code still reads named.

Each project is written to a temporary folder and fixed with the real command line (in
this process); what matters is checked on the files: both edited or neither, the diff
shows every file, a second run changes nothing, the result checks clean and lint-clean.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixes import across
from authsweep.scanner.fixes.across import Entry, settle
from authsweep.scanner.fixes.rounds import fix_source
from cli_support import commit_all, init_repo, invoke, write

CONFIG = """\
import os


class Config:
    MAIL_SERVER = "smtp.office365.com"
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME = "shop@contoso.com"
    MAIL_PASSWORD = os.environ["MAIL_PASSWORD"]
"""
APP = """\
from flask import Flask
from flask_mail import Mail

mail = Mail()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.from_object("config.Config")
    mail.init_app(app)
    return app
"""


def flask_project(tmp_path: Path, app: str = APP) -> Path:
    write(tmp_path / "requirements.txt", "Flask\nFlask-Mail\n")
    write(tmp_path / "config.py", CONFIG)
    write(tmp_path / "shop" / "__init__.py", app)
    return tmp_path


@pytest.mark.slow
def test_flask_mail_settings_switch_mail_where_the_app_makes_it(tmp_path: Path) -> None:
    root = flask_project(tmp_path)
    check = invoke("check", ".", cwd=root)
    assert "config.py:9:5: AS101" in check.stdout and "[**fixable]" in check.stdout

    preview = invoke("fix", "--unsafe-fixes", "--diff", ".", cwd=root)
    assert preview.returncode == 1
    for header in ("+++ b/config.py", "+++ b/shop/__init__.py", "+++ b/shop/mail_oauth2.py"):
        assert header in preview.stdout
    assert (root / "shop" / "__init__.py").read_text() == APP  # --diff writes nothing

    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    assert "Fixed 1 problem (AS101: 1) in 3 files." in fixed.stdout
    assert "Added shop/mail_oauth2.py (XOAuth2Mail)." in fixed.stdout
    assert "requirements.txt: msal>=1.23 added, for the fix of config.py" in fixed.stdout
    assert (root / "requirements.txt").read_text() == "Flask\nFlask-Mail\nmsal>=1.23\n"
    assert (
        "shop/__init__.py: makes XOAuth2Mail instead of Flask-Mail's Mail (line 4), for the "
        "fix of config.py" in fixed.stdout
    )
    app = (root / "shop" / "__init__.py").read_text()
    assert "from shop.mail_oauth2 import XOAuth2Mail\n" in app
    assert "mail = XOAuth2Mail()\n" in app and "flask_mail" not in app
    config = (root / "config.py").read_text()
    assert 'MAIL_OAUTH2_TENANT_ID = os.environ["AZURE_TENANT_ID"]' in config
    assert "MAIL_PASSWORD" not in config

    assert invoke("check", ".", cwd=root).returncode == 0
    again = invoke("fix", "--unsafe-fixes", "--diff", ".", cwd=root)
    assert again.returncode == 0 and again.stdout == ""
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F401,F841,I001", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


@pytest.mark.slow
def test_a_later_run_uses_the_mail_already_switched(tmp_path: Path) -> None:
    root = flask_project(tmp_path)
    assert invoke("fix", "--unsafe-fixes", "config.py", cwd=root).returncode == 0
    switched = (root / "shop" / "__init__.py").read_text()
    assert "mail = XOAuth2Mail()" in switched
    write(root / "instance" / "config.py", CONFIG.replace("class Config:", "class Production:"))

    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    assert "Fixed 1 problem (AS101: 1) in 1 file." in fixed.stdout
    assert (root / "shop" / "__init__.py").read_text() == switched
    assert invoke("check", ".", cwd=root).returncode == 0


def test_mail_made_beside_the_settings_is_switched_in_the_same_file(tmp_path: Path) -> None:
    init_repo(tmp_path)  # committed: the password it takes out is in git
    write(tmp_path / "requirements.txt", "Flask-Mail\n")
    app = write(
        tmp_path / "app.py",
        "import flask_mail\n"
        "from flask import Flask\n\n"
        "app = Flask(__name__)\n"
        'app.config["MAIL_SERVER"] = "smtp.office365.com"\n'
        'app.config["MAIL_PORT"] = 587\n'
        'app.config["MAIL_USE_TLS"] = True\n'
        'app.config["MAIL_USERNAME"] = "shop@contoso.com"\n'
        'app.config["MAIL_PASSWORD"] = "Sh0p-Mailer!"\n'
        "mail = flask_mail.Mail(app)\n",
    )
    commit_all(tmp_path)
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout
    source = app.read_text()
    assert "mail = XOAuth2Mail(app)\n" in source
    assert "from mail_oauth2 import XOAuth2Mail\n" in source
    assert 'app.config["MAIL_OAUTH2_CLIENT_ID"] = os.environ.get("AZURE_CLIENT_ID")' in source
    assert "Sh0p-Mailer!" not in source and (tmp_path / "mail_oauth2.py").is_file()


def test_a_subclass_of_mail_is_not_switched(tmp_path: Path) -> None:
    root = flask_project(
        tmp_path,
        "from flask_mail import Mail\n\n\nclass ShopMail(Mail):\n    pass\n\n\nmail = ShopMail()\n",
    )
    check = invoke("check", ".", cwd=root)
    assert "AS101" in check.stdout and "fixable" not in check.stdout


def test_the_fix_is_refused_when_the_other_file_changed_since_it_was_checked(
    tmp_path: Path, monkeypatch
) -> None:
    root = flask_project(tmp_path)
    monkeypatch.chdir(root)  # paths are shown, and analysed, relative to the working folder
    config = root / "config.py"
    fixed = fix_source(
        "config.py", "python", config.read_bytes(), RunOptions(), unsafe=True, location=config
    )
    assert fixed.changed and fixed.links
    write(root / "shop" / "__init__.py", APP + "\n# edited meanwhile\n")
    entries = {"config.py": Entry("config.py", config, fixed, config.read_bytes(), RunOptions())}
    entries["config.py"].unsafe = True
    settle(entries, None)

    again = entries["config.py"].fixed
    assert not again.changed and "shop/__init__.py" not in entries
    [(finding, reason)] = again.refused.values()
    assert finding.rule == "AS101"
    assert reason == "it edits shop/__init__.py too, which changed since it was checked"


def test_files_that_go_together_are_written_together_or_not_at_all(
    tmp_path: Path, monkeypatch
) -> None:
    root = flask_project(tmp_path)
    real = across.write_atomically

    def fails_for_the_app(path: Path, data: bytes, expected: bytes) -> None:
        if path.name == "__init__.py":
            raise PermissionError(13, "Permission denied")
        real(path, data, expected)

    monkeypatch.setattr(across, "write_atomically", fails_for_the_app)
    result = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert result.returncode == 1
    assert "shop/__init__.py: fix: fix not written: [Errno 13] Permission denied" in result.stdout
    assert "config.py: fix: fix not written: it goes with shop/__init__.py" in result.stdout
    assert (root / "config.py").read_text() == CONFIG  # put back
    assert not (root / "shop" / "mail_oauth2.py").exists()


SETTINGS = """\
import os

EMAIL_HOST = "smtp.office365.com"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "desk@contoso.com"
EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]
"""
DOTENV = "DEBUG=1\n# Mail\nEMAIL_HOST_PASSWORD=Winter-Mail-26\nOTHER=1\n"


def django_project(tmp_path: Path) -> Path:
    write(tmp_path / "manage.py", "")
    write(tmp_path / "site" / "__init__.py", "")
    write(tmp_path / "site" / "settings.py", SETTINGS)
    write(tmp_path / ".env", DOTENV)
    return tmp_path


@pytest.mark.slow
def test_a_dotenv_password_no_code_reads_after_the_fix_is_taken_out(tmp_path: Path) -> None:
    """Deleted: git has the line (an untracked file's is commented out instead, see
    test_fix_keeps_bytes)."""
    root = django_project(init_repo(tmp_path))
    commit_all(root)
    check = invoke("check", ".", cwd=root)
    assert "password set in .env:3" in check.stdout

    preview = invoke("fix", "--unsafe-fixes", "--diff", ".", cwd=root)
    assert "--- a/.env\n+++ b/.env\n" in preview.stdout
    assert "-EMAIL_HOST_PASSWORD=Wi" in preview.stdout  # masked, as every output masks it

    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    assert (root / ".env").read_text() == "DEBUG=1\n# Mail\nOTHER=1\n"
    assert (
        ".env: EMAIL_HOST_PASSWORD removed (line 3): no code reads it after the fix of "
        "site/settings.py; set AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET instead"
    ) in fixed.stdout
    assert invoke("fix", "--unsafe-fixes", "--diff", ".", cwd=root).stdout == ""


def test_a_key_other_code_still_reads_stays(tmp_path: Path) -> None:
    root = django_project(tmp_path)
    write(root / "tools" / "backup.py", 'import os\n\nSECRET = os.environ["EMAIL_HOST_PASSWORD"]\n')
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    assert (root / ".env").read_text() == DOTENV
    assert (
        "site/settings.py: EMAIL_HOST_PASSWORD stays in .env (line 3): tools/backup.py:3 "
        "still uses it"
    ) in fixed.stdout


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("app/config.py", "class Settings(BaseSettings):\n    email_host_password: str\n"),
        ("web/mailer.js", "const pw = process.env.EMAIL_HOST_PASSWORD;\n"),
        ("Dockerfile", 'CMD ./run --password "$EMAIL_HOST_PASSWORD"\n'),
    ],
)
def test_a_key_code_in_any_language_may_read_stays(tmp_path: Path, path: str, code: str) -> None:
    root = django_project(tmp_path)
    write(root / path, code)
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    assert (root / ".env").read_text() == DOTENV
    assert f"EMAIL_HOST_PASSWORD stays in .env (line 3): {path}:" in fixed.stdout


def test_a_compose_password_is_linked_and_taken_out(tmp_path: Path) -> None:
    init_repo(tmp_path)
    write(tmp_path / "requirements.txt", "")
    write(
        tmp_path / "docker-compose.yml",
        "services:\n  web:\n    environment:\n      SMTP_USER: a@contoso.com\n"
        "      SMTP_PASSWORD: hunter2-xyz\n",
    )
    write(
        tmp_path / "app" / "send.py",
        "import os\nimport smtplib\nimport ssl\n\n"
        'with smtplib.SMTP("smtp.office365.com", 587) as s:\n'
        "    s.starttls(context=ssl.create_default_context())\n"
        '    s.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])\n',
    )
    commit_all(tmp_path)
    check = invoke("check", ".", cwd=tmp_path)
    assert "(password set in docker-compose.yml:5)" in check.stdout
    assert invoke("fix", "--unsafe-fixes", ".", cwd=tmp_path).returncode == 0
    compose = (tmp_path / "docker-compose.yml").read_text()
    assert compose == "services:\n  web:\n    environment:\n      SMTP_USER: a@contoso.com\n"


def test_settings_other_code_still_reads_are_named(tmp_path: Path) -> None:
    root = flask_project(tmp_path)
    write(
        root / "shop" / "logs.py",
        "def credentials(app):\n"
        '    return (app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])\n',
    )
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert (
        "config.py: MAIL_PASSWORD is gone from the settings, but shop/logs.py:2 still reads "
        "it: change that code too"
    ) in fixed.stdout


@pytest.mark.parametrize(
    ("name", "kind", "text", "left"),
    [
        (".env", "dotenv", 'A=1\nexport PW="x y"  # old\nB=2\n', "A=1\nB=2\n"),
        ("settings.ini", "ini", "[settings]\nPW = x\nDEBUG = 1\n", "[settings]\nDEBUG = 1\n"),
        ("fly.toml", "toml", '[env]\nA = "1"\nPW = "x"\n', '[env]\nA = "1"\n'),
        (
            "local.settings.json",
            "json",
            '{\n  "Values": {\n    "A": "1",\n    "PW": "x"\n  }\n}\n',
            '{\n  "Values": {\n    "A": "1"\n  }\n}\n',
        ),
        ("compose.yml", "yaml", "env:\n  - A=1\n  - PW=x\n", "env:\n  - A=1\n"),
        ("compose.yml", "yaml", "env:\n  PW: x\n", None),  # the mapping would be left empty
        ("c.yml", "yaml", "env: {PW: x, A: 1}\n", None),  # shares its line
    ],
)
def test_config_keys_are_taken_out_layout_kept(name, kind, text, left) -> None:
    from authsweep.scanner.config.removal import removal
    from authsweep.scanner.fixes.edits import apply_edits

    key = "SMTP_PASSWORD"
    text, left = text.replace("PW", key), left.replace("PW", key) if left else None
    found = removal(name, kind, text, key)
    assert (found and apply_edits(text, list(found.edits), "\n")) == left


HANDLER_ARGS = (
    '("smtp.office365.com", 587), "a@contoso.com", ["b@contoso.com"], "Failure", '
    'credentials=("a@contoso.com", os.environ["PW"]), secure=()'
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("imports", "handler", "left"),
    [
        (
            "import logging\nimport logging.handlers\nimport os\n",
            "logging.handlers.SMTPHandler",
            "import logging\n\nfrom mail_oauth2_handler import XOAuth2SMTPHandler\n",
        ),
        (
            "import logging.handlers\nimport os\n",
            "logging.handlers.SMTPHandler",
            "import logging.handlers\n\nfrom mail_oauth2_handler import XOAuth2SMTPHandler\n",
        ),
        (
            "import logging\nimport os\nfrom logging import handlers\n",
            "handlers.SMTPHandler",
            "import logging\n\nfrom mail_oauth2_handler import XOAuth2SMTPHandler\n",
        ),
        (
            "import logging\nimport os\nfrom logging.handlers import SMTPHandler\n",
            "SMTPHandler",
            "import logging\n\nfrom mail_oauth2_handler import XOAuth2SMTPHandler\n",
        ),
    ],
)
def test_nothing_is_left_unused_after_the_smtp_handler_fix(
    tmp_path: Path, imports: str, handler: str, left: str
) -> None:
    program = write(
        tmp_path / "alerts.py",
        f"{imports}\nh = {handler}({HANDLER_ARGS})\nlogging.getLogger().addHandler(h)\n",
    )
    assert invoke("fix", "--unsafe-fixes", ".", cwd=tmp_path).returncode == 0
    assert program.read_text().startswith(left)
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F401,F841,I001", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


@pytest.mark.slow
def test_a_key_is_taken_out_on_top_of_the_config_files_own_fixes(tmp_path: Path) -> None:
    root = django_project(init_repo(tmp_path))
    dotenv = "EMAIL_HOST=smtp.office365.com\nEMAIL_PORT=465\nEMAIL_HOST_PASSWORD=Winter-Mail-26\n"
    write(root / ".env", dotenv)
    commit_all(root)
    found = invoke("check", ".", cwd=root)
    assert ".env:2:12: AS202" in found.stdout and ".env:3:21: AS105" in found.stdout

    preview = invoke("fix", "--unsafe-fixes", "--diff", ".", cwd=root)
    assert preview.stdout.count("--- a/.env") == 1
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    assert (root / ".env").read_text() == "EMAIL_HOST=smtp.office365.com\nEMAIL_PORT=587\n"
    assert invoke("check", ".", cwd=root).returncode == 0
