"""Connections made through a callable the object holds (after11a, issue 22): a
default factory kept in a parameter and stored on ``self`` (``connection_factory=
_default_connection``), and authenticators the user plugs in (``self.authenticator(
client)``, the module's callable classes). The eleventh blind set's "wrappers" family
missed these; each shape has its nearest variant and a negative here."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

WRAPPERS = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "wrappers"


def pinned(name: str) -> set[tuple[int, str, str]]:
    run = check_paths([str(WRAPPERS / name)], RunOptions())
    return {(f.span.line, f.rule, f.severity.value) for f in run.findings}


def test_a_default_factory_stored_on_self_makes_the_connection_a_login_uses() -> None:
    """``self._factory = connection_factory`` (default ``_default_connection``), then
    ``connection = self._factory(...)``; ``user``/``pass_`` on it: the host is the
    caller's (a warning). ``capa()`` alone sends no credential."""
    assert pinned("pop3_factory.py") == {(44, "AS102", "warning")}


def test_a_factory_session_reports_its_password_arm_not_its_xoauth2_arm() -> None:
    assert pinned("smtp_factory.py") == {(51, "AS101", "warning")}


def test_the_nearest_variants_of_a_default_factory() -> None:
    """A function's own parameter (``connect=_open_imap``), ``connect or _open_pop``
    stored on ``self``, a class attribute holding ``staticmethod(_open_smtp)``, a lambda
    calling the factory (``smtp_factory or (lambda host: _open_smtp(host))``) and
    ``functools.partial(_open_pop)``."""
    assert pinned("factory_variants.py") == {
        (28, "AS102", "warning"),
        (40, "AS102", "warning"),
        (52, "AS101", "warning"),
        (63, "AS101", "warning"),
        (75, "AS102", "warning"),
    }


def test_a_default_factory_of_another_provider_or_an_xoauth2_session_is_silent() -> None:
    assert pinned("factory_negatives.py") == set()


def test_plugged_authenticators_log_in_on_the_client_the_session_makes() -> None:
    """``self.authenticator(client)`` with a field the module never sets: each of the
    module's callable classes may run. ``login`` and IMAPClient's ``plain_login`` (SASL
    PLAIN) are one password login of that client, reported once at ``login``; the
    OAuth2 authenticator is not a login."""
    assert pinned("authenticators.py") == {(21, "AS102", "warning")}


def test_the_nearest_variants_of_a_plugged_authenticator() -> None:
    """A plain class's ``__call__`` run by a function's parameter; a module function as a
    parameter's default (``authenticate=_password_login``)."""
    assert pinned("authenticator_variants.py") == {
        (15, "AS102", "warning"),
        (26, "AS102", "warning"),
    }


def test_an_oauth2_authenticator_or_a_gmail_client_is_silent() -> None:
    assert pinned("authenticator_negatives.py") == set()


def test_a_dispatching_factory_gives_each_call_the_client_its_literals_select() -> None:
    """``server_link(host, port, "POP3", "ssl")``: only the clients the literals select
    (a keyword argument too, ``protocol in ("POP", "POP3")``, an ``else`` arm), so the
    POP3 ``pass_`` and the IMAP ``login`` are each their client's, and the XOAUTH2
    session of the ``"SMTP"`` call is no login. Each call's parameter value decides its
    own arms: the first call's ``"POP3"`` does not make the other arms dead."""
    assert pinned("dispatching_factory.py") == {
        (36, "AS102", "warning"),
        (42, "AS102", "warning"),
    }


def test_a_login_helper_is_on_each_connection_its_callers_open() -> None:
    """``self.authenticate()`` called by ``connect_plain()`` and ``connect_ssl()``, each
    binding ``self.imap`` first: the login is on the plain IMAP4 too (AS203), not only on
    the connection whose assignment is written last; two verifying connectors give one
    login finding."""
    assert pinned("helper_called_by_connectors.py") == {
        (23, "AS102", "warning"),
        (23, "AS203", "warning"),
        (47, "AS101", "warning"),
    }
