"""TLS settings a program leaves to its user or to a flag (issue 22, round 4): a context
that verifies unless an option turns the checks off is said once, as info, where it
does; a STARTTLS that runs only when the flag that chose implicit TLS is false is no
second upgrade."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

OPTIONS = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "tls_options"


def found(name: str, rules: tuple[str, ...]) -> set[tuple[int, str, str]]:
    run = check_paths([str(OPTIONS / name)], RunOptions())
    return {(f.span.line, f.rule, f.severity.value) for f in run.findings if f.rule in rules}


def test_a_verify_option_is_said_once_where_it_turns_the_checks_off() -> None:
    """One info per option (the first statement that turns the checks off), for the
    implicit TLS and the STARTTLS that use the context; no warning."""
    assert found("verify_option.py", ("AS204",)) == {(14, "AS204", "info")}
    run = check_paths([str(OPTIONS / "verify_option.py")], RunOptions())
    (info,) = [f for f in run.findings if f.rule == "AS204"]
    assert "unless `verify is False`" in info.message and info.fix is None


def test_starttls_only_where_the_implicit_tls_flag_is_false_is_no_second_upgrade() -> None:
    """``IMAPClient(host, ssl=ssl)`` then ``if not ssl: starttls()`` (a subclass's
    ``__init__``, an ``else:`` arm, aiosmtplib's ``use_tls``): plain where the upgrade
    runs; a STARTTLS under ``if use_ssl:`` is still a second upgrade (AS206)."""
    assert found("ssl_flag.py", ("AS206",)) == {(35, "AS206", "warning")}


def test_a_value_tested_against_a_tuple_of_constants_is_one_of_them_or_none() -> None:
    """``if self.tls == "ssl": SMTP_SSL(...)`` then ``if self.tls in ("required",
    "optional", True): starttls()``: no path has both (marrow.mailer's SMTP transport). A
    mode in the first tuple that the second (``not in``) does not exclude keeps the
    second upgrade reported."""
    assert found("encryption_membership.py", ("AS206",)) == {(36, "AS206", "warning")}


def test_membership_facts_agree_with_equality_and_with_each_other() -> None:
    import ast

    from authsweep.scanner.python.conditions import consistent, facts_when

    def facts(*held: str) -> frozenset:
        found: frozenset = frozenset()
        for text in held:
            test = ast.parse(text.removeprefix("not "), mode="eval").body
            found |= facts_when(test, not text.startswith("not "), frozenset())
        return found

    assert not consistent(facts('m == "ssl"', 'm in ("required", "optional")'))
    assert consistent(facts('m == "ssl"', 'm in ("ssl", "tls")'))
    assert not consistent(facts('m in ("ssl",)', 'm in ("starttls", "required")'))
    assert consistent(facts('m in ("ssl", "tls")', 'm in ("tls", "starttls")'))
    assert not consistent(facts('m in ("ssl", "tls")', 'not m in ("ssl", "tls")'))
    assert not consistent(facts('m == "none"', 'm not in ("none", "ssl")'))
    assert consistent(facts('m in ("ssl", x)', 'm == "starttls"'))  # x unknown: no fact


def test_a_path_whose_conditions_contradict_each_other_is_never_taken() -> None:
    """``if self.encryption == "tls": SMTP_SSL(...)`` then ``if self.encryption ==
    "starttls": starttls()``: no path has both (Home Assistant's SMTP notifier). A mode
    reassigned between the two tests keeps the second upgrade reported. The login on the
    ``"none"`` mode's plain path is the user's choice for a host that is not known to be
    Microsoft's (AS203 only when no path upgrades: tests/test_precision_reports.py)."""
    assert found("encryption_mode.py", ("AS206",)) == {(39, "AS206", "warning")}
    assert (26, "AS203", "warning") not in found("encryption_mode.py", ("AS203",))


def test_a_context_bound_on_each_arm_is_the_one_of_the_handshake_s_arm() -> None:
    """``context = ssl.create_default_context()`` for SMTP_SSL on one arm, then ``context
    = ssl._create_unverified_context()`` and ``starttls(context=context)`` on another: the
    STARTTLS skips the checks on every run of its arm (AS204, a warning, fixed where its
    own context is made); with the two factories swapped, the SMTP_SSL is the one."""
    assert found("context_per_arm.py", ("AS204",)) == {
        (18, "AS204", "warning"),
        (28, "AS204", "warning"),
    }


def test_a_context_rebound_under_an_option_is_the_option_at_the_rebinding() -> None:
    """``context = ssl.create_default_context()`` then ``if insecure: context =
    ssl._create_unverified_context()`` (or ``if self.skip_verify:``, or the two factories
    swapped under ``if verify:``, or one on each arm of ``if verify: ... else: ...``) is the
    program's option: one info at the unverified binding, no fix. Rebound on every path, or
    under a value the project commits, it is a warning, fixed where the unverified context
    is made."""
    assert found("context_rebound_option.py", ("AS204",)) == {
        (16, "AS204", "info"),
        (32, "AS204", "info"),
        (43, "AS204", "warning"),
        (54, "AS204", "warning"),
        (62, "AS204", "info"),
        (76, "AS204", "info"),
    }
    run = check_paths([str(OPTIONS / "context_rebound_option.py")], RunOptions())
    by_line = {f.span.line: f for f in run.findings if f.rule == "AS204"}
    assert "unless `insecure`" in by_line[16].message and by_line[16].fix is None
    assert "unless not `verify`" in by_line[62].message
    assert "unless not `verify`" in by_line[76].message and by_line[76].fix is None
    text = (OPTIONS / "context_rebound_option.py").read_text(encoding="utf-8")
    for line, made in ((43, 41), (54, 52)):
        fix = by_line[line].fix
        assert fix is not None
        (edit,) = fix.remedy.edits
        assert edit.replacement == "ssl.create_default_context()"
        assert text[edit.start : edit.end] == "ssl._create_unverified_context()"
        assert text.count("\n", 0, edit.start) + 1 == made


def test_a_context_bound_many_times_is_judged_by_every_binding_that_reaches_it() -> None:
    """Three bindings with the unverified one under an option, a ``self.ctx`` rebound
    under an option in ``__init__`` or in a method its user calls: info at the unverified
    binding. An ``except`` handler's unverified fallback, an attribute rebound on every
    path of ``__init__`` or set in the method that uses it: a warning, fixed where the
    unverified context is made. Every binding verifying: nothing."""
    name = "context_bound_many_times.py"
    assert found(name, ("AS204",)) == {
        (16, "AS204", "info"),
        (42, "AS204", "warning"),
        (63, "AS204", "info"),
        (78, "AS204", "info"),
        (94, "AS204", "warning"),
        (107, "AS204", "warning"),
    }
    run = check_paths([str(OPTIONS / name)], RunOptions())
    by_line = {f.span.line: f for f in run.findings if f.rule == "AS204"}
    assert "unless `relax()` runs" in by_line[78].message and by_line[78].fix is None
    text = (OPTIONS / name).read_text(encoding="utf-8")
    for line, made in ((42, 40), (94, 90), (107, 105)):
        fix = by_line[line].fix
        assert fix is not None
        (edit,) = fix.remedy.edits
        assert text[edit.start : edit.end] == "ssl._create_unverified_context()"
        assert text.count("\n", 0, edit.start) + 1 == made


def test_a_keyword_spread_whose_callers_here_pass_no_context() -> None:
    """``SMTP_SSL(**kwargs)`` in a method whose every call in the module names its
    keywords (``host=``, ``timeout=``, ``port=``): no context, AS204, fixed by adding one;
    a function nobody here calls leaves the spread unknown. A method that only hands its
    keywords on (``return SMTP_SSL(**kwargs)``) is its client's call at each caller
    (recall13): the caller without a context is reported (line 28), the one that passes a
    verifying context is not."""
    name = "keywords_passed_on.py"
    assert found(name, ("AS204",)) == {(22, "AS204", "warning"), (28, "AS204", "warning")}
    run = check_paths([str(OPTIONS / name)], RunOptions())
    assert all(f.fix is not None for f in run.findings if f.rule == "AS204")
