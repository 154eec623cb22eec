"""The employer report (coordinators, admins): on the page and as a CSV file."""

from __future__ import annotations

from flask import render_template
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import get_or_404, roles_required, visible_student_ids
from lms.csv_export import csv_response
from lms.employers.models import Employer
from lms.employers.policies import COORDINATORS
from lms.employers.queries import report as queries
from lms.employers.views.common import bp


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{format_decimal(rate * 100, '0.0')} %"


def _hours(minutes: int) -> str:
    return format_decimal(minutes / 60, "0.#")


def _number(value: float | None, pattern: str = "0.##") -> str:
    return "—" if value is None else format_decimal(value, pattern)


@bp.route("/employers/<int:employer_id>/report")
@roles_required(*COORDINATORS)
def employer_report(employer_id: int):
    employer = get_or_404(Employer, employer_id)
    return render_template(
        "employers/report.html",
        report=queries.employer_report(employer, visible_student_ids(current_user)),
        minimum=queries.REPORT_MINIMUM,
        not_enough=queries.not_enough_message(),
        percent=_percent,
        hours=_hours,
        number=_number,
        today=clock.today(),
    )


@bp.route("/employers/<int:employer_id>/report.csv")
@roles_required(*COORDINATORS)
def employer_report_csv(employer_id: int):
    """The report's figures, one per row. Below the minimum of consenting employees, the same
    file (200) with the employer's rows and a note instead of any figure."""
    employer = get_or_404(Employer, employer_id)
    report = queries.employer_report(employer, visible_student_ids(current_user))
    today = clock.today()
    rows = queries.report_rows(report, today)
    filename = f"rapport-employeur-{employer.neq}-{today.isoformat()}.csv"
    return csv_response([_("indicateur"), _("valeur")], rows, filename)
