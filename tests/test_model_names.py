"""The front end makes a library model's adapter only when a module names one of its
callables (scanner/python/model_tables.py), from an index of the models' names
(scanner/python/model_names.py): the index must be the models', and the tables must answer
as the adapters of every model made at once do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from authsweep.scanner.python.adapters import ADAPTERS, HAND_WRITTEN
from authsweep.scanner.python.frontend import PythonFrontEnd
from authsweep.scanner.python.model_names import MODEL_NAMES, OBJECT_METHODS
from authsweep.scanner.python.model_tables import AdapterTables
from authsweep.scanner.python.models import MODELS, MODULES
from check_imports import run_importing

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "model_names.py"


def test_the_script_finds_the_index_current() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_index_names_every_model_in_order() -> None:
    assert tuple(module for module, *_ in MODEL_NAMES) == MODULES
    assert tuple(model.library for model in MODELS) == tuple(lib for _, lib, *_ in MODEL_NAMES)


def test_the_tables_answer_as_every_adapter_made_at_once() -> None:
    """Same names in the same order, and each name read by the same library's adapter with
    the same parameters; a hand-written adapter and a model never read one name."""
    clients = {n: (a, s) for a in ADAPTERS for n, s in a.clients.items()}
    functions = {n: (a, s) for a in ADAPTERS for n, s in a.functions.items()}
    methods = {n: (a, s) for a in ADAPTERS for n, s in a.object_methods.items()}
    tables = AdapterTables(HAND_WRITTEN)
    assert list(tables.clients) == list(clients)
    assert list(tables.functions) == list(functions)
    assert list(tables.object_methods) == list(methods)
    for table, made in (
        (tables.clients, clients),
        (tables.functions, functions),
        (tables.object_methods, methods),
    ):
        for name, (adapter, spec) in made.items():
            got_adapter, got_spec = table[name]
            assert got_adapter.library == adapter.library, name
            assert got_spec.params == spec.params, name
    hand = {n for a in HAND_WRITTEN for n in (*a.clients, *a.functions, *a.object_methods)}
    modelled = {n for _, _, clients, functions in MODEL_NAMES for n in (*clients, *functions)}
    assert not hand & modelled
    assert not hand & {name for name, *_ in OBJECT_METHODS}
    by_library = {a.library: a for a, _ in clients.values()}
    assert sorted(tables.by_library) == sorted(by_library)
    for library, adapter in by_library.items():
        assert set(tables.by_library[library].clients) == set(adapter.clients)


def test_a_model_is_made_once_and_alone() -> None:
    tables = AdapterTables(HAND_WRITTEN)
    first = tables.clients["aioimaplib.IMAP4_SSL"]
    assert first is tables.clients["aioimaplib.IMAP4_SSL"]
    assert tables.clients["aioimaplib.IMAP4"][0] is first[0]
    assert tables.by_library["aioimaplib"] is first[0]
    assert tables.clients.get("imap_tools.MailBox")[0].library == "imap_tools"
    assert tables.clients.get("no.such.Client") is None
    assert "imbox.Imbox" in tables.clients  # named in the index, not made


def test_models_have_no_presets_or_attributes() -> None:
    """The tables make a model's clients and functions on demand only: a model with presets
    or attribute assignments would need them at once."""
    front = PythonFrontEnd()
    for adapter in ADAPTERS[len(HAND_WRITTEN) :]:
        assert not adapter.presets and not adapter.attributes, adapter.library
    assert front.attribute_names == {n for a in ADAPTERS for n in a.attributes}
    assert set(front.presets) == {n for a in ADAPTERS for n in a.presets}


def _modules_imported(tmp_path: Path, code: str) -> set[str]:
    (tmp_path / "job.py").write_text(code)
    output, modules = run_importing("check", "--no-cache", "--exit-zero", "job.py", cwd=tmp_path)
    assert "AS2" in output or "AS1" in output, output
    return modules


def test_a_check_of_smtplib_code_imports_no_model(tmp_path: Path) -> None:
    modules = _modules_imported(
        tmp_path,
        "import smtplib\n\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls()\n"
        "s.login('a@contoso.com', 'hunter2')\n"
        "msg.send()\n",
    )
    assert "authsweep.scanner.python.module_analysis" in modules
    assert not {m for m in modules if m.startswith("authsweep.scanner.python.models")}
    assert "authsweep.scanner.python.adapters.declared" not in modules


def test_a_check_of_an_aioimaplib_client_imports_that_model_alone(tmp_path: Path) -> None:
    modules = _modules_imported(
        tmp_path,
        "import aioimaplib\n\n\n"
        "async def read():\n"
        "    client = aioimaplib.IMAP4_SSL('outlook.office365.com')\n"
        "    await client.login('a@contoso.com', 'hunter2')\n",
    )
    models = {m for m in modules if m.startswith("authsweep.scanner.python.models.")}
    assert models == {
        "authsweep.scanner.python.models.aioimaplib",
        "authsweep.scanner.python.models.spec",
    }
