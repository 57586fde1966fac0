"""Test code by its path, or by what a Python module says it is: the findings of some
rules are left out there."""

from __future__ import annotations

import re

from .lazy_regex import lazy_pattern

_TEST_FOLDERS = frozenset({"test", "tests", "testing", "unittests", "test_utils"})


def is_test_path(path: str) -> bool:
    """Test code by the usual layouts: a tests/ folder, test_*.py, *_test.py, conftest.py,
    and a Django app's ``tests.py`` (the module ``manage.py test`` discovers)."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    return (
        name.startswith("test_")
        or name.endswith(("_test.py", "_tests.py"))
        or name in ("conftest.py", "tests.py")
        or not _TEST_FOLDERS.isdisjoint(parts[:-1])
    )


# A test framework imported (``import pytest``, ``from unittest import mock``) ...
_FRAMEWORK = lazy_pattern(rb"^[ \t]*(?:import|from)[ \t]+(?:pytest|unittest)\b", re.MULTILINE)
# ... and tests written for it: a ``TestCase`` subclass or a ``test_`` function.
_TESTS = lazy_pattern(
    rb"^[ \t]*class[ \t]+\w+[ \t]*\([^)]*\bTestCase\b"
    rb"|^[ \t]*(?:async[ \t]+)?def[ \t]+test_\w*[ \t]*\(",
    re.MULTILINE,
)


def is_test_module(data: bytes) -> bool:
    """A Python module written as tests wherever it lies (``smtp_checks.py`` holding a
    ``unittest.TestCase``): it imports pytest or unittest and defines tests for them. A
    mail class's own ``test_connection()`` method, in a module that imports neither, is
    not a test."""
    # Both framework names first, as bytes (the pattern needs one of them): most modules
    # name neither, and are passed over without the line-by-line search.
    if b"pytest" not in data and b"unittest" not in data:
        return False
    return _FRAMEWORK.search(data) is not None and _TESTS.search(data) is not None
