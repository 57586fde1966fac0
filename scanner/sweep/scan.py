"""Checking one repository as ``authsweep check`` would inside it.

Discovery is git's view of the repository (``.gitignore`` honoured); every file gets the
configuration nearest to it inside the repository (its own ``[tool.authsweep]``), and a
configuration above the repository (the sweep folder's, the CI checkout's) does not
apply to it unless it was named with ``--config``. Findings and errors come back as the
JSON of ``check --format json`` with the repository's name in front of every path, the
repository and its team beside it, and the code frame (secrets already masked).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..discover import SourceFile
from ..engine import RunOptions
from ..findings import FileError, Finding
from ..options_file import ConfigResolver
from ..report.json_report import finding_dict
from ..runner import check_paths
from .owners import Owners, read_owners


@dataclass
class RepoScan:
    findings: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    files_scanned: int = 0
    files_parsed: int = 0
    suppressed: int = 0


def repository_configure(resolver: ConfigResolver, tree: Path):
    """``check_paths``' per-file configuration, bounded by the repository root."""
    root = os.path.abspath(tree)

    def configure(source: SourceFile):
        if resolver.config_file is None:
            config = resolver.config_for(source.path)
            if config is not None and not _inside(str(config.root), root):
                return resolver.settings(None), ()
        return resolver.configure(source.path)

    return configure


def _inside(folder: str, root: str) -> bool:
    folder = os.path.abspath(folder)
    return folder == root or folder.startswith(root + os.sep)


def scan_repository(
    name: str,
    tree: Path,
    resolver: ConfigResolver,
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
) -> RepoScan:
    """Findings and errors of one working tree. Raises ConfigError for a configuration
    in the repository that cannot be used."""
    tree = tree.absolute()
    run = check_paths(
        [str(tree)],
        RunOptions(),
        tree,
        jobs=jobs,
        cache_dir=cache_dir,
        configure=repository_configure(resolver, tree),
    )
    owners = read_owners(tree)
    return RepoScan(
        findings=[_finding(name, finding, owners) for finding in run.findings],
        errors=[_error(name, error) for error in run.errors],
        files_scanned=run.files_scanned,
        files_parsed=run.files_parsed,
        suppressed=len(run.suppressed),
    )


def _relative(path: str) -> str:
    return path.replace(os.sep, "/")


def team_of(name: str, path_in_repo: str, owners: Owners | None) -> str:
    """The CODEOWNERS owners of the file, else the top-level folder of the sweep."""
    if owners is not None:
        found = owners.owners_of(path_in_repo)
        if found:
            return " ".join(found)
    return name.split("/", 1)[0] + "/"


def _finding(name: str, finding: Finding, owners: Owners | None) -> dict:
    inside = _relative(finding.path)
    return {
        **finding_dict(finding),
        "path": f"{name}/{inside}",
        "repository": name,
        "team": team_of(name, inside, owners),
        "frame": [[number, text] for number, text in finding.frame],
    }


def _error(name: str, error: FileError) -> dict:
    return {
        "path": f"{name}/{_relative(error.path)}",
        "message": error.message,
        "kind": error.kind,
        "repository": name,
    }
