"""The module-level half of applying a fix: once its edits are made, the imports and
helpers the new code needs are added and what it left unused is taken out, each step
recorded in the file's :class:`~.spans.Changes` (and refused where it changed a line it
should not have)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..model import Edit, Remedy
from .module_needs import NotRewritable, add_module_needs
from .spans import Changes, OutsideEdits, edit_lines, unterminated_last
from .tidy import may_change, tidy


def finish_round(
    text: str,
    edited: str,
    edits: Sequence[tuple[Edit, str]],
    remedies: Sequence[Remedy],
    kind: str,
    token_provider: str | None,
    changes: Changes | None,
) -> tuple[str, str | None, list[str], Changes | None]:
    """A round of fixes after their ``edits`` (each with why: the rule) turned ``text``
    into ``edited``: the text with what the fixes need at module level and nothing they
    left unused, or why the round fails; notes on what was kept; the changes with the
    round's steps."""
    try:
        if changes is not None:
            changes = changes.step(text, edited, edit_lines(text, edits))
        if kind != "python":
            return edited, None, [], changes
        imports = {name for r in remedies for name in r.imports}
        helpers = {name for r in remedies for name in r.helpers}
        tidied, changes, notes = with_module_needs(
            text, edited, changes, imports, helpers, token_provider
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
) -> tuple[str, Changes | None, list[str]]:
    """``edited`` (``before`` with a round's edits) with the imports and helpers they need
    and without the imports and reads they left unused; the changes with these steps;
    notes on what was kept. Raises ValueError (:class:`~.module_needs.NotRewritable`,
    :class:`~.spans.OutsideEdits`) when that cannot be done."""
    needed = add_module_needs(edited, imports, helpers, token_provider)
    if changes is not None:
        # Only added lines: the last line gets a line end when something goes after it.
        changes = changes.step(edited, needed, unterminated_last(edited, "code the fix needs"))
    tidied, notes = tidy(before, needed)
    if changes is not None:
        changes = changes.step(needed, tidied, may_change(needed))
    return tidied, changes, notes
