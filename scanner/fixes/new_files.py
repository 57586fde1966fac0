"""Modules a fix adds to the project: where they go, what they hold, checking and
writing them.

A remedy names the modules its edits refer to (:class:`~authsweep.scanner.remedies.NewFile`,
a path relative to the fixed file). Before a fix is kept, each module is rendered in the
fixed file's style and checked as the fixed file is (it must report nothing); a module
that is already there with the class the edits name is reused, and a file of another
content at that path is never overwritten: the fix is refused instead. Modules are
written before the file that refers to them, created atomically and never over an
existing file.
"""

from __future__ import annotations

import ast
import difflib
import os
import posixpath
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from ..reading import MAX_FILE_BYTES, NotRegular, read_regular
from ..records import record
from ..remedies import MODULE_NAME, NewFile, Remedy
from .import_root import dotted as import_name
from .import_style import ImportStyle
from .write import link_out_of_project


@record
class CreatedFile:
    """A module a fix writes: as the run shows paths, where it goes, and its text."""

    display: str
    path: Path
    content: str
    class_name: str  # what the fixed file refers to


# What checking a module's text reports: the messages of its findings (empty when clean),
# or raises ValueError when it does not parse.
Check = Callable[[str, bytes], list[str]]


def module_path(new: NewFile, module_name: str) -> str:
    return new.path.replace(MODULE_NAME, module_name)


def plan_files(
    remedies: Iterable[Remedy],
    *,
    display: str,
    location: Path | None,
    text: str,
    newline: str,
    module_name: str,
    token_provider: str | None,
    check: Check,
    imports: ImportStyle | None = None,
) -> tuple[list[CreatedFile], str | None]:
    """The modules ``remedies`` add to the project beside the file shown as ``display``
    (on disk at ``location``, with the fixed ``text``), or why they cannot be added.
    ``imports`` sorts their imports into the project's sections."""
    wanted = {(new.path, new.kind, new.options): new for r in remedies for new in r.files}
    if not wanted:
        return [], None
    # Rendering needs LibCST (for the token helper): imported only by fixes that add files.
    from .imports import sort_block
    from .modules import MODULES, render
    from .style import style_of

    if location is None:
        return [], "it adds a module to the project: fix the file where it is, not from stdin"
    style = style_of(text)
    created: list[CreatedFile] = []
    for new in wanted.values():
        relative = module_path(new, module_name)
        target = Path(os.path.normpath(location.parent / relative))
        shown = posixpath.normpath(posixpath.join(posixpath.dirname(display), relative))
        options = dict(new.options)
        package = import_name(target.parent)
        name = Path(relative).stem
        dotted = f"{package}.{name}" if package else name
        content = render(
            new.kind,
            options,
            dotted=dotted,
            style=style,
            newline=newline,
            token_provider=token_provider,
        )
        if imports is not None:
            content = sort_block(content, imports)
        class_name = MODULES[new.kind].class_name
        if target.exists() or target.is_symlink():
            problem = _not_reusable(target, class_name)
            if problem is None:
                continue
            return [], f"{shown} {problem}"
        if not target.parent.is_dir():
            return [], f"{posixpath.dirname(shown)} is not a folder"
        outside = link_out_of_project(target)
        if outside is not None:
            return [], f"{shown} would be written to {outside}, outside the project"
        try:
            reported = check(shown, content.encode())
        except ValueError as error:
            return [], f"the module it adds ({shown}) would not parse: {error}"
        if reported:
            return [], f"the module it adds ({shown}) would be reported: {reported[0]}"
        created.append(CreatedFile(shown, target, content, class_name))
    return created, None


def _not_reusable(path: Path, class_name: str) -> str | None:
    """Why the file already at ``path`` cannot serve as the module (None when it defines
    the class or function the fix refers to: written by an earlier run, maybe edited
    since). It is read only if it is a regular file, and at most :data:`MAX_FILE_BYTES` of
    it."""
    try:
        tree = ast.parse(read_regular(path, MAX_FILE_BYTES))
    except NotRegular as error:
        return f"exists and is {error.strerror}"
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    defines = (ast.ClassDef, ast.FunctionDef)
    if tree is not None and any(
        isinstance(node, defines) and node.name == class_name for node in tree.body
    ):
        return None
    return f"exists and does not define {class_name}"


def new_file_diff(created: CreatedFile) -> str:
    """A unified diff that creates the file, as git shows one (``--- /dev/null``)."""
    name = created.display if os.path.isabs(created.display) else f"b/{created.display}"
    lines = difflib.unified_diff(
        [], created.content.splitlines(keepends=True), fromfile="/dev/null", tofile=name
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def create_file(created: CreatedFile, mode_of: Path) -> bool:
    """Create the module (UTF-8) atomically, never over an existing file. False when a
    file is there already (written by another fix of this run: the fixer checked it
    then). The new file gets the permissions of ``mode_of`` (the file that refers to it)
    without execute bits."""
    target = created.path
    if target.exists() or target.is_symlink():
        return False
    data = created.content.encode("utf-8")
    descriptor, temp = tempfile.mkstemp(dir=target.parent, prefix=".authsweep-new-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.chmod(temp, mode_of.stat().st_mode & 0o666)
        except OSError:
            pass  # the referring file is gone: the temporary file's own mode stays
        try:
            os.link(temp, target)  # fails if a file appeared meanwhile: nothing is replaced
        except FileExistsError:
            return False
    finally:
        Path(temp).unlink(missing_ok=True)
    return True
