"""The options of ``authsweep check`` as its fast reader reads them (scanner/cli/fast.py):
each name's parameter, kind and detail (an integer's lower bound, whether a path may name
a folder), the argument taking the rest, and each parameter's value when it is not given.
Generated from the ``check`` function's declaration, through the click command built from
it, by ``python scripts/check_options.py``; tests/test_fast_check.py fails when it is not
current.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

OPTIONS: dict[str, tuple[str, str, Any]] = {
    "--fix": ("fix", "flag", None),
    "--unsafe-fixes": ("unsafe_fixes", "flag", None),
    "--target": ("target", "text", None),
    "--select": ("select", "text", None),
    "--extend-select": ("extend_select", "text", None),
    "--ignore": ("ignore", "text", None),
    "--all-providers": ("all_providers", "flag", None),
    "--assume-microsoft": ("assume_microsoft", "flag", None),
    "--config": ("config", "path", False),
    "--format": ("output_format", "text", None),
    "--output-format": ("layout", "text", None),
    "--output-file": ("output_file", "path", True),
    "-o": ("output_file", "path", True),
    "--exit-zero": ("exit_zero", "flag", None),
    "--exit-non-zero-on-fix": ("exit_non_zero_on_fix", "flag", None),
    "--fail-on": ("fail_on", "text", None),
    "--baseline": ("baseline", "path", True),
    "--write-baseline": ("write_baseline", "path", True),
    "--show-suppressed": ("show_suppressed", "flag", None),
    "--show-fixes": ("show_fixes", "flag", None),
    "--changed-since": ("changed_since", "text", None),
    "--statistics": ("statistics", "flag", None),
    "--max-file-size": ("max_file_size", "text", None),
    "--quiet": ("quiet", "flag", None),
    "-q": ("quiet", "flag", None),
    "--color": ("color", "text", None),
    "--no-color": ("no_color", "flag", None),
    "--jobs": ("jobs", "int", 1),
    "-j": ("jobs", "int", 1),
    "--cache-dir": ("cache_dir", "path", True),
    "--no-cache": ("no_cache", "flag", None),
    "--stdin-filename": ("stdin_filename", "text", None),
    "--show-files": ("show_files", "flag", None),
    "--show-settings": ("show_settings", "flag", None),
}
ARGUMENT = "paths"
DEFAULTS: dict[str, Any] = {
    "paths": None,
    "fix": False,
    "unsafe_fixes": False,
    "target": None,
    "select": None,
    "extend_select": None,
    "ignore": None,
    "all_providers": False,
    "assume_microsoft": False,
    "config": None,
    "output_format": None,
    "layout": None,
    "output_file": None,
    "exit_zero": False,
    "exit_non_zero_on_fix": False,
    "fail_on": None,
    "baseline": None,
    "write_baseline": None,
    "show_suppressed": False,
    "show_fixes": False,
    "changed_since": None,
    "statistics": False,
    "max_file_size": None,
    "quiet": False,
    "color": None,
    "no_color": False,
    "jobs": None,
    "cache_dir": None,
    "no_cache": False,
    "stdin_filename": None,
    "show_files": False,
    "show_settings": False,
}
