"""easyimap: ``easyimap.connect(host, user, password, mailbox="INBOX", timeout=15,
ssl=True, port=993, **kwargs)`` makes an ``Imapper`` that logs in at once: imaplib's
``IMAP4_SSL(host=host, port=port)`` with ``ssl``, else plain ``IMAP4`` on the same port
(993 unless given), neither with a context (imaplib's default verifies nothing, FACTS
4.9), then ``login(user, password)``. No OAuth2 (easyimap 0.7.0, ``easyimap/easyimap.py``).
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import LibraryModel, Opener

MODEL = LibraryModel(
    library="easyimap",
    distribution="easyimap",
    # Its own marker: a reader given its host from the environment names no mail host,
    # and "easyimap" holds the pre-check's "imap" (see the note on markers in spec.py).
    markers=(b"easyimap",),
    openers=(
        Opener(
            names=("easyimap.connect", "easyimap.easyimap.connect"),
            params=("host", "user", "password", "mailbox", "timeout", "ssl", "port"),
            protocol=Protocol.IMAP,
            tls=Tls.NONE,
            port_default=993,
            implicit_flag="ssl",
            implicit_default=True,
            user="user",
            secret="password",
            takes_kwargs=True,
            required=("host", "user", "password"),
        ),
    ),
    oauth_hint="easyimap has no OAuth2 login; imap_tools' MailBox(...).xoauth2(user, token) has",
)
