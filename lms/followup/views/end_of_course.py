"""End of course: the cohort's progression decisions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import roles_required
from lms.errors import unit_of_work
from lms.followup.forms import DECISION_CHOICES, DecisionsForm, read_decisions
from lms.followup.queries.end_of_course import decisions_table
from lms.followup.services.end_of_course import decide_progressions
from lms.followup.views.common import STAFF, bp, cohort_context
from lms.learning.vocab import SKILLS


@bp.route("/cohorts/<int:cohort_id>/decisions", methods=["GET", "POST"])
@roles_required(*STAFF)
def decisions(cohort_id: int):
    cohort, header = cohort_context(cohort_id)
    rows = decisions_table(cohort.id)
    form = DecisionsForm()
    posting = request.method == "POST"
    wanted, errors = read_decisions(request.form, rows) if posting else ([], {})
    if form.validate_on_submit() and not errors:
        with unit_of_work(form) as work:
            changed = decide_progressions(wanted, current_user, today=clock.today())
        if work.ok:
            flash(
                _("%(n)s décision(s) enregistrée(s).", n=changed)
                if changed
                else _("Aucune décision n'a changé."),
                "success",
            )
            return redirect(url_for("followup.decisions", cohort_id=cohort.id))
    return render_template(
        "followup/decisions.html",
        h=header,
        rows=rows,
        form=form,
        errors=errors,
        posted=request.form if posting else None,
        choices=DECISION_CHOICES,
        skills=SKILLS,
        today=clock.today(),
    ), 422 if posting else 200
