"""Libraries as real packages use them (issue 22, round 2): stand-in modules for the
standard ones, RPA plugins, presets handed to base classes in other modules."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

LIBRARIES = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "libraries"


def pinned(name: str, rules: tuple[str, ...] = ()) -> set[tuple[str, int, str, str]]:
    run = check_paths([str(LIBRARIES / name)], RunOptions())
    return {
        (Path(f.path).name, f.span.line, f.rule, f.severity.value)
        for f in run.findings
        if not rules or f.rule in rules
    }


def test_a_backported_ssl_module_is_the_standard_one() -> None:
    """``from backports import ssl``: its ``SSLContext`` with ``CERT_NONE`` verifies nothing."""
    assert pinned("backported_ssl_context.py") == {
        ("backported_ssl_context.py", 18, "AS204", "warning"),
        ("backported_ssl_context.py", 21, "AS102", "error"),
    }


def test_presets_handed_to_base_classes_in_other_modules() -> None:
    """Provider presets whose host reaches the login through a subclass in another module,
    a class without ``__init__`` of its own, a package ``__init__`` that re-exports it, a
    cooperative ``super().__init__(..., **kwargs)``, and an empty default (``password=None``)
    the caller fills; the Gmail preset stays silent."""
    found = pinned("presets", ("AS101",))
    assert found == {
        ("office365.py", 6, "AS101", "error"),
        ("outlook.py", 6, "AS101", "error"),
        ("notify.py", 7, "AS101", "error"),
        ("smtp.py", 18, "AS101", "warning"),
    }
    run = check_paths(
        [str(LIBRARIES / "presets" / "mailkit" / "providers" / "office365.py")], RunOptions()
    )
    (login,) = [f for f in run.findings if f.rule == "AS101"]
    assert "through RichMessage in" in login.message and "through SmtpTransport in" in login.message


def test_a_constructor_that_logs_in_is_the_login() -> None:
    """The finding starts at the constructor (where one looks for the login) and reaches
    the password argument (what has to change)."""
    run = check_paths([str(LIBRARIES / "constructor_login.py")], RunOptions())
    (login,) = [f for f in run.findings if f.rule == "AS101"]
    assert (login.span.line, login.span.end_line) == (10, 14)


def test_exchangelib_auth_type_chosen_at_run_time() -> None:
    """``auth_type=OAUTH2 if is_oauth else None``: on the password runs exchangelib guesses
    a password auth type, so password credentials stay a basic login (AS104); a loop over
    auth types tries the password ones."""
    assert pinned("exchange_keywords.py", ("AS104",)) == {
        ("exchange_keywords.py", 37, "AS104", "warning"),
        ("exchange_keywords.py", 49, "AS104", "warning"),
        ("exchange_keywords.py", 57, "AS104", "warning"),  # ``for auth_type in [NTLM, ...]``
    }


def test_rpaframework_imapsmtp_from_python() -> None:
    """The documented use: servers (and maybe credentials) on the constructor, then
    ``authorize``/``authorize_smtp``/``authorize_imap``; ``is_oauth=True`` is XOAUTH2,
    Gmail stays quiet, and credentials given once are one login."""
    assert pinned("rpa_mail.py", ("AS101", "AS102", "AS204")) == {
        ("rpa_mail.py", 7, "AS204", "warning"),
        ("rpa_mail.py", 8, "AS101", "error"),
        ("rpa_mail.py", 11, "AS102", "error"),
        ("rpa_mail.py", 11, "AS204", "warning"),
        ("rpa_mail.py", 14, "AS204", "warning"),
    }


def test_a_handler_starttls_is_the_constructor() -> None:
    """``secure=()`` makes SMTPHandler call ``starttls()`` without a context: the finding
    starts at the constructor and reaches the argument."""
    run = check_paths([str(LIBRARIES / "handler_secure.py")], RunOptions())
    (tls,) = [f for f in run.findings if f.rule == "AS204"]
    assert (tls.span.line, tls.span.end_line) == (8, 14)


def test_rpaframework_exchange_from_python() -> None:
    """``Exchange().authorize(...)``: an EWS password login unless ``is_oauth=True``; the
    server named by ``server=``, else autodiscover; a literal password is a secret."""
    assert pinned("rpa_exchange.py") == {
        ("rpa_exchange.py", 8, "AS104", "warning"),
        ("rpa_exchange.py", 15, "AS104", "error"),
        ("rpa_exchange.py", 15, "AS105", "error"),
    }


def test_aioimaplib() -> None:
    """aioimaplib's SSL client verifies by default (no AS204); its logins are password
    logins, the plain client's in clear text; Gmail and XOAUTH2 stay quiet."""
    assert pinned("async_imap.py") == {
        ("async_imap.py", 13, "AS102", "error"),
        ("async_imap.py", 21, "AS102", "error"),
        ("async_imap.py", 21, "AS203", "error"),
    }


def test_imbox_logs_in_when_constructed_in_both_of_its_shapes() -> None:
    """``Imbox(host, username=, password=)`` (0.9) and the ``Config`` of 0.10 log in over
    IMAP at once; its implicit TLS verifies, its STARTTLS upgrade does not (imbox calls
    ``starttls()`` with no context); a Gmail reader stays silent."""
    assert pinned("imbox_reader.py") == {
        ("imbox_reader.py", 10, "AS105", "error"),
        ("imbox_reader.py", 12, "AS102", "error"),
        ("imbox_reader.py", 15, "AS102", "warning"),
        ("imbox_reader.py", 20, "AS204", "warning"),
        ("imbox_reader.py", 23, "AS102", "error"),
    }


def test_exchangelib_auth_type_read_back_from_autodiscover() -> None:
    """``auth_type=discovered.protocol.auth_type``: not known here, but password
    credentials are sent with a password auth type whatever it is; OAuth2 credentials
    with an auth type from the environment stay OAuth2."""
    assert pinned("exchange_discovered_auth_type.py", ("AS104",)) == {
        ("exchange_discovered_auth_type.py", 11, "AS104", "warning"),
    }


def test_the_net_sees_chained_logins_and_leaves_the_modules_own_classes() -> None:
    """``Client(host).login(...)`` as a module's only login; a subclass of an unmodelled
    client; a class of the module with its own ``login``: reported inside it, once."""
    found = pinned("net_shapes.py", ("AS101", "AS102"))
    assert found == {
        ("net_shapes.py", 27, "AS101", "error"),
        ("net_shapes.py", 33, "AS101", "error"),
        ("net_shapes.py", 34, "AS102", "error"),
    }
    assert pinned("net_chained_only.py", ("AS102",)) == {
        ("net_chained_only.py", 7, "AS102", "error"),
    }


def test_the_net_follows_connect_await_and_mail_urls() -> None:
    """A client told its server by ``connect(host, port)`` before its login, an awaited
    factory, and a mail URL with the password (django-mailbox's ``imap+ssl://``, an
    f-string): each a login named after its library; the Gmail twins stay silent."""
    assert pinned("net_reach.py") == {
        ("net_reach.py", 16, "AS102", "error"),
        ("net_reach.py", 29, "AS101", "error"),
        ("net_reach.py", 34, "AS102", "error"),
        ("net_reach.py", 36, "AS105", "error"),
        ("net_reach.py", 43, "AS101", "error"),
    }
    run = check_paths([str(LIBRARIES / "net_reach.py")], RunOptions())
    messages = {f.span.line: f.message for f in run.findings if f.rule != "AS105"}
    assert "made by mailkit.ImapClient().connect" in messages[16]
    assert "made by django_mailbox.models.Mailbox.objects.create" in messages[34]


def test_the_net_through_factories_chains_and_protocol_keywords() -> None:
    """A client a module function returns, logged in by its caller; ``imap_server=``; a
    method called between the constructor and the login; not their Gmail twins."""
    assert pinned("net_reach_chains.py") == {
        ("net_reach_chains.py", 23, "AS102", "error"),
        ("net_reach_chains.py", 30, "AS102", "error"),
        ("net_reach_chains.py", 35, "AS102", "error"),
    }


def test_the_net_reads_a_password_given_by_position() -> None:
    """``Client(host, port, user, SMTP_PASSWORD)`` and ``send_mail(..., os.getenv(
    "MAIL_PASSWORD"))`` with a Microsoft host; not Gmail, a token, a client secret, the
    module's own function (reported inside it) or ``super().__init__``."""
    assert pinned("net_positional_credentials.py") == {
        ("net_positional_credentials.py", 13, "AS101", "error"),
        ("net_positional_credentials.py", 15, "AS101", "error"),
        ("net_positional_credentials.py", 25, "AS204", "warning"),
        ("net_positional_credentials.py", 26, "AS101", "error"),
    }


def test_the_net_leaves_oauth_urls_without_passwords_and_web_addresses() -> None:
    """XOAUTH2 after ``connect``, a mail URL without a password, an ``https://`` address
    of the same host, an FTP login, and Django's ``EMAIL_URL`` (the settings reader's)."""
    assert pinned("net_reach_negatives.py") == set()


def test_settings_handed_to_unmodelled_libraries() -> None:
    """Keywords named after the protocol (``smtp_server=`` with a bare ``password=``,
    ``imap_host=``/``imap_password=``) and dicts handed over inline or built in a function,
    for a Microsoft host; Gmail, an OAuth2 token and framework keys stay silent."""
    assert pinned("unmodelled_settings.py") == {
        ("unmodelled_settings.py", 16, "AS101", "error"),
        ("unmodelled_settings.py", 24, "AS102", "error"),
        ("unmodelled_settings.py", 31, "AS102", "error"),
        ("unmodelled_settings.py", 45, "AS101", "error"),
    }


def test_settings_of_a_module_that_only_names_a_microsoft_host() -> None:
    """No mail library or setting name in the module, the host in a constant: the call's
    keywords and a config dict are read as settings where they hold the Microsoft host
    (port 465 there: AS202), not for Gmail or a database."""
    assert pinned("unmodelled_settings_host_named.py") == {
        ("unmodelled_settings_host_named.py", 17, "AS102", "error"),
        ("unmodelled_settings_host_named.py", 22, "AS202", "error"),
        ("unmodelled_settings_host_named.py", 22, "AS101", "error"),
    }


def test_apprise_mail_urls() -> None:
    """apprise's ``mailto://`` service: the domain's template (outlook.com, hotmail.com),
    ``?smtp=`` with a plain ``mailto`` URL (port 25, no STARTTLS before the login), and
    ``?mode=ssl`` on the template's 587; Gmail, other services, a URL from the environment
    and ``o365://`` stay silent; a literal password in the URL is AS105."""
    assert pinned("apprise_notify.py") == {
        ("apprise_notify.py", 12, "AS101", "error"),
        ("apprise_notify.py", 13, "AS101", "error"),
        ("apprise_notify.py", 13, "AS202", "warning"),
        ("apprise_notify.py", 13, "AS203", "error"),
        ("apprise_notify.py", 13, "AS105", "error"),
        ("apprise_notify.py", 14, "AS101", "error"),
        ("apprise_notify.py", 14, "AS201", "error"),
        ("apprise_notify.py", 14, "AS105", "error"),
    }


def test_easyimap_connect_logs_in() -> None:
    """easyimap's ``connect`` logs in at once over imaplib's unverified IMAP4_SSL, or plain
    IMAP with ``ssl=False``; Gmail stays silent."""
    assert pinned("easyimap_reader.py") == {
        ("easyimap_reader.py", 9, "AS102", "error"),
        ("easyimap_reader.py", 9, "AS204", "warning"),
        ("easyimap_reader.py", 13, "AS102", "error"),
        ("easyimap_reader.py", 13, "AS203", "error"),
    }


def test_prefect_email_blocks() -> None:
    """``EmailServerCredentials`` is SMTP_SSL on 465 by default (AS202 for Office 365),
    587 with ``smtp_type="STARTTLS"`` in any case, ``"outlook"`` the Outlook.com preset;
    Gmail, the default server, stays silent."""
    assert pinned("prefect_mail.py") == {
        ("prefect_mail.py", 10, "AS101", "error"),
        ("prefect_mail.py", 10, "AS202", "error"),
        ("prefect_mail.py", 15, "AS101", "error"),
        ("prefect_mail.py", 21, "AS101", "error"),
        ("prefect_mail.py", 22, "AS105", "error"),
    }


def test_zmail_picks_the_server_by_the_addresss_domain() -> None:
    """zmail's table: ``@hotmail.com`` is smtp.office365.com and ``@outlook.com``
    smtp-mail.outlook.com (587, STARTTLS without a context: AS204); QQ's server and a
    custom domain's ``smtp.<domain>`` are not Microsoft's; an address from the environment
    could be any (a warning, from that address); an f-string address whose domain is
    written (``f"{team}-alerts@hotmail.com"``) is that domain's."""
    assert pinned("zmail_sender.py") == {
        ("zmail_sender.py", 13, "AS101", "error"),
        ("zmail_sender.py", 13, "AS204", "warning"),
        ("zmail_sender.py", 13, "AS105", "error"),
        ("zmail_sender.py", 16, "AS101", "error"),
        ("zmail_sender.py", 16, "AS204", "warning"),
        ("zmail_sender.py", 25, "AS101", "warning"),
        ("zmail_sender.py", 29, "AS101", "error"),
        ("zmail_sender.py", 29, "AS204", "warning"),
    }
    run = check_paths([str(LIBRARIES / "zmail_sender.py")], RunOptions())
    messages = {(f.span.line, f.rule): f.message for f in run.findings}
    assert (
        "'smtp.office365.com' (default of zmail's server for @hotmail.com)"
        in messages[(13, "AS101")]
    )
    assert "the host from the domain of env MAIL_USER" in messages[(25, "AS101")]


def test_zmail_told_its_server() -> None:
    """The call's host, port and flags replace the table's: STARTTLS on 587 as asked; the
    custom domain's default of implicit TLS on 465 where the call names only the host."""
    assert pinned("zmail_explicit_server.py") == {
        ("zmail_explicit_server.py", 7, "AS101", "error"),
        ("zmail_explicit_server.py", 13, "AS204", "warning"),
        ("zmail_explicit_server.py", 17, "AS101", "error"),
        ("zmail_explicit_server.py", 17, "AS202", "error"),
        ("zmail_explicit_server.py", 17, "AS204", "warning"),
    }


def test_pyzmail_send_mail_and_its_text_mode() -> None:
    """``smtp_mode="tls"`` is an unverified STARTTLS, ``"ssl"`` implicit TLS (on 465 here:
    AS202), by keyword or by position; a relay without a login and Gmail stay silent."""
    assert pinned("pyzmail_sender.py") == {
        ("pyzmail_sender.py", 12, "AS101", "error"),
        ("pyzmail_sender.py", 12, "AS204", "warning"),
        ("pyzmail_sender.py", 23, "AS101", "error"),
        ("pyzmail_sender.py", 23, "AS202", "error"),
        ("pyzmail_sender.py", 23, "AS204", "warning"),
        ("pyzmail_sender.py", 23, "AS105", "error"),
    }


def test_imaplib2_verifies_only_with_a_ca_file() -> None:
    """imaplib2's ``IMAP4_SSL`` and ``starttls`` check certificates only when ``ca_certs``
    is given: without it AS204; with it none (line 21); Gmail's plain client upgraded with
    a CA file is left alone."""
    assert pinned("imaplib2_idle.py") == {
        ("imaplib2_idle.py", 13, "AS204", "warning"),
        ("imaplib2_idle.py", 14, "AS102", "error"),
        ("imaplib2_idle.py", 22, "AS102", "warning"),
    }


def test_the_older_mailer_distribution() -> None:
    """mailer 0.8.1: ``Mailer(host, port, use_tls, usr, pwd, use_ssl)`` and ``login(usr,
    pwd)``; STARTTLS and implicit TLS without a context (AS204), 465 on Microsoft's host
    (AS202); the Gmail variant is silent."""
    assert pinned("mailer_classic.py") == {
        ("mailer_classic.py", 12, "AS101", "error"),
        ("mailer_classic.py", 13, "AS204", "warning"),
        ("mailer_classic.py", 19, "AS204", "warning"),
        ("mailer_classic.py", 20, "AS101", "error"),
        ("mailer_classic.py", 25, "AS202", "error"),
        ("mailer_classic.py", 25, "AS204", "warning"),
        ("mailer_classic.py", 26, "AS101", "error"),
    }


def test_pyramid_mailer_by_keyword_and_from_settings() -> None:
    """``Mailer(host=..., username=..., password=..., tls=True)`` and ``Mailer.from_settings``
    / ``mailer_factory_from_settings`` on a dict of ``mail.`` keys (reported where the
    dict's password and ``tls`` are written, once for both calls): STARTTLS without a
    context (AS204); ``ssl=True`` is ``SMTP_SSL`` without one, on 465 here (AS202); the
    Gmail variant is silent."""
    assert pinned("pyramid_mail.py") == {
        ("pyramid_mail.py", 13, "AS101", "error"),
        ("pyramid_mail.py", 14, "AS204", "warning"),
        ("pyramid_mail.py", 19, "AS101", "error"),
        ("pyramid_mail.py", 24, "AS204", "warning"),
        ("pyramid_mail.py", 37, "AS101", "error"),
        ("pyramid_mail.py", 37, "AS204", "warning"),
        ("pyramid_mail.py", 39, "AS202", "error"),
    }


def test_zmail_reading_over_pop3() -> None:
    """A zmail server on which a reading method is called (``get_mails``, ``stat``, ...)
    logs in over POP3: ``@hotmail.com`` reads from outlook.office365.com on 995 with
    implicit TLS, without a context (AS102, AS204); ``pop_host``/``pop_tls`` the call gives
    replace the table's (STARTTLS without a context at ``pop_tls``); one that only sends
    stays SMTP; the Gmail reader is silent."""
    assert pinned("zmail_reader.py") == {
        ("zmail_reader.py", 7, "AS102", "error"),
        ("zmail_reader.py", 7, "AS204", "warning"),
        ("zmail_reader.py", 11, "AS101", "error"),
        ("zmail_reader.py", 11, "AS204", "warning"),
        ("zmail_reader.py", 17, "AS102", "error"),
        ("zmail_reader.py", 23, "AS204", "warning"),
    }


def test_a_zmail_reader_that_names_nothing_else_is_checked() -> None:
    """Its only mail word is zmail's own name (the address picks the host): the byte
    pre-check does not skip it."""
    assert pinned("zmail_reader_only.py") == {
        ("zmail_reader_only.py", 6, "AS102", "error"),
        ("zmail_reader_only.py", 6, "AS204", "warning"),
    }


def test_redbox_mailboxes_log_in_over_unverified_tls() -> None:
    """Red Box's ``EmailBox`` opens imaplib's IMAP4_SSL without a context and logs in with
    the constructor's password (by position or keyword, a host from the caller: a
    warning); Gmail stays silent; a box without credentials makes no login."""
    assert pinned("redbox_reader.py") == {
        ("redbox_reader.py", 11, "AS102", "error"),
        ("redbox_reader.py", 11, "AS204", "warning"),
        ("redbox_reader.py", 15, "AS102", "warning"),
        ("redbox_reader.py", 15, "AS204", "warning"),
        ("redbox_reader.py", 20, "AS204", "warning"),
    }
