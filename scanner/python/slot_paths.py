"""The item and attribute path from a wrapper's parameter to the value it uses: the
host of ``smtplib.SMTP(server["host"], server["port"])`` is the ``"host"`` item of the
``server`` parameter, so a caller in another module that passes ``{"host":
"smtp.office365.com", ...}`` gives that host, not the whole dict."""

from __future__ import annotations

import ast

from ..model import Value

# One step: ("item", key) for ``x["key"]`` / ``x[0]``, ("attr", name) for ``x.name``.
Path = tuple[tuple[str, object], ...]
# Real code nests a setting a few levels deep (``cfg["mail"]["smtp"]["host"]``).
_MAX_STEPS = 4


def path_root(value: Value) -> str | None:
    """The name a value written as an item or attribute path starts from
    (``cfg["mail"]["host"]``: ``cfg``), whatever its origin says (``config key mail``)."""
    source = (value.source or "").strip()
    if not source or source.isidentifier():
        return None
    root = source.split("[", 1)[0].split(".", 1)[0].strip()
    if not root.isidentifier() or root in ("self", "cls"):
        return None
    return root if parameter_path(value, root) else None


def parameter_path(value: Value, param: str) -> Path:
    """The steps from ``param`` to the value as written (``value.source``); none when the
    value is the parameter itself or its source is not such a path."""
    if not value.source or value.source == param:
        return ()
    try:
        node = ast.parse(value.source.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return ()
    steps: list[tuple[str, object]] = []
    while len(steps) <= _MAX_STEPS:
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            key = node.slice.value
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                return ()
            steps.append(("item", key))
            node = node.value
        elif isinstance(node, ast.Attribute):
            steps.append(("attr", node.attr))
            node = node.value
        elif isinstance(node, ast.Name) and node.id == param:
            return tuple(reversed(steps))
        else:
            return ()
    return ()


def follow(value: Value, path: Path) -> Value:
    """The caller's argument ``value`` taken down ``path``: the item of a dict the caller
    writes (an attribute too, when the argument is a dict of named values); unknown, said
    by the argument's origin, when a step cannot be taken here."""
    for index, (_, key) in enumerate(path):
        held = value.value if value.known and isinstance(value.value, dict) else None
        if held is None or key not in held:
            # Written as the rest of the path on the argument, so that a summary of the
            # caller (which passes its own parameter on) keeps the path for its callers.
            rest = "".join(f"[{k!r}]" if kind == "item" else f".{k}" for kind, k in path[index:])
            source = f"{value.source}{rest}" if value.source else None
            return Value.unknown(value.origin, value.span, source=source)
        item = held[key]
        value = item if isinstance(item, Value) else Value(True, item)
    return value
