"""More meaning-preserving rewrites for bench/metamorphic.py: the ways real code holds the
values a mail client is given, and names the client, that the first transforms do not try.

Each takes a module's text and returns a :class:`Variant` or None when it does not apply;
each docstring says why the rewrite keeps what the program does.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, ScopeProvider
from metamorphic_transforms import (
    STDLIB_MAIL,
    Context,
    Transform,
    Variant,
    _after_imports,
    _bound_names,
    _line,
    _parse,
    _Replace,
    _statement_line,
    _statement_of,
    _walk,
    hoistable_arguments,
    used_through_attributes,
)

# A literal argument of a mail call: the node, the key it is held under, its line.
Held = tuple[cst.BaseExpression, str, int]


def _literal_arguments(wrapper: MetadataWrapper) -> list[Held]:
    """The literal host, port, user and password arguments of the standard library's mail
    constructors and of ``login`` on their objects, each with a key named for its
    parameter (``host``, ``port``, ``user``, ``password``; ``host_2`` for a second)."""
    positions = wrapper.resolve(PositionProvider)
    found: list[Held] = [
        (arg.value, base.removeprefix("MAIL_").lower(), _line(positions, arg.value))
        for arg, base in hoistable_arguments(wrapper.module)
    ]
    held: list[Held] = []
    taken: set[str] = set()
    for node, base, line in sorted(found, key=lambda h: h[2]):
        key, suffix = base, 2
        while key in taken:
            key, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(key)
        held.append((node, key, line))
    return held


def _hold(
    text: str,
    holder: str,
    reference: Callable[[str, str], str],
    definition: Callable[[str, list[tuple[str, str]]], str],
    entry_offset: int,
    minimum: int = 1,
) -> Variant | None:
    """Replace each literal argument by ``reference(holder, key)`` and define the values
    after the imports with ``definition(holder, [(key, code), ...])``, whose entries
    start ``entry_offset`` lines below its first line (each on its own line, or all on
    that line when ``entry_offset`` is 0)."""
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    held = _literal_arguments(wrapper)
    if len(held) < minimum:
        return None
    replacements: dict[cst.CSTNode, cst.CSTNode] = {
        node: cst.parse_expression(reference(holder, key)) for node, key, _ in held
    }
    new_names = {holder} | {
        n.value for r in replacements.values() for n in _walk(r) if isinstance(n, cst.Name)
    }
    if new_names & {n.value for n in _walk(wrapper.module) if isinstance(n, cst.Name)}:
        return None  # a name the module binds or reads already
    changed = wrapper.module.visit(_Replace(replacements))
    at = _after_imports(changed)
    code = definition(holder, [(key, cst.Module([]).code_for_node(node)) for node, key, _ in held])
    statement = cst.parse_statement(code)
    new = changed.with_changes(body=[*changed.body[:at], statement, *changed.body[at:]])
    first = _statement_line(new, at)
    variant = Variant(new.code)
    for offset, (_, _, line) in enumerate(held):
        variant.moved.setdefault(line, set()).add(("", first + (offset + 1) * entry_offset))
    return variant


def config_dict(text: str, context: Context) -> Variant | None:
    """Literal host/port/user/password arguments -> one module-level dict of them
    (``MAIL_CONFIG = {"host": "smtp.office365.com", ...}``) read by key
    (``MAIL_CONFIG["host"]``). Keeps the meaning: the dict is built once from the same
    literals, nothing writes to it (its name is new), and a subscript gives the object the
    literal made."""
    return _hold(
        text,
        "MAIL_CONFIG",
        lambda holder, key: f'{holder}["{key}"]',
        lambda holder, entries: (
            f"{holder} = {{\n" + "".join(f'    "{k}": {v},\n' for k, v in entries) + "}\n"
        ),
        entry_offset=1,
    )


def config_class(text: str, context: Context) -> Variant | None:
    """Literal host/port/user/password arguments -> attributes of a settings class
    (``class MailConfig: host = "smtp.office365.com"``) read as ``MailConfig.host``.
    Keeps the meaning: a class attribute bound once to the literal, never rebound (the
    class is new), is the literal's object whenever it is read."""
    return _hold(
        text,
        "MailConfig",
        lambda holder, key: f"{holder}.{key}",
        lambda holder, entries: (
            f"class {holder}:\n" + "".join(f"    {k} = {v}\n" for k, v in entries)
        ),
        entry_offset=1,
    )


def tuple_unpacking(text: str, context: Context) -> Variant | None:
    """Two or more literal host/port/user/password arguments -> module constants bound by
    one tuple assignment (``MAIL_HOST, MAIL_PORT = "smtp.office365.com", 587``). Keeps the
    meaning: unpacking a tuple of literals binds each name to its literal (the names are
    new and never rebound)."""
    return _hold(
        text,
        "MAIL",
        lambda holder, key: f"{holder}_{key.upper()}",
        lambda holder, entries: (
            ", ".join(f"{holder}_{k.upper()}" for k, _ in entries)
            + " = "
            + ", ".join(v for _, v in entries)
            + "\n"
        ),
        entry_offset=0,
        minimum=2,
    )


# The modules whose classes are imported under another name (not ssl: its functions).
_CLIENT_MODULES = tuple(m for m in STDLIB_MAIL if m != "ssl")


# ``from smtplib import SMTP as SmtpClient``: the local name each class is bound to.
def _alias(name: str) -> str:
    return "".join(part.title() for part in name.lower().split("_")) + "Client"


def import_names_as(text: str, context: Context) -> Variant | None:
    """``import smtplib`` and ``smtplib.SMTP(...)`` -> ``from smtplib import SMTP as
    SmtpClient`` and ``SmtpClient(...)``. Keeps the meaning: the alias is bound to the
    same class object the attribute reads (the module is used only through attributes,
    and no alias name is bound anywhere else)."""
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    names = _bound_names(wrapper.resolve(ScopeProvider).values())
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for library, statement, _, attributes in used_through_attributes(wrapper, _CLIENT_MODULES):
        if not attributes:
            continue
        used = sorted({a.attr.value for a in attributes})
        aliases = {u: _alias(u) for u in used}
        if any(alias in names for alias in aliases.values()):
            continue
        names.update(aliases.values())
        listed = ", ".join(f"{u} as {a}" for u, a in aliases.items())
        replacements[_statement_of(wrapper, statement)] = cst.parse_statement(
            f"from {library} import {listed}\n"
        )
        for attribute in attributes:
            replacements[attribute] = cst.Name(aliases[attribute.attr.value])  # type: ignore[union-attr]
    if not replacements:
        return None
    return Variant(wrapper.module.visit(_Replace(replacements)).code)


SHAPES: dict[str, Transform] = {
    "config_dict": config_dict,
    "config_class": config_class,
    "tuple_unpacking": tuple_unpacking,
    "import_names_as": import_names_as,
}
