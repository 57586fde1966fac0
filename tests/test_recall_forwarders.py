"""Calls that stand for a client's call, and a client's keywords or class held in the
module (recall13, issue 22): found by the metamorphic transforms of
``bench/metamorphic_values.py`` before fresh code used them."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

VALUES = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "values"


def pinned(name: str) -> set[tuple[int, str, str]]:
    run = check_paths([str(VALUES / name)], RunOptions())
    return {(f.span.line, f.rule, f.severity.value) for f in run.findings}


def test_a_partial_of_a_client_class_is_its_call_with_the_partials_arguments() -> None:
    """``connect = partial(smtplib.SMTP_SSL, host, 465)`` then ``connect()``; a partial
    with the host as a keyword and the port at the call; one written in place. The one
    bound to Gmail's host says nothing."""
    assert pinned("partial_client.py") == {
        (9, "AS202", "error"),
        (17, "AS204", "warning"),
        (18, "AS101", "error"),
        (23, "AS204", "warning"),
        (24, "AS101", "error"),
        (29, "AS101", "error"),
        (29, "AS203", "error"),
    }


def test_a_pass_through_function_is_the_clients_call_at_each_caller() -> None:
    """``def open_smtp(*args, **kwargs): return smtplib.SMTP(*args, **kwargs)``: each call
    is a connection with the caller's host (not one to an unknown host in the function);
    the Gmail caller is silent; a keyword the function adds (``timeout``) is kept."""
    assert pinned("pass_through_client.py") == {
        (23, "AS204", "warning"),
        (24, "AS101", "error"),
        (28, "AS204", "warning"),
        (28, "AS202", "error"),
        (29, "AS101", "error"),
        (39, "AS204", "warning"),
        (40, "AS102", "error"),
    }


def test_a_module_dict_spread_passes_only_its_keys() -> None:
    """``SMTP_SSL(**SMTP_PARAMS)`` with a module-level dict nothing changes: no context is
    passed (AS204). A dict a function gives a ``context`` key stays unknown: no AS204."""
    found = pinned("spread_module_dict.py")
    assert (19, "AS204", "warning") in found
    assert not any(line == 24 and rule == "AS204" for line, rule, _ in found)


def test_a_context_in_a_spread_dict_is_read_as_if_passed_by_keyword() -> None:
    """``{"host": ..., "ssl_context": ssl._create_unverified_context()}`` spread into
    ``IMAP4_SSL``: the handshake checks nothing (AS204); the default context checks."""
    found = pinned("spread_module_dict.py")
    assert (31, "AS204", "warning") in found
    assert not any(line == 37 and rule == "AS204" for line, rule, _ in found)


def test_a_client_class_read_with_getattr_makes_the_module_mail_code() -> None:
    """``getattr(smtplib, "SMTP_SSL" if use_ssl else "SMTP")`` with the host imported
    from a settings module: no ``smtplib.SMTP(`` is written, the module is still read.
    ``use_ssl`` left at its default picks plain SMTP, which nothing upgrades (AS203)."""
    assert pinned("getattr_client.py") == {(12, "AS101", "error"), (12, "AS203", "error")}


def test_a_client_class_read_with_getattr_by_a_name_holding_its_name() -> None:
    """``method = "SMTP_SSL" if self.ssl else "SMTP"`` then ``getattr(smtplib, method)``
    (set 19's emaillib): each class the name may hold; the plain one is upgraded under
    the user's ``tls`` option, so no AS203. ``getattr(self, name)`` makes no client."""
    assert pinned("getattr_by_name.py") == {(18, "AS204", "warning"), (19, "AS101", "warning")}


def test_a_property_that_makes_a_client_is_read_as_that_client() -> None:
    """``@property def server(self): return smtplib.SMTP(...)`` then ``conn = self.server;
    conn.login(...)``; a ``cached_property`` that upgrades first (no AS203); a property
    for Gmail says nothing."""
    assert pinned("property_client.py") == {
        (21, "AS204", "warning"),
        (22, "AS101", "error"),
        (33, "AS204", "warning"),
        (37, "AS101", "error"),
    }


def test_a_property_that_returns_a_client_class_is_that_class_where_it_is_called() -> None:
    """``@property def connection(self): return SMTP_SSL if self.ssl else SMTP`` then
    ``self.connection(self.host, self.port)``; a ``cached_property`` giving IMAP4_SSL;
    a Gmail worker's says nothing. The run with ``self.ssl`` false is plain (AS203)."""
    assert pinned("property_class.py") == {
        (24, "AS101", "warning"),
        (24, "AS203", "warning"),
        (37, "AS204", "warning"),
        (38, "AS102", "error"),
    }


def test_credentials_the_objects_user_sets_are_a_password_login() -> None:
    """``self.password = None`` (or ``password = None`` in the class body) and nothing
    else in the module: the object's user sets it, so the login is a password login."""
    assert pinned("attribute_set_by_user.py") == {
        (15, "AS204", "warning"),
        (16, "AS101", "warning"),
        (26, "AS204", "warning"),
        (27, "AS101", "error"),
    }


def test_a_settings_class_handed_to_its_reader() -> None:
    """``fetch(ImapConfig, pw)`` reading ``cfg.IMAP_HOST``, ``Mailer(SmtpConfig, ...)``
    reading ``self.config.SMTP_HOST``: the class's hosts, errors; the Gmail class handed
    to its sender: nothing (it was a warning about an unknown host)."""
    assert pinned("class_passed.py") == {
        (25, "AS204", "warning"),
        (26, "AS102", "error"),
        (38, "AS204", "warning"),
        (39, "AS101", "error"),
    }


def test_a_keyword_argument_read_with_a_default() -> None:
    """``kwargs.get("host", "smtp.office365.com")`` of ``**kwargs``: the default is the
    host (an error, said so); ``options.get("host", "smtp.gmail.com")``: nothing (both
    were warnings about a host from ``kwargs.get``)."""
    found = pinned("keyword_defaults.py")
    assert found == {(17, "AS204", "warning"), (18, "AS101", "error")}


def test_a_settings_object_handed_to_its_reader() -> None:
    """``send(settings, ...)`` with ``settings = SmtpSettings()``, ``read(ImapSettings(),
    ...)``: the fields' declared defaults (``field(default_factory=lambda: os.getenv(...,
    "smtp.office365.com"))``, ``attr.ib(default=...)``); the object made for Gmail:
    nothing (all three were warnings about ``settings.host``)."""
    assert pinned("passed_settings_object.py") == {
        (27, "AS204", "warning"),
        (28, "AS101", "error"),
        (33, "AS204", "warning"),
        (34, "AS102", "error"),
    }


def test_a_lambda_bound_to_a_name_is_a_factory() -> None:
    assert pinned("lambda_client.py") == {(11, "AS204", "warning"), (12, "AS101", "error")}


def test_a_pass_through_method_is_the_clients_call_at_each_caller() -> None:
    """``def open(self, *args, **kwargs): return smtplib.SMTP_SSL(*args, **kwargs)``
    called as ``self.open(...)`` and ``transport.open(...)`` (a module-level object):
    each call is a connection with the caller's host and port, errors not warnings."""
    assert pinned("pass_through_method.py") == {
        (12, "AS204", "warning"),
        (12, "AS202", "error"),
        (13, "AS101", "error"),
        (20, "AS201", "error"),
        (20, "AS204", "warning"),
        (21, "AS206", "error"),
        (22, "AS101", "error"),
    }


def test_a_pydantic_settings_fields_default_is_the_environments_default() -> None:
    """``settings.smtp_host`` of a ``BaseSettings`` whose field defaults to Microsoft's
    host: an error naming the variable, as for ``os.environ.get("SMTP_HOST", ...)``; a
    settings class defaulting to Gmail's makes no login finding, only AS204's (a missing
    certificate check is a defect on any server the environment names)."""
    run = check_paths([str(VALUES / "pydantic_settings.py")], RunOptions())
    assert {(f.span.line, f.rule, f.severity.value) for f in run.findings} == {
        (24, "AS204", "warning"),
        (25, "AS101", "error"),
        (30, "AS204", "warning"),
    }
    assert all("(default of env SMTP_HOST)" in f.message for f in run.findings)


def test_a_client_class_as_a_parameter_default_is_the_class_called() -> None:
    """``def fetch(..., cls_imap=imaplib.IMAP4_SSL)`` calling ``cls_imap(host, 993)``, and
    the same default kept on ``self`` and called in another method: an IMAP login each;
    a default SMTP class that only authenticates with XOAUTH2 says nothing."""
    assert pinned("class_parameter_default.py") == {
        (12, "AS102", "warning"),
        (27, "AS102", "warning"),
    }
