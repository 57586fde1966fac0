"""Data files the code loads by name (``json.load`` of ``with open(...)``,
``json.loads(Path(...).read_text())``, ``yaml.safe_load``, ``tomllib.load``,
``OmegaConf.load``) give the values the file of the project holds: a Microsoft host
there is reported as one, with the file, key and line; a Gmail host there is Gmail's."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "file_loads"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_json_file_opened_beside_the_module(found) -> None:
    assert ("json_sender.py", 13, "AS101", "error") in found


def test_yaml_and_omegaconf(found) -> None:
    assert ("yaml_reader.py", 11, "AS102", "error") in found
    assert ("reader_omegaconf.py", 10, "AS102", "error") in found


def test_toml_table(found) -> None:
    assert ("toml_reader.py", 12, "AS101", "error") in found


def test_a_loaded_gmail_host_is_not_microsofts(found) -> None:
    assert not {f for f in found if f[0] == "gmail_sender.py"}


def test_the_message_names_the_file_key_and_line() -> None:
    from authsweep.scanner.engine import RunOptions
    from authsweep.scanner.runner import check_paths

    run = check_paths([str(FOLDER / "json_sender.py")], RunOptions())
    assert any("mail.json smtp_server, line 2" in f.message for f in run.findings)
