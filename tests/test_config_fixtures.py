"""Config, Django and Flask fixtures: pinned findings, silent negatives, layout-keeping fixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.config import analyze_config
from authsweep.scanner.discover import discover, kind_of
from authsweep.scanner.engine import RunOptions, check_source
from authsweep.scanner.fixes.edits import apply_edits
from authsweep.scanner.fixes.rounds import fix_source
from authsweep.scanner.precheck import may_matter
from authsweep.scanner.python.analyze import analyze_python
from authsweep.scanner.runner import check_paths
from authsweep.scanner.text import Source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CONFIG = FIXTURES / "config"
# Rules whose findings on these fixtures are pinned; rules added later are checked apart.
PINNED = {"AS101", "AS105", "AS201", "AS202", "AS203", "AS204"}
RULE_IDS = {rule.id for rule in ALL_RULES}

EXPECTED = {
    "config/.env": {(7, "AS201"), (12, "AS101"), (12, "AS105")},
    # AIRFLOW_CONN_* URIs: the parts are settings of an Airflow SMTP connection.
    "config/airflow-connections.env": {(3, "AS101"), (3, "AS105"), (3, "AS201")},
    "config/airflow-imap-connections.env": {(2, "AS105"), (3, "AS105"), (3, "AS203")},
    "config/airflow.cfg": {(16, "AS201"), (20, "AS101")},
    "config/connections.json": {(5, "AS201"), (7, "AS101"), (7, "AS105")},
    "config/docker-compose.yml": {
        (12, "AS202"),
        (16, "AS101"),
        (16, "AS105"),
        (24, "AS202"),
        (26, "AS101"),
    },
    # pydantic settings with SMTP_* keys, and FastAPI-Mail's ConnectionConfig keywords (the
    # relay config without credentials on port 25 of the inbound connector is silent).
    "config/fastapi-service/app/core/config.py": {(15, "AS202"), (18, "AS101"), (18, "AS105")},
    "config/fastapi-service/app/email.py": {(9, "AS101"), (13, "AS201")},
    "config/home-assistant/configuration.yaml": {(12, "AS201"), (18, "AS101")},
    "config/logging.ini": {(30, "AS105"), (30, "AS202")},
    "config/settings.toml": {(8, "AS202"), (12, "AS101")},
    # A prefixed Microsoft host with bare credentials beside it in one table or mapping.
    "config/notifier.toml": {(6, "AS101"), (6, "AS105")},
    "config/alerts.yaml": {(6, "AS101")},
    "config/values.yaml": {
        (13, "AS202"),
        (15, "AS101"),
        (15, "AS105"),
        (26, "AS202"),
        (29, "AS101"),
    },
    # SMTP_* module constants and an ALERT_MAIL dict; report.py logs in with the constants
    # (that login is the constants', reported there once; their literal password stays).
    "config/reporting-job/report.py": {(19, "AS101")},
    "config/reporting-job/settings.py": {(9, "AS105"), (14, "AS202"), (16, "AS101")},
    "django_project/.env": {(7, "AS101"), (7, "AS105"), (7, "AS201")},  # EMAIL_URL
    "django_project/helpdesk/settings.py": {(30, "AS201"), (35, "AS101")},
    "django_project/helpdesk/settings_prod.py": {(13, "AS101")},
    # EMAIL_* through a get_env_variable() wrapper; LOGGING's SMTPHandler on 465.
    "django_project/helpdesk/settings_staging.py": {(24, "AS101"), (34, "AS202"), (38, "AS203")},
    "django_project/scripts/send_digest.py": {(12, "AS202"), (15, "AS101")},  # configure()
    "flask_app/config.py": {(7, "AS202"), (11, "AS101"), (11, "AS105")},
    "flask_app/instance/config.py": {(5, "AS202"), (8, "AS101")},
    "flask_app/shop/__init__.py": {(11, "AS201")},
    "flask_app/shop/logs.py": {(20, "AS203")},
}
# Both implicit TLS and STARTTLS asked for: Connection.tls_conflict, AS205's finding.
CONFLICTS = {"django_project/helpdesk/settings_prod.py": 12}


def run_fixtures():
    paths = [str(CONFIG), str(FIXTURES / "django_project"), str(FIXTURES / "flask_app")]
    return check_paths(paths, RunOptions())


def relative(path: str) -> str:
    return Path(path).resolve().relative_to(FIXTURES).as_posix()


@pytest.mark.slow
def test_findings_are_pinned() -> None:
    run = run_fixtures()
    assert not run.errors
    got: dict[str, set[tuple[int, str]]] = {}
    for finding in run.findings:
        if finding.rule in PINNED:
            got.setdefault(relative(finding.path), set()).add((finding.span.line, finding.rule))
    assert got == EXPECTED


def test_conflicting_flags_are_in_the_model() -> None:
    for path, line in CONFLICTS.items():
        file = FIXTURES / path
        mail = analyze_python(str(file), Source("python", file.read_bytes()))
        conflicts = [c.tls_conflict.line for c in mail.connections if c.tls_conflict]
        assert conflicts == [line]
    if "AS205" in RULE_IDS:
        run = run_fixtures()
        got = {(relative(f.path), f.span.line) for f in run.findings if f.rule == "AS205"}
        assert got == set(CONFLICTS.items())


def test_negatives_report_nothing() -> None:
    run = check_paths([str(CONFIG / "negatives")], RunOptions(all_providers=False))
    assert run.findings == []
    assert run.errors == []
    assert run.files_scanned == 6  # the README is not config; the .conf is read, not INI


def test_secrets_are_masked_in_frames() -> None:
    run = run_fixtures()
    secrets = (
        "Spring2026!",
        "Autumn#2026",
        "Summer2026!",
        "Bi11ing-Alerts!",
        "Airfl0w-Mail!",
        "Airfl0w-Conn-26",
        "Notify-Spring-26",
        "Reports-Nightly-26",
        "Winter-Mail-26",
    )
    for finding in run.findings:
        for _, line in finding.frame:
            assert not any(secret in line for secret in secrets), line
        assert not any(secret in finding.message for secret in secrets)


# Fixes: only the values change, byte for byte.

FIXES = {
    "config/.env": {
        "EMAIL_USE_TLS=False\n": "EMAIL_USE_TLS=True\n",
        "EMAIL_USE_SSL=True\n": "EMAIL_USE_SSL=False\n",
    },
    "config/airflow.cfg": {
        "smtp_starttls = False\n": "smtp_starttls = True\n",
        "smtp_ssl = True\n": "smtp_ssl = False\n",
    },
    "config/docker-compose.yml": {
        "      - EMAIL_PORT=465\n": "      - EMAIL_PORT=587\n",
        "      - EMAIL_USE_SSL=true\n": "      - EMAIL_USE_SSL=false\n",
        "      - EMAIL_USE_TLS=false\n": "      - EMAIL_USE_TLS=true\n",
    },
    "config/home-assistant/configuration.yaml": {
        "    encryption: tls\n": "    encryption: starttls\n",
    },
    "config/logging.ini": {"('smtp.office365.com', 25)": "('smtp.office365.com', 587)"},
    "config/settings.toml": {
        "port = 465  # implicit TLS\n": "port = 587  # implicit TLS\n",
        "ssl = true\n": "ssl = false\n",
        "starttls = false\n": "starttls = true\n",
    },
    "config/values.yaml": {"    port: 25\n": "    port: 587\n"},
    "config/fastapi-service/app/core/config.py": {
        "SMTP_TLS: bool = False\n": "SMTP_TLS: bool = True\n",
        "SMTP_SSL: bool = True\n": "SMTP_SSL: bool = False\n",
        "SMTP_PORT: int = 465\n": "SMTP_PORT: int = 587\n",
    },
    "config/fastapi-service/app/email.py": {
        "    MAIL_STARTTLS=False,\n": "    MAIL_STARTTLS=True,\n",
        "    MAIL_SSL_TLS=True,\n": "    MAIL_SSL_TLS=False,\n",
    },
    "django_project/helpdesk/settings.py": {
        "EMAIL_USE_SSL = True\n": "EMAIL_USE_SSL = False\n",
        "EMAIL_USE_TLS = False\n": "EMAIL_USE_TLS = True\n",
    },
    "django_project/helpdesk/settings_staging.py": {
        '("smtp.office365.com", 465)': '("smtp.office365.com", 587)',
    },
    # No STARTTLS flag in the file: the fix adds it after the implicit TLS flag it turns off,
    # written like its neighbour (keyword argument with its comma, module constant).
    "django_project/scripts/send_digest.py": {
        "    EMAIL_PORT=465,\n    EMAIL_USE_SSL=True,\n": (
            "    EMAIL_PORT=587,\n    EMAIL_USE_SSL=False,\n    EMAIL_USE_TLS=True,\n"
        ),
    },
    "flask_app/instance/config.py": {
        "MAIL_PORT = 465\nMAIL_USE_SSL = True\n": (
            "MAIL_PORT = 587\nMAIL_USE_SSL = False\nMAIL_USE_TLS = True\n"
        ),
    },
    "flask_app/shop/__init__.py": {
        "        MAIL_USE_SSL=True,\n": "        MAIL_USE_SSL=False,\n        MAIL_USE_TLS=True,\n",
    },
}


def expected_after(text: str, changes: dict[str, str]) -> str:
    for before, after in changes.items():
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    return text


@pytest.mark.parametrize("path", sorted(FIXES))
def test_safe_fixes_change_only_the_values(path: str) -> None:
    file = FIXTURES / path
    data = file.read_bytes()
    kind = kind_of(file)
    assert kind is not None
    fixed = fix_source(str(file), kind, data, RunOptions(), unsafe=False)
    assert fixed.error is None
    assert fixed.after == expected_after(data.decode(), FIXES[path])
    # Idempotent, and what was fixed is gone.
    again = fix_source(str(file), kind, fixed.after.encode(), RunOptions(), unsafe=False)
    assert again.after == fixed.after
    remaining = check_source(str(file), kind, fixed.after.encode(), [r() for r in ALL_RULES])
    assert not remaining.errors
    left = {(f.rule, f.fix.applicability.value if f.fix else None) for f in remaining.findings}
    assert not {rule for rule, _ in left} & {"AS201", "AS202"} or path in PORT_ONLY
    assert ("AS202", "safe") not in left


# Generic SMTP_* settings without a TLS setting: the code reading the port may do implicit
# TLS on it, so moving 465 to 587 alone is an unsafe fix, applied only with --unsafe-fixes.
PORT_ONLY = {
    "config/docker-compose.yml": {'      SMTP_PORT: "465"\n': '      SMTP_PORT: "587"\n'},
    "config/values.yaml": {'    value: "465"\n': '    value: "587"\n'},
    "config/reporting-job/settings.py": {'    "port": 465,\n': '    "port": 587,\n'},
}


@pytest.mark.parametrize("path", sorted(PORT_ONLY))
def test_port_only_fix_without_a_tls_setting_is_unsafe(path: str) -> None:
    file = FIXTURES / path
    data = file.read_bytes()
    kind = kind_of(file)
    assert kind is not None
    safe = fix_source(str(file), kind, data, RunOptions(), unsafe=False).after
    for before in PORT_ONLY[path]:
        assert before in safe
    unsafe = fix_source(str(file), kind, data, RunOptions(), unsafe=True).after
    for after in PORT_ONLY[path].values():
        assert after in unsafe


def test_unsafe_fix_of_a_default_value() -> None:
    file = FIXTURES / "flask_app" / "config.py"
    data = file.read_bytes()
    assert fix_source(str(file), "python", data, RunOptions(), unsafe=False).after == data.decode()
    fixed = fix_source(str(file), "python", data, RunOptions(), unsafe=True)
    assert fixed.after == expected_after(
        data.decode(),
        {
            'os.environ.get("MAIL_PORT", 465)': 'os.environ.get("MAIL_PORT", 587)',
            "MAIL_USE_SSL = True\n": "MAIL_USE_SSL = False\n",
            "MAIL_USE_TLS = False\n": "MAIL_USE_TLS = True\n",
        },
    )


def test_remedy_edits_touch_only_their_ranges() -> None:
    """Applying a remedy's Edit objects by hand: everything outside the edited ranges is
    the same text, and each edit replaced a value token with a value token."""
    for path in ("config/docker-compose.yml", "config/settings.toml", "config/values.yaml"):
        file = FIXTURES / path
        kind = kind_of(file)
        assert kind is not None
        text = file.read_text()
        mail = analyze_config(str(file), Source(kind, file.read_bytes()))
        for conn in mail.connections:
            for remedy in conn.remedies.values():
                edits = sorted(remedy.edits, key=lambda e: e.start)
                after = apply_edits(text, edits, "\n")
                shift = 0
                cursor = 0
                for edit in edits:
                    assert after[cursor + shift : edit.start + shift] == text[cursor : edit.start]
                    assert text[edit.start : edit.end] in ("465", "25", "true", "false", "tls")
                    shift += len(edit.replacement) - (edit.end - edit.start)
                    cursor = edit.end
                assert after[cursor + shift :] == text[cursor:]


def test_crlf_and_bom_survive_a_fix() -> None:
    text = "\ufeffEMAIL_HOST=smtp.office365.com\r\nEMAIL_PORT=587\r\nEMAIL_USE_SSL=True\r\n"
    text += "EMAIL_USE_TLS=False\r\n"
    data = text.encode("utf-8")
    fixed = fix_source(".env", "dotenv", data, RunOptions(), unsafe=False)
    assert fixed.codec is not None
    out = fixed.codec.encode(fixed.after)
    assert out == data.replace(b"SSL=True", b"SSL=False").replace(b"TLS=False", b"TLS=True")


# Discovery and the byte pre-check.


def test_discovery_of_config_kinds(tmp_path: Path) -> None:
    names = {
        ".env": "dotenv",
        ".env.production": "dotenv",
        ".env.example": "dotenv",
        "mail.env": "dotenv",
        "setup.cfg": "ini",
        "tox.ini": "ini",
        "supervisord.conf": "ini",
        "docker-compose.yml": "yaml",
        "values.yaml": "yaml",
        "pyproject.toml": "toml",
        "connections.json": "json",
        "settings.py": "python",
    }
    never = ["package-lock.json", "pnpm-lock.yaml", "poetry.lock", "node_modules/pkg/smtp.json"]
    for name in [*names, *never, "README.md"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("smtp\n")
    files, errors = discover([str(tmp_path)], cwd=tmp_path)
    assert not errors
    assert {f.display: f.kind for f in files} == names


def test_precheck_sees_settings_without_a_host() -> None:
    assert may_matter(b"MAIL_PORT=587\nMAIL_USE_SSL=true\n")
    assert may_matter(b"environment:\n  - EMAIL_USE_SSL=1\n  - EMAIL_PORT=587\n")
    assert not may_matter(b'{"name": "left-pad", "version": "1.3.0"}')


def test_placeholders_and_templates_are_not_secrets(tmp_path: Path) -> None:
    from authsweep.scanner.engine import RunOptions
    from authsweep.scanner.runner import check_paths

    (tmp_path / ".env").write_text(
        "EMAIL_HOST=smtp.office365.com\nEMAIL_PORT=587\nEMAIL_USE_TLS=True\n"
        "EMAIL_HOST_USER=alerts@contoso.com\nEMAIL_HOST_PASSWORD=your_app_password_here\n"
    )
    (tmp_path / ".env_sample").write_text(
        "EMAIL_HOST=smtp.office365.com\nEMAIL_PORT=465\nEMAIL_HOST_PASSWORD=Looks-Real-77\n"
    )
    run = check_paths([str(tmp_path)], RunOptions())
    by_file = {(Path(f.path).name, f.rule) for f in run.findings}
    assert (".env", "AS105") not in by_file
    assert (".env_sample", "AS105") not in by_file  # a template's values are examples
    assert (".env_sample", "AS202") in by_file  # but its settings still teach the wrong port


def test_messages_name_where_an_unknown_host_comes_from() -> None:
    run = run_fixtures()
    found = {(relative(f.path), f.span.line, f.rule): f for f in run.findings}
    # EMAIL_HOST = get_env_variable("EMAIL_HOST"): the wrapper reads os.environ[var_name].
    staging = found[("django_project/helpdesk/settings_staging.py", 24, "AS101")]
    assert "the host from env EMAIL_HOST" in staging.message
    # SMTPHandler((app.config["MAIL_SERVER"], ...)): a config key, not an attribute path.
    handler = found[("flask_app/shop/logs.py", 20, "AS103")]
    assert "the host from config key MAIL_SERVER" in handler.message
    # Django's LOGGING setting (no dictConfig call in the module) is a logging config.
    assert ("django_project/helpdesk/settings_staging.py", 38, "AS103") in found


def test_an_added_flag_keeps_crlf() -> None:
    text = "EMAIL_HOST=smtp.office365.com\r\nEMAIL_PORT=465\r\nEMAIL_USE_SSL=True\r\n"
    fixed = fix_source(".env", "dotenv", text.encode(), RunOptions(), unsafe=False)
    assert fixed.codec is not None and fixed.error is None
    assert fixed.codec.encode(fixed.after) == (
        b"EMAIL_HOST=smtp.office365.com\r\nEMAIL_PORT=587\r\nEMAIL_USE_SSL=False\r\n"
        b"EMAIL_USE_TLS=True\r\n"
    )


def test_airflow_imap_connections() -> None:
    """``AIRFLOW_CONN_*`` URIs of Airflow's IMAP provider: ``ImapHook`` logs in over
    IMAP4_SSL on 993 (AS102, the literal password AS105), over plain IMAP with
    ``use_ssl=false`` (AS203 too); Gmail, and a connection without a password, are
    silent."""
    run = check_paths([str(CONFIG / "airflow-imap-connections.env")], RunOptions())
    assert {(f.span.line, f.rule) for f in run.findings} == {
        (2, "AS102"),
        (2, "AS105"),
        (3, "AS102"),
        (3, "AS105"),
        (3, "AS203"),
    }
