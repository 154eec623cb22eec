"""Attendance grid per class day, weekly allowance reports (page and CSV), the student's page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import get_or_404, roles_required
from lms.attendance import queries, weeks
from lms.attendance.allowance import week_bounds
from lms.attendance.forms import AttendanceForm, grid_data
from lms.attendance.services import (
    AttendanceRowErrors,
    class_day_problem,
    long_date,
    lost_races_are_conflicts,
    save_attendance,
)
from lms.attendance.vocab import REASON_LABELS, STATUS_LABELS
from lms.auth.models import Role
from lms.catalog.models import Cohort, Site
from lms.catalog.queries import cohort_header
from lms.csv_export import csv_response, decimal_cell
from lms.errors import ServiceError, unit_of_work
from lms.programme.calendar import class_days, closures

bp = Blueprint("attendance", __name__)
STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)
CSV_COLUMNS = (
    "week_start",
    "cohort",
    "student_email",
    "student_name",
    "hours_scheduled",
    "hours_attended",
    "hours_justified",
    "hours_unjustified_absence",
    "days_not_taken",
    "eligible",
    "amount",
)


@bp.app_template_filter("hours_minutes")
def hours_minutes(minutes: int | None) -> str:
    """340 → « 5 h 40 », 360 → « 6 h »."""
    if minutes is None:
        return "—"
    h, m = divmod(int(minutes), 60)
    return f"{h}\u00a0h\u00a0{m:02d}" if m else f"{h}\u00a0h"


@bp.app_template_filter("rate_percent")
def rate_percent(rate) -> str:
    """A rate (0..1) as « 96,3 % » in the user's language; « — » when there is none."""
    if rate is None:
        return "—"
    return format_decimal(float(rate) * 100, "0.0") + "\u00a0%"


@bp.app_template_filter("money")
def money(amount: Decimal) -> str:
    return format_decimal(amount, "#,##0.00") + "\u00a0$"


def _parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _bad_date(message: str):
    return render_template("core/error.html", code=400, message=message), 400


# --- the grid ----------------------------------------------------------------------------------


def _calendar(cohort: Cohort, day: date, today: date) -> dict:
    """Class days around ``day``: previous and next (not after today), and the days whose
    attendance is due and not taken (:func:`queries.attendance_not_taken`: one query for the
    closures, one for the days taken)."""
    window = queries.AttendanceWindow(cohort, cohort.start_on, min(cohort.end_on, today))
    check = queries.attendance_not_taken({cohort.id: window}, clock.utcnow())[cohort.id]
    days = check.days
    return {
        "previous": next((d for d in reversed(days) if d < day), None),
        "next": next((d for d in days if d > day), None),
        "missing": check.missing,
        "days": days,
    }


def _default_day(cohort: Cohort, today: date) -> date | None:
    """Today if it is a class day, else the last class day before today (None: not started)."""
    last = min(cohort.end_on, today)
    closed = closures([cohort.site_id], cohort.start_on, last)[cohort.site_id]
    days = class_days(cohort, cohort.start_on, last, closed)
    return days[-1] if days else None


def _render_grid(cohort, day, today, *, form=None, errors=None, problem=None, status=200, **extra):
    grid = queries.grid(cohort.id, day) if problem is None else None
    if grid is not None and form is None:
        form = AttendanceForm(formdata=None, data=grid_data(grid, grid.version))
    rows = {}
    if grid is not None:
        rows = {r.student_id: r for r in grid.rows}
    names = {sid: r.name for sid, r in rows.items()}
    return render_template(
        "attendance/grid.html",
        cohort=cohort,
        day=day,
        today=today,
        grid=grid,
        rows=rows,
        names=names,
        form=form,
        errors=errors or {},
        problem=problem,
        calendar=_calendar(cohort, day, today),
        scheduled=cohort.minutes_on(day),
        status_labels=STATUS_LABELS,
        reason_labels=REASON_LABELS,
        long_date=long_date,
        **extra,
    ), status


def _grid_day(cohort: Cohort, today: date):
    """The day asked for (default: the last class day up to today), or the page to answer
    instead: a date that cannot be read, a cohort not started yet."""
    raw = request.args.get("day")
    day = _parse_day(raw)
    if raw and day is None:
        return None, _bad_date(
            _("La date demandée n'est pas valide (format attendu : AAAA-MM-JJ).")
        )
    day = day or _default_day(cohort, today)
    if day is None:
        return None, render_template("attendance/not_started.html", cohort=cohort, today=today)
    return day, None


def _refused_grid(cohort: Cohort, day: date, today: date, form, error: ServiceError):
    if error.status == 409:  # the fresh grid, to redo the changes on
        return _render_grid(cohort, day, today, conflict=error.message, status=409)
    if isinstance(error, AttendanceRowErrors):
        return _render_grid(cohort, day, today, form=form, errors=error.errors, status=422)
    return _render_grid(cohort, day, today, general_errors=[error.message], status=error.status)


@bp.route("/cohorts/<int:cohort_id>/attendance", methods=["GET", "POST"])
@roles_required(*STAFF)
def grid(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    today = clock.today()
    day, other_page = _grid_day(cohort, today)
    if other_page is not None:
        return other_page
    problem = class_day_problem(cohort, day, today)
    if request.method == "GET" or problem:
        return _render_grid(cohort, day, today, problem=problem, status=422 if problem else 200)
    form = AttendanceForm()
    if not form.validate_on_submit():
        errors, general = form.row_errors(), form.general_errors()
        return _render_grid(
            cohort, day, today, form=form, errors=errors, general_errors=general, status=422
        )
    with unit_of_work() as work, lost_races_are_conflicts():
        save_attendance(
            cohort,
            day,
            form.entries(),
            actor=current_user,
            expected_version=int(form.version.data),
            today=today,
        )
    if not work.ok:
        return _refused_grid(cohort, day, today, form, work.error)
    flash(_("Présences du %(day)s enregistrées.", day=long_date(day)), "success")
    return redirect(url_for("attendance.grid", cohort_id=cohort.id, day=day.isoformat()))


# --- weekly allowance ---------------------------------------------------------------------------


def _week_arg() -> date:
    raw = request.args.get("week")
    day = _parse_day(raw)
    if raw and day is None:
        abort(400)
    return week_bounds(day or clock.today())[0]


def _week_context(monday: date, cohort: Cohort | None) -> dict:
    sunday = monday + timedelta(days=6)
    week_number = None
    if cohort is not None and cohort.start_on <= sunday and monday <= cohort.end_on:
        week_number = cohort.week_number(max(monday, cohort.start_on))
    return {
        "monday": monday,
        "sunday": sunday,
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "week_number": week_number,
    }


def _totals(rows) -> dict:
    return {
        "scheduled": sum(r.result.scheduled_minutes for r in rows),
        "attended": sum(r.result.attended_minutes for r in rows),
        "justified": sum(r.result.justified_minutes for r in rows),
        "unjustified": sum(r.result.unjustified_minutes for r in rows),
        "not_taken": sum(r.result.days_not_taken for r in rows),
        "eligible": sum(1 for r in rows if r.result.eligible),
        "amount": sum((r.result.amount for r in rows), Decimal("0.00")),
    }


def _csv(rows, filename: str) -> Response:
    lines = [
        [
            r.week_start.isoformat(),
            r.cohort_code,
            r.student_email,
            r.student_name,
            decimal_cell(r.result.hours_scheduled),
            decimal_cell(r.result.hours_attended),
            decimal_cell(r.result.hours_justified),
            decimal_cell(r.result.hours_unjustified),
            r.result.days_not_taken,
            1 if r.result.eligible else 0,
            decimal_cell(r.result.amount),
        ]
        for r in rows
    ]
    return csv_response(CSV_COLUMNS, lines, filename)


@bp.route("/cohorts/<int:cohort_id>/allowance")
@roles_required(*STAFF)
def cohort_allowance(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    monday = _week_arg()
    header = cohort_header(cohort.id)
    settings = weeks.allowance_settings()
    rows = weeks.weekly_allowance([cohort], monday, settings)
    return render_template(
        "attendance/allowance.html",
        cohort=cohort,
        course=header.course,
        site=header.site,
        rows=rows,
        **_week_context(monday, cohort),
        totals=_totals(rows),
        settings=settings,
        csv_url=url_for("attendance.cohort_allowance_csv", cohort_id=cohort.id, week=monday),
        endpoint="attendance.cohort_allowance",
        endpoint_args={"cohort_id": cohort.id},
    )


@bp.route("/cohorts/<int:cohort_id>/allowance.csv")
@roles_required(*STAFF)
def cohort_allowance_csv(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    monday = _week_arg()
    rows = weeks.weekly_allowance([cohort], monday, weeks.allowance_settings())
    return _csv(rows, f"allocation-{cohort.code}-{monday.isoformat()}.csv")


@bp.route("/sites/<int:site_id>/allowance")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def site_allowance(site_id: int):
    site = get_or_404(Site, site_id)
    monday = _week_arg()
    settings = weeks.allowance_settings()
    rows = weeks.weekly_allowance(weeks.site_cohorts(site.id, monday), monday, settings)
    return render_template(
        "attendance/allowance.html",
        cohort=None,
        site=site,
        rows=rows,
        **_week_context(monday, None),
        totals=_totals(rows),
        settings=settings,
        csv_url=url_for("attendance.site_allowance_csv", site_id=site.id, week=monday),
        endpoint="attendance.site_allowance",
        endpoint_args={"site_id": site.id},
    )


@bp.route("/sites/<int:site_id>/allowance.csv")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def site_allowance_csv(site_id: int):
    site = get_or_404(Site, site_id)
    monday = _week_arg()
    rows = weeks.weekly_allowance(
        weeks.site_cohorts(site.id, monday), monday, weeks.allowance_settings()
    )
    return _csv(rows, f"allocation-{site.code}-{monday.isoformat()}.csv")


# --- the student's page -------------------------------------------------------------------------


@bp.route("/learn/attendance")
@roles_required(Role.STUDENT)
def mine():
    today = clock.today()
    settings = weeks.allowance_settings()
    data = weeks.student_attendance(current_user.id, today, settings)
    return render_template(
        "attendance/mine.html",
        data=data,
        today=today,
        settings=settings,
        status_labels=STATUS_LABELS,
        reason_labels=REASON_LABELS,
    )
