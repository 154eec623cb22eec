"""The course-plan builder of a cohort (staff): its partner employers, the plan proposed from
its needs profile, edited as a draft and published; and the student's published work plan."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms import clock
from lms.access import roles_required
from lms.auth.models import Role
from lms.catalog.queries import CohortHeader
from lms.employers.forms import LinkEmployersForm, PlanEditForm, ProposeForm, PublishForm
from lms.employers.policies import (
    COORDINATORS,
    STAFF,
    get_course4_cohort_or_404,
    may_manage_partners,
    visible_employer_ids,
)
from lms.employers.queries import plans as queries
from lms.employers.queries.needs import (
    CohortProfile,
    cohort_profile,
    linkable_employers,
    workplace_tasks,
)
from lms.employers.services import plans as services
from lms.employers.services.needs import set_cohort_employers
from lms.employers.views.common import bp
from lms.employers.vocab import SECTOR_LABELS, PlanEdit
from lms.errors import ServiceError, unit_of_work


def _default_sector(view: queries.PlanView, profile: CohortProfile) -> str:
    for plan in (view.draft, view.published):
        if plan is not None:
            return plan.sector or ""
    counts = Counter(e.sector for e, _p in profile.employers if e.sector in view.tracks)
    return counts.most_common(1)[0][0] if counts else ""


def _propose_form(view: queries.PlanView, profile: CohortProfile, **kwargs: Any) -> ProposeForm:
    form = ProposeForm(**kwargs)
    form.sector.choices = [SelectChoice("", _("Aucun volet sectoriel"))] + [
        SelectChoice(key, title) for key, title in view.tracks.items()
    ]
    if form.sector.data is None:
        form.sector.data = _default_sector(view, profile)
    return form


def _link_form(profile: CohortProfile) -> LinkEmployersForm:
    """The cohort's partner employers, to tick among those the user may link (none for
    teachers)."""
    linkable = (
        linkable_employers(visible_employer_ids(current_user))
        if may_manage_partners(current_user)
        else []
    )
    linked = sorted(e.id for e, _p in profile.employers)
    form = LinkEmployersForm(formdata=None, data={"employer_ids": linked})
    form.employer_ids.choices = [
        SelectChoice(eid, f"{name} ({SECTOR_LABELS.get(sector, sector)})")
        for eid, name, sector in linkable
    ]
    return form


def _render_plan(
    header: CohortHeader,
    *,
    error: str | None = None,
    status: int = 200,
    version: int | None = None,
    propose_form: ProposeForm | None = None,
):
    view = queries.plan_view(header.cohort.id, header.course.id, version)
    if version is not None and view.shown is None:
        abort(404)
    profile = cohort_profile(header.cohort.id)
    draft_version = view.draft.version if view.draft else None
    return render_template(
        "employers/plan.html",
        h=header,
        view=view,
        profile=profile,
        data=profile.data,
        tasks=workplace_tasks(),
        coverage=view.coverage(profile.tasks),
        propose_form=propose_form or _propose_form(view, profile, formdata=None),
        publish_form=PublishForm(formdata=None, data={"version": draft_version}),
        link_form=_link_form(profile),
        can_link=may_manage_partners(current_user),
        editable=view.editable,
        weeks=range(1, header.course.weeks + 1),
        error=error,
    ), status


def _refused(cohort_id: int, error: ServiceError):
    """The plan page again, as it stands now, with the refusal (409: someone else's change)."""
    return _render_plan(
        get_course4_cohort_or_404(cohort_id), error=error.message, status=error.status
    )


def _to_plan(cohort_id: int, anchor: str = ""):
    return redirect(url_for("employers.cohort_plan", cohort_id=cohort_id) + anchor)


@bp.route("/cohorts/<int:cohort_id>/plan")
@roles_required(*STAFF)
def cohort_plan(cohort_id: int):
    header = get_course4_cohort_or_404(cohort_id)
    version = request.args.get("version", type=int)
    return _render_plan(header, version=version)


@bp.route("/cohorts/<int:cohort_id>/employers", methods=["POST"])
@roles_required(*COORDINATORS)
def cohort_employers(cohort_id: int):
    header = get_course4_cohort_or_404(cohort_id, "manage")
    form = LinkEmployersForm()
    visible = [eid for eid, _n, _s in linkable_employers(visible_employer_ids(current_user))]
    if not form.validate_on_submit():
        return _render_plan(header, error=_("Le formulaire n'est pas valide."), status=422)
    with unit_of_work() as work:
        set_cohort_employers(header.cohort, form.employer_ids.data or [], visible, current_user)
    if not work.ok:
        return _refused(cohort_id, work.error)
    flash(_("Les entreprises partenaires du groupe ont été enregistrées."), "success")
    return _to_plan(cohort_id)


@bp.route("/cohorts/<int:cohort_id>/plan/propose", methods=["POST"])
@roles_required(*STAFF)
def plan_propose(cohort_id: int):
    header = get_course4_cohort_or_404(cohort_id)
    view = queries.plan_view(cohort_id, header.course.id)
    profile = cohort_profile(cohort_id)
    form = _propose_form(view, profile)
    if not form.validate_on_submit():
        message = " ".join(str(e) for e in form.sector.errors)
        message = message or _("Choisissez un volet sectoriel.")
        return _render_plan(header, error=message, status=422, propose_form=form)
    with unit_of_work() as work:
        plan = services.propose_cohort_plan(
            header.cohort,
            header.course,
            current_user,
            sector=form.sector.data or None,
            tasks=profile.tasks,
        )
    if not work.ok:
        return _refused(cohort_id, work.error)
    message = _(
        "Plan proposé : version %(v)s (brouillon). Ajustez-le au besoin, puis publiez-le.",
        v=plan.version,
    )
    flash(message, "success")
    return _to_plan(cohort_id)


def _edited(action: str) -> str:
    return {
        PlanEdit.MOVE: _("L'unité a été déplacée."),
        PlanEdit.REMOVE: _("L'unité a été retirée du plan."),
        PlanEdit.ADD: _("L'unité a été ajoutée au plan."),
        PlanEdit.DISCARD: _("Le brouillon a été abandonné."),
    }[action]


@bp.route("/cohorts/<int:cohort_id>/plan/edit", methods=["POST"])
@roles_required(*STAFF)
def plan_edit(cohort_id: int):
    header = get_course4_cohort_or_404(cohort_id)
    form = PlanEditForm()
    if not form.validate_on_submit():
        message = " ".join(str(e) for f in form for e in f.errors)
        message = message or _("Le formulaire n'est pas valide.")
        return _render_plan(header, error=message, status=422)
    action = form.action.data
    with unit_of_work() as work:
        draft = services.edit_plan(
            header.cohort,
            header.course,
            current_user,
            action=action,
            unit_id=form.unit_id.data,
            week=form.week.data,
        )
    if not work.ok:
        return _refused(cohort_id, work.error)
    flash(_edited(action), "success")
    if draft is not None:  # None after a discard
        message = _(
            "Modifications enregistrées dans le brouillon (version %(v)s).", v=draft.version
        )
        flash(message, "info")
    return _to_plan(cohort_id, "#plan")


@bp.route("/cohorts/<int:cohort_id>/plan/publish", methods=["POST"])
@roles_required(*STAFF)
def plan_publish(cohort_id: int):
    header = get_course4_cohort_or_404(cohort_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _render_plan(header, error=_("Le formulaire n'est pas valide."), status=422)
    with unit_of_work() as work:
        plan = services.publish_plan(
            header.cohort,
            header.course,
            current_user,
            version=form.version.data,
            note=form.note.data or "",
        )
    if not work.ok:
        return _refused(cohort_id, work.error)
    message = _(
        "La version %(v)s du plan est publiée : les élèves du groupe la voient maintenant.",
        v=plan.version,
    )
    flash(message, "success")
    return _to_plan(cohort_id)


@bp.route("/learn/work-plan")
@roles_required(Role.STUDENT)
def work_plan():
    found = queries.student_course4_cohort(current_user.id, clock.today())
    if found is None:
        return render_template("employers/work_plan.html", plan=None)
    cohort, course = found
    return render_template(
        "employers/work_plan.html",
        plan=queries.student_plan(cohort, course),
        current_week=cohort.week_number(clock.today()),
    )
