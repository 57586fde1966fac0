"""Who owns a file: the CODEOWNERS file of its repository, as GitHub and GitLab read it.

The file is looked for where GitHub looks (``.github/``, the root, ``docs/``) and where
GitLab also does (``.gitlab/``); the first found is used. Each line is a gitignore-style
pattern and owners; the last matching line wins, and a line without owners makes the
file unowned. GitLab section headers (``[Backend]``, ``^[Docs][2] @owner``) are skipped:
the lines under them are patterns like any other.
"""

from __future__ import annotations

import re
from pathlib import Path

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
_SECTION = re.compile(r"^\^?\[[^\]]+\]")
MAX_BYTES = 3 * 1024 * 1024  # GitHub ignores larger CODEOWNERS files


class Owners:
    def __init__(self, rules: list[tuple[re.Pattern[str], tuple[str, ...]]]) -> None:
        self.rules = rules

    def owners_of(self, path: str) -> tuple[str, ...]:
        """Owners of ``path`` (relative to the repository root, ``/``-separated)."""
        found: tuple[str, ...] = ()
        for pattern, owners in self.rules:
            if pattern.match(path):
                found = owners
        return found


def read_owners(repo: Path) -> Owners | None:
    for location in LOCATIONS:
        file = repo / location
        try:
            if file.is_file() and file.stat().st_size <= MAX_BYTES:
                return parse_owners(file.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return None


def parse_owners(text: str) -> Owners:
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or _SECTION.match(line):
            continue
        # "\#" and "\ " escape a pattern's "#" and spaces; owners never contain either.
        fields = re.split(r"(?<!\\)\s+", line.split(" #", 1)[0])
        pattern, owners = fields[0].replace("\\ ", " ").replace("\\#", "#"), fields[1:]
        rules.append((pattern_regex(pattern), tuple(o for o in owners if o)))
    return Owners(rules)


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A gitignore-style pattern as a regex over a relative path. A leading or inner
    ``/`` anchors it to the root, otherwise it matches at any depth; a match on a folder
    covers everything in it."""
    directory = pattern.endswith("/")
    body = pattern.strip("/") if pattern != "/" else ""
    anchored = pattern.startswith("/") or "/" in body
    regex = ""
    index = 0
    while index < len(body):
        char = body[index]
        if body.startswith("**/", index):
            regex += "(?:.*/)?"
            index += 3
            continue
        if body.startswith("**", index):
            regex += ".*"
            index += 2
            continue
        regex += {"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char))
        index += 1
    prefix = "" if anchored else "(?:.*/)?"
    suffix = "/.*" if directory else "(?:/.*)?"
    return re.compile(f"^{prefix}{regex}{suffix}$")
