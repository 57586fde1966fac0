"""The rule catalog: one module per rule, each with its docs and examples.

The rules are found by walking this package: a rule is the :class:`~.base.Rule`
subclass its module defines (``base`` holds what rules share). Adding a rule is adding
its module; the README's rule table is generated from the rules
(``authsweep rules --format markdown``) and a test checks it is current.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from importlib.machinery import all_suffixes

from .base import Example, Rule, RuleOptions

# Modules of this package that are not rules.
SHARED_MODULES = frozenset({"base"})


def module_names(folders: list[str]) -> list[str]:
    """The modules in ``folders`` (this package's ``__path__``), as ``pkgutil.iter_modules``
    lists a folder's modules; it imports ``inspect`` to do it, which a ``check`` otherwise
    does not (:mod:`authsweep.scanner.method_cache`)."""
    suffixes = sorted(all_suffixes(), key=len, reverse=True)
    found = set()
    for folder in folders:
        for entry in os.scandir(folder):
            suffix = next((s for s in suffixes if entry.name.endswith(s)), None)
            name = entry.name[: -len(suffix)] if suffix else ""
            if name.isidentifier() and name != "__init__" and entry.is_file():
                found.add(name)
    return sorted(found)


def _walk() -> tuple[type[Rule], ...]:
    """Every rule class defined by a module of this package, ordered by id."""
    found: list[type[Rule]] = []
    for name in module_names(__path__):
        if name in SHARED_MODULES:
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        found.extend(
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Rule)
            and value.__module__ == module.__name__
        )
    return tuple(sorted(found, key=lambda rule: rule.id))


ALL_RULES: tuple[type[Rule], ...] = _walk()

__all__ = ["ALL_RULES", "Example", "Rule", "RuleOptions", "rule_by_id", "rule_codes"]


def rule_by_id(key: str) -> type[Rule] | None:
    """A rule by id (``AS101``) or name (``smtp-basic-auth``), case-insensitive."""
    key = key.strip().lower()
    return next((r for r in ALL_RULES if key in (r.id.lower(), r.name)), None)


@cache
def rule_codes() -> dict[str, str]:
    """Each rule's id and name, in lower case, to its id: how suppression comments name
    rules (``AS101``, ``smtp-basic-auth``)."""
    return {key: rule.id for rule in ALL_RULES for key in (rule.id.lower(), rule.name)}
