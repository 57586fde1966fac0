"""Test code by its path: the findings of some rules are left out there."""

from __future__ import annotations

_TEST_FOLDERS = frozenset({"test", "tests", "testing", "unittests", "test_utils"})


def is_test_path(path: str) -> bool:
    """Test code by the usual layouts: a tests/ folder, test_*.py, *_test.py, conftest.py."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    return (
        name.startswith("test_")
        or name.endswith(("_test.py", "_tests.py"))
        or name == "conftest.py"
        or not _TEST_FOLDERS.isdisjoint(parts[:-1])
    )
