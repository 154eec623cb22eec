"""The teacher's cohort dashboard."""

from __future__ import annotations

from flask import render_template, request

from lms import clock
from lms.access import roles_required
from lms.followup.queries.dashboard import (
    OPEN_ALERT_COUNTERS,
    SORT_KEYS,
    cadence_counts,
    sort_rows,
)
from lms.followup.queries.dashboard import dashboard as dashboard_rows
from lms.followup.views.common import STAFF, bp, cohort_context
from lms.learning.vocab import SKILLS
from lms.programme.settings import get_setting


@bp.route("/cohorts/<int:cohort_id>/follow-up")
@roles_required(*STAFF)
def dashboard(cohort_id: int):
    _cohort, header = cohort_context(cohort_id)
    today = clock.today()
    every = int(get_setting("interview_cadence_days"))
    sort = request.args.get("sort", "name")
    if sort not in SORT_KEYS:
        sort = "name"
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    rows = dashboard_rows(header.cohort, header.course, today, every)
    rows = sort_rows(rows, sort, direction == "desc")
    return render_template(
        "followup/dashboard.html",
        h=header,
        rows=rows,
        sort=sort,
        direction=direction,
        skills=SKILLS,
        every=every,
        counts=cadence_counts(rows),
        today=today,
        alerts_enabled=bool(OPEN_ALERT_COUNTERS),
    )
