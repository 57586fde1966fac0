"""Errors shared by the front ends."""

from __future__ import annotations


class ParseError(Exception):
    """The file is not something its front end can parse (bad syntax, bad encoding).

    ``line`` and ``column`` (1-based) say where the parser gave up, when it says so.
    """

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column
