"""Positions and names of a module's nodes: the part of :class:`~.values.Evaluator`, which
it is mixed into, that answers where a node is and what it refers to."""

from __future__ import annotations

import ast
from collections.abc import Set as AbstractSet

from ..model import Span
from .source import SourceText
from .symbols import Binding, Symbols

Function = ast.FunctionDef | ast.AsyncFunctionDef


class NodeNames:
    """Where a node is (its span and text) and what it refers to (qualified names, bindings,
    the class or function around it)."""

    symbols: Symbols
    text: SourceText
    _names: dict[ast.AST, AbstractSet[str]]  # qualified_names, kept per node

    def span(self, node: ast.AST) -> Span:
        return self.text.span(node)

    def source(self, node: ast.AST) -> str:
        return self.text.text(self.span(node))

    def qualified_name(self, node: ast.AST) -> str | None:
        # Names that come from an import (or a builtin) are preferred over local ones.
        names = self.symbols.qualified_names(node)
        return names[0][0] if names else None

    def qualified_names(self, node: ast.AST) -> AbstractSet[str]:
        """In the symbols' order, the same on every run (not a set's, which the hash seed
        picks); kept per node, as the symbols keep theirs (the symbols do not change after
        their walk), and given as a view nobody can change: asked of each call's callee
        several times (about 5 M instructions of Django's three mail files)."""
        known = self._names.get(node)
        if known is None:
            names = self.symbols.qualified_names(node)
            known = self._names[node] = dict.fromkeys(name for name, _ in names).keys()
        return known

    def bindings(self, node: ast.AST) -> list[Binding]:
        return self.symbols.bindings(node) if isinstance(node, ast.Name) else []

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        return self.symbols.enclosing_class(node)

    def enclosing_function(self, node: ast.AST) -> Function | None:
        return self.symbols.enclosing_function(node)
