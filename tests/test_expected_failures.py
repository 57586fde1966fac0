"""A password login a test expects to fail (inside ``pytest.raises`` or ``assertRaises``,
or in a helper called only there) is not reported as a basic-auth login; its hard-coded
password still is (AS105)."""

from __future__ import annotations

import pytest
from authsweep.scanner.engine import RunOptions, check_source, selected_rules

RULES = selected_rules(RunOptions())
HEAD = "import smtplib, ssl, unittest\nimport pytest\nfrom pytest import raises as expect\n"
CONNECT = (
    "    s = smtplib.SMTP('smtp.office365.com', 587)\n"
    "    s.starttls(context=ssl.create_default_context())\n"
)
LOGIN = "s.login('desk@contoso.com', 'Winter-26')\n"
ERROR = "smtplib.SMTPAuthenticationError"


@pytest.mark.parametrize(
    ("code", "reported"),
    [
        (f"def test_a():\n{CONNECT}    {LOGIN}", True),
        (f"def test_a():\n{CONNECT}    with open('x'):\n        {LOGIN}", True),
        (f"def test_a():\n{CONNECT}    with pytest.raises({ERROR}):\n        {LOGIN}", False),
        # The second item of a with, through an alias of pytest.raises.
        (
            f"def test_a():\n{CONNECT}    with open('x') as f, expect({ERROR}):\n        {LOGIN}",
            False,
        ),
        (
            f"class T(unittest.TestCase):\n  def test_a(self):\n{CONNECT}"
            f"    with self.assertRaises({ERROR}):\n        {LOGIN}",
            False,
        ),
        (
            f"async def test_a():\n{CONNECT}"
            f"    async with pytest.raises({ERROR}):\n        {LOGIN}",
            False,
        ),
        (
            f"def _login(s):\n    {LOGIN}\ndef test_a():\n{CONNECT}"
            f"    with pytest.raises({ERROR}):\n        _login(s)\n",
            False,
        ),
    ],
)
def test_logins_expected_to_fail(code: str, reported: bool) -> None:
    rules = {f.rule for f in check_source("t.py", "python", (HEAD + code).encode(), RULES).findings}
    assert ("AS101" in rules) is reported and "AS105" in rules
