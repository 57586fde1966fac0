"""Inline suppression comments: on the line, on any line of a multi-line statement, in
config files with their own comment syntax; counted, and listed on request."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import RunOptions, check_source, selected_rules
from authsweep.scanner.findings import Confidence, Finding, RunResult, Severity
from authsweep.scanner.model import Span
from authsweep.scanner.suppress import mark_suppressed, may_hold_directive, parse_directives
from authsweep.scanner.text import Source
from cli_support import IMPLICIT_TLS_587, MULTILINE_LOGIN, run_cli, write

# Without AS900: these tests are about what a directive silences, not whether it is used.
RULES = [rule for rule in selected_rules(RunOptions()) if rule.id != "AS900"]


def check(code: str) -> RunResult:
    run = RunResult()
    run.add(check_source("app.py", "python", code.encode(), RULES))
    return run


def reported(code: str) -> list[str]:
    return [f.rule for f in check(code).findings]


def test_directive_grammar() -> None:
    assert parse_directives("# authsweep: ignore") == [None]
    assert parse_directives("# authsweep: ignore[AS101]") == [frozenset({"as101"})]
    assert parse_directives("#authsweep:ignore[AS101, AS203]") == [frozenset({"as101", "as203"})]
    assert parse_directives("# noqa: E501,AS101 because") == [frozenset({"e501", "as101"})]
    assert parse_directives("# authsweep: ignore[smtp-basic-auth]") == [
        frozenset({"smtp-basic-auth"})
    ]
    assert parse_directives("# noqa") == []  # bare noqa belongs to other linters
    assert parse_directives("# authsweep: ignored") == []
    assert parse_directives("# authsweep: ignore[]") == []


@pytest.mark.parametrize(
    "comment",
    [
        "# authsweep: ignore[AS201]",
        "# authsweep: ignore[AS101, AS201]",
        "# authsweep: ignore",
        "# noqa: AS201",
        "# noqa: E501, AS201",
        "# authsweep: ignore[implicit-tls-on-587]",
    ],
)
def test_comment_on_the_reported_line(comment: str) -> None:
    code = IMPLICIT_TLS_587.rstrip("\n") + f"  {comment}\n"
    run = check(code)
    assert run.findings == []
    assert [f.rule for f in run.suppressed] == ["AS201"]


@pytest.mark.parametrize(
    "comment", ["# authsweep: ignore[AS101]", "# noqa: AS999", "# noqa", "# nosec"]
)
def test_other_rules_and_bare_noqa_do_not_suppress(comment: str) -> None:
    code = IMPLICIT_TLS_587.rstrip("\n") + f"  {comment}\n"
    assert reported(code) == ["AS201"]


@pytest.mark.parametrize("line", [6, 7, 8, 9])
def test_any_line_of_a_multiline_statement(line: int) -> None:
    lines = MULTILINE_LOGIN.splitlines()
    assert reported(MULTILINE_LOGIN) == ["AS101"]
    lines[line - 1] += "  # authsweep: ignore[AS101]"
    run = check("\n".join(lines) + "\n")
    assert run.findings == []
    assert run.suppressed[0].statement_lines == (6, 9)


def test_comment_on_another_statement_or_in_a_string_does_not_count() -> None:
    lines = MULTILINE_LOGIN.splitlines()
    lines[4] += "  # authsweep: ignore"  # the starttls line above the login
    assert reported("\n".join(lines) + "\n") == ["AS101"]
    in_string = IMPLICIT_TLS_587 + "note = '# authsweep: ignore'\n"
    assert reported(in_string) == ["AS201"]
    head, call = IMPLICIT_TLS_587.rsplit("\n", 2)[:2]
    assert reported(f"{head}\n# authsweep: ignore\n{call}\n") == ["AS201"]


def test_code_tokenize_cannot_read_falls_back_to_the_line() -> None:
    # An unterminated bracket at the end: tokenize fails, the line's comment still counts.
    finding = _finding("AS201", 2)
    data = b"import smtplib\nsmtplib.SMTP_SSL(1)  # noqa: AS201\nx = (\n"
    mark_suppressed([finding], Source("python", data))
    assert finding.suppressed


def _finding(rule: str, line: int) -> Finding:
    cls = next(r for r in ALL_RULES if r.id == rule)
    return Finding(
        rule=rule,
        name=cls.name,
        severity=Severity.ERROR,
        confidence=Confidence.HIGH,
        path="x",
        span=Span(line, 1, line, 5, 0, 4),
        message="m",
    )


@pytest.mark.parametrize(
    ("kind", "text", "suppressed"),
    [
        ("dotenv", "A=1\nEMAIL_HOST_PASSWORD=x  # authsweep: ignore[AS105]\n", True),
        ("dotenv", "# authsweep: ignore[AS105]\nEMAIL_HOST_PASSWORD=x\n", True),
        ("dotenv", "# authsweep: ignore[AS101]\nEMAIL_HOST_PASSWORD=x\n", False),
        ("yaml", "mail:\n  password: x # noqa: AS105\n", True),
        ("toml", "[mail]\npassword = 'x' # authsweep: ignore\n", True),
        ("ini", "[mail]\n; authsweep: ignore[AS105]\npassword = x\n", True),
        ("ini", "[mail]\n# authsweep: ignore[AS105]\npassword = x\n", True),
        ("yaml", "mail:\n  password: x\n# authsweep: ignore\n", False),
        ("json", '{"a": 1,\n "password": "x"}\n', False),
    ],
)
def test_config_files_use_their_comment_syntax(kind: str, text: str, suppressed: bool) -> None:
    finding = _finding("AS105", 2 if kind != "ini" else 3)
    mark_suppressed([finding], Source(kind, text.encode()))
    assert finding.suppressed is suppressed


def test_a_directive_above_only_counts_on_a_comment_line() -> None:
    finding = _finding("AS105", 2)
    mark_suppressed([finding], Source("dotenv", b"OTHER=1 # authsweep: ignore\nPASSWORD=x\n"))
    assert not finding.suppressed


@pytest.mark.slow
def test_cli_counts_suppressed_and_lists_them_on_request(tmp_path: Path) -> None:
    write(tmp_path / "a.py", IMPLICIT_TLS_587.rstrip("\n") + "  # authsweep: ignore[AS201]\n")
    write(tmp_path / "b.py", IMPLICIT_TLS_587)
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "a.py" not in result.stdout
    assert "1 suppressed by comments" in result.stdout
    shown = run_cli("check", ".", "--show-suppressed", cwd=tmp_path)
    assert "a.py:3:1: AS201 [error]" in shown.stdout and "[suppressed]" in shown.stdout
    document = json.loads(
        run_cli("check", ".", "--format", "json", "--show-suppressed", cwd=tmp_path).stdout
    )
    assert document["summary"]["suppressed"] == 1
    assert [f["path"] for f in document["findings"]] == ["b.py"]
    assert [(f["path"], f["suppressed"]) for f in document["suppressed"]] == [("a.py", True)]


@pytest.mark.slow
def test_only_suppressed_findings_exit_zero(tmp_path: Path) -> None:
    lines = MULTILINE_LOGIN.splitlines()
    lines[8] += "  # noqa: AS101"
    write(tmp_path / "m.py", "\n".join(lines) + "\n")
    result = run_cli("check", "m.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "No problems found in 1 file. 1 suppressed by comments." in result.stdout


@pytest.mark.slow
def test_cli_suppression_in_a_dotenv_file(tmp_path: Path) -> None:
    write(
        tmp_path / ".env",
        "EMAIL_HOST=smtp.office365.com\n"
        "EMAIL_PORT=587\n"
        "EMAIL_HOST_USER=a@contoso.com\n"
        "# authsweep: ignore[AS105]\n"
        "EMAIL_HOST_PASSWORD=Wibble-42-secret\n",
    )
    result = run_cli("check", "--format", "json", "--show-suppressed", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert "AS105" not in [f["rule"] for f in document["findings"]]
    assert [(f["path"], f["rule"], f["line"]) for f in document["suppressed"]] == [
        (".env", "AS105", 5)
    ]


# AS900 unused-suppression -------------------------------------------------------------

ALL = selected_rules(RunOptions())


def unused(code: str, rules=None, kind: str = "python", path: str = "app.py") -> list[str]:
    result = check_source(path, kind, code.encode(), ALL if rules is None else rules)
    return [f.message for f in result.findings if f.rule == "AS900" and not f.suppressed]


def test_unknown_and_unused_codes_are_reported() -> None:
    login = MULTILINE_LOGIN.rstrip("\n")
    assert unused(login + "  # authsweep: ignore[AS101]\n") == []
    assert unused(login + "  # authsweep: ignore[AS110]\n") == [
        "unused suppression: unknown rule code AS110"
    ]
    assert unused(login + "  # authsweep: ignore[AS101, AS203]\n") == [
        "unused suppression: no AS203 finding on this statement"
    ]
    assert unused("x = 1  # authsweep: ignore\n") == [
        "unused suppression: nothing is reported on this statement"
    ]
    assert unused("x = 1  # noqa: AS999, E501\n") == ["unused suppression: unknown rule code AS999"]
    assert unused("import os  # noqa: F401, E501\n") == []  # other linters' codes


def test_only_rules_that_ran_are_judged() -> None:
    only_tls = [rule for rule in ALL if rule.id.startswith(("AS2", "AS9"))]
    assert unused("x = 1  # authsweep: ignore[AS101]\n", only_tls) == []
    assert unused("x = 1  # authsweep: ignore[AS201]\n", only_tls) != []
    assert unused("x = 1  # authsweep: ignore\n", only_tls) == []  # bare: every rule must run
    assert unused("x = 1  # authsweep: ignore[AS999]\n", only_tls) != []  # unknown anyway
    without_as900 = [rule for rule in ALL if rule.id != "AS900"]
    assert unused("x = 1  # authsweep: ignore[AS999]\n", without_as900) == []


def test_codes_are_judged_against_the_catalogue_passed_in() -> None:
    """Suppression knows rules only through the catalogue its caller passes (the rules
    package imports suppression, not the other way round)."""
    judge = [rule for rule in ALL if rule.id in ("AS101", "AS900")]
    code = b"x = 1  # authsweep: ignore[AS101, smtp-basic-auth, AS102, Unsupported-Port]\n"
    catalogue = {"as101": "AS101", "smtp-basic-auth": "AS101", "as900": "AS900"}
    [report] = mark_suppressed([], Source("python", code), judge, "app.py", catalogue)
    assert report.message == (
        "unused suppression: no AS101, smtp-basic-auth finding on this statement; "
        "unknown rule code AS102, Unsupported-Port"
    )
    with pytest.raises(TypeError, match="catalogue"):
        mark_suppressed([], Source("python", code), judge, "app.py")


def test_as900_is_silenced_only_by_naming_it() -> None:
    assert unused("x = 1  # authsweep: ignore[AS900, AS101]\n") == []
    assert unused("x = 1  # noqa: AS900, AS101\n") == []
    assert unused("x = 1  # authsweep: ignore  # authsweep: ignore[AS101]\n") != []


def test_config_files_are_judged_too() -> None:
    env = "# authsweep: ignore[AS105]\nEMAIL_HOST=smtp.office365.com\n"
    assert unused(env, kind="dotenv", path=".env") == [
        "unused suppression: no AS105 finding on this statement"
    ]
    used = (
        "EMAIL_HOST=smtp.office365.com\n"
        "# authsweep: ignore[AS105]\n"
        "EMAIL_HOST_PASSWORD=Wibble-42-secret\n"
    )
    result = check_source(".env", "dotenv", used.encode(), ALL)
    assert [(f.rule, f.suppressed) for f in result.findings if f.rule == "AS105"] == [
        ("AS105", True)
    ]
    assert unused(used, kind="dotenv", path=".env") == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("x = 1  # authsweep: ignore[AS101]\n", "x = 1\n"),
        ("x = 1  # noqa: E501, AS101\n", "x = 1  # noqa: E501\n"),
        ("x = 1  # authsweep: ignore[AS101] legacy login\n", "x = 1  # legacy login\n"),
        ("x = 1  # authsweep: ignore[AS101]  # noqa: E501\n", "x = 1  # noqa: E501\n"),
        ("x = 1  # type: ignore  # authsweep: ignore[AS101]\n", "x = 1  # type: ignore\n"),
        ("x = 1\n# authsweep: ignore[AS101]\ny = 2\n", "x = 1\ny = 2\n"),
        ("x = 1\r\ny = 2  # authsweep: ignore\r\n", "x = 1\r\ny = 2\r\n"),
        (
            IMPLICIT_TLS_587.rstrip("\n") + "  # authsweep: ignore[AS201, AS999]\n",
            IMPLICIT_TLS_587.rstrip("\n") + "  # authsweep: ignore[AS201]\n",
        ),
    ],
)
def test_the_fix_removes_what_is_unused_and_keeps_the_line(before: str, after: str) -> None:
    from authsweep.scanner.fixes.rounds import fix_source

    result = fix_source("app.py", "python", before.encode(), RunOptions(), unsafe=False)
    assert result.error is None and result.after == after
    assert [f.rule for f in result.remaining if f.rule == "AS900"] == []


def test_rule_examples_fix_to_their_fixed_text() -> None:
    from authsweep.rules import rule_by_id
    from authsweep.scanner.discover import kind_of
    from authsweep.scanner.fixes.rounds import fix_source

    for example in rule_by_id("AS900").bad:
        kind = kind_of(Path(example.path)) or "python"
        result = fix_source(example.path, kind, example.code.encode(), RunOptions(), unsafe=False)
        assert result.after == example.fixed


def test_cli_reports_and_fix_removes_unused_suppressions(tmp_path: Path) -> None:
    from cli_support import invoke

    write(tmp_path / "notes.py", "VALUE = 1  # authsweep: ignore[smtp-basic-auth]\n")
    write(tmp_path / ".env", "# authsweep: ignore[AS105]\nLOG_LEVEL=debug\n")
    result = invoke("check", "--output-format", "concise", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:2] == [
        ".env:1:3: AS900 [*] unused suppression",
        "notes.py:1:14: AS900 [*] unused suppression",
    ]
    fixed = invoke("fix", cwd=tmp_path)
    assert fixed.returncode == 0
    assert (tmp_path / "notes.py").read_text() == "VALUE = 1\n"
    assert (tmp_path / ".env").read_text() == "LOG_LEVEL=debug\n"
    assert invoke("check", "--ignore", "AS900", cwd=tmp_path).returncode == 0


DIRECTIVE_TEXTS = [
    b"",
    b"x = 1  # noqa: E501\n",
    b"x = 1  # noqa: E501, AS101\n",
    b"x = 1  # NoQA : as2\n",
    b"x = 1  # noqa\nas1 = 2\n",
    b"x = 1  # noqa: E501 has1\n",
    b"# authsweep: ignore[AS101]\n",
    b"# AUTHSWEEP  :\tIGNORE\n",
    b"# authsweep ignore\n# authsweep:\nignore\n",
    b"# noqa: E501\n" * 300 + b"# noqa: F401 AS203\n",
    b"noqanoqa: as9 authsweepauthsweep : ignore",
    b"\xff# noqa:\xfeas1",
]


@pytest.mark.parametrize("text", DIRECTIVE_TEXTS)
def test_may_hold_directive_answers_as_the_expression_searched_everywhere(text: bytes) -> None:
    """The expression is tried only where "authsweep" or "noqa" starts (speed8): the
    answer is what searching every position gave."""
    expression = re.compile(rb"authsweep\s*:\s*ignore|noqa\s*:[^\n]*\bas\d", re.IGNORECASE)
    assert may_hold_directive(text) == (expression.search(text) is not None)
