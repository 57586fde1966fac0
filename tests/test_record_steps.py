"""Records made by ``dataclasses``' own steps (scanner/record_steps.py) are the classes
``@dataclass`` makes: the package's every record, and classes of every shape, described
field by field and method by method both ways."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys

import pytest
from authsweep.scanner import record_steps
from authsweep.scanner.records import record

pytestmark = pytest.mark.skipif(not record_steps.STEPS, reason="the steps are 3.11's")


def shown(value: object) -> str:
    """``repr(value)`` less the addresses of objects (another process's, another run's)."""
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))


def describe(cls: type) -> dict:
    """What a dataclass is made of: its fields, parameters, methods (their code, defaults,
    annotations and names) and class attributes, in the class's own order."""

    def function(value: object) -> object:
        wrapped = getattr(value, "__wrapped__", None)
        code = getattr(value, "__code__", None)
        if code is None:
            return shown(value)
        return {
            "qualname": value.__qualname__,  # type: ignore[attr-defined]
            "module": value.__module__,  # type: ignore[attr-defined]
            "code": code.co_code.hex(),
            "consts": shown(code.co_consts),
            "names": code.co_names,
            "vars": code.co_varnames,
            "defaults": shown(value.__defaults__),  # type: ignore[attr-defined]
            "kwdefaults": shown(value.__kwdefaults__),  # type: ignore[attr-defined]
            "annotations": shown(value.__annotations__),  # type: ignore[attr-defined]
            "globals": value.__globals__.get("__name__"),  # type: ignore[attr-defined]
            "wrapped": function(wrapped) if wrapped is not None else None,
        }

    fields = {}
    for name, field in cls.__dataclass_fields__.items():  # type: ignore[attr-defined]
        fields[name] = [
            field.name,
            field.type,
            shown(field.default),
            shown(field.default_factory),
            field.init,
            field.repr,
            shown(field.hash),
            field.compare,
            shown(dict(field.metadata)),
            shown(field.kw_only),
            shown(field._field_type),  # type: ignore[attr-defined]
        ]
    own = {}
    for name, value in vars(cls).items():
        if name in ("__dict__", "__weakref__", "__dataclass_fields__"):
            own[name] = type(value).__name__
        elif callable(value) or name in ("__init__", "__repr__", "__eq__", "__hash__"):
            own[name] = function(value)
        else:
            own[name] = shown(value)
    return {"fields": fields, "own": own, "order": list(vars(cls))}


SHAPES = {
    "plain": "class K:\n    '''K.'''\n    a: int\n    b: str\n",
    "defaults": "class K:\n    '''K.'''\n    a: int\n    b: str = 'x'\n    c: tuple = ()\n",
    "factories": (
        "from dataclasses import field\n"
        "class K:\n    '''K.'''\n    a: int\n    b: list = field(default_factory=list)\n"
        "    c: int = field(default=3)\n    d: int = field(default=4, repr=False)\n"
        "    e: int = field(default=5, compare=False)\n    f: int = field(default=6, hash=False)\n"
        "    g: dict = field(default_factory=dict, init=False)\n"
        "    h: int = field(default=1, metadata={'m': 1})\n"
    ),
    "self": "class K:\n    '''K.'''\n    self: int\n    other: int = 0\n",
    "empty": "class K:\n    '''K.'''\n",
    "methods": (
        "class K:\n    '''K.'''\n    a: int\n    def f(self):\n        return self.a\n"
        "    @property\n    def g(self):\n        return 1\n    X = 3\n"
    ),
    "undocumented": "class K:\n    a: int\n",
    "classvar": (
        "import typing\nfrom typing import ClassVar\n"
        "class K:\n    '''K.'''\n    a: int\n    b: ClassVar[int] = 1\n    c: typing.ClassVar = 2\n"
    ),
    "classvar alias": (
        "import typing\nfrom typing import ClassVar as CV\n"
        "class K:\n    '''K.'''\n    a: int\n    b: CV[int] = 1\n"
    ),
    "initvar": (
        "from dataclasses import InitVar\n"
        "class K:\n    '''K.'''\n    a: int\n    b: InitVar[int] = 1\n"
        "    def __post_init__(self, b):\n        self.c = b\n"
    ),
    "kw_only": (
        "from dataclasses import KW_ONLY, field\n"
        "class K:\n    '''K.'''\n    a: int\n    _: KW_ONLY\n    b: int = 2\n"
        "    c: int = field(default=3, kw_only=False)\n"
    ),
    "field kw_only": (
        "from dataclasses import field\n"
        "class K:\n    '''K.'''\n    a: int\n    b: int = field(default=2, kw_only=True)\n"
    ),
    "base": (
        "from dataclasses import dataclass\n"
        "@dataclass\nclass B:\n    '''B.'''\n    z: int = 0\n"
        "class K(B):\n    '''K.'''\n    a: int = 1\n"
    ),
    "own eq": (
        "class K:\n    '''K.'''\n    a: int\n    def __eq__(self, other):\n        return True\n"
    ),
    "own repr": (
        "class K:\n    '''K.'''\n    a: int\n    def __repr__(self):\n        return 'k'\n"
    ),
    "post init": (
        "class K:\n    '''K.'''\n    a: int\n    def __post_init__(self):\n        self.b = 1\n"
    ),
    "slots": "class K:\n    '''K.'''\n    __slots__ = ('a',)\n    a: int\n",
    "non-string annotation": "class K:\n    '''K.'''\n    a: 'int'\n",
}
# Not future annotations: the annotations of these are objects.
EAGER = {"non-string annotation": "class K:\n    '''K.'''\n    a: int\n"}
REFUSED = {
    "mutable default": ("class K:\n    '''K.'''\n    a: list = []\n", ValueError),
    "field without annotation": (
        "from dataclasses import field\nclass K:\n    '''K.'''\n    a = field(default=1)\n"
        "    b: int = 0\n",
        TypeError,
    ),
}


def _made(source: str, name: str, eq: bool, repr_: bool, steps: bool, future: bool = True):
    module = type(sys)(f"shape_{abs(hash((source, eq, repr_, steps)))}")
    sys.modules[module.__name__] = module
    try:
        header = "from __future__ import annotations\n" if future else ""
        exec(compile(header + source, module.__name__, "exec"), module.__dict__)  # noqa: S102
        cls = module.__dict__[name]
        if steps:
            made = record_steps.made(cls, eq, repr_)
            taken = made is not None
            if made is None:
                made = dataclasses.dataclass(cls, eq=eq, repr=repr_, unsafe_hash=eq)
        else:
            made, taken = dataclasses.dataclass(cls, eq=eq, repr=repr_, unsafe_hash=eq), False
        return made, taken
    finally:
        del sys.modules[module.__name__]


@pytest.mark.parametrize("options", [(True, True), (False, False), (True, False), (False, True)])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_shape_is_made_as_dataclass_makes_it(shape: str, options: tuple[bool, bool]) -> None:
    eq, repr_ = options
    for source, future in ((SHAPES[shape], True), (EAGER.get(shape), False)):
        if source is None:
            continue
        by_steps, taken = _made(source, "K", eq, repr_, True, future)
        by_dataclass, _ = _made(source, "K", eq, repr_, False, future)
        described = describe(by_steps)
        # the module's generated name is the only difference a fresh module makes
        expected = describe(by_dataclass)
        assert json.dumps(described, sort_keys=True).replace(
            by_steps.__module__, "M"
        ) == json.dumps(expected, sort_keys=True).replace(by_dataclass.__module__, "M")
        if shape in ("plain", "defaults", "factories", "self", "empty", "methods"):
            assert taken and future, shape  # the steps are taken for these shapes
        if shape in ("undocumented", "classvar", "classvar alias", "initvar", "kw_only"):
            assert not taken, shape
        if shape in ("field kw_only", "base", "own eq", "own repr", "post init", "slots"):
            assert not taken, shape


@pytest.mark.parametrize("shape", sorted(REFUSED))
def test_a_class_dataclasses_refuses_is_refused_the_same(shape: str) -> None:
    source, error = REFUSED[shape]
    with pytest.raises(error) as by_steps:
        _made(source, "K", True, True, True)
    with pytest.raises(error) as by_dataclass:
        _made(source, "K", True, True, False)
    assert str(by_steps.value) == str(by_dataclass.value)


def test_objects_of_a_record_behave_as_a_dataclass_s() -> None:
    @record
    class Point:
        """A point."""

        x: int
        y: int = 0
        tags: tuple[str, ...] = ()

    assert dataclasses.is_dataclass(Point) and record_steps.STEPS
    point = Point(1, tags=("a",))
    assert repr(point).endswith(".<locals>.Point(x=1, y=0, tags=('a',))")
    assert point == Point(1, 0, ("a",)) and point != Point(2)
    assert hash(point) == hash((1, 0, ("a",)))
    assert dataclasses.replace(point, y=5) == Point(1, 5, ("a",))
    assert dataclasses.asdict(point) == {"x": 1, "y": 0, "tags": ("a",)}
    assert Point.__match_args__ == ("x", "y", "tags")
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]


# Every record of the package, described in a process whose records take the steps and in
# one whose records are all made by dataclasses.
PACKAGE_RECORDS = """
import json, pkgutil, sys, importlib
from authsweep.scanner import record_steps
if sys.argv[1] == "dataclasses":
    record_steps.STEPS = False
taken = 0
made = record_steps.made
def counting(cls, eq, repr):
    global taken
    result = made(cls, eq, repr)
    taken += result is not None
    return result
record_steps.made = counting
import authsweep.scanner.records as records
records.made_by_steps = counting
import authsweep.scanner, authsweep.rules
names = []
for package in (authsweep.scanner, authsweep.rules):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
for name in sorted(names):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
sys.path.insert(0, sys.argv[2])
from test_record_steps import describe
out = {}
for name, module in sorted(sys.modules.items()):
    if not name.startswith("authsweep."):
        continue
    for value in list(vars(module).values()):
        if not (isinstance(value, type) and value.__module__ == name):
            continue
        if records.is_record(value) and "__dataclass_fields__" in vars(value):
            out[f"{name}.{value.__qualname__}"] = describe(value)
print(json.dumps({"taken": taken, "records": out}, sort_keys=True))
"""


def test_the_package_s_records_are_the_classes_dataclasses_makes() -> None:
    tests = str(__import__("pathlib").Path(__file__).parent)
    runs = {}
    for mode in ("steps", "dataclasses"):
        run = subprocess.run(
            [sys.executable, "-c", PACKAGE_RECORDS, mode, tests],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
        runs[mode] = json.loads(run.stdout)
    assert runs["dataclasses"]["taken"] == 0
    assert runs["steps"]["taken"] >= 40  # most of the package's records take the steps
    assert len(runs["steps"]["records"]) >= 50
    assert runs["steps"]["records"] == runs["dataclasses"]["records"]
