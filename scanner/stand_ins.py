"""A standard module imported without some of its imports until it uses them.

Two modules of the standard library that a ``check`` needs import, at their top, modules
for rarely taken paths: ``dataclasses`` imports ``inspect`` (with ``dis``, ``opcode``
and ``linecache``: about 13 M instructions) to write the docstring of a class that has
none, and ``copy`` (about 1.5 M, with a failed look-up of Jython's ``org.python.core``)
for the copies ``asdict`` and ``astuple`` make; ``urllib.parse`` (which ``pathlib``
imports) imports ``ipaddress`` (about 5 M) to check the host of a URL written with
brackets (``http://[::1]/``). :func:`import_deferring`
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


def import_deferring(module: str, *deferred: str) -> ModuleType:
    """``module``, imported (if it is not yet) with a stand-in for each of ``deferred``
    until it reads from it; one already imported is given as it is (nothing to save)."""
    stand_ins: dict[str, WhenUsed] = {}
    if module not in sys.modules:
        for name in deferred:
            if name not in sys.modules:
                stand_ins[name] = sys.modules[name] = WhenUsed(name, module)
    try:
        __import__(module)
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
    return sys.modules[module]
