"""Findings that a meaning-preserving rewrite of a program must keep (bench/metamorphic.py):
the gaps its transforms showed on the seen corpora and the fixtures, each pinned on a
fixture of the rewritten shape beside the shape it was rewritten from."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PRECISION = FIXTURES / "precision" / "metamorphic"


def found(path: Path) -> set[tuple[int, str]]:
    run = check_paths([str(path)], RunOptions(), plan=False)
    return {(f.span.line, f.rule) for f in run.findings}


def test_a_client_bound_by_with_is_the_constructors_object() -> None:
    """``with smtplib.SMTP(...) as server: server.connect(HOST, 465)``: the port of that
    connection (AS202 once, as when it is assigned), not a second connection of a library
    without a model; an unmodelled client bound by ``with`` is still the net's AS102."""
    assert found(PRECISION / "with_client.py") == {
        (14, "AS202"),
        (15, "AS202"),
        (16, "AS204"),
        (17, "AS101"),
        (21, "AS202"),
        (22, "AS202"),
        (23, "AS204"),
        (24, "AS101"),
        (32, "AS102"),
        (38, "AS102"),
    }


RECALL = FIXTURES / "recall" / "metamorphic"


def test_a_factory_method_called_on_an_object_of_its_class_gives_its_connection() -> None:
    """``outbox.server()``, ``Outbox().server()`` and ``box = Outbox(); box.server()``
    return the connection the method opens, as the module function ``server()`` does
    (``function_to_method`` lost every login after such a call); a subclass's override
    runs for its objects (Gmail: nothing), and a method that returns no connection gives
    none."""
    assert found(RECALL / "factory_methods.py") == {(30, "AS101"), (35, "AS101"), (41, "AS101")}
    assert found(RECALL / "factory_functions.py") == {(16, "AS101")}


def test_a_mail_settings_key_read_with_a_default_is_configuration_whatever_the_name() -> None:
    """``options.get("smtp_host", "smtp.office365.com")`` reads configuration as
    ``config.get`` does (``rename_locals`` turned Microsoft's default into an unknown
    host); another provider's server as the default is a fallback, the configuration's
    (unknown); a bare ``host`` key of a mapping of no config name stays unknown, and so
    does a port (``if port == 465: SMTP_SSL(...)`` around it: no AS201 from its default
    587), and ``os.environ.get`` stays a read of the environment."""
    run = check_paths([str(RECALL / "setting_get_any_name.py")], RunOptions(), plan=False)
    hosts = {f.span.line: f.message.split(":", 1)[0] for f in run.findings}
    assert hosts == {
        12: "SMTP password login to 'smtp.office365.com' (default of config key smtp_host)",
        18: "SMTP password login to 'smtp.office365.com' (default of config key smtp_host)",
        24: "SMTP password login to the host from config key smtp_host",
        31: "SMTP password login to the host from call row.get",
        43: "SMTP password login to 'smtp.office365.com' (default of config key smtp_host)",
        50: "SMTP password login to 'smtp.office365.com' (default of env SMTP_HOST)",
    }


def test_an_imported_app_password_is_a_written_password() -> None:
    """An app password (16 lower-case letters) in a plain config module is AS105 at the
    login that takes it, as when it is written in the login's module
    (``settings_from_import`` lost it); a placeholder of that shape is not."""
    run = check_paths([str(RECALL / "app_password" / "notify.py")], RunOptions(), plan=False)
    assert {(f.span.line, f.rule) for f in run.findings} == {
        (14, "AS101"),
        (14, "AS105"),
        (21, "AS101"),
    }


def _bench_metamorphic():
    """bench/metamorphic.py, imported from its file (bench/ is not a package)."""
    bench = FIXTURES.parent / "bench"
    sys.path.insert(0, str(bench))
    try:
        spec = importlib.util.spec_from_file_location("metamorphic", bench / "metamorphic.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["metamorphic"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(bench))
    return module


@pytest.mark.slow
def test_meaning_preserving_rewrites_keep_the_findings(tmp_path: Path) -> None:
    """Every transform of bench/metamorphic.py, over the demo project and the programs of
    the shapes above: no finding lost or gained (one reported at another place of the same
    rule is allowed: a constant moved to a settings module is reported where it is used).
    Each transform but ``wrap_main`` and ``arguments_by_position`` applies to at least one
    of them, so that none silently stops varying anything."""
    metamorphic = _bench_metamorphic()
    cases = [
        case
        for folder in (
            FIXTURES / "legacy_mailer",
            FIXTURES / "recall" / "metamorphic",
            FIXTURES / "precision" / "metamorphic",
        )
        for case in metamorphic.fixture_cases(folder)
    ]
    transforms = list(metamorphic.TRANSFORMS)
    differences, varied = metamorphic.run(cases, transforms, tmp_path)
    assert [d for d in differences if d.kind != "moved"] == []
    idle = {name for name in transforms if not varied[name]}
    assert idle <= {"wrap_main", "arguments_by_position"}


def test_a_config_module_naming_another_providers_host_leaves_its_password_to_the_login() -> None:
    """A config module that names a Gmail host beside an Outlook.com one does not report its
    password itself (whose it is shows at the login): the login that imports it reports it,
    naming where it is written (``settings_from_import`` lost it on a real script); a config
    module naming only Microsoft's host reports it there, not again at the login."""
    two = RECALL / "config_of_two_providers"
    run = check_paths([str(two)], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("reader.py", 12, "AS102"),
        ("reader.py", 12, "AS105"),
    }
    assert "written in accounts.py:7" in next(f.message for f in run.findings if f.rule == "AS105")
    one = RECALL / "config_of_microsoft"
    run = check_paths([str(one)], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("accounts.py", 7, "AS105"),
        ("reader.py", 12, "AS102"),
    }


def test_an_imported_password_handed_to_a_wrapper_is_reported_at_the_login() -> None:
    """``send_email(sender_email, sender_password, ...)`` with the password imported from a
    plain config module, the function's parameter reaching the login: AS105 at the login,
    naming where it is written, as when the login takes the imported name directly
    (``settings_from_import`` lost it: the value passed in kept no place); a placeholder
    handed the same way is not reported."""
    run = check_paths([str(RECALL / "password_to_wrapper")], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("send.py", 15, "AS101"),
        ("send.py", 15, "AS105"),
        ("send.py", 23, "AS101"),
    }
    assert "written in accounts.py:4" in next(f.message for f in run.findings if f.rule == "AS105")


def test_a_frameworks_settings_imported_into_a_settings_module_are_its_settings() -> None:
    """Django settings whose ``EMAIL_HOST``/``EMAIL_PORT``/``EMAIL_USE_TLS`` come from
    ``from mail_defaults import ...`` are read as if assigned there (AS101, as for the same
    settings written in place; ``settings_from_import`` lost it on a real settings module);
    a script's imported ``MAIL_SERVER``, which its code reads, makes no settings group at
    the import (its login is reported once)."""
    run = check_paths([str(RECALL / "settings_imported")], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("notify.py", 15, "AS101"),
        ("production.py", 10, "AS101"),
        ("staging.py", 10, "AS101"),
    }


def test_a_setting_named_password_its_module_does_not_report_is_reported_at_the_login() -> None:
    """``MAIL_PASSWORD = "..."`` in a config module with no host beside it (its settings
    reader reports nothing: Flask-Mail's default host is local) is AS105 at the login that
    imports it, naming where it is written (it was reported nowhere: the importer took it
    for the config module's); beside a Microsoft host the config module reports it, and
    the login does not again. No AS203 there: ``send.py`` connects with these settings
    and calls ``starttls()``, so Flask-Mail's default (no TLS) is not guessed
    (``settings_users.py``)."""
    alone = RECALL / "setting_password_alone"
    run = check_paths([str(alone)], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("send.py", 14, "AS101"),
        ("send.py", 14, "AS105"),
    }
    assert "written in mail_account.py:5" in next(
        f.message for f in run.findings if f.rule == "AS105"
    )
    with_host = RECALL / "setting_password_with_host"
    run = check_paths([str(with_host)], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("mail_settings.py", 7, "AS101"),
        ("mail_settings.py", 7, "AS105"),
        ("send.py", 12, "AS101"),
    }


def test_a_helper_called_as_a_method_of_a_module_level_object_returns_what_it_returns() -> None:
    """``tokens.xoauth2(user, token)``, ``transports.smtp_class_for(port)``,
    ``inboxes.open()`` where ``tokens = Tokens()`` at module level: the method's result is
    followed as a module function's is (``function_to_method`` lost the double-encoded
    XOAUTH2 string, the client class chosen by port, a returned client's login); a
    subclass's override runs for its own objects (the Gmail opener: silent)."""
    expected = {"AS204", "AS301", "AS302", "AS303", "AS102"}
    methods = found(RECALL / "helper_methods.py")
    assert methods == {
        (27, "AS302"),
        (61, "AS204"),
        (62, "AS301"),
        (62, "AS303"),
        # The class the port picks is plain for a port other than 465 and 587 (as
        # ``if port == 465: SMTP_SSL(...) else: SMTP(...)`` written in place is).
        (62, "AS203"),
        (75, "AS102"),
        (87, "AS101"),  # a connection handed to ``logins.sign_in``, a host ``servers.office()``
    }
    functions = {rule for _, rule in found(RECALL / "helper_functions.py")}
    assert functions == expected | {"AS101", "AS203"}


def test_wrap_main_leaves_a_module_whose_settings_only_a_reader_of_its_names_sees() -> None:
    """``EMAIL_HOST = os.environ.get(...)`` that nothing in the module reads is a setting
    Django or Flask reads from the module by name: moved into ``main()`` it is gone, so
    the transform does not apply (it had counted the settings' AS101 as lost); a script
    whose constants its own code reads is still wrapped."""
    transforms = _bench_metamorphic().TRANSFORMS
    context = sys.modules["metamorphic"].Context()
    settings = "import os\nload()\nEMAIL_HOST = os.environ.get('EMAIL_HOST')\n"
    assert transforms["wrap_main"](settings, context) is None
    script = "import smtplib\nHOST = 'smtp.office365.com'\nsmtplib.SMTP(HOST, 587).quit()\n"
    variant = transforms["wrap_main"](script, context)
    assert variant is not None and "def main():" in variant.text


def test_a_secret_a_config_module_imports_and_passes_on_is_reported_where_it_is_used() -> None:
    """``config.CLIENT_SECRET`` where ``config.py`` has ``from settings_mod import
    CLIENT_SECRET`` is the literal of ``settings_mod.py`` (the imports followed names
    assigned, not names imported and passed on); that module names no Microsoft service,
    so its own check does not report it and MSAL's call does, naming where it is written.
    Written in ``config.py`` beside the Microsoft scope, it is reported there only."""
    run = check_paths([str(RECALL / "secret_passed_on")], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("get_token.py", 8, "AS105"),
    }
    assert "written in settings_mod.py:2" in run.findings[0].message
    run = check_paths([str(RECALL / "secret_in_config")], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("config.py", 5, "AS105"),
    }


def test_a_client_class_imported_under_another_name_and_picked_by_a_class_attribute() -> None:
    """``from smtplib import SMTP as MailClient`` then ``transport = MailClient`` and
    ``self.transport(host, port)``: the module names no client class as a word its code
    reads, and was not analysed (``import_names_as`` lost the login); an exception class
    imported under another name makes no mail code. ``Mailer``'s own objects log in on
    plain SMTP, which nothing upgrades (AS203); its subclass's use implicit TLS."""
    assert found(RECALL / "client_alias.py") == {(20, "AS101"), (20, "AS203")}
    assert found(PRECISION / "alias_not_client.py") == set()


def test_a_settings_objects_fields_are_the_arguments_its_constructor_is_given() -> None:
    """``office = MailConfig()`` of a dataclass whose defaults name Microsoft's host, and
    ``Server("smtp.office365.com", 587)`` of a NamedTuple: ``office.host`` is the field
    (it was an unknown attribute: a warning); ``MailConfig(host="smtp.gmail.com")``'s
    host is Gmail's (it was reported as unknown)."""
    assert found(RECALL / "config_objects.py") == {
        (31, "AS204"),
        (32, "AS101"),
        (45, "AS204"),
        (46, "AS101"),
    }
    run = check_paths([str(RECALL / "config_objects.py")], RunOptions(), plan=False)
    assert {f.severity.value for f in run.findings if f.rule == "AS101"} == {"error"}


def test_a_login_moved_into_a_helper_of_another_module_is_the_callers_connections() -> None:
    """``sign_in(server, user, password)`` imported from ``helpers.py``, whose body logs
    in on the client it is handed: the connection opened here logs in at the call, with
    the values given here (it was reported nowhere: neither module both opens and logs
    in); a helper that calls ``starttls()`` first is no login before STARTTLS; Gmail's
    client stays silent; the helper in the same module, the shape it came from, as
    before."""
    run = check_paths([str(RECALL / "login_helper")], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("same_module.py", 10, "AS101"),
        ("send.py", 16, "AS101"),
        ("send.py", 22, "AS101"),
    }


def test_a_value_a_local_function_returns_is_its_callers() -> None:
    """``host, port = server()`` where ``server`` returns ``"smtp.office365.com", 587``:
    Microsoft's host (it was an unknown name: a warning); Gmail's helper is Gmail's (it
    was reported as unknown); a function with two returns is one of them: the
    command-line server or Microsoft's (an error, as one of several)."""
    run = check_paths([str(RECALL / "returned_values.py")], RunOptions(), plan=False)
    assert {(f.span.line, f.rule, f.severity.value) for f in run.findings} == {
        (28, "AS204", "warning"),
        (29, "AS101", "error"),
        (44, "AS204", "warning"),
        (45, "AS101", "error"),
    }


def test_a_client_secret_imported_into_a_token_requests_form_is_reported_there() -> None:
    """``"client_secret": CLIENT_SECRET`` in a raw HTTP token request's form, imported from
    a constants module its own check does not report: AS105 at the form's entry, naming
    where it is written (only a literal of the module was looked at:
    ``settings_from_import`` lost it on a real script); written in the module, as
    before."""
    run = check_paths([str(RECALL / "token_form_imported")], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("fetch_token.py", 17, "AS105"),
        ("same_module.py", 6, "AS105"),
    }
    imported = next(f for f in run.findings if Path(f.path).name == "fetch_token.py")
    assert "written in settings_mod.py:3" in imported.message


def test_an_entra_secret_imported_from_a_module_that_does_not_report_it() -> None:
    """``from settings_mod import CREDENTIAL`` of an Entra secret of the newer shape, into
    a module that uses MSAL through a class without a model: the shape was looked for in
    the text of the module that writes it only, which names no Microsoft service
    (``settings_from_import`` lost it on a real script): AS105 at the import, naming where
    it is written; beside Microsoft's sign-in host it is reported there, once."""
    run = check_paths([str(RECALL / "entra_secret_imported")], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("app.py", 8, "AS105"),
    }
    assert "written in settings_mod.py:2" in run.findings[0].message
    run = check_paths([str(RECALL / "entra_secret_beside_authority")], RunOptions(), plan=False)
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("settings_mod.py", 3, "AS105"),
    }


SCRIPT = """import smtplib

server = smtplib.SMTP("smtp.office365.com", 587)
server.starttls()
server.login("bot@contoso.com", "Winter2024!")
server.quit()
"""


@pytest.mark.parametrize(
    ("transform", "shape"),
    [
        ("config_dict", 'MAIL_CONFIG["host"]'),
        ("config_class", "MailConfig.password"),
        ("tuple_unpacking", "MAIL_HOST, MAIL_PORT, MAIL_USER, MAIL_PASSWORD = "),
        ("import_names_as", "from smtplib import SMTP as SmtpClient"),
        ("env_default", 'MAIL_HOST = os.environ.get("MAIL_HOST", "smtp.office365.com")'),
        ("settings_dataclass", "SETTINGS = MailSettings()"),
        ("kwargs_dict", "smtplib.SMTP(**mail_params_1)"),
        ("credentials_tuple", "server.login(*credentials_1)"),
        ("host_from_parts", 'f"smtp.{MAIL_DOMAIN}"'),
        ("passthrough_wrapper", "return smtplib.SMTP(*args, **kwargs)"),
        ("partial_client", 'functools.partial(smtplib.SMTP, "smtp.office365.com")(587)'),
        ("getattr_class", 'getattr(smtplib, "SMTP")('),
    ],
)
def test_the_ways_real_code_holds_a_clients_values_keep_the_findings(
    tmp_path: Path, transform: str, shape: str
) -> None:
    """The transforms of ``bench/metamorphic_shapes.py`` (a config dict, a settings class,
    one tuple assignment, a class imported under another name) and
    ``bench/metamorphic_values.py`` (a read of the environment with a default, a settings
    dataclass, keywords in a dict, a credentials tuple, a host from parts, a pass-through
    function, a partial, ``getattr``) write the shape they name, and the detector reports
    the rewritten script as the original (by rule)."""
    variant = _bench_metamorphic().TRANSFORMS[transform](
        SCRIPT, sys.modules["metamorphic"].Context()
    )
    assert variant is not None and shape in variant.text
    (tmp_path / "original.py").write_text(SCRIPT, encoding="utf-8")
    (tmp_path / "variant.py").write_text(variant.text, encoding="utf-8")
    rules = [{rule for _, rule in found(tmp_path / name)} for name in ("original.py", "variant.py")]
    assert rules[0] == rules[1] == {"AS101", "AS105", "AS204"}
