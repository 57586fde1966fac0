"""Setting values as the interpreter reads them (numbers, flags in any of the usual
words) and flags written back in the file's own words."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Value
from ..remedies import Edit
from .keys import GENERIC_SMTP_KEYS, Role, Setting

_TRUE = frozenset({"true", "yes", "on", "1", "y", "t", "enabled"})
_FALSE = frozenset({"false", "no", "off", "0", "n", "f", "disabled", "none", ""})
_BOOL_WORDS = (
    ("true", "false"),
    ("yes", "no"),
    ("on", "off"),
    ("1", "0"),
    ("y", "n"),
    ("t", "f"),
    ("enabled", "disabled"),
)


def as_int(value: Value) -> int | None:
    if not value.known or isinstance(value.value, bool):
        return None
    if isinstance(value.value, int):
        return value.value
    if isinstance(value.value, str) and value.value.strip().isdigit():
        return int(value.value.strip())
    return None


def as_bool(value: Value) -> bool | None:
    if not value.known:
        return None
    raw = value.value
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        return bool(raw)
    if isinstance(raw, (tuple, list)):
        return True  # SMTPHandler's ``secure=()``: present means STARTTLS
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def tls_flag_edits(group: Iterable[Setting], bool_words: tuple[str, str]) -> list[Edit]:
    """Edits that make a group of bare settings say STARTTLS (``"use_ssl": True`` ->
    ``False``, ``"tls": False`` -> ``True``): what a port changed to 587 needs, also where
    code, not the settings interpreter, reads the group (``SMTP_SSL(host, cfg["port"])``)."""
    found: list[Edit] = []
    for setting in group:
        upper = setting.key.upper()
        role = GENERIC_SMTP_KEYS.get(upper) or GENERIC_SMTP_KEYS.get(upper.split("_", 1)[-1])
        wanted = {Role.IMPLICIT: False, Role.STARTTLS: True}.get(role)  # type: ignore[arg-type]
        if wanted is None or setting.token is None or as_bool(setting.value) is not (not wanted):
            continue
        text = setting.token_text
        quote = text[0] if len(text) >= 2 and text[0] in "'\"" and text[-1] == text[0] else ""
        body = text[len(quote) : len(text) - len(quote)]
        word = bool_word(body, wanted, bool_words)
        found.append(Edit(setting.token.start, setting.token.end, f"{quote}{word}{quote}"))
    return found


def bool_word(body: str, new: bool, default: tuple[str, str]) -> str:
    """``True`` -> ``False``, ``yes`` -> ``no``, ``1`` -> ``0``: the file's own style."""
    lower = body.strip().lower()
    for pair in _BOOL_WORDS:
        if lower in pair:
            word = pair[0] if new else pair[1]
            if body.isupper() and len(body) > 1:
                return word.upper()
            if body[:1].isupper():
                return word.capitalize()
            return word
    return default[0] if new else default[1]
