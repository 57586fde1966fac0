"""The library fixture projects: every finding pinned by file, line and rule; none on the
negatives."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import Settings, check_paths

LIBRARIES = Path(__file__).resolve().parent.parent / "fixtures" / "libraries"


def pinned(project: str) -> set[tuple[str, int, str]]:
    run = check_paths([str(LIBRARIES / project)], Settings())
    assert not run.errors
    return {
        (Path(f.path).resolve().relative_to(LIBRARIES).as_posix(), f.span.line, f.rule)
        for f in run.findings
    }


def test_async_service() -> None:
    assert pinned("async_service") == {
        ("async_service/async_service/digest.py", 23, "AS101"),
        ("async_service/async_service/digest.py", 30, "AS101"),
        ("async_service/async_service/notifier.py", 11, "AS201"),
        ("async_service/async_service/notifier.py", 16, "AS101"),
    }


def test_logging_setup() -> None:
    assert pinned("logging_setup") == {
        ("logging_setup/log_config.py", 18, "AS103"),
        ("logging_setup/log_config.py", 19, "AS204"),
        ("logging_setup/log_config.py", 31, "AS202"),
        ("logging_setup/log_config.py", 37, "AS103"),
        ("logging_setup/log_config.py", 37, "AS105"),
        ("logging_setup/log_config.py", 37, "AS203"),
    }


def test_yagmail_script() -> None:
    assert pinned("yagmail_script") == {
        ("yagmail_script/send_report.py", 12, "AS202"),
        ("yagmail_script/send_report.py", 12, "AS204"),
        ("yagmail_script/send_report.py", 14, "AS101"),
        ("yagmail_script/send_report.py", 27, "AS101"),
        ("yagmail_script/send_report.py", 27, "AS201"),
        ("yagmail_script/send_report.py", 27, "AS204"),
    }


def test_redmail_script() -> None:
    assert pinned("redmail_script") == {
        ("redmail_script/invoices.py", 12, "AS101"),
        ("redmail_script/invoices.py", 13, "AS205"),
        ("redmail_script/weekly_newsletter.py", 7, "AS204"),
        ("redmail_script/weekly_newsletter.py", 8, "AS101"),
    }


def test_exchange_sync() -> None:
    assert pinned("exchange_sync") == {
        ("exchange_sync/calendar_sync.py", 11, "AS104"),
        ("exchange_sync/calendar_sync.py", 28, "AS104"),
    }


def test_msal_tokens() -> None:
    assert pinned("msal_tokens") == {
        ("msal_tokens/graph_scope_mailer.py", 20, "AS302"),
        ("msal_tokens/graph_scope_mailer.py", 33, "AS302"),
        ("msal_tokens/ropc_mailer.py", 19, "AS106"),
    }


def test_broken_migration() -> None:
    assert pinned("broken_migration") == {
        ("broken_migration/oauth_mail.py", 31, "AS301"),
        ("broken_migration/oauth_mail.py", 31, "AS303"),
        ("broken_migration/oauth_mail.py", 39, "AS303"),
        ("broken_migration/oauth_mail.py", 47, "AS301"),
        ("broken_migration/oauth_mail.py", 49, "AS303"),
    }


def test_django_calls() -> None:
    assert pinned("django_calls") == {
        ("django_calls/billing/mail.py", 11, "AS201"),
        ("django_calls/billing/mail.py", 15, "AS101"),
        ("django_calls/billing/mail.py", 39, "AS101"),
        ("django_calls/billing/mail.py", 45, "AS205"),
    }


def test_mailbox_reader() -> None:
    assert pinned("mailbox_reader") == {("mailbox_reader/reader.py", 12, "AS102")}


def test_negatives_report_nothing() -> None:
    run = check_paths([str(LIBRARIES / "negatives")], Settings())
    assert not run.errors
    assert [(f.path, f.span.line, f.rule) for f in run.findings] == []


def test_every_project_is_pinned() -> None:
    projects = {p.name for p in LIBRARIES.iterdir() if p.is_dir()}
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert projects - {"negatives"} <= tested


def test_severity_follows_the_host() -> None:
    run = check_paths([str(LIBRARIES / "django_calls")], Settings())
    by_line = {(f.span.line, f.rule): f for f in run.findings}
    # A literal Microsoft host: an error; the host of the EMAIL_HOST setting: a warning.
    assert by_line[(15, "AS101")].severity.value == "error"
    assert by_line[(39, "AS101")].severity.value == "warning"
    assert by_line[(39, "AS101")].confidence.value == "medium"
    assert "custom EmailBackend" in by_line[(15, "AS101")].message
