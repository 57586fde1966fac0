"""Parameters of functions and arguments of calls, as written (``ast`` only)."""

from __future__ import annotations

import ast

from .symbols import FUNCTIONS


def positional_params(arguments: ast.arguments) -> list[ast.arg]:
    return [*arguments.posonlyargs, *arguments.args]


def param_names(function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    """The parameters a caller passes, by name (no ``self``/``cls`` for a method that is
    not static)."""
    names = [p.arg for p in positional_params(function.args)]
    static = any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list
    )
    if method and names and not static:
        names = names[1:]
    return names + [p.arg for p in function.args.kwonlyargs]


def default_of(param: ast.arg, arguments: ast.arguments) -> ast.expr | None:
    """The default value written for a parameter, if any."""
    positional = positional_params(arguments)
    if param in positional:
        index = positional.index(param) - (len(positional) - len(arguments.defaults))
        return arguments.defaults[index] if index >= 0 else None
    if param in arguments.kwonlyargs:
        return arguments.kw_defaults[arguments.kwonlyargs.index(param)]
    return None


def call_arguments(call: ast.Call) -> list[ast.expr | ast.keyword]:
    """Positional and keyword arguments in the order they are written."""
    arguments: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    if call.args and call.keywords:
        arguments.sort(key=lambda a: (a.lineno, a.col_offset))
    return arguments


def is_spread(argument: ast.expr | ast.keyword) -> bool:
    """``*args`` or ``**kwargs``."""
    return isinstance(argument, ast.Starred) or (
        isinstance(argument, ast.keyword) and argument.arg is None
    )


def own_nodes(function: ast.AST) -> list[ast.AST]:
    """The nodes of a function's body that belong to it, not to functions, lambdas or
    classes defined inside it."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(getattr(function, "body", ()))
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, (*FUNCTIONS, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found
