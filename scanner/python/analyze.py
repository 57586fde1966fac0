"""A Python module analysed by the front end, which is made once per process."""

from __future__ import annotations

from functools import lru_cache

from ..model import MailFile
from ..text import Source
from .frontend import PythonFrontEnd


@lru_cache(maxsize=1)
def _front_end() -> PythonFrontEnd:
    return PythonFrontEnd()


def analyze_python(path: str, source: Source) -> MailFile:
    return _front_end().analyze(path, source)
