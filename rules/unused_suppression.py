"""AS900 unused-suppression: a suppression comment that silences nothing."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Finding, Severity
from authsweep.scanner.model import MailFile
from authsweep.scanner.suppress import UNUSED_ID, UNUSED_NAME

from .base import Example, Rule


class UnusedSuppression(Rule):
    id = UNUSED_ID
    name = UNUSED_NAME
    severity = Severity.WARNING
    summary = (
        "An `# authsweep: ignore[...]` or `# noqa: AS...` comment that silences nothing: a rule "
        "code that does not exist, or no finding of that rule on the statement."
    )
    why = (
        "A suppression outlives the code it was written for: once the login is migrated, "
        "the comment stays and would hide the next basic-auth login written on that line. "
        "A mistyped code (`AS110` for `AS101`) silences nothing while looking as if it did."
    )
    fix_doc = (
        "Delete the comment, or the unused codes in it. `authsweep fix` does, and keeps the "
        "rest of the line: other codes, other linters' `noqa` codes and the comment's text. "
        "Only codes of rules that ran are judged (a bare `# authsweep: ignore` only when every "
        "rule ran), so `--select` never makes a needed suppression look unused. `noqa` codes "
        "of other linters (`E501`) are never reported. Silence AS900 itself by naming it: "
        "`# authsweep: ignore[AS900]`."
    )
    fix_safety = "Safe: it removes only comment text that silences nothing."
    references = ("https://docs.astral.sh/ruff/rules/unused-noqa/",)
    bad = (
        Example(
            "import smtplib\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)  # authsweep: ignore[AS110]\n",
            lines=(2,),
            fixed="import smtplib\nserver = smtplib.SMTP('smtp.office365.com', 587)\n",
        ),
        Example(
            "# authsweep: ignore[AS015]\nEMAIL_HOST=smtp.office365.com\n",
            path=".env",
            lines=(1,),
            fixed="EMAIL_HOST=smtp.office365.com\n",
        ),
    )
    good = (
        Example(
            "import smtplib\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.login(user, password)  # authsweep: ignore[AS101]  # noqa: E501\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        # Reported by the suppression pass (scanner/suppress.py), once every other rule has
        # run and it is known what each directive silenced.
        return iter(())
