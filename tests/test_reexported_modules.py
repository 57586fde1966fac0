"""The standard mail modules a package hands on (``from . import smtplib`` where its
``__init__`` imports smtplib; ``from .compat import imaplib`` from a shim): read as the
standard modules (issue 22, set 24's ``smtpburst``)."""

from __future__ import annotations

from authsweep.scanner.python.symbols import standard_name
from fixture_findings import FIXTURES, findings_in


def test_package_reexports_are_the_standard_modules() -> None:
    found = findings_in(FIXTURES / "recall" / "reexported")
    assert ("send.py", 12, "AS101", "warning") in found  # the caller's host
    assert ("send.py", 20, "AS102", "error") in found  # Microsoft's host, via the shim


def test_only_the_project_s_modules() -> None:
    assert standard_name(".smtplib.SMTP") == "smtplib.SMTP"
    assert standard_name("..compat.imaplib.IMAP4_SSL") == "imaplib.IMAP4_SSL"
    # Another distribution's module of that name is its own.
    assert standard_name("gevent.smtplib.SMTP") == "gevent.smtplib.SMTP"
