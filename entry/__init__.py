"""authsweep: find and fix Python code and config that logs in to Microsoft 365 mail with
basic auth or broken TLS settings.

The code lives in the subpackages (``authsweep.scanner``, ``authsweep.rules``,
``authsweep.lab``); this package only starts the command line (the ``authsweep`` script
and ``python -m authsweep``)."""

import gc


def main() -> None:
    """The ``authsweep`` command. The cyclic garbage collector is paused before the command
    line is imported: start-up allocates only what lives until exit (modules, classes,
    functions), which its collections would traverse again and again to free nothing.
    :func:`authsweep.scanner.cli.main` starts it again once the command is imported."""
    gc.disable()
    # Here, not at the top: `import authsweep` (the lab's pytest plugin, tests) loads no CLI.
    from authsweep.scanner.cli import main as run_command_line

    run_command_line()
