"""Values as fresh code sets them (issue 22, round 2): an attribute set to ``None`` first
and to the real value in another method, a name reassigned in a branch the use is not in,
and a parameter default that a classmethod's own object passes a preset for."""

from __future__ import annotations

import json
from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths
from cli_support import run_cli

VALUES = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "values"


def pinned(name: str) -> set[tuple[int, str, str]]:
    run = check_paths([str(VALUES / name)], RunOptions())
    return {(f.span.line, f.rule, f.severity.value) for f in run.findings}


def messages(name: str) -> list[str]:
    return [f.message for f in check_paths([str(VALUES / name)], RunOptions()).findings]


def test_attributes_set_to_none_first_hold_their_later_value() -> None:
    """``self.host = None`` in ``__init__`` only says "not set yet"; the method that sets
    the host (and the class-level ``password = ""``) gives the value the login sees."""
    assert pinned("attributes_set_later.py") == {(17, "AS204", "warning"), (18, "AS101", "error")}
    assert all("'smtp.office365.com'" in message for message in messages("attributes_set_later.py"))


def test_a_preset_on_an_attribute_set_later() -> None:
    """quick-mailer's MICROSOFT preset read from an attribute that ``__init__`` sets to None."""
    assert pinned("preset_on_attribute_set_later.py") == {(13, "AS101", "error")}


def test_a_name_reassigned_in_a_branch_keeps_its_first_value_too() -> None:
    assert pinned("host_reassigned_in_branch.py") == {
        (9, "AS204", "warning"),
        (10, "AS101", "error"),
    }
    assert all(
        "'smtp.gmail.com'" in message for message in messages("host_reassigned_in_branch.py")
    )


def test_a_table_written_as_an_elif_chain_keeps_the_value_before_it() -> None:
    """Seven arms of one ``if``/``elif`` chain are one branch, not seven reassignments:
    the account's own server before it still reaches the login (a warning); the table
    alone, of named providers, stays silent."""
    assert pinned("host_table_in_elif_chain.py") == {(27, "AS102", "warning")}


def test_a_name_replaced_in_every_arm_loses_its_first_value() -> None:
    assert pinned("host_reassigned_always.py") == set()


def test_a_preset_passed_through_a_classmethod_object() -> None:
    """``cls()`` in a classmethod makes the class's object; the host it passes to a
    parameter with a Gmail default comes from a preset table with an Outlook entry."""
    assert pinned("preset_through_classmethod.py") == {
        (23, "AS204", "warning"),
        (26, "AS101", "error"),
    }
    assert all(
        "'smtp-mail.outlook.com'" in message
        for message in messages("preset_through_classmethod.py")
    )


def test_calls_that_keep_the_default_keep_it_known() -> None:
    """The host stays Gmail's (no login reported); the missing certificate check is a
    defect on whatever server a caller gives the parameter (AS204, as on an unknown host)."""
    assert pinned("preset_default_only.py") == {(17, "AS204", "warning")}


def test_an_empty_default_host_is_the_callers() -> None:
    """``smtp_server=None`` says only that the caller gives the host: a message names the
    parameter, not ``None``."""
    assert pinned("empty_default_host.py") == {(13, "AS204", "warning"), (14, "AS101", "warning")}
    for message in messages("empty_default_host.py"):
        assert "the host from parameter smtp_server" in message and "None" not in message


def test_a_connection_kept_in_a_module_global() -> None:
    """``global server`` in the function that connects: the module's name, so a login in
    another function (written before it) is on that connection; a local of the same name
    in a third function is another object."""
    found = pinned("global_connection.py")
    assert {(line, rule) for line, rule, _ in found if rule in ("AS101", "AS102")} == {
        (13, "AS101"),
        (14, "AS102"),
    }


def test_attributes_set_several_at_a_time() -> None:
    """``self.host, self.port = host, port``: the host every call of the class gives;
    a class body's ``HOST, PORT = "imap.gmail.com", 993`` is Gmail (silent)."""
    assert {(line, rule, severity) for line, rule, severity in pinned("tuple_attributes.py")} == {
        (15, "AS101", "error"),
    }


def test_configparser_get_names_an_option_not_a_default() -> None:
    """``config.get("setup", "server")`` on a parser whose file is not in the tree is unknown
    from that option (it was read as ``dict.get`` with the default ``"server"``, a one-label
    host, and the login went unreported); a ``fallback=`` is the default it is, and a
    Gmail fallback is another provider's host."""
    assert pinned("ini_file_not_in_tree.py") == {
        (20, "AS204", "warning"),
        (21, "AS101", "warning"),
        (29, "AS204", "warning"),
        (30, "AS101", "error"),
    }
    found = messages("ini_file_not_in_tree.py")
    assert any("INI [setup] server" in message for message in found)
    assert any("'smtp.office365.com' (default of INI [mail] host)" in message for message in found)


def test_hyphenated_options_of_a_parser_built_elsewhere_are_options() -> None:
    """``config.get(section, "imap-server")`` on ``config=None`` replaced by the package's
    ``_config.CONFIG``: not a dict's ``get`` whose default is ``"imap-server"`` (which
    logged in nowhere), but the option of the user's file, so the host is unknown."""
    assert pinned("ini_options_with_hyphens.py") == {
        (16, "AS204", "warning"),
        (17, "AS102", "warning"),
        (24, "AS204", "warning"),
        (25, "AS101", "warning"),
    }
    assert any("INI [DEFAULT] imap-server" in m for m in messages("ini_options_with_hyphens.py"))


def test_a_configuration_default_of_another_provider_is_a_fallback() -> None:
    """``account.get("smtp_server", "smtp.gmail.com")`` of a configuration loaded at run
    time names the user's server, unknown here (a warning); Microsoft's host as the
    default is reported as Microsoft's; ``os.environ.get("SMTP_HOST", "smtp.gmail.com")``
    is Gmail's, as the environment's default is taken: no login reported, but its missing
    certificate check is a defect on any server the environment names (AS204). So is a
    default merged under a mapping read at run time (``{**defaults, **read_config()}``)."""
    assert pinned("config_get_defaults.py") == {
        (17, "AS204", "warning"),
        (18, "AS101", "warning"),
        (25, "AS101", "error"),
        (31, "AS204", "warning"),
        (41, "AS204", "warning"),
        (42, "AS101", "warning"),
    }


def test_each_call_site_s_literal_password_is_reported() -> None:
    """A wrapper of the module (a function, a class's ``__init__``) called with a literal
    password at several call sites: AS105 at each literal, also when another call reads
    its password from the environment; a placeholder stays silent."""
    found = pinned("secrets_at_call_sites.py")
    assert {line for line, rule, _ in found if rule == "AS105"} == {24, 29, 42, 43}


def test_each_call_site_judged_on_its_own_host() -> None:
    """``send(host, user, password, message, port=587)`` called for Gmail (on 465),
    Office 365 and Outlook.com (on 25): the Gmail call's password and port are Gmail's;
    the Outlook.com call's port 25 is AS202 on its own host."""
    found = pinned("hosts_at_call_sites.py")
    assert found == {
        (14, "AS101", "error"),
        (21, "AS105", "error"),
        (22, "AS105", "error"),
        (22, "AS202", "error"),
    }
    assert any(
        "port 25 of 'smtp-mail.outlook.com'" in m for m in messages("hosts_at_call_sites.py")
    )


def test_dict_entries_set_after_the_dict_is_made() -> None:
    """``self._config = {}`` then ``self._config["host"] = relay_settings.RELAY_HOST``, and
    a per-account ``cfg`` (a provider table's row by ``update()``, a host override under
    ``if host is not None``) kept under ``self._accounts[address]`` and read back by
    another run-time key: both logins know their Office 365 host; the Gmail twin is
    silent."""
    assert pinned("dict_entries_set_later.py") == {
        (27, "AS202", "error"),
        (29, "AS101", "error"),
        (48, "AS101", "error"),
    }


def test_a_spread_of_a_dict_written_once_passes_only_its_keys() -> None:
    """``param = {"host": smtp, "port": port, "timeout": timeout}`` then
    ``SMTP_SSL(**param)``: no ``context`` among its keys, so no verification (AS204); a
    dict given a key after it is written, handed to a helper, or written with a
    ``context`` key keeps its keywords unknown (only the logins)."""
    assert pinned("spread_written_dict.py") == {
        (13, "AS204", "warning"),
        (16, "AS204", "warning"),
        (17, "AS101", "warning"),
        (25, "AS101", "warning"),
        (32, "AS101", "warning"),
        (38, "AS101", "warning"),
    }


def test_a_with_on_a_name_holding_a_client_binds_that_client() -> None:
    """``with connection as server:`` after ``SMTP_SSL(...)``/``SMTP(...)`` on the arms of
    an ``if``: ``server`` is each of them (the STARTTLS without context, the login);
    ``with closing(client) as box`` and ``with self.conn as box`` too. poplib's ``POP3``
    has no ``__enter__``: its ``with`` binds nothing (only the constructor's AS204)."""
    assert pinned("with_named_client.py") == {
        (15, "AS204", "warning"),
        (20, "AS204", "warning"),
        (21, "AS101", "warning"),
        (26, "AS204", "warning"),
        (28, "AS102", "error"),
        (33, "AS204", "warning"),
        (37, "AS102", "warning"),
        (41, "AS204", "warning"),
    }


def test_a_client_name_bound_on_two_arms_reads_the_same_on_every_run() -> None:
    """Which of the two classes came first used to follow the hash seed (AS203 on some
    runs, AS204 on others); both are one connection, on every run, plain on the runs
    that import ``SMTP`` (AS203: nothing upgrades it)."""
    fixture = VALUES / "client_alias_on_arms.py"
    found = set()
    for seed in ("1", "2", "3"):
        result = run_cli(
            "check",
            "--format",
            "json",
            "--no-cache",
            "--exit-zero",
            str(fixture),
            cwd=fixture.parent,
            env={"PYTHONHASHSEED": seed},
        )
        found.add(
            tuple(sorted((f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]))
        )
    assert found == {(("AS101", 10), ("AS203", 10))}


def test_a_template_of_empty_values_does_not_decide_the_run() -> None:
    """A parser that reads the user's file, or writes a template of "" on the first run:
    ``if not smtp_config["server"]: raise`` and ``if cfg["username"] and cfg["password"]:``
    are not decided by the template, so the login after them is reported."""
    assert pinned("config_template_on_first_run.py") == {
        (29, "AS204", "warning"),
        (31, "AS101", "warning"),
    }
