"""Shapes of false alarms on unlabelled code of the repositories behind held-out sets
1-12 (review14b), each beside its nearest variant and a control still reported."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "precision" / "review14b"


def found(path: Path) -> set[tuple[int, str]]:
    run = check_paths([str(path)], RunOptions())
    return {(f.span.line, f.rule) for f in run.findings}


def test_environment_blocks_prove_no_login_to_an_unknown_host() -> None:
    env = HERE / "environment"
    # compose lists and maps, a CI workflow's env, Kubernetes env: values handed to a
    # program, as a .env holds; a literal password there is still a secret.
    assert found(env / "docker-compose.yml") == {(23, "AS105"), (30, "AS101")}
    assert found(env / ".github" / "workflows" / "notify.yml") == {(30, "AS101")}
    assert found(env / "deployment.yaml") == set()
    # The program's own config file keeps its login (its code reads it as mail settings).
    assert (7, "AS101") in found(env / "app-config.yaml")


def test_one_login_after_a_client_opened_two_ways_is_one_clear_text_login() -> None:
    run = check_paths([str(HERE / "one_login_two_openings.py")], RunOptions(select=("AS203",)))
    got = sorted((f.span.line, f.message.split(":")[0]) for f in run.findings)
    assert [line for line, _ in got] == [20, 29, 37, 40]
    # Under the conditions every way shares; the Python version's test is not one.
    assert "sys.version_info" not in got[0][1] and '`use_ssl == "True"` is false' in got[0][1]
    assert got[1][1] == "credentials sent to 'smtp.office365.com' before STARTTLS"
