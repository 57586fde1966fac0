"""Shapes of false alarms on unlabelled code of the repositories behind held-out sets
1-12 (review14b), each beside its nearest variant and a control still reported."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixes.rounds import fix_source
from authsweep.scanner.runner import check_paths

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "precision" / "review14b"


def found(path: Path) -> set[tuple[int, str]]:
    run = check_paths([str(path)], RunOptions())
    return {(f.span.line, f.rule) for f in run.findings}


def test_environment_blocks_prove_no_login_to_an_unknown_host() -> None:
    env = HERE / "environment"
    # compose lists and maps, a CI workflow's env, Kubernetes env: values handed to a
    # program, as a .env holds; a literal password there is still a secret.
    assert found(env / "docker-compose.yml") == {(23, "AS105"), (30, "AS101")}
    assert found(env / ".github" / "workflows" / "notify.yml") == {(30, "AS101")}
    assert found(env / "deployment.yaml") == set()
    # The program's own config file keeps its login (its code reads it as mail settings).
    assert (7, "AS101") in found(env / "app-config.yaml")


def test_one_login_after_a_client_opened_two_ways_is_one_clear_text_login() -> None:
    run = check_paths([str(HERE / "one_login_two_openings.py")], RunOptions(select=("AS203",)))
    got = sorted((f.span.line, f.message.split(":")[0]) for f in run.findings)
    assert [line for line, _ in got] == [20, 29, 37, 40]
    # Under the conditions every way shares; the Python version's test is not one.
    assert "sys.version_info" not in got[0][1] and '`use_ssl == "True"` is false' in got[0][1]
    assert got[1][1] == "credentials sent to 'smtp.office365.com' before STARTTLS"


def test_tests_after_the_last_binding_of_a_mode_agree() -> None:
    got = found(HERE / "settled_mode.py")
    # ``mode`` bound on each arm and once more under a test, then tested twice: never
    # both "ssl" and "starttls". Control: bound again between the tests, reported.
    assert {line for line, rule in got if rule == "AS206"} == {50}


def test_decouple_config_through_a_star_import_of_base_settings() -> None:
    star = HERE / "star_settings"
    # ``config``/``read_setting`` come from decouple through ``from .settings import *``:
    # their defaults count (Gmail: silent; Office 365: a known host).
    assert found(star / "site" / "settings_gcp.py") == set()
    run = check_paths([str(star / "site" / "settings_office.py")], RunOptions())
    assert [(f.span.line, f.rule, f.severity.value) for f in run.findings] == [
        (9, "AS101", "error")
    ]
    # Control: the base settings' own reader may give any host (a warning).
    assert found(star / "own" / "settings_prod.py") == {(9, "AS101")}


def test_a_mapping_the_code_fills_to_save_is_no_flask_configuration() -> None:
    saved = HERE / "saved_config"
    # ``config = json.load(...)``/``config = {}`` filled by key and dumped: no login here.
    assert found(saved / "setup_imap.py") == set()
    # Control: ``config = app.config`` is Flask's configuration.
    assert found(saved / "app.py") == {(14, "AS101")}


def test_a_flask_app_with_fastapi_mails_old_ssl_key_is_flask_mail() -> None:
    keys = HERE / "mail_keys"
    # MAIL_SSL beside MAIL_USE_TLS in app.config: Flask-Mail's STARTTLS, no AS201.
    assert found(keys / "flask_app.py") == {(14, "AS101")}
    # Control: FastAPI-Mail's ConnectionConfig with the pre-1.2 keys keeps its AS201.
    assert (12, "AS201") in found(keys / "fastapi_old.py")


def test_a_package_inside_a_folder_no_import_can_name(tmp_path: Path) -> None:
    # ``my-repo+fork/__init__.py`` above ``app/__init__.py``: the token module is
    # ``app.mail_oauth2_token`` (a crash of the check before: the fix's import did not parse).
    app = tmp_path / "my-repo+fork" / "app"
    app.mkdir(parents=True)
    (app.parent / "__init__.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "mailer.py").write_text(
        "import smtplib, ssl\n"
        "def send(user, password):\n"
        "    server = smtplib.SMTP('smtp.office365.com', 587)\n"
        "    server.starttls(context=ssl.create_default_context())\n"
        "    server.login(user, password)\n"
    )
    run = check_paths([str(app / "mailer.py")], RunOptions())
    assert not run.errors
    assert [f.fix is not None for f in run.findings if f.rule == "AS101"] == [True]
    data = (app / "mailer.py").read_bytes()
    fixed = fix_source(
        "mailer.py", "python", data, RunOptions(), unsafe=True, location=app / "mailer.py"
    )
    assert fixed.error is None
    assert "from app.mail_oauth2_token import oauth2_access_token" in fixed.after


def test_a_fix_whose_module_needs_do_not_parse_is_refused(monkeypatch) -> None:
    from authsweep.scanner.errors import ParseError
    from authsweep.scanner.fixes import apply

    def unparsable(*_args: object) -> str:
        raise ParseError("syntax error: invalid syntax; line 3 not checked")

    monkeypatch.setattr(apply, "add_module_needs", unparsable)
    data = (
        b"import smtplib\n"
        b"server = smtplib.SMTP('smtp.office365.com', 587)\n"
        b"server.starttls()\n"
        b"server.login('a@contoso.com', PASSWORD)\n"
    )
    fixed = fix_source("m.py", "python", data, RunOptions(), unsafe=True)
    assert fixed.after == data.decode()  # refused, not raised
