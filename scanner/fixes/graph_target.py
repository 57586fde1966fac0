"""The fixer's half of `fix --target graph`: where the Graph client module goes, and what
a fix that sends through Graph adds to the project.

A Graph remedy names the client module by a placeholder (its imports,
``{graph_module}:GraphMailClient``) or writes a framework module that imports it; the
fixer puts in the client module's import name and adds the module, one per import root
at the place of the XOAUTH2 target's token module (:mod:`.token_module`), which it
replaces: its token helper serves the logins that stay on XOAUTH2 as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from authsweep.rules.base import STAYS_ON_XOAUTH2

from ..findings import Finding
from ..records import record
from ..remedies import Edit, NewFile, Remedy
from . import graph_client, graph_modules, token_module

if TYPE_CHECKING:
    from .outcome import FileFix

# The rules whose fix migrates a password login (to XOAUTH2 or to Graph).
LOGIN_RULES = frozenset({"AS101", "AS102", "AS103"})


@record
class GraphHome:
    """The Graph client module of a fixed file: its path relative to the file's folder,
    the name the file imports it by, and how it is written (its HTTP library, and the
    project's own token function when there is one)."""

    path: str
    module: str
    transport: str
    token_provider: str | None

    @property
    def new_file(self) -> NewFile:
        options = (("http", self.transport), ("token", self.token_provider or ""))
        return NewFile(self.path, graph_client.KIND, options)


def graph_home(
    location: Path | None, module_name: str, code: str, token_provider: str | None
) -> GraphHome | None:
    """The client module for the file at ``location`` (None for stdin: a fix that needs
    it is refused, as any fix that adds a module)."""
    home = token_module.token_home(location, module_name, code)
    if home is None:
        return None
    module = home.provider.partition(":")[0]
    return GraphHome(home.path, module, graph_client.transport_for(location), token_provider)


def sends_through_graph(remedy: Remedy) -> bool:
    """Whether a remedy (as its adapter wrote it) sends through Graph."""
    placeholder = graph_client.MODULE_PLACEHOLDER
    return any(placeholder in name for name in remedy.imports) or any(
        new.kind in graph_modules.CLASSES for new in remedy.files
    )


def with_graph_module(finding: Finding, home: GraphHome | None) -> Finding:
    """The finding with the client module named in its edits and imports, the module
    among the files its fix adds when it sends through Graph, and the token module (of a
    login that stays on XOAUTH2) written as the client module, which holds its helper."""
    fix = finding.fix
    if home is None or fix is None:
        return finding
    remedy = fix.remedy
    uses = sends_through_graph(remedy)

    def named(text: str) -> str:
        return text.replace(graph_client.MODULE_PLACEHOLDER, home.module)

    files: list[NewFile] = []
    for new in remedy.files:
        if new.kind == token_module.KIND and new.path == home.path:
            uses = True  # the client module holds the token helper
        elif new.kind in graph_modules.CLASSES:
            files.append(replace(new, options=(*new.options, ("client", home.module))))
        else:
            files.append(new)
    if uses:
        files.append(home.new_file)
    renamed = replace(
        remedy,
        edits=tuple(Edit(e.start, e.end, named(e.replacement)) for e in remedy.edits),
        imports=tuple(named(name) for name in remedy.imports),
        files=tuple(files),
        elsewhere=tuple(
            replace(other, imports=tuple(named(name) for name in other.imports))
            for other in remedy.elsewhere
        ),
    )
    return replace(finding, fix=replace(fix, remedy=renamed))


def count_targets(fixed: FileFix, applied: Iterable[Finding]) -> None:
    """Count the login fixes a round applied by what they migrated to, and note each
    under `--target graph` with its target (why, for one that stayed on XOAUTH2): the
    summary lists them."""
    for finding in applied:
        if finding.rule not in LOGIN_RULES or finding.fix is None:
            continue
        graph = sends_through_graph(finding.fix.remedy)
        fixed.targets["graph" if graph else "xoauth2"] += 1
        where = f"line {finding.span.line}: {finding.rule}"
        _, stays, why = finding.fix.message.partition(f"({STAYS_ON_XOAUTH2}")
        if graph:
            fixed.notes.append(f"{where} sends through Microsoft Graph sendMail")
        elif stays:
            fixed.notes.append(f"{where} {STAYS_ON_XOAUTH2}{why.removesuffix(')')}")
