"""What the code uses: each mailbox its password logins sign in to (or send as), by
protocol, with where in code and what ``fix`` does about it.

From a scan run here (the findings of ``check``, configuration honoured) or from the JSON
a sweep or ``check --format json`` wrote; both carry each finding's mailboxes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding, Mailbox
from ..records import record
from .mailboxes import BASIC_AUTH_RULES

# An address a script may name: no quote, space or control character can reach a command.
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\Z")


class InventoryError(Exception):
    """An input that cannot be read as findings; the message names it and says why."""


@record
class Use:
    """One place in code that signs in (or sends as) with a password today."""

    mailbox: Mailbox
    path: str
    line: int
    rule: str
    fix: str  # what `authsweep fix` does for it

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class MailboxUses:
    """A mailbox of the tenant and every use of it in code."""

    address: str | None  # None: the code does not say which (see ``unknown``)
    unknown: str | None  # "set SMTP_USER", "from parameter user"
    uses: list[Use] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.address or f"unknown: {self.unknown}"

    @property
    def protocols(self) -> list[str]:
        return sorted({use.mailbox.protocol for use in self.uses}, key=_PROTOCOL_ORDER.index)

    @property
    def sender_only(self) -> bool:
        """Only ever a From address, never signed in to."""
        return all(use.mailbox.role == "sender" for use in self.uses)

    @property
    def variables(self) -> list[str]:
        return sorted({u.mailbox.variable for u in self.uses if u.mailbox.variable})


_PROTOCOL_ORDER = ["smtp", "imap", "pop", "ews", "graph"]


@dataclass
class Inventory:
    mailboxes: list[MailboxUses]
    source: str  # what was read: the paths, or the JSON file

    @property
    def known(self) -> list[MailboxUses]:
        return [m for m in self.mailboxes if m.address is not None]

    @property
    def unknown(self) -> list[MailboxUses]:
        return [m for m in self.mailboxes if m.address is None]

    def protocols(self) -> list[str]:
        found = {p for m in self.mailboxes for p in m.protocols}
        return [p for p in _PROTOCOL_ORDER if p in found]

    def addresses(self, protocol: str, role: str | None = None) -> list[str]:
        """The known addresses used with ``protocol`` (as ``role`` only, when given)."""
        return sorted(
            {
                m.address
                for m in self.known
                for use in m.uses
                if use.mailbox.protocol == protocol and role in (None, use.mailbox.role)
                if m.address is not None
            },
            key=str.lower,
        )


# What the fix of a use says when it stays on XOAUTH2 under `--target graph` (rules/base.py).
STAYS_ON_XOAUTH2 = "stays on XOAUTH2"
GRAPH_FIX = "`authsweep fix --unsafe-fixes --target graph` sends it through Microsoft Graph"


def fix_text(fix_applicability: str | None, message: str, fix_message: str = "") -> str:
    """What `fix` does for a use, from its finding's message and its fix's."""
    if fix_applicability == "unsafe":
        if fix_message.startswith("Send") and "Graph" in fix_message:
            return GRAPH_FIX
        text = "`authsweep fix --unsafe-fixes` rewrites it to XOAUTH2 with an app-only token"
        return (
            f"{text} ({STAYS_ON_XOAUTH2} with --target graph)"
            if STAYS_ON_XOAUTH2 in fix_message
            else text
        )
    if fix_applicability == "safe":
        return "`authsweep fix` rewrites it"
    return f"not rewritten by fix ({message})"


def build(uses: Iterable[Use], source: str) -> Inventory:
    """Group uses by mailbox: an address case-insensitively, an unknown one by what it is
    read from (a variable everywhere alike; any other origin per file)."""
    groups: dict[tuple[str, ...], MailboxUses] = {}
    for use in uses:
        box = use.mailbox
        if box.address is not None and _ADDRESS.match(box.address):
            key: tuple[str, ...] = ("address", box.address.lower())
            group = groups.setdefault(key, MailboxUses(box.address, None))
        elif box.address is not None:
            key = ("not-an-address", box.address, use.path)
            group = groups.setdefault(key, MailboxUses(None, "not an address in code"))
        elif box.variable is not None:
            key = ("variable", box.variable)
            group = groups.setdefault(key, MailboxUses(None, f"set {box.variable}"))
        else:
            key = ("origin", box.origin or "", use.path)
            group = groups.setdefault(key, MailboxUses(None, f"from {box.origin}"))
        group.uses.append(use)
    ordered = sorted(
        groups.values(), key=lambda m: (m.address is None, (m.address or m.label).lower())
    )
    for group in ordered:
        group.uses.sort(key=lambda u: (u.path, u.line, u.mailbox.protocol))
    return Inventory(ordered, source)


def uses_of_findings(findings: Iterable[Finding]) -> list[Use]:
    uses = []
    for finding in findings:
        if finding.rule not in BASIC_AUTH_RULES:
            continue
        applicability = finding.fix.applicability.value if finding.fix else None
        fix = fix_text(applicability, finding.message, finding.fix.message if finding.fix else "")
        for box in finding.mailboxes:
            uses.append(Use(box, finding.path, finding.span.line, finding.rule, fix))
    return uses


def from_document(path: Path) -> Inventory:
    """The uses in the JSON of ``authsweep sweep --format json`` (or of ``check``)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise InventoryError(f"{path}: cannot read: {error.strerror}") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise InventoryError(f"{path}: not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("tool") != "authsweep":
        raise InventoryError(f"{path}: not an authsweep JSON report (sweep --format json)")
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise InventoryError(f"{path}: 'findings' is missing or malformed")
    return from_findings(findings, str(path))


def from_findings(findings: list, source: str) -> Inventory:
    """The uses in findings as the JSON reports write them."""
    uses = []
    for index, finding in enumerate(findings):
        try:
            uses.extend(_document_uses(finding))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InventoryError(f"{source}: finding {index + 1} is malformed ({error})") from None
    return build(uses, source)


def _document_uses(finding: dict) -> list[Use]:
    if finding["rule"] not in BASIC_AUTH_RULES:
        return []
    fix = finding.get("fix")
    applicability = fix["applicability"] if isinstance(fix, dict) else None
    fix_message = str(fix.get("message", "")) if isinstance(fix, dict) else ""
    text = fix_text(applicability, str(finding["message"]), fix_message)
    uses = []
    for box in finding.get("mailboxes", ()):
        mailbox = Mailbox(
            protocol=str(box["protocol"]),
            address=box.get("address"),
            variable=box.get("variable"),
            origin=box.get("origin"),
            role=box.get("role", "login"),
        )
        uses.append(Use(mailbox, str(finding["path"]), int(finding["line"]), finding["rule"], text))
    return uses


def from_paths(paths: Sequence[str], configure, cwd: Path) -> tuple[Inventory, list]:
    """Scan ``paths`` here as ``check`` does (``configure`` gives each file its settings);
    the inventory, and the files that could not be checked."""
    # start-up: the scanner loads only for an inventory made from paths, not a document.
    from ..engine import RunOptions
    from ..runner import check_paths

    run = check_paths(list(paths), RunOptions(), cwd, configure=configure)
    return build(uses_of_findings(run.findings), ", ".join(paths)), run.errors
