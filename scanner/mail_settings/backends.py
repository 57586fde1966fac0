"""The XOAUTH2 fix of framework mail settings: an email backend that signs in with OAuth2.

Django's ``EMAIL_BACKEND`` and Flask-Mailman's ``MAIL_BACKEND`` name the class that
sends mail. The fix adds a small backend module to the project (beside the settings
package; :mod:`authsweep.scanner.fixes.modules` holds it), points the setting at it,
and replaces the password setting by the app registration's tenant, client id and
secret, read from the environment the way the password was read (``os.environ``,
django-environ's ``env(...)``, python-decouple's ``config(...)``, a project's own
wrapper). Only for a host known to be Microsoft 365, and never for a personal
Outlook.com account (no tenant, no app-only token).

Flask-Mail has no backend setting: its connections are made by ``Mail.connect()``, in
code. There the module holds ``XOAuth2Mail`` (beside the code that makes the app's
``Mail``), and the fix switches ``Mail()`` to it in that file too, which is often not
the file with the settings: an edit of another file that goes with the fix or not at all
(:class:`~authsweep.scanner.remedies.OtherFile`).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from pathlib import Path

from ..project import GRAPH_MAIL_CLASS, OAUTH2_MAIL_CLASS, MailMaker
from ..providers import lookup
from ..records import plain, record
from ..remedies import MODULE_NAME, PACKAGE_PREFIX, Edit, NewFile, OtherFile, Remedy

BACKEND_CLASS = "XOAuth2EmailBackend"
GRAPH_BACKEND_CLASS = "GraphEmailBackend"
# The settings the backend reads (after the family's prefix) and the environment
# variables they come from: those Azure tooling and MSAL samples use.
CREDENTIALS = (
    ("OAUTH2_TENANT_ID", "AZURE_TENANT_ID"),
    ("OAUTH2_CLIENT_ID", "AZURE_CLIENT_ID"),
    ("OAUTH2_CLIENT_SECRET", "AZURE_CLIENT_SECRET"),
)
ENVIRONMENT = tuple(variable for _, variable in CREDENTIALS)


def _no_mail_makers() -> list[MailMaker] | None:
    return None


def _set_nowhere(variable: str) -> tuple[str, int] | None:
    return None


@plain
class Project:
    """What a fix that adds a module needs to know about the file's project. Facts of
    other files come from the caller, which reads them when asked: the interpreter itself
    reads no file."""

    folder: str  # where the module goes, relative to the settings file's folder
    flask_extension: str = ""  # "flask_mail" or "flask_mailman": what the app imports
    path: Path | None = None  # the settings file, resolved
    # The code of the project that makes Flask-Mail's ``Mail`` (None: not known).
    mail_makers: Callable[[], list[MailMaker] | None] = _no_mail_makers
    # Where the project sets an environment variable: (config file, line), or None.
    set_in: Callable[[str], tuple[str, int] | None] = _set_nowhere


@record
class Backend:
    """A framework with an OAuth2 class a fix can write: named by a backend setting
    (``EMAIL_BACKEND``), or made in code (Flask-Mail's ``Mail``)."""

    kind: str  # the module kind (:data:`authsweep.scanner.fixes.modules.MODULES`)
    framework: str
    setting: bool = True  # the settings name the class (else code makes it)
    class_name: str = "XOAuth2EmailBackend"


DJANGO = Backend("django-backend", "Django")
FLASK_MAILMAN = Backend("flask-mailman-backend", "Flask-Mailman")
FLASK_MAIL = Backend("flask-mail", "Flask-Mail", setting=False, class_name=OAUTH2_MAIL_CLASS)
# The same frameworks sending through Microsoft Graph sendMail (`fix --target graph`), with
# the same settings; the modules are scanner/fixes/graph_modules.py's.
GRAPH_BACKENDS = {
    DJANGO: Backend("django-graph-backend", "Django", class_name=GRAPH_BACKEND_CLASS),
    FLASK_MAILMAN: Backend(
        "flask-mailman-graph-backend", "Flask-Mailman", class_name=GRAPH_BACKEND_CLASS
    ),
    FLASK_MAIL: Backend(
        "flask-graph-mail", "Flask-Mail", setting=False, class_name=GRAPH_MAIL_CLASS
    ),
}


# The logging handler the XOAUTH2 fix writes, in a module beside the file that uses it.
OAUTH2_HANDLER = "XOAuth2SMTPHandler"
HANDLER_MODULE = f"{MODULE_NAME}_handler"
HANDLER_CLASS = f"{HANDLER_MODULE}.{OAUTH2_HANDLER}"
HANDLER_NOTE = "XOAuth2SMTPHandler reads AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET"
# The handler `fix --target graph` writes, in the same module.
GRAPH_HANDLER = "GraphSMTPHandler"
GRAPH_HANDLER_CLASS = f"{HANDLER_MODULE}.{GRAPH_HANDLER}"
GRAPH_HANDLER_NOTE = "GraphSMTPHandler reads AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET"


def handler_module(host, *, graph: bool = False) -> NewFile | None:
    """The XOAuth2SMTPHandler module (with ``graph``, the GraphSMTPHandler one) for a
    handler mailing ``host`` (a Value): only a Microsoft 365 host with an app-only token
    (no personal Outlook.com account), and for Graph a cloud with a Graph endpoint."""
    if not (host.known and isinstance(host.value, str)):
        return None
    provider = lookup(host.value)
    if not provider.microsoft or not provider.oauth_scope or provider.personal_accounts:
        return None
    if graph:
        if not provider.graph_host:
            return None
        options = (("graph_host", provider.graph_host), ("authority_host", provider.authority_host))
        return NewFile(f"{HANDLER_MODULE}.py", "graph-smtp-handler", options)
    options = (("scope", provider.oauth_scope), ("authority_host", provider.authority_host))
    return NewFile(f"{HANDLER_MODULE}.py", "smtp-handler", options)


def is_oauth2_backend(name: object) -> bool:
    """The XOAUTH2 backend the fix writes (``helpdesk.mail_oauth2.XOAuth2EmailBackend``)."""
    return isinstance(name, str) and name.rsplit(".", 1)[-1] == BACKEND_CLASS


def is_graph_backend(name: object) -> bool:
    """The Graph backend `fix --target graph` writes: it sends over HTTPS, no SMTP."""
    return isinstance(name, str) and name.rsplit(".", 1)[-1] == GRAPH_BACKEND_CLASS


def backend_remedy(
    backend: Backend,
    *,
    stem: str,
    host: str,
    password,
    backend_setting,
    quote_hint: str,
    project: Project,
) -> Remedy | None:
    """Edits that switch the settings to the OAuth2 backend; None where they cannot be
    written plainly (the password setting shares its line, the backend setting is an
    expression, ...). ``password`` and ``backend_setting`` are :class:`Setting` values."""
    provider = lookup(host)
    if not provider.microsoft or not provider.oauth_scope or provider.personal_accounts:
        return None
    if password.statement is None or not password.form:
        return None
    if backend.kind in _GRAPH_KINDS and not provider.graph_host:
        return None
    switch = None
    if not backend.setting:
        switch = _mail_switch(project, backend.class_name)
        if switch is None:
            return None
    target = f"{PACKAGE_PREFIX}{MODULE_NAME}.{backend.class_name}"
    quote = "'" if quote_hint == "'" else '"'
    edits: list[Edit] = []
    lines: list[str] = []
    written = password.key[: len(stem)]
    lower = password.key[len(stem) :].islower()
    if backend.setting and backend_setting is not None:
        token = backend_setting.token
        text = backend_setting.token_text
        if token is None or len(text) < 2 or text[0] not in "'\"" or text[-1] != text[0]:
            return None
        edits.append(Edit(token.start, token.end, f"{text[0]}{target}{text[0]}"))
    elif backend.setting:
        key = written + _case("BACKEND", lower)
        lines.append(_line(password.form, key, quote + target + quote))
    imports: tuple[str, ...] = ()
    for suffix, variable in CREDENTIALS:
        found = environment_read(password.value.source, variable, quote)
        if found is None:
            return None
        expression, imports = found
        lines.append(_line(password.form, written + _case(suffix, lower), expression))
    if password.form.endswith(","):
        lines = [line if line.endswith(",") else line + "," for line in lines]
    elif password.listed:
        lines = [line + "," for line in lines[:-1]] + lines[-1:]
    statement = password.statement
    edits.append(Edit(statement.start, statement.end, "\n".join(lines)))
    folder = f"{project.folder}/" if project.folder else ""
    options = (("scope", provider.oauth_scope), ("authority_host", provider.authority_host))
    if backend.kind in _GRAPH_KINDS:
        options = (("graph_host", provider.graph_host), ("authority_host", provider.authority_host))
    if switch is None:
        module = NewFile(f"{folder}{MODULE_NAME}.py", backend.kind, options)
        note = (
            f"{backend.framework} sends through {target}: set "
            + ", ".join(ENVIRONMENT)
            + " where the settings read them"
        )
        return Remedy(tuple(edits), imports=imports, note=note, files=(module,))
    module = NewFile(switch.module_path, backend.kind, options)
    imports = (*imports, *switch.imports)
    return Remedy(
        (*edits, *switch.edits),
        imports=imports,
        note=f"{backend.framework} sends through {backend.class_name}",
        files=(module,),
        elsewhere=switch.elsewhere,
    )


@plain
class _Switch:
    """What switching the app's Flask-Mail ``Mail`` to the OAuth2 class takes: edits of
    the settings file itself (where it makes ``Mail`` too) and of other files."""

    module_path: str  # relative to the settings file's folder
    edits: tuple[Edit, ...] = ()
    imports: tuple[str, ...] = ()
    elsewhere: tuple[OtherFile, ...] = ()


_GRAPH_KINDS = frozenset(backend.kind for backend in GRAPH_BACKENDS.values())


def _mail_switch(project: Project, class_name: str) -> _Switch | None:
    """Edits that make the code nearest to the settings file make ``XOAuth2Mail`` instead
    of Flask-Mail's ``Mail`` (in the nearest folder above the settings file that holds
    such code: the app those settings configure); None when there is no such code, or
    code that cannot be switched plainly (a subclass of ``Mail``)."""
    if project.path is None:
        return None
    makers = _nearest(project.path, project.mail_makers())
    if not makers:
        return None
    here = project.path.parent
    first = makers[0].path.parent
    module_path = _relative(here, first / f"{MODULE_NAME}.py")
    imported = f"{PACKAGE_PREFIX}{MODULE_NAME}:{class_name}"
    edits: tuple[Edit, ...] = ()
    imports: tuple[str, ...] = ()
    elsewhere: list[OtherFile] = []
    by_file: dict[Path, list[MailMaker]] = {}
    for maker in makers:
        if not maker.migrated:
            by_file.setdefault(maker.path, []).append(maker)
    for path, found in by_file.items():
        switched = tuple(Edit(m.start, m.end, class_name) for m in found)
        if path == project.path:
            edits, imports = switched, (imported,)
            continue
        lines = ", ".join(str(m.line) for m in found)
        note = f"makes {class_name} instead of Flask-Mail's Mail (line {lines})"
        elsewhere.append(
            OtherFile(_relative(here, path), switched, found[0].digest, (imported,), note)
        )
    return _Switch(module_path, edits, imports, tuple(elsewhere))


def _nearest(settings: Path, makers: list[MailMaker] | None) -> list[MailMaker]:
    if not makers:
        return []
    for folder in (settings.parent, *settings.parents):
        near = [m for m in makers if m.path.is_relative_to(folder)]
        if near:
            return near
    return []


def _relative(folder: Path, path: Path) -> str:
    return Path(os.path.relpath(path, folder)).as_posix()


def _case(suffix: str, lower: bool) -> str:
    return suffix.lower() if lower else suffix


def _line(form: str, key: str, value: str) -> str:
    return form.format(key=key, value=value)


def environment_read(
    source: str | None, variable: str, quote: str
) -> tuple[str, tuple[str, ...]] | None:
    """An expression that reads ``variable`` the way ``source`` (the password's value)
    reads its own: ``env("X")`` -> ``env("AZURE_TENANT_ID")``, ``os.environ["X"]`` ->
    ``os.environ["AZURE_TENANT_ID"]``, ``config("X", default="")`` ->
    ``config("AZURE_TENANT_ID", default="")``. A password written in the file (or read
    another way) becomes ``os.environ.get("AZURE_TENANT_ID")``: the settings still load
    where the variable is not set, and the backend says what is missing when it sends.
    Returns the expression and the imports it needs."""
    fallback = (f"os.environ.get({quote}{variable}{quote})", ("os",))
    if not source:
        return fallback
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return fallback
    name = f"{quote}{variable}{quote}"
    if isinstance(node, ast.Subscript) and _is_string(node.slice):
        mapping = ast.get_source_segment(source.strip(), node.value)
        if mapping in _MAPPINGS:
            return f"{mapping}[{name}]", ()
        return fallback
    if isinstance(node, ast.Call) and node.args and _is_string(node.args[0]):
        func = ast.get_source_segment(source.strip(), node.func)
        # Only a reader known to work is written again: a project's own function called by
        # name, or one of these (never an expression copied whatever it is).
        if func is None or not (func in _READERS or isinstance(node.func, ast.Name)):
            return fallback
        tolerant = len(node.args) > 1 or any(k.arg == "default" for k in node.keywords)
        if func.endswith(("environ.get", "getenv")):
            return f"{func}({name})", ()  # None when the variable is not set
        default = f", default={quote}{quote}" if tolerant else ""
        return f"{func}({name}{default})", ()
    return fallback


# How settings modules read the environment: os and its names, django-environ's ``env``
# (an ``environ.Env()``) and its typed readers, python-decouple's ``config``.
_MAPPINGS = frozenset({"os.environ", "environ", "env"})
_READERS = frozenset(
    {"os.getenv", "getenv", "os.environ.get", "environ.get", "env", "env.str", "config"}
)


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
