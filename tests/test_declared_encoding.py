"""A Python module's encoding is found without ``tokenize`` when its first lines say
none (scanner/text.py): the answer, or the error, must be ``tokenize.detect_encoding``'s
on every shape of the first two lines."""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from authsweep.scanner import precheck
from authsweep.scanner.precheck import module_may_matter, utf8_by_default
from authsweep.scanner.text import _declared_encoding

LINES = [
    b"",
    b"\n",
    b"# comment\n",
    b"   \n",
    b"\x0c\n",
    b"import smtplib\n",
    b"# -*- coding: latin-1 -*-\n",
    b"# vim: set fileencoding=utf-8 :\n",
    b"s = 'caf\xc3\xa9'\n",  # UTF-8
    b"s = 'caf\xe9'\n",  # latin-1, not UTF-8
    b"# caf\xe9\n",
    b"# caf\xc3\xa9\n",
    b"x = 1\r\n",
    b"x = 1\ry = '\xe9'\n",  # a lone CR is no line end for tokenize's reading
    b"\xef\xbb\xbfimport os\n",  # a byte order mark
]


def _tokenize_answer(data: bytes) -> str:
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError:
        return "error"


def _answer(data: bytes) -> str:
    try:
        return _declared_encoding(data)
    except ValueError:
        return "error"


@pytest.mark.parametrize("first,second", list(itertools.product(LINES, repeat=2)))
def test_the_encoding_is_tokenizes(first: bytes, second: bytes) -> None:
    for rest in (b"", b"print('\xc3\xa9')\n", b"print('\xe9')\n"):
        data = first + second + rest
        assert _answer(data) == _tokenize_answer(data), data


def test_the_shortcut_answers_utf8_only_where_tokenize_does() -> None:
    for first, second in itertools.product(LINES, repeat=2):
        data = first + second + b"print('\xe9')\n"
        if utf8_by_default(data):
            assert _tokenize_answer(data) == "utf-8", data


def test_the_pre_check_answers_as_with_tokenize(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-check of a module that may hide a marker in its text: the same with the
    shortcut as with ``tokenize`` asked every time."""
    samples = [
        first + second + rest
        for first, second in itertools.product(LINES, repeat=2)
        for rest in (b"x = '\xef\xbd\x93mtplib'\n", b"import \xef\xbd\x93mtplib\n", b"y = 2\n")
    ]
    answers = [module_may_matter("python", data) for data in samples]
    monkeypatch.setattr(precheck, "utf8_by_default", lambda data: False)
    assert answers == [module_may_matter("python", data) for data in samples]


def test_a_check_of_utf8_modules_without_a_cookie_imports_no_tokenize(tmp_path: Path) -> None:
    """Through the command's own start (``authsweep.main``): a module the pre-check looks at
    in its text, and one the front end decodes and analyses."""
    (tmp_path / "notes.py").write_text("GREETING = 'Grüße'\n", encoding="utf-8")
    (tmp_path / "job.py").write_text(
        "import smtplib\n\nGREETING = 'Grüße'\nprint(smtplib.SMTP_SSL)\n", encoding="utf-8"
    )
    probe = (
        "import sys, atexit\n"
        "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + ' '.join(sys.modules)))\n"
        "from authsweep import main\n"
        "sys.argv = ['authsweep', 'check', '--no-cache', '--exit-zero', 'notes.py', 'job.py']\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    modules = result.stderr.rsplit("MODULES ", 1)[1].split()
    assert (
        "authsweep.scanner.python.module_analysis" in modules
        or "authsweep.scanner.python.frontend" in modules
    )
    assert "tokenize" not in modules
