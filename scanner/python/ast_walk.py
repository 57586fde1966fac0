"""``walk``: :func:`ast.walk`'s nodes in its order, a third cheaper.

``ast.walk`` runs two generators a node (``iter_child_nodes`` over ``iter_fields``); the
front end walks functions, tests and arms thousands of times a module. This is the same
breadth-first walk with each node's fields read in place: the same nodes, in the same
order, each given after its children are queued (as ``ast.walk`` does).
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node`` and itself, as :func:`ast.walk` gives them."""
    todo = deque((node,))
    pop, push, node_kind, list_kind = todo.popleft, todo.append, ast.AST, list
    while todo:
        node = pop()
        for name in node._fields:
            value = getattr(node, name, None)  # a field left unset: none (``iter_fields``)
            if type(value) is list_kind:
                for item in value:
                    if isinstance(item, node_kind):
                        push(item)
            elif isinstance(value, node_kind):
                push(value)
        yield node
