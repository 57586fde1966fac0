"""authsweep: find and fix Python code and config that logs in to Microsoft 365 mail with
basic auth or broken TLS settings.

The code lives in the subpackages (``authsweep.scanner``, ``authsweep.rules``,
``authsweep.lab``); this package only starts the command line (the ``authsweep`` script
and ``python -m authsweep``)."""

import atexit
import gc
import os
import sys


def main() -> None:
    """The ``authsweep`` command. The cyclic garbage collector is paused before the command
    line is imported: start-up allocates only what lives until exit (modules, classes,
    functions), which its collections would traverse again and again to free nothing.
    :func:`authsweep.scanner.cli.main` starts it again once the command is imported. The
    package's modules are found from one listing of each of their folders
    (:mod:`authsweep.scanner.own_modules`) and loaded from one file that keeps their code
    (:mod:`authsweep.scanner.module_cache`); the dataclasses' methods compiled in an earlier
    run are used again (:mod:`authsweep.scanner.method_cache`), and so are the regular
    expressions compiled on first use (:mod:`authsweep.scanner.pattern_cache`);
    ``urllib.parse`` comes without ``ipaddress`` (:mod:`authsweep.scanner.stand_ins`). When the
    command is over, the process ends without tearing the interpreter down
    (:func:`_end_now`)."""
    gc.disable()
    # Here, not at the top: `import authsweep` (the lab's pytest plugin, tests) changes
    # no import machinery.
    from authsweep.scanner.own_modules import install as find_own_modules

    command = sys.argv[1] if len(sys.argv) > 1 else ""
    kept = None
    if not command.startswith("-"):  # a command's name: its modules are kept in one file
        # Here, not at the top: `import authsweep` (the lab's pytest plugin, tests)
        # changes no import machinery.
        from authsweep.scanner.module_cache import install as keep_modules

        kept = keep_modules(os.path.dirname(__file__), command)
    # before the package's modules are imported
    find_own_modules(__name__, kept.loader if kept is not None else None)
    if not command.startswith("-"):  # a command's name: it makes dataclasses
        # Here, not at the top: `import authsweep` (the lab's pytest plugin, tests) loads no
        # CLI; and `--version` no dataclasses.
        from authsweep.scanner.method_cache import install
        from authsweep.scanner.pattern_cache import install as keep_patterns

        install(os.path.dirname(__file__), command)  # before the first dataclass is made
        keep_patterns(os.path.dirname(__file__), command)  # compiled regular expressions
    # `urllib.parse` (which `pathlib` imports) without `ipaddress` until it checks a host
    # written in brackets (authsweep.scanner.stand_ins): about 5 M instructions
    from authsweep.scanner.stand_ins import import_deferring

    import_deferring("urllib.parse", "ipaddress")
    # start-up: after the method cache, so that the command's dataclasses find it
    from authsweep.scanner.cli import main as run_command_line

    try:
        run_command_line()
    except SystemExit as done:
        _end_now(done.code)
        raise


def _end_now(code: object) -> None:
    """End the process with ``code`` as the interpreter would, less its teardown: freeing
    every module and every object one by one, about 9 ms of a pre-commit hook's run
    (Django's three mail files: 0.21 s) for memory the process gives back anyway. What
    the interpreter does first is done here too: the ``atexit`` functions (worker pools,
    temporary folders, logging) run and both streams are flushed. Returns, and the
    interpreter ends the process itself, when anything else could still happen at exit:
    a thread that is not a daemon (the interpreter waits for it), a flush that fails (the
    interpreter reports it), or an exit status that is a message to print."""
    if code is None:
        code = 0
    if not isinstance(code, int) or not 0 <= code <= 255:
        return
    threading = sys.modules.get("threading")
    if threading is not None and any(
        not thread.daemon
        for thread in threading.enumerate()
        if thread is not threading.main_thread()
    ):
        return
    atexit._run_exitfuncs()  # CPython's own call at exit; it empties the list
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None without a console (pythonw)
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
