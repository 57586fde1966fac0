"""The interpreter of library models: each :class:`LibraryModel` becomes an
:class:`Adapter` the front end uses like the adapters written in code.

A model only says what a library's callables do (see
:mod:`authsweep.scanner.python.models.spec`); this module says how that reads a call:
arguments bound to the library's own parameters (several libraries may share a
callable's name, ``mailer.Mailer``: the one whose signature accepts the call is
used), defaults applied, presets resolved, steps taken on the caller's behalf (a
STARTTLS, a login with credentials given to the constructor), and the OAuth2
rewrite of a password login where the library has one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ...model import Connection, MailFile, Protocol, Step, StepKind, Tls, Value, Verification
from ...providers import lookup
from ...remedies import Edit, Remedy, RemedyKind
from .. import edits
from ..models.spec import (
    Effect,
    EwsLogin,
    LibraryModel,
    Method,
    Opener,
)
from . import common
from .base import MODEL_SLOTS, Adapter, CallSite, ClientSpec, FunctionSpec, MethodSpec
from .declared_choices import specialise, verifies
from .declared_credentials import Record, app_secret, ews, grant_record
from .declared_urls import from_url

_PLACEHOLDERS = MODEL_SLOTS


def rebind(site: CallSite, params: tuple[str, ...], strict: bool) -> CallSite | None:
    """The call bound to ``params`` (it was bound to placeholders ``#0``, ``#1``, ...), or
    None when the signature does not accept it: a positional argument past ``params``, or
    with ``strict``, a keyword it does not have."""
    args: dict[str, Value] = {}
    spans = {}
    back: dict[str, str] = {}
    for index, placeholder in enumerate(_PLACEHOLDERS):
        if placeholder not in site.args:
            continue
        if index >= len(params):
            return None
        name = params[index]
        args[name] = site.args[placeholder]
        if placeholder in site.arg_spans:
            spans[name] = site.arg_spans[placeholder]
        back[name] = placeholder
    extra: dict[str, Value] = {}
    for name, value in site.extra_keywords.items():
        if name in params:
            args[name] = value
        elif strict:
            return None
        else:
            extra[name] = value
        if name in site.arg_spans:
            spans[name] = site.arg_spans[name]
    original = site

    def key(name: str) -> str:
        return back.get(name, name)

    return dataclasses.replace(
        site,
        args=args,
        arg_spans=spans,
        extra_keywords=extra,
        callable=lambda name: original.callable(key(name)),
        verification=lambda name, **default: original.verification(key(name), **default),
        opt_out=lambda name, **default: original.opt_out(key(name), **default),
        qualified=lambda name: original.qualified(key(name)),
        sources=lambda name: original.sources(key(name)),
        template=lambda name: original.template(key(name)),
    )


def _named_host(value: Value, hosts: tuple[tuple[str, str], ...]) -> Value | None:
    """A preset a host parameter is given as (``"outlook"``, ``MailServers.OUTLOOK``,
    ``mail.MICROSOFT``): the host it stands for, keeping where it is written."""
    if not hosts:
        return None
    if value.known and isinstance(value.value, str):
        word = value.value
    elif value.source:
        word = value.source.rsplit(".", 1)[-1]
    else:
        return None
    found = dict((name.lower(), host) for name, host in hosts).get(word.strip().lower())
    if found is None:
        return None
    return Value(True, found, None, value.span, source=value.source)


def _host(site: CallSite, param: str | None, default: str | None, hosts) -> Value | None:
    """The host a call names, the library's default, or None when there is none to
    report (a host left to the library's ``localhost``)."""
    if param is not None and site.has(param) and site.arg(param).present:
        given = site.arg(param)
        return _named_host(given, hosts) or given
    if default:
        return Value(True, default)
    if default == "" and param is None:
        return Value.unknown("not named yet")  # a method of the object names it
    return None


def _implicit(site: CallSite, flag: str | None, default: bool, when: bool) -> bool | None:
    """Whether the connection is implicit TLS: the flag's value is ``when``."""
    if flag is None:
        return False
    value = common.flag(site.arg(flag), default)
    return None if value is None else value is when


def _port(
    site: CallSite,
    param: str | None,
    default: int | None,
    implicit_port: int | None,
    implicit: bool | None,
) -> Value:
    if param is not None and site.has(param) and site.arg(param).present:
        return common.port(site.arg(param))
    if implicit_port is not None and implicit_port != default:
        if implicit is None:
            return Value.unknown("library default")
        return Value(True, implicit_port if implicit else default)
    return common.default_port(default)


def _verification(site: CallSite, context: str | None, verifies: bool) -> Verification:
    default = _default(verifies)
    if context is not None and site.has(context):
        given = site.arg(context)
        if not (given.known and given.value is None):
            return site.verification(context, default=default)
    return default


def _default(verifies: bool) -> Verification:
    """What the library's own context (no context, or ``None``) gives."""
    return Verification.VERIFIED if verifies else Verification.UNVERIFIED


def _settings(site: CallSite, opener: Opener) -> CallSite:
    """A settings dict argument spread into the parameters its keys stand for."""
    if opener.settings is None or not site.has(opener.settings):
        return site
    given = site.arg(opener.settings)
    if not (given.known and isinstance(given.value, dict)):
        return site
    args = dict(site.args)
    spans = dict(site.arg_spans)
    for key, name in opener.keys:
        item = given.value.get(key)
        if item is None:
            continue
        value = item if isinstance(item, Value) else Value(True, item)
        args[name] = value
        if value.span is not None:
            spans[name] = value.span
    return dataclasses.replace(site, args=args, arg_spans=spans)


def open_connection(model: LibraryModel, opener: Opener, site: CallSite) -> Connection | None:
    site = _settings(site, opener)
    read = from_url(opener, site)
    if read is None:
        return None  # no mail URL of the library's: another service
    opener, site = read
    opener, chosen = specialise(opener, site)
    host = _host(site, opener.host, opener.host_default, opener.hosts) or chosen
    if host is None:
        return None  # no server named: built for something else (messages, a test double)
    implicit = _implicit(site, opener.implicit_flag, opener.implicit_default, opener.implicit_if)
    tls = Tls.UNKNOWN if implicit is None else Tls.IMPLICIT if implicit else opener.tls
    conn = Connection(
        protocol=opener.protocol,
        library=model.library,
        host=host,
        port=_port(site, opener.port, opener.port_default, opener.implicit_port, implicit),
        tls=Tls.NONE if tls is Tls.STARTTLS else tls,
        opened_at=site.span,
        oauth_hint=model.oauth_hint,
    )
    verification = _verification(site, opener.context, opener.context_verifies)
    verify_text = _verify_with(model.library, opener.protocol, opener.context, opener.verify_with)
    # A context given beside a flag known only at run time is there for the runs with
    # implicit TLS: whether it verifies is what those runs get.
    given_context = opener.context is not None and site.has(opener.context)
    if tls is Tls.IMPLICIT or (tls is Tls.UNKNOWN and given_context):
        conn.verification = verification
        conn.verify_with = verify_text
        conn.opt_out = (
            site.opt_out(opener.context, default=_default(opener.context_verifies))
            if opener.context
            else None
        )
        if verification is Verification.UNVERIFIED and opener.context is not None:
            verify = common.verify_context(site, opener.context)
            common.set_fix(conn.remedies, RemedyKind.VERIFY_TLS, verify)
    if opener.implicit_flag is not None and opener.implicit_if and implicit is not False:
        conn.tls_flag = common.flag_name(site.arg(opener.implicit_flag))
        # ``ssl=self.ssl``: its false run is plain, unless the library then upgrades.
        flag = opener.starttls_flag
        upgrades = flag is not None and common.flag(site.arg(flag), opener.starttls_default)
        if opener.tls is Tls.NONE and upgrades is False:
            conn.plain_when = common.false_run(site.arg(opener.implicit_flag))
    upgrade = tls is Tls.STARTTLS
    if opener.starttls_flag is not None and tls is not Tls.IMPLICIT:
        upgrade = bool(common.flag(site.arg(opener.starttls_flag), opener.starttls_default))
    if upgrade:
        span = site.arg_spans.get(opener.starttls_flag or "", site.span)
        if opener.starttls_verifies is not None:
            # The library upgrades without passing the context on.
            verification = (
                Verification.VERIFIED if opener.starttls_verifies else Verification.UNVERIFIED
            )
            verify_text = _verify_with(model.library, opener.protocol, None, None)
            if opener.context is not None:  # its implicit TLS takes one (imbox)
                verify_text = (
                    f"{model.library} upgrades without the {opener.context} it is given: use "
                    f"its implicit TLS with {opener.context}=ssl.create_default_context()"
                )
        conn.steps.append(common.starttls(span, verification, verify_text))
    if tls is Tls.NONE and opener.tls_client is not None:
        switch = _tls_client(model, site, opener)
        if switch is not None:
            conn.remedies[RemedyKind.USE_IMPLICIT_TLS] = switch
    user, secret = opener.user, opener.secret
    given = [name for name in (user, secret) if name and site.has(name) and site.arg(name).present]
    oauth2 = any(site.has(name) and site.arg(name).present for name in opener.oauth2_params)
    if given and not oauth2:
        conn.steps.append(common.login(site, user or "", secret or ""))
    return conn


def _verify_with(library: str, protocol: Protocol, context: str | None, ca_file: str | None) -> str:
    """AS204's remedy in the library's own terms: its context parameter, else the CA
    file parameter that makes it verify (imaplib2's ``ca_certs``), else that it has none."""
    if context is None and ca_file is not None:
        return f"pass {ca_file}=certifi.where() (or another CA bundle file)"
    return common.verify_with(context, library, protocol)


def _tls_client(model: LibraryModel, site: CallSite, opener: Opener) -> Remedy | None:
    """``aioimaplib.IMAP4(host, 143)`` -> ``aioimaplib.IMAP4_SSL(host, 993)``: the class
    named as it was (through its module, or imported by name: then that name imported
    too), the port where the call writes it as the plain one, and a verifying context
    where the TLS client's default does not verify (imap_tools' ``MailBox``); None where
    the call names the class otherwise or takes its port from elsewhere."""
    assert opener.tls_client is not None
    name, port = opener.tls_client
    callee = site.callee_span
    written = site.code[callee.start : callee.end]
    plain = site.qualified_name.rsplit(".", 1)[-1]
    if not written.endswith(plain) or not (written == plain or written.endswith("." + plain)):
        return None
    renamed = dataclasses.replace(callee, start=callee.end - len(plain))
    parts: list[Edit] = [edits.replace(renamed, name)]
    if opener.port is not None and site.has(opener.port) and site.arg(opener.port).present:
        given = site.arg(opener.port)
        where = given.literal_span or given.span
        span = site.arg_spans.get(opener.port)
        if not (given.known and given.value == opener.port_default and where and span):
            return None
        if not span.start <= where.start < span.end:
            return None  # a constant defined elsewhere
        parts.append(edits.replace(where, str(port)))
    module = site.qualified_name.rsplit(".", 1)[0].split(".")[0]
    imports = (f"{module}:{name}",) if written == plain else ()
    tls = next(o for o in model.openers if any(n.endswith("." + name) for n in o.names))
    if tls.context is not None and not tls.context_verifies:
        parts.append(common.keyword(site, tls.context, edits.VERIFYING_CONTEXT))
        imports += ("ssl",)
    return Remedy(tuple(parts), imports=imports)


def _login(method: Method):
    configure = _configure(method)

    def apply(conn: Connection, site: CallSite) -> Step | None:
        if method.protocol is not None:
            conn.protocol = method.protocol  # a session object's login for one protocol
        if method.host is not None:
            configure(conn, site)  # ``authorize(account, pw, smtp_server=...)``
        if method.oauth_flag is not None and common.flag(site.arg(method.oauth_flag), False):
            return common.token_auth(site, method.secret or "", site.span)
        if not site.has(method.secret or "") and any(
            step.kind is StepKind.LOGIN for step in conn.steps
        ):
            return None  # the credentials the object was made with: that login, once
        step = Step(
            StepKind.LOGIN,
            site.span,
            user=site.arg(method.user or ""),
            secret=site.arg(method.secret or ""),
        )
        remedy = _oauth2_remedy(method, conn, site)
        if remedy is not None:
            step.remedies[RemedyKind.XOAUTH2] = remedy
        return step

    return apply


def _oauth2_remedy(method: Method, conn: Connection, site: CallSite) -> Remedy | None:
    """``box.login(user, pw)`` -> ``box.xoauth2(user, oauth2_access_token(...))``: the
    method renamed and the password replaced by a token, in place (chains included)."""
    if method.oauth2 is None or method.secret is None or method.secret not in site.arg_spans:
        return None
    callee = site.callee_span
    if not site.code[callee.start : callee.end].endswith(method.name):
        return None
    token = edits.token_call(conn.host.value if conn.host.known else None)
    secret_span = site.arg_spans[method.secret]
    if common.keyword_is_written(site, method.secret):
        token = f"{method.oauth2.token}={token}"
    renamed = dataclasses.replace(callee, start=callee.end - len(method.name))
    return Remedy(
        (edits.replace(renamed, method.oauth2.method), edits.replace(secret_span, token)),
        helpers=(edits.TOKEN_HELPER,),
    )


def _xoauth2(method: Method):
    def apply(conn: Connection, site: CallSite) -> Step:
        return common.token_auth(site, method.token or "", site.span)

    return apply


def _read(method: Method):
    def apply(conn: Connection, site: CallSite) -> Step | None:
        """Reading over the object's connection of another protocol: it becomes that
        connection (its server, TLS and login), the steps taken since kept."""
        side = conn.other_protocols.pop(method.protocol, None) if method.protocol else None
        if side is None:
            return None
        made = {id(step) for step in conn.steps if step.span.start < conn.opened_at.end}
        later = [step for step in conn.steps if id(step) not in made]
        conn.other_protocols[conn.protocol] = dataclasses.replace(conn, other_protocols={})
        for name in ("protocol", "host", "port", "tls", "verification", "verify_with"):
            setattr(conn, name, getattr(side, name))
        conn.opt_out, conn.tls_flag, conn.remedies = side.opt_out, side.tls_flag, side.remedies
        conn.steps = [*side.steps, *later]
        return None

    return apply


def _starttls(method: Method):
    def apply(conn: Connection, site: CallSite) -> Step:
        by_file = method.verify_with is not None and verifies(site, method.verify_with)
        verification = _verification(site, method.context, method.context_verifies or by_file)
        verify_text = _verify_with(conn.library, conn.protocol, method.context, method.verify_with)
        step = common.starttls(site.span, verification, verify_text)
        step.opt_out = (
            site.opt_out(method.context, default=_default(method.context_verifies or by_file))
            if method.context
            else None
        )
        return step

    return apply


def _send(method: Method):
    def apply(conn: Connection, site: CallSite) -> Step:
        return Step(StepKind.SEND, site.span)

    return apply


def _configure(method: Method):
    """A method that names the server: the first host named is kept, unless a later one
    is Microsoft's and it is not (one object, several protocols: the one to report), or
    the first is the library's "not named yet"."""

    def apply(conn: Connection, site: CallSite) -> Step | None:
        host = _host(site, method.host, None, method.hosts)
        if host is not None and not _keeps(conn.host, host):
            conn.host = host
            if method.protocol is not None:
                conn.protocol = method.protocol
            implicit = _implicit(
                site, method.implicit_flag, method.implicit_default, method.implicit_if
            )
            tls = method.tls or conn.tls
            conn.tls = Tls.UNKNOWN if implicit is None else Tls.IMPLICIT if implicit else tls
            if method.port is not None:
                conn.port = _port(site, method.port, method.port_default, None, implicit)
        return None

    return apply


def _keeps(current: Value, new: Value) -> bool:
    def microsoft(value: Value) -> bool:
        return value.known and isinstance(value.value, str) and lookup(value.value).microsoft

    return current.known and bool(current.value) and (microsoft(current) or not microsoft(new))


_APPLY = {
    Effect.LOGIN: _login,
    Effect.XOAUTH2: _xoauth2,
    Effect.STARTTLS: _starttls,
    Effect.SEND: _send,
    Effect.CONFIGURE: _configure,
    Effect.READ: _read,
}


def _each(records: list[Record]) -> Record:
    def record(mail: MailFile, site: CallSite) -> None:
        for one in records:
            one(mail, site)

    return record


def _standalone(model: LibraryModel, openers: list[Opener], makers: bool = False):
    """Record the connections of calls that open, log in and send at once."""

    def record(mail: MailFile, site: CallSite) -> None:
        for opener in openers:
            if makers and not _made_by(site.receiver_value, opener.on_object_of):
                continue
            strict = not opener.takes_kwargs
            bound = rebind(site, opener.params, strict)
            conn = open_connection(model, opener, bound) if bound is not None else None
            if conn is not None:
                conn.steps.append(Step(StepKind.SEND, site.span))
                mail.connections.append(conn)

    return record


def _made_by(value: Value, makers: tuple[str, ...]) -> bool:
    return value.origin is not None and value.origin.removeprefix("call ") in makers


def _client(model: LibraryModel, openers: list[Opener]) -> ClientSpec:
    def open_any(site: CallSite) -> Connection | None:
        """The connection of the first opener that accepts the call and names a server
        (``ImapSmtp(smtp_server=...)`` or ``ImapSmtp(imap_server=...)``), with the first
        of each other protocol the call also opens (zmail's POP3 side of its SMTP one)."""
        found: Connection | None = None
        for opener in openers:
            if found is not None and (
                opener.protocol is found.protocol or opener.protocol in found.other_protocols
            ):
                continue
            bound = rebind(site, opener.params, not opener.takes_kwargs)
            fits = bound is not None and _fits(opener, bound)
            conn = open_connection(model, opener, bound) if bound is not None and fits else None
            if conn is None:
                continue
            if found is None:
                found = conn
            else:
                found.other_protocols[conn.protocol] = conn
        return found

    return ClientSpec(_PLACEHOLDERS, open_any)


def _fits(opener: Opener, site: CallSite) -> bool:
    """Whether the call's arguments are of the opener's signature: every required one
    given, no number where it takes text, an address where it takes one."""
    if any(name not in site.args for name in opener.required):
        return False
    for name in (*opener.texts, *opener.addresses):
        value = site.args.get(name)
        if value is None or not value.known or value.value is None:
            continue
        if not isinstance(value.value, str):
            return False
        if name in opener.addresses and value.value and "@" not in value.value:
            return False
    return True


def _by_name(openers: Iterable[Opener]) -> dict[str, list[Opener]]:
    found: dict[str, list[Opener]] = {}
    for opener in openers:
        for name in opener.names:
            found.setdefault(name, []).append(opener)
    return found


def adapter(model: LibraryModel) -> Adapter:
    """The adapter of one library model. Openers of the model that share a qualified name
    (two distributions of one import name) read a call with the one whose signature
    accepts it."""
    clients: dict[str, ClientSpec] = {}
    functions: dict[str, FunctionSpec] = {}
    for name, variants in _by_name(o for o in model.openers if not o.on_object_of).items():
        if any(o.standalone for o in variants):
            functions[name] = FunctionSpec(_PLACEHOLDERS, _standalone(model, variants))
        else:
            clients[name] = _client(model, variants)
    for login in model.ews:
        for name in login.names if not login.on_object_of else ():
            functions[name] = FunctionSpec(login.params, ews(login))
    # Several declarations may read one callable (O365's ``Account``: a password grant
    # and an app secret): bound by the longest parameter list, each reads its own.
    credential_calls: dict[str, list[tuple[tuple[str, ...], Record]]] = {}
    for grant in model.grants:
        for name in grant.names:
            credential_calls.setdefault(name, []).append((grant.params, grant_record(grant)))
    for secret in model.app_secrets:
        for name in secret.names:
            credential_calls.setdefault(name, []).append((secret.params, app_secret(secret)))
    for name, found in credential_calls.items():
        params = max((params for params, _ in found), key=len)
        functions[name] = FunctionSpec(params, _each([record for _, record in found]))
    return Adapter(
        library=model.library,
        clients=clients,
        methods={m.name: MethodSpec(m.params, _APPLY[m.effect](m)) for m in model.methods},
        functions=functions,
        markers=model.markers,
    )


def _object_methods(models: tuple[LibraryModel, ...]) -> dict[str, FunctionSpec]:
    """Openers that are methods of another callable's object (``Envelope(...).send``), one
    spec per method name for all models: the object's maker picks the model."""
    found: dict[str, list[tuple[LibraryModel, Opener | EwsLogin]]] = {}
    for model in models:
        for made in (*model.openers, *model.ews):
            if made.on_object_of:
                for name in {n.rsplit(".", 1)[-1] for n in made.names}:
                    found.setdefault(name, []).append((model, made))

    def spec(variants: list[tuple[LibraryModel, Opener | EwsLogin]]) -> FunctionSpec:
        def record(mail: MailFile, site: CallSite) -> None:
            for model, made in variants:
                if isinstance(made, Opener):
                    _standalone(model, [made], makers=True)(mail, site)
                elif _made_by(site.receiver_value, made.on_object_of):
                    bound = rebind(site, made.params, True)
                    if bound is not None:
                        ews(made)(mail, bound)

        return FunctionSpec(_PLACEHOLDERS, record)

    return {name: spec(variants) for name, variants in found.items()}


def adapters(models: Iterable[LibraryModel]) -> tuple[Adapter, ...]:
    """One adapter per model (a qualified name belongs to one model only), and one for the
    methods of objects that library callables make (:func:`object_method_adapters`)."""
    models = tuple(models)
    built = [adapter(model) for model in models]
    seen: set[str] = set()
    for made in built:
        names = {*made.clients, *made.functions}
        if names & seen:
            raise ValueError(f"{made.library} declares {sorted(names & seen)} again")
        seen |= names
    return (*built, *object_method_adapters(models))


def object_method_adapters(models: tuple[LibraryModel, ...]) -> tuple[Adapter, ...]:
    """An adapter per method of objects that library callables make, read only in modules
    that name one of those libraries: their names are common (``send``, ``add``), so each
    is read only where the module of a maker of its object is named (apprise's ``add``
    where ``apprise`` is, not wherever ``emails`` is). Of ``models``, only those that
    declare a method count for it."""
    return tuple(
        Adapter(
            library="library models",
            object_methods={name: spec},
            object_methods_if=tuple(
                sorted(
                    {
                        maker.split(".")[0].lower().encode()
                        for model in models
                        for made in (*model.openers, *model.ews)
                        if name in {n.rsplit(".", 1)[-1] for n in made.names}
                        for maker in made.on_object_of
                    }
                )
            ),
        )
        for name, spec in _object_methods(models).items()
    )
