"""Level assessments: record a student's levels, and a cohort's levels table."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import get_student_or_404, roles_required
from lms.errors import unit_of_work
from lms.followup.forms import AssessmentForm
from lms.followup.queries.levels import assessments_of, levels_table, skill_levels
from lms.followup.services.levels import record_assessments
from lms.followup.views.common import STAFF, bp, cohort_context, student_cohort
from lms.learning.vocab import SKILLS


@bp.route("/students/<int:student_id>/assessments/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def assessment_new(student_id: int):
    student = get_student_or_404(student_id)
    cohort = student_cohort(student)
    today = clock.today()
    back = request.args.get("back")
    form = AssessmentForm(data={"assessed_on": today} if request.method == "GET" else None)
    form.prefill_skills()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            record_assessments(
                student.id, cohort, current_user, **form.assessment_values(), today=today
            )
        if work.ok:
            flash(_("Les niveaux de %(name)s sont enregistrés.", name=student.name), "success")
            if back == "levels":
                return redirect(url_for("followup.cohort_levels", cohort_id=cohort.id))
            return redirect(url_for("followup.student_file", student_id=student.id))
    assessments = assessments_of([student.id], viewer=current_user).get(student.id, [])
    return render_template(
        "followup/assessment_form.html",
        student=student,
        cohort=cohort,
        form=form,
        back=back,
        levels=skill_levels(assessments),
    ), 422 if request.method == "POST" else 200


@bp.route("/cohorts/<int:cohort_id>/levels")
@roles_required(*STAFF)
def cohort_levels(cohort_id: int):
    cohort, header = cohort_context(cohort_id)
    return render_template(
        "followup/cohort_levels.html",
        h=header,
        rows=levels_table(cohort.id, clock.today()),
        skills=SKILLS,
    )
