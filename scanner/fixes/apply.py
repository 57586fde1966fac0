"""Applying a round of fixes: the module they add named, their edits made, then the
imports and helpers the new code needs added and what it left unused taken out, each step
recorded in the file's :class:`~.spans.Changes` (and refused where it changed a line it
should not have)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from ..errors import ParseError
from ..findings import Finding
from ..remedies import MODULE_NAME, PACKAGE_PREFIX, Edit
from ..text import lines_with_ends
from .edits import apply_edits
from .import_root import dotted
from .import_style import ImportStyle
from .imports import TakenName
from .module_needs import NotRewritable, add_module_needs
from .reads import Elsewhere
from .spans import Changes, OutsideEdits, edit_lines, unterminated_last
from .tidy import tidy_passes


def with_module_needs(
    before: str,
    edited: str,
    changes: Changes | None,
    imports: Iterable[str],
    helpers: Iterable[str],
    token_provider: str | None,
    style: ImportStyle | None,
    elsewhere: Elsewhere | None,
) -> tuple[str, Changes | None, list[str]]:
    """``edited`` (``before`` with a round's edits) with the imports and helpers they need
    and without what they left unused; the changes with these steps; notes on what was
    kept. Raises ValueError (:class:`~.module_needs.NotRewritable`,
    :class:`~.spans.OutsideEdits`) when that cannot be done."""
    imports = list(imports)
    needed = add_module_needs(edited, imports, helpers, token_provider, style)
    if changes is not None:
        # Added lines, and a one-line ``from module import ...`` a name is added to; the
        # last line gets a line end when something goes after it.
        allowed = unterminated_last(edited, "code the fix needs")
        allowed.update(_from_import_lines(edited, imports))
        changes = changes.step(edited, needed, allowed)
    passes, notes = tidy_passes(before, needed, elsewhere)
    for one in passes:
        if changes is not None:
            left = edit_lines(one.before, ((edit, "left unused by the fix") for edit in one.edits))
            changes = changes.step(one.before, one.after, left)
    return (passes[-1].after if passes else needed), changes, notes


def _from_import_lines(text: str, imports: list[str]) -> dict[int, str]:
    """The lines ``from module import ...`` of the modules a name is imported from
    (``module:name``): a new name may be added to one."""
    modules = {entry.split(":", 1)[0] for entry in imports if ":" in entry}
    lines: dict[int, str] = {}
    for number, line in enumerate(lines_with_ends(text), 1):
        words = line.split()
        if len(words) > 3 and words[0] == "from" and words[1] in modules and words[2] == "import":
            lines[number] = "an import the fix needs"
    return lines


def apply_round(
    text: str,
    chosen: list[Finding],
    newline: str,
    kind: str,
    token_provider: str | None,
    changes: Changes | None,
    style: ImportStyle | None,
    elsewhere: Elsewhere | None,
) -> tuple[str, str | None, list[str], Changes | None]:
    """``text`` with the edits of the ``chosen`` fixes, what they need at module level
    (imports in the project's ``style``) and nothing they left unused (``elsewhere``
    searches the rest of the project), or why the round fails; notes on what was kept;
    ``changes`` with the round's steps."""
    edits = [(edit, f.rule) for f in chosen for edit in f.fix.remedy.edits]  # type: ignore[union-attr]
    edited = apply_edits(text, [edit for edit, _ in edits], newline)
    remedies = [f.fix.remedy for f in chosen]  # type: ignore[union-attr]
    try:
        if changes is not None:
            changes = changes.step(text, edited, edit_lines(text, edits))
        if kind != "python":
            return edited, None, [], changes
        imports = {name for r in remedies for name in r.imports}
        helpers = {name for r in remedies for name in r.helpers}
        tidied, changes, notes = with_module_needs(
            text, edited, changes, imports, helpers, token_provider, style, elsewhere
        )
    except (NotRewritable, OutsideEdits, TakenName) as error:
        return text, str(error), [], None
    except (ValueError, ParseError):  # the parser's own error, where it re-reads the text
        return text, "the fixed file would not parse", [], None
    return tidied, None, notes, changes


def named_modules(finding: Finding, module_name: str, location: Path | None) -> Finding:
    """The finding with the module its fix adds named (``oauth2-module``, and the package
    it goes in) in its edits, imports and new files."""
    fix = finding.fix
    assert fix is not None
    remedy = fix.remedy
    if not remedy.files and not remedy.elsewhere:
        return finding
    # The package of the folder the (first) module goes to: what imports of it start with.
    first = location.parent / remedy.files[0].path if location and remedy.files else None
    package = dotted(first.parent) if first is not None else ""

    def named(text: str) -> str:
        prefix = f"{package}." if package else ""
        return text.replace(MODULE_NAME, module_name).replace(PACKAGE_PREFIX, prefix)

    edits = tuple(Edit(e.start, e.end, named(e.replacement)) for e in remedy.edits)
    imports = tuple(named(name) for name in remedy.imports)
    files = tuple(replace(new, path=named(new.path)) for new in remedy.files)
    elsewhere = tuple(
        replace(
            other,
            edits=tuple(Edit(e.start, e.end, named(e.replacement)) for e in other.edits),
            imports=tuple(named(name) for name in other.imports),
        )
        for other in remedy.elsewhere
    )
    renamed = replace(remedy, edits=edits, imports=imports, files=files, elsewhere=elsewhere)
    return replace(finding, fix=replace(fix, remedy=renamed))
