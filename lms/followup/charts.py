"""Small charts rendered on the server as inline SVG (no JavaScript, no external asset).

:func:`level_chart` draws a student's levels per skill over time as step lines: a level holds
until the next assessment. Series differ by dash pattern and marker shape, not only by colour,
and the legend names them in words; pages show the same data as a table next to the chart.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

# skill -> (colour, dash pattern, marker, vertical offset in px so that equal levels stay visible)
SERIES_STYLE: dict[str, tuple[str, str, str, float]] = {
    "CO": ("#0b4f8a", "", "circle", -4.5),
    "PO": ("#a34700", "9 4", "square", -1.5),
    "CE": ("#2e6b30", "2 4", "triangle", 1.5),
    "PE": ("#6a1b9a", "12 4 3 4", "diamond", 4.5),
}
LEVELS = range(1, 13)
_ids = count(1)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" '
            f'fill="{colour}"/>'
        )
    return (
        f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
        f'{x - 5:.1f},{y:.1f}" fill="{colour}"/>'
    )


def _ticks(start: date, end: date, most: int = 5) -> list[date]:
    span = (end - start).days
    if span <= 0:
        return [start]
    steps = min(most - 1, span)
    return sorted({start + timedelta(days=round(span * i / steps)) for i in range(steps + 1)})


def level_chart(
    series: dict[str, list[tuple[date, int]]],
    labels: dict[str, str],
    *,
    end: date | None = None,
    title: str | None = None,
    width: int = 720,
    height: int = 320,
) -> Markup | None:
    """An SVG step chart of levels (1 to 12) over dates, one series per skill.

    :param series: skill -> ``(date, level)`` points in date order; empty series are skipped.
    :param labels: skill -> its name, for the legend.
    :param end: where the last level of each series stops (e.g. today); defaults to the last
        assessment.
    :returns: the markup, or ``None`` when there is nothing to draw.
    """
    drawn = {skill: points for skill, points in series.items() if points}
    if not drawn:
        return None
    dates = [d for points in drawn.values() for d, _level in points]
    start, last = min(dates), max(dates)
    stop = max(last, end or last)
    if stop == start:
        start, stop = start - timedelta(days=7), stop + timedelta(days=7)
    left, right, top, bottom = 46, 200, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    span = (stop - start).days

    def x_of(day: date) -> float:
        return left + plot_w * (day - start).days / span

    def y_of(level: float) -> float:  # half a level of margin above 12 and below 1
        return top + plot_h * (12.5 - level) / 12

    uid = next(_ids)
    title_id, desc_id = f"level-chart-{uid}-title", f"level-chart-{uid}-desc"
    title = title or _("Niveaux par compétence dans le temps")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="level-chart" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">'
        + escape(
            _(
                "Échelle de 1 à 12 en ordonnée, dates en abscisse; une ligne par compétence, "
                "chacune avec son propre tracé. Les mêmes données figurent dans le tableau."
            )
        )
        + "</desc>",
        '<g font-family="system-ui, sans-serif" font-size="11" fill="#212529">',
    ]
    # Axes and grid: one line per level; the stages (débutant 1-4, intermédiaire 5-8,
    # avancé 9-12) separated by dashed lines.
    for level in LEVELS:
        y = y_of(level)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e9ecef"/>'
        )
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{level}</text>')
    for boundary in (4.5, 8.5):
        y = y_of(boundary)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#868e96" '
            'stroke-dasharray="1 3"/>'
        )
    parts.append(
        f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{escape(_("Niveau"))}</text>'
    )
    axis_y = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}" stroke="#495057"/>'
    )
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{axis_y}" stroke="#495057"/>')
    for tick in _ticks(start, stop):
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 5}" stroke="#495057"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{axis_y + 18}" text-anchor="middle">'
            f"{escape(format_date(tick, 'd MMM yy'))}</text>"
        )
    # Series: a step line (the level holds until the next assessment), a marker per assessment.
    for skill, points in drawn.items():
        colour, dash, shape, offset = SERIES_STYLE.get(skill, ("#212529", "", "circle", 0.0))
        path = []
        for i, (day, level) in enumerate(points):
            x, y = x_of(day), y_of(level) + offset
            path.append(f"M{x:.1f} {y:.1f}" if i == 0 else f"H{x:.1f} V{y:.1f}")
        path.append(f"H{x_of(stop):.1f}")
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f"{dash_attr}/>"
        )
        for day, level in points:
            tip = _(
                "%(skill)s : niveau %(level)s le %(day)s",
                skill=labels.get(skill, skill),
                level=level,
                day=format_date(day, "d MMMM yyyy"),
            )
            parts.append(
                f"<g><title>{escape(tip)}</title>"
                + _marker(shape, x_of(day), y_of(level) + offset, colour)
                + "</g>"
            )
    # Legend, in words, with each series' own line and marker.
    legend_x = left + plot_w + 16
    for i, skill in enumerate(drawn):
        colour, dash, shape, _offset = SERIES_STYLE.get(skill, ("#212529", "", "circle", 0.0))
        y = top + 10 + i * 22
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{legend_x}" y1="{y}" x2="{legend_x + 34}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>'
        )
        parts.append(_marker(shape, legend_x + 17, y, colour))
        parts.append(
            f'<text x="{legend_x + 42}" y="{y + 4}">{escape(labels.get(skill, skill))}</text>'
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))
