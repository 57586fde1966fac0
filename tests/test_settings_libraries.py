"""The settings families of frameworks against the frameworks themselves (as
``tests/test_library_models.py`` checks library models): the keys a family calls the
library's own are the ones the library reads, with the roles and defaults the library
gives them. Read from the installed libraries (the ``models`` and ``test`` extras):
FastAPI-Mail's ``ConnectionConfig`` fields, the ``config.get(KEY, default)`` calls of
Flask-Mail's ``Mail.init_mail``, Django's global settings."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest
from authsweep.scanner.mail_settings.keys import FAMILIES, Family, Role

# Keys a family keeps for code written against an older release (FastAPI-Mail before 1.2).
FORMER_KEYS = {"fastapi-mail": {"MAIL_TLS", "MAIL_SSL"}}


def _family(library: str) -> Family:
    return next(f for f in FAMILIES if f.library == library)


@pytest.mark.slow  # importing FastAPI-Mail (pydantic, starlette) takes most of a second
def test_fastapi_mail_keys_are_connection_config_fields() -> None:
    """Every key but the former ones is a field; the fields it needs (no default) are the
    server, port, user, password and both TLS flags; certificate checks and the login are
    on unless turned off, as the family's defaults say."""
    fields = importlib.import_module("fastapi_mail").ConnectionConfig.model_fields
    family = _family("fastapi-mail")
    current = set(family.canonical) - FORMER_KEYS["fastapi-mail"]
    assert current <= set(fields)
    required = {name for name, field in fields.items() if field.is_required()}
    roles = {Role.HOST, Role.PORT, Role.USER, Role.PASSWORD, Role.STARTTLS, Role.IMPLICIT}
    assert {k for k in current if family.keys[k] in roles} <= required
    for key in current - required:
        assert family.defaults[family.keys[key]] == fields[key].default, key
    assert family.signature >= {"MAIL_STARTTLS", "MAIL_SSL_TLS", "USE_CREDENTIALS"}


def _init_mail_defaults() -> dict[str, object]:
    """``config.get("MAIL_X", default)`` of Flask-Mail's ``init_mail``: key -> default
    (None without one)."""
    mail = importlib.import_module("flask_mail").Mail
    tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(mail.init_mail)))
    found: dict[str, object] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            default = node.args[1] if len(node.args) > 1 else None
            found[node.args[0].value] = (
                default.value if isinstance(default, ast.Constant) else default
            )
    return found


def test_flask_mail_keys_and_defaults_are_init_mails() -> None:
    family = _family("flask-mail")
    read = _init_mail_defaults()
    connection = {"SERVER", "PORT", "USERNAME", "PASSWORD", "USE_TLS", "USE_SSL"}
    assert {f"MAIL_{suffix}" for suffix in connection} <= set(read)
    assert connection <= set(family.canonical)
    assert family.defaults[Role.HOST] == read["MAIL_SERVER"]
    assert family.defaults[Role.PORT] == read["MAIL_PORT"]
    assert family.starttls_default is read["MAIL_USE_TLS"] is False
    assert read["MAIL_USE_SSL"] is False


def test_django_keys_and_defaults_are_global_settings() -> None:
    defaults = importlib.import_module("django.conf.global_settings")
    family = _family("django-settings")
    for suffix in family.canonical:
        assert hasattr(defaults, f"EMAIL_{suffix}"), suffix
    assert family.defaults[Role.HOST] == defaults.EMAIL_HOST
    assert family.defaults[Role.PORT] == defaults.EMAIL_PORT
    assert family.starttls_default is defaults.EMAIL_USE_TLS is False
