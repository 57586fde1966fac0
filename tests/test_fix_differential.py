"""Differential testing of `fix --unsafe-fixes` against the lab.

Hypothesis writes legacy mail programs over the shapes real code has (SMTP or SMTP_SSL;
IMAP4_SSL readers; ports 25, 465, 587 or the default, written in the call, in a settings
dict, with the dict's SSL flag choosing the client, or as a parameter default a wrapper
passes on; STARTTLS before the login, after it, missing, only when a flag is set, or
twice, with a verifying context or without one; the login in both arms of an if; a try
that falls back from SMTP_SSL to SMTP; the connection held on ``self`` across methods;
``connect()`` after a constructor without a host; the host written in the code, set in
the project's ``.env``, or picked from a table of providers by an environment variable;
the password written in the code, read from the environment into a module constant, or
passed in as an argument). Each program runs on each of its paths (the flag picks the
branch) in this process against the loopback Exchange Online (``ExchangeSim.redirect()``),
before and after the fixer rewrites it (the module it adds written beside it). Before:
nothing is delivered (Microsoft refuses the password, or worse). After, **with the
password variable unset**: every path delivers, or ``check`` still reports a finding at
the line where that path failed, of a rule that explains the failure. The rewrite also
compiles, a second run changes nothing, and no rule reports more than before.

100 SMTP senders (300 under ``--hypothesis-profile thorough``: tests/conftest.py) and 60
IMAP readers a run, derandomized so CI is repeatable; marked ``slow``. A failure shows the
program (``note``) and Hypothesis's seed to replay it.
"""

from __future__ import annotations

import imaplib
import os
import smtplib
import ssl
import sys
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from authsweep.lab import ExchangeSim
from authsweep.scanner.engine import RunOptions, check_source, selected_rules
from authsweep.scanner.fixes.outcome import FileFix
from authsweep.scanner.fixes.rounds import fix_source
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

USER = "reports@contoso.com"
RECIPIENT = "team@contoso.com"
SECRET = "Correct-Horse-9"
RULES = selected_rules(RunOptions())
READERS = 60
NAME = "legacy_sender.py"

# The rules whose finding explains a failure of this kind at the line it happened.
EXPLAINS = {
    smtplib.SMTPAuthenticationError: {"AS101", "AS203"},
    smtplib.SMTPNotSupportedError: {"AS203", "AS101"},
    smtplib.SMTPServerDisconnected: {"AS201", "AS202", "AS203", "AS207"},
    smtplib.SMTPException: {"AS101", "AS203", "AS206", "AS207"},
    imaplib.IMAP4.error: {"AS102"},
    ssl.SSLError: {"AS201", "AS202", "AS204", "AS206"},
    ValueError: {"AS204"},
    OSError: {"AS201", "AS202"},
}


@dataclass(frozen=True)
class Shape:
    client: str  # "SMTP", "SMTP_SSL"
    port: int | None  # None: the client's default
    port_from: str  # "call", "dict", "param"
    flag_picks_client: bool  # with a dict port: its "use_ssl" picks SMTP_SSL or SMTP
    upgrade: str  # "before", "after", "absent", "conditional", "twice"
    context: bool  # STARTTLS with a verifying context (else the stdlib's default)
    login: str  # "plain", "branches"
    holder: str  # "local", "with", "self"
    fallback: bool  # try SMTP_SSL(465) first, then this client
    connect_later: bool  # a constructor without a host, then connect(host, port)
    hello: bool  # an ehlo() after opening
    host_from: str  # "literal", "dotenv", "providers"
    secret_from: str  # "literal", "env_constant", "argument"


shapes = st.builds(
    Shape,
    client=st.sampled_from(["SMTP", "SMTP_SSL"]),
    port=st.sampled_from([25, 465, 587, None]),
    port_from=st.sampled_from(["call", "dict", "param"]),
    flag_picks_client=st.booleans(),
    upgrade=st.sampled_from(["before", "after", "absent", "conditional", "twice"]),
    context=st.booleans(),
    login=st.sampled_from(["plain", "branches"]),
    holder=st.sampled_from(["local", "with", "self"]),
    fallback=st.booleans(),
    connect_later=st.booleans(),
    hello=st.booleans(),
    host_from=st.sampled_from(["literal", "dotenv", "providers"]),
    secret_from=st.sampled_from(["literal", "env_constant", "argument"]),
)


@dataclass(frozen=True)
class ImapShape:
    port: int | None  # 993 or the default
    context: bool  # a verifying ssl_context
    holder: str  # "local", "with"
    branches: bool  # the login in both arms of an if
    secret_from: str  # "literal", "env_constant", "argument"


imap_shapes = st.builds(
    ImapShape,
    port=st.sampled_from([993, None]),
    context=st.booleans(),
    holder=st.sampled_from(["local", "with"]),
    branches=st.booleans(),
    secret_from=st.sampled_from(["literal", "env_constant", "argument"]),
)


def _secret(secret_from: str) -> tuple[list[str], str, str, str]:
    """The module lines that hold the password, the name the login uses, and the
    parameter and argument ``run`` passes it as (empty unless it is an argument)."""
    if secret_from == "literal":
        return [f'PASSWORD = "{SECRET}"'], "PASSWORD", "", ""
    if secret_from == "env_constant":
        return ['PASSWORD = os.environ["MAIL_PASSWORD"]'], "PASSWORD", "", ""
    return [], "password", ", password", ', os.environ["MAIL_PASSWORD"]'


def imap_program(shape: ImapShape) -> str:
    """A mailbox reader with this shape; ``run(flag)`` reads the inbox."""
    arguments = ['"outlook.office365.com"']
    if shape.port:
        arguments.append(str(shape.port))
    if shape.context:
        arguments.append("ssl_context=ssl.create_default_context()")
    opening = f"imaplib.IMAP4_SSL({', '.join(arguments)})"
    secret, password, param, argument = _secret(shape.secret_from)
    logins = (
        [
            "if flag:",
            f"    imap.login(USER, {password})",
            "else:",
            f"    imap.login(USER.lower(), {password})",
        ]
        if shape.branches
        else [f"imap.login(USER, {password})"]
    )
    steps = [*logins, 'imap.select("INBOX")', "imap.logout()"]
    if shape.holder == "with":
        body = [f"    with {opening} as imap:", *("        " + step for step in steps)]
    else:
        body = [f"    imap = {opening}", *("    " + step for step in steps)]
    header = ["import imaplib", "import os", "import ssl", "", f'USER = "{USER}"', *secret, ""]
    run = ["", "", "def run(flag):", f"    read(flag{argument})"]
    return "\n".join([*header, f"def read(flag{param}):", *body, *run]) + "\n"


def _host_lines(host_from: str) -> list[str]:
    if host_from == "dotenv":
        return ['HOST = os.environ["MAILER_HOST"]']
    if host_from == "providers":
        return [
            'PROVIDERS = {"gmail": "smtp.gmail.com", "office365": "smtp.office365.com"}',
            'HOST = PROVIDERS[os.environ["MAIL_PROVIDER"]]',
        ]
    return ['HOST = "smtp.office365.com"']


def program(shape: Shape) -> str:
    """The source of a legacy sender with this shape; ``run(flag)`` runs one path."""
    port = "" if shape.port is None else str(shape.port)
    picks = (
        shape.flag_picks_client
        and shape.port_from == "dict"
        and bool(port)
        and shape.holder == "local"
        and not shape.fallback
        and not shape.connect_later
    )
    if shape.port_from == "dict" and port:
        flag = f', "use_ssl": {shape.client == "SMTP_SSL"}' if picks else ""
        port_expr, config = 'CONFIG["port"]', [f'CONFIG = {{"port": {port}{flag}}}']
    elif shape.port_from == "param" and port:
        port_expr, config = "port", []
    else:
        port_expr, config = port, []
    secret, password, param, argument = _secret(shape.secret_from)
    wrapped = port_expr == "port"
    signature = f"flag{param}" + (f", port={port}" if wrapped else "")
    bare = shape.connect_later and not shape.fallback and shape.holder != "with"
    opening = f"smtplib.{shape.client}(timeout=10)" if bare else _open(shape.client, port_expr)
    receiver = "self.smtp" if shape.holder == "self" else "server"
    steps: list[str] = []
    if bare:
        # In a class, send() reaches the port its constructor was given through self.
        later = "self.port" if shape.holder == "self" and wrapped else port_expr
        steps.append(f"{receiver}.connect(HOST{', ' + later if later else ''})")
    if shape.hello:
        steps.append(f"{receiver}.ehlo()")
    # A verifying STARTTLS on a client made without a host never worked (smtplib has no host
    # to check the certificate against): legacy code that ran upgraded without a context.
    verifying = shape.context and not bare
    context = "context=ssl.create_default_context()" if verifying else ""
    upgrade = f"{receiver}.starttls({context})"
    if shape.upgrade in ("before", "twice"):
        steps.append(upgrade)
    if shape.upgrade == "twice":
        steps.append(upgrade)
    if shape.upgrade == "conditional":
        steps += ["if flag:", f"    {upgrade}"]
    if shape.login == "branches":
        steps += [
            "if flag:",
            f"    {receiver}.login(USER, {password})",
            "else:",
            f"    {receiver}.login(USER.lower(), {password})",
        ]
    else:
        steps.append(f"{receiver}.login(USER, {password})")
    if shape.upgrade == "after":
        steps.append(upgrade)
    steps += [
        f'{receiver}.sendmail(USER, ["{RECIPIENT}"], "Subject: Report\\r\\n\\r\\nDone.\\r\\n")',
        f"{receiver}.quit()",
    ]
    lines = [
        "import os",
        "import smtplib",
        "import ssl",
        "",
        *_host_lines(shape.host_from),
        f'USER = "{USER}"',
        *secret,
        *config,
        "",
    ]
    passed = "flag" + (", password" if param else "")
    if shape.holder == "self":
        init = "flag" + (f", port={port}" if wrapped else "")
        lines += [
            "class Mailer:",
            f"    def __init__(self, {init}):",
            *(["        self.port = port"] if wrapped else []),
            *_opened("self.smtp", opening, shape, "        "),
            "",
            f"    def send(self, {passed}):",
            *("        " + step for step in steps),
            "",
            "",
            f"def send({signature}):",
            "    Mailer(" + ("flag, port" if wrapped else "flag") + f").send({passed})",
        ]
    elif shape.holder == "with" and not shape.fallback:
        lines += [
            f"def send({signature}):",
            f"    with {opening} as server:",
            *("        " + step for step in steps),
        ]
    elif picks:
        lines += [
            f"def send({signature}):",
            '    if CONFIG["use_ssl"]:',
            f"        server = {_open('SMTP_SSL', port_expr)}",
            "    else:",
            f"        server = {_open('SMTP', port_expr)}",
            *("    " + step for step in steps),
        ]
    else:
        lines += [
            f"def send({signature}):",
            *_opened("server", opening, shape, "    "),
            *("    " + step for step in steps),
        ]
    lines += ["", "", "def run(flag):", f"    send(flag{argument})"]
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
    saved = {k: os.environ.get(k) for k in ("MAIL_PASSWORD", "MAILER_HOST", "MAIL_PROVIDER")}
    os.environ["MAILER_HOST"] = "smtp.office365.com"  # what load_dotenv() would set
    os.environ["MAIL_PROVIDER"] = "office365"
    with ExchangeSim(mailboxes=[USER]) as sim, sim.redirect():
        yield sim
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@dataclass(frozen=True)
class Run:
    delivered: bool
    line: int | None = None  # where the program failed
    error: type[BaseException] | None = None


def run(sim: ExchangeSim, folder: Path, source: str, flag: bool, *, password: bool) -> Run:
    """Run one path of the program in this process, with or without the password in the
    environment; whether its message arrived (for a reader: whether it read the mailbox)
    and, if not, the line it failed at."""
    before = len(sim.messages) + len(sim.mailbox_reads)
    if password:
        os.environ["MAIL_PASSWORD"] = SECRET
    else:
        os.environ.pop("MAIL_PASSWORD", None)
    namespace: dict = {"__name__": "legacy_sender"}
    sys.path.insert(0, str(folder))
    try:
        exec(compile(source, NAME, "exec"), namespace)
        namespace["run"](flag)
    except (OSError, smtplib.SMTPException, imaplib.IMAP4.error, ValueError, KeyError) as error:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == NAME]
        return Run(False, frames[-1].lineno if frames else None, type(error))
    finally:
        sys.path.remove(str(folder))
    # Recorded before the server answers DATA or SELECT.
    return Run(len(sim.messages) + len(sim.mailbox_reads) > before)


def fixed(folder: Path, source: str) -> FileFix:
    """The program fixed where it is (the modules the fix adds written beside it)."""
    path = folder / NAME
    path.write_text(source)
    result = fix_source(
        str(path), "python", source.encode(), RunOptions(), unsafe=True, location=path
    )
    for created in result.created:
        if not created.path.exists():
            created.path.write_text(created.content)
    sys.modules.pop("mail_oauth2_token", None)  # the one beside this program
    return result


def findings(folder: Path, source: str) -> list:
    checked = check_source(str(folder / NAME), "python", source.encode(), RULES)
    assert not checked.errors, checked.errors
    return checked.findings


def explained(failed: Run, left: list) -> bool:
    """Whether a finding left after the fix is at the line where the path failed, of a
    rule that explains that failure."""
    rules = next((r for kind, r in EXPLAINS.items() if issubclass(failed.error, kind)), set())
    return any(f.span.line == failed.line and f.rule in rules for f in left)


def check_migration(
    lab: ExchangeSim, tmp: Path, source: str, paths: tuple[bool, ...], *, keeps_password: bool
) -> None:
    """Before the fix no path delivers; after it every path delivers without the password
    in the environment (with it, for a program whose other provider still logs in with
    it), or a finding left explains where it fails."""
    (tmp / ".env").write_text("MAILER_HOST=smtp.office365.com\n")
    for flag in paths:
        outcome = run(lab, tmp, source, flag, password=True)
        assert not outcome.delivered, "a password login delivered before the fix"
    result = fixed(tmp, source)
    assert result.error is None, result.error
    after = result.after
    note(f"fixed:\n{after}")
    compile(after, NAME, "exec")
    path = tmp / NAME
    again = fix_source(
        str(path), "python", after.encode(), RunOptions(), unsafe=True, location=path
    )
    assert again.after == after, "a second run changed the file"
    old = Counter(f.rule for f in findings(tmp, source))
    left = findings(tmp, after)
    new = Counter(f.rule for f in left)
    assert all(new[rule] <= old[rule] for rule in new), (old, new)
    for flag in paths:
        outcome = run(lab, tmp, after, flag, password=keeps_password)
        if not outcome.delivered:
            assert outcome.error is not None, f"path flag={flag} ran but sent nothing"
            where = [(f.rule, f.span.line) for f in left]
            assert explained(outcome, left), (
                f"path flag={flag} fails ({outcome.error.__name__} at line {outcome.line}), "
                f"and no finding of check explains it there: {where}"
            )


@pytest.mark.slow
@settings(  # max_examples from the profile: 100, or 300 under "thorough"
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=shapes)
def test_fixed_senders_deliver_on_every_path_or_stay_reported(
    lab, tmp_path_factory, shape: Shape
) -> None:
    source = program(shape)
    note(f"program:\n{source}")
    paths = (
        (True, False) if shape.upgrade == "conditional" or shape.login == "branches" else (True,)
    )
    folder = tmp_path_factory.mktemp("sender")
    # Gmail's login keeps its password; the Microsoft 365 path (the one run) must not use it.
    check_migration(lab, folder, source, paths, keeps_password=shape.host_from == "providers")


@pytest.mark.slow
@settings(
    max_examples=READERS,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=imap_shapes)
def test_fixed_readers_read_on_every_path_or_stay_reported(
    lab, tmp_path_factory, shape: ImapShape
) -> None:
    source = imap_program(shape)
    note(f"program:\n{source}")
    paths = (True, False) if shape.branches else (True,)
    check_migration(lab, tmp_path_factory.mktemp("reader"), source, paths, keeps_password=False)
