"""The vocabulary of library models: what a mail library's callables do, as plain data.

A model says which callables open a connection (the host, port and TLS parameters and
their defaults, the protocol), which log in and with which parameters, which upgrade
TLS, send or reconfigure, which presets name a provider's host, and what replaces a
password login with OAuth2. It says nothing about how a call is found or evaluated:
:mod:`authsweep.scanner.python.adapters.declared` reads the models and builds the
front end's adapters from them.

Why Python dataclasses and not TOML/JSON files: the models are type-checked like the
rest of the code (a misspelt field fails at import, not at a user's run), need no
parser at start-up (``tomllib`` is not in Python 3.10, and the byte pre-check reads
every model's markers on each run), and stay declarations: no model holds a function.
Parameter names and defaults are the library's own; ``tests/test_library_models.py``
checks them against the installed library with ``inspect.signature``.
"""

from __future__ import annotations

from enum import Enum

from ...model import Protocol, Tls
from ...records import plain, record

# The note on markers: a marker that holds none of the pre-check's short words
# (``smtp``, ``imap``, ``mail``, ``msal``) costs one more pass over every file's bytes on
# every run (about 0.04 s on Django's 18 MB). A model declares one only when the
# library's calls name neither a mail host nor such a word (py-ews's ``EWS(user, pw)``,
# O365's ``Account(...)``); Envelopes declares none: its calls name an SMTP host or its
# ``SMTP`` class.


class Effect(str, Enum):
    """What a method call does to the connection it is called on."""

    LOGIN = "login"  # a password login with the user and secret parameters
    XOAUTH2 = "xoauth2"  # an XOAUTH2 authentication with an access token
    STARTTLS = "starttls"  # upgrade with STARTTLS
    SEND = "send"  # send (the library logs in first with credentials it was given)
    CONFIGURE = "configure"  # name the server (host, port, TLS) of the connection
    # Read mail (the library logs in first with credentials it was given); with a
    # ``protocol``: over the object's connection of that protocol (zmail's POP3 side).
    READ = "read"


@plain
class OAuth2:
    """What a password login becomes: the same receiver's ``method`` with the user and an
    access token in the place of the password (keyword ``token`` when it was a keyword)."""

    method: str
    token: str


@plain
class DomainServer:
    """The server a library picks for the addresses of one mail domain (zmail's table):
    ``@hotmail.com`` logs in to ``smtp.office365.com`` on 587 with STARTTLS."""

    domain: str
    host: str
    port: int
    tls: Tls  # IMPLICIT or STARTTLS


@record
class Opener:
    """A callable that opens a connection: a client class, a factory, or a method on an
    object another callable made (``on_object_of``).

    ``params`` are the library's parameters in order; every other field names one of
    them or gives a
    default the library applies.
    """

    names: tuple[str, ...]  # qualified names (``imap_tools.MailBox``, ...)
    params: tuple[str, ...]
    protocol: Protocol
    tls: Tls  # when no flag parameter says otherwise
    host: str | None = "host"
    # The library's host when none is given; "" with ``host=None``: a method names it later.
    host_default: str | None = None
    port: str | None = "port"
    port_default: int | None = None
    implicit_flag: str | None = None  # the flag whose value ``implicit_if`` means implicit TLS
    implicit_default: bool = False
    implicit_if: bool = True
    implicit_port: int | None = None  # the default port with implicit TLS
    starttls_flag: str | None = None  # a true value: the library upgrades before login
    starttls_default: bool = False
    context: str | None = None  # the SSL context parameter
    context_verifies: bool = False  # no context (or None): the library's default verifies
    # Whether the library's STARTTLS upgrade verifies, when it does not pass the context
    # on (imbox calls ``starttls()`` with none); None: as the implicit TLS does.
    starttls_verifies: bool | None = None
    user: str | None = None  # credentials given here: the library logs in with them
    secret: str | None = None
    # Parameters any of which, given, makes the library authenticate with OAuth2 instead
    # of the password (mailsuite's ``oauth2_token_provider=``): then no password login.
    oauth2_params: tuple[str, ...] = ()
    # A dict parameter holding the connection settings (``smtp={"host": ...}``), read
    # with ``keys``: (model field, key) pairs, e.g. (("host", "host"), ("secret", "password")).
    settings: str | None = None
    keys: tuple[tuple[str, str], ...] = ()
    # It takes ``**kwargs``: a keyword not in ``params`` does not make a call another
    # library's (without it, such a call is not read with this model).
    takes_kwargs: bool = False
    # Names a host parameter may be given as (a library's presets: ``"outlook"``,
    # ``MailServers.OUTLOOK``, ``mail.MICROSOFT``), matched on the last word, any case.
    hosts: tuple[tuple[str, str], ...] = ()
    on_object_of: tuple[str, ...] = ()  # for a method: the callables that make its object
    # The call does the whole job (opens, logs in, sends): nothing is called on its result.
    standalone: bool = False
    # For a plain client whose library has no STARTTLS on it: the library's client with
    # implicit TLS (the last part of its name, beside this one's) and that client's port.
    tls_client: tuple[str, int] | None = None
    # It takes ``*args, **kwargs`` and hands them to this callable, whose parameters these are.
    forwards_to: str | None = None
    # The parameter holding the mail address whose domain picks the server (zmail): the
    # library's table of domains, and the host of a domain not in it (``smtp.{}``), whose
    # port and TLS are this opener's defaults. Parameters the call gives still win.
    address: str | None = None
    domains: tuple[DomainServer, ...] = ()
    domain_host: str | None = None
    # A parameter whose text picks the TLS (pyzmail's ``smtp_mode="ssl"``): (text, TLS)
    # pairs, and the library's default text.
    mode: str | None = None
    modes: tuple[tuple[str, Tls], ...] = ()
    mode_default: str | None = None
    # The port each text of the mode gives when the call names none (prefect-email's
    # ``SMTPType``: SSL 465, STARTTLS 587); without it, ``port_default`` whatever the mode.
    mode_ports: tuple[tuple[str, int], ...] = ()
    # A parameter holding the library's URL of a service (apprise's ``mailtos://user:pw@
    # outlook.com?smtp=...&mode=ssl``), read by :mod:`..adapters.declared_urls`: its
    # ``schemes`` (scheme, TLS, default port) are the library's mail URLs (another scheme is
    # another service); the URL's host is a domain whose row of ``domains`` names the
    # server (else the host is the server), unless its query key ``url_server`` names one;
    # its query key ``url_mode`` picks the TLS by ``modes``; its port, user and
    # password are the call's. ``host``, ``port``, ``user``, ``secret``, ``implicit_flag``
    # and ``starttls_flag`` then name the values read from the URL, not parameters.
    url: str | None = None
    schemes: tuple[tuple[str, Tls, int], ...] = ()
    url_server: str | None = None
    url_mode: str | None = None
    # A parameter that makes the library verify certificates when it is given (a CA file,
    # imaplib2's ``ca_certs``): without it, nothing is verified.
    verify_with: str | None = None
    # What tells a call of this signature from another one of the same name (two
    # distributions that import alike): the parameters the library gives no default (a
    # call that leaves one out is not this one's), those it annotates ``str`` (a number
    # given there is not this one's) and those that take a mail address (a text without
    # ``@`` given there is not this one's: quick-mailer's ``Mailer(email, password)``
    # beside mailer's ``Mailer("smtp.office365.com", 587)``).
    required: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()


@record
class Method:
    """A method of a connection object."""

    name: str
    params: tuple[str, ...]
    effect: Effect
    user: str | None = None
    secret: str | None = None
    token: str | None = None
    context: str | None = None  # for STARTTLS
    context_verifies: bool = False
    verify_with: str | None = None  # for STARTTLS: as the opener's
    host: str | None = None  # for CONFIGURE, and a LOGIN that may name the server too
    port: str | None = None
    port_default: int | None = None
    protocol: Protocol | None = None  # a session object's method that opens one protocol
    tls: Tls | None = None
    implicit_flag: str | None = None
    implicit_default: bool = False
    implicit_if: bool = True
    hosts: tuple[tuple[str, str], ...] = ()
    oauth2: OAuth2 | None = None  # for LOGIN: the library's own OAuth2 method
    # For LOGIN: a true value makes the secret an OAuth2 token sent with XOAUTH2.
    oauth_flag: str | None = None


@record
class EwsLogin:
    """A callable that gives Exchange Web Services credentials: a password unless one of
    ``oauth2_params`` is given."""

    names: tuple[str, ...]
    params: tuple[str, ...]
    user: str
    secret: str
    url: str | None = None  # the EWS endpoint URL (or server name) parameter
    oauth2_params: tuple[str, ...] = ()
    oauth_flag: str | None = None  # a true value: OAuth2, whatever else is given
    on_object_of: tuple[str, ...] = ()  # for a method: the callables that make its object


@record
class PasswordGrant:
    """A callable that asks for a token with the user's password (ROPC) when parameter
    ``when[0]`` is ``when[1]``."""

    names: tuple[str, ...]
    params: tuple[str, ...]
    when: tuple[str, str]
    secret: str


@record
class AppSecret:
    """A callable handed an OAuth2 app's own secret (a confidential client's): a literal
    one is a hard-coded mail secret in a module that does mail. ``item``: its place in
    the parameter's tuple (python-o365's ``credentials=(client_id, client_secret)``)."""

    names: tuple[str, ...]
    params: tuple[str, ...]
    secret: str
    item: int | None = None


@record
class LibraryModel:
    """Everything authsweep knows about one mail library."""

    library: str  # the name messages use (``imap_tools``)
    distribution: str  # the PyPI name the signature test installs (``imap-tools``)
    # Lower-case byte strings whose presence in a file means it may use the library (the
    # byte pre-check reads them); see the note on markers above.
    markers: tuple[bytes, ...]
    openers: tuple[Opener, ...] = ()
    methods: tuple[Method, ...] = ()
    methods_of: tuple[str, ...] = ()  # the classes whose methods ``methods`` are
    ews: tuple[EwsLogin, ...] = ()
    grants: tuple[PasswordGrant, ...] = ()
    app_secrets: tuple[AppSecret, ...] = ()
    oauth_hint: str = ""  # what the library offers instead of a password, for messages
    # A single-file library that projects copy into a package of their own
    # (``import Mailnag.common.imaplib2 as imaplib``): any module of the library's name is
    # the library, its API too.
    bundled: bool = False
