"""Fixes that reach into other files of the project, and what they leave behind there.

Two kinds of edits of a file other than the one being fixed:

- **Linked edits** (:class:`~authsweep.scanner.remedies.OtherFile`): edits a fix cannot go
  without. Flask-Mail's settings are in one file and its ``Mail`` is made in another;
  the fix of the settings switches ``Mail()`` there too. They are offsets into the other
  file as it was analysed (its digest says which bytes); the fix is refused when that
  file changed since, cannot be edited, or would be reported more after the edits.
- **Config keys nothing reads any more**: when a run's fixes leave a key of a ``.env``
  (or YAML, INI, TOML, JSON) file unread by any code of the project (the password only
  the rewritten login read), the key is taken out of the config files above that code
  (the ones its loaders read: ``.env``, decouple's ``settings.ini``, compose files), and
  the summary says which new keys the code reads instead. Optional: where it cannot be
  done the fix stands and the summary says why the key stayed.

Either way the other file is checked after the edit as the fixed file is (it must parse,
and no rule may report more), shown in ``--diff``, and written with the files of its fix
as one change: all of them or none, each only if unchanged since it was read.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path

from .. import digests
from ..reading import MAX_FILE_BYTES, read_regular
from ..records import record
from ..remedies import OtherFile
from .write import link_out_of_project


@record
class Link:
    """An edit of another file that a kept fix goes with."""

    key: tuple  # the fix (``fixer.fix_key``), to refuse it when the edit cannot be made
    rule: str
    line: int  # where the fix's finding is
    target: Path  # the other file
    display: str  # the other file as the run shows paths
    other: OtherFile


def digest(data: bytes) -> str:
    return digests.sha256(data).hexdigest()


def shown_path(display: str, relative: str) -> str:
    """``relative`` (to the folder of the file shown as ``display``) as the run shows
    paths."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(display), relative))


def link_targets(
    chosen: Iterable[tuple], display: str, location: Path | None, key: Callable
) -> tuple[list[Link], str | None]:
    """The links of the chosen fixes (pairs of the finding as found and as named), or why
    one cannot be made: no file to be beside (stdin), the other file gone or changed."""
    links: list[Link] = []
    for finding, named in chosen:
        for other in named.fix.remedy.elsewhere:
            shown = shown_path(display, other.path)
            if location is None:
                return [], f"it edits {other.path} too: fix the file where it is, not from stdin"
            target = Path(os.path.normpath(location.parent / other.path))
            outside = link_out_of_project(target)
            if outside is not None:
                where = f"a link to {outside}, outside the project"
                return [], f"it edits {shown} too, which is {where}"
            try:
                data = read_regular(target, MAX_FILE_BYTES)
            except OSError as error:
                return [], f"it edits {shown} too, which cannot be read: {error.strerror}"
            if digest(data) != other.digest:
                return [], f"it edits {shown} too, which changed since it was checked"
            links.append(Link(key(finding), finding.rule, finding.span.line, target, shown, other))
    return links, None
