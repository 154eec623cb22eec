"""Systematic follow-up pages: thin views (form → service → commit → redirect).

Bad input gets the form back with French messages and status 422; nothing is written.
Access: :mod:`lms.access` only (roles → 403, scope → 404).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from lms import clock
from lms.access import get_or_404, get_student_or_404, roles_required
from lms.auth.models import Role, User
from lms.catalog.models import Cohort, Enrolment
from lms.catalog.queries import CohortHeader, cohort_header
from lms.extensions import db
from lms.followup import queries
from lms.followup.charts import level_chart
from lms.followup.forms import (
    DECISION_CHOICES,
    AssessmentForm,
    DecisionsForm,
    NoteEditForm,
    NoteForm,
    RemedialForm,
    RemedialRecordForm,
    WithdrawForm,
)
from lms.followup.models import FollowUpNote, RemedialSession
from lms.followup.policies import can_access_note, may_edit_visible_note
from lms.followup.services import (
    FollowUpError,
    decide_progression,
    interview_cadence,
    local_to_utc,
    record_assessments,
    record_remedial,
    schedule_remedial,
    update_note,
    withdraw,
)
from lms.followup.services import add_note as add_note_service
from lms.followup.vocab import Decision, label
from lms.learning.vocab import SKILL_LABELS, SKILLS
from lms.programme.settings import get_setting

bp = Blueprint("followup", __name__)
STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)
TIMELINE_STEP = 40
TIMELINE_MAX = 2000


@bp.app_template_filter("followup_label")
def followup_label(value: str | None, group: str):
    return label(value, group)


@bp.app_template_filter("followup_day")
def followup_day(value: date | None) -> str:
    """A short date for dense tables: « 10 déc. » (the year only when it is not this one)."""
    if value is None:
        return ""
    return format_date(value, "d MMM" if value.year == clock.today().year else "d MMM yyyy")


def _attach(form, exc: FollowUpError) -> None:
    """Show a service's refusal on its field (or at the top of the form)."""
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _skill_labels() -> dict[str, str]:
    return {skill: str(text) for skill, text in SKILL_LABELS.items()}


def _cohort_context(cohort_id: int) -> tuple[Cohort, CohortHeader]:
    cohort = get_or_404(Cohort, cohort_id)
    return cohort, cohort_header(cohort.id)


def _student_cohort(student: User) -> int:
    """The cohort named in ``?cohort=`` (one of the student's, in the user's scope), or the one
    through which the user follows the student; 404 when there is none."""
    wanted = request.args.get("cohort", type=int)
    if wanted is None:
        wanted = queries.student_cohort_in_scope(current_user, student.id, clock.today())
    if wanted is None or wanted not in queries.student_cohorts_in_scope(current_user, student.id):
        abort(404)
    return wanted


# --- the student's follow-up file --------------------------------------------------------------


def _withdraw_form(enrolment_id: int, formdata=None, **data) -> WithdrawForm:
    # The page may hold several of them: prefixed ids; CSRF is checked for every POST anyway.
    return WithdrawForm(
        formdata=formdata, prefix=f"withdraw-{enrolment_id}", meta={"csrf": False}, data=data
    )


def _render_file(student: User, withdraw_forms: dict | None = None, status: int = 200):
    today = clock.today()
    limit = min(max(request.args.get("events", TIMELINE_STEP, type=int), 1), TIMELINE_MAX)
    # Only the data of the viewer's cohorts (lms.followup.queries: "what of a student's file a
    # viewer sees"): a student who moved to another region keeps her former team's data there.
    viewer = current_user
    enrolments = queries.student_enrolments(student.id, viewer=viewer)
    in_scope = queries.student_cohorts_in_scope(viewer, student.id)
    assessments = queries.assessments_of([student.id], viewer=viewer).get(student.id, [])
    last_interview = queries.last_interviews([student.id], today, viewer=viewer).get(student.id)
    every = int(get_setting("interview_cadence_days"))
    cadences = {
        line.enrolment.id: interview_cadence(last_interview, line.enrolment.start_on, today, every)
        for line in enrolments
        if line.is_current(today)
    }
    forms = dict(withdraw_forms or {})
    for line in enrolments:
        if line.can_withdraw(today) and line.cohort.id in in_scope:
            forms.setdefault(
                line.enrolment.id, _withdraw_form(line.enrolment.id, withdrawn_on=today)
            )
    events, more = queries.student_timeline(student.id, limit, viewer=viewer, in_scope=in_scope)
    actions = queries.open_actions(student.id, viewer=viewer)
    return render_template(
        "followup/student_file.html",
        student=student,
        today=today,
        enrolments=enrolments,
        in_scope=in_scope,
        levels=queries.skill_levels(assessments),
        assessments=assessments,
        chart=level_chart(queries.level_series(assessments), _skill_labels(), end=today),
        attendance=queries.attendance_by_cohort(student.id, viewer=viewer),
        online=queries.online_summary(student.id, viewer=viewer),
        last_interview=last_interview,
        cadences=cadences,
        every=every,
        actions=actions,
        editable={line.note.id for line in actions if may_edit_visible_note(viewer, line.note)},
        events=events,
        more=more,
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
        owners = queries.owner_candidates(enrolment.cohort_id)
        try:
            withdraw(
                enrolment,
                current_user,
                withdrawn_on=form.withdrawn_on.data,
                reason=form.reason.data,
                comment=form.comment.data or "",
                owner_id=queries.first_teacher_id(owners) or current_user.id,
                today=clock.today(),
            )
        except FollowUpError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            db.session.commit()
            flash(
                _(
                    "Le départ est enregistré. Un suivi de départ est ouvert, à faire d'ici 7 jours."
                ),
                "success",
            )
            return redirect(url_for("followup.student_file", student_id=student.id))
    return _render_file(student, withdraw_forms={enrolment.id: form}, status=422)


# --- level assessments -------------------------------------------------------------------------


@bp.route("/students/<int:student_id>/assessments/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def assessment_new(student_id: int):
    student = get_student_or_404(student_id)
    cohort = get_or_404(Cohort, _student_cohort(student))
    today = clock.today()
    back = request.args.get("back")
    form = AssessmentForm(data={"assessed_on": today} if request.method == "GET" else None)
    form.prefill_skills()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                record_assessments(
                    student.id,
                    cohort,
                    current_user,
                    kind=form.kind.data,
                    assessed_on=form.assessed_on.data,
                    rows=form.filled_rows(),
                    today=today,
                )
            except FollowUpError as exc:
                db.session.rollback()
                _attach(form, exc)
            else:
                db.session.commit()
                flash(_("Les niveaux de %(name)s sont enregistrés.", name=student.name), "success")
                if back == "levels":
                    return redirect(url_for("followup.cohort_levels", cohort_id=cohort.id))
                return redirect(url_for("followup.student_file", student_id=student.id))
        status = 422
    assessments = queries.assessments_of([student.id], viewer=current_user).get(student.id, [])
    return render_template(
        "followup/assessment_form.html",
        student=student,
        cohort=cohort,
        form=form,
        back=back,
        levels=queries.skill_levels(assessments),
    ), status


@bp.route("/cohorts/<int:cohort_id>/levels")
@roles_required(*STAFF)
def cohort_levels(cohort_id: int):
    cohort, header = _cohort_context(cohort_id)
    return render_template(
        "followup/cohort_levels.html",
        h=header,
        rows=queries.levels_table(cohort.id, clock.today()),
        skills=SKILLS,
    )


# --- notes -------------------------------------------------------------------------------------


def _owner_ids(owners) -> list[int]:
    return [uid for uid, _name, _role in owners]


def _note_values(form: NoteForm) -> dict:
    owner = form.owner_value()
    return {
        "note_type": form.note_type.data,
        "reason": form.reason.data,
        "held_on": form.held_on.data,
        "summary": form.summary.data or "",
        "action": form.action.data or "",
        "owner_id": owner,
        "due_on": form.due_on.data,
        "visibility": form.visibility.data,
    }


@bp.route("/students/<int:student_id>/notes/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def note_new(student_id: int):
    student = get_student_or_404(student_id)
    cohort = get_or_404(Cohort, _student_cohort(student))
    today = clock.today()
    owners = queries.owner_candidates(cohort.id)
    if request.method == "GET":
        default_owner = current_user.id if current_user.id in _owner_ids(owners) else None
        form = NoteForm(
            data={
                "held_on": today,
                "note_type": request.args.get("type", "entretien"),
                "owner_id": str(default_owner or queries.first_teacher_id(owners) or ""),
                "visibility": "team",
            }
        )
    else:
        form = NoteForm()
    form.set_owners(owners)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                add_note_service(
                    student.id,
                    cohort.id,
                    current_user,
                    **_note_values(form),
                    allowed_owner_ids=_owner_ids(owners),
                    today=today,
                )
            except FollowUpError as exc:
                db.session.rollback()
                _attach(form, exc)
            else:
                db.session.commit()
                flash(_("La note de suivi est enregistrée."), "success")
                if request.args.get("back") == "dashboard":
                    return redirect(url_for("followup.dashboard", cohort_id=cohort.id))
                return redirect(url_for("followup.student_file", student_id=student.id))
        status = 422
    return render_template(
        "followup/note_form.html", student=student, cohort=cohort, form=form, note=None
    ), status


@bp.route("/notes/<int:note_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def note_edit(note_id: int):
    # Reading: whoever reads the note in the file; changing it (its visibility included): its
    # author, its owner, the coordinators of its cohort's region, admins (403 for the others).
    posting = request.method == "POST"
    note = get_or_404(FollowUpNote, note_id, "edit" if posting else "view", lock=posting)
    can_edit = posting or can_access_note(current_user, note, "edit")
    student = db.session.get(User, note.student_id)
    line = queries.note_line(note.id)
    owners = queries.owner_candidates(note.cohort_id)
    if note.owner_id is not None and note.owner_id not in _owner_ids(owners):
        owners.append((note.owner_id, line.owner, "teacher"))
    if request.method == "GET":
        form = NoteEditForm(
            data={
                "note_type": note.note_type,
                "reason": note.reason,
                "held_on": note.held_on,
                "summary": note.summary,
                "action": note.action,
                "owner_id": str(note.owner_id or ""),
                "due_on": note.due_on,
                "visibility": note.visibility,
                "outcome": note.outcome,
                "done_on": note.done_on,
            }
        )
    else:
        form = NoteEditForm()
    form.set_owners(owners)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                changed = update_note(
                    note,
                    current_user,
                    allowed_owner_ids=_owner_ids(owners),
                    today=clock.today(),
                    **_note_values(form),
                    outcome=form.outcome.data or "",
                    done_on=form.done_on.data,
                )
            except FollowUpError as exc:
                db.session.rollback()
                _attach(form, exc)
            else:
                db.session.commit()
                if changed:
                    flash(_("La note de suivi est mise à jour."), "success")
                return redirect(url_for("followup.student_file", student_id=student.id))
        status = 422
    return render_template(
        "followup/note_form.html",
        student=student,
        cohort=None,
        form=form,
        note=line,
        can_edit=can_edit,
    ), status


@bp.route("/learn/followup")
@roles_required(Role.STUDENT)
def my_followup():
    assessments = queries.assessments_of([current_user.id]).get(current_user.id, [])
    return render_template(
        "followup/my_followup.html",
        notes=queries.shared_notes(current_user.id),
        levels=queries.skill_levels(assessments),
        assessments=assessments,
        chart=level_chart(
            queries.level_series(assessments),
            _skill_labels(),
            end=clock.today(),
            title=_("Mes niveaux par compétence"),
        ),
        skills=SKILLS,
    )


# --- the teacher's cohort dashboard ------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/follow-up")
@roles_required(*STAFF)
def dashboard(cohort_id: int):
    cohort, header = _cohort_context(cohort_id)
    today = clock.today()
    every = int(get_setting("interview_cadence_days"))
    sort = request.args.get("sort", "name")
    if sort not in queries.SORT_KEYS:
        sort = "name"
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    rows = queries.dashboard(header.cohort, header.course, today, every)
    rows = queries.sort_rows(rows, sort, direction == "desc")
    counts = {"ok": 0, "soon": 0, "overdue": 0}
    for row in rows:
        counts[row.cadence.status] += 1
    return render_template(
        "followup/dashboard.html",
        h=header,
        rows=rows,
        sort=sort,
        direction=direction,
        skills=SKILLS,
        every=every,
        counts=counts,
        today=today,
        alerts_enabled=bool(queries.OPEN_ALERT_COUNTERS),
    )


# --- remedial sessions -------------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/remedial", methods=["GET", "POST"])
@roles_required(*STAFF)
def remedial_list(cohort_id: int):
    cohort, header = _cohort_context(cohort_id)
    today = clock.today()
    students = queries.active_students(cohort.id, today)
    form = RemedialForm()
    form.student_ids.choices = [(u.id, u.name) for _e, u in students]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                session = schedule_remedial(
                    cohort,
                    current_user,
                    starts_at=local_to_utc(form.day.data, form.start.data),
                    duration_minutes=form.duration_minutes.data,
                    topic=form.topic.data,
                    student_ids=form.student_ids.data or [],
                    allowed_student_ids=[u.id for _e, u in students],
                )
            except FollowUpError as exc:
                db.session.rollback()
                _attach(form, exc)
            else:
                db.session.commit()
                flash(_("La séance de récupération est planifiée."), "success")
                return redirect(url_for("followup.remedial_detail", session_id=session.id))
        status = 422
    elif form.day.data is None:
        form.day.data = today
    return render_template(
        "followup/remedial_list.html",
        h=header,
        sessions=queries.remedial_sessions(cohort.id),
        form=form,
        today=today,
    ), status


def _parse_attendance(form: MultiDict, invites) -> tuple[dict, dict, list[str]]:
    attended: dict[int, bool | None] = {}
    notes: dict[int, str] = {}
    errors = []
    values = {"": None, "present": True, "absent": False}
    for invite, _student in invites:
        raw = form.get(f"attended-{invite.student_id}", "")
        if raw not in values:
            errors.append(_("Choisissez « présent·e » ou « absent·e »."))
            continue
        attended[invite.student_id] = values[raw]
        note = form.get(f"note-{invite.student_id}", "")
        if len(note) > 500:
            errors.append(_("Une remarque compte plus de 500 caractères."))
        notes[invite.student_id] = note
    return attended, notes, errors


@bp.route("/remedial/<int:session_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def remedial_detail(session_id: int):
    session = get_or_404(RemedialSession, session_id)
    header = cohort_header(session.cohort_id)
    invites = queries.remedial_invites(session.id)
    form = RemedialRecordForm(
        data={"outcome": session.outcome} if request.method == "GET" else None
    )
    status = 200
    if request.method == "POST":
        attended, notes, errors = _parse_attendance(request.form, invites)
        form.form_errors.extend(errors)
        if form.validate_on_submit() and not errors:
            try:
                record_remedial(
                    session,
                    [i for i, _u in invites],
                    current_user,
                    attended=attended,
                    notes=notes,
                    outcome=form.outcome.data or "",
                    today=clock.today(),
                )
            except FollowUpError as exc:
                db.session.rollback()
                _attach(form, exc)
            else:
                db.session.commit()
                flash(_("Les présences et le bilan de la séance sont enregistrés."), "success")
                return redirect(url_for("followup.remedial_detail", session_id=session.id))
        status = 422
    return render_template(
        "followup/remedial_detail.html",
        h=header,
        session=session,
        starts_at=session.starts_at.astimezone(clock.QUEBEC),
        teacher=queries.user_names([session.teacher_id]).get(session.teacher_id, ""),
        invites=invites,
        form=form,
        posted=request.form if request.method == "POST" else None,
        today=clock.today(),
    ), status


# --- end of course -----------------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/decisions", methods=["GET", "POST"])
@roles_required(*STAFF)
def decisions(cohort_id: int):
    cohort, header = _cohort_context(cohort_id)
    rows = queries.decisions_table(cohort.id)
    form = DecisionsForm()
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        wanted = []
        for row in rows:
            key = row.enrolment.id
            decision = request.form.get(f"decision-{key}", "")
            comment = request.form.get(f"comment-{key}", "")
            if decision and decision not in tuple(Decision):
                errors[key] = _("Choisissez une décision dans la liste.")
            elif len(comment) > 2000:
                errors[key] = _("Le commentaire compte plus de 2 000 caractères.")
            elif decision:
                wanted.append((row, decision, comment))
            elif comment.strip() and row.decision is None:
                errors[key] = _("Choisissez une décision pour accompagner ce commentaire.")
        if form.validate_on_submit() and not errors:
            today = clock.today()
            changed = 0
            for row, decision, comment in wanted:
                result = decide_progression(
                    row.enrolment,
                    row.decision,
                    current_user,
                    decision=decision,
                    comment=comment,
                    today=today,
                )
                changed += result is not None
            db.session.commit()
            flash(
                _("%(n)s décision(s) enregistrée(s).", n=changed)
                if changed
                else _("Aucune décision n'a changé."),
                "success",
            )
            return redirect(url_for("followup.decisions", cohort_id=cohort.id))
        status = 422
    return render_template(
        "followup/decisions.html",
        h=header,
        rows=rows,
        form=form,
        errors=errors,
        posted=request.form if request.method == "POST" else None,
        choices=DECISION_CHOICES,
        skills=SKILLS,
        today=clock.today(),
    ), status
