"""Attributes a class leaves to its users (review16a): a public attribute that the class's
methods only ever set to ``None`` holds what its subclasses here set, what the module
sets on the class's objects, or else a value set from outside (unknown), never ``None``:
``EasyMail().password = ...`` then ``send()`` logs in with a password."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "set_by_users"


def pinned(name: str) -> set[tuple[int, str, str]]:
    run = check_paths([str(HERE / name)], RunOptions())
    return {(f.span.line, f.rule, f.severity.value) for f in run.findings}


def messages(name: str) -> list[str]:
    return [f.message for f in check_paths([str(HERE / name)], RunOptions()).findings]


def test_credentials_left_none_are_set_by_the_user() -> None:
    """smtpmailmime's shape: the login's password is the one the user set, not None."""
    assert pinned("attributes_left_none.py") == {(30, "AS204", "warning"), (31, "AS101", "warning")}


def test_annotated_credentials_left_none() -> None:
    assert pinned("annotated_none.py") == {(14, "AS204", "warning"), (15, "AS102", "error")}


def test_a_host_left_none_is_any_of_the_subclasses_hosts() -> None:
    assert pinned("subclass_presets.py") == {(15, "AS204", "warning"), (16, "AS101", "error")}
    assert all(
        "'smtp.gmail.com' or 'smtp.office365.com'" in m for m in messages("subclass_presets.py")
    )


def test_a_host_only_gmails_subclass_sets_is_gmails() -> None:
    """Before: 'login to None', a warning; now Gmail's host, another provider's login."""
    assert pinned("subclass_gmail_only.py") == set()


def test_values_the_module_sets_on_the_object() -> None:
    assert pinned("set_on_instance.py") == {
        (15, "AS204", "warning"),
        (16, "AS101", "error"),
        (23, "AS105", "error"),
    }
    found = messages("set_on_instance.py")
    assert all("'smtp.office365.com'" in m for m in found[:2])
    assert "to the SMTP login at line 16" in found[2]


def test_values_set_on_another_class_object_do_not_count() -> None:
    assert pinned("set_on_other_instance.py") == set()
