"""Inline SVG charts for the HTML report: drawn here, no library, no script, readable as
text (every chart has a title, and its numbers are also in a table beside it)."""

from __future__ import annotations

from html import escape

from ..records import record

FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif"


@record
class Part:
    """One coloured piece of a bar."""

    label: str
    value: int
    color: str


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'style="{FONT};font-size:12px;max-width:100%;height:auto">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _legend(parts: list[Part], y: int) -> list[str]:
    body, x = [], 0
    for part in parts:
        body.append(f'<rect x="{x}" y="{y}" width="12" height="12" rx="2" fill="{part.color}"/>')
        text = f"{part.label} ({part.value})"
        body.append(f'<text x="{x + 16}" y="{y + 10}">{escape(text)}</text>')
        x += 24 + 7 * len(text)
    return body


def stacked_bar(parts: list[Part], title: str, width: int = 720) -> str:
    """One bar split into parts (statuses of repositories), with a legend under it."""
    total = sum(p.value for p in parts) or 1
    body, x = [], 0.0
    for part in parts:
        if not part.value:
            continue
        share = width * part.value / total
        body.append(
            f'<rect x="{x:.1f}" y="0" width="{share:.1f}" height="28" fill="{part.color}">'
            f"<title>{escape(f'{part.label}: {part.value}')}</title></rect>"
        )
        x += share
    body += _legend([p for p in parts if p.value], 40)
    return _svg(width, 56, title, body)


def bar_rows(
    rows: list[tuple[str, list[Part]]], title: str, width: int = 720, label_width: int = 260
) -> str:
    """Horizontal bars, one per row, each stacked from its parts, the total at its end."""
    row_height, top = 24, 4
    longest = max((sum(p.value for p in parts) for _, parts in rows), default=0) or 1
    room = width - label_width - 60
    body = []
    for index, (label, parts) in enumerate(rows):
        y = top + index * row_height
        shown = label if len(label) <= 38 else label[:37] + "…"
        body.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(shown)}</text>"
        )
        x = float(label_width)
        for part in parts:
            if not part.value:
                continue
            length = room * part.value / longest
            body.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{max(length, 1):.1f}" height="16" '
                f'fill="{part.color}"><title>{escape(f"{label}: {part.value} {part.label}")}'
                "</title></rect>"
            )
            x += length
        total = sum(p.value for p in parts)
        body.append(f'<text x="{x + 6:.1f}" y="{y + 15}">{escape(str(total))}</text>')
    legend: dict[str, Part] = {}
    for _, parts in rows:
        for part in parts:
            previous = legend.get(part.label)
            legend[part.label] = Part(
                part.label, part.value + (previous.value if previous else 0), part.color
            )
    height = top + len(rows) * row_height + 8
    body += _legend([part for part in legend.values() if part.value], height)
    return _svg(width, height + 20, title, body)


def columns(points: list[tuple[str, int]], title: str, color: str, width: int = 720) -> str:
    """Columns over time (the burn-down): one per sweep, its value above it, its date
    below; the last one is now."""
    height, base, top = 200, 170, 20
    highest = max((value for _, value in points), default=0) or 1
    step = min(width / max(len(points), 1), 90)
    body = [f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#9ca3af"/>']
    for index, (label, value) in enumerate(points):
        x = index * step + step * 0.2
        column = (base - top) * value / highest
        last = index == len(points) - 1
        body.append(
            f'<rect x="{x:.1f}" y="{base - column:.1f}" width="{step * 0.6:.1f}" '
            f'height="{column:.1f}" fill="{color}" fill-opacity="{1 if last else 0.55}">'
            f"<title>{escape(f'{label}: {value}')}</title></rect>"
        )
        middle = x + step * 0.3
        body.append(
            f'<text x="{middle:.1f}" y="{base - column - 4:.1f}" text-anchor="middle">'
            f"{escape(str(value))}</text>"
        )
        body.append(
            f'<text x="{middle:.1f}" y="{base + 16}" text-anchor="middle" font-size="10">'
            f"{escape(label)}</text>"
        )
    return _svg(width, height, title, body)
