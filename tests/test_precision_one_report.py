"""One problem, one report (issue 22, precision): a STARTTLS that raises because the
session is already encrypted on every path that takes it is AS206's alone, not also
AS204's; the implicit TLS's own handshake keeps its AS204, and the switch to plain
``SMTP`` that fixes AS201/AS206 verifies the STARTTLS it makes the handshake."""

from __future__ import annotations

import shutil
from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths
from cli_support import invoke

FIXTURE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "precision" / "starttls_on_encrypted"
)


def found(path: Path) -> set[tuple[int, str]]:
    run = check_paths([str(path)], RunOptions())
    return {(f.span.line, f.rule) for f in run.findings if f.rule in ("AS204", "AS206")}


def test_a_starttls_that_always_raises_is_reported_once() -> None:
    """``SMTP_SSL()``, ``connect(host, 587)``, ``starttls()``: AS206 on the upgrade, AS204
    on the ``SMTP_SSL`` only. The nearest variants keep AS204 on the upgrade: a plain
    ``SMTP()`` (the upgrade is the handshake), an upgrade that is the first on one path
    (``if again: starttls()`` before it), and the first of two upgrades."""
    assert found(FIXTURE / "send.py") == {
        (8, "AS204"),
        (10, "AS206"),
        (16, "AS204"),
        (22, "AS204"),
        (23, "AS204"),
        (23, "AS206"),
        (28, "AS204"),
        (29, "AS206"),
    }


def test_the_switch_to_starttls_verifies_the_upgrade_it_keeps(tmp_path: Path) -> None:
    """AS201/AS206's fix (``SMTP_SSL`` to ``SMTP``) stays offered: it also gives the
    ``starttls()`` it keeps a verifying context, so the fixed file reports neither."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURE, tree)
    run = check_paths([str(tree / "send.py")], RunOptions())
    at_ssl = {f.rule: f.fixable for f in run.findings if f.span.line in (8, 10)}
    assert at_ssl == {"AS201": True, "AS204": True, "AS206": True}
    invoke("fix", "--unsafe-fixes", ".", cwd=tree)
    fixed = (tree / "send.py").read_text(encoding="utf-8")
    assert "s.starttls(context=ssl.create_default_context())" in fixed.split("def ")[1]
    assert not {line for line, _ in found(tree / "send.py") if line <= 11}
