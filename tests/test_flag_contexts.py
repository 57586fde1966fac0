"""An SSL context handed to a client whose TLS is chosen by a flag known only at run time
(``IMAPClient(host, ssl=config["ssl"], ssl_context=ctx)``) is there for the runs with TLS:
when it turns the checks off, every such run is unverified (AS204), also when it is made
and loosened on the arm that asks for TLS. ``None`` as an arm of IMAPClient's context is
the library's own verifying default, not a choice to turn the checks off."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixer import fix_paths
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "flag_contexts"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_unverified_context_beside_a_run_time_flag(found) -> None:
    assert ("imap_profile.py", 18, "AS204", "warning") in found


def test_context_made_and_loosened_on_the_arm_with_tls(found) -> None:
    assert ("imap_params.py", 15, "AS204", "warning") in found
    assert not {f for f in found if f[0] == "imap_params.py" and f[3] == "info"}


def test_a_declared_model_with_a_run_time_flag(found) -> None:
    assert ("imbox_flag.py", 12, "AS204", "warning") in found


def test_verifying_contexts_and_the_library_default_are_not_reported(found) -> None:
    assert not {f for f in found if f[0] == "negatives.py" and f[2] == "AS204"}
    assert ("negatives.py", 21, "AS102", "warning") in found


def test_the_fix_deletes_the_loosening_where_the_context_is_made() -> None:
    outcome = fix_paths(["."], RunOptions(), unsafe=False, write=False, cwd=FOLDER)
    after = {Path(f.path).name: f.after for f in outcome.files if f.changed}
    for name in ("imap_profile.py", "imap_params.py", "imbox_flag.py"):
        assert "CERT_NONE" not in after[name] and "check_hostname" not in after[name], name
    assert "imapclient.create_default_context()" in after["imap_params.py"]
    assert not {f for f in outcome.remaining if f.rule == "AS204"}
