"""Which branches of a settings module hold the settings that run in production.

Settings are often written under a branch: ``if DEBUG:`` a console backend, ``else:``
the real SMTP server; ``try:`` a local override, ``except ImportError:`` the defaults.
Settings under any branch are settings; of an ``if`` on a development switch (``DEBUG``,
``TESTING``, ``"test" in sys.argv``, ``ENV == "local"``) only the production branch
counts, so a development server never hides the production one.
"""

from __future__ import annotations

import ast

from ..lazy_regex import lazy_pattern
from .source import dotted_name

# Names of the switches that mean development or tests (``DEBUG``, ``IS_LOCAL``,
# ``TESTING``), and words of environments (``ENV == "production"``).
_DEVELOPMENT_NAME = lazy_pattern(
    r"(?i)^(?:is_|in_|use_|run_)?(?:debug|dev|develop|development|local|localhost|test|tests"
    r"|testing|unittest|pytest)(?:_mode|_env|_environment)?$"
)
_DEVELOPMENT_WORDS = frozenset(
    {"dev", "develop", "development", "local", "test", "testing", "tests", "debug", "ci"}
)
_PRODUCTION_WORDS = frozenset({"prod", "production", "live", "release"})


def branches(statement: ast.If | ast.Try) -> list[list[ast.stmt]]:
    """The statement lists whose settings count: for an ``if`` on a development switch,
    the production branch only; for any other ``if`` and for ``try``, all of them."""
    if isinstance(statement, ast.If):
        development = _development(statement.test)
        if development is True:
            return [statement.orelse]
        if development is False:
            return [statement.body]
        return [statement.body, statement.orelse]
    handlers = [handler.body for handler in statement.handlers]
    return [statement.body, *handlers, statement.orelse, statement.finalbody]


def development_switch(test: ast.expr) -> bool:
    """Whether ``test`` is about development or tests (``DEBUG``, ``not TESTING``,
    ``ENV == "production"``): its outcome differs between a developer's run and
    production."""
    return _development(test) is not None


def _development(test: ast.expr) -> bool | None:
    """True when ``test`` holds in development or tests only (``DEBUG``, ``"test" in
    sys.argv``, ``ENV == "local"``), False when in production only (``not DEBUG``,
    ``ENV == "production"``), None when it says neither."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _development(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        parts = [_development(value) for value in test.values]
        wanted = isinstance(test.op, ast.And)
        # ``DEBUG and X`` holds in development only; ``DEBUG or TESTING`` too.
        if (wanted and True in parts) or (not wanted and parts and all(parts)):
            return True
        return None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return _comparison(test)
    name = _switch_name(test)
    if name is not None and _DEVELOPMENT_NAME.match(name):
        return True
    return None


def _comparison(test: ast.Compare) -> bool | None:
    op = test.ops[0]
    words = [
        side.value.lower()
        for side in (test.left, *test.comparators)
        if isinstance(side, ast.Constant) and isinstance(side.value, str)
    ]
    if isinstance(op, (ast.In, ast.NotIn)):
        # ``"test" in sys.argv``: Django's test runner.
        found = bool(words) and words[0] in _DEVELOPMENT_WORDS
        return (not isinstance(op, ast.NotIn)) if found else None
    if not isinstance(op, (ast.Eq, ast.NotEq)) or len(words) != 1:
        return None
    if words[0] in _DEVELOPMENT_WORDS:
        meaning = True
    elif words[0] in _PRODUCTION_WORDS:
        meaning = False
    else:
        return None
    return meaning if isinstance(op, ast.Eq) else not meaning


def _switch_name(node: ast.expr) -> str | None:
    """``DEBUG``, ``settings.DEBUG``, ``os.environ.get("DEBUG")``, ``env.bool("DEBUG")``."""
    if isinstance(node, ast.Call):
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
        return None
    name = dotted_name(node)
    return name.rsplit(".", 1)[-1] if name else None
