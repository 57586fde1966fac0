"""A dict written with spreads: ``{**DEFAULTS, **json.load(f)}`` has the defaults'
values unless the loaded mapping replaces them (a Microsoft default is reported as
one); keys written after a loaded mapping are the code's own."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "dict_spreads"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_defaults_under_a_loaded_file(found) -> None:
    assert ("defaults_then_file.py", 20, "AS101", "error") in found


def test_other_providers_defaults_and_keys_after_the_loaded_mapping(found) -> None:
    """Another provider's server among the defaults under a loaded mapping is only a
    fallback: the loaded file names the server (unknown, a warning). The code's own key
    after the loaded mapping, and a ``get`` default of a dict the code writes, say
    nothing."""
    assert {f for f in found if f[0] == "negatives.py"} == {
        ("negatives.py", 17, "AS101", "warning")
    }


def test_a_key_only_the_loaded_mapping_may_hold() -> None:
    from authsweep.scanner.engine import RunOptions
    from authsweep.scanner.runner import check_paths

    run = check_paths([str(FOLDER / "open_keys.py")], RunOptions())
    logins = [f for f in run.findings if f.rule == "AS101"]
    assert logins and "config key server" in logins[0].message
