"""The code frames of findings: credentials in URLs and forms masked in the lines shown
(:func:`authsweep.scanner.engine.attach_context`), which is the same as masking the
whole text and showing its lines, since no credential of a URL or a form spans a line
break."""

from __future__ import annotations

from authsweep.scanner.secrets import mask_url_credentials
from authsweep.scanner.text import LineIndex
from hypothesis import given, settings
from hypothesis import strategies as st

# Pieces of URLs, forms and line breaks, so that the expressions match often, across
# what would be line breaks if they could, and at the start and end of lines.
_PIECES = [
    "smtp://",
    "https://",
    "user",
    ":",
    "Secr3t",
    "@",
    "host",
    "/",
    "?",
    "&",
    ";",
    "=",
    "password",
    "token",
    "sig",
    "key",
    '"',
    "'",
    " ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\x0c",
    "é",
    "#",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_each_line_masked_alone_is_that_line_of_the_masked_text(text: str) -> None:
    whole = LineIndex(mask_url_credentials(text))
    alone = LineIndex(text)
    assert whole.count == alone.count
    for number in range(1, alone.count + 1):
        assert mask_url_credentials(alone.line(number)) == whole.line(number)


def test_a_frame_masks_a_url_s_password_and_a_form_s_token() -> None:
    text = 'url = "smtp://me:Secr3tPassw0rd@smtp.office365.com"\nbody = "a=1&token=abcdefgh"\n'
    lines = LineIndex(text)
    assert "Secr3tPassw0rd" not in mask_url_credentials(lines.line(1))
    assert "abcdefgh" not in mask_url_credentials(lines.line(2))
    assert mask_url_credentials(lines.line(1)) == LineIndex(mask_url_credentials(text)).line(1)
