"""What a fix is made of: the edits a front end prepares for one change, and what
they need beside them (imports, helpers, new modules, edits of other files).

Plain data, like the mail model that carries it: rules pick a :class:`Remedy` by its
:class:`RemedyKind`; the fixer applies its edits.
"""

from __future__ import annotations

from enum import Enum

from .records import record


@record(eq=False, repr=False)
class Edit:
    """Replace ``text[start:end]`` with ``replacement`` (``\\n`` becomes the file's newline)."""

    start: int
    end: int
    replacement: str


# In a new file's path, in edits and in imports: the name of the module a fix writes (the
# ``oauth2-module`` of ``[tool.authsweep]``), and the import name of the fixed file's
# package with a dot after it ("" outside a package); the fixer fills them in.
MODULE_NAME = "{oauth2_module}"
PACKAGE_PREFIX = "{oauth2_package}"
# In imports of a fix that sends through Microsoft Graph (`--target graph`): the import name
# of the project's Graph client module; the fixer fills it in.
GRAPH_MODULE = "{graph_module}"


@record(eq=False, repr=False)
class NewFile:
    """A module a fix adds to the project (a Django email backend, a logging handler).

    ``path`` is relative to the folder of the fixed file (``/`` separators; may hold
    :data:`MODULE_NAME`); ``kind`` names what to write (a key of
    :data:`authsweep.scanner.fixes.modules.MODULES`) and ``options`` the values it is
    written with (the cloud's token scope). The fixer renders it, checks it as it checks
    the fixed file, and writes it only where no file is: one that exists with the same
    content is reused.
    """

    path: str
    kind: str
    options: tuple[tuple[str, str], ...] = ()


@record(eq=False, repr=False)
class OtherFile:
    """Edits a fix makes in another file of the project, which it cannot go without: the
    module that makes Flask-Mail's ``Mail`` switched to the class the fix adds, when the
    settings the fix rewrites are in another file.

    ``path`` is relative to the folder of the fixed file (``/`` separators); ``edits`` are
    offsets into that file's text as it was analysed, when its bytes hashed to ``digest``
    (SHA-256): a file changed since is not edited, and the fix is refused. ``imports`` are
    what the edits need there, as :attr:`Remedy.imports`; ``note`` says what changed.
    """

    path: str
    edits: tuple[Edit, ...]
    digest: str
    imports: tuple[str, ...] = ()
    note: str = ""


@record(eq=False, repr=False)
class Remedy:
    """Edits that a front end prepared for one change, plus what they need at module level.

    ``imports`` are module names to import (``ssl``), or ``module:name`` for a name to
    import from a module; ``helpers`` name module-level
    helpers from :mod:`authsweep.scanner.fixes.helpers` that the edits call; ``files``
    are modules of the project the edits refer to, written beside the fixed file;
    ``elsewhere`` are edits of other files that must go with these; ``requires`` are the
    distributions the edited code needs beyond what it used before, as requirements
    (``aiosmtplib>=5.1``).
    """

    edits: tuple[Edit, ...]
    imports: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    note: str = ""
    # What the remedy rewrites (the offset of a constructor call): two remedies of one
    # target are never applied in one round, whether or not their edits overlap.
    target: int | None = None
    files: tuple[NewFile, ...] = ()
    elsewhere: tuple[OtherFile, ...] = ()
    requires: tuple[str, ...] = ()


class RemedyKind(str, Enum):
    USE_STARTTLS = "use-starttls"  # implicit TLS -> STARTTLS on the same port
    PORT_587 = "port-587"  # port -> 587 with STARTTLS
    ADD_STARTTLS = "add-starttls"  # upgrade the connection before credentials are sent
    # A STARTTLS under a condition made unconditional (for a host that needs it on every
    # path: Microsoft 365 wants STARTTLS on 587 whatever the code's option says).
    UNCONDITIONAL_STARTTLS = "unconditional-starttls"
    # A login whose host is one of several providers: XOAUTH2 for the Microsoft 365 hosts,
    # the password login kept for the others (a test of the host picks).
    XOAUTH2_PER_PROVIDER = "xoauth2-per-provider"
    VERIFY_TLS = "verify-tls"  # verifying SSL context
    XOAUTH2 = "xoauth2"  # password login -> XOAUTH2 with an MSAL token
    # The connection's sends -> Microsoft Graph sendMail with an MSAL token (`--target graph`):
    # on the login step, whose finding it fixes; what the login was for goes with it.
    GRAPH = "graph"
    FIX_AUTHOBJECT = "fix-authobject"
    RAW_XOAUTH2 = "raw-xoauth2"  # drop an extra base64 encoding
    RESOLVE_TLS_CONFLICT = "resolve-tls-conflict"
    DROP_STARTTLS = "drop-starttls"  # a second STARTTLS on an upgraded connection
    # A plain client (no STARTTLS in its library) -> the library's implicit-TLS client on
    # its TLS port: what upgrades it before a login (aioimaplib ``IMAP4`` -> ``IMAP4_SSL``).
    USE_IMPLICIT_TLS = "use-implicit-tls"
    # Not a fix of its own: the host a later ``connect()`` names, given to the client where
    # the library checks the certificate against it; adapters merge it into the remedies
    # that make the connection verify (smtplib's ``starttls`` takes the host only from the
    # constructor).
    HOST_FOR_TLS = "host-for-tls"
