"""The garbage collector during a process's start-up, shared by the command line's two
readers (click's group and :mod:`authsweep.scanner.cli.fast`) and the runner, which ends
start-up when it starts on the files."""

from __future__ import annotations

import gc


class StartUp:
    """The garbage collector during a process's start-up (:func:`authsweep.scanner.cli.main`),
    which allocates only what lives until exit (modules, classes, functions, click's
    objects): collections would traverse it again and again to free nothing. Paused until
    the work begins: for click's commands when the command's module is imported, for the
    fast reader's ``check`` when the runner starts on the files (the scanner, the rules and
    the reports are imported by then: about 150 modules the command imports when it runs).
    Then what start-up made is frozen, so that no later collection traverses it (the
    interpreter's last one at exit included). Only the command line's ``main``, which owns
    the process, pauses it; the app run in-process (tests) leaves the collector alone."""

    paused = False

    def pause(self) -> None:
        self.paused = True
        gc.disable()

    def over(self) -> None:
        """End start-up, if it is not over yet."""
        if not self.paused:
            return
        self.paused = False
        gc.freeze()
        gc.enable()


start_up = StartUp()
