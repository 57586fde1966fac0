"""Settings in Python dicts and keyword arguments: reported as config files are, and a
port fix brings the TLS mode the new port needs."""

from __future__ import annotations

from authsweep.scanner.engine import RunOptions, check_source, selected_rules
from authsweep.scanner.fixes.rounds import fix_source

RULES = selected_rules(RunOptions())


def rules_of(code: str) -> list[tuple[str, int]]:
    found = check_source("app.py", "python", code.encode(), RULES).findings
    return [(f.rule, f.span.line) for f in found]


def test_keyword_arguments_of_an_unknown_call_are_settings() -> None:
    code = (
        "from mailer import Mailer, send_report\n"
        'send_report(host="smtp.office365.com", port=465, use_ssl=True)\n'
        'mailer = Mailer(server="smtp.office365.com", port=587, ssl=True)\n'
        'other = Mailer(server="smtp.gmail.com", port=465, ssl=True)\n'
        'unrelated = connect(host="db.contoso.com", port=5432)\n'
    )
    assert rules_of(code) == [("AS202", 2), ("AS201", 3)]


def test_known_clients_are_not_reported_twice() -> None:
    code = (
        "import smtplib, ssl\n"
        's = smtplib.SMTP_SSL(host="smtp.office365.com", port=587,'
        " context=ssl.create_default_context())\n"
    )
    assert rules_of(code) == [("AS201", 2)]


def test_a_port_fix_turns_the_dicts_ssl_flag_off() -> None:
    """Issue 12: `{"port": 465, "use_ssl": True}` became `{"port": 587, "use_ssl": True}`."""
    code = (
        "import smtplib\nimport ssl\n\n"
        'SMTP_SETTINGS = {"port": 465, "use_ssl": True, "starttls": False}\n\n\n'
        "def send(message, user, password):\n"
        '    if SMTP_SETTINGS["use_ssl"]:\n'
        '        server = smtplib.SMTP_SSL("smtp.office365.com", SMTP_SETTINGS["port"],'
        " context=ssl.create_default_context())\n"
        "    else:\n"
        '        server = smtplib.SMTP("smtp.office365.com", SMTP_SETTINGS["port"])\n'
        "        server.starttls(context=ssl.create_default_context())\n"
        "    server.login(user, password)\n"
    )
    fixed = fix_source("app.py", "python", code.encode(), RunOptions(), unsafe=False)
    assert 'SMTP_SETTINGS = {"port": 587, "use_ssl": False, "starttls": True}' in fixed.after
    assert rules_of(fixed.after) == [("AS101", 14)]  # and nothing else (one login, both arms)
