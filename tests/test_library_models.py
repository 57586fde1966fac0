"""Each library model against the library itself: the callables it names exist, and their
parameters (names, order) and defaults (ports, flags, hosts) are the library's own, read
with ``inspect.signature`` from the installed library (the ``models`` extra). A library
that cannot be installed next to the others, or a release other than the installed one
whose shape a model also reads, is checked against a recorded signature
(``library_signatures.json``, with its version and why)."""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from authsweep.scanner.model import Protocol, Tls
from authsweep.scanner.python.adapters.declared import adapters
from authsweep.scanner.python.models import MODELS
from authsweep.scanner.python.models.spec import LibraryModel, Method, Opener

RECORDED = json.loads(
    (Path(__file__).with_name("library_signatures.json")).read_text(encoding="utf-8")
)
# Names a model keeps for code written against an older release of the library.
FORMER_NAMES = {"imap_tools.MailBoxTls", "imap_tools.mailbox.MailBoxTls"}
_EMPTY = inspect.Parameter.empty
# A port of 0 the library hands to the standard library means the protocol's default.
_PROTOCOL_DEFAULT_PORT = 0
_PROTOCOL_PORTS = {Protocol.SMTP: 25, Protocol.IMAP: 143, Protocol.POP: 110}
_PROTOCOL_PORTS_IMPLICIT = {Protocol.SMTP: 465, Protocol.IMAP: 993, Protocol.POP: 995}


class Signature:
    """Parameter names in order, their defaults, and whether ``**kwargs`` is taken."""

    def __init__(
        self,
        names: list[str],
        defaults: dict[str, object],
        var_keyword: bool,
        annotations: dict[str, object] | None = None,
    ):
        self.names = names
        self.defaults = defaults
        self.var_keyword = var_keyword
        self.annotations = annotations or {}

    @classmethod
    def of(cls, target: object) -> Signature:
        parameters = list(inspect.signature(target).parameters.values())  # type: ignore[arg-type]
        if parameters and parameters[0].name in ("self", "cls"):
            parameters = parameters[1:]
        kinds = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        return cls(
            [p.name for p in parameters if p.kind not in kinds],
            {p.name: p.default for p in parameters if p.default is not _EMPTY},
            any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters),
            {p.name: p.annotation for p in parameters if p.annotation is not _EMPTY},
        )

    def accepts(self, name: str | None) -> bool:
        return name is None or name in self.names or self.var_keyword

    def default(self, name: str | None) -> object:
        return self.defaults.get(name or "", _EMPTY)


def _resolve(qualified: str) -> object | None:
    """The object a qualified name means: the longest importable module, then attributes."""
    parts = qualified.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                found = getattr(found, attribute)
        except AttributeError:
            return None
        return found
    return None


def _signature(
    model: LibraryModel, qualified: str, params: tuple[str, ...] | None = None
) -> Signature:
    recorded = RECORDED.get(model.distribution, {}).get("callables", {})
    # A callable is recorded when its release cannot be installed here (all of py-ews and
    # rpaframework; imbox 0.10's Config beside the 0.9 release the extra pins). A former
    # release of an installed callable (zmail 0.1's ``server(user, ...)``) is recorded
    # too: the declaration whose parameters are that release's is checked against it, any
    # other against the installed library.
    entry = recorded.get(qualified)
    if entry is not None and entry.get("former") and params is not None:
        if list(params) != entry["params"][: len(params)]:
            entry = None
    if entry is not None:
        return Signature(entry["params"], entry.get("defaults", {}), entry.get("kwargs", False))
    target = _resolve(qualified)
    if target is None and qualified in FORMER_NAMES:
        pytest.skip(f"{qualified} is a former name")
    assert target is not None, f"{qualified} is not in {model.distribution}"
    return Signature.of(target)


def _openers() -> Iterator[tuple[LibraryModel, Opener, str]]:
    for model in MODELS:
        for opener in model.openers:
            for name in opener.names:
                yield model, opener, name


def _methods() -> Iterator[tuple[LibraryModel, Method, str]]:
    for model in MODELS:
        for method in model.methods:
            for owner in model.methods_of:
                yield model, method, f"{owner}.{method.name}"


def _check_prefix(params: tuple[str, ...], signature: Signature) -> None:
    assert list(params) == signature.names[: len(params)], (params, signature.names)


@pytest.mark.parametrize(
    ("model", "opener", "name"), list(_openers()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_opener_matches_the_library(model: LibraryModel, opener: Opener, name: str) -> None:
    signature = _signature(model, opener.forwards_to or name, opener.params)
    if opener.forwards_to is not None:
        assert _signature(model, name).names == []  # ``*args, **kwargs`` only
    _check_prefix(opener.params, signature)
    assert opener.takes_kwargs == signature.var_keyword
    if opener.settings is not None:
        assert signature.accepts(opener.settings)
        return  # the other names are keys of that dict, not parameters
    if opener.url is not None:
        assert signature.accepts(opener.url)
        return  # the other names are parts of that URL, not parameters
    fields = ("host", "port", "implicit_flag", "starttls_flag", "context", "user", "secret")
    for field in (*fields, "address", "mode"):
        assert signature.accepts(getattr(opener, field)), (field, getattr(opener, field))
    for name in opener.oauth2_params:  # OAuth2 instead of the password: the library's own
        assert name in signature.names and signature.default(name) is None, name
    # What tells two signatures of one name apart is the library's own: no default for a
    # required parameter, ``str`` for a text one (an address is text too).
    for name in opener.required:
        assert name in signature.names and signature.default(name) is _EMPTY, name
    for name in (*opener.texts, *opener.addresses):
        assert signature.annotations.get(name) in (str, "str"), name
    if opener.mode is not None:
        assert opener.mode_default == signature.default(opener.mode)
        assert opener.mode_default in dict(opener.modes)
    if opener.host and signature.default(opener.host) is not _EMPTY:
        assert opener.host_default == signature.default(opener.host)
    if opener.port and signature.default(opener.port) not in (_EMPTY, None):
        if signature.default(opener.port) == _PROTOCOL_DEFAULT_PORT:
            # handed on to smtplib/imaplib, for which port 0 is the protocol's own
            assert opener.port_default == _PROTOCOL_PORTS[opener.protocol]
            if opener.implicit_flag is not None:
                assert opener.implicit_port == _PROTOCOL_PORTS_IMPLICIT[opener.protocol]
        else:
            assert opener.port_default == signature.default(opener.port)
    if opener.implicit_flag and signature.default(opener.implicit_flag) not in (_EMPTY, None):
        assert opener.implicit_default == signature.default(opener.implicit_flag)
    if opener.starttls_flag and signature.default(opener.starttls_flag) not in (_EMPTY, None):
        assert opener.starttls_default == signature.default(opener.starttls_flag)


@pytest.mark.parametrize(
    ("model", "method", "name"), list(_methods()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_method_matches_the_library(model: LibraryModel, method: Method, name: str) -> None:
    signature = _signature(model, name)
    _check_prefix(method.params, signature)
    for field in ("user", "secret", "token", "context", "host", "port", "implicit_flag"):
        assert signature.accepts(getattr(method, field)), (field, getattr(method, field))
    if method.port and signature.default(method.port) not in (_EMPTY, None):
        assert method.port_default == signature.default(method.port)
    if method.implicit_flag and signature.default(method.implicit_flag) is not _EMPTY:
        assert method.implicit_default == signature.default(method.implicit_flag)
    if method.oauth2 is not None:
        replacement = _signature(model, name.rsplit(".", 1)[0] + "." + method.oauth2.method)
        assert method.oauth2.token in replacement.names


@pytest.mark.slow
@pytest.mark.parametrize(
    "model", [m for m in MODELS if m.ews or m.grants or m.app_secrets], ids=str
)
def test_credential_calls_match_the_library(model: LibraryModel) -> None:
    for login in model.ews:
        for name in login.names:
            signature = _signature(model, name)
            _check_prefix(login.params, signature)
            for field in (login.user, login.secret, login.url, *login.oauth2_params):
                assert signature.accepts(field)
    for grant in model.grants:
        for name in grant.names:
            signature = _signature(model, name)
            assert all(signature.accepts(p) for p in grant.params)
            assert signature.accepts(grant.when[0]) and signature.accepts(grant.secret)
    for secret in model.app_secrets:
        for name in secret.names:
            signature = _signature(model, name)
            _check_prefix(secret.params, signature)
            assert signature.accepts(secret.secret)


def test_recorded_signatures_say_which_version_and_why() -> None:
    names = {model.distribution for model in MODELS}
    for distribution, entry in RECORDED.items():
        assert distribution in names
        assert entry["version"] and entry["why"]


def test_a_qualified_name_belongs_to_one_model() -> None:
    twice = Opener(
        names=("imap_tools.MailBox",),
        params=("host",),
        protocol=MODELS[0].openers[0].protocol,
        tls=MODELS[0].openers[0].tls,
    )  # noqa: E501
    clash = LibraryModel(library="clash", distribution="clash", markers=(), openers=(twice,))
    with pytest.raises(ValueError, match="clash"):
        adapters((*MODELS, clash))


@pytest.mark.parametrize("side", ["smtp", "pop"])
def test_zmail_servers_by_domain_are_the_librarys(side: str) -> None:
    """zmail picks the server by the address's domain from its own table: the model's rows
    (host, port, implicit TLS or STARTTLS) are that table's SMTP entries (and its POP3
    ones for the POP3 side), and a domain not in it gets ``smtp.<domain>`` (``pop.``) with
    the library's default port and TLS."""
    info = importlib.import_module("zmail.info")
    protocol = Protocol.SMTP if side == "smtp" else Protocol.POP
    zmail = next(m for m in MODELS if m.library == "zmail")
    for opener in (o for o in zmail.openers if o.protocol is protocol):
        table = {
            row.domain: (row.host, row.port, row.tls is Tls.IMPLICIT, row.tls is Tls.STARTTLS)
            for row in opener.domains
        }
        library = {
            domain: (c[f"{side}_host"], c[f"{side}_port"], c[f"{side}_ssl"], c[f"{side}_tls"])
            for domain, c in info.SUPPORTED_SERVER.items()
        }
        assert table == library
        default = info.DEFAULT_SERVER_CONFIG
        assert opener.domain_host == default[f"{side}_host"] + "{}"
        assert (opener.port_default, opener.implicit_default, opener.starttls_default) == (
            default[f"{side}_port"],
            default[f"{side}_ssl"],
            default[f"{side}_tls"],
        )


def test_apprise_servers_by_domain_are_the_librarys() -> None:
    """apprise picks the SMTP server of a ``mailto://`` URL by its domain from its own
    templates: each row of the model (host, port, TLS) is what the first template that
    matches ``user@<domain>`` gives; a URL without a mode is plain on 25 (``mailto``) or
    STARTTLS on 587 (``mailtos``), as the library's default ports by mode say."""
    templates = importlib.import_module("apprise.plugins.email.templates").EMAIL_TEMPLATES
    smtp = importlib.import_module("apprise.plugins.email.smtp")
    modes = {"ssl": Tls.IMPLICIT, "starttls": Tls.STARTTLS, "insecure": Tls.NONE}
    model = next(m for m in MODELS if m.library == "apprise")
    for opener in model.openers:
        for row in opener.domains:
            found = next(t[2] for t in templates if t[1].match(f"bot@{row.domain}"))
            assert (found["smtp_host"], found["port"], modes[found["secure_mode"]]) == (
                row.host,
                row.port,
                row.tls,
            )
        assert dict(opener.modes) == {
            str(mode): modes[str(mode)] for mode in smtp.SMTP_SECURE_MODES
        }
        defaults = {str(mode): port for mode, port in smtp.SMTP_DEFAULT_PORTS.items()}
        assert dict((s, p) for s, _, p in opener.schemes) == {
            "mailto": defaults["insecure"],
            "mailtos": defaults["starttls"],
        }
