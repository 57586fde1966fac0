"""Values known in part: the shape of a string built from parts that are not known, and
a value that is one of several.

``f"{region}.office365.com"`` has no value when the region comes from the environment,
but its shape (``{}.office365.com``) still says whose host it is; ``SERVERS[provider]``
has no value either, but it is one of the table's entries (:mod:`.tables`). The
evaluator gives such a value its template or its choices, and the provider table judges
them (:func:`authsweep.scanner.providers.host_provider`). ``%`` and ``str.format`` are
worked out here too, when their fields are plain (a width is never worked out:
``"%999999999d"`` would take a gigabyte).
"""

from __future__ import annotations

import re

from ..lazy_regex import lazy_pattern
from ..model import Span, Value

# Replacement fields of ``%`` and ``str.format``, and the plain ones whose result is the
# argument's text as it is: a width or precision (``%999999999d``) is not worked out.
_PERCENT_FIELD = lazy_pattern(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[a-zA-Z%]")
_PLAIN_PERCENT = lazy_pattern(r"%(?:\([A-Za-z_]\w*\))?[sdir%]")
_FORMAT_FIELD = lazy_pattern(r"\{\{|\}\}|\{[^{}]*\}")
_PLAIN_FORMAT = lazy_pattern(r"\{\{|\}\}|\{(?:\d+|[A-Za-z_]\w*)?\}")
HOLE = "{}"
# Choices kept for a value that is one of several: a table of hosts, not a data file.
MAX_CHOICES = 32


def _simple_fields(fields: re.Pattern[str], plain: re.Pattern[str], text: str) -> bool:
    return all(plain.fullmatch(match.group()) for match in fields.finditer(text))


def _holes(fields: re.Pattern[str], text: str) -> str:
    """A format string with each replacement field written as a hole (``{}``)."""

    def hole(match: re.Match[str]) -> str:
        field = match.group()
        if field in ("%%", "{{", "}}"):
            return field[0]
        return HOLE

    return fields.sub(hole, text)


def text_of(value: Value) -> str | None:
    """What a part of a string tells: its text, or its shape."""
    if value.known:
        return value.value if isinstance(value.value, str) else None
    return value.template


def one_of(*values: Value, origin: str | None = None) -> Value:
    """A value that is one of ``values``: known when they agree, else unknown with them
    as its choices (theirs, for values that are themselves one of several), from
    ``origin`` (else from the first of them that has one)."""
    options: list[Value] = []
    for value in values:
        options.extend(value.choices if value.choices is not None else (value,))
    known = [option for option in options if option.known]
    if len(known) == len(options) and all(o.value == known[0].value for o in known[1:]):
        return options[0]
    origin = origin or next((option.origin for option in options if option.origin), None)
    parts = tuple(span for option in options for span in option.literal_parts)
    if len(options) > MAX_CHOICES:
        return Value(False, None, origin, literal_parts=parts)
    return Value(False, None, origin, literal_parts=parts, choices=tuple(options))


def percent(left: Value, right: Value, parts: tuple[Span, ...]) -> Value:
    """``"smtp.%s.com" % region``: the text when every part is known, else its shape."""
    origin = left.origin or right.origin
    if not (left.known and isinstance(left.value, str)):
        return Value(False, None, literal_parts=parts)
    if right.known and _simple_fields(_PERCENT_FIELD, _PLAIN_PERCENT, left.value):
        try:
            return Value(True, left.value % right.value, origin, literal_parts=parts)  # type: ignore[operator]
        except (TypeError, ValueError, KeyError):
            return Value(False, None, literal_parts=parts)
    template = _holes(_PERCENT_FIELD, left.value)
    return Value(False, None, right.origin, literal_parts=parts, template=template)


def formatted(
    text: str,
    arguments: tuple[list[Value], dict[str, Value]] | None,
    parts: tuple[Span, ...],
) -> Value:
    """``text.format(*args, **keywords)`` with ``arguments`` evaluated (None when they are
    spread from elsewhere): the text when every field is plain and every argument known,
    else its shape."""
    shape = _holes(_FORMAT_FIELD, text)
    if arguments is None:
        return Value(False, None, literal_parts=parts, template=shape)
    args, keywords = arguments
    given = (*args, *keywords.values())
    origin = next((a.origin for a in given if a.origin), None)
    if _simple_fields(_FORMAT_FIELD, _PLAIN_FORMAT, text) and all(a.known for a in given):
        try:
            result = text.format(
                *(a.value for a in args), **{k: v.value for k, v in keywords.items()}
            )
        except (IndexError, KeyError, ValueError, AttributeError, TypeError):
            return Value(False, None, origin, literal_parts=parts)
        return Value(True, result, origin, literal_parts=parts)
    return Value(False, None, origin, literal_parts=parts, template=shape)
