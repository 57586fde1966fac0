"""The HTML report's content, read with an HTML parser: one static file with no script
and nothing from the network, every status, the counts by rule and team, the findings
with their (masked) code, the burn-down, and markup from repositories kept as text."""

from __future__ import annotations

import copy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from authsweep.scanner.sweep.html import render_html
from cli_support import GIT_ENV
from sweep_support import HOSTILE, SECRET, report_documents


class Outline(HTMLParser):
    """Elements by tag, ids, table rows per table id, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.ids: set[str] = set()
        self.rows: dict[str, int] = {}
        self.text: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self._table: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        values = dict(attrs)
        self.attributes += [(k, v or "") for k, v in attrs]
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "table":
            self._table.append(values.get("id", ""))
        if tag == "tr" and self._table:
            self.rows[self._table[-1]] = self.rows.get(self._table[-1], 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._table:
            self._table.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _table_text(markup: str, table: str) -> str:
    start = markup.index(f'<table id="{table}"')
    return markup[start : markup.index("</table>", start)]


def outline(markup: str) -> Outline:
    parsed = Outline()
    parsed.feed(markup)
    return parsed


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        return report_documents(tmp_path_factory.mktemp("html"))


@pytest.mark.slow
def test_report_structure(documents: tuple[dict, dict]) -> None:
    current, _ = documents
    markup = render_html(current)
    page = outline(markup)
    assert page.tags.get("script") is None and "<script" not in markup.lower().replace(
        "&lt;script", ""
    )
    # Nothing is loaded: no external reference in any attribute, and a policy that says so.
    for name, value in page.attributes:
        if name in ("src", "href", "xlink:href"):
            assert value.startswith("#"), (name, value)
    assert "default-src 'none'" in markup
    for section in ("overview", "changes", "repositories", "by-rule", "by-team", "findings"):
        assert section in page.ids
    for chart in ("chart-status", "chart-burndown", "chart-by-rule", "chart-by-team"):
        assert chart in page.ids
    assert page.tags["svg"] == 4
    # A row for each repository that is not clean (and the header); the clean ones listed.
    repositories = current["sweep"]["repositories"]
    clean = [r for r in repositories if r["status"] == "clean"]
    assert page.rows["table-repositories"] == len(repositories) - len(clean) + 1
    assert "clean-repositories" in page.ids and page.tags["li"] == len(clean) == 2
    assert page.rows["table-by-rule"] == len(current["summary"]["by_rule"]) + 1
    text = " ".join(page.text)
    for label in ("not scanned", "blocked", "needs the OAuth2 rewrite", "safe fixes only", "clean"):
        assert label in text
    assert "@contoso/payments" in text  # the team from CODEOWNERS
    assert "personal Outlook.com account" in text and "EWS: move to Microsoft Graph" in text
    assert "team-b/broken" in text and "not a git repository" in text
    assert page.tags["details"] == 1 + len({f["repository"] for f in current["findings"]})


def test_markup_and_secrets_never_reach_the_page(documents: tuple[dict, dict]) -> None:
    current, _ = documents
    markup = render_html(current)
    assert SECRET not in markup and SECRET[:6] not in markup
    assert HOSTILE not in markup
    text = " ".join(outline(markup).text)
    assert HOSTILE in text  # shown, as text
    assert 'team-c/odd <b>&"name"' in text


def test_burn_down_numbers(documents: tuple[dict, dict]) -> None:
    current, previous = documents
    page = outline(render_html(current))
    changes = current["sweep"]["changes"]
    assert changes["totals"] == {"new": 2, "fixed": 1, "remaining": 9, "carried": 0}
    rows = {row["name"]: row for row in changes["repositories"]}
    assert (rows["team-a/billing"]["new"], rows["team-a/billing"]["fixed"]) == (2, 0)
    assert rows["team-a/ports"]["fixed"] == 1 and rows["team-b/broken"]["note"] == "not scanned"
    # A line for each repository where something changed, not for the unchanged ones.
    assert page.rows["table-changes"] == 1 + 3  # billing, ports, broken
    assert rows["team-b/ews"]["remaining"] == 1 and "team-b/ews" not in _table_text(
        render_html(current), "table-changes"
    )
    assert current["sweep"]["history"][0]["findings"] == previous["summary"]["findings"]


def test_empty_sweep_renders(tmp_path: Path, documents: tuple[dict, dict]) -> None:
    current, _ = documents
    empty = {
        **current,
        "findings": [],
        "errors": [],
        "sweep": {**current["sweep"], "repositories": [], "changes": None},
    }
    page = outline(render_html(empty))
    assert page.rows["table-repositories"] == 1 and "No findings." in " ".join(page.text)


META = '<meta http-equiv="refresh" content="0;url=https://attacker.example/">'


def test_markup_planted_in_numbers_never_reaches_the_page(documents: tuple[dict, dict]) -> None:
    """Numbers are escaped as text is. A document read back is checked against the schema
    first (test_sweep_documents); one built in code still cannot put markup in the page
    through a count it only shows."""
    current, _ = copy.deepcopy(documents)
    repository = next(r for r in current["sweep"]["repositories"] if r["findings"])
    repository["findings"] = META
    repository["by_fix"] = {"safe": META, "unsafe": META, "manual": META}
    for key in ("repositories", "files_scanned", "fixable"):
        current["summary"][key] = META
    current["sweep"]["changes"]["previous"]["findings"] = META
    markup = render_html(current)
    assert META not in markup
    page = outline(markup)
    assert [v for k, v in page.attributes if k == "http-equiv"] == ["Content-Security-Policy"]
    assert META in " ".join(page.text)  # shown, as text
