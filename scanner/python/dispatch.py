"""Which method ``self.name(...)`` runs, class by class, among the module's classes
(each class's lookup: :meth:`.callers.Callers.lookup`).

A factory method that subclasses of the module override gives each class its own
connection; the calls made on ``self`` then run, for each class, the method that class
has or inherits here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from .callers import Callers
from .symbols import Symbols

Function = ast.FunctionDef | ast.AsyncFunctionDef


class Dispatch:
    def __init__(self, symbols: Symbols, callers: Callers) -> None:
        self.symbols = symbols
        self.callers = callers
        self._families: dict[ast.ClassDef, list[ast.ClassDef]] = {}

    def methods(
        self, concrete_classes: Iterable[ast.ClassDef], name: str
    ) -> dict[Function, frozenset[ast.ClassDef] | None]:
        """The methods ``self.name`` is in each of these classes, each with the classes
        that run it (none for a method defined outside the module)."""
        runs: dict[Function, set[ast.ClassDef]] = {}
        for concrete in concrete_classes:
            method = self.callers.lookup(concrete, name)
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
