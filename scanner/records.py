"""Records: dataclasses whose objects are not changed after ``__init__``.

``@dataclass(frozen=True)`` enforces that at run time with two more functions a class
(``__setattr__`` and ``__delattr__``, which only refuse assignments) and an ``__init__``
that sets each field through ``object.__setattr__``; ``dataclasses`` compiles each of them
from source text when the class's module is imported. For the package's 87 such classes
that was about 92 M of the 597 M instructions of a ``check`` of one mail module
(bench/RESULTS.md, "speed9a"). A record is the same class less that enforcement: type
checkers still read it as frozen (``dataclass_transform(frozen_default=True)``), a record
compared by value keeps the hash a frozen class has, and code that copies rather than
changes an object (``python2``'s remapping of spans) asks :func:`is_record`. A class that
needs none of a dataclass's machinery is :func:`plain`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any, TypeVar, overload

    from typing_extensions import dataclass_transform

    _Class = TypeVar("_Class", bound=type)

    @overload
    def record(cls: _Class, /) -> _Class: ...

    @overload
    def record(*, eq: bool = True, repr: bool = True) -> Callable[[_Class], _Class]: ...  # noqa: A002

else:

    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        """For type checkers only (``typing`` has it from Python 3.11)."""
        return lambda function: function


_MARK = "__authsweep_record__"


@dataclass_transform(frozen_default=True)
def record(cls: Any = None, /, *, eq: bool = True, repr: bool = True) -> Any:  # noqa: A002
    """``@dataclass(frozen=True, eq=eq, repr=repr)`` without the run-time guard."""

    def make(cls: _Class) -> _Class:
        made = dataclass(cls, eq=eq, repr=repr, unsafe_hash=eq)
        setattr(made, _MARK, True)
        return made

    return make if cls is None else make(cls)


def is_record(cls: type) -> bool:
    """Whether ``cls`` is a record (or a subclass of one: a record's subclasses are)."""
    return getattr(cls, _MARK, False)


_NOT_GIVEN = object()  # a field() default's argument, not given (dataclasses' own sentinel)


@dataclass_transform(eq_default=False)
def plain(cls: _Class) -> _Class:
    """``@record(eq=False, repr=False)`` for a class only its own module or pass uses: the
    same ``__init__`` (the annotated fields in order, defaults from the class body), equal
    only to itself, the default ``repr``, but no dataclass (``dataclasses.fields``,
    ``replace`` and ``asdict`` do not apply, and ``python2``'s remapping of the mail model
    passes it over). ``dataclasses`` makes such a class in about 400,000 instructions (its
    fields' objects, the string annotations' look-ups for ``InitVar`` and ``KW_ONLY``, the
    methods' text); this in about 110,000: the ``__init__`` is written as text and executed
    as ``dataclasses`` does (its code kept by :mod:`.method_cache` when the command
    installed it). Of ``field()``, only ``field(default_factory=...)`` is taken (as
    ``dataclasses`` takes it: a call of the factory when the argument is not given, and no
    class attribute); a class that needs more stays a dataclass."""
    own = cls.__dict__
    names = list(own.get("__annotations__", {}))
    defaults: dict[str, object] = {"_not_given": _NOT_GIVEN}
    params: list[str] = []
    lines: list[str] = []
    for name in names:
        default = own.get(name, _NOT_GIVEN)
        if isinstance(default, dataclasses.Field):
            if default.default_factory is dataclasses.MISSING or default.init is False:
                raise TypeError(f"{cls.__qualname__}.{name}: this field() needs a dataclass")
            defaults[f"_make_{name}"] = default.default_factory
            params.append(f"{name}=_not_given")
            lines.append(f"    self.{name} = _make_{name}() if {name} is _not_given else {name}")
            delattr(cls, name)
            continue
        if default is _NOT_GIVEN:
            params.append(name)
        else:
            defaults[f"_default_{name}"] = default
            params.append(f"{name}=_default_{name}")
        lines.append(f"    self.{name} = {name}")
    lines = lines or ["    pass"]
    text = "\n".join([f"def __init__(self, {', '.join(params)}):", *lines])
    made: dict[str, Any] = {}
    getattr(dataclasses, "exec", exec)(text, defaults, made)  # the method cache's, if installed
    init = made["__init__"]
    init.__qualname__, init.__module__ = f"{cls.__qualname__}.__init__", cls.__module__
    cls.__init__ = init  # type: ignore[misc]
    return cls
