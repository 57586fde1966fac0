"""Mail settings written in Python: Django settings modules and Flask configuration.

Module-level ``EMAIL_HOST = ...`` assignments, ``class Config: MAIL_SERVER = ...``
bodies, ``app.config["MAIL_SERVER"] = ...``, ``app.config.update(MAIL_SERVER=...)``
and ``app.config.from_mapping(...)`` become settings (values through the
evaluator, so ``os.environ``, django-environ and python-decouple defaults count)
and go through the same interpreter as config files.
"""

from __future__ import annotations

import re

import libcst as cst

from ..model import MailFile
from ..settings import Setting, interpret, is_setting_key
from .source import dotted_name
from .values import Evaluator

_MENTIONS = re.compile(r"EMAIL_|MAIL_|SMTP_")
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
    for complete, settings in ((True, reader.complete), (False, reader.partial)):
        found = interpret(settings, complete=complete, python=True, bool_words=("True", "False"))
        mail.connections.extend(found.connections)
        mail.secrets.extend(found.secrets)


class _Reader:
    def __init__(self, values: Evaluator) -> None:
        self.values = values
        self.complete: list[Setting] = []
        self.partial: list[Setting] = []

    def add(
        self, key: str, key_node: cst.CSTNode, value: cst.BaseExpression, group: str, complete: bool
    ) -> None:
        if not is_setting_key(key):
            return
        evaluated = self.values.evaluate(value)
        token = evaluated.literal_span or (evaluated.span if evaluated.literal else None)
        text = self.values.text.text(token) if token is not None else ""
        setting = Setting(key, evaluated, self.values.span(key_node), group, token, text)
        (self.complete if complete else self.partial).append(setting)

    def statements(self, body, group: str, *, complete: bool) -> None:
        for statement in body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            self.add(
                                target.target.value, target.target, small.value, group, complete
                            )
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    if isinstance(small.target, cst.Name):
                        self.add(small.target.value, small.target, small.value, group, complete)


class _ConfigCalls(cst.CSTVisitor):
    """``app.config[KEY] = value`` and ``app.config.update(KEY=value)``: Flask config."""

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
        if not isinstance(func, cst.Attribute) or func.attr.value not in _CONFIG_METHODS:
            return
        owner = _config_owner(func.value)
        if owner is None:
            return
        for arg in node.args:
            if arg.keyword is not None:
                self.reader.add(arg.keyword.value, arg.keyword, arg.value, owner, False)
            elif isinstance(arg.value, cst.Dict):
                self._dict(arg.value, owner)
            elif isinstance(arg.value, cst.Call) and dotted_name(arg.value.func) == "dict":
                for item in arg.value.args:
                    if item.keyword is not None:
                        self.reader.add(item.keyword.value, item.keyword, item.value, owner, False)

    def _dict(self, node: cst.Dict, owner: str) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                key = element.key.evaluated_value
                if isinstance(key, str):
                    self.reader.add(key, element.key, element.value, owner, False)


def _config_owner(node: cst.BaseExpression) -> str | None:
    """``app.config`` (or ``self.app.config``, ``current_app.config``), else None."""
    name = dotted_name(node)
    return name if name is not None and name.split(".")[-1] == "config" else None
