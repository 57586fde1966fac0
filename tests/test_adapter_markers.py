"""The pre-check reads the library adapters' markers from an index, so that a file that
cannot matter costs no import of the adapters and models: the index must be theirs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from authsweep.scanner.adapter_markers import ADAPTER_MARKERS, BUNDLED_LIBRARIES
from authsweep.scanner.python.adapters import ADAPTERS
from authsweep.scanner.python.models import MODELS
from check_imports import imported

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "adapter_markers.py"


def test_the_index_is_the_adapters_markers() -> None:
    declared = tuple(marker.decode() for adapter in ADAPTERS for marker in adapter.markers)
    assert ADAPTER_MARKERS == declared, (
        "scanner/adapter_markers.py is not current: run python scripts/adapter_markers.py"
    )


def test_the_index_is_the_models_bundled_libraries() -> None:
    assert BUNDLED_LIBRARIES == {model.library for model in MODELS if model.bundled}
    assert "imaplib2" in BUNDLED_LIBRARIES


def test_the_script_finds_the_index_current() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_a_file_that_cannot_matter_imports_no_adapter_and_no_mail_settings(
    tmp_path: Path,
) -> None:
    (tmp_path / "util.py").write_text(
        "import os\n\n\ndef size(path):\n    return os.path.getsize(path)\n"
    )
    modules = imported("check", "--no-cache", "util.py", cwd=tmp_path)
    assert "authsweep.scanner.precheck" in modules
    heavy = ("authsweep.scanner.python.adapters", "authsweep.scanner.python.models")
    heavy += ("authsweep.scanner.mail_settings", "authsweep.scanner.config")
    assert not {m for m in modules for name in heavy if m == name or m.startswith(name + ".")}
