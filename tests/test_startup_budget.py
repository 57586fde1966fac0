"""What a ``check`` pays before it reads a file, kept from growing back.

A ``@dataclass(frozen=True)`` compiles two more functions at import than a record
(``scanner/records.py``): the package's 87 frozen classes were about 92 M of the 597 M
instructions of a ``check`` of one mail module (bench/RESULTS.md, "speed9a"). Read from
the source with ``ast`` (nothing is imported); the lab's modules are left out (``authsweep
lab`` is not a pre-commit hook).
"""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path

import authsweep.rules
import pytest
from authsweep.rules import module_names
from authsweep.scanner.records import is_record, plain, record
from test_cli_output import imported
from test_import_graph import module_files

CHECKED = {
    name: path for name, path in module_files().items() if not name.startswith("authsweep.lab")
}


def frozen_dataclasses(source: str) -> list[str]:
    """The classes of ``source`` decorated ``@dataclass(..., frozen=True, ...)``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            callee = decorator.func
            name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
            options = {
                keyword.arg: getattr(keyword.value, "value", None) for keyword in decorator.keywords
            }
            if name == "dataclass" and options.get("frozen", False) is not False:
                found.append(node.name)
    return found


def test_a_frozen_dataclass_is_found() -> None:
    source = (
        "import dataclasses\nfrom dataclasses import dataclass\n"
        "@dataclass(frozen=True)\nclass A:\n    x: int\n"
        "@dataclasses.dataclass(eq=False, frozen=True)\nclass B:\n    x: int\n"
        "@dataclass(unsafe_hash=True)\nclass C:\n    x: int\n"
        "@dataclass(frozen=False)\nclass D:\n    x: int\n"
    )
    assert frozen_dataclasses(source) == ["A", "B"]


@pytest.mark.parametrize("name", sorted(CHECKED))
def test_no_dataclass_of_the_command_is_frozen_at_run_time(name: str) -> None:
    assert frozen_dataclasses(CHECKED[name].read_text(encoding="utf-8")) == []


def test_the_rules_are_the_modules_pkgutil_lists() -> None:
    listed = [module.name for module in pkgutil.iter_modules(authsweep.rules.__path__)]
    assert module_names(authsweep.rules.__path__) == listed


# The command as the `authsweep` script runs it (the method cache installed), and the
# modules imported by the end of its run.
COMMAND_IMPORTED = (
    "import atexit, sys\n"
    "from authsweep import main\n"
    "sys.argv = ['authsweep', *sys.argv[1:]]\n"
    "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules))))\n"
    "main()\n"
)


def command_imported(cwd: Path, *args: str) -> set[str]:
    """The modules imported by the end of the command's run (as its script runs it)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    run = subprocess.run(
        [sys.executable, "-c", COMMAND_IMPORTED, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    return set(run.stderr.rsplit("MODULES ", 1)[1].split())


def test_a_check_imports_neither_click_nor_inspect(tmp_path: Path) -> None:
    """click: the command line is read without it (cli/fast.py). ``inspect`` (about 13 M
    instructions, scanner/method_cache.py): a dataclass with no docstring of its own has
    ``dataclasses`` write one from ``inspect.signature``; the command's classes that a
    check makes have theirs. (A finding with a fix to plan brings LibCST, and it
    ``inspect``.) ``typing`` (about 10 M, and ``dataclasses`` asks of each field of a class
    made after it whether it is a ``ClassVar``): the command's modules import what they
    annotate with for type checkers only, and click's declarations of the options are
    read in scope of scanner/cli_declared.py, which only click's way in imports."""
    (tmp_path / "relay.py").write_text(
        "import smtplib\n\nsmtplib.SMTP('relay.internal', 25).noop()\n"
    )
    modules = command_imported(tmp_path, "check", "--no-cache", "relay.py")
    assert "authsweep.scanner.engine" in modules
    assert not modules & {"click", "inspect", "dis", "pkgutil", "typing"}


def test_a_record_is_a_frozen_dataclass_less_the_run_time_guard() -> None:
    @record
    class Point:
        x: int
        y: int

    @dataclass(frozen=True)
    class FrozenPoint:
        x: int
        y: int

    @record(eq=False, repr=False)
    class Handle:
        x: int

    assert Point(1, 2) == Point(1, 2) and {Point(1, 2): 0} == {Point(1, 2): 0}
    assert hash(Point(1, 2)) == hash(FrozenPoint(1, 2)) and repr(Point(1, 2)).endswith(
        ".Point(x=1, y=2)"
    )
    handle = Handle(1)
    assert handle == handle and handle != Handle(1) and Handle.__hash__ is object.__hash__
    assert [field.name for field in fields(Point)] == ["x", "y"]
    assert is_record(Point) and is_record(Handle) and not is_record(FrozenPoint)


def test_a_plain_class_is_made_as_a_record_without_equality_or_repr() -> None:
    """``@plain``: the ``__init__`` a ``@record(eq=False, repr=False)`` twin has (fields in
    order, defaults, keywords, the same errors), identity equality, no dataclass."""

    def made(decorate: Callable[[type], type]) -> type:
        class Slot:
            """A field with a default made of a function, as the project's are."""

            name: str
            value: object
            shown: str = ""
            made_by: Callable[[], object] = list
            seen: list[str] = field(default_factory=list)

            def where(self) -> str:
                return f"{self.name}={self.value}"

        return decorate(Slot)

    kept, twin = made(plain), made(record(eq=False, repr=False))
    for cls in (kept, twin):
        one, two = cls("a", 1), cls(value=2, name="b", made_by=dict, seen=["x"])
        assert vars(one) == {"name": "a", "value": 1, "shown": "", "made_by": list, "seen": []}
        assert vars(two) == {"name": "b", "value": 2, "shown": "", "made_by": dict, "seen": ["x"]}
        assert one.seen is not cls("c", 3).seen and not hasattr(cls, "seen")
        assert one == one and one != cls("a", 1) and cls.__hash__ is object.__hash__
        assert one.where() == "a=1" and repr(one).startswith("<")
        with pytest.raises(TypeError):
            cls("a")
        with pytest.raises(TypeError):
            cls("a", 1, "", list, [], "one too many")
    assert kept.__init__.__qualname__.endswith("Slot.__init__")
    assert not is_dataclass(kept) and is_dataclass(twin)

    class Fixed:
        items: tuple[str, ...] = field(default=())

    class Later:
        items: list[str] = field(default_factory=list, init=False)

    for refused in (Fixed, Later):
        with pytest.raises(TypeError):
            plain(refused)


def test_a_check_loads_no_openssl(tmp_path: Path) -> None:
    """``hashlib`` loads OpenSSL (about 9 M instructions); a finding's fingerprint and the
    result cache's content hashes are the interpreter's own SHA-256 and BLAKE2b
    (scanner/digests.py), where it has them."""
    (tmp_path / "relay.py").write_text(
        "import smtplib\n\nsmtplib.SMTP('smtp.office365.com', 465)\n"
    )
    modules = command_imported(tmp_path, "check", "--format", "json", "relay.py")
    assert "authsweep.scanner.cache" in modules and "authsweep.scanner.digests" in modules
    assert {"_sha256", "_sha2"} & modules and "_blake2" in modules
    assert not modules & {"hashlib", "_hashlib"}


# The analysis of a module past the relevance question (its connections, their paths, its
# settings): about 26 modules a check of modules that call no mail code does not import.
PAST_RELEVANCE = (
    "authsweep.scanner.python.module_analysis",
    "authsweep.scanner.python.paths",
    "authsweep.scanner.python.bindings",
    "authsweep.scanner.python.beyond",
    "authsweep.scanner.python.settings_source",
    "authsweep.scanner.mail_settings.builder",
)


# What reads a module that does not parse as it is: Python 2's translation, f-strings
# rewritten for an older parser.
REPAIRS = ("authsweep.scanner.python.python2", "authsweep.scanner.python.fstrings")


def test_a_module_that_calls_no_mail_code_loads_no_analysis(tmp_path: Path) -> None:
    """A module the pre-check passes (it names smtplib) but that opens no connection is
    parsed and asked whether it matters; the analysis past that comes with the first
    module that does."""
    (tmp_path / "notify.py").write_text("import smtplib\n\nprint(smtplib.__name__)\n")
    modules = imported("check", "--no-cache", "--format", "json", "notify.py", cwd=tmp_path)
    assert "authsweep.scanner.python.frontend" in modules
    assert [name for name in PAST_RELEVANCE if name in modules] == []
    assert [name for name in REPAIRS if name in modules] == []
    (tmp_path / "notify.py").write_text(
        "import smtplib\n\nsmtplib.SMTP('smtp.office365.com', 587).login('u', 'p')\n"
    )
    modules = imported("check", "--no-cache", "--format", "json", "notify.py", cwd=tmp_path)
    assert [name for name in PAST_RELEVANCE if name not in modules] == []


def test_a_file_the_pre_check_passes_over_loads_no_mailbox_reading(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    modules = imported("check", "--no-cache", "--format", "json", "app.py", cwd=tmp_path)
    assert "authsweep.scanner.engine" in modules
    assert "authsweep.scanner.tenant.mailboxes" not in modules


def test_a_file_the_pre_check_passes_over_is_neither_parsed_nor_tokenized(tmp_path: Path) -> None:
    """``ast`` (about 14 M instructions) and ``_signal`` (the time limit's alarm) come
    with the first file past the pre-check: a commit that touches no mail code costs none
    of them, and none costs ``signal`` (3 M: its enums). ``tokenize`` (3 M) comes with a
    module that may declare its encoding (its ``detect_encoding`` reads the declaration),
    not with one of ASCII that does not."""
    (tmp_path / "app.py").write_text("x = 1\n")
    modules = command_imported(tmp_path, "check", "--no-cache", "app.py")
    assert "authsweep.scanner.engine" in modules
    assert not modules & {"ast", "tokenize", "signal"}
    (tmp_path / "app.py").write_text("import smtplib\n")
    modules = command_imported(tmp_path, "check", "--no-cache", "app.py")
    assert "ast" in modules and "signal" not in modules
    assert "tokenize" not in modules
    (tmp_path / "app.py").write_text("# -*- coding: latin-1 -*-\nimport smtplib\n")
    modules = command_imported(tmp_path, "check", "--no-cache", "app.py")
    assert "tokenize" in modules


def test_the_repairs_load_with_a_module_that_needs_them(tmp_path: Path) -> None:
    (tmp_path / "old.py").write_text(
        "import smtplib\n\nprint 'sending'\n"
        "smtplib.SMTP('smtp.office365.com', 587).login('u', 'p')\n"
    )
    modules = imported("check", "--no-cache", "--format", "json", "old.py", cwd=tmp_path)
    assert "authsweep.scanner.python.python2" in modules
    (tmp_path / "old.py").write_text(
        "import smtplib\n\nsmtplib.SMTP('smtp.office365.com', 587).login('u', 'p')\n"
    )
    modules = imported("check", "--no-cache", "--format", "json", "old.py", cwd=tmp_path)
    assert [name for name in REPAIRS if name in modules] == []


def compiled_at_import(source: str) -> list[int]:
    """The lines of ``source`` that call ``re.compile`` when the module is imported
    (outside functions and lambdas)."""
    found: list[int] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "compile"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
        ):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def test_a_pattern_compiled_at_import_is_found() -> None:
    source = (
        "import re\nA = re.compile('a')\nB = (1, re.compile('b'))\n"
        "def f():\n    return re.compile('c')\nC = lambda: re.compile('d')\n"
        "class K:\n    E = re.compile('e')\n"
    )
    assert compiled_at_import(source) == [2, 3, 8]


def test_the_modules_of_a_check_compile_no_pattern_at_import(tmp_path: Path) -> None:
    """A module-level pattern is a ``lazy_pattern`` (scanner/lazy_regex.py), compiled when
    first used: ``re.compile`` takes 50,000 to 400,000 instructions a pattern, and most
    runs of a pre-commit hook use few of them. The modules are those a check of a mail
    module imports (the front end and its analysis too)."""
    (tmp_path / "relay.py").write_text(
        "import smtplib\n\nsmtplib.SMTP('relay.internal', 25).login('u', 'p')\n"
    )
    modules = command_imported(tmp_path, "check", "--no-cache", "relay.py")
    files = module_files()
    ours = sorted(name for name in modules if name in files)
    assert "authsweep.scanner.python.module_analysis" in ours
    compiled = {
        name: lines
        for name in ours
        if (lines := compiled_at_import(files[name].read_text(encoding="utf-8")))
    }
    assert compiled == {}
