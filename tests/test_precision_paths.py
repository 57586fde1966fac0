"""Paths through retries and guarded upgrades (issue 22, precision8): a STARTTLS tried in
a ``try`` is tried only where the connection it belongs to is open, and real retry loops
(a method calling itself, a helper calling back, a loop connecting again) give each run
its own session."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

PRECISION = Path(__file__).resolve().parent.parent / "fixtures" / "precision"
RETRIES = PRECISION / "retries"
PATH_RULES = ("AS101", "AS102", "AS201", "AS202", "AS203", "AS204", "AS206")


def found(path: Path) -> set[tuple[int, str]]:
    run = check_paths([str(path)], RunOptions())
    return {(f.span.line, f.rule) for f in run.findings if f.rule in PATH_RULES}


def test_an_upgrade_tried_on_the_plain_arm_is_not_tried_on_the_implicit_tls_one() -> None:
    """``IMAP4_SSL`` when ``is_oauth or use_ssl``, else ``IMAP4`` upgraded in a ``try``
    under ``not is_oauth and not use_ssl``: the upgrade that raises was tried on the plain
    connection only (its name held that one), so the implicit-TLS connection gets no
    AS206 through the handler; the login is reported, and the OAuth retry that calls the
    method again does not splice a second session into the first."""
    assert found(RETRIES / "connector.py") == {(35, "AS102")}


def test_retry_loops_start_sessions_of_their_own() -> None:
    """A helper that reconnects by calling the connecting method, a ``for attempt in
    range(3)`` loop, and a method that calls itself on a dropped connection: only the
    password logins."""
    assert found(RETRIES / "retry_shapes.py") == {(24, "AS102"), (41, "AS101"), (57, "AS101")}


def test_an_upgrade_tried_on_an_encrypted_connection_is_still_reported() -> None:
    """The nearest real bugs: ``SMTP_SSL`` or ``IMAP4_SSL`` then ``starttls()`` in a
    ``try`` (the handler going on or giving up), and a method that upgrades its
    implicit-TLS connection and retries by calling itself."""
    assert found(RETRIES / "bugs.py") == {
        (13, "AS206"),
        (16, "AS101"),
        (22, "AS206"),
        (31, "AS206"),
        (33, "AS102"),
    }


def test_a_context_picked_by_a_conditional_expression() -> None:
    """``ctx if verify else None`` and its forms (a given context, ``None if insecure
    else ctx``): the arm without verification is the program's option, one info at that
    arm. A committed value picks the arm (``VERIFY_SSL = False``: a warning; ``True``:
    nothing); two arms without verification, and ``context=None`` written, stay warnings.
    aiosmtplib's ``tls_context=None`` is its own verifying context (no finding), its
    ``validate_certs=False`` is not."""
    run = check_paths([str(PRECISION / "context_choices.py")], RunOptions())
    assert {(f.span.line, f.severity.value) for f in run.findings if f.rule == "AS204"} == {
        (16, "info"),
        (23, "info"),
        (28, "info"),
        (34, "warning"),
        (45, "warning"),
        (50, "warning"),
        (63, "warning"),
    }


def test_a_client_picked_by_a_conditional_expression_is_opened_on_its_arm() -> None:
    """``SMTP_SSL(...) if use_ssl else SMTP(...)`` then ``if not use_ssl: starttls()``:
    the upgrade is the plain connection's (no AS206 on the implicit-TLS one). Upgrading
    after the choice on every run is AS206; a Microsoft 365 plain arm never upgraded is
    AS203 (and its 465 arm AS202)."""
    assert found(PRECISION / "choice_expression.py") == {
        (24, "AS206"),
        (30, "AS202"),
        (31, "AS101"),
        (31, "AS203"),
    }


def test_an_upgrade_made_when_the_server_offers_it() -> None:
    """``if server.has_extn("STARTTLS"): starttls()`` and ``"STARTTLS" in
    imap.capabilities`` before the login to Microsoft 365, which always offers it: no
    AS203. An upgrade under the program's option (``use_tls``) or after the login: AS203."""
    assert found(PRECISION / "offered_starttls.py") == {
        (20, "AS101"),
        (27, "AS102"),
        (34, "AS101"),
        (34, "AS203"),
        (39, "AS101"),
        (39, "AS203"),
    }


def test_a_reconnect_that_upgrades_and_logs_in_again_is_a_new_session() -> None:
    """``connect()`` in an ``except SMTPServerDisconnected:`` followed by STARTTLS and the
    login again: no AS207. A ``connect()`` followed by a send, or by a login before the
    new upgrade: AS207 (and AS203 for the latter)."""
    run = check_paths([str(PRECISION / "reconnect.py")], RunOptions())
    assert {(f.span.line, f.rule) for f in run.findings if f.rule in ("AS203", "AS207")} == {
        (27, "AS207"),
        (34, "AS207"),
        (35, "AS203"),
    }


def test_methods_called_elsewhere_run_in_the_protocol_s_order() -> None:
    """``connect()``, ``authenticate()``, ``secure()`` written in that order and called
    nowhere in the module: their users call them in the protocol's order (no AS203). A
    method that logs in before it upgrades, and a method of the class that calls its
    helpers in the wrong order, are AS203."""
    run = check_paths([str(PRECISION / "method_order.py")], RunOptions())
    assert {(f.span.line, f.rule) for f in run.findings if f.rule == "AS203"} == {
        (36, "AS203"),
        (51, "AS203"),
    }


def test_match_cases_say_what_the_subject_is() -> None:
    """``case "ssl" | "implicit":`` opens implicit TLS, ``case _:`` a plain client: the
    upgrade under ``if mode not in ("ssl", "implicit"):`` is the plain one's (no AS206).
    An upgrade after the ``match`` on every run, or under ``if mode == "ssl":`` after a
    guarded ``case "ssl" if strict:``, is AS206."""
    assert {(line, rule) for line, rule in found(PRECISION / "match_cases.py")} == {
        (29, "AS206"),
        (40, "AS206"),
    }


def test_a_mode_read_through_a_normalising_call_is_one_value() -> None:
    """``encryption.upper() == "SSL"`` then ``encryption.upper() == "TLS"``: never both
    (no AS206). ``encryption.lower() == "ssl"`` after the first can hold with it: AS206."""
    assert found(PRECISION / "normalised_mode.py") == {(28, "AS206")}


def test_a_port_parameter_tested_around_the_client_is_the_tested_port() -> None:
    """``if port == 465: SMTP_SSL(HOST, port)`` with ``port=587``: port 465 on that arm
    (AS202 for Microsoft 365, not AS201). ``SMTP_SSL`` on the default 587 with no test,
    or under ``if use_ssl:``, is AS201."""
    assert {f for f in found(PRECISION / "port_arms.py") if f[1] in ("AS201", "AS202")} == {
        (15, "AS202"),
        (22, "AS201"),
        (27, "AS201"),
    }


def test_a_plain_client_beside_arms_that_upgrade_is_the_user_s_choice() -> None:
    """``ssl``/``starttls``/anything else opening their own clients, in one function or one
    method per mode: the plain login is the user's choice (no AS203). Still AS203: plain
    beside implicit TLS only, a plain arm a parameter's default takes, Microsoft 365."""
    run = check_paths([str(PRECISION / "plain_by_option.py")], RunOptions())
    assert {(f.span.line, f.rule) for f in run.findings if f.rule == "AS203"} == {
        (60, "AS203"),
        (69, "AS203"),
        (78, "AS203"),
    }


def test_a_path_ends_at_a_return_without_mail_calls() -> None:
    """``return server`` after the implicit-TLS arm's login, or as all an ``if use_ssl:``
    does: the upgrade after it is the plain arm's (no AS206). An arm that goes on, and an
    implicit-TLS client upgraded where the code does not return, are AS206."""
    assert {f for f in found(PRECISION / "early_return.py") if f[1] == "AS206"} == {
        (43, "AS206"),
        (52, "AS206"),
    }


def test_a_starttls_retried_in_the_handler_of_the_one_that_raised() -> None:
    """``starttls(ssl_context=...)`` in a ``try`` and ``starttls()`` in its ``except
    TypeError:``: the retry upgrades a session still in plain text (no AS206; without a
    context it is AS204). A second STARTTLS after the ``try`` stays AS206, and a handler
    that goes on without upgrading gets no AS203 at the login."""
    assert found(RETRIES / "starttls_fallback.py") == {
        (17, "AS204"),
        (18, "AS102"),
        (28, "AS206"),
        (29, "AS102"),
        (39, "AS102"),
    }


def test_checks_off_only_for_other_providers_hosts() -> None:
    """``if host in ("imap.126.com", "imap.163.com"):`` turning a default context's checks
    off never applies to Microsoft 365: no AS204 (it was an info). Checks off for
    ``outlook.office365.com``, or under an option of the program, stay infos."""
    run = check_paths([str(PRECISION / "context_for_other_hosts.py")], RunOptions())
    assert {(f.span.line, f.severity.value) for f in run.findings if f.rule == "AS204"} == {
        (23, "info"),
        (33, "info"),
    }


def test_self_calls_run_the_methods_of_the_object_s_class() -> None:
    """``server = self.connect()`` then ``self.secure(server)`` in a base class whose
    subclass overrides both for implicit TLS: the subclass's encrypted connection reaches
    its own ``secure`` (no AS206 at the base's STARTTLS), and the base's plain connection
    logs in before the upgrade (AS203). The nearest variant that stays: a subclass that
    overrides the factory only runs the inherited STARTTLS on its encrypted connection
    (AS206), and the base that upgrades before it logs in is not AS203."""
    assert found(PRECISION / "overridden_factory.py") == {
        (23, "AS101"),
        (23, "AS203"),
        (46, "AS206"),
        (51, "AS101"),
    }
