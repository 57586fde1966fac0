"""Framework code migrated by `fix`, proven with the real framework against the lab.

A Django site's `send_mail`, a Flask shop's `mail.send` (Flask-Mail) and a
`logging.error()` through `SMTPHandler` run under `authsweep lab run` before and after
`authsweep fix --unsafe-fixes` (on a copy): before, Exchange's refusal of the password;
after, the module `fix` added (the Django email backend, Flask-Mail's XOAuth2Mail, the
XOAuth2SMTPHandler) signs in with XOAUTH2 and the message is delivered. The POP3 reader
is proven in test_fix_e2e.py. About 15 s in all.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_fix_e2e import BASIC_SMTP, SAMPLES, USER, XOAUTH2_OK, authsweep, essentials, lab_run

pytestmark = pytest.mark.slow

DELIVERED = {"passed": True, "exit_code": 0, "reads": [], "failures": []}


def test_django_send_mail_delivers_after_fix(tmp_path: Path) -> None:
    site = tmp_path / "django_site"
    shutil.copytree(SAMPLES / "django_site", site)
    program = site / "send_welcome.py"

    before = essentials(lab_run(program))
    assert before["auth"] == BASIC_SMTP and before["messages"] == []
    assert before["failures"][0][:2] == ("basic-auth-disabled", "535 5.7.139")

    fixed = authsweep("fix", "--unsafe-fixes", ".", cwd=site)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Added site_settings/mail_oauth2.py (XOAuth2EmailBackend)." in fixed.stdout
    settings = (site / "site_settings" / "settings.py").read_text()
    assert 'EMAIL_BACKEND = "site_settings.mail_oauth2.XOAuth2EmailBackend"' in settings
    assert "EMAIL_HOST_PASSWORD" not in settings
    assert 'EMAIL_OAUTH2_TENANT_ID = os.environ["AZURE_TENANT_ID"]' in settings

    after = essentials(lab_run(program))
    assert after == {
        **DELIVERED,
        "connections": [("smtp", "smtp.office365.com", 587, "starttls", None)],
        "auth": [XOAUTH2_OK],
        "messages": [(USER, ["new.hire@contoso.com"], "Welcome")],
    }
    again = authsweep("fix", "--unsafe-fixes", "--diff", ".", cwd=site)
    assert again.returncode == 0 and again.stdout == "", again.stdout  # the module is reused
    assert authsweep("check", ".", cwd=site).returncode == 0


def test_flask_mail_send_delivers_after_fix(tmp_path: Path) -> None:
    """The settings (config.py) and the Mail the app makes (shop/__init__.py) are in two
    files: the fix edits both, or neither."""
    shop = tmp_path / "flask_shop"
    shutil.copytree(SAMPLES / "flask_shop", shop)
    program = shop / "send_receipt.py"

    before = essentials(lab_run(program))
    assert before["auth"] == BASIC_SMTP and before["messages"] == []
    assert before["failures"][0][:2] == ("basic-auth-disabled", "535 5.7.139")

    fixed = authsweep("fix", "--unsafe-fixes", ".", cwd=shop)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Added shop/mail_oauth2.py (XOAuth2Mail)." in fixed.stdout
    assert "mail = XOAuth2Mail()" in (shop / "shop" / "__init__.py").read_text()
    assert "MAIL_PASSWORD" not in (shop / "config.py").read_text()

    after = essentials(lab_run(program))
    assert after == {
        **DELIVERED,
        "connections": [("smtp", "smtp.office365.com", 587, "starttls", None)],
        "auth": [XOAUTH2_OK],
        "messages": [(USER, ["customer@contoso.com"], "Receipt")],
    }
    again = authsweep("fix", "--unsafe-fixes", "--diff", ".", cwd=shop)
    assert again.returncode == 0 and again.stdout == "", again.stdout
    assert authsweep("check", ".", cwd=shop).returncode == 0


# Confirms an order through the shop's own view, as a customer's browser would.
CONFIRM_ORDER = """\
from shop import create_app

client = create_app().test_client()
print(client.post("/orders/7/confirm", data={"email": "buyer@contoso.com"}).json)
"""


def test_the_readme_flask_app_confirms_orders_after_the_walk_through(tmp_path: Path) -> None:
    """fixtures/flask_app as the README migrates it: before, implicit TLS on 587 (its
    ``app.config.update``); after ``fix --unsafe-fixes``, its view's ``mail.send``
    delivers with XOAUTH2."""
    app = tmp_path / "flask_app"
    shutil.copytree(SAMPLES.parent / "flask_app", app)
    program = app / "confirm_order.py"
    program.write_text(CONFIRM_ORDER)
    mailbox = ("--mailbox", "shop@contoso.com")  # the shop's own mailbox signs in

    before = essentials(lab_run(program, *mailbox))
    assert before["messages"] == [] and before["failures"][0][0] == "tls-on-plain-port"

    fixed = authsweep("fix", "--unsafe-fixes", ".", cwd=app)
    assert fixed.returncode == 1, fixed.stdout  # shop/logs.py is left for a person
    after = essentials(lab_run(program, *mailbox))
    assert after["passed"] and after["auth"] == [XOAUTH2_OK]
    assert after["messages"] == [("shop@contoso.com", ["buyer@contoso.com"], "Order 7 confirmed")]


def test_logging_error_through_smtp_handler_delivers_after_fix(tmp_path: Path) -> None:
    program = tmp_path / "smtp_handler_alerts.py"
    shutil.copy(SAMPLES / "smtp_handler_alerts.py", program)

    before = lab_run(program)
    assert essentials(before)["auth"] == BASIC_SMTP and not before["passed"]
    assert "5.7.139" in before["stderr"]  # logging prints the handler's error and goes on

    fixed = authsweep("fix", "--unsafe-fixes", str(program), cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    source = program.read_text()
    assert "handler = XOAuth2SMTPHandler(" in source
    assert "from mail_oauth2_handler import XOAuth2SMTPHandler" in source
    assert 'credentials=os.environ["MAIL_USER"],' in source and "MAIL_PASSWORD" not in source
    assert (tmp_path / "mail_oauth2_handler.py").is_file()
    lint = subprocess.run(  # nothing left unused (SMTPHandler's import), imports sorted
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F401,F841,I001", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout

    after = essentials(lab_run(program))
    assert after == {
        **DELIVERED,
        "connections": [("smtp", "smtp.office365.com", 587, "starttls", None)],
        "auth": [XOAUTH2_OK],
        "messages": [(USER, ["oncall@contoso.com"], "Payment run failed")],
    }
    assert authsweep("check", ".", cwd=tmp_path).returncode == 0
