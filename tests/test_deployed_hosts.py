"""A defect on every server (AS204's missing certificate check, AS206's second
STARTTLS) is reported where the environment or a parameter only defaults to another
provider's host, as on an unknown host; the password logins there are not (the code's
default says whose server it logs in to), nor is a host the code writes."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "deployed_hosts"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_environment_defaults(found) -> None:
    assert {f for f in found if f[0] == "env_defaults.py"} == {
        ("env_defaults.py", 12, "AS204", "warning"),
        ("env_defaults.py", 18, "AS204", "warning"),
        ("env_defaults.py", 19, "AS206", "warning"),
    }


def test_parameter_defaults(found) -> None:
    assert {f for f in found if f[0] == "parameter_defaults.py"} == {
        ("parameter_defaults.py", 8, "AS204", "warning"),
        ("parameter_defaults.py", 15, "AS204", "warning"),
    }


def test_a_documentation_domain_as_a_default(found) -> None:
    """Only a default: the callers' server, unknown. Written as the host: an example."""
    assert {f for f in found if f[0] == "documentation_default.py"} == {
        ("documentation_default.py", 9, "AS204", "warning"),
        ("documentation_default.py", 10, "AS101", "warning"),
    }


def test_written_hosts_and_verified_contexts(found) -> None:
    assert not [f for f in found if f[0] == "negatives.py"]


def test_the_message_names_the_default_and_where_it_is_set() -> None:
    from authsweep.scanner.engine import RunOptions
    from authsweep.scanner.runner import check_paths

    run = check_paths([str(FOLDER / "env_defaults.py")], RunOptions())
    first = min(run.findings, key=lambda f: f.span.line)
    assert "'smtp.gmail.com' (default of env SMTP_SERVER)" in first.message
