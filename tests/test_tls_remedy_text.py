"""AS204 says how to make the library at hand verify the server, in its own terms: the
parameter it has for a verifying context (``ssl_context=``, ``tls_context=``), the flag
that turned checks off (``validate_certs=False``), or that it takes no context at all."""

from __future__ import annotations

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import check_source


def as204(code: str) -> list[str]:
    result = check_source("module.py", "python", code.encode(), [r() for r in ALL_RULES])
    assert not result.errors
    return [f.message.split("verification", 1)[1] for f in result.findings if f.rule == "AS204"]


@pytest.mark.parametrize(
    ("code", "remedy"),
    [
        (
            "import smtplib\ns = smtplib.SMTP('smtp.office365.com', 587)\ns.starttls()\n",
            ": pass context=ssl.create_default_context()",
        ),
        (
            "import imaplib\nm = imaplib.IMAP4_SSL('outlook.office365.com')\n",
            ": pass ssl_context=ssl.create_default_context()",
        ),
        (
            "import imaplib\nm = imaplib.IMAP4('outlook.office365.com')\nm.starttls()\n",
            ": pass ssl_context=ssl.create_default_context()",
        ),
        (
            "import aiosmtplib\n"
            "s = aiosmtplib.SMTP(hostname='smtp.office365.com', port=587, validate_certs=False)\n",
            ": drop validate_certs=False (aiosmtplib verifies by default)",
        ),
        (
            "import ssl, aiosmtplib\nctx = ssl.create_default_context()\n"
            "ctx.check_hostname = False\nctx.verify_mode = ssl.CERT_NONE\n"
            "s = aiosmtplib.SMTP(hostname='smtp.office365.com', port=587, tls_context=ctx)\n",
            ": pass tls_context=ssl.create_default_context()",
        ),
        (
            "import ssl\nfrom imapclient import IMAPClient\nctx = ssl.create_default_context()\n"
            "ctx.check_hostname = False\nctx.verify_mode = ssl.CERT_NONE\n"
            "c = IMAPClient('outlook.office365.com', ssl_context=ctx)\n",
            ": pass ssl_context=ssl.create_default_context()",
        ),
        (
            "from mailer import Mailer\n"
            "m = Mailer(host='smtp.office365.com', port=587, use_tls=True)\n",
            ": mailer takes no SSL context: connect with smtplib and "
            "context=ssl.create_default_context()",
        ),
        (
            "import os\nfrom imbox import Imbox\n"
            "box = Imbox('outlook.office365.com', username='a@contoso.com',\n"
            "    password=os.environ['P'], ssl=False, starttls=True)\n",
            ": imbox upgrades without the ssl_context it is given: use its implicit TLS with "
            "ssl_context=ssl.create_default_context()",
        ),
        (
            "import imaplib2\nm = imaplib2.IMAP4_SSL('outlook.office365.com')\n",
            ": pass ca_certs=certifi.where() (or another CA bundle file)",
        ),
        (
            "import logging.handlers\n"
            "h = logging.handlers.SMTPHandler(('smtp.office365.com', 587), 'a@contoso.com',\n"
            "    ['b@contoso.com'], 'x', credentials=('a@contoso.com', pw), secure=())\n",
            ": SMTPHandler takes no SSL context: override emit() to call "
            "starttls(context=ssl.create_default_context())",
        ),
    ],
)
def test_the_remedy_names_the_librarys_own_parameter(code: str, remedy: str) -> None:
    assert as204(code) == [remedy]
