"""Mail settings written in camelCase (``smtpServer``, ``mailPassword``, Mattermost's
``SMTPPassword``): a capital starts a word, so they are the prefixed families' keys, as
``smtp_server`` is; a bare ``UseSsl`` (.NET's, where it means STARTTLS) is not."""

from __future__ import annotations

from authsweep.scanner.mail_settings.keys import FAMILIES, Role, is_setting_key, match
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "camel_keys"


def _roles(key: str) -> set[tuple[str, Role]]:
    return {found[:2] for i in range(len(FAMILIES)) if (found := match(i, key)) is not None}


def test_camel_case_keys_split_into_words() -> None:
    assert ("SMTP_", Role.HOST) in _roles("smtpServer")
    assert ("SMTP_", Role.PORT) in _roles("SMTPPort")
    assert ("MAIL_", Role.PASSWORD) in _roles("mailPassword")
    assert _roles("smtpServer") <= _roles("smtp_server")
    assert not is_setting_key("UseSsl")
    assert not is_setting_key("smtpRecipients")


def test_a_camel_case_config_logs_in_to_office_365() -> None:
    found = findings_in(FOLDER / "config.json")
    assert found == {("config.json", 5, "AS101", "error"), ("config.json", 5, "AS105", "error")}


def test_mattermost_email_settings() -> None:
    """An empty password is no login; port 465 of Office 365 is still the wrong port."""
    assert findings_in(FOLDER / "mattermost.json") == {("mattermost.json", 8, "AS202", "error")}


def test_other_providers_and_dotnet_keys() -> None:
    assert findings_in(FOLDER / "negatives.json") == set()


def test_camel_case_keywords_of_a_call_stay_its_arguments() -> None:
    assert findings_in(FOLDER / "call_keywords.py") == {("call_keywords.py", 9, "AS101", "error")}
