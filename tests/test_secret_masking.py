"""No secret is printed, whatever the expression that builds it and wherever it goes: the
password of a ROPC token request (MSAL, a raw ``grant_type=password`` request in every
shape), credentials in URLs, the second line of a multi-line INI password, and literals
that reach a password through ``%``, ``.format``, ``"".join``, a slice, a name or a
parameter. Checked in every output: the text report with its code frames, JSON, SARIF,
``fix --diff``, the cache, and a sweep's JSON and HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import GIT_ENV, run_cli
from sweep_support import repository

# Each secret appears once in the tree; none may appear in any output, nor its first half.
FILES = {
    "ropc.py": (
        "import msal\n"
        "app = msal.PublicClientApplication('client-id', authority=AUTHORITY)\n"
        "result = app.acquire_token_by_username_password(\n"
        "    'bot@contoso.com', 'Ropc-Literal-7731', scopes=SCOPES\n"
        ")\n"
        "ROPC_PASSWORD = 'Ropc-Named-5518'\n"
        "again = app.acquire_token_by_username_password('bot@contoso.com', ROPC_PASSWORD, SCOPES)\n"
    ),
    "raw_form.py": (
        "import requests\n"
        "TOKEN_URL = 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token'\n"
        "r = requests.post(TOKEN_URL, data={'grant_type': 'password', 'username': 'bot',\n"
        "    'password': 'Raw-Dict-Pass-4410', 'client_secret': 'Raw-Client-Secret-9082',\n"
        "    'scope': 'https://outlook.office365.com/.default'})\n"
    ),
    "raw_string.py": (
        "import httpx\n"
        "r = httpx.post('https://login.microsoftonline.com/contoso/oauth2/v2.0/token'\n"
        "    '?access_token=Query-Token-6627',\n"
        "    data='grant_type=password&username=bot&password=Form-String-3391'\n"
        "    '&scope=https://outlook.office365.com/.default')\n"
    ),
    "url.py": (
        "import smtplib\n"
        "WEBHOOK = 'https://hooks:Userinfo-Pass-2204@example.com/notify?token=Url-Token-8126'\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls()\n"
        "s.login('bot@contoso.com', password)  # " + "see WEBHOOK above\n"
    ),
    "built.py": (
        "import smtplib\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls()\n"
        "s.login('bot@contoso.com', '%s-%s' % ('Percent', 'Built-4471'))\n"
        "s.login('bot@contoso.com', '{}{}'.format('Format', 'Built-5582'))\n"
        "s.login('bot@contoso.com', ''.join(['Join', 'Built-6693']))\n"
        "s.login('bot@contoso.com', 'xxSlice-Built-7704'[2:])\n"
        "JOINED = '-'.join(['Named', 'Built-8815'])\n"
        "s.login('bot@contoso.com', JOINED)\n"
        "def send(secret):\n"
        "    s.login('bot@contoso.com', secret)\n"
        "send('Param-Built-9926' + suffix)\n"
    ),
    "mail.ini": (
        "[mail]\n"
        "host = smtp.office365.com\n"
        "port = 465\n"
        "password = Ini-First-1357\n"
        "    Ini-Second-2468\n"
        "user = bot@contoso.com\n"
    ),
    # An unquoted config value is its own source text: no message names it as a name.
    "named.ini": (
        "[smtp]\nhost = smtp.office365.com\nuser = bot@contoso.com\npassword = IniIdent_4411x\n"
    ),
    # A test of the password, written into a message's condition.
    "condition.py": (
        "import smtplib\n"
        "PASSWORD = 'CondLeak_5522x'\n"
        "def send(pw):\n"
        "    s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "    if pw != 'CondLeak_5522x':\n"
        "        s.starttls()\n"
        "    s.login('bot@contoso.com', pw)\n"
        "send(PASSWORD)\n"
    ),
}
SECRETS = [
    "Ropc-Literal-7731",
    "Ropc-Named-5518",
    "Raw-Dict-Pass-4410",
    "Raw-Client-Secret-9082",
    "Query-Token-6627",
    "Form-String-3391",
    "Userinfo-Pass-2204",
    "Url-Token-8126",
    "Built-4471",
    "Built-5582",
    "Built-6693",
    "Slice-Built-7704",
    "Built-8815",
    "Param-Built-9926",
    "Ini-First-1357",
    "Ini-Second-2468",
    "IniIdent_4411x",
    "CondLeak_5522x",
]


def _leaked(output: str) -> list[str]:
    """The secrets ``output`` shows, whole or by a first half long enough to guess from."""
    return [s for s in SECRETS if s in output or s[: len(s) // 2 + 1] in output]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets")
    for name, text in FILES.items():
        (root / name).write_text(text)
    return root


def test_the_tree_holds_every_secret(tree: Path) -> None:
    text = "".join(path.read_text() for path in tree.iterdir())
    assert all(secret in text for secret in SECRETS)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown"])
def test_check_reports_mask_every_secret(tree: Path, fmt: str) -> None:
    result = run_cli("check", ".", "--no-cache", "--format", fmt, cwd=tree)
    assert result.returncode == 1, result.stderr
    assert _leaked(result.stdout + result.stderr) == []


@pytest.mark.slow
def test_the_frames_show_where_the_secrets_were(tree: Path) -> None:
    """Masked, not dropped: the code frames still show the code around each secret."""
    result = run_cli("check", ".", "--no-cache", "--output-format", "full", cwd=tree)
    shown = {line.split(" | ", 1)[1] for line in result.stdout.splitlines() if " | " in line}
    for line in (
        "    'bot@contoso.com', 'Ro***************', scopes=SCOPES",
        "s.login('bot@contoso.com', '%****' % ('P******', 'Bu********'))",
        "s.login('bot@contoso.com', 'xx****************'[2:])",
        "    ***************",  # the INI password's second line
        "    '?access_token=Qu**************',",
    ):
        assert line in shown, (line, shown)


@pytest.mark.slow
def test_the_diff_masks_every_secret(tree: Path) -> None:
    result = run_cli("fix", ".", "--diff", "--unsafe-fixes", "--no-cache", cwd=tree)
    assert result.returncode == 1 and "+++ b/built.py" in result.stdout, result.stderr
    assert "+++ b/mail.ini" in result.stdout
    assert _leaked(result.stdout + result.stderr) == []


@pytest.mark.slow
def test_the_cache_holds_no_secret(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for _ in range(2):  # written, then read back
        result = run_cli("check", ".", "--cache-dir", str(cache), cwd=tree)
        assert _leaked(result.stdout) == []
    stored = "".join(p.read_text(errors="replace") for p in cache.rglob("*") if p.is_file())
    assert stored and _leaked(stored) == []


@pytest.mark.slow
def test_a_sweep_json_and_html_mask_every_secret(tree: Path, tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        repository(tmp_path / "org" / "app", FILES)
    for fmt in ("json", "html", "markdown", "sarif"):
        result = run_cli("sweep", "org", "--no-cache", "--format", fmt, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert _leaked(result.stdout) == [], fmt


@pytest.mark.slow
def test_what_is_not_a_secret_stays_readable(tmp_path: Path) -> None:
    (tmp_path / "env.py").write_text(
        "import os, smtplib\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls()\n"
        "s.login('bot@contoso.com', os.environ['SMTP_PASSWORD_NAME'])\n"
        "s.login(os.getenv('MAIL_USER'), get_secret('vault/path/mail'))\n"
    )
    (tmp_path / "form.py").write_text(FILES["raw_form.py"])
    result = run_cli("check", ".", "--no-cache", cwd=tmp_path)
    for readable in (
        "os.environ['SMTP_PASSWORD_NAME']",
        "get_secret('vault/path/mail')",
        "'bot@contoso.com'",
        "'grant_type': 'password', 'username': 'bot',",
    ):
        assert readable in result.stdout, readable
