"""Mail settings written as dotted keys (self-hosted Sentry's ``mail.host``,
``mail.use-tls``): the dots and dashes separate words as ``_`` does, so they are the
``MAIL_*`` family's; a dot in a bare key stays a path into the value."""

from __future__ import annotations

from authsweep.scanner.mail_settings.keys import Role, is_setting_key, match
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "dotted_keys"


def test_dotted_keys_are_the_prefixed_familys() -> None:
    index = next(i for i in range(20) if match(i, "MAIL_USE_TLS") is not None)
    assert match(index, "mail.use-tls") == ("MAIL_", Role.STARTTLS, "USE_TLS")
    assert match(index, "mail.password") == ("MAIL_", Role.PASSWORD, "PASSWORD")
    assert is_setting_key("mail.host")
    assert not is_setting_key("mail.from")


def test_a_sentry_config_logs_in_to_office_365() -> None:
    found = findings_in(FOLDER / "sentry")
    assert ("config.yml", 7, "AS101", "error") in found
    assert ("config.yml", 7, "AS105", "error") in found


def test_implicit_tls_on_587_in_dotted_keys() -> None:
    assert findings_in(FOLDER / "sentry_ssl") == {("config.yml", 2, "AS201", "error")}


def test_other_providers_and_the_default() -> None:
    assert findings_in(FOLDER / "negatives") == set()
