"""Hosts as fresh code writes them (issue 22, family 3): placeholders are unknown hosts,
a template keeps the provider its fixed part names, case does not matter, and a host
chosen at run time from a table is Microsoft's when any entry is, another provider's when
all are named and none is Microsoft's."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions, analyze_source, check_source
from authsweep.scanner.model import Value
from authsweep.scanner.providers import (
    host_provider,
    is_placeholder_host,
    lookup,
    lookup_template,
)
from authsweep.scanner.runner import check_paths
from authsweep.scanner.text import Source

HOSTS = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "hosts"


def pinned(path: Path) -> set[tuple[str, int, str, str, str]]:
    run = check_paths([str(path)], RunOptions())
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
        "smtp.domain.com",
        "smtp.xxx.com",
        "smtp.your-domain.co.uk",
        "mail.mycompany.com",
        "smtp.my_provider.net",
        "SMTP.YourDomain.com",
        "<smtp server>",
        "${SMTP_HOST}",
        "smtp.isp.com",
        "smtp.host_address.com",
        "smtp.hostaddress.com",
        "smtp.meumail.com",
        "mail.seudominio.com.br",
        "smtp.suaempresa.com.br",
        "smtp.votredomaine.fr",
        "mail.tudominio.es",
        "smtp.mi-servidor.es",
        "smtp.ihredomain.de",
        "mail.tuodominio.it",
        "smtp.your_email_provider.com",
        "smtp服务器:端口",
        "smtp server:port",
        "mail server address",
        "Mailserver-Hostname",
        "YOUR_SMTP_SERVER",
        "smtp_host_address",
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
        "mail-server",
        "smtp_host",
        "exchange01",
        "10.0.0.25",
        "smtp.office365.com",
        "contoso-com.mail.protection.outlook.com",
        "smtp.email.com",
        "smtp.hostinger.com",
        "mail.namecheap.com",
        "smtp.siteground.com",
        "smtp.laposte.net",
        "smtp.poczta.onet.pl",
        "smtp.correo.yahoo.es",
        "smtp.kinghost.net",
        "mail.uolhost.com.br",
        "smtpout.secureserver.net",
        "smtp.servers.com",
        "smtp.gmail.com:587",
        "tls://smtp.gmail.com",
        "fe80::1ff:fe23:4567:890a",
        "::1",
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
        return Value(False, None, choices=tuple(Value.of(host) for host in hosts))

    free = host_provider(one_of("smtp.gmail.com", "smtp.mail.yahoo.com"))
    assert free is not None and not free.microsoft
    # Microsoft 365's on some runs: mixed, not a doubt about the provider (the fix tells
    # the runs apart), and the message says which entry it is.
    mixed = host_provider(one_of("smtp.gmail.com", "smtp.office365.com"))
    assert mixed is not None and mixed.microsoft and mixed.mixed and not mixed.probable
    assert "'smtp.office365.com'" in mixed.probable_note
    every = host_provider(one_of("smtp.office365.com", "outlook.office365.com"))
    assert every is not None and every.microsoft and not every.mixed and not every.probable
    # A placeholder or an unknown entry leaves the host unknown.
    assert host_provider(one_of("smtp.gmail.com", "smtp.yourserver.com")) is None
    unknown = Value(False, None, choices=(Value.of("smtp.gmail.com"), Value.unknown("env X")))
    assert host_provider(unknown) is None


@pytest.mark.parametrize(
    "host",
    [
        "smtp.example.com",
        "imap.example.org",
        "mail.example.net",
        "SMTP.Example.COM.",
        "mail.corp.example",
        "smtp.office365.test",
        "outlook.office365.invalid",
        "smtp.localhost",
    ],
)
def test_documentation_domains_are_nobodys_hosts(host: str) -> None:
    """RFC 2606 and RFC 6761 reserve these names: no server, Microsoft's least of all, has
    one, so a login to one is no basic-auth login to Microsoft (not an unknown host)."""
    provider = lookup(host)
    assert not provider.microsoft and not provider.placeholder
    assert not is_placeholder_host(host)


def test_documentation_domains_are_not_reported() -> None:
    assert pinned(HOSTS / "documentation_domains.py") == set()


def test_documentation_domain_handed_to_a_wrapper_is_an_example() -> None:
    """A reusable sender's demo call with ``smtp.example.com`` stands for the reader's
    host: the login is to an unknown host (heldout8, sbfb67fbb/aes.py). So does another
    server's host the ``__main__`` demo hands a sender (Gmail's here): its users pass
    their own (heldout16's smbox, a package's IMAP helper demonstrated with imap.126.com),
    and one a function named as a test or demo hands it (``async def test_async():``),
    also the machine itself (a debugging server on ``localhost``). A host another
    function of the module hands a sender is that sender's host."""
    assert pinned(HOSTS / "documentation_domains_demo.py") == {
        ("documentation_domains_demo.py", 26, "AS101", "warning", "medium"),
        ("documentation_domains_demo.py", 38, "AS101", "warning", "medium"),
        ("documentation_domains_demo.py", 59, "AS101", "warning", "medium"),
        ("documentation_domains_demo.py", 85, "AS101", "warning", "medium"),
    }


def test_placeholder_hosts_are_reported_as_unknown_hosts() -> None:
    assert pinned(HOSTS / "placeholder_hosts.py") == {
        ("placeholder_hosts.py", 14, "AS101", "warning", "medium"),
        ("placeholder_hosts.py", 20, "AS101", "warning", "medium"),
        ("placeholder_hosts.py", 29, "AS102", "warning", "medium"),
    }


def test_placeholders_made_of_words_in_several_languages() -> None:
    """Compound words and other languages' "my"/"your"/"host"/"address"/"domain"."""
    assert pinned(HOSTS / "placeholder_words.py") == {
        ("placeholder_words.py", 16, "AS101", "warning", "medium"),
        ("placeholder_words.py", 23, "AS101", "warning", "medium"),
        ("placeholder_words.py", 29, "AS101", "warning", "medium"),
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


def test_hosts_picked_at_run_time() -> None:
    def login(setup: str, host: str) -> list[tuple[str, str, str]]:
        code = (
            f"import os, smtplib\n{setup}\n"
            "def send(user, password, index):\n"
            f"    smtp = smtplib.SMTP({host}, 587)\n"
            "    smtp.starttls()\n"
            "    smtp.login(user, password)\n"
        )
        checked = check_source("m.py", "python", code.encode(), _rules())
        return [
            (f.severity.value, f.confidence.value, f.message.split(":")[0])
            for f in checked.findings
            if f.rule == "AS101"
        ]

    # Either arm of a conditional; Microsoft's when either is, named in the message.
    (found,) = login(
        "HOST = 'smtp.office365.com' if os.environ.get('M') else 'x.gmail.com'", "HOST"
    )
    assert found[:2] == ("error", "medium")
    assert "'smtp.office365.com' or 'x.gmail.com'" in found[2]
    # A list known in part (a template among its entries) picked by a parameter.
    hosts = "HOSTS = [f\"{os.environ['REGION']}.office365.com\", 'smtp.gmail.com']"
    (found,) = login(hosts, "HOSTS[index]")
    assert found[:2] == ("error", "medium")
    assert "'{}.office365.com' or 'smtp.gmail.com' (picked by parameter index)" in found[2]
    # An item of a row picked at run time, read with .get(): the rows' items.
    rows = "ROWS = {'a': {'host': 'smtp.gmail.com'}, 'b': {'host': 'smtp.mail.yahoo.com'}}"
    assert login(rows, "ROWS[os.environ['P']].get('host')") == []
    rows = rows.replace("smtp.mail.yahoo.com", "smtp.office365.com")
    (found,) = login(rows, "ROWS[os.environ['P']].get('host')")
    assert "'smtp.gmail.com' or 'smtp.office365.com' (picked by env P)" in found[2]
    # A placeholder among them: an unknown host.
    (found,) = login("HOSTS = ['smtp.gmail.com', 'smtp.yourserver.com']", "HOSTS[index]")
    assert found[:2] == ("warning", "medium")


def test_a_row_picked_at_run_time_gives_the_item_all_rows_agree_on() -> None:
    code = (
        "import os, smtplib\n"
        "ROWS = {'a': {'host': 'smtp.office365.com', 'port': 465},\n"
        "        'b': {'host': 'outlook.office365.com'}}\n"
        "row = ROWS[os.environ['P']]\n"
        "smtp = smtplib.SMTP(row['host'], row.get('port', 465))\n"
    )
    connections = analyze_source("m.py", Source("python", code.encode())).connections
    # The rows are groups of settings too (``mapping_sites``); the code's connection:
    (conn,) = [c for c in connections if c.library == "smtplib"]
    assert conn.port.known and conn.port.value == 465
    assert [c.value for c in conn.host.choices or ()] == [
        "smtp.office365.com",
        "outlook.office365.com",
    ]


def test_an_at_sign_typed_for_a_dot_is_a_near_miss() -> None:
    """``server = smtp-mail@outlook.com`` in a committed INI that a configparser login
    reads: a misspelling of smtp-mail.outlook.com (AS101, and AS105 for its literal
    password); an address where the host belongs (``someone@outlook.com``) is none."""
    assert lookup("smtp-mail@outlook.com").meant_host == "smtp-mail.outlook.com"
    assert lookup("smtp@office365.com").meant_host == "smtp.office365.com"
    assert not lookup("someone@outlook.com").microsoft
    assert not lookup("a@smtp@office365.com").microsoft
    run = check_paths([str(HOSTS / "at_for_dot")], RunOptions())
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("smtp.ini", 5, "AS101"),
        ("smtp.ini", 5, "AS105"),
        ("mail_config.py", 10, "AS204"),
        ("mail_config.py", 11, "AS101"),
    }


def test_a_host_of_microsofts_live_com_domain_is_outlook_com() -> None:
    """``IMAP4_SSL("outlook.live.com")`` (heldout18: code reading Outlook.com mailboxes
    by XOAUTH2 on that host) is Outlook.com's, probably, as any host of outlook.com or
    hotmail.com is; ``live`` is too short a name to have misspellings (``lime.com``)."""
    assert lookup("outlook.live.com").microsoft
    assert lookup("outlook.live.com").meant_host == "live.com"
    assert not lookup("lime.com").microsoft
    assert not lookup("mail.lime.com").microsoft
    source = (
        "import imaplib\n"
        "m = imaplib.IMAP4_SSL('outlook.live.com', 993)\n"
        "m.authenticate('XOAUTH2', lambda _: auth)\n"
    )
    found = check_source("reader.py", "python", source.encode(), _rules()).findings
    assert [(f.rule, f.span.line) for f in found] == [("AS204", 2)]
    assert "a host of Microsoft's live.com domain" in found[0].message
