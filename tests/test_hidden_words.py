"""Modules whose bytes hide the words of their code are still checked.

CPython runs a module in the encoding it declares (PEP 263): in ``utf-7``,
``unicode_escape`` or ``raw_unicode_escape`` not one ASCII word of the code need be in its
bytes, and the byte pre-check used to skip such a file as "no mail here". Python also
reads identifiers in NFKC form, so ``import ｓｍｔｐｌｉｂ`` imports smtplib. A hard-coded
password login written so must be reported; one that ``fix`` could not write back byte
for byte is reported as not fixable, and ``fix`` says why.
"""

from __future__ import annotations

import base64
import io
import tokenize
import unicodedata
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions, check_source, selected_rules
from authsweep.scanner.fixes.rounds import fix_source
from cli_support import invoke, write
from hypothesis import given, settings
from hypothesis import strategies as st

LOGIN = """\
import smtplib

s = smtplib.SMTP("smtp.office365.com", 587)
s.starttls()
s.login("desk@contoso.com", "Winter-Mail-26")
"""
RULES = selected_rules(RunOptions())


def utf7_hidden(code: str) -> bytes:
    """Every line as one base64 run: the bytes hold no letter of the code."""
    lines = [
        "+" + base64.b64encode(line.encode("utf-16-be")).decode().rstrip("=") + "-" if line else ""
        for line in code.split("\n")
    ]
    return ("# -*- coding: utf-7 -*-\n" + "\n".join(lines)).encode()


def escaped(code: str, codec: str, form: str) -> bytes:
    body = "".join(form % ord(c) if c.isalpha() else c for c in code)
    return (f"# -*- coding: {codec} -*-\n" + body).encode()


HIDDEN = {
    "utf-7": utf7_hidden(LOGIN),
    "unicode_escape": escaped(LOGIN, "unicode_escape", "\\x%02x"),
    "raw_unicode_escape": escaped(LOGIN, "raw_unicode_escape", "\\u%04x"),
}


@pytest.mark.parametrize("codec", sorted(HIDDEN))
def test_a_login_hidden_by_the_declared_encoding_is_reported(codec: str) -> None:
    data = HIDDEN[codec]
    assert b"smtp" not in data.lower() and b"login" not in data
    compile(data, "m.py", "exec")  # CPython reads it as the login it is
    result = check_source("m.py", "python", data, RULES)
    assert [f.rule for f in result.findings] == ["AS204", "AS101", "AS105"]
    assert all(f.fix is None for f in result.findings)  # fix could not write it back


def test_fix_says_why_it_leaves_such_a_file_alone(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(HIDDEN["utf-7"])
    result = fix_source("m.py", "python", HIDDEN["utf-7"], RunOptions(), unsafe=True)
    assert result.error is not None and not result.changed
    assert result.error.message == "not fixed: its encoding (utf-7) would not give back its bytes"


def test_a_plain_utf7_module_is_fixed_and_keeps_its_bytes(tmp_path: Path) -> None:
    """The nearest real variant: declared utf-7, written plainly; its round trip holds."""
    path = tmp_path / "m.py"
    path.write_bytes(("# -*- coding: utf-7 -*-\n" + LOGIN).encode("utf-7"))
    fixed = invoke("fix", "m.py", cwd=tmp_path)
    assert fixed.returncode == 1  # the login is left for --unsafe-fixes
    text = path.read_bytes().decode("utf-7")
    assert "s.starttls(context=ssl.create_default_context())" in text
    assert text.startswith("# -*- coding: utf-7 -*-\nimport smtplib\nimport ssl\n")


def test_identifiers_in_their_nfkc_form_are_read(tmp_path: Path) -> None:
    code = (
        "import ｓｍｔｐｌｉｂ\n\n"
        'HOST = "sm" + "tp.offi" + "ce365.com"\n'
        "s = ｓｍｔｐｌｉｂ.ＳＭＴＰ(HOST, 587)\n"
        "s.starttls()\n"
        's.login("desk@contoso.com", "Winter-Mail-26")\n'
    )
    write(tmp_path / "m.py", code)
    assert b"smtp" not in code.encode().lower()
    found = invoke("check", "m.py", "--no-cache", cwd=tmp_path)
    assert "m.py:6:1: AS101 [error] SMTP password login to 'smtp.office365.com'" in found.stdout


@pytest.mark.parametrize(
    ("data", "matters"),
    [
        # UTF-8 text already in NFKC form: its bytes were searched, nothing more to find.
        ("# café, naïve, 日本語\nx = 1\n".encode(), False),
        # A bad byte is replaced, never read as a letter of a marker.
        (b"# sm\xfftp\nx = 1\n", False),
        (b"\xef\xbb\xbf# caf\xc3\xa9\nimport os\n", False),
        # Letters only the NFKC form spells as ASCII.
        ("import ｓｍｔｐｌｉｂ\n".encode(), True),
        ("# café\nimport ｓｍｔｐｌｉｂ\n".encode("utf-8-sig"), True),
        # Another declared encoding is decoded and searched as text.
        ("# -*- coding: latin-1 -*-\n# é\nimport smtplib\n".encode("latin-1"), True),
    ],
)
def test_the_pre_check_reads_what_python_reads(data: bytes, matters: bool) -> None:
    from authsweep.scanner.precheck import module_may_matter

    assert module_may_matter("python", data) is matters


def test_the_pre_check_finds_every_marker_and_nothing_shorter() -> None:
    """Every marker is found, in any case, and a family word alone (``mail``) is not one."""
    from authsweep.scanner.precheck import _FAMILY_WORDS, _markers, may_matter

    markers = _markers(())
    assert markers and all(may_matter(f"x = '{m.upper()}'\n".encode()) for m in markers)
    for word in _FAMILY_WORDS:
        assert may_matter(f"# {word}\n".encode()) is (word in markers)
    assert not may_matter(b"# e-mail, smt p, im ap\n")


def _whole_text_answer(data: bytes) -> bool:
    """The pre-check's answer for a UTF-8 module, with its whole text in NFKC form."""
    from authsweep.scanner.precheck import may_matter

    text = data.decode("utf-8-sig", errors="replace")
    return may_matter(data) or may_matter(unicodedata.normalize("NFKC", text).encode())


@pytest.mark.parametrize(
    "text",
    [
        "x = 'ｓmtp'\n# plain\n",  # a marker half full-width, half ASCII, on one line
        "# nai\u0308ve\nimport os\n",  # composed by NFKC: not in NFKC form
        "# nai\u0308ve\nimport ｐｏｐｌｉｂ\n",
        "x = 'smt'\n\u0301p = 1\n",  # a combining mark opening a line
        "# ﬁle\n# ｉｍａｐ\u0301\n",  # a ligature; a mark on a marker's last letter
        "a = 'sm\u2028tp'  # é\u0301\n",  # a line separator inside a line
        "\ufeff# café\u0301\nx = 'ｏｕｔｌｏｏｋ'\n",
    ],
)
def test_the_lines_in_nfkc_form_answer_as_the_whole_text(text: str) -> None:
    from authsweep.scanner.precheck import module_may_matter

    data = text.encode()
    assert module_may_matter("python", data) is _whole_text_answer(data)


def test_only_lines_with_other_than_ascii_are_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    """A UTF-8 module not in NFKC form has only its lines with other than ASCII put in
    that form: the rest were searched as bytes already."""
    from authsweep.scanner import precheck

    normalised: list[str] = []
    normalize = unicodedata.normalize

    def recording(form: str, text: str) -> str:
        normalised.append(text)
        return normalize(form, text)

    monkeypatch.setattr(precheck.unicodedata, "normalize", recording)
    data = ("x = 1\n" * 200 + "# nai\u0308ve\n" + "y = 2\n" * 200).encode()
    assert not precheck.module_may_matter("python", data)
    assert normalised == ["# nai\u0308ve"]


def _whole_text_nfkc_answer(data: bytes) -> bool:
    """The answer of the pre-check before it looked for the lines with other than ASCII in
    the bytes: the whole module decoded, its NFKC form checked, then its lines."""
    from authsweep.scanner.precheck import may_matter

    if may_matter(data) or data.isascii():
        return may_matter(data)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return False
    text = data.decode(encoding, errors="replace")
    if unicodedata.is_normalized("NFKC", text):
        return False
    text = "\n".join(line for line in text.split("\n") if not line.isascii())
    return may_matter(unicodedata.normalize("NFKC", text).encode("utf-8", "surrogatepass"))


_PIECES = [
    b"\n",
    b"\r\n",
    b"\r",
    b" ",
    b"smt",
    b"p",
    b"im",
    b"ap",
    b"x = 1",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xef\xbb\xbf",
    "é".encode(),
    "e\u0301".encode(),
    "ｓｍｔｐ".encode(),
    "ｉ".encode(),
    "\u0301".encode(),
    "ﬁ".encode(),
    "\u2028".encode(),
    b"\xf0\x9f",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=24))
@settings(max_examples=400, deadline=None)
def test_lines_found_in_the_bytes_answer_as_the_decoded_text(pieces: list[bytes]) -> None:
    """A UTF-8 module's lines with other than ASCII, found and decoded one by one in its
    bytes (bad bytes, cut sequences before a line end, a BOM, marks opening a line), give
    the answer the decoded whole text gave."""
    from authsweep.scanner.precheck import module_may_matter

    data = b"".join(pieces)
    assert module_may_matter("python", data) is _whole_text_nfkc_answer(data)


def _fragments() -> list[str]:
    from authsweep.scanner.precheck import _FAMILY_WORDS, _markers

    words = [*_markers(()), *_FAMILY_WORDS]
    return [*words, *(w[: len(w) // 2] for w in words), *(w[len(w) // 2 :] for w in words), " "]


@given(st.lists(st.sampled_from(_fragments()), max_size=12))
@settings(max_examples=400, deadline=None)
def test_the_nested_plan_finds_what_every_marker_searched_finds(pieces: list[str]) -> None:
    """Markers searched under family words, and family words under family words
    (``mail_host`` once ``mail_`` is found, once ``mail`` is), answer as a search for
    every marker would."""
    from authsweep.scanner.precheck import may_matter

    data = "".join(pieces).upper().encode()
    assert may_matter(data) is _reference(data)


def _part_starts(data: bytes, at: int) -> bool:
    before, first = data[at - 1 : at], data[at : at + 1]
    return at == 0 or not before.isalpha() or (before.islower() and first.isupper())


def _reference(data: bytes) -> bool:
    """Every marker searched alone; one that a word part marker begins, only where a word
    part begins."""
    from authsweep.scanner.precheck import _WORD_PART_MARKERS, _markers

    lowered = data.lower()
    for marker in _markers(()):
        anywhere = not marker.startswith(tuple(_WORD_PART_MARKERS))
        at = lowered.find(marker.encode())
        while at >= 0:
            if anywhere or _part_starts(data, at):
                return True
            at = lowered.find(marker.encode(), at + 1)
    return False


@given(
    st.lists(
        st.sampled_from(
            [
                "smtp",
                "SMTP",
                "Smtp",
                "imap",
                "IMap",
                "aiosmtplib",
                "easyIMAP",
                "lib",
                "ti",
                "T",
                "e",
                "my",
                "_",
                ".",
                " ",
                "office365",
                "o",
            ]
        ),
        max_size=8,
    )
)
@settings(max_examples=400, deadline=None)
def test_the_plan_answers_as_each_marker_searched_alone(pieces: list[str]) -> None:
    from authsweep.scanner.precheck import may_matter

    data = "".join(pieces).encode()
    assert may_matter(data) is _reference(data)


@given(st.lists(st.sampled_from(_PIECES), max_size=24), st.integers(min_value=1, max_value=12))
@settings(max_examples=400, deadline=None)
def test_lines_looked_at_in_runs_are_those_split_one_by_one(pieces: list[bytes], run: int) -> None:
    """The lines with other than ASCII, found in runs of bytes that end at a line end
    (runs of a few bytes here, to cut every shape), are those of the whole split."""
    from authsweep.scanner.precheck import _non_ascii_lines

    data = b"".join(pieces)
    lines = [line.decode("utf-8", "replace") for line in data.split(b"\n") if not line.isascii()]
    assert _non_ascii_lines(data, run) == "\n".join(lines)


def test_an_ascii_module_that_declares_no_encoding_is_not_asked_its_encoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only a comment of the first two lines that says ``coding`` declares an encoding
    (PEP 263): an ASCII module without one is UTF-8, searched as bytes already; one
    with it on its second line is still read as it declares."""
    from authsweep.scanner import precheck

    asked: list[str] = []
    detect = tokenize.detect_encoding

    def recording(readline):
        found = detect(readline)
        asked.append(found[0])
        return found

    monkeypatch.setattr(tokenize, "detect_encoding", recording)  # imported when asked
    assert not precheck.module_may_matter("python", b"#!/usr/bin/env python\nx = 1\n# coding\n")
    assert asked == []
    hidden = HIDDEN["utf-7"].replace(b"# -*- coding", b"#!/usr/bin/env python\n# -*- coding", 1)
    assert precheck.module_may_matter("python", hidden)
    assert asked == ["utf-7"]
