"""Every relative link of the README and of docs/*.md names a file or folder of this
repository and, with a ``#fragment`` into a Markdown page, a heading of that page (as
GitHub makes its anchors). Links to other sites are not fetched: the tests run offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.S | re.M)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def _prose(text: str) -> str:
    """The page without its code blocks: a link or heading shown in code is not one."""
    return _FENCE.sub("", text)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: its text (links and code spans as their text),
    lower case, without punctuation other than ``-`` and ``_``, spaces made ``-``."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in _HEADING.findall(_prose(text)):
        base = anchor(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")  # GitHub numbers repeats
    return found


def links(text: str) -> list[str]:
    return _LINK.findall(_CODE_SPAN.sub("", _prose(text)))


def broken_links(page: Path, text: str | None = None) -> list[str]:
    """Each relative link of ``page`` (or of ``text``, read as that page) that names
    nothing, with why."""
    text = page.read_text(encoding="utf-8") if text is None else text
    problems = []
    for target in links(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, fragment = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target}: outside the repository")
        elif path and not resolved.exists():
            problems.append(f"{target}: no such file")
        elif fragment and resolved.suffix == ".md":
            heading_text = text if resolved == page else resolved.read_text(encoding="utf-8")
            if fragment not in anchors(heading_text):
                problems.append(f"{target}: no heading with the anchor #{fragment}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken_links(page) == []


def test_the_pages_link_each_other() -> None:
    every = [target for page in PAGES for target in links(page.read_text(encoding="utf-8"))]
    assert len(every) > 100
    readme = links((ROOT / "README.md").read_text(encoding="utf-8"))
    for page in PAGES[1:]:  # every page of docs/ is reachable from the README
        assert f"docs/{page.name}" in readme, page.name


def test_a_broken_link_or_anchor_is_found() -> None:
    page = ROOT / "docs" / "a-page-that-is-not-there.md"  # resolved beside the real pages
    text = (
        "# Title\n\n## The tenant's half: `authsweep tenant`\n\n"
        "[ok](#the-tenants-half-authsweep-tenant) [ok](lab.md#causes) [ok](../action.yml)\n"
        "[gone](missing.md) [bad anchor](lab.md#no-such-heading) [out](../../etc/passwd)\n"
        "`[in code](missing-too.md)`\n\n```md\n[in a block](missing-three.md)\n```\n"
    )
    assert anchors(text) == {"title", "the-tenants-half-authsweep-tenant"}
    assert links(text) == [
        "#the-tenants-half-authsweep-tenant",
        "lab.md#causes",
        "../action.yml",
        "missing.md",
        "lab.md#no-such-heading",
        "../../etc/passwd",
    ]
    assert broken_links(page, text) == [
        "missing.md: no such file",
        "lab.md#no-such-heading: no heading with the anchor #no-such-heading",
        "../../etc/passwd: outside the repository",
    ]
