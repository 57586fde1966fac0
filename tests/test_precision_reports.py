"""One problem, one report (issue 22, precision): arms the project's committed settings
never take, a port setting read by several connections, a connection that tries several
password mechanisms, and a logging handler whose TLS option or credentials its caller
gives."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

PRECISION = Path(__file__).resolve().parent.parent / "fixtures" / "precision"


def found(name: str, rules: tuple[str, ...]) -> set[tuple[int, str]]:
    run = check_paths([str(PRECISION / name)], RunOptions())
    return {(f.span.line, f.rule) for f in run.findings if f.rule in rules}


def messages(name: str, rule: str) -> list[str]:
    run = check_paths([str(PRECISION / name)], RunOptions())
    return [f.message for f in run.findings if f.rule == rule]


def test_an_arm_the_committed_settings_never_take_opens_nothing() -> None:
    """``if EMAIL_CONFIG.get("use_ssl"):`` of an imported settings dict that commits
    ``"use_ssl": True``: the ``else:`` arm's ``SMTP(...)`` and the login after it on that
    arm are never made (no AS202 there, no AS203); its ``starttls()`` without a context is
    still written code to fix (AS204)."""
    assert found("committed/app.py", ("AS202", "AS203", "AS204", "AS101")) == {
        (8, "AS204"),
        (8, "AS202"),
        (12, "AS204"),
        (13, "AS101"),
        (19, "AS204"),
        (22, "AS204"),
        (23, "AS101"),
    }


def test_a_port_setting_read_by_several_connections_is_reported_once() -> None:
    """The settings dict's port is reported where it is written, and once in the code
    that reads it (at its first connection), not at every connection that reads it. In
    the dict, ``use_ssl``/``use_tls`` are the TLS flags of the ``smtp_*`` settings beside
    them: the port's fix is safe and switches them to STARTTLS with it."""
    assert found("committed/mail_settings.py", ("AS202",)) == {(5, "AS202")}
    assert [line for line, rule in found("committed/app.py", ("AS202",))] == [8]
    (port_in_code,) = messages("committed/app.py", "AS202")
    assert 'port 465 (from `EMAIL_CONFIG["smtp_port"]`, also read at line 19) of' in port_in_code
    run = check_paths([str(PRECISION / "committed" / "mail_settings.py")], RunOptions())
    (port,) = run.findings
    assert port.fix is not None and port.fix.applicability.value == "safe"
    assert {edit.replacement for edit in port.fix.remedy.edits} >= {"587", "False", "True"}


def test_module_constants_decide_arms_but_development_switches_and_the_environment_do_not() -> None:
    """``USE_SSL = False``: no port report for the ``SMTP_SSL(HOST, 465)`` arm (its missing
    context is still AS204); ``USE_OAUTH = True``: the password login on ``if not
    USE_OAUTH:`` is never sent. ``DEBUG = True`` is a developer's value (the production
    arm's login is reported); a flag from the environment, and a dict the module updates
    at run time, decide nothing."""
    assert found("committed/flags.py", ("AS101", "AS202", "AS203", "AS204")) == {
        (14, "AS204"),
        (31, "AS101"),
        (39, "AS101"),
        (39, "AS203"),
        (51, "AS101"),
        (51, "AS203"),
    }


def test_password_mechanisms_tried_in_turn_on_one_connection_are_one_login() -> None:
    """PLAIN, CRAM-MD5, ``login()`` and XOAUTH2 tried on one plain IMAP connection: one
    AS102 at ``login()`` naming the mechanisms, one AS203 naming the other lines; APOP
    then USER/PASS on one POP3 connection: one AS102 at ``pass_``."""
    assert found("mechanisms.py", ("AS102", "AS203")) == {
        (15, "AS102"),
        (15, "AS203"),
        (27, "AS102"),
    }
    imap, pop = sorted(messages("mechanisms.py", "AS102"))
    assert "(also tried as PLAIN on this connection)" in imap
    assert "(also tried as APOP on this connection)" in pop
    (clear,) = messages("mechanisms.py", "AS203")
    assert "(also at lines 10, 17 on this connection)" in clear


def test_a_handler_tls_option_the_caller_gives_is_no_tls_finding_at_the_handler() -> None:
    """``SMTPHandler(secure=secure)`` with ``secure`` a parameter (default None): whether
    it upgrades is the caller's choice, so neither AS204 nor AS203 at the handler; a
    ``secure=()`` written, or chosen by the code between None and ``()``, is AS204."""
    assert found("handler_options.py", ("AS103", "AS203", "AS204")) == {
        (12, "AS103"),
        (17, "AS204"),
        (22, "AS103"),
        (31, "AS204"),
        (36, "AS103"),
    }


def test_a_plain_path_a_user_option_chooses_is_reported_only_for_microsoft() -> None:
    """``if use_tls: starttls()`` then ``login()``: for a host not known, the plain path is
    an option of the program's user (a server without TLS); Microsoft 365 refuses AUTH
    on it. A connection never upgraded on any path is reported for any host."""
    assert found("tls_option.py", ("AS203",)) == {(17, "AS203"), (23, "AS203")}


def test_a_handler_wrapper_given_a_host_and_port_pair_logs_in_to_that_host() -> None:
    """``init_logging(("smtp.office365.com", 587), credentials)`` of a project function
    that makes an ``SMTPHandler(mailhost=...)``: the caller's AS103 is an error for the
    Microsoft host, not a warning for a host that is a tuple."""
    run = check_paths([str(PRECISION / "wrapped_handler" / "main.py")], RunOptions())
    handler, secured = sorted(
        (f for f in run.findings if f.rule == "AS103"), key=lambda f: f.span.line
    )
    assert handler.span.line == 7 and handler.severity.value == "error"
    assert "logs in to 'smtp.office365.com' (through init_logging" in handler.message
    assert secured.span.line == 9


def test_a_handler_tls_option_a_caller_gives_a_wrapper_is_reported_at_the_caller() -> None:
    """``init_logging(..., mail_secure=())`` of a project function that makes an
    ``SMTPHandler(secure=mail_secure)``: the handler's STARTTLS without a context is the
    caller's, reported at the argument; a caller that gives no ``secure`` gets none, and
    the wrapper's own file none either."""
    run = check_paths([str(PRECISION / "wrapped_handler")], RunOptions())
    tls = [(Path(f.path).name, f.span.line) for f in run.findings if f.rule == "AS204"]
    assert tls == [("main.py", 10)]


def test_handler_credentials_are_reported_where_the_caller_gives_them() -> None:
    """An SMTPHandler subclass whose ``__init__`` passes its ``credentials`` parameter to
    ``SMTPHandler.__init__``, made in the ``__main__`` block with ``(options.user,
    options.password)``: one AS103, at that argument (it was at the base-class call,
    where the labels do not put it). A module that never makes the subclass keeps it at
    the base-class call; one that makes it only without credentials reports nothing."""
    assert found("handler_callers/given_by_caller.py", ("AS103",)) == {(28, "AS103")}
    (message,) = messages("handler_callers/given_by_caller.py", "AS103")
    assert "'smtp.office365.com'" in message
    assert found("handler_callers/no_caller.py", ("AS103",)) == {(10, "AS103")}
    assert found("handler_callers/caller_without_credentials.py", ("AS103",)) == set()


def test_an_unverified_context_shared_by_connections_is_one_problem() -> None:
    """``CTX = ssl._create_unverified_context()`` used by an SMTP STARTTLS and two
    ``IMAP4_SSL``: one AS204 at the first use, naming the others; its fix makes the
    context verify where it is made, which fixes every use."""
    assert found("shared_context.py", ("AS204",)) == {(10, "AS204")}
    (message,) = messages("shared_context.py", "AS204")
    assert "(the same context at lines 15, 20)" in message
    run = check_paths([str(PRECISION / "shared_context.py")], RunOptions())
    (finding,) = run.findings
    assert finding.fix is not None
    text = (PRECISION / "shared_context.py").read_text()
    edited = {text[edit.start : edit.end] for edit in finding.fix.remedy.edits}
    assert edited == {"ssl._create_unverified_context()"}


def test_tls_the_library_user_chooses_is_not_the_library_s_mistake() -> None:
    """A library whose options pick implicit TLS (``self.ssl``) or an upgrade
    (``self.tls``, also through a helper called only under it): STARTTLS on the
    ``SMTP_SSL``/``POP3_SSL`` arm is the user asking for both (no AS206), and the plain
    arm beside an implicit-TLS one is the user's choice of a server (no AS203). Its
    password logins are still AS101/AS102."""
    assert found("library_options/client.py", ("AS203", "AS206", "AS101", "AS102")) == {
        (29, "AS101"),
        (51, "AS102"),
        (61, "AS101"),
    }


def test_an_upgrade_no_option_keeps_from_an_encrypted_connection_is_reported() -> None:
    """The nearest real bugs stay: STARTTLS right after ``SMTP_SSL``; STARTTLS on every
    run after a choice that may be ``SMTP_SSL``; a second upgrade under an option after
    one every run makes; a login no path upgrades; a Microsoft 365 plain arm; the plain
    arm of a choice that offers no upgrade on it."""
    assert found("library_options/bugs.py", ("AS203", "AS206")) == {
        (8, "AS206"),
        (17, "AS206"),
        (25, "AS206"),
        (31, "AS203"),
        (39, "AS203"),
        (44, "AS203"),
    }


def test_an_ssl_context_passed_by_position_is_the_context() -> None:
    """``IMAP4_SSL(host, port, keyfile, certfile, ssl_context)`` (Python 3.11 and older,
    imap_tools' own client): the context by position verifies; ``None`` there, or no
    context at all, does not."""
    assert found("positional_context.py", ("AS204",)) == {(12, "AS204"), (13, "AS204")}


def test_a_method_that_makes_a_new_session_first_does_not_continue_the_last() -> None:
    """``self.smtp = self.connection(...)`` (a property that gives the class) at the top
    of each method: the second method's STARTTLS upgrades its own session, not one the
    first method upgraded (no AS206); a helper that upgrades again the session its caller
    upgraded is still reported."""
    assert found("new_session.py", ("AS203", "AS206")) == {(42, "AS206")}


def test_a_port_parameter_for_the_other_arm_of_a_tls_option_is_the_callers() -> None:
    """``if use_ssl: SMTP_SSL(host, port)`` with ``port=587`` a parameter's default for
    the plain arm: the caller who picks implicit TLS gives its port (no AS201). For
    Microsoft 365 (no implicit TLS on any port) and for ``SMTP_SSL`` on the default
    port with no option, AS201 stays. An arm that returns (``if self.mode == "ssl": ...
    return server``) has the rest of the function for its other arm; one that goes on
    does not (line 68)."""
    assert found("library_options/ports.py", ("AS201",)) == {
        (19, "AS201"),
        (27, "AS201"),
        (60, "AS201"),
        (68, "AS201"),
    }


def test_a_handshake_without_verification_on_the_other_arm_of_a_verify_option() -> None:
    """``if verify_ssl: starttls(context=ssl.create_default_context()) else: starttls()``:
    verified unless the user opts out, as a context loosened under ``if not verify:``
    is, and a context picked as ``... if verify else ...`` (lines 8, 13): one info each,
    not a warning. A context that never verifies stays a warning."""
    run = check_paths([str(PRECISION / "library_options" / "verify.py")], RunOptions())
    assert {(f.span.line, f.severity.value) for f in run.findings if f.rule == "AS204"} == {
        (8, "info"),
        (13, "info"),
        (21, "info"),
        (34, "info"),
        (40, "warning"),
    }


def test_a_helper_s_steps_happen_where_it_is_called() -> None:
    """``self._secure()`` between opening and ``login()`` (under an option, or through
    another helper): the upgrade comes before the login (no AS203). A login before the
    helper's upgrade is AS203; a helper called twice upgrades twice (AS206)."""
    assert found("helper_order.py", ("AS203", "AS206")) == {(45, "AS203"), (63, "AS206")}
