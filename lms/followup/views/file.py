"""The student's follow-up file (staff), a withdrawal recorded from it, and the student's own
follow-up page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import get_or_404, get_student_or_404, roles_required
from lms.auth.models import Role, User
from lms.catalog.models import Enrolment
from lms.errors import unit_of_work
from lms.followup.charts import level_chart
from lms.followup.forms import WithdrawForm
from lms.followup.queries.file import file_of
from lms.followup.queries.levels import assessments_of, level_series, skill_levels
from lms.followup.queries.notes import shared_notes
from lms.followup.queries.people import first_teacher_id, owner_candidates
from lms.followup.services.end_of_course import withdraw
from lms.followup.views.common import STAFF, bp
from lms.learning.vocab import SKILL_LABELS, SKILLS
from lms.programme.settings import get_setting

TIMELINE_STEP = 40
TIMELINE_MAX = 2000


def _skill_labels() -> dict[str, str]:
    return {skill: str(text) for skill, text in SKILL_LABELS.items()}


def _withdraw_form(enrolment_id: int, formdata=None, **data) -> WithdrawForm:
    # The page may hold several of them: prefixed ids; CSRF is checked for every POST anyway.
    return WithdrawForm(
        formdata=formdata, prefix=f"withdraw-{enrolment_id}", meta={"csrf": False}, data=data
    )


def _render_file(student: User, withdraw_forms: dict | None = None, status: int = 200):
    today = clock.today()
    limit = min(max(request.args.get("events", TIMELINE_STEP, type=int), 1), TIMELINE_MAX)
    every = int(get_setting("interview_cadence_days"))
    file = file_of(student.id, current_user, today=today, every_days=every, events=limit)
    forms = dict(withdraw_forms or {})
    for line in file.enrolments:
        if line.can_withdraw(today) and line.cohort.id in file.in_scope:
            forms.setdefault(
                line.enrolment.id, _withdraw_form(line.enrolment.id, withdrawn_on=today)
            )
    return render_template(
        "followup/student_file.html",
        **vars(file),
        student=student,
        today=today,
        chart=level_chart(level_series(file.assessments), _skill_labels(), end=today),
        every=every,
        limit=limit,
        step=TIMELINE_STEP,
        withdraw_forms=forms,
        skills=SKILLS,
    ), status


@bp.route("/students/<int:student_id>")
@roles_required(*STAFF)
def student_file(student_id: int):
    return _render_file(get_student_or_404(student_id))


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@roles_required(*STAFF)
def withdraw_enrolment(enrolment_id: int):
    enrolment = get_or_404(Enrolment, enrolment_id)
    student = get_student_or_404(enrolment.student_id)
    form = _withdraw_form(enrolment.id, formdata=request.form)
    if form.validate():
        owners = owner_candidates(enrolment.cohort_id)
        with unit_of_work(form) as work:
            withdraw(
                enrolment,
                current_user,
                withdrawn_on=form.withdrawn_on.data,
                reason=form.reason.data,
                comment=form.comment.data or "",
                owner_id=first_teacher_id(owners) or current_user.id,
                today=clock.today(),
            )
        if work.ok:
            flash(
                _(
                    "Le départ est enregistré. Un suivi de départ est ouvert, à faire d'ici 7 jours."
                ),
                "success",
            )
            return redirect(url_for("followup.student_file", student_id=student.id))
    return _render_file(student, withdraw_forms={enrolment.id: form}, status=422)


@bp.route("/learn/followup")
@roles_required(Role.STUDENT)
def my_followup():
    assessments = assessments_of([current_user.id]).get(current_user.id, [])
    return render_template(
        "followup/my_followup.html",
        notes=shared_notes(current_user.id),
        levels=skill_levels(assessments),
        assessments=assessments,
        chart=level_chart(
            level_series(assessments),
            _skill_labels(),
            end=clock.today(),
            title=_("Mes niveaux par compétence"),
        ),
        skills=SKILLS,
    )
