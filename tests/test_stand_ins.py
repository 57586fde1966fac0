"""A standard module imported with a stand-in for one of its imports (scanner/stand_ins.py):
the command's ``urllib.parse`` without ``ipaddress``, ``dataclasses`` without ``inspect``
(tests/test_method_cache.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_startup_budget import COMMAND_IMPORTED

# An editable install's finder imports `pathlib` (and so `urllib.parse`) when the
# interpreter starts: the scripts forget them first, as a wheel install's interpreter
# has not imported them.
FORGET = (
    "import sys\n"
    "for name in ('pathlib', 'urllib.parse', 'ipaddress'):\n"
    "    sys.modules.pop(name, None)\n"
)


def test_a_check_imports_no_ipaddress(tmp_path: Path) -> None:
    """``pathlib`` imports ``urllib.parse``, which imports ``ipaddress`` (about 5 M
    instructions) for hosts written in brackets; the command's runs do without it."""
    (tmp_path / "relay.py").write_text(
        "import smtplib\n\nsmtplib.SMTP('smtp.office365.com', 587).login('u', 'p')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    script = FORGET + COMMAND_IMPORTED
    run = subprocess.run(
        [sys.executable, "-c", script, "check", "--no-cache", "relay.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    modules = set(run.stderr.rsplit("MODULES ", 1)[1].split())
    assert {"authsweep.scanner.engine", "urllib.parse", "pathlib"} <= modules
    assert "ipaddress" not in modules
    assert "copy" not in modules  # dataclasses' (asdict's copies): no record is copied


def test_urllib_parse_checks_bracketed_hosts_with_the_real_ipaddress() -> None:
    """What ``urllib.parse`` does with ``ipaddress`` is the same with the stand-in: the real
    module is imported when it is first read, and takes the stand-in's place."""
    script = FORGET + (
        "from authsweep.scanner.stand_ins import import_deferring\n"
        "parse = import_deferring('urllib.parse', 'ipaddress')\n"
        "assert 'ipaddress' not in sys.modules\n"
        "assert parse.urlsplit('smtp://mail.example.com:25/').hostname == 'mail.example.com'\n"
        "assert 'ipaddress' not in sys.modules\n"
        "assert parse.urlsplit('smtp://[::1]:25/').hostname == '::1'\n"
        "import ipaddress\n"
        "assert parse.ipaddress is ipaddress and sys.modules['ipaddress'] is ipaddress\n"
        "for bad in ('smtp://[::zz]/', 'smtp://[1.2.3.4]/'):\n"
        "    try:\n"
        "        parse.urlsplit(bad)\n"
        "    except ValueError:\n"
        "        continue\n"
        "    raise AssertionError(bad)\n"
    )
    _runs_clean(script)


def test_an_import_elsewhere_gets_the_real_module_before_the_first_use() -> None:
    script = FORGET + (
        "from authsweep.scanner.stand_ins import WhenUsed, import_deferring\n"
        "parse = import_deferring('urllib.parse', 'ipaddress')\n"
        "assert isinstance(parse.ipaddress, WhenUsed)\n"
        "import ipaddress\n"
        "assert not isinstance(ipaddress, WhenUsed) and ipaddress.ip_address('::1').version == 6\n"
        "try:\n"
        "    parse.urlsplit('smtp://[::zz]/')\n"
        "except ValueError:\n"
        "    pass\n"
        "assert parse.ipaddress is ipaddress\n"
    )
    _runs_clean(script)


def test_a_module_already_imported_is_given_as_it_is() -> None:
    script = FORGET + (
        "import ipaddress\n"
        "from authsweep.scanner.stand_ins import import_deferring\n"
        "parse = import_deferring('urllib.parse', 'ipaddress')\n"
        "assert parse.ipaddress is ipaddress\n"
    )
    _runs_clean(script)


def test_dataclasses_copies_with_the_real_copy() -> None:
    """``asdict`` copies what it gives with ``copy.deepcopy``: the real module, imported
    when it first does."""
    script = (
        "import sys\n"
        "from authsweep.scanner import method_cache\n"
        "from dataclasses import asdict, dataclass, field\n"
        "assert 'copy' not in sys.modules\n"
        "@dataclass\nclass A:\n    'A.'\n    x: list = field(default_factory=list)\n"
        "    y: object = None\n"
        "a = A([[1]], {2: [3]})\n"
        "d = asdict(a)\n"
        "assert d == {'x': [[1]], 'y': {2: [3]}}\n"
        "assert d['y'] is not a.y and d['y'][2] is not a.y[2]\n"
        "import copy, dataclasses\n"
        "assert dataclasses.copy is copy and sys.modules['copy'] is copy\n"
    )
    _runs_clean(script)


def _runs_clean(script: str) -> None:
    """``script`` runs to its end in an interpreter of its own (its asserts hold)."""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
