"""Errors shared by the front ends."""

from __future__ import annotations


class ParseError(Exception):
    """The file is not something its front end can parse (bad syntax, bad encoding), with
    the 1-based line and column the parser points at when it says."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
