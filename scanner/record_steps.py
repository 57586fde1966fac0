"""A record made by ``dataclasses``' own steps, less those its class does not need.

``@dataclass`` asks of each field of a class whether its annotation is a ``ClassVar``,
an ``InitVar`` or ``KW_ONLY`` (for a string annotation: a regular expression and look-ups
in the class's module, three times a field), looks through the class's bases for
inherited fields, and makes each field's ``Field`` through ``field()``: about half of
the 400,000 to 500,000 instructions a record costs to make (bench/RESULTS.md, "speed17").
For a record whose class takes the plain shape (no base but ``object``, its own
docstring, string annotations of which none names one of those three, none of the
methods a dataclass writes already written), :func:`made` takes the steps of Python
3.11's ``dataclasses._process_class`` that apply, in its order and with its own
functions (the ``__init__``, ``__repr__``, ``__eq__`` and ``__hash__`` are the ones it
writes, from the same text): the class is the one ``@dataclass`` would make. Any other
class, and any other interpreter, is left to ``dataclasses`` (None).
"""

from __future__ import annotations

import dataclasses
import sys
from types import MemberDescriptorType

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

# The dataclasses whose steps these are (3.11's: _process_class, _get_field).
STEPS = sys.version_info[:2] == (3, 11)

# Names a class's own that make it another shape than the one followed here.
_WRITTEN = ("__init__", "__repr__", "__eq__", "__hash__", "__match_args__", "__post_init__")
_OWN_SHAPE = (*_WRITTEN, "__slots__", "__setattr__", "__delattr__")


def _special(annotation: str, namespace: dict[str, Any]) -> bool:
    """Whether ``dataclasses`` may read ``annotation`` as a ``ClassVar``, an ``InitVar``
    or ``KW_ONLY``: the name its expression starts with (``_is_type``'s regular
    expression) is bound in the class's module to one of them (a superset of what it
    reads so: it also asks which module a dotted name's first part is)."""
    match = dataclasses._MODULE_IDENTIFIER_RE.match(annotation)  # type: ignore[attr-defined]
    if match is None:
        return False
    bound = namespace.get(match.group(2))
    if bound is None:
        return False
    if bound is dataclasses.InitVar or bound is dataclasses.KW_ONLY:
        return True
    if type(bound) is dataclasses.InitVar:
        return True
    typing = sys.modules.get("typing")  # no ClassVar without it (as _get_field says)
    return typing is not None and (
        bound is typing.ClassVar
        or (type(bound) is typing._GenericAlias and bound.__origin__ is typing.ClassVar)
    )


def made(cls: Any, eq: bool, repr: bool) -> Any:  # noqa: A002 - dataclass's own name
    """``dataclass(cls, eq=eq, repr=repr, unsafe_hash=eq)``, or None (and ``cls``
    untouched) for a class of another shape."""
    if not STEPS or cls.__bases__ != (object,) or type(cls) is not type:
        return None
    own = cls.__dict__
    if not own.get("__doc__") or any(name in own for name in _OWN_SHAPE):
        return None
    annotations = own.get("__annotations__", {})
    module = sys.modules.get(cls.__module__)
    if module is None:
        return None
    namespace = module.__dict__
    field_kind, missing = dataclasses.Field, dataclasses.MISSING
    for name, value in own.items():
        if isinstance(value, field_kind) and name not in annotations:
            return None  # dataclasses refuses it
    fields: dict[str, dataclasses.Field] = {}
    for name, annotation in annotations.items():
        if type(annotation) is not str or _special(annotation, namespace):
            return None
        default = getattr(cls, name, missing)
        if isinstance(default, field_kind):
            if default.kw_only is not missing:
                return None
            field = default
        else:
            if isinstance(default, MemberDescriptorType):
                default = missing
            # field(default=default): its checks pass when no factory is given
            field = field_kind(default, missing, True, True, None, True, None, missing)
        if field.default.__class__.__hash__ is None:
            return None  # a mutable default: dataclasses refuses it
        fields[name] = field
    for name, field in fields.items():  # _get_field's
        field.name = name
        field.type = annotations[name]
        field._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        field.kw_only = False  # type: ignore[attr-defined]
    return _process(cls, fields, namespace, eq, repr)


def _process(cls: Any, fields: dict[str, Any], namespace: Any, eq: bool, repr: bool) -> Any:  # noqa: A002
    """``_process_class(cls, init=True, repr=repr, eq=eq, order=False, unsafe_hash=eq,
    frozen=False, match_args=True, kw_only=False, slots=False, weakref_slot=False)`` from
    its fields, in its order."""
    steps: Any = dataclasses
    setattr(cls, steps._PARAMS, steps._DataclassParams(True, repr, eq, False, eq, False))
    for field in fields.values():
        if isinstance(getattr(cls, field.name, None), steps.Field):
            if field.default is steps.MISSING:
                delattr(cls, field.name)
            else:
                setattr(cls, field.name, field.default)
    setattr(cls, steps._FIELDS, fields)
    field_list = list(fields.values())
    std_init_fields, kw_only_init_fields = steps._fields_in_init_order(field_list)
    self_name = "__dataclass_self__" if "self" in fields else "self"
    steps._set_new_attribute(
        cls,
        "__init__",
        steps._init_fn(
            field_list,
            std_init_fields,
            kw_only_init_fields,
            False,
            False,
            self_name,
            namespace,
            False,
        ),
    )
    if repr:
        shown = [f for f in field_list if f.repr]
        steps._set_new_attribute(cls, "__repr__", steps._repr_fn(shown, namespace))
    if eq:
        compared = [f for f in field_list if f.compare]
        self_tuple = steps._tuple_str("self", compared)
        other_tuple = steps._tuple_str("other", compared)
        steps._set_new_attribute(
            cls, "__eq__", steps._cmp_fn("__eq__", "==", self_tuple, other_tuple, namespace)
        )
        cls.__hash__ = steps._hash_add(cls, field_list, namespace)
    steps._set_new_attribute(cls, "__match_args__", tuple(f.name for f in std_init_fields))
    steps.abc.update_abstractmethods(cls)
    return cls
