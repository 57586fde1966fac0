"""Errors shared by the front ends."""

from __future__ import annotations


class ParseError(Exception):
    """The file is not something its front end can parse (bad syntax, bad encoding)."""
