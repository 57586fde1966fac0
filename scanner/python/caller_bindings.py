"""A connection attribute a helper method uses, bound by the methods that call it.

``def authenticate(self): self.imap.login(...)`` binds no ``self.imap`` itself; it is
called by each method that binds it first (``connect_plain()`` opening ``IMAP4``,
``connect_ssl()`` opening ``IMAP4_SSL``). The login is then on each of those methods'
connections, not only on the one whose assignment is written last.
"""

from __future__ import annotations

import ast

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from .bindings import Binding
    from .callers import Callers
    from .values import Evaluator


def bound_by_callers(
    values: Evaluator, callers: Callers, at: ast.AST, candidates: list[Binding]
) -> list[Binding]:
    """The bindings of ``self.x`` (``candidates``) made by methods that call the method
    around ``at`` after making them; none when that method binds ``self.x`` itself."""
    if len(candidates) < 2:
        return []
    method = values.enclosing_function(at)
    where = {id(b): values.enclosing_function(b.node) for b in candidates}
    if method is None or method in where.values():
        return []
    found: list[Binding] = []
    for call, _ in callers.of(method):
        caller, start = values.enclosing_function(call), values.span(call).start
        for binding in candidates:
            made_first = where[id(binding)] is caller and binding.offset < start
            if made_first and all(binding.conn is not f.conn for f in found):
                found.append(binding)
    return found
