"""One connection of the mail model built from the settings one family recognised in one
group, with the remedies a fix applies: text edits on the value tokens only, so quotes,
comments and layout stay as they are."""

from __future__ import annotations

from dataclasses import replace

from ..lazy_regex import lazy_pattern
from ..model import (
    MISSING,
    Connection,
    Protocol,
    SecretUse,
    Step,
    StepKind,
    Tls,
    Value,
    Verification,
)
from ..providers import host_provider
from ..records import plain
from ..remedies import PACKAGE_PREFIX, Edit, Remedy, RemedyKind
from ..secrets import is_placeholder
from .backends import (
    DJANGO,
    FLASK_MAIL,
    FLASK_MAILMAN,
    GRAPH_BACKENDS,
    GRAPH_HANDLER_CLASS,
    GRAPH_HANDLER_NOTE,
    HANDLER_CLASS,
    HANDLER_NOTE,
    Backend,
    Project,
    backend_remedy,
    handler_module,
    is_oauth2_backend,
)
from .coerce import as_bool, as_int, bool_word
from .keys import Family, Role, Setting

_OAUTH = lazy_pattern(r"(?i)x?oauth")
_HOST_PORT = lazy_pattern(r"^(?P<host>[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")
# A line that may be copied to add a sibling setting: what may stand before the key
# (indentation, a compose list dash, ``export``, the quote of a quoted key) and between
# the key and the value (``=``, ``:``, a Python annotation, the value's opening quote).
_LEAD = lazy_pattern(r"[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?(?P<quote>['\"]?)")
_SEPARATOR = lazy_pattern(
    r"(?P<close>['\"]?)[ \t]*(?::[ \t]*(?P<annotation>[A-Za-z_][\w.\[\], |]*?)[ \t]*=|[:=])"
    r"[ \t]*(?P<open>['\"]?)"
)


@plain
class Context:
    """What building connections from settings depends on besides the settings themselves."""

    login_needs_microsoft_host: bool
    python: bool
    bool_words: tuple[str, str]
    text: str | None
    project: Project | None = None
    # The groups are a document's mappings (YAML, JSON, TOML tables): keys in one belong
    # together, as a dict's do, unlike module constants or an INI section's.
    mappings: bool = False


class Builder:
    """Builds one connection from the settings one family recognised in one group."""

    def __init__(
        self,
        family: Family,
        library: str,
        roles: dict[Role, Setting],
        *,
        stem: str,
        defaults: bool,
        context: Context,
        protocol: Protocol,
    ) -> None:
        self.family = family
        self.library = library
        self.roles = roles
        self.stem = stem
        self.defaults = family.defaults if defaults else {}
        self.bool_words = context.bool_words
        self.python = context.python
        self.text = context.text
        self.project = context.project
        self.protocol = protocol
        backend = roles.get(Role.BACKEND)
        # The OAuth2 backend a fix wrote: STARTTLS and XOAUTH2, whatever the flags say.
        self.oauth2_backend = (
            backend is not None and backend.value.known and is_oauth2_backend(backend.value.value)
        )

    def flag(self, role: Role) -> bool | None:
        setting = self.roles.get(role)
        if setting is not None:
            return as_bool(setting.value)
        default = self.defaults.get(role)
        return default if isinstance(default, bool) else None

    def _no_login(self) -> bool:
        """A switch written false (``USE_CREDENTIALS=False``, ``authentication = no``);
        not ``None``, which a credentials key such as ``auth`` holds for "none given"."""
        setting = self.roles.get(Role.CREDENTIALS)
        if setting is not None and setting.value.known and setting.value.value is None:
            return False
        return self.flag(Role.CREDENTIALS) is False

    def build(self, login_needs_microsoft_host: bool) -> tuple[Connection, list[SecretUse]] | None:
        backend = self.roles.get(Role.BACKEND)
        if backend is not None and backend.value.known and not self.oauth2_backend:
            name = str(backend.value.value)
            if not (name.endswith("smtp.EmailBackend") or name == "smtp"):
                return None  # console, file, locmem or another custom backend
        host, port = self._host_and_port()
        tls, implicit, starttls = self._tls()
        if self.oauth2_backend and not (implicit and starttls):
            tls, implicit, starttls = Tls.STARTTLS, False, True
        opened_at = (
            self.roles[Role.HOST].span
            if Role.HOST in self.roles
            else min((s.span for s in self.roles.values()), key=lambda s: s.start)
        )
        if port is None:
            port = self._default_port(implicit)
        conn = Connection(
            protocol=self.protocol,
            library=self.library,
            host=host,
            port=port,
            tls=tls,
            opened_at=opened_at,
            oauth_hint=self.family.oauth_hint,
            log_handler=self.family.log_handler,
        )
        if implicit and starttls and self.family.conflict_possible:
            source = self.roles.get(Role.IMPLICIT)
            conn.tls_conflict = source.span if source else opened_at
            conflict = self._edits_implicit_off()
            if conflict:
                conn.remedies[RemedyKind.RESOLVE_TLS_CONFLICT] = Remedy(tuple(conflict))
        self._verification(conn)
        self._remedies(conn, implicit)
        secrets = self._login(conn, login_needs_microsoft_host)
        return conn, secrets

    # Host, port, TLS.

    def _host_and_port(self) -> tuple[Value, Value | None]:
        setting = self.roles.get(Role.HOST)
        port_setting = self.roles.get(Role.PORT)
        port = None
        if port_setting is not None:
            number = as_int(port_setting.value)
            value = port_setting.value
            port = (
                Value(
                    True,
                    number,
                    value.origin,
                    value.span,
                    value.literal,
                    value.literal_span,
                    value.source,
                )
                if number is not None
                else Value.unknown(value.origin, value.span, source=value.source)
            )
        if setting is None:
            default = self.defaults.get(Role.HOST)
            return (Value.of(default) if default else MISSING), port
        host = setting.value
        if host.known and isinstance(host.value, str):
            text = host.value.strip()
            both = _HOST_PORT.match(text)
            if both and port is None:
                # ``smtp.office365.com:587`` (Grafana and others write host and port in one).
                port = Value(True, int(both["port"]), host.origin, host.span)
                text = both["host"]
            host = Value(True, text, host.origin, host.span, host.literal, host.literal_span)
        elif host.known and host.value in (None, ""):
            default = self.defaults.get(Role.HOST)
            host = Value.of(default, host.span) if default else MISSING
        elif host.known:
            host = Value.unknown(host.origin, host.span, source=host.source)  # a list, a number
        return host, port

    def _default_port(self, implicit: bool | None) -> Value:
        default = self.defaults.get(Role.PORT)
        if default is not None:
            return Value.of(default)
        if self.family.default_ports and self.defaults and implicit is not None:
            return Value.of(self.family.default_ports[0 if implicit else 1])
        return MISSING

    def _tls(self) -> tuple[Tls, bool | None, bool | None]:
        """The TLS mode, and whether implicit TLS and STARTTLS are each asked for."""
        encryption = self.roles.get(Role.ENCRYPTION)
        if encryption is not None or Role.ENCRYPTION in self.defaults:
            value = encryption.value if encryption else Value.of(self.defaults[Role.ENCRYPTION])
            mode = str(value.value).strip().lower() if value.known else None
            if mode in ("tls", "ssl", "smtps", "ssl/tls"):
                return Tls.IMPLICIT, True, False
            if mode == "starttls":
                return Tls.STARTTLS, False, True
            if mode in ("none", "", "plain", "false"):
                return Tls.NONE, False, False
            return Tls.UNKNOWN, None, None
        if Role.SECURE in self.family.keys.values():
            # SMTPHandler: plain SMTP, STARTTLS only when ``secure`` is given (not None).
            secure = self.flag(Role.SECURE) if Role.SECURE in self.roles else False
            tls = Tls.UNKNOWN if secure is None else Tls.STARTTLS if secure else Tls.NONE
            return tls, False, secure
        implicit = self.flag(Role.IMPLICIT)
        if Role.NO_IMPLICIT in self.family.keys.values():
            off = self.flag(Role.NO_IMPLICIT)
            implicit = (not off) if off is not None else (True if self.defaults else None)
        starttls = self.flag(Role.STARTTLS)
        if Role.NO_STARTTLS in self.family.keys.values():
            off = self.flag(Role.NO_STARTTLS)
            starttls = (not off) if off is not None else (True if self.defaults else None)
        if starttls is None and Role.STARTTLS not in self.roles and self.defaults:
            starttls = self.family.starttls_default
        if implicit is None and Role.IMPLICIT not in self.roles and self.defaults:
            implicit = False if Role.IMPLICIT in self.family.keys.values() else None
        if implicit and starttls and self.family.conflict_possible:
            return Tls.UNKNOWN, implicit, starttls
        if implicit:
            return Tls.IMPLICIT, implicit, starttls
        if implicit is False and starttls:
            return Tls.STARTTLS, implicit, starttls
        if implicit is False and starttls is False:
            return Tls.NONE, implicit, starttls
        return Tls.UNKNOWN, implicit, starttls

    def _verification(self, conn: Connection) -> None:
        setting = self.roles.get(Role.VERIFY)
        if setting is None or as_bool(setting.value) is not False:
            return
        fix = self._edit(setting, True)
        remedies = {RemedyKind.VERIFY_TLS: Remedy((fix,))} if fix else {}
        if conn.tls is Tls.IMPLICIT:
            conn.verification = Verification.UNVERIFIED
            conn.remedies.update(remedies)
        elif conn.tls is Tls.STARTTLS:
            conn.steps.append(
                Step(
                    StepKind.STARTTLS,
                    setting.span,
                    verification=Verification.UNVERIFIED,
                    remedies=dict(remedies),
                )
            )

    # Remedies: edits of value tokens.

    def _edit(self, setting: Setting, new: object) -> Edit | None:
        if setting.token is None:
            return None
        text = setting.token_text
        quote = ""
        if len(text) >= 2 and text[0] in "'\"" and text[-1] == text[0]:
            quote = text[0]
        body = text[len(quote) : len(text) - len(quote)] if quote else text
        if isinstance(new, bool):
            replacement = bool_word(body, new, self.bool_words)
        else:
            replacement = str(new)
        if replacement == body:
            return None
        return Edit(setting.token.start, setting.token.end, f"{quote}{replacement}{quote}")

    def _edits_implicit_off(self) -> list[Edit] | None:
        """Edits that turn implicit TLS off, or None when that cannot be written."""
        edits: list[Edit] = []
        implicit = self.roles.get(Role.IMPLICIT)
        no_implicit = self.roles.get(Role.NO_IMPLICIT)
        encryption = self.roles.get(Role.ENCRYPTION)
        if encryption is not None:
            edit = self._edit(encryption, "starttls")
            return [edit] if edit else None
        if implicit is not None and as_bool(implicit.value):
            edit = self._edit(implicit, False)
            if edit is None:
                return None
            edits.append(edit)
        elif Role.NO_IMPLICIT in self.family.keys.values():
            if no_implicit is None:
                return None  # the key would have to be added
            if not as_bool(no_implicit.value):
                edit = self._edit(no_implicit, True)
                if edit is None:
                    return None
                edits.append(edit)
        return edits

    def _edits_starttls_on(self) -> list[Edit] | None:
        """Edits that turn STARTTLS on; [] when it is on already or by default."""
        starttls = self.roles.get(Role.STARTTLS)
        no_starttls = self.roles.get(Role.NO_STARTTLS)
        if starttls is not None:
            if as_bool(starttls.value):
                return []
            edit = self._edit(starttls, True)
            return [edit] if edit else None
        if no_starttls is not None:
            if as_bool(no_starttls.value) is False:
                return []
            edit = self._edit(no_starttls, False)
            return [edit] if edit else None
        if Role.STARTTLS in self.family.keys.values() and self.family.starttls_default is not True:
            # STARTTLS is off unless a key that is not there says otherwise: add it, where
            # whether implicit TLS is on is known (a flag elsewhere could conflict).
            implicit = self.roles.get(Role.IMPLICIT)
            if implicit is not None and as_bool(implicit.value) is None:
                return None
            if (
                implicit is None
                and Role.IMPLICIT in self.family.keys.values()
                and not self.defaults
            ):
                return None
            added = self._add_flag(self.family.starttls_key)
            return [added] if added else None
        return []

    def _add_flag(self, name: str) -> Edit | None:
        """A new line that turns the flag ``stem + name`` on, right after the line of the
        implicit TLS flag (or of the port): a copy of that line with the key and value
        replaced, so indentation, quoting and separator are the file's own. None where a
        copy would not clearly be right (no text, key and value on different lines, the
        value an expression, something else on the line, the last item of a list)."""
        anchor = self.roles.get(Role.IMPLICIT) or self.roles.get(Role.PORT)
        text = self.text
        if not name or anchor is None or anchor.token is None or text is None:
            return None
        key, token = anchor.span, anchor.token
        value = anchor.value.span
        if value is None or not (value.start <= token.start and token.end <= value.end):
            return None
        if text[value.start : value.end].strip("'\"") != anchor.token_text.strip("'\""):
            return None  # the value is an expression around the literal (env(..., default=))
        line_start = text.rfind("\n", 0, key.start) + 1
        line_end = text.find("\n", token.end)
        line_end = len(text) if line_end < 0 else line_end
        if text[line_end - 1 : line_end] == "\r":
            line_end -= 1
        lead = _LEAD.fullmatch(text, line_start, key.start)
        separator = _SEPARATOR.fullmatch(text, key.end, token.start)
        key_text = text[key.start : key.end]
        if (
            lead is None
            or separator is None
            or lead["quote"] != separator["close"]
            or anchor.key not in key_text
        ):
            return None
        open_quote = separator["open"]
        rest = text[token.end : line_end]
        if not rest.startswith(open_quote):
            return None
        rest = rest[len(open_quote) :].strip()
        comma = rest.startswith(",")
        if comma:
            rest = rest[1:].strip()
        elif anchor.listed:
            return None  # the last item of a list: no comma would separate the new one
        if rest and not rest.startswith("#" if self.python else ("#", ";")):
            return None
        is_flag = anchor is self.roles.get(Role.IMPLICIT)
        body = anchor.token_text
        quote = body[0] if len(body) >= 2 and body[0] in "'\"" and body[-1] == body[0] else ""
        if quote and self.python and not is_flag:
            quote = ""  # a port written as a string: the flag is a real bool
        word = self.bool_words[0]  # after a port: the file's style
        if is_flag:
            # The implicit TLS flag's own style: ``yes``, ``1``, ``True``.
            word = bool_word(body.strip("'\""), True, self.bool_words)
        written = anchor.key[len(self.stem) :]
        new_key = anchor.key[: len(self.stem)] + (name.lower() if written.islower() else name)
        between = text[key.end : token.start]
        if separator["annotation"] and not is_flag:
            at = separator.start("annotation") - key.end
            between = between[:at] + "bool" + between[separator.end("annotation") - key.end :]
        line = (
            text[line_start : key.start]
            + key_text.replace(anchor.key, new_key, 1)
            + between
            + f"{quote}{word}{quote}{open_quote}"
            + ("," if comma else "")
        )
        return Edit(line_end, line_end, "\n" + line)

    def _use_starttls(self) -> list[Edit] | None:
        """Implicit TLS -> STARTTLS in the same family."""
        if Role.ENCRYPTION in self.roles:
            return self._edits_implicit_off()
        off = self._edits_implicit_off()
        on = self._edits_starttls_on()
        if off is None or on is None or not off:
            return None
        return off + on

    def _remedies(self, conn: Connection, implicit: bool | None) -> None:
        if implicit:
            switch = self._use_starttls()
            if switch:
                conn.remedies[RemedyKind.USE_STARTTLS] = Remedy(tuple(switch))
        port = self.roles.get(Role.PORT)
        if port is None:
            return
        edit = self._edit(port, 587)
        if edit is None:
            return
        if implicit:
            rest = self._use_starttls()
        elif Role.SECURE in self.family.keys.values():
            rest = []  # SMTPHandler: STARTTLS is the ``secure`` argument, not a flag
        else:
            rest = self._edits_starttls_on()
            if rest is None:
                rest = []  # the port still changes; AS203 speaks for the missing STARTTLS
        if rest is None:
            return
        conn.remedies[RemedyKind.PORT_587] = Remedy((edit, *rest))

    # Authentication and secrets.

    def _login(self, conn: Connection, login_needs_microsoft_host: bool) -> list[SecretUse]:
        password_setting = self.roles.get(Role.PASSWORD)
        if password_setting is None:
            return []
        secret = _secret_value(password_setting.value)
        provider = host_provider(conn.host)
        host_known = provider is not None and not provider.placeholder
        microsoft = provider is not None and provider.microsoft
        secrets = []
        if (
            secret.literal
            and isinstance(secret.value, str)
            and secret.value
            and not is_placeholder(secret.value)
            and (microsoft or not host_known)
        ):
            secrets.append(SecretUse(secret, password_setting.key, password_setting.span))
        auth = self.roles.get(Role.AUTH_TYPE)
        if auth is not None and auth.value.known and _OAUTH.search(str(auth.value.value)):
            return secrets
        if not secret.present or (login_needs_microsoft_host and not microsoft):
            return secrets
        if self._no_login():
            return secrets  # FastAPI-Mail's USE_CREDENTIALS=False: no login() call
        user_setting = self.roles.get(Role.USER)
        user = _secret_value(user_setting.value) if user_setting else MISSING
        if user.known and user.value in (None, ""):
            return secrets  # every library skips login() without a user name
        if self.oauth2_backend:
            conn.steps.append(Step(StepKind.AUTH, password_setting.span, mechanism="XOAUTH2"))
            return secrets  # the backend signs in with XOAUTH2; the password is not used
        secret = self._where_set(secret)
        step = Step(StepKind.LOGIN, password_setting.span, user=user, secret=secret)
        for kind, graph in ((RemedyKind.XOAUTH2, False), (RemedyKind.GRAPH, True)):
            remedy = self._backend_remedy(conn, password_setting, graph) or self._handler_remedy(
                conn, graph
            )
            if remedy is not None:
                step.remedies[kind] = remedy
        if conn.tls is Tls.NONE:
            on = self._edits_starttls_on()
            if on:
                step.remedies[RemedyKind.ADD_STARTTLS] = Remedy(tuple(on))
        conn.steps.append(step)
        return secrets

    def _where_set(self, secret: Value) -> Value:
        """A password read from the environment names the config file of the project that
        sets it (``env EMAIL_HOST_PASSWORD, set in ../.env line 3``), so the finding links
        the two places."""
        origin = secret.origin or ""
        key = origin[len("env ") :]
        if self.project is None or self.project.path is None or not origin.startswith("env "):
            return secret
        if not key.isidentifier():
            return secret  # already says where it is set, or is no variable name
        found = self.project.set_in(key)
        if found is None:
            return secret
        return replace(secret, origin=f"{origin}, set in {found[0]} line {found[1]}")

    def _backend(self) -> Backend | None:
        """The framework whose backend class the settings name, if a fix can write one."""
        if self.project is None:
            return None
        if self.family.library == "django-settings":
            return DJANGO
        if self.family.library == "flask-mail" and self.project.flask_extension == "flask_mailman":
            return FLASK_MAILMAN
        if self.family.library == "flask-mail" and self.project.flask_extension == "flask_mail":
            return FLASK_MAIL
        return None

    def _backend_remedy(self, conn: Connection, password: Setting, graph: bool) -> Remedy | None:
        backend = self._backend()
        host = conn.host
        if backend is None or self.project is None:
            return None
        if graph:
            backend = GRAPH_BACKENDS[backend]
        if not (host.known and isinstance(host.value, str) and host.value):
            return None
        hint = next(
            (s.token_text[0] for s in self.roles.values() if s.token_text[:1] in ("'", '"')),
            '"',
        )
        return backend_remedy(
            backend,
            stem=self.stem,
            host=host.value,
            password=password,
            backend_setting=self.roles.get(Role.BACKEND),
            quote_hint=hint,
            project=self.project,
        )

    def _handler_remedy(self, conn: Connection, graph: bool) -> Remedy | None:
        """fileConfig's ``class=handlers.SMTPHandler`` -> the XOAuth2SMTPHandler module a
        fix adds beside the file (``graph``: GraphSMTPHandler), ``(user, password)`` ->
        ``user``."""
        klass = self.roles.get(Role.HANDLER_CLASS)
        pair = self.roles.get(Role.CREDENTIAL_PAIR)
        user = self.roles.get(Role.USER)
        if not self.family.log_handler or klass is None or klass.token is None:
            return None
        module = handler_module(conn.host, graph=graph)
        if module is None:
            return None
        name = GRAPH_HANDLER_CLASS if graph else HANDLER_CLASS
        edits = [Edit(klass.token.start, klass.token.end, f"{PACKAGE_PREFIX}{name}")]
        if pair is not None and pair.token is not None and user is not None and self.text:
            # The user as written in the pair (its span is the whole argument, quotes too).
            written = self.text[user.span.start : user.span.end]
            if pair.token.start <= user.span.start and user.span.end <= pair.token.end:
                edits.append(Edit(pair.token.start, pair.token.end, written))
        return Remedy(
            tuple(edits), note=GRAPH_HANDLER_NOTE if graph else HANDLER_NOTE, files=(module,)
        )


def _secret_value(value: Value) -> Value:
    """A password (or user name) as a login sees it: an empty default of an environment
    variable is not the value (the environment sets it), and a placeholder is not one."""
    if value.known and value.value in (None, "") and value.origin:
        return Value.unknown(value.origin, value.span, source=value.source)
    if value.known and isinstance(value.value, str) and is_placeholder(value.value):
        return Value.unknown("placeholder", value.span, source=value.source)
    return value
