"""The HTML report in a real browser: Debian's headless Chromium loads the file (its
Content-Security-Policy forbids scripts and network, so this is how it reads with
scripts off), and its DOM and screenshot are checked by structure (the tables, charts and
sections a reader needs; a screenshot of the expected size that is not blank, with the
page's styles applied), never pixel by pixel."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from authsweep.scanner.sweep.html import render_html
from cli_support import GIT_ENV
from sweep_support import report_documents
from test_sweep_html import outline

CHROMIUM = "/usr/bin/chromium"
INSTALL = "apt-get install -y --no-install-recommends chromium"
WIDTH, HEIGHT = 1280, 1800
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _chromium() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if found is None:
        pytest.fail(f"Chromium is needed for the browser test: {INSTALL}", pytrace=False)
    return found


def _browse(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    profile.mkdir()
    return subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
        cwd=profile,
    )


def _png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the decoded rows (RGB or RGBA bytes) of an 8-bit PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, compressed = 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), (depth, color)
        elif kind == b"IDAT":
            compressed += body
    pixel = 3 if color == 2 else 4
    raw, stride = zlib.decompress(compressed), width * pixel
    rows, prior, at = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1 : at + 1 + stride])
        at += 1 + stride
        _unfilter(kind, line, prior, pixel)
        rgb = line if pixel == 3 else bytes(line[i] for i in range(stride) if i % 4 < 3)
        rows.append(bytes(rgb))
        prior = line
    return width, height, rows


def _unfilter(kind: int, line: bytearray, prior: bytearray, pixel: int) -> None:
    """Undo one row's PNG filter in place (None, Sub, Up, Average, Paeth)."""
    if kind == 1:
        for x in range(pixel, len(line)):
            line[x] = (line[x] + line[x - pixel]) & 255
    elif kind == 2:
        for x in range(len(line)):
            line[x] = (line[x] + prior[x]) & 255
    elif kind == 3:
        for x in range(len(line)):
            left = line[x - pixel] if x >= pixel else 0
            line[x] = (line[x] + (left + prior[x]) // 2) & 255
    elif kind == 4:
        for x in range(len(line)):
            left = line[x - pixel] if x >= pixel else 0
            up, corner = prior[x], prior[x - pixel] if x >= pixel else 0
            guess = left + up - corner
            near_left, near_up = abs(guess - left), abs(guess - up)
            if near_left <= near_up and near_left <= abs(guess - corner):
                line[x] = (line[x] + left) & 255
            elif near_up <= abs(guess - corner):
                line[x] = (line[x] + up) & 255
            else:
                line[x] = (line[x] + corner) & 255


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("browser")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        current, _ = report_documents(folder)
    page = folder / "sweep.html"
    page.write_text(render_html(current), encoding="utf-8")
    return page, current


def test_dom_as_the_browser_built_it(report: tuple[Path, dict], tmp_path: Path) -> None:
    page, document = report
    result = _browse(page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    dom = outline(result.stdout.decode("utf-8"))
    for section in ("overview", "changes", "repositories", "by-rule", "by-team", "findings"):
        assert section in dom.ids
    repositories = document["sweep"]["repositories"]
    clean = sum(1 for r in repositories if r["status"] == "clean")
    assert dom.rows["table-repositories"] == len(repositories) - clean + 1
    assert dom.tags["li"] == clean
    assert dom.rows["table-by-team"] == 1 + len({f["team"] for f in document["findings"]})
    assert dom.tags["svg"] == 4 and dom.tags["rect"] >= 20
    assert dom.tags.get("script") is None
    assert dom.tags["details"] == 1 + len({f["repository"] for f in document["findings"]})
    assert dom.tags["pre"] == len(document["findings"])  # a code frame per finding


def test_screenshot_has_the_size_and_is_not_blank(
    report: tuple[Path, dict], tmp_path: Path
) -> None:
    page, _ = report
    shot = tmp_path / "sweep.png"
    result = _browse(
        page, tmp_path / "profile", f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}"
    )
    assert result.returncode == 0 and shot.exists(), result.stderr.decode(errors="replace")
    width, height, rows = _png(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    colours = {row[x : x + 3] for row in rows[::10] for x in range(0, len(row), 30)}
    assert len(colours) > 30  # text, badges, charts: far from a blank page
    # The stylesheet applied (the policy lets inline styles through): a dark header band
    # over a white page.
    assert max(rows[20][30:33]) < 60 and min(rows[HEIGHT - 20][30:33]) > 200
    # The status colours of the charts and badges were drawn (clean green, blocked red).
    pixels = {row[x : x + 3] for row in rows for x in range(0, len(row), 3)}
    assert bytes.fromhex("15803d") in pixels and bytes.fromhex("b91c1c") in pixels
