"""Per-file bounds: a file is checked within its budget, or refused as too complex with
the reason, never checked for minutes or with gigabytes.

No test here is timed (bench/robustness.py measures time and memory): the work is
counted, or the file is refused by a bound that does not depend on the machine.
"""

from __future__ import annotations

import ast
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from authsweep.scanner.budget import TooComplex, bounded, spend
from authsweep.scanner.engine import RunOptions, check_source, selected_rules
from authsweep.scanner.python.parse import parse_text
from authsweep.scanner.python.symbols import Symbols

MAIL = (
    "\nimport smtplib\n\n\ndef send(u, p):\n"
    '    with smtplib.SMTP_SSL("smtp.office365.com", 587) as s:\n'
    "        s.login(u, p)\n"
)
RULES = selected_rules(RunOptions())


class CountingParents(dict):
    """A parents map that counts its look-ups."""

    lookups = 0

    def get(self, key, default=None):
        CountingParents.lookups += 1
        return super().get(key, default)


def test_the_enclosing_function_of_each_of_many_chained_calls_is_one_walk() -> None:
    """``f()()()...``: each call's enclosing function used to be a walk to the top, one
    per call: quadratic in the chain (20,000 calls took 18 s)."""
    calls = 4000
    tree = parse_text("def outer():\n    x = f" + "()" * calls + "\n")
    symbols = Symbols(tree)
    symbols.parents = CountingParents(symbols.parents)
    CountingParents.lookups = 0
    nodes = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert all(symbols.enclosing_function(node) is tree.body[0] for node in nodes)
    assert CountingParents.lookups < 4 * calls


@pytest.mark.slow
def test_a_chain_of_20000_calls_is_checked() -> None:
    data = ("x = f" + "()" * 20_000 + "\n" + MAIL).encode()
    result = check_source("chain.py", "python", data, RULES)
    assert result.errors == []
    assert {f.rule for f in result.findings} >= {"AS101", "AS201"}


@pytest.mark.slow
def test_hundreds_of_connections_on_one_name_are_refused_as_too_complex() -> None:
    """Each of 300 connections bound to ``s`` in one scope was followed through every
    statement of it: 90,000 statement visits. (Which of the analysis's step budgets runs
    out first, following the connections or finding which binding reaches each call,
    depends on the order of its passes.)"""
    code = "import smtplib\n" + "".join(
        f"s = smtplib.SMTP('smtp.office365.com', 587)\ns.login(user, p{i})\n" for i in range(300)
    )
    result = check_source("many.py", "python", code.encode(), RULES)
    assert result.findings == []
    [error] = result.errors
    assert error.kind == "too-complex"
    assert error.message in (
        "not checked: too complex: following each connection through the statements of its "
        "function takes over 60,000 steps",
        "not checked: too complex: finding which assignment of a name reaches each call on "
        "it takes over 60,000 steps",
    )


def test_a_few_connections_on_one_name_are_checked() -> None:
    """The nearest real variant: a script that reconnects a few times."""
    code = "import smtplib\n" + "".join(
        f"s = smtplib.SMTP('smtp.office365.com', 587)\ns.login(user, p{i})\n" for i in range(20)
    )
    result = check_source("few.py", "python", code.encode(), RULES)
    assert result.errors == []
    assert sum(f.rule == "AS101" for f in result.findings) == 20


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.slow
def test_a_very_long_line_of_statements_is_refused_as_too_complex(tmp_path: Path) -> None:
    """3 MB of statements on one line cannot be narrowed to those that mention mail: the
    whole line would be analysed (the 7.7 MB one took 29 s and 3 GB). Run in a child with
    1 GB, where it used to fail with MemoryError."""
    path = tmp_path / "one_line.py"
    path.write_text("import smtplib; " + "x = 1; " * 450_000 + "\n" + MAIL)
    result = subprocess.run(
        [sys.executable, "-m", "authsweep.scanner.cli", "check", str(path), "--no-cache"]
        + ["--format", "json", "--exit-zero"],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limited,
        check=False,
    )
    document = json.loads(result.stdout)
    [error] = document["errors"]
    assert error["kind"] == "too-complex", error
    assert "characters of statements that mention mail or what they use" in error["message"]
    assert "over the 1,000,000 a file may have analysed" in error["message"]


@pytest.mark.slow
def test_a_large_module_of_ordinary_lines_is_still_checked() -> None:
    """The nearest real variant: 3 MB of code on its own lines is narrowed to the
    statements that mention mail, and checked."""
    code = "".join(f"def f{i}(a, b=2):\n    return a + b * {i}\n" for i in range(90_000))
    result = check_source("big.py", "python", (code + MAIL).encode(), RULES)
    assert result.errors == []
    assert {f.rule for f in result.findings} >= {"AS101", "AS201"}


def test_a_budget_counts_steps_and_refuses_past_them() -> None:
    with bounded(10):
        spend(10, "x")
        with pytest.raises(TooComplex, match="walking takes over 10 steps"):
            spend(1, "walking")
    spend(10**9, "no budget outside a check")


def test_a_megabyte_long_word_is_masked_in_linear_time() -> None:
    """A URL's scheme was tried at every letter of a word, each try running to the word's
    end: a megabyte-long string literal took hours to mask (the analysis timed out). Run
    in a child given 120 s so that a regression fails instead of hanging the suite."""
    probe = (
        "from authsweep.scanner.secrets import mask_url_credentials\n"
        "text = 'S = \"' + 'x' * 1_000_000 + '\"  # smtp://desk:Winter-Mail-26@host'\n"
        "print(mask_url_credentials(text)[-40:])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert "# smtp://desk:Wi************@host" in result.stdout, result.stderr
