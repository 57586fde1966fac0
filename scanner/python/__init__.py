"""The Python front end."""

from __future__ import annotations

from functools import lru_cache

from ..model import MailFile
from ..text import Source


@lru_cache(maxsize=1)
def _front_end():
    from .frontend import PythonFrontEnd

    return PythonFrontEnd()


def analyze_python(path: str, source: Source) -> MailFile:
    return _front_end().analyze(path, source)
