"""Red Box (Red Mail's IMAP sibling): ``EmailBox(host, port, username=None,
password=None, cls_imap=imaplib.IMAP4_SSL, use_starttls=False)``. ``get_server()``
(run the first time the box is read: ``box.inbox``, ``box["INBOX"]``, ``connect()``)
calls ``cls_imap(host, port)`` with no SSL context (imaplib's default, which does not
verify certificates, FACTS 4.9), ``starttls()`` without a context when
``use_starttls``, then ``login(username, password)`` when either is set. The password
is kept name-mangled (``self.__password``), so only the constructor's counts; the
module's presets ``redbox.outlook`` (``outlook.office365.com:993``) and ``redbox.gmail``
have no credentials and cannot be given a password afterwards. No OAuth2.
(redbox 0.2.1, ``redbox/box.py``.)"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import LibraryModel, Opener

MODEL = LibraryModel(
    library="redbox",
    distribution="redbox",
    markers=(b"redbox",),
    openers=(
        Opener(
            names=("redbox.EmailBox", "redbox.box.EmailBox"),
            params=("host", "port", "username", "password", "cls_imap", "use_starttls"),
            protocol=Protocol.IMAP,
            tls=Tls.IMPLICIT,
            user="username",
            secret="password",
            required=("host", "port"),
        ),
    ),
    oauth_hint=(
        "Red Box logs in with a password only: read the mailbox with imaplib and "
        "authenticate('XOAUTH2', ...) with an MSAL token"
    ),
)
