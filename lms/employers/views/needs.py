"""Needs profiles: an employer's (coordinators, admins) and a cohort's own (staff)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_or_404, roles_required
from lms.employers.forms import needs_form
from lms.employers.models import Employer
from lms.employers.policies import COORDINATORS, STAFF, get_course4_cohort_or_404
from lms.employers.profiles import ProfileData
from lms.employers.queries import needs as queries
from lms.employers.services.needs import save_profile
from lms.employers.views.common import bp
from lms.errors import unit_of_work
from lms.learning.vocab import SKILLS


def _profile_form_data(data: ProfileData | None) -> dict[str, Any]:
    data = data or ProfileData()
    values: dict[str, Any] = {
        f"priority_{key}": str(rank) for rank, key in enumerate(data.tasks, start=1)
    }
    values.update({f"weight_{s}": data.skill_weights.get(s, 0) for s in SKILLS})
    values.update(
        vocabulary_themes=data.vocabulary_themes,
        schedule_constraints=data.schedule_constraints,
        target_level=str(data.target_level),
        comments=data.comments,
    )
    return values


def _profile_data(form: Any) -> ProfileData:
    return ProfileData(
        tasks=form.chosen_tasks(),
        skill_weights={s: int(f.data) for s, f in form.weights()},
        vocabulary_themes=form.vocabulary_themes.data or "",
        schedule_constraints=form.schedule_constraints.data or "",
        target_level=int(form.target_level.data),
        comments=form.comments.data or "",
    )


def _save_needs(form: Any, **owner: Any) -> bool:
    """Validate and save; ``False`` (errors shown, nothing written) when refused."""
    if not form.validate_on_submit():
        return False
    with unit_of_work(form) as work:
        save_profile(_profile_data(form), current_user, **owner)
    if work.ok:
        flash(_("Le profil de besoins a été enregistré."), "success")
    return work.ok


@bp.route("/employers/<int:employer_id>/needs", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def employer_needs(employer_id: int):
    employer = get_or_404(Employer, employer_id)
    tasks = queries.workplace_tasks()
    form_class = needs_form(tasks)
    if request.method == "POST":
        form = form_class()
        if _save_needs(form, employer=employer):
            return redirect(url_for("employers.employer_edit", employer_id=employer_id))
        employer = get_or_404(Employer, employer_id)
        status = 422
    else:
        profile = queries.employer_profile(employer.id)
        form = form_class(data=_profile_form_data(ProfileData.of(profile) if profile else None))
        status = 200
    return render_template(
        "employers/needs.html", employer=employer, h=None, form=form, tasks=tasks
    ), status


@bp.route("/cohorts/<int:cohort_id>/needs", methods=["GET", "POST"])
@roles_required(*STAFF)
def cohort_needs(cohort_id: int):
    header = get_course4_cohort_or_404(cohort_id)
    tasks = queries.workplace_tasks()
    form_class = needs_form(tasks)
    profile = queries.cohort_profile(header.cohort.id)
    if request.method == "POST":
        form = form_class()
        if _save_needs(form, cohort=header.cohort):
            return redirect(url_for("employers.cohort_plan", cohort_id=cohort_id))
        header = get_course4_cohort_or_404(cohort_id)
        profile = queries.cohort_profile(cohort_id)
        status = 422
    else:
        form = form_class(data=_profile_form_data(profile.data))
        status = 200
    return render_template(
        "employers/needs.html", employer=None, h=header, form=form, tasks=tasks, profile=profile
    ), status
