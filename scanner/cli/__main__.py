"""``python -m authsweep.scanner.cli``."""

from . import main

main()
