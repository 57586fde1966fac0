"""Misses of the twelfth held-out set, as general shapes: a single-file mail library
bundled as a module of the project is the library (``import app.common.imaplib2 as
imaplib``), and a loopback host that is only the default of a setting
(``cfg.get("host") or os.environ.get("HOST") or "localhost"``) is an unknown host, not
a local relay, and IMAPClient 1.x's ``imapclient.create_default_context()`` is the
standard verifying factory, unverified once turned off."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

AFTER12 = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "after12"


def findings(folder: str) -> set[tuple[str, int, str, str]]:
    run = check_paths([str(AFTER12 / folder)], RunOptions())
    return {(Path(f.path).name, f.span.line, f.rule, f.severity.value) for f in run.findings}


@pytest.fixture(scope="module")
def bundled() -> set[tuple[str, int, str, str]]:
    return findings("bundled")


@pytest.fixture(scope="module")
def local_default() -> set[tuple[str, int, str, str]]:
    return findings("local_default")


def test_bundled_imaplib2_login_under_imaplibs_name(bundled) -> None:
    assert ("backend.py", 23, "AS102", "warning") in bundled
    assert ("backend.py", 21, "AS102", "warning") in bundled  # CRAM-MD5 sends the password too


def test_bundled_imaplib2_class_imported_by_name(bundled) -> None:
    assert ("direct.py", 8, "AS102", "warning") in bundled


def test_bundled_imaplib2_with_xoauth2_has_no_login(bundled) -> None:
    assert not {f for f in bundled if f[0] == "oauth.py" and f[2] == "AS102"}


def test_loopback_default_of_settings_is_an_unknown_host(local_default) -> None:
    assert ("send.py", 23, "AS101", "warning") in local_default  # verified SMTP_SSL
    assert ("send.py", 34, "AS101", "warning") in local_default  # the STARTTLS arm


def test_loopback_default_of_an_environment_variable(local_default) -> None:
    assert ("env_default.py", 10, "AS101", "warning") in local_default


def test_loopback_written_as_the_host_or_oauth2_stays_silent(local_default) -> None:
    assert not {f for f in local_default if f[0] == "negatives.py" and f[2] == "AS101"}


def test_a_loopback_default_stands_in_for_the_named_server(local_default) -> None:
    """An environment variable's or a parameter's loopback default: an unknown host, as
    the labels of sets 17 and 18 read it (sets 6 and 10 read it as a local relay)."""
    assert {f for f in local_default if f[0] == "defaults.py"} == {
        ("defaults.py", 11, "AS101", "warning"),
        ("defaults.py", 11, "AS203", "warning"),
        ("defaults.py", 17, "AS204", "warning"),
        ("defaults.py", 18, "AS101", "warning"),
    }


def test_imapclient_factory_turned_off_is_unverified() -> None:
    found = findings("imapclient_context")
    assert ("filter.py", 12, "AS204", "warning") in found
    assert ("filter.py", 22, "AS204", "warning") in found  # ``imapclient.tls``'s own
    assert not {f for f in found if f[0] == "verified.py" and f[2] == "AS204"}


def test_context_written_into_spread_keywords() -> None:
    found = findings("imapclient_context")
    assert ("spread_params.py", 14, "AS204", "warning") in found
    assert ("spread_params.py", 22, "AS204", "warning") not in found
