"""A standard module imported without one of its imports until it uses it.

Two modules of the standard library that a ``check`` needs import, at their top, a module
for one rarely taken path: ``dataclasses`` imports ``inspect`` (with ``dis``, ``opcode``
and ``linecache``: about 13 M instructions) to write the docstring of a class that has
none; ``urllib.parse`` (which ``pathlib`` imports) imports ``ipaddress`` (about 5 M) to
check the host of a URL written with brackets (``http://[::1]/``). :func:`import_deferring`
imports such a module with a stand-in in the other's place: the first time the module
reads a name from the stand-in, the real module is imported, put in the stand-in's place
in the module that reads it, and the name is read from it. An ``import`` anywhere else gets
the real module (the stand-in is in ``sys.modules`` only while the module is imported).
"""

from __future__ import annotations

import sys
from types import ModuleType

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


class WhenUsed(ModuleType):
    """``user``'s name for the module ``name`` until it uses it: the real module, imported
    then."""

    def __init__(self, name: str, user: str) -> None:
        super().__init__(name)
        self._user = user

    def __getattr__(self, attribute: str) -> Any:
        name = self.__name__
        if attribute.startswith("__"):  # the import system's questions, while it imports
            raise AttributeError(attribute)
        if sys.modules.get(name) is self:  # used while the user is imported
            del sys.modules[name]
        __import__(name)
        real = sys.modules[name]
        user = sys.modules.get(self._user)
        if user is not None and getattr(user, name, None) is self:
            setattr(user, name, real)
        return getattr(real, attribute)


def import_deferring(module: str, deferred: str) -> ModuleType:
    """``module``, imported (if it is not yet) with a stand-in for ``deferred`` until it
    reads from it; ``deferred`` imported at once if it is already (nothing to save)."""
    stand_in = None
    if module not in sys.modules and deferred not in sys.modules:
        stand_in = sys.modules[deferred] = WhenUsed(deferred, module)
    try:
        __import__(module)
    finally:
        if stand_in is not None and sys.modules.get(deferred) is stand_in:
            del sys.modules[deferred]
    return sys.modules[module]
