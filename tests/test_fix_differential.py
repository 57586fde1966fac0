"""Differential testing of `fix --unsafe-fixes` against the lab.

Hypothesis writes legacy mail programs over the shapes real code has (SMTP or SMTP_SSL;
IMAP4_SSL readers;
ports 25, 465, 587 or the default, written in the call, in a settings dict or as a
parameter default; STARTTLS before the login, after it, missing, only when a flag is
set, or twice; the login in both arms of an if; a try that falls back from SMTP_SSL to
SMTP; the connection held on ``self`` across methods; ``connect()`` after a bare
constructor). Each program runs on each of its paths (the flag picks the branch) in this
process against the loopback Exchange Online (``ExchangeSim.redirect()``), before and
after the fixer rewrites it. Before: nothing is delivered (Microsoft refuses the
password, or worse). After: every path delivers, or ``check`` still reports the file
(no fix written for that path, and the finding says so). The rewrite also compiles, a
second run changes nothing, and no rule reports more than before.

300 programs a run (SMTP senders and IMAP readers), derandomized so CI is repeatable;
marked ``slow``: about 50 s on a 2-core machine (28 s of CPU).
A failure shows the program (``note``) and Hypothesis's seed to replay it.
"""

from __future__ import annotations

import imaplib
import smtplib
import ssl
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from authsweep.lab import ExchangeSim
from authsweep.scanner.engine import Settings, check_source, selected_rules
from authsweep.scanner.fixer import fix_source
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

USER = "reports@contoso.com"
RECIPIENT = "team@contoso.com"
RULES = selected_rules(Settings())
PROGRAMS = 300


@dataclass(frozen=True)
class Shape:
    client: str  # "SMTP", "SMTP_SSL"
    port: int | None  # None: the client's default
    port_from: str  # "call", "dict", "param"
    upgrade: str  # "before", "after", "absent", "conditional", "twice"
    login: str  # "plain", "branches"
    holder: str  # "local", "with", "self"
    fallback: bool  # try SMTP_SSL(465) first, then this client
    connect_later: bool  # a bare constructor, then connect(host, port)
    hello: bool  # an ehlo() after opening


shapes = st.builds(
    Shape,
    client=st.sampled_from(["SMTP", "SMTP_SSL"]),
    port=st.sampled_from([25, 465, 587, None]),
    port_from=st.sampled_from(["call", "dict", "param"]),
    upgrade=st.sampled_from(["before", "after", "absent", "conditional", "twice"]),
    login=st.sampled_from(["plain", "branches"]),
    holder=st.sampled_from(["local", "with", "self"]),
    fallback=st.booleans(),
    connect_later=st.booleans(),
    hello=st.booleans(),
)


@dataclass(frozen=True)
class ImapShape:
    port: int | None  # 993 or the default
    context: bool  # a verifying ssl_context
    holder: str  # "local", "with"
    branches: bool  # the login in both arms of an if


imap_shapes = st.builds(
    ImapShape,
    port=st.sampled_from([993, None]),
    context=st.booleans(),
    holder=st.sampled_from(["local", "with"]),
    branches=st.booleans(),
)


def imap_program(shape: ImapShape) -> str:
    """A mailbox reader with this shape; ``send(flag)`` reads the inbox."""
    arguments = ['"outlook.office365.com"']
    if shape.port:
        arguments.append(str(shape.port))
    if shape.context:
        arguments.append("ssl_context=ssl.create_default_context()")
    opening = f"imaplib.IMAP4_SSL({', '.join(arguments)})"
    logins = (
        [
            "if flag:",
            "    imap.login(USER, PASSWORD)",
            "else:",
            "    imap.login(USER.lower(), PASSWORD)",
        ]
        if shape.branches
        else ["imap.login(USER, PASSWORD)"]
    )
    steps = [*logins, 'imap.select("INBOX")', "imap.logout()"]
    if shape.holder == "with":
        body = [f"    with {opening} as imap:", *("        " + step for step in steps)]
    else:
        body = [f"    imap = {opening}", *("    " + step for step in steps)]
    header = ["import imaplib", "import ssl", "", f'USER = "{USER}"', 'PASSWORD = "pw"', ""]
    return "\n".join([*header, "def send(flag):", *body]) + "\n"


def program(shape: Shape) -> str:
    """The source of a legacy sender with this shape; ``send(flag)`` runs one path."""
    port = "" if shape.port is None else str(shape.port)
    if shape.port_from == "dict" and port:
        port_expr, header = 'CONFIG["port"]', f'CONFIG = {{"host": HOST, "port": {port}}}\n'
    elif shape.port_from == "param" and port:
        port_expr, header = "port", ""
    else:
        port_expr, header = port, ""
    signature = "flag, port=" + port if port_expr == "port" else "flag"
    bare = shape.connect_later and not shape.fallback and shape.holder != "with"
    opening = f"smtplib.{shape.client}(timeout=10)" if bare else _open(shape.client, port_expr)
    receiver = "self.smtp" if shape.holder == "self" else "server"
    steps: list[str] = []
    if bare:
        # In a class, send() reaches the port its constructor was given through self.
        later = "self.port" if shape.holder == "self" and port_expr == "port" else port_expr
        steps.append(f"{receiver}.connect(HOST{', ' + later if later else ''})")
    if shape.hello:
        steps.append(f"{receiver}.ehlo()")
    upgrade = f"{receiver}.starttls(context=ssl.create_default_context())"
    if shape.upgrade in ("before", "twice"):
        steps.append(upgrade)
    if shape.upgrade == "twice":
        steps.append(upgrade)
    if shape.upgrade == "conditional":
        steps += ["if flag:", f"    {upgrade}"]
    if shape.login == "branches":
        steps += [
            "if flag:",
            f"    {receiver}.login(USER, PASSWORD)",
            "else:",
            f"    {receiver}.login(USER.lower(), PASSWORD)",
        ]
    else:
        steps.append(f"{receiver}.login(USER, PASSWORD)")
    if shape.upgrade == "after":
        steps.append(upgrade)
    steps += [
        f'{receiver}.sendmail(USER, ["{RECIPIENT}"], "Subject: Report\\r\\n\\r\\nDone.\\r\\n")',
        f"{receiver}.quit()",
    ]
    lines = [
        "import smtplib",
        "import ssl",
        "",
        'HOST = "smtp.office365.com"',
        f'USER = "{USER}"',
        'PASSWORD = "Correct-Horse-9"',
        header,
    ]
    if shape.holder == "self":
        lines += [
            "class Mailer:",
            f"    def __init__(self, {signature}):",
            *(["        self.port = port"] if port_expr == "port" else []),
            *_opened("self.smtp", opening, shape, "        "),
            "",
            "    def send(self, flag):",
            *("        " + step for step in steps),
            "",
            "",
            f"def send({signature}):",
            "    Mailer(" + ("flag, port" if port_expr == "port" else "flag") + ").send(flag)",
        ]
    elif shape.holder == "with" and not shape.fallback:
        lines += [
            f"def send({signature}):",
            f"    with {opening} as server:",
            *("        " + step for step in steps),
        ]
    else:
        lines += [
            f"def send({signature}):",
            *_opened("server", opening, shape, "    "),
            *("    " + step for step in steps),
        ]
    return "\n".join(lines) + "\n"


def _open(client: str, port_expr: str) -> str:
    return f"smtplib.{client}(HOST{', ' + port_expr if port_expr else ''}, timeout=10)"


def _opened(receiver: str, opening: str, shape: Shape, indent: str) -> list[str]:
    if not shape.fallback:
        return [f"{indent}{receiver} = {opening}"]
    return [
        f"{indent}try:",
        f"{indent}    {receiver} = smtplib.SMTP_SSL(HOST, 465, timeout=10)",
        f"{indent}except OSError:",
        f"{indent}    {receiver} = {opening}",
    ]


@pytest.fixture(scope="module")
def lab() -> Iterator[ExchangeSim]:
    with ExchangeSim(mailboxes=[USER]) as sim, sim.redirect():
        yield sim


def delivers(sim: ExchangeSim, source: str, flag: bool) -> bool:
    """Run one path of the program in this process; whether its message arrived (for a
    reader: whether it read the mailbox)."""
    before = len(sim.messages) + len(sim.mailbox_reads)
    namespace: dict = {"__name__": "legacy_sender"}
    try:
        exec(compile(source, "legacy_sender.py", "exec"), namespace)
        namespace["send"](flag)
    except (OSError, smtplib.SMTPException, imaplib.IMAP4.error, ssl.SSLError, ValueError):
        return False
    # Recorded before the server answers DATA or SELECT.
    return len(sim.messages) + len(sim.mailbox_reads) > before


def reported(source: str) -> Counter[str]:
    checked = check_source("legacy_sender.py", "python", source.encode(), RULES)
    assert not checked.errors, checked.errors
    return Counter(f.rule for f in checked.findings)


@pytest.mark.slow
@settings(
    max_examples=PROGRAMS,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=shapes)
def test_fixed_programs_deliver_on_every_path_or_stay_reported(lab, shape: Shape) -> None:
    source = program(shape)
    note(f"program:\n{source}")
    paths = (
        (True, False) if shape.upgrade == "conditional" or shape.login == "branches" else (True,)
    )
    for flag in paths:
        assert not delivers(lab, source, flag), "a password login delivered before the fix"

    result = fix_source("legacy_sender.py", "python", source.encode(), Settings(), unsafe=True)
    assert result.error is None, result.error
    fixed = result.after
    note(f"fixed:\n{fixed}")
    compile(fixed, "legacy_sender.py", "exec")
    again = fix_source("legacy_sender.py", "python", fixed.encode(), Settings(), unsafe=True)
    assert again.after == fixed, "a second run changed the file"
    before, after = reported(source), reported(fixed)
    assert all(after[rule] <= before[rule] for rule in after), (before, after)
    for flag in paths:
        if not delivers(lab, fixed, flag):
            assert sum(after.values()), f"path flag={flag} fails, yet check reports nothing"
