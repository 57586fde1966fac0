"""Library adapters of the Python front end, one module per library family."""

from __future__ import annotations

from .base import Adapter
from .stdlib import IMAPLIB, POPLIB, SMTPLIB

ADAPTERS: tuple[Adapter, ...] = (SMTPLIB, IMAPLIB, POPLIB)
