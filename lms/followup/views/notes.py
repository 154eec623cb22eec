"""Follow-up notes: write one, and read or change one (its outcome, most often)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import get_or_404, get_student_or_404, roles_required
from lms.auth.models import User
from lms.errors import unit_of_work
from lms.extensions import db
from lms.followup.forms import NoteEditForm, NoteForm
from lms.followup.models import FollowUpNote
from lms.followup.policies import can_access_note
from lms.followup.queries.notes import default_owner, note_line, note_owners
from lms.followup.queries.people import Owner, owner_candidates, owner_ids
from lms.followup.services.notes import add_note, update_note
from lms.followup.views.common import STAFF, bp, student_cohort


def _blank_note_form(owners: list[Owner], today: date) -> NoteForm:
    """A new note: held today, of the type in ``?type=``, team-only, its action owned by
    :func:`default_owner`."""
    return NoteForm(
        data={
            "held_on": today,
            "note_type": request.args.get("type", "entretien"),
            "owner_id": str(default_owner(owners, current_user.id) or ""),
            "visibility": "team",
        }
    )


@bp.route("/students/<int:student_id>/notes/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def note_new(student_id: int):
    student = get_student_or_404(student_id)
    cohort = student_cohort(student)
    today = clock.today()
    owners = owner_candidates(cohort.id)
    form = NoteForm() if request.method == "POST" else _blank_note_form(owners, today)
    form.set_owners(owners)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            add_note(
                student.id,
                cohort.id,
                current_user,
                **form.note_values(),
                allowed_owner_ids=owner_ids(owners),
                today=today,
            )
        if work.ok:
            flash(_("La note de suivi est enregistrée."), "success")
            if request.args.get("back") == "dashboard":
                return redirect(url_for("followup.dashboard", cohort_id=cohort.id))
            return redirect(url_for("followup.student_file", student_id=student.id))
    return render_template(
        "followup/note_form.html", student=student, cohort=cohort, form=form, note=None
    ), 422 if request.method == "POST" else 200


@bp.route("/notes/<int:note_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def note_edit(note_id: int):
    # Read by whoever reads it in the file; changed (visibility included) by its author, its
    # owner, the coordinators of its cohort's region and admins (403 for the others).
    posting = request.method == "POST"
    note = get_or_404(FollowUpNote, note_id, "edit" if posting else "view", lock=posting)
    student = db.session.get(User, note.student_id)
    line = note_line(note.id)
    owners = note_owners(line)
    form = NoteEditForm() if posting else NoteEditForm.of(note)
    form.set_owners(owners)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            changed = update_note(
                note,
                current_user,
                allowed_owner_ids=owner_ids(owners),
                today=clock.today(),
                **form.note_values(),
            )
        if work.ok:
            if changed:
                flash(_("La note de suivi est mise à jour."), "success")
            return redirect(url_for("followup.student_file", student_id=student.id))
    return render_template(
        "followup/note_form.html",
        student=student,
        cohort=None,
        form=form,
        note=line,
        can_edit=posting or can_access_note(current_user, note, "edit"),
    ), 422 if posting else 200
