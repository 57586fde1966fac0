"""A parameter's value is worked out once per module: a reconnecting client passes each
of its parameters back to its own ``__init__`` through a dict of them, and resolving
every parameter through every other used to take time exponential in their number (a
real 590-line IMAP client took over 60 s and was skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.python.values import Evaluator
from authsweep.scanner.runner import check_paths

OPTIONS = [f"option_{i}" for i in range(14)]
STEPS_ALLOWED = 20_000


def reconnecting_client() -> str:
    defaults = ", ".join(f"{name}={i}" for i, name in enumerate(OPTIONS))
    saved = ", ".join(f"'{name}': {name}" for name in OPTIONS)
    passed_back = ", ".join(f"{name}=self._init_args['{name}']" for name in OPTIONS)
    return (
        "import os\n"
        "import imapclient\n"
        "\n"
        "\n"
        "class Client:\n"
        f"    def __init__(self, host, username=None, password=None, {defaults}):\n"
        "        self._init_args = {'host': host, 'username': username,\n"
        f"                           'password': password, {saved}}}\n"
        "        self.server = imapclient.IMAPClient(host, port=993)\n"
        "        self.server.login(username, password)\n"
        "\n"
        "    def reset_connection(self):\n"
        "        self.__init__(self._init_args['host'], self._init_args['username'],\n"
        f"                      self._init_args['password'], {passed_back})\n"
        "\n"
        "\n"
        "client = Client('outlook.office365.com', 'me@contoso.com', os.environ['PW'])\n"
    )


def test_a_reconnecting_client_is_resolved_in_few_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = 0
    evaluate = Evaluator.evaluate

    def counted(self: Evaluator, node: object, depth: int = 0) -> object:
        nonlocal steps
        steps += 1
        if steps > STEPS_ALLOWED:
            raise AssertionError(f"more than {STEPS_ALLOWED} evaluations")
        return evaluate(self, node, depth)  # type: ignore[arg-type]

    monkeypatch.setattr(Evaluator, "evaluate", counted)
    module = tmp_path / "client.py"
    module.write_text(reconnecting_client())
    run = check_paths([str(module)], RunOptions(), jobs=1)
    assert not run.errors
    logins = [f for f in run.findings if f.rule == "AS102"]
    assert [f.span.line for f in logins] == [10]
    assert "IMAP password login" in logins[0].message
