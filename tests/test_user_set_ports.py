"""AS201 on an implicit-TLS arm the user picks (``if use_ssl: SMTP_SSL(host, port)``):
a port the user sets (a parameter, a setting, the environment) whose default 587 serves
the plain arm is theirs to give on the other; a port the code commits, or Microsoft's
host, is reported. An arm that returns inside a ``with`` is such an arm."""

from __future__ import annotations

from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import check_source

ARMS = """
import os, smtplib, ssl

class Channel:
    def __init__(self, cfg: dict):
        self.host = {host}
        self.port = {port}
        self.use_ssl = bool(cfg.get("ssl", False))

    def send(self, msg):
        context = ssl.create_default_context()
        if self.use_ssl:
            with smtplib.SMTP_SSL(self.host, self.port, context=context) as server:
                return self.deliver(server, msg)
        with smtplib.SMTP(self.host, self.port) as server:
            server.starttls(context=context)
            return self.deliver(server, msg)

    def deliver(self, server, msg):
        server.login("user", os.environ["PW"])
        server.send_message(msg)


def build(config: dict) -> Channel:
    return Channel(config.get("email", {{}}))
"""


def lines_of_as201(host: str, port: str) -> list[int]:
    code = ARMS.format(host=host, port=port)
    result = check_source("notify.py", "python", code.encode(), [r() for r in ALL_RULES])
    assert not result.errors
    return [f.span.line for f in result.findings if f.rule == "AS201"]


def test_a_setting_or_the_environment_gives_the_port() -> None:
    assert lines_of_as201('cfg.get("host")', 'int(cfg.get("port", 587))') == []
    assert lines_of_as201('cfg.get("host")', 'int(os.environ.get("SMTP_PORT", "587"))') == []


def test_a_committed_port_or_microsoft_s_host_is_reported() -> None:
    assert lines_of_as201('cfg.get("host")', "587") == [13]
    assert lines_of_as201('"smtp.office365.com"', 'int(cfg.get("port", 587))') == [13]
