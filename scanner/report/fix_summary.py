"""The summary of a ``fix`` run in words, as the text report ends with it."""

from __future__ import annotations

from ..findings import Applicability
from ..fixes.outcome import FixOutcome
from .counts import plural

GRAPH_NEEDS = (
    "The Graph code needs: `pip install msal`; an Entra app registration with the Microsoft "
    "Graph application permission Mail.Send and admin consent (or, scoped to the mailboxes, "
    "the Exchange Online RBAC for Applications role Application Mail.Send: `authsweep tenant "
    "plan --target graph` writes it); AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET "
    "in the environment (frameworks: their *_OAUTH2_* settings). See "
    "https://learn.microsoft.com/en-us/graph/api/user-sendmail"
)


def fix_summary(
    outcome: FixOutcome,
    written: bool = True,
    *,
    unsafe_command: str = "authsweep fix --unsafe-fixes",
) -> str:
    """What a fix run fixed (``written``) or would fix, what remains, the modules it adds,
    the files it could not fix, and what the OAuth2 code needs to run."""
    fixed, resolved = outcome.fixed, outcome.resolved
    count = sum(fixed.values())
    also = sum(resolved.values())
    changed = sum(1 for f in outcome.files if f.changed)
    remaining = outcome.remaining
    if not outcome.found:
        lines = [f"No problems found in {plural(outcome.files_scanned, 'file')}."]
    elif not count:
        lines = [f"Nothing to fix in {plural(len(outcome.found), 'problem')} found."]
    else:
        verb = "Fixed" if written else "Would fix"
        of = "" if count == len(outcome.found) else f"{count} of "
        total = plural(len(outcome.found), "problem") if of else plural(count, "problem")
        rules = ", ".join(f"{rule}: {n}" for rule, n in sorted(fixed.items()))
        line = f"{verb} {of}{total} ({rules}) in {plural(changed, 'file')}."
        if also:
            went = ", ".join(f"{rule}: {n}" for rule, n in sorted(resolved.items()))
            line += f" {also} more {'went' if written else 'would go'} with them ({went})."
        lines = [line]
    if remaining:
        unsafe = sum(
            1
            for f in remaining
            if f.fix is not None and f.fix.applicability is Applicability.UNSAFE
        )
        verb = "remains" if len(remaining) == 1 else "remain"
        if not written and count:
            verb = "would remain"
        line = f"{plural(len(remaining), 'problem')} {verb}"
        if unsafe:
            line += f" ({unsafe} fixable with `{unsafe_command}`)"
        lines.append(line + ".")
    lines.extend(_created_lines(outcome, written))
    if outcome.baselined:
        lines.append(f"{len(outcome.baselined)} known from the baseline.")
    if outcome.errors:
        files = len({error.path for error in outcome.errors})
        lines.append(f"{plural(files, 'file')} could not be checked or fixed.")
    lines += [
        f"{f.path}: {note}" for f in outcome.files if f.changed for note in f.edited_for + f.notes
    ]
    if any(f.targets["graph"] for f in outcome.files if f.changed):
        lines.append(GRAPH_NEEDS)
    if any(f.targets["xoauth2"] for f in outcome.files if f.changed):
        lines.append(
            "The OAuth2 code needs: `pip install msal`; an Entra app registration with the "
            "Office 365 Exchange Online application permission SMTP.SendAsApp (IMAP: "
            "IMAP.AccessAsApp, POP3: POP.AccessAsApp) and admin consent; its service "
            "principal registered in Exchange Online (New-ServicePrincipal) with mailbox "
            "permission "
            "(Add-MailboxPermission); AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET "
            "in the environment. See https://learn.microsoft.com/en-us/exchange/"
            "client-developer/legacy-protocols/"
            "how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth"
        )
    return "\n".join(lines)


def _created_lines(outcome: FixOutcome, written: bool) -> list[str]:
    """A line for each module the fixes add to the project (once, however many files
    refer to it)."""
    verb = "Added" if written else "Would add"
    seen: dict[str, str] = {}
    for file in outcome.files:
        for created in file.created if file.changed else ():
            seen.setdefault(created.display, created.class_name)
    return [f"{verb} {path} ({name})." for path, name in seen.items()]
