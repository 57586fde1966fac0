"""Calls that stand for a client class's call with more arguments: a ``functools.partial``
of the class, and a function of the module that hands its arguments on to it.

* ``connect = partial(smtplib.SMTP, host, 587)`` then ``connect()``, or
  ``partial(smtplib.SMTP_SSL, host)(465)`` in place: calling a partial calls its function
  with the partial's positional arguments first, then the call's, and the partial's
  keywords updated by the call's.
* ``def open_smtp(*args, **kwargs): return smtplib.SMTP(*args, **kwargs)`` (its leading
  parameters, if any, handed on first in their order, and keywords of its own beside
  them) then ``open_smtp(host, 587)``: the call is the class's with the call's arguments,
  and the keywords the function adds. A method of the module so written, called on
  ``self`` or on a module-level object of its class, too.

So the call is the class's construction with those arguments, reported where it is
called, with the caller's values. Only a partial written in place or held by a name bound
once by a plain assignment, and a function whose body (after a docstring) is that one
``return``; a partial of a partial, or a function that changes what it hands on, is not
followed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .symbols import FUNCTIONS, BindingKind

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from .values import Evaluator

PARTIAL = "functools.partial"


@dataclass
class Forwarded:
    """What a called expression calls in the end, and the arguments it adds."""

    callee: ast.expr
    args: tuple[ast.expr, ...]  # given before the call's positional ones
    keywords: tuple[ast.keyword, ...]  # given unless the call names them again
    # The call inside a pass-through function: its class's call for each caller.
    inner: ast.Call | None = None


def forwarded(values: Evaluator, func: ast.AST) -> Forwarded | None:
    """The partial or pass-through function (or method) that a called expression is."""
    if isinstance(func, ast.Attribute):
        method = own_method(values, func)
        return None if method is None else pass_through(method, method=True)
    if isinstance(func, ast.Name):
        bindings = values.bindings(func)
        if len(bindings) != 1:
            return None
        node = bindings[0].node
        if isinstance(node, ast.FunctionDef):
            return pass_through(node)
        if bindings[0].kind is not BindingKind.NAME:
            return None
        statement = values.parents.get(node)
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and statement.targets[0] is node
        ):
            return None
        func = statement.value
    if (
        isinstance(func, ast.Call)
        and func.args
        and not isinstance(func.args[0], ast.Starred)
        and PARTIAL in values.qualified_names(func.func)
    ):
        return Forwarded(func.args[0], tuple(func.args[1:]), tuple(func.keywords))
    return None


def own_method(values: Evaluator, func: ast.Attribute) -> ast.FunctionDef | None:
    """The method of the module ``self.name`` (in its class) or ``obj.name`` (``obj`` an
    object of a class of the module) runs; only a class's own method."""
    if not values.callers.has_method(func.attr):
        return None  # no class here has a method of that name
    owner = func.value
    if isinstance(owner, ast.Name) and owner.id == "self":
        klass = values.enclosing_class(func)
        methods = values.symbols.methods(klass, func.attr) if klass is not None else []
        return next((m for m in methods if isinstance(m, ast.FunctionDef)), None)
    method = values.callers.instance_method(func)
    return method if isinstance(method, ast.FunctionDef) else None


def pass_through(function: ast.FunctionDef, method: bool = False) -> Forwarded | None:
    """``def f(a, *args, **kwargs): return Client(a, *args, **kwargs)``: the one
    ``return`` of the function's body hands on its parameters as it takes them (a
    ``*args`` or ``**kwargs`` among them), adding nothing that reads them. A method's
    first parameter (``self``) is not handed on."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return None
    inner = body[0].value
    arguments = function.args
    if not isinstance(inner, ast.Call) or function.decorator_list:
        return None
    if arguments.vararg is None and arguments.kwarg is None:
        return None  # a factory of its own parameters: the values its callers pass
    if arguments.posonlyargs or arguments.kwonlyargs or arguments.defaults:
        return None
    params = [a.arg for a in arguments.args]
    if method:
        if not params or any(
            isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
            for d in function.decorator_list
        ):
            return None
        params = params[1:]
    expected: list[str] = [*params, *([arguments.vararg.arg] if arguments.vararg else [])]
    handed = [
        a.value.id if isinstance(a, ast.Starred) else getattr(a, "id", None) for a in inner.args
    ]
    if handed != expected or any(
        isinstance(a, ast.Starred) != (i == len(params)) for i, a in enumerate(inner.args)
    ):
        return None
    spread = [k for k in inner.keywords if k.arg is None]
    if arguments.kwarg is None:
        if spread:
            return None
    elif len(spread) != 1 or getattr(spread[0].value, "id", None) != arguments.kwarg.arg:
        return None
    own = {*params, *(a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None)}
    added = [k for k in inner.keywords if k.arg is not None]
    reads = {n.id for k in added for n in ast.walk(k.value) if isinstance(n, ast.Name)}
    reads |= {n.id for n in ast.walk(inner.func) if isinstance(n, ast.Name)}
    if reads & own or any(isinstance(n, (*FUNCTIONS, ast.Lambda)) for n in ast.walk(inner)):
        return None
    return Forwarded(inner.func, (), tuple(added), inner)


def merged_arguments(forwarded: Forwarded, call: ast.Call) -> list[ast.expr | ast.keyword]:
    """The arguments the class gets: those added before the call's positional ones, then
    the call's; the keywords added that the call does not name again, then the call's."""
    named = {k.arg for k in call.keywords if k.arg is not None}
    kept = [k for k in forwarded.keywords if k.arg is None or k.arg not in named]
    return [*forwarded.args, *call.args, *kept, *call.keywords]
