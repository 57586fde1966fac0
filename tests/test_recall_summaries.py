"""Summaries across modules (issue 22, seventh set after its first run): a function that
hands its parameters to a login wrapper of its own module is a wrapper for callers in other
modules, and a module found in a folder the importer puts on ``sys.path`` itself is read
for its wrappers."""

from __future__ import annotations

import shutil
from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.python.module_paths import module_path
from authsweep.scanner.runner import check_paths

SUMMARIES = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "summaries"


def _found(folder: Path) -> dict[tuple[str, int, str, str], str]:
    run = check_paths([str(folder)], RunOptions())
    return {
        (Path(f.path).name, f.span.line, f.rule, f.severity.value): f.message for f in run.findings
    }


def test_a_function_that_passes_its_parameters_to_a_wrapper_of_its_module() -> None:
    """``smtp_sender.send(host=cfg.get("smtp_host", "smtp.office365.com"), ...)`` runs
    ``_login_and_send(host=host, ...)``: reported at the call, the way in the message. A
    caller giving Gmail's host, or calling a function whose host the module writes
    itself, is not; the wrapper keeps its unknown-host warning."""
    found = _found(SUMMARIES / "reports")
    assert set(found) == {
        ("daily.py", 12, "AS101", "error"),
        ("smtp_sender.py", 11, "AS101", "warning"),
    }
    assert (
        "'smtp.office365.com' (default of config key smtp_host) (through send in "
        "fixtures/recall/summaries/reports/smtp_sender.py, _login_and_send, smtplib)"
        in found[("daily.py", 12, "AS101", "error")]
    )


def test_a_base_class_in_a_folder_the_importer_puts_on_sys_path() -> None:
    """A plugin appends its ``libs`` folder to ``sys.path`` and presets the base class it
    imports from there with Office 365's hosts (keywords, a class attribute, a keyword
    default): reported at the ``super().__init__`` call; the Gmail preset stays silent."""
    found = _found(SUMMARIES / "plugin")
    assert set(found) == {
        ("__init__.py", 17, "AS101", "error"),
        ("__init__.py", 17, "AS102", "error"),
        ("__init__.py", 37, "AS101", "error"),
        ("__init__.py", 37, "AS102", "error"),
        ("mail_common.py", 21, "AS101", "warning"),
        ("mail_common.py", 27, "AS102", "warning"),
    }
    assert "through Mail in " in found[("__init__.py", 17, "AS102", "error")]
    assert "libs/mail_common.py, imaplib" in found[("__init__.py", 17, "AS102", "error")]


def test_a_python2_plugin_is_read_for_the_folder_it_puts_on_sys_path(tmp_path: Path) -> None:
    """The same plugin written for Python 2 (print statements, ``super(Class, self)``),
    as RPA plugins of that age are: the folder it appends is found in its translation,
    so its presets are reported at the same lines (low confidence, as Python 2 is)."""
    shutil.copytree(SUMMARIES / "plugin", tmp_path / "plugin")
    importer = tmp_path / "plugin" / "__init__.py"
    text = importer.read_text(encoding="utf-8")
    text = text.replace("super().__init__(", "super(Outlook365, self).__init__(", 1)
    importer.write_text(text + 'print "Outlook365 loaded"\n', encoding="utf-8")
    wrapper = tmp_path / "plugin" / "libs" / "mail_common.py"
    wrapper.write_text(wrapper.read_text(encoding="utf-8") + 'print "libs"\n', encoding="utf-8")
    found = _found(tmp_path / "plugin")
    assert {key for key in found if key[0] == "__init__.py"} == {
        ("__init__.py", 17, "AS101", "error"),
        ("__init__.py", 17, "AS102", "error"),
        ("__init__.py", 37, "AS101", "error"),
        ("__init__.py", 37, "AS102", "error"),
    }
    assert "through Mail in " in found[("__init__.py", 17, "AS101", "error")]


def test_module_path_follows_sys_path_folders(tmp_path: Path) -> None:
    (tmp_path / "vendor" / "lib").mkdir(parents=True)
    (tmp_path / "libs").mkdir()
    (tmp_path / "vendor" / "lib" / "mailer.py").write_text("X = 1\n")
    (tmp_path / "libs" / "helpers.py").write_text("Y = 2\n")
    (tmp_path / "elsewhere.py").write_text("Z = 3\n")
    importer = tmp_path / "plugin.py"
    importer.write_text(
        "import os, sys\n"
        "sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'vendor/lib'))\n"
        "LIBS = os.path.join(os.environ['HOME'], 'libs')\n"
        "sys.path.append(LIBS)\n"
        "sys.path.append('..')\n"
    )
    assert module_path(importer, "mailer") == tmp_path / "vendor" / "lib" / "mailer.py"
    assert module_path(importer, "helpers") == tmp_path / "libs" / "helpers.py"
    assert module_path(importer, "elsewhere") == tmp_path / "elsewhere.py"  # beside it
    assert module_path(importer, "missing") is None
    plain = tmp_path / "plain.py"
    plain.write_text("import sys\n")
    assert module_path(plain, "mailer") is None  # no folder put on sys.path


def test_constants_of_another_module_handed_to_its_wrapper() -> None:
    """A module that calls no mail library and writes no host or password hands a
    wrapper of the project the constants of another module (a ``__main__`` script's, by
    name or through the module): the login is reported at the call, through the wrapper;
    the script's Gmail host is not; the script keeps its own findings."""
    found = _found(SUMMARIES / "script_constants")
    assert set(found) == {
        ("nightly.py", 8, "AS101", "error"),
        ("weekly.py", 7, "AS101", "error"),
        ("sendmail.py", 9, "AS105", "error"),
        ("sendmail.py", 15, "AS204", "warning"),
        ("sendmail.py", 16, "AS101", "warning"),
    }
    assert "through send in " in found[("nightly.py", 8, "AS101", "error")]


def test_a_method_of_an_instance_of_a_class_of_the_project() -> None:
    """``Relay().connect(host, ...)``, ``relay = Relay()`` then ``relay.connect(...)``,
    ``Mailer(config).send(user, "...", ...)`` and ``with Mailer(config) as mailer:`` where
    the class is in another module (or, for ``LocalRelay().connect(...)``, in the same
    one): the Microsoft host or the literal password given is reported at the call; the
    Gmail host and the password from the environment are not."""
    found = _found(SUMMARIES / "instances")
    assert set(found) == {
        ("jobs.py", 11, "AS101", "error"),
        ("jobs.py", 16, "AS101", "error"),
        ("jobs.py", 21, "AS105", "error"),
        ("jobs.py", 26, "AS105", "error"),
        ("local_relay.py", 10, "AS101", "error"),
        ("local_relay.py", 14, "AS105", "error"),
        ("transport.py", 15, "AS101", "warning"),
        ("transport.py", 32, "AS101", "error"),
        ("local_relay.py", 9, "AS204", "warning"),
        ("transport.py", 14, "AS204", "warning"),
        ("transport.py", 31, "AS204", "warning"),
    }
    assert "through Relay.connect in " in found[("jobs.py", 11, "AS101", "error")]
    assert "through Mailer.send in " in found[("jobs.py", 26, "AS105", "error")]


def test_a_project_module_that_takes_a_library_s_name() -> None:
    """``from mailer import Mailer`` beside the project's own ``mailer.py``: Python imports
    that file, so the call is the project's wrapper (AS101 at it, through ``Mailer``), not
    the mailer distribution's (whose reading of it gave a nonsense port); a module with no
    such file beside it keeps the library's model."""
    found = _found(SUMMARIES / "own_mailer")
    assert set(found) == {
        ("jobs.py", 8, "AS101", "error"),
        ("mailer.py", 15, "AS204", "warning"),
        ("mailer.py", 16, "AS101", "warning"),
        ("weekly.py", 10, "AS101", "error"),
        ("weekly.py", 13, "AS204", "warning"),
    }
    assert "through Mailer in " in found[("jobs.py", 8, "AS101", "error")]


def test_names_a_star_import_brings() -> None:
    """``from settings import *``: ``MAIL_HOST`` is settings.py's Office 365 host (the
    login is an error, not an unknown host); ``from mailer import *``: ``send_report``,
    listed in mailer's ``__all__``, is a wrapper at its call. The private ``_DEBUG_HOST``
    and ``send_other`` (not in ``__all__``) are not brought: unknown, and not a wrapper."""
    found = _found(SUMMARIES / "star_imports")
    report = {(line, rule, severity) for name, line, rule, severity in found if name == "report.py"}
    assert report == {
        (18, "AS101", "error"),
        (25, "AS101", "warning"),
        (29, "AS101", "error"),
        (29, "AS105", "error"),
    }


def test_a_preset_made_without_credentials_is_no_login() -> None:
    """``outlook = EmailSender(host="smtp.office365.com", port=587)`` of a sender that logs
    in only when given credentials (``username=None, password=None``): no password, so no
    login at that call; the preset made with a password from the environment logs in."""
    found = _found(SUMMARIES / "presets")
    assert set(found) == {
        ("__init__.py", 12, "AS101", "error"),
        ("sender.py", 19, "AS101", "warning"),
    }
    assert "through EmailSender in " in found[("__init__.py", 12, "AS101", "error")]
