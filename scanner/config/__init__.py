"""The config front end: one reader per format, one shared settings interpreter.

Each reader turns a file's text into keyed
:class:`~authsweep.scanner.mail_settings.keys.Setting` values with exact positions;
:func:`~authsweep.scanner.mail_settings.interpret.interpret` turns those into the mail
model. Nothing in a file is ever executed or evaluated.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

from ..errors import ParseError
from ..lazy_regex import lazy_pattern
from ..mail_settings.interpret import interpret
from ..mail_settings.keys import Setting
from ..model import MailFile
from ..text import LineIndex, Source

CONFIG_KINDS = frozenset({"dotenv", "ini", "yaml", "toml", "json"})


def _reader(kind: str) -> Callable[..., list[Setting]]:
    """The reader of one format, imported when a file of it is read: a Python-only run
    (a pre-commit hook) never loads the YAML or TOML parsers."""
    module = importlib.import_module(f".{kind}_file", __name__)
    return getattr(module, f"read_{kind}")


# An OpenAPI or Swagger document: it describes an API's requests (its examples may name
# an SMTP server), no program reads it as its settings. The field is required, near the
# top in practice; reading a generated spec of half a megabyte cost more than the rest
# of a tree.
_API_DESCRIPTION = lazy_pattern(r"""^\s*["']?(?:openapi|swagger)["']?\s*:\s*["']?[23]\.""", re.M)
# How a flag is written when its current token gives no style to follow.
_BOOL_WORDS = {"ini": ("True", "False")}


def read_settings(path: str, kind: str, text: str) -> list[Setting]:
    """The settings of one config file's text; ParseError when it is not valid."""
    return _read_settings(path, kind, LineIndex(text))


def _read_settings(path: str, kind: str, index: LineIndex) -> list[Setting]:
    text = index.text
    if _api_description(kind, text):
        return []
    if kind == "ini" and path.lower().endswith(".conf"):
        # ``.conf`` is INI only sometimes (nginx, supervisord, ...): anything else is no
        # error, just not a file for this front end.
        try:
            return _reader("ini")(text, index, strict=True)
        except ParseError:
            return []
    return _reader(kind)(text, index)


def _api_description(kind: str, text: str) -> bool:
    return kind in ("yaml", "json") and _API_DESCRIPTION.search(text, 0, 4096) is not None


def analyze_config(path: str, source: Source) -> MailFile:
    """The mail model of one config file; raises ParseError for an invalid one."""
    kind = source.kind
    mail = MailFile(path=path, kind=kind)
    try:
        text = source.text
    except ValueError as error:
        if path.lower().endswith(".conf"):
            return mail
        raise ParseError(str(error)) from None
    if _api_description(kind, text):
        # Before the line index, which a generated spec's 16,000 lines cost 55 M
        # instructions to build (bench/RESULTS.md, speed10b).
        return mail
    found = interpret(
        _read_settings(path, kind, source.lines),
        # A .env holds values, not calls: no login is proved unless the host is Microsoft's.
        login_needs_microsoft_host=kind == "dotenv",
        bool_words=_BOOL_WORDS.get(kind, ("true", "false")),
        text=text,
        mappings=kind in ("yaml", "json", "toml"),
    )
    mail.connections.extend(found.connections)
    mail.secrets.extend(found.secrets)
    return mail
