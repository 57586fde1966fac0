"""Library models: one module per mail library, each a :class:`LibraryModel` of plain
data (see :mod:`.spec`). Adding a library is one module here plus fixtures; the
interpreter (:mod:`authsweep.scanner.python.adapters.declared`) makes the front end
read it, and ``tests/test_library_models.py`` checks it against the library."""

from __future__ import annotations

from . import (
    aioimaplib,
    apprise,
    botcity,
    dmail,
    easyimap,
    email_to,
    emails,
    envelopes,
    flask_mailman,
    imap_tools,
    imaplib2,
    imbox,
    mailer,
    mailsuite,
    o365,
    prefect_email,
    pyews,
    pyramid_mailer,
    pyzmail,
    rpaframework,
    zmail,
)
from .spec import LibraryModel

MODELS: tuple[LibraryModel, ...] = (
    imap_tools.MODEL,
    envelopes.MODEL,
    mailer.MODEL,
    botcity.MODEL,
    flask_mailman.MODEL,
    emails.MODEL,
    pyews.MODEL,
    o365.MODEL,
    rpaframework.MODEL,
    aioimaplib.MODEL,
    imbox.MODEL,
    zmail.MODEL,
    pyzmail.MODEL,
    imaplib2.MODEL,
    pyramid_mailer.MODEL,
    apprise.MODEL,
    easyimap.MODEL,
    prefect_email.MODEL,
    dmail.MODEL,
    mailsuite.MODEL,
    email_to.MODEL,
)
