"""Module constants that pass on Django's settings rather than set them."""

from __future__ import annotations

import ast
from collections.abc import Callable


def passes_on_django_settings(
    value: ast.expr, qualified_names: Callable[[ast.AST], set[str]]
) -> bool:
    """``EMAIL_HOST_PASSWORD = getattr(settings, "EMAIL_HOST_PASSWORD", None)`` (or
    ``settings.EMAIL_HOST_PASSWORD``) with ``settings`` Django's ``django.conf.settings``:
    an app's module passing on what the project's settings module says (a settings
    module cannot read ``django.conf.settings`` itself), which is reported there. A
    default written here other than ``None`` or ``""`` is a value of its own, and stays
    a setting."""
    if isinstance(value, ast.Attribute):
        holder: ast.expr = value.value
    elif (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "getattr"
        and len(value.args) in (2, 3)
        and not value.keywords
    ):
        holder = value.args[0]
        default = value.args[2] if len(value.args) == 3 else None
        if default is not None and not (
            isinstance(default, ast.Constant) and default.value in (None, "")
        ):
            return False
    else:
        return False
    return "django.conf.settings" in qualified_names(holder)
