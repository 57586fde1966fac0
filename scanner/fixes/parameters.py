"""Parameters a fix left unread, and the arguments their callers still pass.

``def send(user, password)`` whose login became XOAUTH2 no longer reads ``password``, yet
``send(os.environ["MAIL_USER"], os.environ["MAIL_PASSWORD"])`` still reads the secret and
fails without it. Where every use of the function (a class, for ``__init__``; a method
whose name no other function of the module has) is a plain call in the module and no
other module of the project names it, the parameter goes with the argument of each call
(when that argument only reads); else a note says who still passes it.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator

from ..records import record
from ..remedies import Edit
from .reads import Elsewhere, Found, ScopeLoads, Text, drop_item, places, reads_only


def unused_parameters(
    old,
    new,
    source: Text,
    elsewhere: Elsewhere | None,
    found: Found,
    loads: tuple[ScopeLoads, ScopeLoads],
) -> None:
    """One parameter a pass (the positions of the others move with it). ``loads``: the
    name loads of ``old`` and ``new``."""
    before = {callable_.key: loads[0](callable_.function) for callable_ in _callables(old)}
    for callable_ in _callables(new):
        function = callable_.function
        was, now = before.get(callable_.key), loads[1](function)
        args = function.args
        if was is None or args.posonlyargs or args.vararg:
            continue
        first = 0 if callable_.kind == "function" else 1
        for index, param in enumerate(args.args[first:], start=first):
            if not was[param.arg] or now[param.arg]:
                continue
            edits = _arguments(new, source, callable_, index - first, param.arg)
            kind = "attribute" if callable_.kind == "method" else "name"
            where = places(elsewhere, callable_.name, kind)
            if edits is None or where != []:
                callers = f" ({', '.join(where[:3])})" if where else ""
                found.notes[f"{callable_.name}({param.arg})"] = (
                    f"`{param.arg}` of `{callable_.name}()` is no longer used; kept for its "
                    f"callers{callers}"
                )
                continue
            found.edits += [_drop_parameter(source, function, param), *edits]
            return


@record
class _Callable:
    """A function whose calls can all be found in the module by its name: a module-level
    function (``send(...)``), a class (``Mailer(...)``, for ``__init__``), or a method
    whose name no other function of the module has (``anything.notify(...)``)."""

    key: str
    name: str  # what calls name
    kind: str  # "function", "class", "method"
    function: ast.FunctionDef | ast.AsyncFunctionDef
    owner: str = ""  # the class of a method


def _callables(tree: ast.Module) -> Iterator[_Callable]:
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    methods = Counter(
        m.name
        for n in ast.walk(tree)
        if isinstance(n, ast.ClassDef)
        for m in n.body
        if isinstance(m, functions)
    )
    for node in tree.body:
        if isinstance(node, functions) and not node.decorator_list:
            yield _Callable(node.name, node.name, "function", node)
        elif isinstance(node, ast.ClassDef) and not node.decorator_list:
            for method in node.body:
                if not isinstance(method, functions) or method.decorator_list:
                    continue
                key = f"{node.name}.{method.name}"
                if method.name == "__init__":
                    yield _Callable(key, node.name, "class", method)
                elif methods[method.name] == 1 and not method.name.startswith("__"):
                    yield _Callable(key, method.name, "method", method, node.name)


def _arguments(
    tree: ast.Module, source: Text, callable_: _Callable, index: int, param: str
) -> list[Edit] | None:
    """Edits deleting the argument each call in the module passes for the parameter at
    ``index`` (``param``); None when a use of the callable is not a plain call, there is
    no call at all (its callers are elsewhere), or an argument does more than read."""
    calls: list[ast.Call] = []
    called: set[int] = set()
    instances = _instances(tree, callable_.owner) if callable_.kind == "method" else set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _names(node.func, callable_):
            if callable_.kind == "method" and not _of_class(node.func, callable_, instances):
                return None  # a method of the same name on another object
            calls.append(node)
            called.add(id(node.func))
    for node in ast.walk(tree):
        if _names(node, callable_) and id(node) not in called:
            return None  # passed around or subclassed: its calls cannot all be seen
    if not calls:
        return None  # called from outside the project, if at all
    edits: list[Edit] = []
    for call in calls:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        ):
            return None
        argument: ast.AST | None
        if index < len(call.args):
            argument = call.args[index]
        else:
            argument = next((k for k in call.keywords if k.arg == param), None)
        if argument is None:
            continue
        value = argument.value if isinstance(argument, ast.keyword) else argument
        if not reads_only(value):
            return None
        start, end = source.span(argument)
        edits.append(drop_item(source.text, start, end))
    return edits


def _instances(tree: ast.Module, owner: str) -> set[str]:
    """Names the module binds to a new object of class ``owner`` (``m = Mailer(...)``)."""
    return {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == owner
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _of_class(func: ast.Attribute, callable_: _Callable, instances: set[str]) -> bool:
    """Whether a method call is on an object of the method's class: ``Mailer(...).send``,
    ``self.send`` (in the class), ``mailer.send`` of ``mailer = Mailer(...)``."""
    receiver = func.value
    if isinstance(receiver, ast.Call):
        return isinstance(receiver.func, ast.Name) and receiver.func.id == callable_.owner
    if isinstance(receiver, ast.Name):
        return receiver.id == "self" or receiver.id in instances
    return False


def _names(node: ast.AST, callable_: _Callable) -> bool:
    if callable_.kind == "method":
        return isinstance(node, ast.Attribute) and node.attr == callable_.name
    return isinstance(node, ast.Name) and node.id == callable_.name


def _drop_parameter(source: Text, function: ast.AST, param: ast.arg) -> Edit:
    """Delete a parameter with its default."""
    args = function.args  # type: ignore[attr-defined]
    start, end = source.span(param)
    positional, defaults = args.args, args.defaults
    first_default = len(positional) - len(defaults)
    index = positional.index(param)
    if index >= first_default:
        end = source.span(defaults[index - first_default])[1]
    return drop_item(source.text, start, end)
