"""One token module per project: the MSAL helper every rewritten module imports.

An XOAUTH2 rewrite needs an access token. Rather than a copy of the MSAL helper (and of
its token cache) in each rewritten module, the helper is written once, in a module of the
project (``<oauth2-module>_token.py``), and each rewritten module imports
``oauth2_access_token`` from it: one MSAL application per authority and one token cache
per process, and one place for a reviewer to read. The logging handler module the fix
writes imports it too. A project that names its own function (``token-provider``) gets
no module: its function is imported instead.

Where the module goes is where every rewritten module of one import root can import it
from: the top package of the fixed file (``pkg/mail_oauth2_token.py``, imported as
``pkg.mail_oauth2_token``), or, for a script in a folder that is no package, that folder
(imported by its bare name, as ``python script.py`` puts the folder on ``sys.path``). A
module in a namespace package (no ``__init__.py``, but relative imports) imports it
relatively from its folder.
"""

from __future__ import annotations

import ast
import os
from dataclasses import replace
from pathlib import Path

from ..findings import Finding
from ..records import record
from ..remedies import NewFile
from .helpers import OAUTH2_ACCESS_TOKEN

FUNCTION = OAUTH2_ACCESS_TOKEN.name
KIND = "token"
_MAX_DEPTH = 12

TEMPLATE = r'''
"""The OAuth2 access token for this project's XOAUTH2 mail logins (MSAL).

Written by authsweep: Exchange Online is retiring basic authentication for SMTP
AUTH, and IMAP and POP basic authentication are gone. Every module authsweep
rewrote imports oauth2_access_token from here, so the process holds one MSAL
application per authority and one token cache. It needs msal installed, an Entra
app registration with the Office 365 Exchange Online application permission
(SMTP.SendAsApp, IMAP.AccessAsApp or POP.AccessAsApp) and admin consent, its
service principal registered in Exchange Online with access to the mailbox, and
AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (AZURE_AUTHORITY_HOST
optional) in the environment:
{guide}
"""

import os
import threading

import msal

{token_helper}'''


@record
class TokenHome:
    """Where the token module of a fixed file goes: its path relative to the file's folder
    (``/`` separators) and what the file imports (``pkg.mail_oauth2_token:oauth2_access_token``)."""

    path: str
    provider: str


def token_home(location: Path | None, module_name: str, code: str) -> TokenHome | None:
    """The token module for the file at ``location`` (with text ``code``); None for code
    that is in no file (stdin), which keeps the helper in the module itself."""
    if location is None:
        return None
    folder = location.parent
    name = f"{module_name}_token"
    top, packages = folder, []
    # A folder whose name is no identifier (``my-repo``) cannot be imported as a package.
    while (
        (top / "__init__.py").is_file() and top.name.isidentifier() and len(packages) < _MAX_DEPTH
    ):
        packages.append(top.name)
        top = top.parent
    if packages:
        home = top / packages[-1]
        module = f"{packages[-1]}.{name}"
    else:
        home = folder
        module = f".{name}" if _relative_imports(code) else name
    relative = Path(os.path.relpath(home / f"{name}.py", folder)).as_posix()
    return TokenHome(relative, f"{module}:{FUNCTION}")


def _relative_imports(code: str) -> bool:
    """Whether the module imports relatively (it is in a namespace package)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return False
    return any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(tree))


def with_token_module(finding: Finding, home: TokenHome | None) -> Finding:
    """The finding with the token module among the files its fix adds, when the fix calls
    the token helper or writes a module that does (the logging handler)."""
    fix = finding.fix
    if home is None or fix is None:
        return finding
    remedy = fix.remedy
    calls = FUNCTION in remedy.helpers or any(new.kind == "smtp-handler" for new in remedy.files)
    if not calls:
        return finding
    files = (*remedy.files, NewFile(home.path, KIND))
    return replace(finding, fix=replace(fix, remedy=replace(remedy, files=files)))
