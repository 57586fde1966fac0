"""How a report is rendered: the options every format reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from pathlib import Path

from ..findings import Finding
from ..records import plain


@plain
class ReportOptions:
    """How a report is written: paths, layout, and what it shows."""

    cwd: Path = field(default_factory=Path.cwd)  # paths in findings are relative to it
    show_suppressed: bool = False  # also list findings silenced by inline comments
    quiet: bool = False  # text: findings only, no summary
    statistics: bool = False  # text and json: counts per rule instead of findings
    link_base: Path | None = None  # markdown: the folder links are relative to
    layout: str = "full"  # text: "full", "concise" or "grouped" (`--output-format`)
    show_fixes: bool = False  # text: each fixable finding's fix under it
    # The command that applies fixes, as the summary suggests it (under pre-commit,
    # `authsweep` itself may not be on PATH: "pre-commit run authsweep-fix").
    fix_command: str = "authsweep fix"
    unsafe_fix_command: str = "authsweep fix --unsafe-fixes"
    # Whether a finding fails the run (`fail-on`); None: every finding does.
    fails: Callable[[Finding], bool] | None = None
    # sarif: the `token-provider` configured for a file, for fixes that add a token helper.
    token_provider: Callable[[str], str | None] | None = None
