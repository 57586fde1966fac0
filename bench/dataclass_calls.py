"""Which generated methods of authsweep's dataclasses a command calls.

    python bench/dataclass_calls.py --log calls.log -- python -m pytest -q -n 2
    python bench/dataclass_calls.py --log calls.log -- python bench/equivalence.py ...
    python bench/dataclass_calls.py --log calls.log --report

Creating a dataclass generates ``__init__`` and, unless told not to, ``__repr__``,
``__eq__`` and (frozen with ``eq``) ``__hash__``: each compiled from source when the class
is created, every process start (bench/RESULTS.md, issue 27's rounds). A class whose
``__eq__``, ``__hash__`` and ``__repr__`` nothing calls can do without them. This runs a
command (and every Python process it starts: the variable ``PYTHONPATH`` carries a
``sitecustomize`` module into them) with those methods of each authsweep dataclass
wrapped to note their first call in ``--log``, one line a class and method, appended;
``--report`` then lists each class created with the generated methods called, and those
with none. Runs add up in one log. A test that checks an existing ``sitecustomize``
(tests/test_exchange_sim.py) fails under it. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

WATCHED = ("__eq__", "__hash__", "__repr__")
CREATED = "created"
# Loaded by every Python process of the command; it imports only what dataclasses does.
SITECUSTOMIZE = """
import dataclasses, os

_process_class = dataclasses._process_class
_noted = set()
_log = os.environ["AUTHSWEEP_DATACLASS_LOG"]


def _note(name, method):
    if (name, method) not in _noted:
        _noted.add((name, method))
        with open(_log, "a") as out:  # one short line an append: whole lines
            out.write(f"{name} {method}\\n")


def _wrapped(function, name, method):
    def called(self, *args):
        _note(name, method)
        return function(self, *args)

    return called


def _process(cls, *args, **kwargs):
    made = _process_class(cls, *args, **kwargs)
    if made.__module__.startswith("authsweep."):
        name = f"{made.__module__}.{made.__qualname__}"
        _note(name, "created")
        for method in WATCHED:
            function = made.__dict__.get(method)
            if function is not None:
                setattr(made, method, _wrapped(function, name, method))
    return made


dataclasses._process_class = _process
"""


def run(log: Path, command: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "sitecustomize.py").write_text(f"WATCHED = {WATCHED!r}\n{SITECUSTOMIZE}")
        path = os.pathsep.join(p for p in (folder, os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "PYTHONPATH": path, "AUTHSWEEP_DATACLASS_LOG": str(log.resolve())}
        return subprocess.run(command, env=env, check=False).returncode


def report(log: Path) -> None:
    called: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        name, method = line.split()
        called.setdefault(name, set())
        if method != CREATED:
            called[name].add(method)
    unused = sorted(name for name, methods in called.items() if not methods)
    for name in sorted(set(called) - set(unused)):
        print(f"{name}: {', '.join(sorted(called[name]))}")
    print(f"\n{len(unused)} of {len(called)} classes: none of {', '.join(WATCHED)} called")
    for name in unused:
        print(f"  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--report", action="store_true", help="list what the log holds")
    parser.add_argument("command", nargs="*", help="the command to run (after --)")
    args = parser.parse_args()
    if args.report:
        report(args.log)
        return
    if not args.command:
        parser.error("a command to run, after --")
    sys.exit(run(args.log, args.command))


if __name__ == "__main__":
    main()
