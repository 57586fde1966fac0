"""Library models: one module per mail library, each a :class:`LibraryModel` of plain
data (see :mod:`.spec`). Adding a library is one module here, its name in
:data:`MODULES`, the index of the models' names made again (``python
scripts/model_names.py``) and fixtures; the interpreter
(:mod:`authsweep.scanner.python.adapters.declared`) makes the front end read it, and
``tests/test_library_models.py`` checks it against the library.

A run imports a model only when a module it analyses names one of the model's callables
(:mod:`authsweep.scanner.python.model_names` says which model reads which name): most
runs need none of them, and the 22 modules and their records cost about 16 M
instructions to import. ``MODELS`` (every model, in this order) imports them all.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from .spec import LibraryModel

# The models' modules, in the order their adapters come (the front end's, the index's).
MODULES: tuple[str, ...] = (
    "imap_tools",
    "envelopes",
    "mailer",
    "botcity",
    "flask_mailman",
    "emails",
    "pyews",
    "o365",
    "rpaframework",
    "aioimaplib",
    "imbox",
    "zmail",
    "pyzmail",
    "imaplib2",
    "pyramid_mailer",
    "apprise",
    "easyimap",
    "prefect_email",
    "dmail",
    "mailsuite",
    "email_to",
    "redbox",
)


def model(module: str) -> LibraryModel:
    """The model of one of :data:`MODULES`."""
    # start-up: a model is imported when a module names one of its callables
    from importlib import import_module

    return import_module(f"{__name__}.{module}").MODEL


def __getattr__(name: str) -> tuple[LibraryModel, ...]:
    """``MODELS``: every model, in :data:`MODULES`' order (the tests, the index's script)."""
    if name != "MODELS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return tuple(model(module) for module in MODULES)
