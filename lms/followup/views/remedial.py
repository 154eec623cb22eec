"""Remedial sessions: a cohort's sessions and scheduling a new one; a session's attendance and
outcome."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import get_or_404, roles_required
from lms.catalog.queries import cohort_header
from lms.errors import unit_of_work
from lms.followup.forms import RemedialForm, RemedialRecordForm, read_attendance
from lms.followup.models import RemedialSession
from lms.followup.queries.people import active_students, user_names
from lms.followup.queries.remedial import remedial_invites, remedial_sessions
from lms.followup.services.remedial import local_to_utc, record_remedial, schedule_remedial
from lms.followup.views.common import STAFF, bp, cohort_context


@bp.route("/cohorts/<int:cohort_id>/remedial", methods=["GET", "POST"])
@roles_required(*STAFF)
def remedial_list(cohort_id: int):
    cohort, header = cohort_context(cohort_id)
    today = clock.today()
    students = active_students(cohort.id, today)
    form = RemedialForm(data={"day": today} if request.method == "GET" else None)
    form.student_ids.choices = [(u.id, u.name) for _e, u in students]
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            session = schedule_remedial(
                cohort,
                current_user,
                starts_at=local_to_utc(form.day.data, form.start.data),
                duration_minutes=form.duration_minutes.data,
                topic=form.topic.data,
                student_ids=form.student_ids.data or [],
                allowed_student_ids=[u.id for _e, u in students],
            )
        if work.ok:
            flash(_("La séance de récupération est planifiée."), "success")
            return redirect(url_for("followup.remedial_detail", session_id=session.id))
    return render_template(
        "followup/remedial_list.html",
        h=header,
        sessions=remedial_sessions(cohort.id),
        form=form,
        today=today,
    ), 422 if request.method == "POST" else 200


@bp.route("/remedial/<int:session_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def remedial_detail(session_id: int):
    session = get_or_404(RemedialSession, session_id)
    invites = remedial_invites(session.id)
    posting = request.method == "POST"
    form = RemedialRecordForm(data=None if posting else {"outcome": session.outcome})
    if posting:
        attended, notes, errors = read_attendance(request.form, [i.student_id for i, _u in invites])
        form.form_errors.extend(errors)
        if form.validate_on_submit() and not errors:
            with unit_of_work(form) as work:
                record_remedial(
                    session,
                    [i for i, _u in invites],
                    current_user,
                    attended=attended,
                    notes=notes,
                    outcome=form.outcome.data or "",
                    today=clock.today(),
                )
            if work.ok:
                flash(_("Les présences et le bilan de la séance sont enregistrés."), "success")
                return redirect(url_for("followup.remedial_detail", session_id=session.id))
    return _detail_page(session, invites, form), 422 if posting else 200


def _detail_page(session: RemedialSession, invites, form: RemedialRecordForm) -> str:
    return render_template(
        "followup/remedial_detail.html",
        h=cohort_header(session.cohort_id),
        session=session,
        starts_at=session.starts_at.astimezone(clock.QUEBEC),
        teacher=user_names([session.teacher_id]).get(session.teacher_id, ""),
        invites=invites,
        form=form,
        posted=request.form if request.method == "POST" else None,
        today=clock.today(),
    )
