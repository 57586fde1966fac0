"""Property tests: over generated mail code, fixes are idempotent, keep everything
outside their edits, parse, and leave none of the findings they fixed."""

from __future__ import annotations

import pytest
from authsweep.scanner.engine import RunOptions, check_source, selected_rules
from authsweep.scanner.fixes.rounds import fix_source
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

HOSTS = ["smtp.office365.com", "smtp.office365.us", "outlook.office365.com", "smtp.gmail.com"]
RULES = selected_rules(RunOptions())


@st.composite
def mail_module(draw) -> str:
    """A module with one connection, its settings and calls chosen at random, wrapped in
    unrelated code, comments and blank lines that the fix must not touch."""
    host = draw(st.sampled_from(HOSTS))
    client = draw(st.sampled_from(["SMTP", "SMTP_SSL"]))
    port = draw(st.sampled_from(["", ", 25", ", 465", ", 587"]))
    binding = draw(st.sampled_from(["assign", "with", "self"]))
    calls = draw(
        st.lists(
            st.sampled_from(["ehlo", "starttls", "starttls_ctx", "login", "send"]),
            min_size=1,
            max_size=5,
        )
    )
    comment = draw(st.text(alphabet="abc xyz-é", max_size=12))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    indent = "    "
    statements = {
        "ehlo": "{r}.ehlo()",
        "starttls": "{r}.starttls()",
        "starttls_ctx": "{r}.starttls(context=ssl.create_default_context())",
        "login": "{r}.login(USER, PASSWORD)  # {c}",
        "send": '{r}.sendmail(USER, ["x@contoso.com"], "hi")',
    }
    lines = [
        f"# {comment}",
        "import smtplib",
        "import ssl",
        "",
        "USER = 'alerts@contoso.com'",
        "PASSWORD = get_password()",
        "",
    ]
    opened = f"smtplib.{client}('{host}'{port})"
    if binding == "assign":
        lines.append("def send():")
        lines.append(f"{indent}server = {opened}")
        body = [indent + statements[c].format(r="server", c=comment) for c in calls]
    elif binding == "with":
        lines.append("def send():")
        lines.append(f"{indent}with {opened} as server:")
        body = [indent * 2 + statements[c].format(r="server", c=comment) for c in calls]
    else:
        lines.append("class Mailer:")
        lines.append(f"{indent}def open(self):")
        lines.append(f"{indent * 2}self.smtp = {opened}")
        body = [indent * 2 + statements[c].format(r="self.smtp", c=comment) for c in calls]
    lines.extend(body)
    lines.extend(["", "", "def unrelated(x):", f"{indent}return x * 2  # {comment}", ""])
    return newline.join(lines)


def surroundings_kept(before: str, after: str) -> None:
    """The lines no fix is about (comments, other statements, other functions) are all
    still there, unchanged and in the same order."""
    edited = ("server", "self.smtp", "smtplib", "import ")
    surrounding = [line for line in before.splitlines() if not any(w in line for w in edited)]
    remaining = iter(after.splitlines())
    for line in surrounding:
        assert any(candidate == line for candidate in remaining), f"lost or moved: {line!r}"


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mail_module(), st.booleans())
def test_fix_properties(code: str, unsafe: bool) -> None:
    data = code.encode()
    first = fix_source("m.py", "python", data, RunOptions(), unsafe=unsafe, rules=RULES)
    assert first.error is None, first.error
    assert first.codec is not None
    fixed = first.after
    compile(fixed, "m.py", "exec")

    # Idempotent: a second fix changes nothing.
    second = fix_source(
        "m.py", "python", first.codec.encode(fixed), RunOptions(), unsafe=unsafe, rules=RULES
    )
    assert second.after == fixed

    # Surroundings kept: comments, the unrelated function, newline style.
    if "\r\n" in code:
        assert "\n" not in fixed.replace("\r\n", "")
    assert fixed.splitlines()[0] == code.splitlines()[0]
    assert "def unrelated(x):" in fixed
    surroundings_kept(code, fixed)

    # Check after fix reports nothing that this fix could still fix.
    after = check_source("m.py", "python", first.codec.encode(fixed), RULES)
    still_fixable = [
        f.rule
        for f in after.findings
        if f.fix is not None and (unsafe or f.fix.applicability.value == "safe")
    ]
    assert still_fixable == []


def test_the_loads_of_every_scope_from_one_walk_are_those_of_a_walk_each() -> None:
    """The clean-up after a fix asks each function, before and after, which names it
    reads: one walk of the module answers for all of them, nested ones too."""
    import ast
    from pathlib import Path

    from authsweep.scanner.fixes.reads import ScopeLoads, loads, named_scopes

    checked = 0
    for path in sorted(Path(__file__).parent.parent.joinpath("fixtures").rglob("*.py")):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        index = ScopeLoads(tree)
        for _, scope in named_scopes(tree):
            assert index(scope) == loads(scope), path
            checked += 1
        lambdas = [node for node in ast.walk(tree) if isinstance(node, ast.Lambda)]
        assert all(index(node) == loads(node) for node in lambdas), path
    assert checked > 500
