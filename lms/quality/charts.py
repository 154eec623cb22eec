"""Monthly trend charts of the quality dashboard, rendered on the server as inline SVG.

One series per chart, drawn as bars with their value written above each bar (so nothing is
read from colour), a month under each bar, a title and a description for screen readers; the
page prints the same figures in a table under each chart. No JavaScript, no external asset.
"""

from __future__ import annotations

import math
from itertools import count

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

_ids = count(1)
BAR = "#0b4f8a"
EMPTY = "#adb5bd"


def format_value(value: float | None, unit: str) -> str:
    """A value as the chart and its table write it: « 92 % », « 18,5 h », « — »."""
    if value is None:
        return "—"
    if unit == "percent":
        return f"{format_decimal(round(value * 100, 1), format='#,##0.#')} %"
    return f"{format_decimal(round(value, 1), format='#,##0.#')} h"


def _scale_max(values: list[float], unit: str) -> float:
    if unit == "percent":
        return 1.0
    top = max(values, default=0) or 1
    magnitude = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * magnitude:
            return step * magnitude
    return top  # pragma: no cover


def bar_chart(
    points: list[tuple[str, float | None]],
    *,
    title: str,
    unit: str = "percent",
    width: int = 640,
    height: int = 240,
) -> Markup:
    """An SVG bar chart of one value per month.

    :param points: ``(month label, value)``; a ``None`` value is drawn as « — » (no data).
    :param unit: ``percent`` (values from 0 to 1) or ``hours``.
    """
    uid = next(_ids)
    title_id, desc_id = f"trend-{uid}-title", f"trend-{uid}-desc"
    left, right, top, bottom = 52, 12, 22, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _label, v in points if v is not None]
    maximum = _scale_max(values, unit)
    slot = plot_w / max(len(points), 1)
    bar_w = min(48.0, slot * 0.6)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - min(value, maximum) / maximum)

    description = _(
        "Diagramme à barres, un mois par barre; la valeur est écrite au-dessus de chaque barre "
        "et les mêmes données figurent dans le tableau qui suit."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        '<g font-family="system-ui, sans-serif" font-size="11" fill="#212529">',
    ]
    for i in range(5):
        value = maximum * i / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{"#495057" if i == 0 else "#e9ecef"}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(format_value(value, unit))}</text>"
        )
    for index, (label, value) in enumerate(points):
        x = left + slot * index + (slot - bar_w) / 2
        centre = x + bar_w / 2
        if value is not None:
            y = y_of(value)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{top + plot_h - y:.1f}" fill="{BAR}"/>'
            )
            parts.append(
                f'<text x="{centre:.1f}" y="{y - 5:.1f}" text-anchor="middle" font-weight="600">'
                f"{escape(format_value(value, unit))}</text>"
            )
        else:
            parts.append(
                f'<text x="{centre:.1f}" y="{top + plot_h - 6:.1f}" text-anchor="middle" '
                f'fill="{EMPTY}">—</text>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{top + plot_h + 18:.1f}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))
