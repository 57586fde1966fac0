"""Text the evaluator builds: f-strings, ``str.format`` and methods of known text
(``b"...".decode()``, ``" pw ".strip()``), each value keeping the literals it is made of
(a password split over several literals is still written in the file)."""

from __future__ import annotations

import ast
from dataclasses import replace

from ..model import Span, Value
from .arguments import is_spread
from .shapes import HOLE, formatted, one_of, text_of

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up


def built(origin: str | None, parts: tuple[Span, ...]) -> Value:
    """A value that is not computed, from ``origin``, built from the literals ``parts``."""
    return Value(False, None, origin, literal_parts=parts)


class TextValues:
    """The text part of :class:`~.values.Evaluator`, which it is mixed into."""

    if TYPE_CHECKING:

        def evaluate(self, node: ast.AST | None, depth: int = 0) -> Value: ...

        def span(self, node: ast.AST) -> Span: ...

    def _fstring(self, node: ast.JoinedStr, depth: int) -> Value:
        texts: list[str] = []
        origin = None
        # The f-string's own text, and what its fields are built from.
        literal: tuple[Span, ...] = (self.span(node),)
        values = [
            self.evaluate(part.value, depth)
            for part in node.values
            if isinstance(part, ast.FormattedValue)
        ]
        parts = literal + tuple(span for value in values for span in value.literal_parts)
        fields = iter(values)
        shape: list[str] = []  # the text with unknown parts as holes
        known = True
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                texts.append(part.value)
                shape.append(part.value)
                continue
            if not isinstance(part, ast.FormattedValue):
                return built(origin, parts)
            value = next(fields)
            origin = origin or value.origin
            if not value.known or part.format_spec is not None or part.conversion != -1:
                known = False
                shape.append(text_of(value) or HOLE)
                continue
            texts.append(str(value.value))
            shape.append(str(value.value))
        if not known:
            picked = _picked_fstring(node, values, origin, parts)
            if picked is not None:
                return picked
            return Value(False, None, origin, literal_parts=parts, template="".join(shape))
        return Value(True, "".join(texts), origin, literal_parts=parts)

    def _format(self, node: ast.Call, func: ast.Attribute, depth: int) -> Value | None:
        """``"smtp.{}.com".format(region)``: the text when every argument is known, else
        its shape; None when the receiver is not known text."""
        base = self.evaluate(func.value, depth)
        if not base.known or not isinstance(base.value, str):
            return None
        parts = self._parts_of(func.value, node, depth)
        if any(is_spread(a) for a in (*node.args, *node.keywords)):
            return formatted(base.value, None, parts)
        args = [self.evaluate(a, depth) for a in node.args]
        keywords = {k.arg: self.evaluate(k.value, depth) for k in node.keywords if k.arg}
        return formatted(base.value, (args, keywords), parts)

    def _parts_of(self, receiver: ast.expr, call: ast.Call, depth: int) -> tuple[Span, ...]:
        operands = [receiver, *call.args, *(k.value for k in call.keywords)]
        return tuple(
            span
            for operand in operands
            for span in self.evaluate(
                operand.value if isinstance(operand, ast.Starred) else operand, depth
            ).literal_parts
        )

    def _text_method(self, node: ast.Call, func: ast.Attribute, depth: int) -> Value | None:
        """``b"...".decode()``, ``" pw ".strip()``: the known value with the method applied,
        still a literal where the text is (a password written as bytes is one)."""
        base = self.evaluate(func.value, depth)
        if not base.known or not isinstance(base.value, (str, bytes)) or node.keywords:
            return None
        arguments = [self.evaluate(a, depth) for a in node.args]
        if not all(a.known for a in arguments):
            return None
        try:
            value = getattr(base.value, func.attr)(*(a.value for a in arguments))
        except (TypeError, ValueError, LookupError, AttributeError):
            return None
        parts = base.literal_parts + tuple(s for a in arguments for s in a.literal_parts)
        return Value(
            True,
            value,
            base.origin,
            literal=base.literal,
            literal_span=base.literal_span,
            literal_parts=parts,
        )

    def decoded(self, node: ast.Call, name: str, depth: int) -> Value | None:
        """``base64.b64decode("V2ludGVy...")``, ``codecs.decode("...", "rot13")``: a literal
        decoded at run time, still the literal it is written as (a password hidden so is
        hard-coded all the same). None for other calls and what cannot be decoded."""
        if name not in _DECODERS or not node.args or node.keywords:
            return None
        encoded = self.evaluate(node.args[0], depth)
        if not (encoded.known and isinstance(encoded.value, (str, bytes))):
            return None
        codec = _DECODERS[name]
        if codec is None:
            found = self.evaluate(node.args[1], depth) if len(node.args) > 1 else None
            if found is None or found.value not in _TEXT_CODECS:
                return None
            codec = str(found.value)
        import codecs  # start-up: only for a module that decodes a literal

        text = encoded.value
        if codec != "rot13" and codec != "rot_13" and isinstance(text, str):
            text = text.encode("ascii", errors="replace")  # the byte codecs take bytes
        try:
            value = codecs.decode(text, codec)  # type: ignore[arg-type]
        except (ValueError, TypeError, LookupError):
            return None
        return encoded.made_into(value)


# Decoders of a literal by their codec (None: the codec is the second argument).
_DECODERS: dict[str, str | None] = {
    "base64.b64decode": "base64",
    "base64.decodebytes": "base64",
    "base64.standard_b64decode": "base64",
    "codecs.decode": None,
}
_TEXT_CODECS = frozenset({"rot13", "rot_13", "base64", "base_64", "hex"})


def _picked_fstring(
    node: ast.JoinedStr, values: list[Value], origin: str | None, parts: tuple[Span, ...]
) -> Value | None:
    """An f-string whose one unknown field is picked at run time among values written in
    the code (``f"imap.{domain}"`` with ``domain = DOMAINS.get(dc, DOMAINS["com"])``):
    one of the texts it makes with each of them (each known, or known in part). None
    when another field is unknown or formatted."""
    fields = [p for p in node.values if isinstance(p, ast.FormattedValue)]
    unknown = [i for i, value in enumerate(values) if not value.known]
    if len(unknown) != 1 or values[unknown[0]].choices is None:
        return None
    if any(f.format_spec is not None or f.conversion != -1 for f in fields):
        return None
    made = []
    for choice in values[unknown[0]].choices or ():
        texts, holes, index = [], False, 0
        for part in node.values:
            if not isinstance(part, ast.FormattedValue):
                texts.append(str(getattr(part, "value", "")))
                continue
            value = choice if index == unknown[0] else values[index]
            index += 1
            holes = holes or not value.known
            text = str(value.value) if value.known else text_of(value)
            texts.append(HOLE if text is None else text)
        text = "".join(texts)
        made.append(
            Value(
                not holes, None if holes else text, choice.origin, template=text if holes else None
            )
        )
    return replace(one_of(*made, origin=origin), literal_parts=parts)
