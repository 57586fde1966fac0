"""Code the parser or the imports do not explain (issue 22, family 5): snippets without
their imports, a password flow in a file that does not parse, Python 3.12 f-strings read
on an older Python, Python 2 with mixed tabs, and the TLS settings the token-level scan
still sees."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.findings import Confidence
from authsweep.scanner.python.fstrings import older_fstrings
from authsweep.scanner.runner import check_paths

UNEXPLAINED = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "unexplained"


def run(name: str):
    return check_paths([str(UNEXPLAINED / name)], RunOptions())


def found(name: str) -> set[tuple[int, str, str]]:
    return {(f.span.line, f.rule, f.confidence.value) for f in run(name).findings}


def test_standard_modules_used_without_import_are_those_modules() -> None:
    assert found("snippet_without_imports.py") == {(3, "AS204", "low"), (4, "AS101", "low")}
    assert found("snippet_without_imports_gmail.py") == set()


def test_a_password_flow_in_lines_the_parser_refuses() -> None:
    result = run("broken_ropc.py")
    assert {(f.span.line, f.rule, f.confidence) for f in result.findings} == {
        (11, "AS106", Confidence.LOW)
    }
    assert result.errors  # the lines left out are still said
    assert found("broken_keycloak.py") == set()  # another identity provider


def test_python_312_fstrings_leave_nothing_unchecked() -> None:
    result = run("pep701_fstrings.py")
    assert result.errors == []
    assert {(f.span.line, f.rule, f.confidence.value) for f in result.findings} == {
        (10, "AS201", "high"),
        (10, "AS204", "high"),
        (11, "AS101", "high"),
    }


def test_python2_with_mixed_tabs_keeps_its_tls_findings() -> None:
    assert found("python2_tabs.py") == {
        (7, "AS204", "low"),
        (7, "AS202", "low"),
        (8, "AS101", "low"),
    }


def test_token_level_scan_sees_ssl_contexts() -> None:
    got = found("python2_cut_short.py")
    assert (8, "AS204", "low") in got  # SMTP_SSL without a context
    assert not [line for line, rule, _ in got if rule == "AS204" and line != 8]
    assert (12, "AS203", "low") not in got  # upgraded with a verifying context first


@pytest.mark.parametrize(
    ("newer", "older"),
    [
        ('f"to {cfg["host"]}"', "f\"to {cfg['host']}\""),
        ("f'{a['b']}:{c['d']!r:>{w}}'", 'f\'{a["b"]}:{c["d"]!r:>{w}}\''),
        ('f"{"\\n".join(x)}"', 'f"{____________}"'),
        ('f"{f"{a}"}"', 'f"{______}"'),
        ('f"""{\n  x  # note\n}"""', 'f"""{\n___________\n}"""'),
        ('f"{a\n}"', "(___\n )"),
        ('f"{a["b\'c"]}"', 'f"{________}"'),  # switching quotes would break the inner one
        ('f"{a[\'b\']}" "{c}"', 'f"{a[\'b\']}" "{c}"'),  # 3.11 syntax: unchanged
        ('# f"{a["b"]}"\nx = "f{y}"', '# f"{a["b"]}"\nx = "f{y}"'),  # not f-strings
    ],
)
def test_pep701_rewrite_keeps_every_position(newer: str, older: str) -> None:
    if sys.version_info >= (3, 12):
        assert older_fstrings(newer) == newer
        return
    rewritten = older_fstrings(newer)
    assert rewritten == older
    assert len(rewritten) == len(newer) and rewritten.count("\n") == newer.count("\n")
    ast.parse(rewritten)


def test_exchangelib_credentials_in_statements_the_parser_refuses() -> None:
    """Password ``Credentials(...)`` (over several lines, or inline with a literal) in
    lines left out of the parse: AS104 at low confidence, the literal AS105 (medium, as a
    password found by its place is without the parse); the OAuth2
    credentials are not a password login."""
    assert {(line, rule) for line, rule, _ in found("broken_exchangelib.py")} == {
        (14, "AS104"),
        (28, "AS104"),
        (28, "AS105"),
    }
    confidences = {rule: confidence for _, rule, confidence in found("broken_exchangelib.py")}
    assert confidences == {"AS104": "low", "AS105": "medium"}
