"""Per-task follow-up of a cohort (staff): the workplace-task grid and its assessments."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from lms import clock
from lms.access import roles_required
from lms.catalog.queries import CohortHeader
from lms.employers.forms import task_assessment_form
from lms.employers.policies import STAFF, get_course4_cohort_or_404
from lms.employers.queries import tasks as queries
from lms.employers.services.tasks import record_task_assessments
from lms.employers.views.common import bp
from lms.errors import unit_of_work


def _assessment_form(tasks: dict[str, str], cohort_id: int) -> FlaskForm:
    """One student's assessment of ``tasks``: today's date on a new form; the students of the
    cohort to choose from."""
    form_class = task_assessment_form(tasks)
    if request.method == "GET":
        form = form_class(formdata=None, data={"assessed_on": clock.today()})
    else:
        form = form_class()
    form.student_id.choices = [
        SelectChoice(s.id, s.name) for s in queries.cohort_students(cohort_id)
    ]
    return form


def _record(form: FlaskForm, header: CohortHeader, tasks: dict[str, str]) -> bool:
    """Validate and record; ``False`` (errors shown, nothing written) when refused."""
    if not form.validate_on_submit():
        return False
    with unit_of_work(form) as work:
        record_task_assessments(
            header.cohort,
            current_user,
            student_id=form.student_id.data,
            kind=form.kind.data,
            assessed_on=form.assessed_on.data,
            scores=form.score_values(),
            allowed_tasks=list(tasks),
            evidence=form.evidence.data or "",
        )
    if work.ok:
        flash(_("L'évaluation des tâches a été enregistrée."), "success")
    return work.ok


@bp.route("/cohorts/<int:cohort_id>/tasks", methods=["GET", "POST"])
@roles_required(*STAFF)
def cohort_tasks(cohort_id: int):
    header = get_course4_cohort_or_404(cohort_id)
    tasks, from_profile = queries.followed_tasks(cohort_id)
    form = _assessment_form(tasks, cohort_id)
    status = 200
    if request.method == "POST":
        if _record(form, header, tasks):
            return redirect(url_for("employers.cohort_tasks", cohort_id=cohort_id))
        header = get_course4_cohort_or_404(cohort_id)
        status = 422
    rows, from_plan = queries.task_mastery(cohort_id, header.course.id, list(tasks))
    return render_template(
        "employers/tasks.html",
        h=header,
        form=form,
        tasks=tasks,
        from_profile=from_profile,
        rows=rows,
        from_plan=from_plan,
    ), status
