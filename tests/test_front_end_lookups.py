"""The front end's cheap looks before it analyses a module: the same answers, less work.

The relevance question of a module past the pre-check, the look at its bytes for a
client's module and class, and the byte searches of the module in lower case.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from authsweep.scanner import inputs, project
from authsweep.scanner.errors import ParseError
from authsweep.scanner.python import entra_secrets, relevance
from authsweep.scanner.python.analyze import _front_end
from authsweep.scanner.python.client_words import ClientWords
from authsweep.scanner.python.parse import parse_python
from authsweep.scanner.python.symbols import Symbols
from authsweep.scanner.text import Source
from authsweep.scanner.words import MAIL_FAMILY_WORDS, Substrings, WholeWords
from hypothesis import given, settings
from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

WORDS = (b"smtp", b"smtp_ssl", b"lmtp")
TEXTS = [
    b"",
    b"smtp",
    b"smtp_ssl",
    b"smtplib.smtp_ssl(host)",
    b"xsmtp smtpx _smtp smtp_ smtp1 1smtp",
    b"x = smtp\n",
    b"(smtp)",
    b"smtp-ssl",
    b"lmtp.lmtpx",
    b"a.smtp_sslx b",
    b"\xffsmtp\xfe",
    b"smtp\xc3\xa9",
    b"smtpx " * 100 + b"smtp",
    b"smtpx " * 100,
    b"smtp_ss smtp_s smtp_sslz",
    b"iSMTP smtp_SSL",
]


@pytest.mark.parametrize("text", TEXTS)
def test_whole_words_as_the_expression_finds_them(text: bytes) -> None:
    """The substring search with a look either side answers as ``\\b(?:...)\\b`` does,
    at the start and end of the text, beside bytes that are not ASCII, and past the
    occurrences inside longer words it looks at one by one."""
    words = WholeWords(WORDS)
    expression = re.compile(rb"\b(?:" + b"|".join(map(re.escape, WORDS)) + rb")\b")
    assert words.found_in(text) == (expression.search(text) is not None)


LIBRARY_NAMES = (b"imaplib", b"aioimaplib", b"imaplib2", b"smtplib", b"aiosmtplib", b"yagmail")
LIBRARY_TEXTS = [
    b"",
    b"import imaplib2",
    b"from aiosmtplib import SMTP",
    b"imap smtp mail",
    b"yagmail, smtplib and aioimaplib",
    b"import imap_tools",
]


@pytest.mark.parametrize("text", LIBRARY_TEXTS)
def test_words_looked_for_by_family_are_the_words_in_the_text(text: bytes) -> None:
    """Names searched only once their family word (``imap``) is found are the names the
    text holds, names inside names among them (``imaplib`` in ``aioimaplib``)."""
    found = Substrings(LIBRARY_NAMES, MAIL_FAMILY_WORDS).found_in(text)
    assert found == {name for name in LIBRARY_NAMES if name in text}


# The expressions the project's look for Flask's mail extension used (speed8 replaced them).
FLASK_EXPRESSIONS = {
    "_FLASK_MAILMAN": rb"\bflask_mailman\b",
    "_FLASK_MAIL": rb"\bflask_mail\b",
    "_FLASK_SETTINGS": rb"\bMAIL_(?:SERVER|PORT|USE_TLS|USE_SSL|USERNAME|PASSWORD)\b",
    "_OAUTH2_MAIL": rb"\b(?:XOAuth2Mail|GraphMail)\b",
}
FLASK_TEXTS = [
    b"import flask_mail\n",
    b"from flask_mailman import Mail",
    b"flask_mailmanx flask_mail2 xflask_mail",
    b"EMAIL_HOST_USER = 1\nEMAIL_PORT = 2\nEMAIL_USE_TLS = True",
    b"MAIL_SERVER = 'smtp.office365.com'",
    b"app.config['MAIL_USE_TLS'] = True",
    b"XMAIL_PORT MAIL_PORTS MAIL_USERNAME_",
    b"EMAIL_PORT " * 80 + b"MAIL_PORT",
    b"class XOAuth2Mail(Mail): pass",
    b"GraphMailer GraphMail",
]


@pytest.mark.parametrize("text", FLASK_TEXTS)
def test_the_flask_words_are_found_as_the_expressions_found_them(text: bytes) -> None:
    for name, expression in FLASK_EXPRESSIONS.items():
        words = getattr(project, name)
        assert words.found_in(text) == (re.search(expression, text) is not None), name


def test_ordinary_text_needs_no_expression() -> None:
    """A module that names a client's module but not its class as a word (Django's own
    modules name ``django``) is answered by substring search: the expression is never
    compiled."""
    words = ClientWords(["smtplib.SMTP", "smtplib.SMTP_SSL", "django.core.mail.get_connection"])
    text = b"from django import forms\nclass smtpserver: pass\n" * 50
    assert not words.named_in(text)
    assert words.named_in(text + b"smtplib.smtp_ssl")
    assert all("search" not in vars(found.pattern) for _, found in words.modules)


def test_a_module_written_in_capitals_is_found_in_lowered_text() -> None:
    # rpaframework's package is ``RPA``; the text searched is lower-cased.
    words = ClientWords(["RPA.Email.ImapSmtp.ImapSmtp"])
    assert words.named_in(b"from rpa.email.imapsmtp import imapsmtp\nmail = imapsmtp")
    assert not words.named_in(b"from rpa.browser.selenium import selenium")


def test_a_setting_name_is_matched_once_a_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """The relevance question asks the setting-name expression once for each name of the
    module, not once for each keyword argument, target or key that has it."""
    asked: list[str] = []
    pattern = relevance.SETTING_NAME

    class Counting:
        def match(self, name: str):
            asked.append(name)
            return pattern.match(name)

    monkeypatch.setattr(relevance, "SETTING_NAME", Counting())
    code = "".join(f"f{n}(timeout=1, retries=2)\nx = {{'timeout': 1}}\n" for n in range(20))
    assert not _front_end().analyze("m.py", Source("python", code.encode())).analyzed
    assert sorted(asked) == ["retries", "timeout", "x"]


class _CountingBytes(bytes):
    lowered = 0

    def lower(self) -> bytes:
        type(self).lowered += 1
        return bytes.lower(self)


def test_a_module_is_lowered_once() -> None:
    """The front end's looks at a module's bytes (a client's module named, a Microsoft
    host, ``xoauth2``) share one lower-cased copy."""
    data = _CountingBytes(b"import smtplib_helpers\nsend(host='mail.example.org')\n")
    mail = _front_end().analyze("m.py", Source("python", data))
    assert not mail.analyzed
    assert _CountingBytes.lowered == 1


def test_a_gated_method_call_is_the_whole_gated_question() -> None:
    """Of every fixture module the front end's relevance question answers no, a call of
    a gated method (``session.post`` beside ``oauth2``) is what a relevance question of
    those methods alone answers."""
    front = _front_end()
    asked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            symbols = Symbols(parse_python(Source("python", path.read_bytes())).tree)
        except ParseError:
            continue
        if front.relevance.matters(symbols):
            continue
        for _, methods in front.gated_methods:
            alone = relevance.Relevance(frozenset(), methods).matters(symbols)
            assert relevance.calls_a_method(symbols, methods) == alone, path
            asked += alone
    assert asked  # some module answers yes


def _files_looked_at_beside(tmp_path: Path, module: str) -> set[str]:
    """The files beside ``checked.py`` (holding ``module``) its analysis noted as inputs."""
    (tmp_path / "mailer.py").write_text("def send():\n    pass\n")
    (tmp_path / "yagmail").mkdir(exist_ok=True)
    (tmp_path / "yagmail" / "__init__.py").write_text("")
    checked = tmp_path / "checked.py"
    checked.write_text(module)
    with inputs.recording() as noted:
        _front_end().analyze(str(checked), Source("python", checked.read_bytes()))
    folder = str(tmp_path.resolve())
    return {
        key[1:].removeprefix(folder).lstrip("/\\")
        for key in noted
        if key[1:].startswith(folder) and not key[1:].endswith("checked.py")
    }


def test_a_library_s_name_is_looked_for_beside_the_module_only_when_imported(
    tmp_path: Path,
) -> None:
    """A file beside the module that takes a library's name (``mailer.py``) is looked at,
    and noted as an input, only for a library the module imports: a name in a comment or
    a string needs no look (it did: every library named anywhere in the bytes)."""
    named = "# mailer, yagmail\nimport smtplib\nsmtplib.SMTP('mailer.example.org')\n"
    assert _files_looked_at_beside(tmp_path, named) == set()
    imported = "import smtplib\nfrom mailer import send\nimport yagmail.sender\n" + named
    assert _files_looked_at_beside(tmp_path, imported) == {
        "mailer.py",
        "yagmail.py",
        "yagmail/__init__.py",
    }


TAKER_PIECES = [
    "Account",
    "Account (",
    "Account(",
    "MyAccount(",
    "_Account(",
    "éAccount(",
    "ConfidentialClientApplication\n(",
    "ClientSecretCredential  (",
    "OAuth2Credentials(",
    "OAuth2Credentials",
    "ClientSecretCredentialX(",
    "(",
    " ",
    ".",
    "x",
    "\n",
    "Accoun",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TAKER_PIECES), max_size=8))
def test_a_call_of_a_class_that_takes_a_secret_is_found_as_the_whole_search_finds_it(
    pieces: list[str],
) -> None:
    """Asked only where a class's name is, with the pattern matched there: the same answer
    as the pattern searched through the whole text (a word before the name, ``\\b`` at the
    start, space before the bracket)."""
    text = "".join(pieces)
    assert entra_secrets._calls_a_taker(text) == bool(entra_secrets._TAKERS.search(text))


def test_a_call_without_keywords_is_not_read_for_settings(monkeypatch) -> None:
    """The settings reader passes over a call with no keyword (most calls) before it works
    out the call's name; a call's upper-case settings keywords are still its settings."""
    from authsweep.rules import ALL_RULES, RuleOptions
    from authsweep.scanner.engine import check_source
    from authsweep.scanner.python import settings_source

    code = (
        b"from django.conf import settings\n"
        + b"print(1)\nlog.info(x)\n" * 3
        + b'settings.configure(EMAIL_HOST="smtp.office365.com", EMAIL_PORT=465,\n'
        + b'    EMAIL_HOST_USER="me@example.com", EMAIL_HOST_PASSWORD=password)\n'
    )
    rules = [rule(RuleOptions()) for rule in ALL_RULES]
    asked: list[ast.AST] = []
    real = settings_source.dotted_name
    monkeypatch.setattr(
        settings_source, "dotted_name", lambda node: asked.append(node) or real(node)
    )
    found = check_source("mailer.py", "python", code, rules)
    assert {"AS101", "AS202"} <= {finding.rule for finding in found.findings}
    names = [real(node) for node in asked]
    assert "settings.configure" in names
    assert "print" not in names and "log.info" not in names
