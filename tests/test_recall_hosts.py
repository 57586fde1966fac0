"""Hosts as fresh code writes them (issue 22, family 3): placeholders are unknown hosts,
a template keeps the provider its fixed part names, case does not matter, and a host
chosen at run time from a table is Microsoft's when any entry is, another provider's when
all are named and none is Microsoft's."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.scanner.engine import Settings, check_paths, check_source
from authsweep.scanner.model import Value
from authsweep.scanner.providers import (
    host_provider,
    is_placeholder_host,
    lookup,
    lookup_template,
)

HOSTS = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "hosts"


def pinned(path: Path) -> set[tuple[str, int, str, str, str]]:
    run = check_paths([str(path)], Settings())
    return {
        (
            Path(f.path).name,
            f.span.line,
            f.rule,
            f.severity.value,
            f.confidence.value,
        )
        for f in run.findings
        if f.rule in ("AS101", "AS102")
    }


@pytest.mark.parametrize(
    "host",
    [
        "smtp.yourserver.com",
        "your.smtp.server.com",
        "smtp.website.com",
        "mail.example.com",
        "smtp.example.org",
        "smtp.domain.com",
        "smtp.xxx.com",
        "smtp.your-domain.co.uk",
        "mail.mycompany.com",
        "smtp.my_provider.net",
        "SMTP.YourDomain.com",
        "<smtp server>",
        "${SMTP_HOST}",
        "mail.corp.example",
        "smtp.isp.com",
    ],
)
def test_placeholder_hosts(host: str) -> None:
    assert is_placeholder_host(host)
    assert lookup(host).placeholder and not lookup(host).microsoft


@pytest.mark.parametrize(
    "host",
    [
        "smtp.gmail.com",
        "smtp.mail.com",
        "smtp.mail.yahoo.com",
        "email-smtp.us-east-1.amazonaws.com",
        "mail.host-europe.de",
        "smtp.myrepublic.net",
        "mail.contoso.com",
        "mailhog",
        "10.0.0.25",
        "smtp.office365.com",
        "contoso-com.mail.protection.outlook.com",
    ],
)
def test_real_hosts_are_not_placeholders(host: str) -> None:
    assert not is_placeholder_host(host) or lookup(host).microsoft
    assert not lookup(host).placeholder


@pytest.mark.parametrize(
    ("template", "key"),
    [
        ("smtp.zoho.{}", "other-known"),
        ("{}.office365.com", "m365"),
        ("Smtp.Office365.{}", "m365"),
        ("{}.mail.protection.outlook.com", "m365-direct-send"),
        ("smtp-{}.gmail.com", "gmail"),  # smtp-relay.gmail.com
        ("imap-{}.gmail.com", None),  # no Gmail host has that shape
        ("smtp.{}.com", None),  # the domain's own name is a hole
        ("{}.com", None),
        ("{}", None),
        ("smtp.{}", None),
    ],
)
def test_templates_keep_their_provider(template: str, key: str | None) -> None:
    provider = lookup_template(template)
    assert (provider.key if provider else None) == key
    if provider is not None:
        assert provider.probable and template in provider.probable_note


def test_one_of_several_hosts() -> None:
    def one_of(*hosts: str) -> Value:
        return Value(False, None, candidates=tuple(Value.of(host) for host in hosts))

    free = host_provider(one_of("smtp.gmail.com", "smtp.mail.yahoo.com"))
    assert free is not None and not free.microsoft
    mixed = host_provider(one_of("smtp.gmail.com", "smtp.office365.com"))
    assert mixed is not None and mixed.microsoft and mixed.probable
    assert "'smtp.office365.com'" in mixed.probable_note
    # A placeholder or an unknown entry leaves the host unknown.
    assert host_provider(one_of("smtp.gmail.com", "smtp.yourserver.com")) is None
    unknown = Value(False, None, candidates=(Value.of("smtp.gmail.com"), Value.unknown("env X")))
    assert host_provider(unknown) is None


def test_placeholder_hosts_are_reported_as_unknown_hosts() -> None:
    assert pinned(HOSTS / "placeholder_hosts.py") == {
        ("placeholder_hosts.py", 14, "AS101", "warning", "medium"),
        ("placeholder_hosts.py", 20, "AS101", "warning", "medium"),
        ("placeholder_hosts.py", 29, "AS102", "warning", "medium"),
    }


def test_named_hosts_of_other_providers_stay_silent() -> None:
    assert pinned(HOSTS / "named_hosts.py") == set()


def test_templates_and_case() -> None:
    assert pinned(HOSTS / "templates.py") == {
        # {}.office365.com: Microsoft's by its shape, not certain which host
        ("templates.py", 17, "AS101", "error", "medium"),
        # smtp.%s.com: anyone's
        ("templates.py", 25, "AS101", "warning", "medium"),
        ("templates.py", 32, "AS101", "error", "high"),
    }


def test_tables_of_hosts_chosen_at_run_time() -> None:
    assert pinned(HOSTS / "provider_tables.py") == {
        ("provider_tables.py", 26, "AS101", "error", "medium"),
    }


def test_a_host_known_in_part_gets_no_oauth2_rewrite() -> None:
    """The rewrite needs a host known to be Microsoft's: a template or one entry of a
    table may be another provider's at run time."""
    result = check_source("m.py", "python", (HOSTS / "templates.py").read_bytes(), _rules())
    (login,) = [f for f in result.findings if f.rule == "AS101" and f.span.line == 17]
    assert login.fix is None
    assert "by its shape '{}.office365.com'" in login.message


def test_placeholder_host_in_settings_keeps_its_literal_password_a_secret() -> None:
    code = b"EMAIL_HOST = 'smtp.yourdomain.com'\nEMAIL_HOST_PASSWORD = 'Winter2026!'\n"
    result = check_source("settings.py", "python", code, _rules())
    assert ("AS105", 2) in {(f.rule, f.span.line) for f in result.findings}


def test_string_formats_are_values() -> None:
    code = (
        "import smtplib\n"
        "HOST = 'smtp.{}.com'.format('office365')\n"
        "OTHER = 'smtp.%s.com' % ('gmail',)\n"
        "WIDE = '%999999999s' % ('x',)\n"
        "smtplib.SMTP(HOST, 587).login(u, p)\n"
        "smtplib.SMTP(OTHER, 587).login(u, p)\n"
    )
    got = {(f.rule, f.span.line, f.severity.value) for f in _findings(code)}
    assert ("AS101", 5, "error") in got
    assert not [line for _, line, _ in got if line == 6]


def _findings(code: str):
    return check_source("m.py", "python", code.encode(), _rules()).findings


def _rules():
    from authsweep.rules import ALL_RULES

    return [rule() for rule in ALL_RULES]


def test_a_host_known_in_part_passed_to_a_helper() -> None:
    code = (
        "import os, smtplib\n"
        "def connect(host, user, pw):\n"
        "    s = smtplib.SMTP(host, 587)\n"
        "    s.starttls()\n"
        "    s.login(user, pw)\n"
        "connect(f\"{os.environ['REGION']}.office365.com\", 'u', os.environ['P'])\n"
        "def connect2(host, user, pw):\n"
        "    s = smtplib.SMTP(host, 587)\n"
        "    s.starttls()\n"
        "    s.login(user, pw)\n"
        "connect2('smtp.gmail.com', 'u', os.environ['P'])\n"
        "connect2('smtp.mail.yahoo.com', 'u', os.environ['P'])\n"
    )
    got = {(f.rule, f.span.line, f.severity.value) for f in _findings(code)}
    assert ("AS101", 5, "error") in got
    assert not [line for _, line, _ in got if line > 6]  # Gmail or Yahoo, every call
