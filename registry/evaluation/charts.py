"""Charts drawn by govcat itself, as inline SVG: no script, no outside host, readable at 360 px.

Two kinds serve the scorecard pages: a horizontal bar chart (the ranking: each bar's label on a line
of its own above it, so long department names need no room beside the bars on a phone) and a line
chart over dates (a trend).  Each chart carries a ``<title>`` and a ``<desc>`` that say in words what
it shows (``role="img"`` with ``aria-labelledby``), labelled axes, and a ``<title>`` on every bar and
point.  The drawing is 360 units wide and scales with the page (``width: 100%``), so on a phone its
text stays near its nominal size.  Colours and sizes are presentation attributes, which the pages'
Content-Security-Policy allows (inline ``style`` would not be).
"""
from __future__ import annotations

from datetime import date
from itertools import count

from markupsafe import Markup, escape

WIDTH = 360
FONT = 13
BAR = 14
ROW = FONT + BAR + 12         # a label line, a bar, a gap
PAD_LEFT, PAD_RIGHT = 8, 44
INK, MUTED, ACCENT, GRID = "#1d2733", "#5b6876", "#b3261e", "#d9dee4"
_ids = count(1)


def _text_width(text: str, size: float = FONT) -> float:
    """About how wide ``text`` is drawn: a CJK or full-width character a full em, others about half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.58 for ch in text)


def fit(text: str, width: float, size: float = FONT) -> str:
    """``text``, cut short with "…" when it would be drawn wider than ``width`` (the whole text stays in
    the chart's description and the bar's title)."""
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value is not None else "—"


def _open(height: float, title: str, description: str) -> tuple[list[str], str]:
    uid = f"chart{next(_ids)}"
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" width="100%" '
            f'class="chart" role="img" aria-labelledby="{uid}-title {uid}-desc" font-size="{FONT}" '
            f'font-family="system-ui, sans-serif" fill="{INK}">',
            f'<title id="{uid}-title">{escape(title)}</title>',
            f'<desc id="{uid}-desc">{escape(description)}</desc>']
    return head, uid


def bar_chart(items: list[tuple[str, float | None]], *, title: str, axis: str, maximum: float = 100,
              missing: str = "—") -> Markup:
    """Bars for ``(label, value)`` pairs from 0 to ``maximum``, in the order given; a None value gets its
    label and ``missing`` instead of a bar.  ``axis`` names the values (the axis label)."""
    span = WIDTH - PAD_LEFT - PAD_RIGHT
    top = FONT + 8                                    # the axis label line
    height = top + ROW * len(items) + FONT + 12       # rows, then the tick labels
    said = "; ".join(f"{label}: {_number(value) if value is not None else missing}" for label, value in items)
    parts, _uid = _open(height, title, f"{axis}. {said}" if items else axis)
    parts.append(f'<text x="{PAD_LEFT}" y="{FONT}" fill="{MUTED}">{escape(axis)} (0–{_number(maximum)})</text>')
    bottom = top + ROW * len(items)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = PAD_LEFT + span * tick
        parts.append(f'<line x1="{x:g}" y1="{top}" x2="{x:g}" y2="{bottom}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{x:g}" y="{bottom + FONT + 4}" text-anchor="middle" fill="{MUTED}" '
                     f'font-size="{FONT - 2}">{_number(maximum * tick)}</text>')
    for index, (label, value) in enumerate(items):
        y = top + ROW * index
        parts.append(f'<text x="{PAD_LEFT}" y="{y + FONT}">{escape(fit(label, WIDTH - 2 * PAD_LEFT))}</text>')
        bar_y = y + FONT + 4
        if value is None:
            parts.append(f'<text x="{PAD_LEFT}" y="{bar_y + BAR - 3}" fill="{MUTED}">{escape(missing)}</text>')
            continue
        width = span * max(0.0, min(value, maximum)) / maximum if maximum else 0
        parts.append(f'<rect class="bar" x="{PAD_LEFT}" y="{bar_y}" width="{width:.2f}" height="{BAR}" '
                     f'fill="{ACCENT}" data-value="{value:g}"><title>{escape(label)}: {_number(value)}</title></rect>')
        parts.append(f'<text x="{PAD_LEFT + width + 4:.2f}" y="{bar_y + BAR - 3}">{_number(value)}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def line_chart(points: list[tuple[date, float | None]], *, title: str, axis: str, time_axis: str,
               maximum: float = 100, missing: str = "—") -> Markup:
    """A line through ``(day, value)`` points, oldest first, on a time axis from the first day to the last
    and a value axis from 0 to ``maximum``; a None value breaks the line there."""
    left, right, top, plot = 34, WIDTH - 12, FONT + 10, 150
    bottom = top + plot
    height = bottom + 2 * FONT + 14
    said = "; ".join(f"{day.isoformat()}: {_number(value) if value is not None else missing}" for day, value in points)
    parts, _uid = _open(height, title, f"{axis}. {said}" if points else axis)
    parts.append(f'<text x="4" y="{FONT}" fill="{MUTED}">{escape(axis)} (0–{_number(maximum)})</text>')
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = bottom - plot * tick
        parts.append(f'<line x1="{left}" y1="{y:g}" x2="{right}" y2="{y:g}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:g}" text-anchor="end" fill="{MUTED}" '
                     f'font-size="{FONT - 2}">{_number(maximum * tick)}</text>')
    first = points[0][0] if points else None
    days = (points[-1][0] - first).days if points else 0

    def x_of(day: date) -> float:
        return (left + right) / 2 if days == 0 else left + (right - left) * (day - first).days / days

    def y_of(value: float) -> float:
        return bottom - plot * max(0.0, min(value, maximum)) / maximum

    run: list[str] = []
    for day, value in points + [(None, None)]:        # a sentinel closes the last run
        if value is None:
            if len(run) > 1:
                parts.append(f'<polyline class="trend" points="{" ".join(run)}" fill="none" stroke="{ACCENT}" '
                             f'stroke-width="2"/>')
            run = []
            continue
        run.append(f"{x_of(day):.2f},{y_of(value):.2f}")
    for day, value in points:
        if value is not None:
            parts.append(f'<circle class="point" cx="{x_of(day):.2f}" cy="{y_of(value):.2f}" r="3" fill="{ACCENT}" '
                         f'data-day="{day.isoformat()}" data-value="{value:g}"><title>{day.isoformat()}: '
                         f'{_number(value)}</title></circle>')
    if points:
        label_y = bottom + FONT + 4
        parts.append(f'<text x="{left}" y="{label_y}" font-size="{FONT - 2}" fill="{MUTED}">{first.isoformat()}</text>')
        if days:
            parts.append(f'<text x="{right}" y="{label_y}" text-anchor="end" font-size="{FONT - 2}" fill="{MUTED}">'
                         f'{points[-1][0].isoformat()}</text>')
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{MUTED}" stroke-width="1"/>')
    parts.append(f'<text x="{(left + right) / 2:g}" y="{height - 4}" text-anchor="middle" fill="{MUTED}">'
                 f'{escape(time_axis)}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))
