"""Calls that run a callable they are handed, read as the call they make.

``await asyncio.to_thread(server.login, user, password)`` logs in as
``server.login(user, password)`` does; so do ``loop.run_in_executor(None, server.login,
user, password)``, ``pool.submit(send, host, user)``, ``threading.Thread(target=send,
args=(host, user))``, ``threading.Timer(5, send, args=...)``, a Celery task's
``send.delay(host, user)`` and ``send.apply_async(args=(host, user))``, and RQ's
``queue.enqueue(send, host, user)``. The symbol walk rewrites such a call, in place, into
the call it makes (same position), so that connections, their methods and the
summaries of the module's functions see it; a fix is never offered there (the text is
still the delegating call). Matched by the callee's name, before imports are resolved:
these names are the runners' own, and rewriting a call of an unrelated function of the
same name only changes what a call of a callable it is given looks like.
"""

from __future__ import annotations

import ast

# ``name(callable, *args, **kwargs)``: the method names, and where the callable is.
_RUNNERS = {"to_thread": 0, "run_in_executor": 1, "submit": 0, "enqueue": 0}
# ``Thread(target=f, args=(...), kwargs={...})``: classes whose object runs ``target``.
_TARGETS = frozenset({"Thread", "Process"})
# ``task.delay(*args, **kwargs)``: a task queue's call of the task it is a method of.
_TASK_CALLS = frozenset({"delay"})
# Every callee name above: most calls name none, and are passed over with one look-up.
_NAMES = frozenset({*_RUNNERS, *_TARGETS, "Timer", *_TASK_CALLS, "apply_async"})


def delegate(node: ast.Call) -> bool:
    """Rewrite ``node`` in place into the call it makes, if it runs a callable it is
    handed; whether it does."""
    func = node.func
    if (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)) not in _NAMES:
        return False
    runs = _delegated(node)
    if runs is None:
        return False
    node.func, node.args, node.keywords = runs
    return True


def _delegated(node: ast.Call) -> tuple[ast.expr, list[ast.expr], list[ast.keyword]] | None:
    """The callable ``node`` runs, with the arguments it gives it; None for other calls."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name in _RUNNERS:
        index = _RUNNERS[name]
        if len(node.args) <= index or _spread(node.args[: index + 1]):
            return None
        runs = node.args[index]
        if not isinstance(runs, (ast.Name, ast.Attribute)):
            return None
        keywords = [] if name == "run_in_executor" else node.keywords
        return runs, node.args[index + 1 :], keywords
    if name in _TARGETS:
        given = {k.arg: k.value for k in node.keywords}
        target = given.get("target")
        if target is None or None in given:
            return None
        return target, _items(given.get("args")), _keywords(given.get("kwargs"))
    if name == "Timer" and len(node.args) >= 2 and not _spread(node.args):
        given = {k.arg: k.value for k in node.keywords}
        args = node.args[2] if len(node.args) > 2 else given.get("args")
        kwargs = node.args[3] if len(node.args) > 3 else given.get("kwargs")
        return node.args[1], _items(args), _keywords(kwargs)
    if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Attribute)):
        if name in _TASK_CALLS:
            return func.value, node.args, node.keywords
        if name == "apply_async" and not node.args:
            given = {k.arg: k.value for k in node.keywords}
            return func.value, _items(given.get("args")), _keywords(given.get("kwargs"))
    return None


def _spread(arguments: list[ast.expr]) -> bool:
    return any(isinstance(a, ast.Starred) for a in arguments)


def _items(args: ast.expr | None) -> list[ast.expr]:
    """``args=(host, user)`` as the positional arguments; another expression spread."""
    if args is None:
        return []
    if isinstance(args, (ast.Tuple, ast.List)):
        return list(args.elts)
    return [ast.copy_location(ast.Starred(args, ast.Load()), args)]


def _keywords(kwargs: ast.expr | None) -> list[ast.keyword]:
    """``kwargs={"host": host}`` as keywords; another expression spread (``**kwargs``)."""
    if kwargs is None:
        return []
    if isinstance(kwargs, ast.Dict) and all(
        isinstance(k, ast.Constant) and isinstance(k.value, str) for k in kwargs.keys
    ):
        return [
            ast.copy_location(ast.keyword(k.value, v), v)  # type: ignore[union-attr]
            for k, v in zip(kwargs.keys, kwargs.values, strict=True)
        ]
    return [ast.copy_location(ast.keyword(None, kwargs), kwargs)]
