"""Entries a dict gets after it is made: ``cfg["host"] = ...`` and ``cfg.update(...)`` on a
local dict, ``self._config["host"] = ...`` in any method of the class on an attribute dict
(``self._config = {}`` in ``__init__``). Mixed into :class:`~.values.Evaluator`.

An entry set under a key known in the code is the dict's entry (a later one replaces an
earlier one, in the order of the source); one set under a key known only at run time
(``self._accounts[name] = cfg``) is one of the values a read by such a key may give
(``self._accounts[sender]``), so a provider's settings kept per account and read back in
another method keep their host and port. Flow-insensitive beyond that order: every set
after the dict is made counts, in a branch or not.
"""

from __future__ import annotations

import ast

from ..model import Value
from .shapes import MAX_CHOICES, one_of
from .symbols import Binding

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up

# Whose dict a set is on: a local name's binding scope and name, or a class and attribute.
Owner = tuple[object, str]
# What a statement does to it: the key written and the value, or the argument of update().
Change = tuple[tuple[int, int], ast.expr | None, ast.expr, bool]
_MAY_NOT_RUN = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.IfExp)


class ItemSets:
    """The dict entry part of :class:`~.values.Evaluator`."""

    parents: dict[ast.AST, ast.AST]
    _changes: dict[Owner, list[Change]] | None
    _changing: set[Owner]

    if TYPE_CHECKING:
        from .symbols import Symbols

        symbols: Symbols

        def evaluate(self, node: ast.AST | None, depth: int = 0) -> Value: ...

        def bindings(self, node: ast.AST) -> list[Binding]: ...

        def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None: ...

        from .callers import Callers

        callers: Callers

    def dict_owner(self, node: ast.AST) -> Owner | None:
        """Whose dict ``node`` names: a local or module name's, or ``self.x`` of a class."""
        if isinstance(node, ast.Name):
            bindings = self.bindings(node)
            return (bindings[0].scope, node.id) if bindings else None
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            klass = self.enclosing_class(node)
            return (klass, node.attr) if klass is not None else None
        return None

    def with_item_sets(
        self, owner: Owner, made: Value, after: tuple[int, int], depth: int
    ) -> Value:
        """``made``, a dict, with the entries set under keys known in the code after
        position ``after`` (a line and column). A set or ``update()`` under a test, in a
        loop or a ``try`` may not run: the entry is then one of the earlier and the new,
        and a dict updated with a row picked at run time is one dict per row."""
        changes = [c for c in self._index().get(owner, ()) if c[0] > after]
        if not changes or owner in self._changing or not isinstance(made.value, dict):
            return made
        self._changing.add(owner)
        try:
            rows = [dict(made.value)]
            for _, key_node, value_node, may_not_run in changes:
                rows = self._changed(rows, key_node, value_node, may_not_run, depth)
        finally:
            self._changing.discard(owner)
        if len(rows) == 1:
            return Value(True, rows[0], made.origin, literal_parts=made.literal_parts)
        choices = tuple(Value(True, row) for row in rows)
        return Value(False, None, made.origin, literal_parts=made.literal_parts, choices=choices)

    def _changed(
        self,
        rows: list[dict],
        key_node: ast.expr | None,
        value_node: ast.expr,
        may_not_run: bool,
        depth: int,
    ) -> list[dict]:
        if key_node is None:  # ``update(other)``: with each row ``other`` may be
            other = self.evaluate(value_node, depth)
            options = other.choices if other.choices is not None else (other,)
            tables = [o.value for o in options if o.known and isinstance(o.value, dict)]
            if len(tables) != len(options):
                return rows
            updated = [{**row, **table} for row in rows for table in tables]
            return (rows + updated if may_not_run else updated)[:MAX_CHOICES]
        key = self.evaluate(key_node, depth)
        if not (key.known and isinstance(key.value, (str, int))):
            return rows
        value = self.evaluate(value_node, depth)
        if may_not_run and value.known and value.value is None:
            if not (value.origin or "").startswith("parameter "):
                return rows  # ``if host is not None: cfg["host"] = host`` with host None
            # A parameter's default None: set on the runs whose caller passes one.
            value = Value.unknown(value.origin, value.span, source=value.source)
        changed = []
        for row in rows:
            before = row.get(key.value)
            if may_not_run and before is not None:
                earlier = before if isinstance(before, Value) else Value.of(before)
                changed.append({**row, key.value: one_of(earlier, value)})
            else:
                changed.append({**row, key.value: value})
        return changed

    def set_at_run_time(self, owner: Owner, depth: int) -> list[Value]:
        """The values set under keys known only at run time (``self._accounts[name] =
        cfg``): what a read by such a key may give besides the dict's own entries."""
        if owner in self._changing:
            return []
        found: list[Value] = []
        self._changing.add(owner)
        try:
            for _, key_node, value_node, _ in self._index().get(owner, ()):
                if key_node is not None and not self.evaluate(key_node, depth).known:
                    found.append(self.evaluate(value_node, depth))
        finally:
            self._changing.discard(owner)
        return found

    def picked_at_run_time(self, base: Value, found: Value | None, owner: Owner) -> Value | None:
        """A read by a key known only at run time of a dict whose values were set under
        such keys: one of them or of the dict's own entries (of what the table gives,
        ``found``, for one that is not a dict written here)."""
        extra = self.set_at_run_time(owner, 0)
        if not extra:
            return found
        options = list(extra)
        if base.known and isinstance(base.value, dict):
            # Its own entries (none for ``self._accounts = {}``), not a pick among none.
            options += [v if isinstance(v, Value) else Value.of(v) for v in base.value.values()]
        elif found is not None:
            options.append(found)
        picked = one_of(*options)
        if picked.choices is None:
            return picked
        return Value(False, None, picked.origin, choices=picked.choices)

    def _index(self) -> dict[Owner, list[Change]]:
        if self._changes is None:
            self._changes = {}
            for statement in self.symbols.assignments:
                if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
                    continue
                target = statement.targets[0]
                if isinstance(target, ast.Subscript) and not isinstance(target.slice, ast.Slice):
                    self._add(target.value, (target.slice, statement.value), statement)
            for call in self.symbols.calls:
                func = call.func
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr == "update"
                    and len(call.args) <= 1
                    and (call.args or call.keywords)
                    and all(keyword.arg is not None for keyword in call.keywords)
                ):
                    if call.args:
                        self._add(func.value, (None, call.args[0]), call)
                    for keyword in call.keywords:  # ``cfg.update(password=...)``
                        key = ast.copy_location(ast.Constant(keyword.arg), keyword.value)
                        self._add(func.value, (key, keyword.value), call)
            self._filled_by_callees()
        return self._changes

    def _filled_by_callees(self) -> None:
        """A dict handed to a function of the module that sets entries on its parameter
        (``conf = {...}`` then ``_parse_config(conf)``, whose body sets ``conf["server"] =
        ...``): each such entry is set at the call, as one of the earlier and the new."""
        assert self._changes is not None
        for (scope, name), changes in list(self._changes.items()):
            function = getattr(scope, "node", None)
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if name not in params:
                continue
            for call, passes_self in self.callers.of(function):
                at = params.index(name) - (
                    1 if self._is_method(function) and not passes_self else 0
                )
                argument = call.args[at] if 0 <= at < len(call.args) else None
                if isinstance(argument, ast.Name):
                    for _, key_node, value_node, _ in changes:
                        self._add(argument, (key_node, value_node), call, may_not_run=True)

    def _add(
        self,
        container: ast.expr,
        change: tuple[ast.expr | None, ast.expr],
        at: ast.stmt | ast.expr,
        may_not_run: bool = False,
    ) -> None:
        owner = self.dict_owner(container)
        if owner is not None and self._changes is not None:
            where = (at.lineno, at.col_offset)
            maybe = may_not_run or self._may_not_run(at)
            self._changes.setdefault(owner, []).append((where, *change, maybe))

    def _is_method(self, function: ast.AST) -> bool:
        return isinstance(self.parents.get(function), ast.ClassDef)

    def _may_not_run(self, node: ast.AST) -> bool:
        """Whether ``node`` is under a test, in a loop or a ``try`` of its function."""
        parent = self.parents.get(node)
        while parent is not None and not isinstance(
            parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)
        ):
            if isinstance(parent, _MAY_NOT_RUN):
                return True
            parent = self.parents.get(parent)
        return False
