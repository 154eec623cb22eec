"""What the follow-up pages share: the blueprint, its template filters, who may open the staff
pages, and the cohort a page is about."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, request
from flask_babel import format_date
from flask_login import current_user

from lms import clock
from lms.access import get_or_404
from lms.auth.models import Role, User
from lms.catalog.models import Cohort
from lms.catalog.queries import CohortHeader, cohort_header
from lms.followup.queries.people import student_cohort_in_scope, student_cohorts_in_scope
from lms.followup.vocab import label

bp = Blueprint("followup", __name__)
STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)


@bp.app_template_filter("followup_label")
def followup_label(value: str | None, group: str):
    return label(value, group)


@bp.app_template_filter("followup_day")
def followup_day(value: date | None) -> str:
    """A short date for dense tables: « 10 déc. » (the year only when it is not this one)."""
    if value is None:
        return ""
    return format_date(value, "d MMM" if value.year == clock.today().year else "d MMM yyyy")


def cohort_context(cohort_id: int) -> tuple[Cohort, CohortHeader]:
    cohort = get_or_404(Cohort, cohort_id)
    return cohort, cohort_header(cohort.id)


def student_cohort(student: User) -> Cohort:
    """The cohort named in ``?cohort=`` (one of the student's, in the user's scope), or the one
    through which the user follows the student; 404 when there is none."""
    wanted = request.args.get("cohort", type=int)
    if wanted is None:
        wanted = student_cohort_in_scope(current_user, student.id, clock.today())
    if wanted is None or wanted not in student_cohorts_in_scope(current_user, student.id):
        abort(404)
    return get_or_404(Cohort, wanted)
