"""Mail settings written in Python: Django settings modules, Flask configuration,
pydantic settings classes, config modules and FastAPI-Mail's ``ConnectionConfig``.

Module-level ``EMAIL_HOST = ...`` / ``SMTP_HOST = ...`` assignments, class bodies
(``class Config: MAIL_SERVER = ...``, ``class Settings(BaseSettings): SMTP_PORT: int =
465``), dict literals assigned to a name (``SMTP_CONFIG = {"host": ...}``),
``app.config["MAIL_SERVER"] = ...``, ``app.config.update(MAIL_SERVER=...)``,
``app.config.from_mapping(...)`` and upper-case keyword arguments of any call
(``ConnectionConfig(MAIL_SERVER=...)``, ``settings.configure(EMAIL_HOST=...)``) become
settings (values through the evaluator, so ``os.environ``, django-environ and
python-decouple defaults count) and go through the same interpreter as config files.
A logging configuration dictionary (Django's ``LOGGING``) goes to the SMTPHandler
adapter's reader of ``dictConfig`` dictionaries.
"""

from __future__ import annotations

import re

import libcst as cst

from ..model import Connection, MailFile, Value
from ..settings import Setting, interpret, is_setting_key
from .adapters.logging_handlers import config_connections
from .source import dotted_name
from .values import Evaluator

_MENTIONS = re.compile(r"(?i)mail|smtp|imap")
_CONFIG_METHODS = frozenset({"update", "from_mapping"})


def read_python_settings(module: cst.Module, values: Evaluator, mail: MailFile) -> None:
    """Add the connections and secrets of the module's mail settings to ``mail``."""
    if not _MENTIONS.search(module.code):
        return
    reader = _Reader(values)
    star_import = any(
        isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar)
        for statement in module.body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
    )
    # A module that star-imports base settings holds only overrides: no defaults then.
    reader.statements(module.body, "module", complete=not star_import)
    for statement in module.body:
        if isinstance(statement, cst.ClassDef):
            bases = [dotted_name(base.value) for base in statement.bases]
            reader.statements(
                statement.body.body,
                f"class {statement.name.value}",
                complete=all(base == "object" for base in bases),
            )
    module.visit(_ConfigCalls(reader))
    # What the module's code opened (and dictConfig calls described) before settings.
    code = [conn for conn in mail.connections if not conn.log_handler]
    described = {conn.opened_at for conn in mail.connections}
    for complete, settings in ((True, reader.complete), (False, reader.partial)):
        found = interpret(
            settings,
            complete=complete,
            python=True,
            bool_words=("True", "False"),
            text=values.text.code,
        )
        mail.connections.extend(
            conn for conn in found.connections if not any(_same(conn, c) for c in code)
        )
        mail.secrets.extend(found.secrets)
    mail.connections.extend(c for c in reader.log_handlers if c.opened_at not in described)


def _same(conn: Connection, code: Connection) -> bool:
    """Whether settings describe a connection the module's own code opens with them
    (``smtplib.SMTP(SMTP_HOST, SMTP_PORT)`` under ``SMTP_HOST = ...``): the code's
    connection says it all, with the calls that prove a login."""
    pairs = [(conn.host, code.host), (conn.port, code.port)]
    pairs += [(a.secret, b.secret) for a in conn.logins() for b in code.logins()]
    return any(_same_value(a, b) for a, b in pairs)


def _same_value(a: Value, b: Value) -> bool:
    if a.literal_span is not None or b.literal_span is not None:
        return a.literal_span == b.literal_span
    return a.origin is not None and a.origin != "missing" and a.origin == b.origin


class _Reader:
    def __init__(self, values: Evaluator) -> None:
        self.values = values
        self.complete: list[Setting] = []
        self.partial: list[Setting] = []
        self.log_handlers: list[Connection] = []

    def add(
        self,
        key: str,
        key_node: cst.CSTNode,
        value: cst.BaseExpression,
        group: str,
        complete: bool,
        *,
        mapping: bool = True,
        listed: bool = False,
    ) -> None:
        if not is_setting_key(key, mapping=mapping):
            return
        evaluated = self.values.evaluate(value)
        token = evaluated.literal_span or (evaluated.span if evaluated.literal else None)
        text = self.values.text.text(token) if token is not None else ""
        setting = Setting(
            key, evaluated, self.values.span(key_node), group, token, text, listed=listed
        )
        (self.complete if complete else self.partial).append(setting)

    def statements(self, body, group: str, *, complete: bool) -> None:
        for statement in body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    targets = [small.target]
                else:
                    continue
                for target in targets:
                    if isinstance(target, cst.Name):
                        self.assignment(target, small.value, group, complete)  # type: ignore[arg-type]

    def assignment(
        self, target: cst.Name, value: cst.BaseExpression, group: str, complete: bool
    ) -> None:
        """``NAME = value``: a setting; a dict literal is a group of settings of its own
        (``SMTP_CONFIG = {...}``), or a logging configuration (``LOGGING = {...}``)."""
        if not isinstance(value, cst.Dict):
            self.add(target.value, target, value, group, complete, mapping=False)
            return
        keys = _dict_keys(value)
        if "handlers" in keys:
            evaluated = self.values.evaluate(value)
            found = config_connections(evaluated, self.values.text.code, self.values.span(value))
            self.log_handlers.extend(found)
            return
        for key, (key_node, item) in keys.items():
            self.add(key, key_node, item, f"{group}/{target.value}", False, listed=True)


def _dict_keys(node: cst.Dict) -> dict[str, tuple[cst.SimpleString, cst.BaseExpression]]:
    found = {}
    for element in node.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
            key = element.key.evaluated_value
            if isinstance(key, str):
                found[key] = (element.key, element.value)
    return found


class _ConfigCalls(cst.CSTVisitor):
    """``app.config[KEY] = value`` and ``app.config.update(KEY=value)`` (Flask config), and
    the upper-case keyword settings of any other call."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            subscript = target.target
            if not isinstance(subscript, cst.Subscript) or len(subscript.slice) != 1:
                continue
            owner = _config_owner(subscript.value)
            index = subscript.slice[0].slice
            if owner is None or not isinstance(index, cst.Index):
                continue
            if isinstance(index.value, cst.SimpleString):
                key = index.value.evaluated_value
                if isinstance(key, str):
                    self.reader.add(key, index.value, node.value, owner, False)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        owner = None
        if isinstance(func, cst.Attribute) and func.attr.value in _CONFIG_METHODS:
            owner = _config_owner(func.value)
        if owner is None:
            self._keywords(node)
            return
        for arg in node.args:
            if arg.keyword is not None:
                self.reader.add(
                    arg.keyword.value, arg.keyword, arg.value, owner, False, listed=True
                )
            elif isinstance(arg.value, cst.Dict):
                for key, (key_node, value) in _dict_keys(arg.value).items():
                    self.reader.add(key, key_node, value, owner, False, listed=True)
            elif isinstance(arg.value, cst.Call) and dotted_name(arg.value.func) == "dict":
                for item in arg.value.args:
                    if item.keyword is not None:
                        self.reader.add(
                            item.keyword.value, item.keyword, item.value, owner, False, listed=True
                        )

    def _keywords(self, node: cst.Call) -> None:
        """``ConnectionConfig(MAIL_SERVER=..., MAIL_PORT=...)``,
        ``settings.configure(EMAIL_HOST=...)``: keywords written as settings names are the
        call's settings, a group of their own; everything the library reads unless a
        ``**mapping`` may add more. (``dict(...)`` is read where it is used.)"""
        name = dotted_name(node.func)
        if name == "dict":
            return
        named = [
            arg
            for arg in node.args
            if arg.keyword is not None
            and arg.keyword.value.isupper()
            and is_setting_key(arg.keyword.value, mapping=False)
        ]
        if not named:
            return
        group = f"call {name or 'expression'}@{self.reader.values.span(node).start}"
        complete = not any(arg.star for arg in node.args)
        for arg in named:
            assert arg.keyword is not None
            self.reader.add(arg.keyword.value, arg.keyword, arg.value, group, complete, listed=True)


def _config_owner(node: cst.BaseExpression) -> str | None:
    """``app.config`` (or ``self.app.config``, ``current_app.config``), else None."""
    name = dotted_name(node)
    return name if name is not None and name.split(".")[-1] == "config" else None
