"""Whether a module of the project, checked itself, reports a secret written at a line of
it. Asked of a config module whose password a setting's name (``MAIL_PASSWORD``) leaves
to its settings reader, which reports it or not by the group around it (no host beside
it: nothing); the answer is the module's own analysis, made by the front end and passed
in (as the summaries' is: the imports cannot import the analysis)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import inputs
from ..model import Connection, MailFile
from ..providers import host_provider

Analyze = Callable[[str, bytes], MailFile]
_MAX_MODULE_BYTES = 1024 * 1024
_KEPT = 64  # modules whose answers are kept (a process checks one project)


class OwnCheck:
    def __init__(self, analyze: Analyze) -> None:
        self._analyze = analyze
        self._lines: dict[tuple[Path, bytes], frozenset[int]] = {}
        self._running: set[Path] = set()

    def reports_secret_at(self, path: Path, line: int) -> bool:
        """Whether the module's own check reports a secret whose literal is at ``line``.
        A module being analysed already (two config modules importing each other) is taken
        to report it, as the importer guessed before asking."""
        data = inputs.read(path, _MAX_MODULE_BYTES)
        if data is None or path in self._running:
            return True
        key = (path, data)
        lines = self._lines.get(key)
        if lines is None:
            self._running.add(path)
            try:
                lines = _secret_lines(self._analyze(str(path), data))
            finally:
                self._running.discard(path)
            if len(self._lines) >= _KEPT:
                self._lines.clear()
            self._lines[key] = lines
        return line in lines


def _secret_lines(mail: MailFile) -> frozenset[int]:
    """The lines of the literals the module reports as secrets: its settings' and
    scripts' secrets, and the passwords of its logins to a host AS105 reports (a
    Microsoft one, or one it cannot tell: not ``localhost``, Flask-Mail's default, nor
    another provider's)."""
    spans = [use.value.literal_span or use.span for use in mail.secrets]
    spans += [
        step.secret.literal_span
        for conn in mail.connections
        if _reported_host(conn)
        for step in conn.steps
    ]
    return frozenset(span.line for span in spans if span is not None)


def _reported_host(conn: Connection) -> bool:
    provider = host_provider(conn.host)
    return provider is None or provider.placeholder or provider.microsoft
