"""A small organisation of real git repositories for the sweep tests."""

from __future__ import annotations

from pathlib import Path

from cli_support import commit_all, git, init_repo, write

SECRET = "Vq7-sweep-S3cret-4412"
# AS101 (unsafe fix: the XOAUTH2 rewrite) and AS105 (by hand: a literal password).
LOGIN = (
    "import smtplib\n"
    "import ssl\n"
    "\n"
    "with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
    "    smtp.starttls(context=ssl.create_default_context())\n"
    f"    smtp.login('billing@contoso.com', '{SECRET}')\n"
    "    smtp.send_message(message)\n"
)
# AS202 with a safe fix, in code and in a .env file.
PORT_465 = (
    "import smtplib, ssl\n"
    "t = smtplib.SMTP('smtp.office365.com', 465)\n"
    "t.starttls(context=ssl.create_default_context())\n"
)
PORT_465_ENV = "EMAIL_HOST=smtp.office365.com\nEMAIL_PORT=465\nEMAIL_USE_SSL=True\n"
# AS101 for a personal Outlook.com account: no fix, blocked.
PERSONAL = (
    "import smtplib, ssl\n"
    "s = smtplib.SMTP('smtp-mail.outlook.com', 587)\n"
    "s.starttls(context=ssl.create_default_context())\n"
    "s.login('me@outlook.com', password)\n"
)
# AS104: EWS basic auth.
EWS = (
    "from exchangelib import Account, Configuration, Credentials, DELEGATE\n"
    "credentials = Credentials('reports@contoso.com', PASSWORD)\n"
    "config = Configuration(server='outlook.office365.com', credentials=credentials)\n"
    "account = Account('reports@contoso.com', config=config, access_type=DELEGATE)\n"
)
# Python 2: reported as not Python 3, and checked in a Python 3 translation (AS101 and
# AS204 for the STARTTLS without a context, low confidence).
PYTHON2 = (
    "import smtplib\n"
    "server = smtplib.SMTP('smtp.office365.com', 587)\n"
    "server.starttls()\n"
    "server.login(user, password)\n"
    'print "sent"\n'
)
CLEAN = "def greet(name):\n    return f'hello {name}'\n"

STATUSES = {
    "team-a/billing": "needs-rewrite",
    "team-a/ports": "safe-fixes",
    "team-a/configured": "clean",
    "team-b/clean": "clean",
    "team-b/personal": "blocked",
    "team-b/ews": "blocked",
    "team-b/legacy": "blocked",
}


def repository(path: Path, files: dict[str, str]) -> Path:
    init_repo(path)
    for name, text in files.items():
        write(path / name, text)
    commit_all(path, "initial")
    return path


def make_org(root: Path) -> Path:
    """Seven repositories in two team folders, one folder that is not a repository, and
    a configuration above them all that must not apply inside them."""
    # Above every repository: would silence everything if it leaked into them.
    write(root / "pyproject.toml", '[tool.authsweep]\nselect = ["AS303"]\n')
    repository(
        root / "team-a" / "billing",
        {
            "app/mail.py": LOGIN,
            ".github/CODEOWNERS": "*  @contoso/payments\n/docs/ @contoso/writers\n",
        },
    )
    repository(root / "team-a" / "ports", {"send.py": PORT_465, ".env": PORT_465_ENV})
    repository(
        root / "team-a" / "configured",
        {
            # Its own configuration: the port finding is ignored; the ignored file is not read.
            "pyproject.toml": '[tool.authsweep]\nignore = ["AS202"]\n',
            "send.py": PORT_465,
            ".gitignore": "generated/\n",
            "generated/mail.py": LOGIN,
        },
    )
    repository(root / "team-b" / "clean", {"greet.py": CLEAN})
    repository(root / "team-b" / "personal", {"notify.py": PERSONAL})
    repository(root / "team-b" / "ews", {"reports.py": EWS})
    repository(root / "team-b" / "legacy", {"old.py": PYTHON2})
    write(root / "notes" / "README.md", "not a repository\n")
    return root


def head(path: Path) -> str:
    return git(path, "rev-parse", "HEAD").strip()


# Markup in a repository's names and code must reach the report as text, never as markup.
HOSTILE = '<script>alert("owned")</script>'


def report_documents(root: Path) -> tuple[dict, dict]:
    """Two sweeps of one organisation a week apart (the second with the burn-down), as
    the HTML report tests need them: every status, a CODEOWNERS team, a secret, markup in
    a folder name and in code."""
    from authsweep.scanner.options_file import ConfigResolver
    from authsweep.scanner.sweep.changes import add_changes
    from authsweep.scanner.sweep.run import SweepOptions, sweep

    org = make_org(root / "org")
    repository(
        org / "team-c" / 'odd <b>&"name"',
        {"mail.py": LOGIN.replace("billing@contoso.com", f"{HOSTILE}@contoso.com")},
    )
    write(org / "team-b" / "broken" / ".git", "gitdir: /nonexistent/authsweep-test\n")
    options = SweepOptions(org, root / "work", ConfigResolver())
    previous = sweep(options)
    write(org / "team-a" / "ports" / "send.py", PORT_465.replace("465", "587"))
    write(org / "team-a" / "billing" / "app" / "second.py", LOGIN.replace("billing@", "ops@"))
    commit_all(org / "team-a" / "ports", "port fixed")
    commit_all(org / "team-a" / "billing", "another login")
    current = sweep(options)
    add_changes(current, previous)
    return current, previous
