"""One line table for every stage (scanner/text.py's LineIndex): lines end where Python's
tokenizer, ``ast`` and LibCST end them, and UTF-8 byte columns become character offsets."""

from __future__ import annotations

import ast
import io
import re
import tokenize

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import check_source
from authsweep.scanner.text import LineIndex, decode, source_lines
from hypothesis import given, settings
from hypothesis import strategies as st

TEXTS = [
    "",
    "x",
    "x\n",
    "a = 1\r\nb = 'é'\rc = '→'\n\nd = 4",
    "a = 1\x0cb = 2\n\u2028c = 3\r",  # a form feed and a line separator end no line
]


@pytest.mark.parametrize("text", TEXTS)
def test_lines_are_the_lines_python_counts(text: str) -> None:
    index = LineIndex(text)
    assert index.lines() == source_lines(text)
    assert index.count == len(index.lines())
    assert [index.line(n) for n in range(1, index.count + 1)] == index.lines()
    tokens = list(tokenize.generate_tokens(io.StringIO(text, newline="").readline))
    for token in tokens:
        if token.string.strip():
            row, column = token.start
            assert text[index.line_start(row) + column :].startswith(token.string)


def test_byte_columns_become_character_offsets() -> None:
    text = "s = 'é→'\r\nt = smtplib.SMTP('ü', 587)\rdone = 1\n"
    index = LineIndex(text)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant):
            start = index.offset(node.lineno, node.col_offset)
            end = index.offset(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
            assert ast.literal_eval(text[start:end]) == node.value
            span = index.span(start, end)
            assert (span.line, span.end_line) == (node.lineno, node.end_lineno)
            assert index.line(span.line)[span.column - 1 :].startswith(text[start:end])


def test_config_files_with_carriage_returns_report_the_line_suppression_reads() -> None:
    """A config file whose lines end in a lone \\r (old Mac tools) is reported at the
    lines an editor shows, and a suppression comment on that line silences the finding
    (the config readers counted \\n alone: every finding was on line 1, unsuppressable)."""
    data = (
        b"[mail]\rhost = smtp.office365.com\rport = 465\ruse_tls = true\r"
        b"password = hunter2secret  ; authsweep: ignore[AS105]\r"
    )
    findings = check_source("mail.ini", "ini", data, [rule() for rule in ALL_RULES]).findings
    lines = {f.rule: (f.span.line, f.suppressed) for f in findings}
    assert lines["AS202"] == (3, False)
    assert lines["AS105"] == (5, True)
    assert all(f.frame and f.frame[0][0] == f.span.line for f in findings)


@given(st.lists(st.sampled_from(["a", "é", "\n", "\r", "\r\n", "\x0c", "\u2028", ""]), max_size=16))
@settings(max_examples=500, deadline=None)
def test_line_starts_from_split_lengths_are_where_each_line_break_ends(pieces: list[str]) -> None:
    """A text without ``\\r`` has its line starts from the lengths of its ``\\n``-split
    lines; they are where each ``\\r\\n``, ``\\r`` or ``\\n`` ends, as the expression
    finds them in any text."""
    text = "".join(pieces)
    ends = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    assert LineIndex(text).starts == ends
    assert LineIndex(text.replace("\r", "")).starts == [0] + [
        m.end() for m in re.finditer("\n", text.replace("\r", ""))
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                b"",
                b"\n",
                b"\r\n",
                b"# -*- coding: latin-1 -*-\n",
                b"#coding=cp1252\n",
                b"# vim: set fileencoding=utf-8 :\n",
                b"# a coding-free comment\n",
                b"# coding: nonsense\n",
                b"import smtplib\n",
                b"x = '\xc3\xa9'\n",
                b"x = '\xe9'\n",
                b"\xef\xbb\xbf",
                b"\t# coding: utf-8\n",
            ]
        ),
        max_size=4,
    )
)
def test_a_module_is_decoded_as_python_declares_it(pieces: list[bytes]) -> None:
    """The encoding ``decode`` takes a Python module in (or its refusal) is
    ``tokenize.detect_encoding``'s, which it asks only for a module that may declare one or
    holds other than ASCII."""
    data = b"".join(pieces)
    try:
        expected = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError:
        with pytest.raises(ValueError, match="cannot decode"):
            decode("python", data)
        return
    try:
        codec, text = decode("python", data)
    except ValueError:  # detected, but the bytes are not in that encoding
        with pytest.raises((UnicodeDecodeError, LookupError)):
            data.decode(expected)
        return
    assert codec.encoding == expected
    assert text == data.decode(expected)
