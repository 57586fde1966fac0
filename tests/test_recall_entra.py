"""Microsoft Entra client secrets known by their shape (issue 22, round 5): a literal of
the shape Entra issues, in a module that talks to Microsoft mail or identity, is a
hard-coded mail secret (AS105) wherever it goes, also in a file that does not parse;
never printed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import RunOptions, check_source
from authsweep.scanner.python.entra_secrets import (
    WHAT,
    entra_secrets,
    microsoft_context,
    older_secret,
)
from authsweep.scanner.python.fallback import scan_unparsable
from authsweep.scanner.python.source import SourceText
from authsweep.scanner.runner import check_paths

SECRETS = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "secrets"
WRITTEN = (
    "NqV5Q~d7FguoV8FWnFbB0JxXujr4qqaaABvvLOzA",
    "l893Q~XMcU1vsHiQMaRiNTN9Ox98whGcTZc1U",
    "yL10Q~5fxzpF7S-TG7nVLe3lAR-UsRJlNONwktN",
    # The older shapes (round 6).
    "Jk8]m:Pq2@Rs4.Tu6[Vw8Xy0Za2Bc4De6F",
    "m7Qz0pXc4Vb9Nn2Lk5Jh8Gf1Dd3Ss6Aa0Ww4Ee7Rr1T=",
    "Zr-8Vb_Tn3[Hs5Md4Fg]Xy7k:9@Qw.Lp2",
    "Tn3[Hs5Md4Fg]Xy7k:9@Qw.Lp2Zr-8Vb_",
    "Hs5Md4Fg]Xy7k:9@Qw.Lp2Zr-8Vb_Tn3[u",
)


def secrets_in(*paths: Path, what: str = WHAT) -> set[tuple[str, int, str]]:
    run = check_paths([str(p) for p in paths], RunOptions())
    return {
        (Path(f.path).name, f.span.line, f.confidence.value)
        for f in run.findings
        if f.rule == "AS105" and what in f.message
    }


def test_entra_secret_wherever_it_goes() -> None:
    """Found by its shape; the Python 2 token form's is its model's, named by the way to
    the request."""
    assert secrets_in(
        SECRETS / "entra_snippet.py",  # ``Account`` never imported
        SECRETS / "entra_unused.py",  # in a dict nothing reads, beside an IMAP reader
        SECRETS / "entra_unparsable.py",  # Python 2
        what="client secret",
    ) == {
        ("entra_snippet.py", 4, "high"),
        ("entra_unused.py", 6, "high"),
        ("entra_unparsable.py", 6, "high"),
    }


def test_look_alikes_and_other_modules_stay_silent() -> None:
    assert secrets_in(SECRETS / "negatives") == set()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('"5Dl8Q~xO~Zhucrs4_SskfQkmpItXUZ85qoTSic3s"', True),  # 34 after Q~
        ('"5Dl8Q~xO~Zhucrs4_SskfQkmpItXUZ85qoTSi"', True),  # 31
        ('"5Dl8Q~xO~Zhucrs4_SskfQkmpItXUZ85qoTS"', False),  # 30: too short
        ('"5Dl8Q~xO~Zhucrs4_SskfQkmpItXUZ85qoTSic3sX"', False),  # 35: too long
        ('"5DlxQ~xO~Zhucrs4_SskfQkmpItXUZ85qoTSic3s"', False),  # no digit before Q~
        ('"6731de76-14a6-49ae-97bc-6eba6914391e"', False),  # a client id
        ('"EkUdfMI7zcpVMw0qDPAjd6OcZFv1niUK8iO5YAgk"', False),  # 40 random characters
        ("5Dl8Q~xO~Zhucrs4_SskfQkmpItXUZ85qoTSic3s", False),  # not a literal
    ],
)
def test_the_shape(text: str, found: bool) -> None:
    code = f"import msal\nSECRET = {text}\n"
    assert bool(entra_secrets(code, SourceText(code).span_of)) is found


def test_older_secrets_where_the_code_names_them() -> None:
    """Secrets Entra issued before the ``Q~`` shape, known by the name they are given (a
    constant beside the authority, dict keys of a Graph token form, camel case, a settings
    field, Python 2) in a module that talks to Microsoft; never by their shape alone. The
    Graph form's first secret reaches the token request through the dict spread into the
    form (its message names that request), and the calls' own secrets are their models'
    (the next test)."""
    assert secrets_in(
        SECRETS / "entra_older_settings.py",
        SECRETS / "entra_older_graph_form.py",
        SECRETS / "entra_older_python2.py",
        SECRETS / "entra_older_calls.py",
        what="client secret",
    ) == {
        ("entra_older_settings.py", 6, "high"),
        ("entra_older_graph_form.py", 10, "high"),
        ("entra_older_graph_form.py", 13, "high"),
        ("entra_older_python2.py", 4, "high"),
        ("entra_older_calls.py", 14, "high"),
        ("entra_older_calls.py", 20, "high"),
        ("entra_older_calls.py", 25, "high"),
        ("entra_older_calls.py", 30, "high"),
    }


def test_older_secrets_given_to_the_calls_that_take_one() -> None:
    """MSAL's ``client_credential``, ``ClientSecretCredential``'s third argument,
    python-o365's ``(client_id, secret)``: their models report any literal, this shape too."""
    run = check_paths([str(SECRETS / "entra_older_calls.py")], RunOptions())
    found = {(f.span.line, f.confidence.value) for f in run.findings if f.rule == "AS105"}
    assert found == {(14, "high"), (20, "high"), (25, "high"), (30, "high")}


@pytest.mark.parametrize(
    ("value", "older"),
    [
        ("Jk8]m:Pq2@Rs4.Tu6[Vw8Xy0Za2Bc4De6F", True),  # the portal's 32 to 34 characters
        ("m7Qz0pXc4Vb9Nn2Lk5Jh8Gf1Dd3Ss6Aa0Ww4Ee7Rr1T=", True),  # a classic base64 key
        ("6731de76-14a6-49ae-97bc-6eba6914391e", False),  # an id
        ("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s", False),  # Google's
        ("your-client-secret-goes-here-000000", False),  # no capital: a placeholder
        ("MAIL-SYNC-CLIENT-SECRET-PRODUCTION", False),  # a name
        ("NqV5Q~d7FguoV8FWnFbB0JxXujr4qqaaABvvLOzA", False),  # the newer shape's
    ],
)
def test_the_older_shape(value: str, older: bool) -> None:
    assert older_secret(value) is older


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ('import msal\nCLIENT_SECRET = "Jk8]m:Pq2@Rs4.Tu6[Vw8Xy0Za2Bc4De6F"\n', True),
        ('import msal\nclient_secret: str = "Jk8]m:Pq2@Rs4.Tu6[Vw8Xy0Za2Bc4De6F"\n', True),
        ('import msal\nf(app_secret="Jk8]m:Pq2@Rs4.Tu6[Vw8Xy0Za2Bc4De6F")\n', True),
        ('import msal\nTOKEN = "Jk8]m:Pq2@Rs4.Tu6[Vw8Xy0Za2Bc4De6F"\n', False),  # no such name
        ('import msal\nif client_secret == "Jk8]m:Pq2@Rs4.Tu6[Vw8Xy0Za2Bc4De6F": pass\n', False),
        ('import hashlib\nCLIENT_SECRET = "Jk8]m:Pq2@Rs4.Tu6[Vw8Xy0Za2Bc4De6F"\n', False),
    ],
)
def test_older_secrets_need_their_name_and_microsoft(code: str, found: bool) -> None:
    assert bool(entra_secrets(code, SourceText(code).span_of)) is found


@pytest.mark.parametrize(
    ("code", "context"),
    [
        ("import msal\n", True),
        ("from O365 import Account\n", True),
        ("from exchangelib import Account\n", True),
        ("import smtplib\n", True),
        ("HOST = 'smtp.office365.com'\n", True),
        ("URL = 'https://graph.microsoft.com/v1.0/me/sendMail'\n", True),
        ("app = ConfidentialClientApplication(CLIENT_ID)\n", True),
        ("import hashlib\n", False),
        ("HOST = 'smtp.gmail.com'\n", False),
    ],
)
def test_what_talks_to_microsoft(code: str, context: bool) -> None:
    assert microsoft_context(code) is context


def test_the_fallback_scan_of_a_file_that_does_not_parse() -> None:
    data = b"import msal\ndef broken(:\n    secret = 'l893Q~XMcU1vsHiQMaRiNTN9Ox98whGcTZc1U'\n"
    (use,) = scan_unparsable("broken.py", data).secrets
    assert (use.what, use.span.line, use.span.column) == (WHAT, 3, 14)
    assert use.value.value == "l893Q~XMcU1vsHiQMaRiNTN9Ox98whGcTZc1U"


def test_a_secret_the_model_found_is_reported_once() -> None:
    # python-o365's model finds this one as the app's client secret: not a second time.
    run = check_paths([str(SECRETS / "o365_client_secret.py")], RunOptions())
    lines = [f.span.line for f in run.findings if f.rule == "AS105"]
    assert sorted(lines) == [10, 17]


@pytest.mark.slow
def test_never_printed() -> None:
    for output in ("text", "json", "sarif"):
        done = subprocess.run(
            ["authsweep", "check", "--format", output, str(SECRETS)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert WHAT in done.stdout
        for secret in WRITTEN:
            assert secret not in done.stdout
            assert secret[6:] not in done.stdout


def test_an_app_secret_through_names_is_reported_where_written_with_its_way() -> None:
    """A module constant, a class attribute and an environment default handed to MSAL's
    ``client_credential`` or azure-identity's ``client_secret``: reported at the literal,
    the message naming the call, its parameter and the name; the GUID ids and the
    placeholder are not secrets."""
    run = check_paths([str(SECRETS / "app_secret_through_names.py")], RunOptions())
    found = {f.span.line: f.message for f in run.findings if f.rule == "AS105"}
    assert set(found) == {13, 19, 22}
    assert (
        "(to msal.ConfidentialClientApplication's client_credential at line 26, as `KEY`)"
        in (found[13])
    )
    assert "client_secret at line 31, as `Azure.PASSKEY`)" in found[19]
    assert "client_credential at line 35, as `FALLBACK`)" in found[22]


def test_a_secret_in_a_token_form_names_the_request() -> None:
    code = (
        "import requests\nSECRET = '7f3a9c2e-5b1d-4e8f-a6c0-9d2b3e4f5a6b'\n"
        "form = {'grant_type': 'client_credentials', 'client_id': 'a', 'client_secret': SECRET,\n"
        "        'scope': 'https://outlook.office365.com/.default'}\n"
        "requests.post('https://login.microsoftonline.com/t/oauth2/v2.0/token', data=form)\n"
    )
    result = check_source("m.py", "python", code.encode(), [r() for r in ALL_RULES])
    (secret,) = [f for f in result.findings if f.rule == "AS105"]
    assert secret.span.line == 2
    assert "(to the token request's client_secret at line 5, as `SECRET`)" in secret.message


def test_a_secret_imported_from_a_module_that_is_not_checked() -> None:
    """A client secret and a mailbox password written in a constants module the pre-check
    skips (it names no mail library, host or setting) are reported where they are used,
    naming where they are written; the GUID ids, a placeholder and a password that does
    not look written (``senha_do_email``) are not secrets; a module that is checked by
    itself reports its own literal, once, there."""
    folder = SECRETS / "imported_constants"
    run = check_paths([str(folder)], RunOptions())
    found = {(Path(f.path).name, f.span.line): f.message for f in run.findings if f.rule == "AS105"}
    assert set(found) == {
        ("token_job.py", 19),
        ("token_job.py", 31),
        ("mail_settings.py", 4),
    }
    assert (
        " written in azure_conf.py:6 (to msal.ConfidentialClientApplication's "
        in (found[("token_job.py", 19)])
    )
    assert " written in azure_conf.py:8 (to the SMTP login)" in found[("token_job.py", 31)]


GRAPH_ONLY = SECRETS / "graph_only"


def test_an_app_secret_handed_to_a_token_library_in_a_graph_only_module() -> None:
    """A module whose tokens are for Graph scopes other than mail's (To Do, calendar,
    reports, sites) still holds the app's client secret: whoever has it gets the app's
    ``.default`` token with every permission the tenant granted, mail's included. Handed
    to MSAL or azure-identity through a dict subscript, a class's dict attribute read with
    ``.get``, a dict imported by name, or written in the call, it is reported with its way
    to the call (seventh set, after its first run)."""
    run = check_paths([str(GRAPH_ONLY)], RunOptions())
    found = {(Path(f.path).name, f.span.line): f.message for f in run.findings if f.rule == "AS105"}
    assert set(found) == {
        ("tasks_config.py", 10),
        ("settings_class.py", 11),
        ("sites_job.py", 9),
        ("calendar_job.py", 10),
    }
    assert "client_credential at line 13)" in found[("tasks_config.py", 10)]
    assert "ClientSecretCredential's client_secret at line 15)" in found[("settings_class.py", 11)]
    assert "written in graph_conf.py:6 (to msal" in found[("sites_job.py", 9)]


def test_graph_only_placeholders_passwords_and_tokens_stay_silent() -> None:
    """In the same kind of module a placeholder secret, a setting's name, a user's password
    for a non-mail scope and a refresh token are no mail secrets (the ROPC call is AS106's)."""
    run = check_paths([str(GRAPH_ONLY / "negatives")], RunOptions())
    assert [f for f in run.findings if f.rule == "AS105"] == []
