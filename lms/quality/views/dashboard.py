"""The quality dashboard over a period, and its tables as CSV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import roles_required
from lms.csv_export import csv_response, decimal_cell
from lms.learning.models import SKILLS
from lms.quality import charts
from lms.quality.queries.dashboard import Dashboard, DashboardFilters
from lms.quality.queries.dashboard import dashboard as dashboard_of
from lms.quality.queries.metrics import Metrics, Period
from lms.quality.queries.scope import scope_options
from lms.quality.views.common import MANAGERS, bp, int_arg

MAX_PERIOD_DAYS = 3 * 366


def _default_period(today: date) -> tuple[date, date]:
    month, year = today.month - 5, today.year
    while month < 1:
        month, year = month + 12, year - 1
    return date(year, month, 1), today


def _period_args() -> tuple[Period, str | None]:
    """The period from ``from`` and ``to`` (ISO dates), or the last six months; with a French
    message when the dates given are not valid (the default period is then used)."""
    today = clock.today()
    start, end = _default_period(today)
    raw_from, raw_to = request.args.get("from") or "", request.args.get("to") or ""
    error = None
    try:
        if raw_from:
            start = date.fromisoformat(raw_from)
        if raw_to:
            end = date.fromisoformat(raw_to)
    except ValueError:
        start, end = _default_period(today)
        error = _("Date invalide : écrivez les dates sous la forme AAAA-MM-JJ.")
    if error is None and start > end:
        start, end = _default_period(today)
        error = _("La date de début doit précéder la date de fin.")
    if error is None and (end - start).days > MAX_PERIOD_DAYS:
        start, end = _default_period(today)
        error = _("La période ne peut pas dépasser trois ans.")
    return Period(start, end, today), error


def _dashboard_filters() -> DashboardFilters:
    return DashboardFilters(
        region_id=int_arg("region"),
        site_id=int_arg("site"),
        course_id=int_arg("course"),
        cohort_id=None,
    )


def _dashboard_args(period: Period, filters: DashboardFilters) -> dict[str, Any]:
    """The period and filters as the query string of the page's links."""
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "region": filters.region_id or "",
        "site": filters.site_id or "",
        "course": filters.course_id or "",
    }


TREND_CHARTS = (
    ("attendance", "attendance_rate", "percent"),
    ("cadence", "cadence", "percent"),
    ("alerts", "alert_median_hours", "hours"),
    ("checkpoints", "checkpoints", "percent"),
)


def _trend_titles() -> dict[str, str]:
    return {
        "attendance": _("Taux de présence par mois"),
        "cadence": _("Entretiens de suivi à jour par mois"),
        "alerts": _("Délai médian de prise en charge des alertes (heures) par mois"),
        "checkpoints": _("Points de contrôle conformes par mois"),
    }


def _trends(data: Dashboard) -> list[dict[str, Any]]:
    """One bar chart a month for each indicator of :data:`TREND_CHARTS`."""
    titles = _trend_titles()
    trends = []
    for key, attribute, unit in TREND_CHARTS:
        points = [
            (format_date(date(m[0], m[1], 1), "MMM yyyy"), getattr(metrics, attribute))
            for m, metrics in data.months
        ]
        trends.append(
            {
                "key": key,
                "title": titles[key],
                "unit": unit,
                "chart": charts.bar_chart(points, title=titles[key], unit=unit),
                "points": points,
            }
        )
    return trends


@bp.route("/quality/dashboard")
@roles_required(*MANAGERS)
def dashboard():
    period, error = _period_args()
    filters = _dashboard_filters()
    data = dashboard_of(current_user, filters, period)
    return render_template(
        "quality/dashboard.html",
        data=data,
        period=period,
        filters=filters,
        args=_dashboard_args(period, filters),
        options=scope_options(current_user),
        trends=_trends(data),
        skills=SKILLS,
        error=error,
    ), (422 if error else 200)


# --- the CSV ------------------------------------------------------------------------------------


def _metric_cells(m: Metrics) -> list[Any]:
    def pct(value: float | None) -> Decimal | str:
        return decimal_cell(None if value is None else value * 100, 1)

    def num(value: float | None) -> Decimal | str:
        return decimal_cell(value)

    return [
        m.enrolments,
        pct(m.attendance_rate),
        pct(m.retention),
        *[num(m.gain(s)) for s in SKILLS],
        pct(m.assessed_on_time),
        pct(m.cadence),
        num(m.alert_median_hours),
        len(m.alert_hours),
        pct(m.checkpoints),
        m.reviews_due,
    ]


def _metric_header() -> list[str]:
    return [
        _("Inscriptions"),
        _("Taux de présence (%)"),
        _("Rétention (%)"),
        *[_("Gain de niveau %(skill)s", skill=s) for s in SKILLS],
        _("Évaluations à temps (%)"),
        _("Entretiens à jour (%)"),
        _("Délai médian des alertes (h)"),
        _("Alertes prises en charge"),
        _("Points de contrôle conformes (%)"),
        _("Points de contrôle dus"),
    ]


CSV_TABLES = ("regions", "sites", "courses", "cohorts", "months")


def _csv_header(table: str) -> list[str]:
    first = {
        "regions": [_("Région")],
        "sites": [_("Site"), _("Région")],
        "courses": [_("Cours")],
        "cohorts": [_("Groupe"), _("Cours"), _("Site"), _("Région"), _("Début"), _("Fin")],
        "months": [_("Mois")],
    }[table]
    return first + _metric_header()


def _csv_rows(table: str, data: Dashboard) -> list[list[Any]]:
    if table == "months":
        return [
            [f"{month[0]:04d}-{month[1]:02d}", *_metric_cells(metrics)]
            for month, metrics in data.months
        ]
    if table == "cohorts":
        return [
            [
                row.info.code,
                row.info.course_code,
                row.info.site_name,
                row.info.region_name,
                row.info.start_on.isoformat(),
                row.info.end_on.isoformat(),
                *_metric_cells(row.metrics),
            ]
            for row in data.tables["cohorts"]
        ]
    if table == "sites":
        region_of = {r.info.site_id: r.info.region_name for r in data.tables["cohorts"]}
        return [
            [row.label, region_of.get(row.key, ""), *_metric_cells(row.metrics)]
            for row in data.tables["sites"]
        ]
    return [[row.label, *_metric_cells(row.metrics)] for row in data.tables[table]]


@bp.route("/quality/dashboard.csv")
@roles_required(*MANAGERS)
def dashboard_csv():
    table = request.args.get("table", "cohorts")
    period, error = _period_args()
    if table not in CSV_TABLES or error:
        message = error or _(
            "Tableau inconnu : choisissez regions, sites, courses, cohorts ou months."
        )
        return render_template("core/error.html", code=422, message=message), 422
    data = dashboard_of(current_user, _dashboard_filters(), period)
    filename = f"qualite-{table}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return csv_response(_csv_header(table), _csv_rows(table, data), filename)
