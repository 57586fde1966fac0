"""Shapes found on the unlabelled modules of the PyPI packages behind held-out sets 1-14
(review15c): each beside its nearest variant and a control still reported."""

from __future__ import annotations

from pathlib import Path

from fixture_findings import FIXTURES, findings_in

PRECISION = FIXTURES / "precision" / "review15c"
RECALL = FIXTURES / "recall" / "review15c"


def _rule(path: Path, rule: str) -> set[tuple[int, str]]:
    return {(line, severity) for _, line, got, severity in findings_in(path) if got == rule}


def test_a_login_named_helper_of_the_module_takes_its_password_parameter() -> None:
    # ``_login_refused(exc, what)`` and ``self._login_failed(exc, "connection")`` word a
    # message; ``do_login(client, user, p)`` gets the address second, and its password
    # reaches the login (reported there). Control: ``serverlogin`` the module does not
    # define keeps the guess.
    assert _rule(PRECISION / "login_named_helpers.py", "AS105") == {
        (49, "warning"),
        (51, "error"),
    }


def test_annotated_attributes_on_self_hold_their_values() -> None:
    typed = RECALL / "typed_attributes"
    # ``self.host: str = "smtp.office365.com"`` and ``self.port: int = 465``: the host is
    # Microsoft's (an error, not a warning) and the port is read (AS202); a declaration
    # without a value gives none. The plain variant is read as it was.
    got = findings_in(typed / "mailer.py")
    assert {(line, rule, severity) for _, line, rule, severity in got} == {
        (15, "AS202", "error"),
        (16, "AS204", "warning"),
        (17, "AS101", "error"),
        (30, "AS204", "warning"),
        (31, "AS101", "error"),
    }
    # A factory the user may swap, kept as ``self._smtp_factory: SmtpFactory = ...`` and
    # called through a method: the default factory's connection logs in by the helper.
    assert ("book.py", 32, "AS101", "warning") in findings_in(typed)


def test_a_password_beside_another_providers_server_is_that_providers() -> None:
    # ``super().__init__(password="...", smtp_server="smtp.feishu.cn")`` and the same
    # through a classmethod of the base: Feishu's password. Controls: a server from the
    # environment and a placeholder server keep their hard-coded passwords.
    assert _rule(PRECISION / "other_provider_server.py", "AS105") == {
        (50, "error"),
        (60, "error"),
    }


def test_a_public_attribute_set_to_a_preset_is_any_of_the_class_presets() -> None:
    # ``self.provider = self.GMAIL`` beside ``self.MICROSOFT = "smtp.office365.com"``:
    # its users pick a preset; Microsoft's is among them (annotated or not). Control:
    # presets of other providers only (and a constant that is no host) stay silent.
    got = findings_in(RECALL / "typed_attributes" / "presets.py")
    assert {(line, rule, severity) for _, line, rule, severity in got} == {
        (19, "AS101", "error"),
        (34, "AS101", "error"),
    }
