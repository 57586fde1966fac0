"""The config front end: one reader per format, one shared settings interpreter.

Each reader turns a file's text into keyed :class:`~authsweep.scanner.settings.Setting`
values with exact positions; :func:`~authsweep.scanner.settings.interpret` turns those
into the mail model. Nothing in a file is ever executed or evaluated.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ParseError
from ..model import MailFile
from ..settings import Setting, interpret
from ..text import decode
from .dotenv_file import read_dotenv
from .ini_file import read_ini
from .json_file import read_json
from .positions import LineIndex
from .toml_file import read_toml
from .yaml_file import read_yaml

CONFIG_KINDS = frozenset({"dotenv", "ini", "yaml", "toml", "json"})

_READERS: dict[str, Callable[[str, LineIndex], list[Setting]]] = {
    "dotenv": read_dotenv,
    "ini": read_ini,
    "yaml": read_yaml,
    "toml": read_toml,
    "json": read_json,
}
# How a flag is written when its current token gives no style to follow.
_BOOL_WORDS = {"ini": ("True", "False")}


def read_settings(path: str, kind: str, text: str) -> list[Setting]:
    """The settings of one config file's text; ParseError when it is not valid."""
    index = LineIndex(text)
    if kind == "ini" and path.lower().endswith(".conf"):
        # ``.conf`` is INI only sometimes (nginx, supervisord, ...): anything else is no
        # error, just not a file for this front end.
        try:
            return read_ini(text, index, strict=True)
        except ParseError:
            return []
    return _READERS[kind](text, index)


def analyze_config(path: str, kind: str, data: bytes) -> MailFile:
    """The mail model of one config file; raises ParseError for an invalid one."""
    mail = MailFile(path=path, kind=kind)
    try:
        _, text = decode(kind, data)
    except ValueError as error:
        if path.lower().endswith(".conf"):
            return mail
        raise ParseError(str(error)) from None
    found = interpret(
        read_settings(path, kind, text),
        # A .env holds values, not calls: no login is proved unless the host is Microsoft's.
        login_needs_microsoft_host=kind == "dotenv",
        bool_words=_BOOL_WORDS.get(kind, ("true", "false")),
        text=text,
    )
    mail.connections.extend(found.connections)
    mail.secrets.extend(found.secrets)
    return mail
