"""Standard output that cannot be written, for every command.

A closed pipe (``authsweep check . | head -1``) ends the run quietly with the status a
shell shows for a tool that SIGPIPE ended (141), as ``cat`` or ``grep`` end; any other
failure to write (a full disk, an I/O error) is one line on stderr and exit 2, with
``--exit-zero`` too: a report that was not written must not pass for one that was.
Never a traceback. Output still buffered when the run ends is written inside the guard,
so a failure at that last flush is caught like any other.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

EXIT_ERROR = 2


@contextmanager
def output_failures() -> Iterator[None]:
    try:
        try:
            yield
        finally:
            sys.stdout.flush()
    except OSError as error:
        # A stream's write or flush fails without a file name; an error with one comes
        # from elsewhere and is not ours to explain.
        if error.filename is not None:
            raise
        _discard_stdout()
        if error.errno == errno.EPIPE:
            # start-up: `signal` (its enums: about 3 M instructions) only for a closed pipe
            import signal

            raise SystemExit(128 + signal.SIGPIPE) from None
        try:
            sys.stderr.write(f"authsweep: error: cannot write the output: {error.strerror}\n")
            sys.stderr.flush()
        except OSError:
            pass  # stderr is gone too: the exit status is all that is left
        raise SystemExit(EXIT_ERROR) from None


def _discard_stdout() -> None:
    """Point stdout at the null device: what is still buffered, and the interpreter's
    flush at exit, go nowhere instead of failing again ("Exception ignored ...")."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass  # stdout is not a file descriptor (a test's capture): nothing to flush at exit
