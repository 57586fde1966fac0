"""``authsweep lab run`` and ``authsweep lab serve``: a thin layer over ``ExchangeSim``.

Imports nothing heavy at module level: ``authsweep --help`` imports it to list the commands, and
``authsweep check`` must not pay for the servers, aiosmtpd or trustme. Its functions import
what they run, each marked ``# start-up``.
"""

from __future__ import annotations

import shlex
import sys
import threading
import time
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import click
from authsweep.scanner.cli_params import Argument, CommandGroup, Option

if TYPE_CHECKING:
    from collections.abc import Callable

    from .sim import ExchangeSim
    from .tenant import TenantSetup
    from .verdict import Verdict

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

lab_app = CommandGroup(
    help="Run a program against a loopback Exchange Online and get a verdict "
    "(needs the lab extra of authsweep).",
)


class VerdictFormat(str, Enum):
    text = "text"
    json = "json"


FormatOpt = Annotated[
    VerdictFormat,
    Option(
        "--format",
        metavar="FORMAT",
        help="Verdict format: text for people, json for CI (on stdout).",
    ),
]
OutputOpt = Annotated[
    Optional[Path],  # noqa: UP045 - read at run time (cli_params)
    Option(
        "--output-file",
        "-o",
        metavar="FILE",
        dir_okay=False,
        help="Also write the verdict, in --format, to this file (the terminal gets text).",
    ),
]
MailboxOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    Option(
        "--mailbox",
        metavar="ADDRESS",
        help="A mailbox the app may use as XOAUTH2 user= (repeat; default: any address).",
    ),
]
SeedOpt = Annotated[
    Optional[list[Path]],  # noqa: UP045
    Option(
        "--seed",
        metavar="PATH",
        help="An .eml file, or a folder of them, put in the mailboxes its To/Cc name (repeat).",
    ),
]
TokenLifetimeOpt = Annotated[
    str,
    Option(
        "--token-lifetime",
        metavar="DURATION",
        help="How long tokens live: 30s, 5m, 1h (Entra ID: about 1h). A short one catches "
        "programs that fetch one token and keep it.",
    ),
]
ThrottleOpt = Annotated[
    int,
    Option(
        "--throttle",
        min=0,
        metavar="N",
        help="Fault: the first N SMTP sessions get '421 4.7.0 Temporary server error' at AUTH.",
    ),
]
DropOpt = Annotated[
    int,
    Option(
        "--drop",
        min=0,
        metavar="N",
        help="Fault: the first N SMTP sessions are cut without a reply at MAIL FROM.",
    ),
]
ProbeOpt = Annotated[
    bool,
    Option(
        "--probe-certificate",
        help="Present a certificate from a CA the program was never given: passes when every "
        "TLS connection refuses it (the program checks certificates).",
    ),
]
OtherHostsOpt = Annotated[
    bool,
    Option(
        "--allow-other-hosts",
        help="Let the program resolve host names the lab does not simulate (default: refused, "
        "so nothing leaves the machine by name).",
    ),
]


class SmtpAuth(str, Enum):
    enabled = "enabled"
    disabled = "disabled"


SmtpAuthOpt = Annotated[
    SmtpAuth,
    Option(
        "--smtp-auth",
        metavar="MODE",
        help="disabled: a tenant that refuses SMTP AUTH altogether, OAuth included (535 "
        "5.7.139 ... SmtpClientAuthentication is disabled for the Tenant); mail goes through "
        "Graph sendMail (`authsweep fix --target graph`).",
    ),
]
NoMailSendOpt = Annotated[
    bool,
    Option(
        "--no-mail-send",
        help="Tenant mistake: the app lacks Graph's application permission Mail.Send, so "
        "sendMail gets 403 ErrorAccessDenied (unless --mailbox-right graph:ADDRESS scopes the "
        "RBAC role Application Mail.Send to the mailbox).",
    ),
]
NoServicePrincipalOpt = Annotated[
    bool,
    Option(
        "--no-service-principal",
        help="Tenant mistake: the app has no service principal in Exchange Online, so a valid "
        "token is refused as Exchange refuses it.",
    ),
]
MailboxRightOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    Option(
        "--mailbox-right",
        metavar="[PROTOCOL:]ADDRESS",
        help="Tenant set-up: the app has a right on this mailbox (smtp, imap, pop or graph; "
        "all without PROTOCOL). Repeat; once given, other mailboxes are refused.",
    ),
]


def _tenant(
    no_service_principal: bool, mailbox_right: list[str] | None, no_mail_send: bool = False
) -> TenantSetup:
    # start-up
    from .tenant import TenantSetup

    principal, mail_send = not no_service_principal, not no_mail_send
    if mailbox_right is None:
        return TenantSetup(service_principal=principal, mail_send=mail_send)
    try:
        return TenantSetup.with_rights(
            mailbox_right, service_principal=principal, mail_send=mail_send
        )
    except ValueError as problem:
        raise _error(f"--mailbox-right: {problem}") from None


def _error(message: str) -> click.exceptions.Exit:
    click.echo(f"authsweep lab: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


def _make_lab(
    mailbox: list[str] | None,
    token_lifetime: str,
    throttle: int,
    drop: int,
    probe_certificate: bool,
    allow_other_hosts: bool,
    tenant: TenantSetup,
    seed: list[Path] | None = None,
    smtp_auth: SmtpAuth = SmtpAuth.enabled,
) -> ExchangeSim:
    # start-up
    from .faults import parse_duration

    try:
        lifetime = parse_duration(token_lifetime)
    except ValueError as problem:
        raise _error(f"--token-lifetime: {problem}") from None
    try:
        # start-up
        from .sim import ExchangeSim
    except ImportError as missing:
        raise _error(
            "the lab needs its extra: in a clone of authsweep, python3 -m pip install '.[lab]' "
            f"(README, Install) ({missing})"
        ) from None
    lab = ExchangeSim(
        mailboxes=mailbox or None,
        token_lifetime=lifetime,
        throttle=throttle,
        drop=drop,
        probe_certificate=probe_certificate,
        strict_dns=not allow_other_hosts,
        tenant=tenant,
        seed=seed or (),
        smtp_auth=smtp_auth.value,
    )
    try:
        return lab.start()
    except (OSError, ValueError) as problem:  # a port, or a --seed file
        raise _error(f"could not start the lab: {problem}") from None


def _version() -> str:
    # start-up
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("authsweep")
    except PackageNotFoundError:
        return "unknown"


def _emit(verdict: Verdict, fmt: VerdictFormat, output_file: Path | None) -> int:
    """Print (and write) the verdict; the exit status: the verdict's, or 2 if FILE failed."""
    # start-up
    import json

    # start-up
    from .report import render_text

    text = render_text(verdict)
    chosen = (
        text
        if fmt is VerdictFormat.text
        else json.dumps(verdict.to_json(_version()), indent=2) + "\n"
    )
    if output_file is not None:
        sys.stdout.write(text)
        try:
            output_file.write_text(chosen, encoding="utf-8")
        except OSError as problem:
            click.echo(f"authsweep lab: error: {output_file}: {problem}", err=True)
            return EXIT_ERROR
    else:
        sys.stdout.write(chosen)
    sys.stdout.flush()
    return verdict.exit_status


@lab_app.command(
    "run",
    context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
)
def run(
    command: Annotated[
        list[str],
        Argument(metavar="COMMAND", help="The program to run and its arguments, after --."),
    ],
    fmt: FormatOpt = VerdictFormat.text,
    output_file: OutputOpt = None,
    mailbox: MailboxOpt = None,
    seed: SeedOpt = None,
    token_lifetime: TokenLifetimeOpt = "3599s",
    throttle: ThrottleOpt = 0,
    drop: DropOpt = 0,
    probe_certificate: ProbeOpt = False,
    allow_other_hosts: OtherHostsOpt = False,
    no_service_principal: NoServicePrincipalOpt = False,
    mailbox_right: MailboxRightOpt = None,
    no_mail_send: NoMailSendOpt = False,
    smtp_auth: SmtpAuthOpt = SmtpAuth.enabled,
    timeout: Annotated[
        Optional[float],  # noqa: UP045
        Option(
            "--timeout", min=0, metavar="SECONDS", help="Stop the command after this many seconds."
        ),
    ] = None,
) -> None:
    """Run COMMAND against the lab, then print the verdict.

    Exit 0 when at least one message was delivered or one mailbox read, nothing failed and
    the command exited 0; 1 otherwise; 2 when the lab could not run the command. The command
    runs in a process group of its own, ended as a whole on --timeout, on SIGTERM or Ctrl-C
    (the verdict is still printed) and for what it leaves running when it exits.
    """
    # start-up
    from .process import StopSignals, run_in_group

    with StopSignals() as stop:
        lab = _make_lab(
            mailbox,
            token_lifetime,
            throttle,
            drop,
            probe_certificate,
            allow_other_hosts,
            _tenant(no_service_principal, mailbox_right, no_mail_send),
            seed,
            smtp_auth,
        )
        try:
            started = time.monotonic()
            # With --format json stdout is the verdict's: the program's output goes to stderr.
            stdout = sys.stderr if fmt is VerdictFormat.json else None
            try:
                finished = run_in_group(
                    command, env=lab.subprocess_env(), stdout=stdout, timeout=timeout, stop=stop
                )
            except OSError as problem:
                raise _error(f"cannot run {shlex.join(command)}: {problem}") from None
            verdict = lab.verdict(
                command=command,
                exit_code=finished.returncode,
                duration=time.monotonic() - started,
                timed_out=finished.timed_out,
            )
            status = _emit(verdict, fmt, output_file)
        finally:
            lab.stop()
    raise click.exceptions.Exit(status)


def export_block(lab: ExchangeSim) -> str:
    """Shell lines that point a POSIX shell's later commands at the running lab."""
    # start-up
    from .redirect import PROXY_VARIABLES, REMOVED_VARIABLES

    lines = [
        "export PYTHONPATH="
        + shlex.quote(str(lab.sitecustomize_dir))
        + '"${PYTHONPATH:+:$PYTHONPATH}"'
    ]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in lab.lab_environment().items()]
    proxies = [v.upper() for v in PROXY_VARIABLES] + list(PROXY_VARIABLES)
    lines.append("unset " + " ".join([*proxies, *REMOVED_VARIABLES]))
    return "\n".join(lines)


_ENVIRONMENT_NOTES = (
    ("PYTHONPATH", "the generated sitecustomize.py: Microsoft host names resolve to the lab"),
    ("AUTHSWEEP_LAB_HOSTS", "which host:port goes to which loopback port"),
    ("AUTHSWEEP_LAB_STRICT", "1: other host names do not resolve"),
    ("AUTHSWEEP_LAB_EVENTS", "where refused names are reported"),
    ("SSL_CERT_FILE, REQUESTS_CA_BUNDLE", "trust the lab's throw-away CA"),
    ("AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET", "the lab's app registration"),
)


def _serve_banner(lab: ExchangeSim) -> str:
    # start-up
    from .hosts import GRAPH_HOSTS, LOGIN_HOSTS, MAILBOX_HOSTS, SMTP_HOSTS

    smtp = "SMTP 587 and 25, STARTTLS:  "
    if lab.smtp_auth == "disabled":
        smtp = "SMTP (AUTH disabled):       "
    lines = [
        "authsweep lab: a loopback Exchange Online is running "
        "(Ctrl-C to stop and get the verdict).",
        "",
        f"  {smtp}{', '.join(SMTP_HOSTS)}",
        f"  IMAP 993, POP3 995 and 110: {', '.join(MAILBOX_HOSTS)}",
        f"  Token endpoint 443:         {', '.join(LOGIN_HOSTS)}",
        f"  Graph sendMail 443:         {', '.join(GRAPH_HOSTS)}",
        "",
        "Python programs started with this environment reach it (others do not):",
    ]
    lines += [f"  {name}: {note}" for name, note in _ENVIRONMENT_NOTES]
    lines += ["", export_block(lab), "", "Events:"]
    return "\n".join(lines)


@lab_app.command("serve")
def serve(
    fmt: FormatOpt = VerdictFormat.text,
    output_file: OutputOpt = None,
    mailbox: MailboxOpt = None,
    seed: SeedOpt = None,
    token_lifetime: TokenLifetimeOpt = "3599s",
    throttle: ThrottleOpt = 0,
    drop: DropOpt = 0,
    probe_certificate: ProbeOpt = False,
    allow_other_hosts: OtherHostsOpt = False,
    no_service_principal: NoServicePrincipalOpt = False,
    mailbox_right: MailboxRightOpt = None,
    no_mail_send: NoMailSendOpt = False,
    smtp_auth: SmtpAuthOpt = SmtpAuth.enabled,
) -> None:
    """Keep the lab running for trying things by hand; print the environment to export.

    Stops on Ctrl-C or SIGTERM and prints the verdict of everything it saw (exit 0 pass,
    1 fail, as `lab run`).
    """
    # start-up
    from .process import StopSignals
    from .report import event_line

    # Ctrl-C or SIGTERM while the servers start must still stop them and print the
    # verdict: a KeyboardInterrupt in the middle of starting left their threads running.
    with StopSignals() as stop:
        lab = _make_lab(
            mailbox,
            token_lifetime,
            throttle,
            drop,
            probe_certificate,
            allow_other_hosts,
            _tenant(no_service_principal, mailbox_right, no_mail_send),
            seed,
            smtp_auth,
        )
        status = _serve_until_stopped(lab, stop.wake, event_line, fmt, output_file)
    raise click.exceptions.Exit(status)


def _serve_until_stopped(
    lab: ExchangeSim,
    stop: threading.Event,
    event_line: Callable[[Any], str | None],
    fmt: VerdictFormat,
    output_file: Path | None,
) -> int:
    """Show the lab's events until ``stop`` is set; the verdict's exit status."""
    printing = threading.Lock()

    def show(record: Any) -> None:
        line = event_line(record)
        if line is not None:
            with printing:
                click.echo(line, err=True)

    try:
        click.echo(_serve_banner(lab))
        lab.recorder.subscribe(show)
        shown = 0
        while not stop.wait(0.5):
            refused = lab.resolver_failures()  # reported by the programs, not the servers
            for failure in refused[shown:]:
                show(failure)
            shown = len(refused)
        click.echo("", err=True)
        return _emit(lab.verdict(), fmt, output_file)
    finally:
        lab.stop()
