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
    owned = False  # the command line paused it: the process is the command's

    def pause(self) -> None:
        self.paused = self.owned = True
        gc.disable()

    def over(self) -> None:
        """End start-up, if it is not over yet."""
        if not self.paused:
            return
        self.paused = False
        gc.freeze()
        gc.enable()

    def loaded(self) -> None:
        """A front end's modules were imported for the first file of their kind, after
        start-up (about 125 modules: the Python front end, its adapters and models, for a
        pre-commit hook's first Python file): they live until exit, as start-up's own, and
        are frozen too, before the file's analysis allocates, so that the collection after
        that file does not traverse them (about 16,000 objects). Only in a process the
        command owns: in-process callers' objects are left alone."""
        if self.owned:
            gc.freeze()


start_up = StartUp()
