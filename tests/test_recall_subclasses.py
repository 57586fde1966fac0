"""Client subclasses with an ``__init__`` of their own (issue 22): the call of the client's
``__init__`` opens the connection; ``self`` in the class's methods (and its subclasses')
and the instances the module makes act on it."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

SUBCLASSES = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "subclasses"


def pinned(name: str) -> set[tuple[int, str, str]]:
    run = check_paths([str(SUBCLASSES / name)], RunOptions())
    return {(f.span.line, f.rule, f.severity.value) for f in run.findings}


def messages(name: str) -> list[str]:
    return [f.message for f in check_paths([str(SUBCLASSES / name)], RunOptions()).findings]


def test_super_init_opens_the_connection_self_logs_in_on() -> None:
    assert pinned("super_init.py") == {(7, "AS204", "warning"), (8, "AS101", "error")}


def test_super_with_the_class_and_a_host_the_callers_pass() -> None:
    """``super(Mailer, self).__init__(host, 587)``: the host is the one a subclass's caller
    passes; the login is in another method, called from the subclass."""
    assert pinned("super_with_class.py") == {(11, "AS204", "warning"), (12, "AS101", "error")}
    assert all("'smtp.office365.com'" in m for m in messages("super_with_class.py"))


def test_the_clients_init_called_with_self() -> None:
    assert pinned("explicit_base_init.py") == {
        (6, "AS202", "warning"),
        (7, "AS101", "error"),
        (7, "AS203", "error"),
    }


def test_instances_made_elsewhere_act_on_the_connection() -> None:
    """Modelled now (the STARTTLS is seen), not the net's guess at an unknown library."""
    assert pinned("instances_elsewhere.py") == {(12, "AS204", "warning"), (13, "AS101", "error")}
    assert not any("no model" in m for m in messages("instances_elsewhere.py"))


def test_imap_and_pop_subclasses() -> None:
    assert pinned("imap_pop_subclasses.py") == {
        (7, "AS204", "warning"),
        (8, "AS102", "error"),
        (13, "AS204", "warning"),
        (15, "AS102", "error"),
    }


def test_an_imapclient_subclass_with_a_login_method() -> None:
    assert pinned("imapclient_subclass.py") == {(9, "AS102", "error")}


def test_a_subclass_of_a_models_class() -> None:
    """imap_tools' ``MailBox`` (a library model) subclassed with a fixed host."""
    assert pinned("model_class_subclass.py") == {(6, "AS204", "warning"), (10, "AS102", "error")}


def test_an_init_passing_its_arguments_on_keeps_the_clients_parameters() -> None:
    """``super().__init__(*args, **kwargs)``: each instance's own host; Gmail's is not
    reported, Microsoft's is."""
    assert pinned("forwarded_arguments.py") == {
        (18, "AS204", "warning"),
        (18, "AS202", "error"),
        (19, "AS101", "error"),
    }


def test_another_providers_host_stays_silent() -> None:
    assert pinned("other_provider.py") == set()


def test_a_subclass_in_another_module_is_reported_where_its_caller_names_the_host() -> None:
    """The project's summaries carry the subclass's ``__init__`` to its callers."""
    run = check_paths([str(SUBCLASSES / "project")], RunOptions())
    found = {(Path(f.path).name, f.span.line, f.rule, f.severity.value) for f in run.findings}
    assert ("app.py", 5, "AS101", "error") in found
    assert any(
        "through Mailer in " in f.message and "shop/mail.py" in f.message for f in run.findings
    )


def test_an_aiosmtplib_subclass_logging_in_from_an_async_method() -> None:
    assert pinned("aiosmtplib_subclass.py") == {(12, "AS101", "error")}


def test_an_smtphandler_subclass_calling_super_init() -> None:
    assert pinned("handler_subclass.py") == {(6, "AS204", "warning"), (11, "AS103", "error")}


def test_two_instances_of_a_subclass_are_not_one_session() -> None:
    """``first.secure()`` and ``second.starttls()``: each object upgrades once; no AS206 (a
    safe fix would delete an upgrade) and no AS203; each login is still reported."""
    assert pinned("two_instances.py") == {(20, "AS101", "error"), (24, "AS101", "error")}


def test_the_clients_init_called_from_another_method_of_the_class() -> None:
    """``def init(self): super().__init__(host)`` (``Client.__init__(self, ...)``) run by
    ``__init__`` or a reconnect: that call opens the connection ``self`` logs in on;
    Gmail's stays silent."""
    assert pinned("init_in_method.py") == {(20, "AS102", "warning"), (32, "AS101", "error")}


def test_self_of_a_subclass_without_an_init_is_the_instance_made_here() -> None:
    """``Box(host).sign_in(user, pw)`` with ``self.login(...)`` in ``sign_in``: the login
    is on the instance's connection; an XOAUTH2 login and Gmail's instance are silent; two
    instances are one connection of either host, with no fix (it would change both)."""
    assert pinned("no_init_self_login.py") == {
        (12, "AS102", "error"),
        (18, "AS101", "error"),
        (54, "AS102", "error"),
    }
    run = check_paths([str(SUBCLASSES / "no_init_self_login.py")], RunOptions())
    fixable = {f.span.line for f in run.findings if f.fix is not None}
    assert fixable == {12, 18}


def test_cls_in_a_classmethod_of_a_client_subclass_makes_the_client() -> None:
    """``server = cls(host, port)`` then ``server.login(...)`` in a ``@classmethod`` of an
    ``imaplib.IMAP4`` (and an ``IMAP4_SSL``) subclass: a login on that client; the same
    shape on a class that is no client is silent."""
    assert pinned("classmethod_connect.py") == {
        (17, "AS102", "warning"),
        (17, "AS203", "warning"),
        (25, "AS102", "warning"),
    }
