"""The module-level half of applying a fix: once its edits are made, the imports and
helpers the new code needs are added and what it left unused is taken out, each step
recorded in the file's :class:`~.spans.Changes` (and refused where it changed a line it
should not have)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..model import Edit, Remedy
from .import_style import ImportStyle
from .module_needs import NotRewritable, add_module_needs
from .reads import Elsewhere
from .spans import Changes, OutsideEdits, edit_lines, unterminated_last
from .tidy import tidy_passes


def finish_round(
    text: str,
    edited: str,
    edits: Sequence[tuple[Edit, str]],
    remedies: Sequence[Remedy],
    kind: str,
    token_provider: str | None,
    changes: Changes | None,
    style: ImportStyle | None,
    elsewhere: Elsewhere | None,
) -> tuple[str, str | None, list[str], Changes | None]:
    """A round of fixes after their ``edits`` (each with why: the rule) turned ``text``
    into ``edited``: the text with what the fixes need at module level (imports in the
    project's ``style``) and nothing they left unused (``elsewhere`` searches the rest of
    the project), or why the round fails; notes on what was kept; the changes with the
    round's steps."""
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
    except (NotRewritable, OutsideEdits) as error:
        return text, str(error), [], None
    except ValueError:
        return text, "the fixed file would not parse", [], None
    return tidied, None, notes, changes


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
    needed = add_module_needs(edited, imports, helpers, token_provider, style)
    if changes is not None:
        # Only added lines: the last line gets a line end when something goes after it.
        changes = changes.step(edited, needed, unterminated_last(edited, "code the fix needs"))
    passes, notes = tidy_passes(before, needed, elsewhere)
    for one in passes:
        if changes is not None:
            left = edit_lines(one.before, ((edit, "left unused by the fix") for edit in one.edits))
            changes = changes.step(one.before, one.after, left)
    return (passes[-1].after if passes else needed), changes, notes
