"""Hosts a command line gives (issue 22, round 6): the default of an argparse option, a
click option or argument, a typer option is the host a run takes unless its user passes
another, so it is the value, named as the option's default, as an ``os.environ.get``
default is; an option without a default is the user's to give (unknown, a warning)."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

COMMAND_LINE = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "command_line"


def findings(name: str) -> list[tuple[int, str, str, str]]:
    run = check_paths([str(COMMAND_LINE / name)], RunOptions())
    return [(f.span.line, f.rule, f.severity.value, f.message) for f in run.findings]


def pinned(name: str) -> set[tuple[int, str, str]]:
    return {(line, rule, severity) for line, rule, severity, _ in findings(name)}


def test_an_argparse_default_is_the_host() -> None:
    """``args.smtp_host`` of ``--smtp-host`` (dashes to underscores); ``type=int`` applied
    to a text port default."""
    found = findings("argparse_module_args.py")
    assert {(line, rule, severity) for line, rule, severity, _ in found} == {(18, "AS101", "error")}
    assert "'smtp.office365.com' (default of option --smtp-host)" in found[0][3]


def test_options_parsed_in_a_helper_and_handed_on() -> None:
    """``args = get_args()`` returning ``parse_known_args()``'s namespace, renamed by
    ``dest=``, passed to the function that connects."""
    found = findings("argparse_get_args.py")
    assert {(line, rule, severity) for line, rule, severity, _ in found} == {
        (18, "AS204", "warning"),
        (19, "AS102", "error"),
    }
    assert all("(default of option --server)" in message for *_, message in found)


def test_an_option_without_a_default_is_the_users_to_give() -> None:
    """A positional argument read through ``vars(args)[...]``: unknown, from it."""
    found = findings("argparse_no_default.py")
    assert {(line, rule, severity) for line, rule, severity, _ in found} == {
        (12, "AS204", "warning"),
        (13, "AS101", "warning"),
    }
    assert all("the host from argument host" in message for *_, message in found)


def test_another_providers_default_is_not_reported() -> None:
    assert pinned("argparse_other_provider.py") == set()


def test_sub_commands_with_different_defaults_give_either() -> None:
    found = findings("argparse_subcommands.py")
    assert {(line, rule, severity) for line, rule, severity, _ in found} == {(19, "AS101", "error")}
    assert "'smtp.office365.com' or 'smtp.gmail.com' (picked by option --host)" in found[0][3]


def test_click_options_and_their_parameter_names() -> None:
    """``--smtp-host`` passes ``smtp_host``; ``"--imap-host", "host"`` passes ``host``
    and has no default (a warning)."""
    found = findings("click_command.py")
    assert {(line, rule, severity) for line, rule, severity, _ in found} == {
        (18, "AS101", "error"),
        (31, "AS102", "warning"),
    }
    messages = dict(((line, rule), message) for line, rule, _, message in found)
    assert "'smtp.office365.com' (default of option --smtp-host)" in messages[(18, "AS101")]
    assert "the host from option --imap-host" in messages[(31, "AS102")]


def test_a_typer_option_default() -> None:
    found = findings("typer_command.py")
    assert {(line, rule, severity) for line, rule, severity, _ in found} == {(20, "AS101", "error")}
    assert "'smtp.office365.com' (default of option --host)" in found[0][3]


def test_a_django_management_commands_options() -> None:
    """``add_arguments`` declares the options, ``handle(self, *args, **options)`` reads
    them by key (``options["smtp_host"]``, ``options.get(...)``)."""
    found = findings("django_command.py")
    assert {(line, rule, severity) for line, rule, severity, _ in found} == {(22, "AS101", "error")}
    assert "'smtp.office365.com' (default of option --smtp-host)" in found[0][3]


def test_a_parsers_set_defaults_wins_over_the_arguments() -> None:
    found = findings("argparse_set_defaults.py")
    assert {(line, rule, severity) for line, rule, severity, _ in found} == {(15, "AS102", "error")}
    assert "'outlook.office365.com' (default of option --imap-host)" in found[0][3]


def test_docopt_defaults_in_the_usage_text() -> None:
    """``docopt(__doc__)``: ``[default: ...]`` of the ``Options:`` lines, read by the
    option's long name."""
    found = findings("docopt_script.py")
    assert {(line, rule, severity) for line, rule, severity, _ in found} == {(21, "AS101", "error")}
    assert "'smtp.office365.com' (default of option --host)" in found[0][3]
