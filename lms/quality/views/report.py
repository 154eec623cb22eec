"""The cohort's printable quality report."""

from __future__ import annotations

from flask import render_template

from lms import clock
from lms.access import roles_required
from lms.learning.models import SKILLS
from lms.quality.queries.report import cohort_report as report_of
from lms.quality.queries.survey import ANONYMITY_THRESHOLD
from lms.quality.views.common import MANAGERS, bp, get_cohort_or_404


@bp.route("/quality/cohorts/<int:cohort_id>/report")
@roles_required(*MANAGERS)
def cohort_report(cohort_id: int):
    cohort = get_cohort_or_404(cohort_id)
    return render_template(
        "quality/report.html",
        r=report_of(cohort.id, clock.today()),
        skills=SKILLS,
        today=clock.today(),
        threshold=ANONYMITY_THRESHOLD,
    )
