"""The library fixture projects: every finding pinned by file, line and rule; none on the
negatives."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

LIBRARIES = Path(__file__).resolve().parent.parent / "fixtures" / "libraries"


def pinned(project: str) -> set[tuple[str, int, str]]:
    run = check_paths([str(LIBRARIES / project)], RunOptions())
    assert not run.errors
    return {
        (Path(f.path).resolve().relative_to(LIBRARIES).as_posix(), f.span.line, f.rule)
        for f in run.findings
    }


def test_async_service() -> None:
    assert pinned("async_service") == {
        ("async_service/async_service/digest.py", 17, "AS101"),
        ("async_service/async_service/digest.py", 30, "AS101"),
        ("async_service/async_service/notifier.py", 11, "AS201"),
        ("async_service/async_service/notifier.py", 11, "AS101"),
    }


def test_logging_setup() -> None:
    assert pinned("logging_setup") == {
        ("logging_setup/log_config.py", 18, "AS103"),
        ("logging_setup/log_config.py", 13, "AS204"),
        ("logging_setup/log_config.py", 31, "AS202"),
        ("logging_setup/log_config.py", 37, "AS103"),
        ("logging_setup/log_config.py", 37, "AS105"),
        ("logging_setup/log_config.py", 37, "AS203"),
    }


def test_yagmail_script() -> None:
    assert pinned("yagmail_script") == {
        ("yagmail_script/send_report.py", 12, "AS202"),
        ("yagmail_script/send_report.py", 12, "AS204"),
        ("yagmail_script/send_report.py", 12, "AS101"),
        ("yagmail_script/send_report.py", 27, "AS101"),
        ("yagmail_script/send_report.py", 27, "AS201"),
        ("yagmail_script/send_report.py", 27, "AS204"),
    }


def test_redmail_script() -> None:
    assert pinned("redmail_script") == {
        ("redmail_script/invoices.py", 8, "AS101"),
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
        ("django_calls/billing/mail.py", 11, "AS101"),
        ("django_calls/billing/mail.py", 33, "AS101"),
        ("django_calls/billing/mail.py", 45, "AS205"),
    }


def test_mailbox_reader() -> None:
    assert pinned("mailbox_reader") == {("mailbox_reader/reader.py", 12, "AS102")}


def test_negatives_report_nothing() -> None:
    run = check_paths([str(LIBRARIES / "negatives")], RunOptions())
    assert not run.errors
    assert [(f.path, f.span.line, f.rule) for f in run.findings] == []


def test_every_project_is_pinned() -> None:
    projects = {p.name for p in LIBRARIES.iterdir() if p.is_dir()}
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert projects - {"negatives"} <= tested


def test_severity_follows_the_host() -> None:
    run = check_paths([str(LIBRARIES / "django_calls")], RunOptions())
    by_line = {(f.span.line, f.rule): f for f in run.findings}
    # A literal Microsoft host: an error; the host of the EMAIL_HOST setting: a warning.
    assert by_line[(11, "AS101")].severity.value == "error"
    assert by_line[(33, "AS101")].severity.value == "warning"
    assert by_line[(33, "AS101")].confidence.value == "medium"
    assert "custom EmailBackend" in by_line[(11, "AS101")].message


def test_modelled_libraries() -> None:
    """Libraries read from their models: a login on Microsoft's hosts reported, the same
    library against Gmail quiet, an OAuth2 login quiet."""
    assert pinned("modelled_libraries") == {
        ("modelled_libraries/ews_and_graph.py", 8, "AS104"),
        ("modelled_libraries/ews_and_graph.py", 11, "AS106"),
        ("modelled_libraries/inbox_sync.py", 12, "AS102"),
        ("modelled_libraries/inbox_sync.py", 12, "AS204"),
        ("modelled_libraries/inbox_sync.py", 17, "AS204"),
        ("modelled_libraries/inbox_sync.py", 18, "AS102"),
        ("modelled_libraries/inbox_sync.py", 23, "AS204"),
        ("modelled_libraries/inbox_sync.py", 33, "AS101"),
        ("modelled_libraries/inbox_sync.py", 34, "AS204"),
        ("modelled_libraries/rpa_bot.py", 13, "AS102"),
        ("modelled_libraries/rpa_bot.py", 22, "AS101"),
    }


def test_project_wrappers() -> None:
    """A wrapper in another module whose parameters reach a login is reported where the
    caller names Microsoft's host (a function, a class, ``super().__init__``,
    ``Base.__init__(self, ...)``); the wrapper itself keeps its unknown-host warning."""
    run = check_paths([str(LIBRARIES / "project_wrappers")], RunOptions())
    found = {
        (Path(f.path).name, f.span.line, f.rule, f.severity.value): f.message for f in run.findings
    }
    assert set(found) == {
        ("jobs.py", 11, "AS101", "error"),
        ("jobs.py", 15, "AS101", "error"),
        ("presets.py", 8, "AS101", "error"),
        ("presets.py", 18, "AS101", "error"),
        ("base.py", 17, "AS101", "warning"),
        ("base.py", 24, "AS101", "warning"),
        ("cron.py", 7, "AS101", "error"),
        ("transport.py", 10, "AS101", "warning"),
    }
    # A wrapper of a wrapper: the path through both in the message.
    assert (
        "through alert in notify/chain/alerts.py, through deliver in notify/chain/transport.py"
        in found[("cron.py", 7, "AS101", "error")]
    )
    assert (
        "through send_report in notify/mail/base.py, smtplib"
        in found[("jobs.py", 11, "AS101", "error")]
    )
    assert "through BaseMailer in notify/mail/base.py" in found[("presets.py", 8, "AS101", "error")]


def test_project_wrappers_against_gmail_only_with_all_providers() -> None:
    run = check_paths([str(LIBRARIES / "project_wrappers")], RunOptions(all_providers=True))
    lines = {(Path(f.path).name, f.span.line) for f in run.findings if "gmail" in f.message}
    assert lines == {("jobs.py", 20), ("presets.py", 13)}


def test_unmodelled_library() -> None:
    """The net: a login on what a library without a model made with a Microsoft host."""
    run = check_paths([str(LIBRARIES / "unmodelled_library")], RunOptions())
    found = {(f.span.line, f.rule): f.message for f in run.findings}
    assert set(found) == {(8, "AS102"), (10, "AS101")}
    assert "made by mailkit.ImapSession" in found[(8, "AS102")]


def test_connection_parameter() -> None:
    """``connection.authenticate("XOAUTH2", ...)`` on an untyped parameter is imaplib's
    SASL call: a right authobject is quiet, one that takes no challenge is AS303."""
    assert pinned("connection_parameter") == {
        ("connection_parameter/fetchmail.py", 19, "AS303"),
    }
