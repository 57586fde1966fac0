"""Reads a fix leaves without a reader: the password the rewritten login no longer uses.

Once a login is XOAUTH2, the code that fetched its password still runs: a module constant
``SMTP_PASSWORD = os.environ["SMTP_PASSWORD"]``, ``self.password = password`` and the
constructor argument that fills it, the ``"password"`` entry of an accounts dict, a guard
``if username and password:`` that now skips the login when no password is set. Each
crashes or misbehaves once the secret is gone from the deployment. Comparing the module
before and after the fix, this finds what lost its last reader and takes it out:

- an assignment (in a function, at module level), a ``self.<name> = ...`` in a class, a
  dict entry read by its key, when what it assigns only reads (the environment, a
  setting, a literal);
- a parameter no longer read, with the argument each call passes (:mod:`.parameters`);
- the part of an ``if`` test that tested only such a value (:mod:`.guards`).

What other modules of the project may read (a module constant another file imports, an
attribute, a key) is asked of ``elsewhere``; where it is named there, it stays, and a
note says who names it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .guards import dead_guards
from .parameters import unused_parameters
from .reads import (
    Elsewhere,
    Found,
    Removal,
    ScopeLoads,
    Text,
    attribute_loads,
    drop_item,
    exported,
    kept,
    named_scopes,
    places,
    reads_only,
)


def find(
    old: ast.Module,
    new: ast.Module,
    text: str,
    elsewhere: Elsewhere | None,
    loads: tuple[ScopeLoads, ScopeLoads],
) -> Found:
    """What in ``text`` (the fixed module, parsed as ``new``; ``old`` before the fix) lost
    its last reader, as edits, and notes on what stays. ``loads``: the name loads of
    ``old`` and of ``new``."""
    found = Found()
    source = Text(text)
    removal = Removal(source, new, found)
    _names(old, new, elsewhere, removal, found, loads)
    _attributes(old, new, elsewhere, removal, found)
    _dict_entries(old, new, source, elsewhere, found)
    unused_parameters(old, new, source, elsewhere, found, loads)
    dead_guards(old, new, source, removal, found, loads)
    return found


def _names(
    old, new, elsewhere, removal: Removal, found: Found, loads: tuple[ScopeLoads, ScopeLoads]
) -> None:
    """``password = os.environ[...]`` whose scope read it before the fix and reads it no
    more: removed in a function; at module level, removed when no other module of the
    project names it (it may import it), else kept with a note."""
    before = {key: loads[0](scope) for key, scope in named_scopes(old)}
    public = exported(new)
    for key, scope in named_scopes(new):
        was = before.get(key)
        if was is None:
            continue
        now = loads[1](scope)
        module = isinstance(scope, ast.Module)
        for statement in _assignments(scope):
            name = statement.targets[0].id  # type: ignore[attr-defined]
            if not was[name] or now[name] or not reads_only(statement.value):
                continue
            if not module:
                removal.remove(statement)
                continue
            if name in public:
                continue
            where = places(elsewhere, name, "name")
            if where == [] and removal.remove(statement):
                continue
            found.notes[name] = kept(f"`{name}`", where)


def _assignments(scope: ast.AST) -> Iterator[ast.Assign]:
    """``name = value`` statements of a scope, in its nested blocks too (``__main__``),
    not in nested functions or classes."""
    stack = list(reversed(scope.body))  # type: ignore[attr-defined]
    while stack:
        statement = stack.pop()
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            yield statement
        for name in ("body", "orelse", "finalbody"):
            block = getattr(statement, name, None)
            if isinstance(block, list):
                stack.extend(reversed(block))
        for handler in getattr(statement, "handlers", ()):
            stack.extend(reversed(handler.body))
        for case in getattr(statement, "cases", ()):
            stack.extend(reversed(case.body))


def _attributes(old, new, elsewhere, removal: Removal, found: Found) -> None:
    """``self.password = password`` in a class, when nothing reads ``.password`` any more."""
    before, after = attribute_loads(old), attribute_loads(new)
    for klass in (n for n in ast.walk(new) if isinstance(n, ast.ClassDef)):
        for method in klass.body:
            if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if not method.args.args:
                continue
            owner = method.args.args[0].arg
            for statement in ast.walk(method):
                if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
                    continue
                target = statement.targets[0]
                if not (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == owner
                ):
                    continue
                name = target.attr
                if not before[name] or after[name] or not reads_only(statement.value):
                    continue
                where = places(elsewhere, name, "attribute")
                if where == [] and removal.remove(statement):
                    continue
                found.notes[f".{name}"] = kept(f"`{owner}.{name}`", where)


def _key_reads(tree: ast.AST) -> dict[str, int]:
    """String keys read by subscript or ``.get(key)``/``.pop(key)``."""
    keys: dict[str, int] = {}
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop")
            and node.args
        ):
            key = node.args[0]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            keys[key.value] = keys.get(key.value, 0) + 1
    return keys


def _spreads(tree: ast.AST) -> bool:
    """Whether a dict of the module may be handed over whole (``**account``)."""
    return any(
        (isinstance(node, ast.keyword) and node.arg is None)
        or (isinstance(node, ast.Dict) and None in node.keys)
        for node in ast.walk(tree)
    )


def _dict_entries(old, new, source: Text, elsewhere, found: Found) -> None:
    """``"password": os.environ["OPS_PASSWORD"]`` in a dict read by key, read no more."""
    if _spreads(new):
        return
    before, after = _key_reads(old), _key_reads(new)
    for node in ast.walk(new):
        if not isinstance(node, ast.Dict):
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            name = key.value
            if not before.get(name) or after.get(name) or not reads_only(value):
                continue
            where = places(elsewhere, name, "key")
            if where != []:
                found.notes[f"[{name}]"] = kept(f'the "{name}" entry', where)
                continue
            start, _ = source.span(key)
            _, end = source.span(value)
            found.edits.append(drop_item(source.text, start, end))
