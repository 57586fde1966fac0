"""The search of other project files for a word a fix took the last reader of."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.fixes.search import project_search


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (tmp_path / "mailer.py").write_text("SMTP_PASSWORD = 'x'\n")
    return tmp_path / "mailer.py"


def test_names_attributes_and_keys_are_found_where_first_named(tmp_path: Path) -> None:
    mailer = _project(tmp_path)
    (tmp_path / "views.py").write_text(
        "import mailer\n"
        "\n"
        "settings = {'SMTP_PASSWORD': 1}\n"
        "print(mailer.SMTP_PASSWORD, settings.account)\n"
    )
    (tmp_path / "other.py").write_text("SMTP_PASSWORD = 2\n")  # does not import mailer
    search = project_search(mailer)
    assert search is not None
    assert search("SMTP_PASSWORD", "name") == ["views.py:4"]
    assert search("SMTP_PASSWORD", "key") == ["views.py:3"]
    assert search("account", "attribute") == ["views.py:4"]
    assert search("settings", "attribute") == []
    assert search("missing", "name") == []


def test_a_file_changed_between_searches_is_read_again(tmp_path: Path) -> None:
    mailer = _project(tmp_path)
    views = tmp_path / "views.py"
    views.write_text("from mailer import SMTP_PASSWORD\n")
    first = project_search(mailer)
    assert first is not None and first("SMTP_PASSWORD", "name") == ["views.py:1"]
    views.write_text("import mailer\n\n\nmailer.SMTP_PASSWORD\n")
    again = project_search(mailer)
    assert again is not None and again("SMTP_PASSWORD", "name") == ["views.py:4"]
    views.write_text("import mailer\nmailer.SMTP_PASSWORD = (\n")  # no longer parses
    last = project_search(mailer)
    assert last is not None and last("SMTP_PASSWORD", "name") == []
