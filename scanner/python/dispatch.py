"""Which method ``self.name(...)`` runs, class by class, among the module's classes.

A factory method that subclasses of the module override gives each class its own
connection; the calls made on ``self`` then run, for each class, the method that class
has or inherits here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from .symbols import Symbols
from .values import Evaluator

Function = ast.FunctionDef | ast.AsyncFunctionDef


class Dispatch:
    def __init__(self, symbols: Symbols, values: Evaluator) -> None:
        self.symbols = symbols
        self.values = values
        self._families: dict[ast.ClassDef, list[ast.ClassDef]] = {}

    def methods(
        self, concrete_classes: Iterable[ast.ClassDef], name: str
    ) -> dict[Function, frozenset[ast.ClassDef] | None]:
        """The methods ``self.name`` is in each of these classes, each with the classes
        that run it (none for a method defined outside the module)."""
        runs: dict[Function, set[ast.ClassDef]] = {}
        for concrete in concrete_classes:
            method = self.resolve(concrete, name)
            if method is not None:
                runs.setdefault(method, set()).add(concrete)
        return {method: frozenset(classes) for method, classes in runs.items()}

    def family(self, klass: ast.ClassDef) -> list[ast.ClassDef]:
        """``klass`` and the classes of the module that derive from it."""
        family = self._families.get(klass)
        if family is None:
            family = self._families[klass] = [klass]
            for candidate in family:
                family += [c for c in self.symbols.subclasses(candidate) if c not in family]
        return family

    def resolve(self, klass: ast.ClassDef, name: str) -> Function | None:
        """The method ``name`` of ``klass``: its own, else its bases' of this module in
        the order Python looks them up (depth first, enough for single inheritance)."""
        seen: set[int] = set()
        pending = [klass]
        while pending:
            current = pending.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            methods = self.symbols.methods(current, name)
            if methods:
                return methods[0]
            bases = [self.values.class_named(base) for base in current.bases]
            pending[0:0] = [base for base in bases if base is not None]
        return None
