"""A syntax error inside a block leaves out the refused lines, not the whole statement."""

from __future__ import annotations

import ast

import pytest
from authsweep.scanner.errors import ParseError
from authsweep.scanner.python.parse import parse_python
from authsweep.scanner.text import Source


def parsed(code: str):
    return parse_python(Source("python", code.encode()))


def calls(tree: ast.Module) -> list[tuple[str, int]]:
    return sorted(
        (node.func.attr, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    )


def left_out(code: str) -> list[tuple[int, int]]:
    return [(left.first_line, left.last_line) for left in parsed(code).left_out]


@pytest.mark.parametrize("block", ["with connect() as c:", "for c in connect():", "if True:"])
def test_the_lines_before_a_refused_line_in_a_block_are_kept(block: str) -> None:
    code = f'{block}\n    c.login(user, pw)\n    print(f"{{n]}}")\n    c.logout()\n'
    result = parsed(code)
    assert ("login", 2) in calls(result.tree) and ("logout", 4) in calls(result.tree)
    assert [(left.first_line, left.last_line) for left in result.left_out] == [(3, 3)]
    assert str(result.left_out[0].error).endswith("; line 3 not checked")


def test_positions_stay_the_files() -> None:
    code = "def send(c):\n    x = (1, 2]\n    c.login(user, pw)\n"
    result = parsed(code)
    assert result.text == code
    login = next(n for n in ast.walk(result.tree) if isinstance(n, ast.Call))
    assert (login.lineno, login.col_offset, login.end_col_offset) == (3, 4, 21)


def test_a_refused_login_is_left_out_not_guessed_at() -> None:
    result = parsed("with connect() as c:\n    c.login(user, pw]\n    c.select()\n")
    assert calls(result.tree) == [("select", 3)]
    assert [(left.first_line, left.last_line) for left in result.left_out] == [(2, 2)]


def test_a_refused_line_in_a_nested_block_and_several_lines() -> None:
    code = (
        "def fetch(c):\n"
        "    c.login(user, pw)\n"
        "    for uid in c.search():\n"
        "        if uid:\n"
        "            c.move(uid,\n"
        "                   folder))\n"
        '            print("moved" uid)\n'
        "    c.logout()\n"
    )
    result = parsed(code)
    assert [name for name, _ in calls(result.tree)] == ["login", "logout", "search"]
    assert [(left.first_line, left.last_line) for left in result.left_out] == [(5, 6), (7, 7)]


def test_a_refused_block_header_goes_with_its_block() -> None:
    code = (
        "with connect() as c:\n"
        "    c.login(user, pw)\n"
        "    for uid in c.search()):\n"
        "        c.move(uid)\n"
        "\n"
        "    c.logout()\n"
    )
    result = parsed(code)
    assert calls(result.tree) == [("login", 2), ("logout", 6)]
    assert left_out(code) == [(3, 4)]


def test_a_refused_first_line_leaves_out_the_whole_statement() -> None:
    code = "def send(c:\n    c.login(user, pw)\n\nok = 1\n"
    assert left_out(code) == [(1, 2)]


def test_too_many_refused_lines_leave_out_the_whole_statement() -> None:
    body = "".join(f"    x{n} = ({n}]\n" for n in range(9))
    code = f"def send(c):\n    c.login(user, pw)\n{body}\nok = 1\n"
    assert left_out(code) == [(1, 11)]


def test_python2_modules_keep_their_translation() -> None:
    code = 'import smtplib\nwith smtplib.SMTP("h") as s:\n    s.login(u, p)\n    print "sent"\n'
    result = parsed(code)
    assert result.python2 is not None and not result.left_out
    assert ("login", 3) in calls(result.tree)


def test_an_untranslatable_python2_module_is_still_refused_whole() -> None:
    with pytest.raises(ParseError):
        parsed('def send(s):\n    s.login(u, p)\n    print "sent" %% (\n')


def test_an_unclosed_bracket_leaves_out_the_rest_of_the_statement() -> None:
    code = "def send(c):\n    c.login(user, pw)\n    log(print(c)\n    c.quit()\n\n\nok = 1\n"
    result = parsed(code)
    assert ("login", 2) in calls(result.tree)
    assert left_out(code) == [(3, 4)]
