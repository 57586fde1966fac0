"""What a library adapter is: it turns calls of one mail library into the mail model.

The front end finds calls and their receivers; an adapter says which callables
open a connection, which methods act on one, and what their arguments mean. It
sees calls through :class:`CallSite` (values, spans and anchors), not LibCST.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ...model import MISSING, Connection, MailFile, OptOut, Span, Step, Value, Verification
from ...records import plain
from ...remedies import Edit

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:  # the byte pre-check imports the adapters for their markers, without LibCST
    from ..source import Anchor

# What a library model's callable is read with before one of its signatures is picked
# (adapters.declared): one name a positional argument, as many as a call may have before
# no model's signature fits it.
MODEL_SLOTS = tuple(f"#{index}" for index in range(12))


@plain
class Guard:
    """The ``if`` (without ``elif``/``else``) whose body a call's statement is directly in:
    the text of each statement of that body, and the edit that runs the body whatever the
    condition (the ``if`` line dropped, the body dedented; None where a comment on the
    ``if`` line would be lost)."""

    condition: str
    body: tuple[str, ...]
    unconditional: Edit | None


@dataclass(eq=False, repr=False)
class CallSite:
    """One call, as an adapter sees it."""

    qualified_name: str
    span: Span
    callee_span: Span  # the called expression (``smtplib.SMTP_SSL``)
    args: dict[str, Value]  # bound to parameter names
    arg_spans: dict[str, Span]  # the whole argument, keyword included
    close_offset: int  # just before the closing parenthesis
    trailing_comma: bool
    has_arguments: bool
    extra_keywords: dict[str, Value] = field(default_factory=dict)  # keywords not in params
    # The statement the call is the whole of (``s.login(u, p)`` on its own line), if any.
    statement: Span | None = None
    before: Anchor | None = None  # where statements can go before that statement
    # That statement is the only one of its block: taking it out leaves ``pass``.
    alone: bool = False
    # The ``if`` the call's statement is directly in, worked out when an adapter asks.
    guard: Callable[[], Guard | None] = lambda: None
    receiver: str | None = None  # the expression the connection is bound to (``self.smtp``)
    after: Anchor | None = None  # where statements can go once the connection exists
    # Facts about a callable argument the front end can see (a lambda, a def of the module),
    # worked out when an adapter asks.
    callable: Callable[[str], CallableInfo | None] = lambda name: None
    code: str = ""  # the module's text, for edits that look around an argument
    # Whether an SSL context argument verifies certificates; its ``default=`` keyword: what
    # a missing or ``None`` context gives with this library (the stdlib's: UNVERIFIED).
    verification: Callable[..., Verification] = lambda name, default=None: Verification.UNKNOWN
    # For an OPTIONAL context: the condition under which the code turns its checks off,
    # and where (``default=`` as for ``verification``).
    opt_out: Callable[..., OptOut | None] = lambda name, default=None: None
    # The edits that make a context argument verify where the code builds it (its factory
    # call, the statements that turn checks off); None when the argument is not a context
    # built in this module under a name, () when it is but cannot be fixed there.
    context_fix: Callable[[str], tuple[Edit, ...] | None] = lambda name: None
    # Qualified names an argument expression refers to (``smtplib.SMTP_SSL``, ``exchangelib.NTLM``).
    qualified: Callable[[str], frozenset[str]] = lambda name: frozenset()
    # Where the calls are whose results may reach an argument's value (through names, local
    # functions, f-strings, subscripts): to match token requests and credentials objects.
    sources: Callable[[str], tuple[Span, ...]] = lambda name: ()
    # The text a string argument builds, parts that cannot be known written ``{}``
    # (``https://login.microsoftonline.com/{}/oauth2/v2.0/token``); None if not text.
    template: Callable[[str], str | None] = lambda name: None
    # For a class of this module that subclasses a client class: the methods it defines.
    overrides: frozenset[str] = frozenset()
    # For a method called by name on an object that is not a connection: that object's value
    # (``Value.unknown("call msal.PublicClientApplication")``).
    receiver_value: Value = MISSING
    # Whether the project around the file pins a distribution to releases older than one
    # (``aiosmtplib<2``): a library's behaviour of those releases.
    pinned_below: Callable[[str, tuple[int, ...]], bool] = lambda distribution, release: False

    def arg(self, name: str) -> Value:
        return self.args.get(name, MISSING)

    def has(self, name: str) -> bool:
        return name in self.args


@plain
class CallableInfo:
    """What the front end knows about an expression passed as a callable."""

    span: Span
    required_positional: int | None  # parameters a call must supply; None if unknown
    max_positional: int | None  # None: takes *args, or unknown
    returns: Value = MISSING  # what a lambda returns
    base64_encoded: bool | None = None  # the return value passes through a base64 encoder
    # The base64 wrapper expression that can be replaced by ``raw`` (the string it encodes).
    encoding: Span | None = None
    raw: str | None = None
    # Makes the callable accept both no argument and one (``lambda challenge=None: ...``).
    signature_edit: Edit | None = None


@plain
class ClientSpec:
    """A callable that opens a connection, and its positional parameters."""

    params: tuple[str, ...]
    # None when the call turns out not to open a mail connection (a console email backend).
    open: Callable[[CallSite], Connection | None]


@plain
class MethodSpec:
    """A method of a connection: its parameters, and what a call of it does to the
    connection."""

    params: tuple[str, ...]
    apply: Callable[[Connection, CallSite], Step | None]


@plain
class FunctionSpec:
    """A call that is not on a connection but says something about mail (``send_mail``,
    ``acquire_token_*``); it records into the file's model directly."""

    params: tuple[str, ...]
    record: Callable[[MailFile, CallSite], None]


@plain
class Adapter:
    """What the front end knows of one mail library: its clients, methods, functions and
    markers."""

    library: str
    clients: Mapping[str, ClientSpec] = field(default_factory=dict)
    # Methods by library name of the connection, then method name.
    methods: Mapping[str, MethodSpec] = field(default_factory=dict)
    functions: Mapping[str, FunctionSpec] = field(default_factory=dict)
    # Module-level objects of the library that are connections already (``redmail.outlook``):
    # opened where the module first uses them, with a CallSite that has no arguments.
    presets: Mapping[str, ClientSpec] = field(default_factory=dict)
    # Attribute assignments on a connection (``outlook.password = ...``): the CallSite has
    # one argument, ``value``.
    attributes: Mapping[str, MethodSpec] = field(default_factory=dict)
    # Methods recognised by name on any object that is not a connection (MSAL's
    # ``app.acquire_token_for_client``); the spec checks ``receiver_value`` when it must.
    object_methods: Mapping[str, FunctionSpec] = field(default_factory=dict)
    # Byte patterns (lowercase) whose presence means the file may matter to this adapter.
    markers: tuple[bytes, ...] = ()
    # For adapters whose object methods have common names (``post``): they make a module
    # worth analysing only when its text holds one of these (lowercase) byte patterns.
    object_methods_if: tuple[bytes, ...] = ()
    # Its clients' ``__enter__`` returns the client itself: ``with conn as s:`` binds ``s``
    # to the connection ``conn`` holds.
    entered_as_client: bool = False
    # Called once per connection when the order of its steps on every path is known, to
    # settle remedies that depend on it (move a late STARTTLS instead of adding one).
    settle: Callable[[Connection], None] | None = None
