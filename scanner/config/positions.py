"""Positions in a config file's text, and values as the settings interpreter wants them.

Offsets are indices into the decoded text (what :func:`authsweep.scanner.text.decode`
returns), lines and columns are 1-based, as everywhere in the mail model.
"""

from __future__ import annotations

import re

from ..mail_settings.keys import Setting
from ..model import Value
from ..text import LineIndex

# ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``$VAR``: the whole value is a reference.
_ENV_REF = re.compile(
    r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-=?+])(?P<default>[^}$]*))?\}$"
    r"|^\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)$"
)
_INTERPOLATED = re.compile(r"\$\{|\$\(|\{\{|\{%|%\([^)]*\)s|\$[A-Za-z_]")
_TAG_ORIGINS = {"!vault": "vault", "!encrypted": "vault"}


def make_setting(
    index: LineIndex,
    key: str,
    key_at: tuple[int, int],
    value: object,
    value_at: tuple[int, int],
    group: str,
    *,
    exact: bool,
    tag: str | None = None,
) -> Setting:
    """A setting from a value the format decoded.

    ``value`` is typed where the format types it (YAML, JSON, TOML) and a string
    otherwise. ``exact``: ``text[value_at]`` is the value as written, with no quotes or
    escapes around or in it, so a fix may replace exactly that range.
    """
    key_span = index.span(*key_at)
    span = index.span(*value_at)
    written = index.text[value_at[0] : value_at[1]]
    if tag is not None and not tag.startswith("tag:yaml.org,2002:"):
        # Home Assistant ``!secret name``, ``!env_var NAME``, Ansible ``!vault``: not literals.
        if tag == "!secret":
            origin = f"secret {value}"
        elif tag == "!env_var":
            origin = f"env {str(value).split()[0]}" if value else "environment"
        else:
            origin = _TAG_ORIGINS.get(tag, f"tag {tag}")
        return Setting(key, Value.unknown(origin, span), key_span, group)
    if not isinstance(value, str):
        literal = Value(True, value, None, span, True, span, written)
        token = span if exact else None
        return Setting(key, literal, key_span, group, token, written if exact else "")
    reference = _ENV_REF.match(value)
    if reference is not None:
        name = reference["name"] or reference["bare"]
        origin = f"env {name}"
        default = reference["default"]
        if default is None or reference["op"] in ("?", ":?", "+", ":+"):
            return Setting(key, Value.unknown(origin, span, source=written), key_span, group)
        # ``${SMTP_PORT:-465}``: the default is written here, and a fix edits the default.
        at = value_at[0] + reference.start("default")
        default_span = index.span(at, at + len(default)) if exact else span
        known = Value(True, default, origin, span, True, default_span, written)
        return Setting(key, known, key_span, group, default_span if exact else None, default)
    if _INTERPOLATED.search(value):
        return Setting(key, Value.unknown("interpolation", span, source=written), key_span, group)
    literal = Value(True, value, None, span, True, span, written)
    return Setting(key, literal, key_span, group, span if exact else None, value if exact else "")
