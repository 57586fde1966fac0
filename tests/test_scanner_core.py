"""The scanner core on the demo project, the negatives, and value resolution."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import RunOptions, check_source
from authsweep.scanner.runner import check_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DEMO = FIXTURES / "legacy_mailer"


def findings_of(code: str, path: str = "module.py") -> list[tuple[int, str]]:
    result = check_source(path, "python", code.encode(), [rule() for rule in ALL_RULES])
    assert not result.errors
    return [(f.span.line, f.rule) for f in result.findings]


def test_demo_findings_are_pinned() -> None:
    run = check_paths([str(DEMO)], RunOptions())
    got = {
        (Path(f.path).as_posix().split("legacy_mailer/legacy_mailer/")[1], f.span.line, f.rule)
        for f in run.findings
    }
    core = {"AS101", "AS102", "AS105", "AS201", "AS202", "AS203", "AS204"}
    assert {g for g in got if g[2] in core} == {
        ("alerts.py", 11, "AS202"),
        ("alerts.py", 11, "AS204"),
        ("alerts.py", 12, "AS101"),
        ("digest.py", 9, "AS101"),
        ("digest.py", 9, "AS203"),
        ("digest.py", 10, "AS204"),
        ("mailer.py", 17, "AS204"),
        ("mailer.py", 19, "AS101"),
        ("notify.py", 19, "AS201"),
        ("notify.py", 19, "AS204"),
        ("notify.py", 20, "AS101"),
        ("reports/inbox.py", 10, "AS204"),
        ("reports/inbox.py", 11, "AS102"),
    } | {g for g in got if g[0] == "config.py"}
    assert not run.errors


def test_negatives_report_nothing() -> None:
    run = check_paths([str(FIXTURES / "negatives")], RunOptions())
    assert run.findings == []
    assert not run.errors


# Values reach rules through every binding a real program uses.


def test_module_constant_and_alias_import() -> None:
    code = (
        "import smtplib as mail\n"
        "HOST = 'smtp.office365.com'\n"
        "PORT = 587\n"
        "s = mail.SMTP_SSL(HOST, PORT)\n"
    )
    assert (4, "AS201") in findings_of(code)


def test_from_import_with_alias_and_with_block() -> None:
    code = (
        "from smtplib import SMTP_SSL as Secure\n"
        "with Secure('smtp.office365.com', 587) as conn:\n"
        "    conn.login(u, p)\n"
    )
    assert {(2, "AS201"), (3, "AS101")} <= set(findings_of(code))


def test_env_default_is_the_value_and_env_var_the_origin() -> None:
    code = (
        "import os, smtplib\n"
        "host = os.environ.get('SMTP_HOST', 'smtp.office365.com')\n"
        "port = int(os.getenv('SMTP_PORT', '465'))\n"
        "s = smtplib.SMTP_SSL(host, port)\n"
    )
    result = check_source("m.py", "python", code.encode(), [r() for r in ALL_RULES])
    as202 = [f for f in result.findings if f.rule == "AS202"]
    assert as202 and "env SMTP_HOST" in as202[0].message
    assert as202[0].confidence.value == "medium"


def test_unknown_env_host_is_a_warning_of_medium_confidence() -> None:
    code = "import os, smtplib\ns = smtplib.SMTP(os.environ['SMTP_HOST'], 587)\ns.starttls()\n"
    code += "s.login(os.environ['U'], os.environ['P'])\n"
    result = check_source("m.py", "python", code.encode(), [r() for r in ALL_RULES])
    as101 = [f for f in result.findings if f.rule == "AS101"]
    assert len(as101) == 1
    assert as101[0].severity.value == "warning"
    assert as101[0].confidence.value == "medium"
    assert "env SMTP_HOST" in as101[0].message


def test_parameter_defaults_and_class_attributes_from_init() -> None:
    code = (
        "import smtplib\n"
        "class Mailer:\n"
        "    def __init__(self, host='smtp.office365.com', port=465):\n"
        "        self.host = host\n"
        "        self.port = port\n"
        "    def open(self):\n"
        "        self.smtp = smtplib.SMTP_SSL(self.host, self.port)\n"
        "    def send(self):\n"
        "        self.smtp.login('a', b)\n"
    )
    got = set(findings_of(code))
    assert {(7, "AS202"), (9, "AS101")} <= got


def test_fstring_concatenation_and_dict_subscript() -> None:
    code = (
        "import smtplib\n"
        "DOMAIN = 'office365.com'\n"
        "CONF = {'host': f'smtp.{DOMAIN}', 'port': 400 + 65}\n"
        "s = smtplib.SMTP_SSL(CONF['host'], CONF['port'])\n"
    )
    assert (4, "AS202") in findings_of(code)


def test_factory_function_and_connect() -> None:
    code = (
        "import smtplib\n"
        "def make():\n"
        "    server = smtplib.SMTP()\n"
        "    server.connect('smtp.office365.com', 587)\n"
        "    return server\n"
        "def send():\n"
        "    s = make()\n"
        "    s.login(u, p)\n"
    )
    assert {(8, "AS101"), (8, "AS203")} <= set(findings_of(code))


def test_inline_chain_is_tracked() -> None:
    code = "import smtplib\nsmtplib.SMTP('smtp.office365.com', 587).login(u, p)\n"
    assert {(2, "AS101"), (2, "AS203")} <= set(findings_of(code))


def test_rebinding_picks_the_connection_that_reaches_the_call() -> None:
    code = (
        "import smtplib\n"
        "s = smtplib.SMTP('smtp.gmail.com', 587)\n"
        "s.starttls()\n"
        "s.login(u, p)\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls()\n"
        "s.login(u, p)\n"
    )
    lines = [line for line, rule in findings_of(code) if rule == "AS101"]
    assert lines == [7]


def test_non_microsoft_host_needs_all_providers() -> None:
    code = "import smtplib\ns = smtplib.SMTP('smtp.gmail.com', 587)\ns.login(u, p)\n"
    assert findings_of(code) == []
    from authsweep.rules import RuleOptions

    rules = [rule(RuleOptions(all_providers=True)) for rule in ALL_RULES]
    found = check_source("m.py", "python", code.encode(), rules).findings
    assert {f.rule for f in found} >= {"AS101"}
    assert all(f.severity.value == "info" for f in found)


def test_hve_host_is_info() -> None:
    code = (
        "import smtplib, ssl\ns = smtplib.SMTP('smtp-hve.office365.com', 587)\n"
        "s.starttls(context=ssl.create_default_context())\ns.login(u, p)\n"
    )
    result = check_source("m.py", "python", code.encode(), [r() for r in ALL_RULES])
    assert [(f.rule, f.severity.value) for f in result.findings] == [("AS101", "info")]


def test_host_normalisation_case_and_trailing_dot() -> None:
    code = "import smtplib\ns = smtplib.SMTP_SSL('SMTP.Office365.COM.', 587)\n"
    assert (2, "AS201") in findings_of(code)


def test_unparsable_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "py2.py").write_text("import smtplib\nprint 'hello'\n")
    (tmp_path / "ok.py").write_text("import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n")
    run = check_paths([str(tmp_path)], RunOptions())
    assert [e.kind for e in run.errors] == ["unparsable"]
    assert [f.rule for f in run.findings if f.rule == "AS201"] == ["AS201"]


# The CLI contract.


def run_cli(*args: str, cwd: Path | None = None, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-c", "from authsweep.scanner.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        check=False,
    )


@pytest.mark.slow
def test_json_output_has_every_contract_field() -> None:
    result = run_cli("check", str(DEMO), "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["tool"] == "authsweep"
    assert set(document) >= {"version", "findings", "errors", "summary"}
    for finding in document["findings"]:
        assert set(finding) >= {
            "rule",
            "name",
            "severity",
            "confidence",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "fixable",
        }
        assert finding["severity"] in ("error", "warning", "info")
        assert finding["confidence"] in ("high", "medium", "low")
        assert finding["line"] >= 1 and finding["column"] >= 1


@pytest.mark.slow
def test_exit_codes() -> None:
    assert run_cli("check", str(FIXTURES / "negatives")).returncode == 0
    assert run_cli("check", str(DEMO)).returncode == 1
    assert run_cli("check", str(DEMO), "--exit-zero").returncode == 0
    bad = run_cli("check", str(DEMO), "--select", "XX1")
    assert bad.returncode == 2 and "XX1" in bad.stderr
    assert run_cli("explain", "AS999").returncode == 2


@pytest.mark.slow
def test_text_output_has_location_rule_and_code_frame() -> None:
    result = run_cli("check", str(DEMO / "legacy_mailer" / "digest.py"))
    assert "digest.py:9:5: AS203 [error]" in result.stdout
    assert "server.login(user, password)" in result.stdout
    assert "Found" in result.stdout.splitlines()[-1]


@pytest.mark.slow
def test_stdin_with_filename() -> None:
    code = "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n"
    result = run_cli("check", "-", "--stdin-filename", "app/mail.py", stdin=code)
    assert result.returncode == 1
    assert result.stdout.startswith("app/mail.py:2:1: AS201")


@pytest.mark.slow
def test_secrets_never_appear_unmasked(tmp_path: Path) -> None:
    secret = "Zq9-unique-S3cret-7731"
    (tmp_path / "m.py").write_text(
        "import smtplib\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls()\n"
        f"s.login('a@contoso.com', '{secret}')\n"
    )
    for fmt in ("text", "json"):
        result = run_cli("check", str(tmp_path), "--format", fmt)
        assert result.returncode == 1
        assert "AS105" in result.stdout
        assert secret not in result.stdout + result.stderr
        assert secret[4:12] not in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", [["rules"], ["explain", "AS101"], ["--help"], ["check", "--help"]]
)
def test_informational_commands(command: list[str]) -> None:
    result = run_cli(*command)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_constants_imported_from_project_modules(tmp_path: Path) -> None:
    package = tmp_path / "app"
    (package / "mail").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "mail" / "__init__.py").write_text("")
    (package / "settings.py").write_text(
        "import os\n"
        "SMTP_HOST = os.environ.get('SMTP_HOST', 'smtp.office365.com')\n"
        "SMTP_PORT = int(os.getenv('SMTP_PORT', '465'))\n"
    )
    (package / "mail" / "absolute.py").write_text(
        "import smtplib\nfrom app.settings import SMTP_HOST, SMTP_PORT\n"
        "s = smtplib.SMTP_SSL(SMTP_HOST, SMTP_PORT)\n"
    )
    (package / "mail" / "relative.py").write_text(
        "import smtplib\nfrom .. import settings\ns = smtplib.SMTP_SSL(settings.SMTP_HOST, 587)\n"
    )
    (package / "mail" / "aliased.py").write_text(
        "import smtplib\nimport app.settings as cfg\n"
        "s = smtplib.SMTP(cfg.SMTP_HOST, 587)\ns.login(u, p)\n"
    )
    run = check_paths([str(tmp_path)], RunOptions())
    got = {(Path(f.path).name, f.rule) for f in run.findings}
    assert ("absolute.py", "AS202") in got
    assert ("relative.py", "AS201") in got
    assert ("aliased.py", "AS101") in got
    message = next(f.message for f in run.findings if Path(f.path).name == "absolute.py")
    assert "env SMTP_HOST" in message


def test_unknown_hosts_in_test_code_are_not_reported(tmp_path: Path) -> None:
    code = (
        "import smtplib\n"
        "def test_send(host):\n"
        "    s = smtplib.SMTP(host, 587)\n"
        "    s.login('user', 'pass')\n"
        "def test_o365():\n"
        "    t = smtplib.SMTP('smtp.office365.com', 587)\n"
        "    t.starttls()\n"
        "    t.login('user', 'pass')\n"
    )
    for name in ("tests/test_mail.py", "pkg/tests/helpers.py", "conftest.py", "mail_test.py"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code)
    run = check_paths([str(tmp_path)], RunOptions())
    lines = {(Path(f.path).name, f.span.line) for f in run.findings if f.rule == "AS101"}
    # The Microsoft host in a test is real; the unknown host is a fake server.
    assert lines == {(n, 8) for n in ("test_mail.py", "helpers.py", "conftest.py", "mail_test.py")}


def test_real_world_shapes_host_port_string_factory_below_and_blank_password() -> None:
    code = (
        "import smtplib, ssl\n"
        "def send(msg):\n"
        "    server = make_server()\n"
        "    server.login(USER, PASSWORD)\n"
        "def make_server():\n"
        "    server = smtplib.SMTP('smtp.office365.com', 587)\n"
        "    server.starttls(context=ssl.create_default_context())\n"
        "    return server\n"
        "username = ''; password = ''\n"
        "legacy = smtplib.SMTP('smtp.office365.com:587')\n"
        "legacy.starttls(context=ssl.create_default_context())\n"
        "legacy.login(username, password)\n"
        "other = smtplib.SMTP()\n"
        "other.connect('smtp.office365.com:465')\n"
    )
    got = set(findings_of(code))
    assert (4, "AS101") in got and (4, "AS203") not in got  # the factory upgrades first
    assert (12, "AS101") in got  # "host:port" in one string, and a blanked-out password
    assert (14, "AS202") in got


def test_connections_passed_to_functions_and_spread_arguments() -> None:
    code = (
        "import smtplib, ssl\n"
        "def send_with(server, u, p):\n"
        "    server.login(u, p)\n"
        "class Mailer:\n"
        "    def open(self):\n"
        "        conn = smtplib.SMTP('smtp.office365.com', 587)\n"
        "        conn.starttls(context=ssl.create_default_context())\n"
        "        self.auth(connection=conn)\n"
        "    def auth(self, connection):\n"
        "        connection.login(U, P)\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls(context=ssl.create_default_context())\n"
        "send_with(s, U, P)\n"
        "SERVER = ('smtp.office365.com', 465)\n"
        "t = smtplib.SMTP_SSL(*SERVER, context=ssl.create_default_context())\n"
        "OPTIONS = {'host': 'smtp.office365.com', 'port': 587}\n"
        "w = smtplib.SMTP_SSL(**OPTIONS, context=ssl.create_default_context())\n"
    )
    got = set(findings_of(code))
    assert {(3, "AS101"), (10, "AS101")} <= got
    assert not {rule for line, rule in got if rule in ("AS203", "AS204")}
    assert (14, "AS202") in got  # the port inside the spread tuple
    assert (17, "AS201") in got


def test_parameters_without_default_take_what_the_calls_pass() -> None:
    code = (
        "import smtplib, ssl\n"
        "def get_server(host, port):\n"
        "    server = smtplib.SMTP(host, port)\n"
        "    server.starttls(context=ssl.create_default_context())\n"
        "    return server\n"
        "def main():\n"
        "    s = get_server('smtp.office365.com', 587)\n"
        "    s.login(U, P)\n"
        "def on_premises(host):\n"
        "    t = smtplib.SMTP(host, 587)\n"
        "    t.starttls(context=ssl.create_default_context())\n"
        "    t.login(U, P)\n"
        "on_premises('mail.corp.internal')\n"
        "on_premises(host='mail2.corp.internal')\n"
        "def loop(host, flag):\n"
        "    if flag:\n"
        "        return loop(host, not flag)\n"
        "    smtplib.SMTP(host, 465).login(U, P)\n"
    )
    got = findings_of(code)
    assert (8, "AS101") in got  # an error: the host every call passes is Microsoft's
    assert not [line for line, rule in got if 10 <= line <= 12]  # only on-premises hosts
    assert (18, "AS101") in got  # recursion leaves the host unknown: a warning


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every decoding of a file's bytes from here on, by any module of the scanner."""
    from authsweep.scanner import text

    decoded: list[bytes] = []
    real = text.decode

    def counting(kind: str, data: bytes):
        decoded.append(data)
        return real(kind, data)

    for name, module in list(sys.modules.items()):
        if name.startswith("authsweep.scanner") and getattr(module, "decode", None) is real:
            monkeypatch.setattr(module, "decode", counting)
    return decoded


# A fixable finding (the encode-back check runs), a suppression comment (suppression reads
# the text), and a second line break style (one line index for them all).
_DECODED_ONCE = (
    b"import smtplib\r\n"
    b"s = smtplib.SMTP_SSL('smtp.office365.com', 587)\n"
    b"t = smtplib.SMTP_SSL('smtp.office365.com', 587)  # authsweep: ignore\n"
)


def test_the_engine_decodes_a_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The front end, suppression, the encode-back check and the code frames share one
    decoding of the file (scanner/text.py's Source)."""
    rules = [rule() for rule in ALL_RULES]
    check_source("m.py", "python", _DECODED_ONCE, rules)  # every stage's module loaded
    decoded = _count_decodes(monkeypatch)
    result = check_source("m.py", "python", _DECODED_ONCE, rules)
    assert any(f.fix is not None for f in result.findings)  # asked whether it encodes back
    assert any(f.suppressed for f in result.findings)
    assert all(f.frame for f in result.findings)
    assert decoded == [_DECODED_ONCE]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_fixing_a_file_decodes_it_once_through_every_round(
    monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    """The fixer checks the file, then each round's text as it is: no round encodes its
    text and decodes it again (a UTF-16 file is not decoded again as UTF-8 either)."""
    from authsweep.scanner.fixes.rounds import fix_source

    login = b"s.login('alerts@contoso.com', os.environ['SMTP_PASSWORD'])\n"
    data = (b"import os\n" + _DECODED_ONCE + login).decode().encode(encoding)
    # A token provider of the project's own: no token module is added (its text would be
    # another file's, checked on its own).
    options = RunOptions(token_provider="corp.auth:mail_token")
    fix_source("m.py", "python", data, options, unsafe=True)  # every stage's module loaded
    decoded = _count_decodes(monkeypatch)
    fixed = fix_source("m.py", "python", data, options, unsafe=True)
    assert fixed.error is None and fixed.changed
    assert len(fixed.applied) >= 2  # more than one round: TLS first, then the login
    assert decoded == [data]
