"""The markers the Python front end's library adapters and models declare (``exchangelib``,
``o365``, ...), for the byte pre-check (:mod:`authsweep.scanner.precheck`), which reads
them for every file: from this index, a file that cannot matter costs no import of the
adapters and models (about 30 modules). Also the models' libraries that projects bundle
(``bundled``), which the import resolution reads. Generated from the adapters by
``python scripts/adapter_markers.py``; ``tests/test_adapter_markers.py`` fails when it
is not current (a model or an adapter added or changed its markers).
"""

ADAPTER_MARKERS: tuple[str, ...] = (
    "smtplib",
    "imaplib",
    "poplib",
    "aiosmtplib",
    "smtphandler",
    "django.core.mail",
    "core import mail",
    "send_mail",
    "emailbackend",
    "yagmail",
    "redmail",
    "imapclient",
    "exchangelib",
    "msal",
    "azure.identity",
    "acquire_token",
    "microsoftonline",
    "imap_tools",
    "mailer import",
    "import mailer",
    "botemailplugin",
    "flask_mailman",
    "import emails",
    "from emails",
    "pyews",
    "o365",
    "rpa.email",
    "aioimaplib",
    "imbox",
    "zmail",
    "imaplib2",
    "pyramid_mailer",
    "mailto://",
    "mailtos://",
    "easyimap",
    "prefect_email",
    "dmail",
    "mailsuite",
    "email_to",
    "redbox",
)
# The models' single-file libraries that projects bundle as a module of their own.
BUNDLED_LIBRARIES: frozenset[str] = frozenset(("imaplib2",))
