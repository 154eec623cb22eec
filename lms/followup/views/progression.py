"""« Suite du parcours »: a region's students to enrol in their next (or same) course, one by
one or all at once (coordinators of the region, admins)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from lms import clock
from lms.access import get_or_404, roles_required
from lms.auth.models import Role
from lms.catalog.models import Cohort, Region, coordinator_region
from lms.errors import ServiceError, unit_of_work
from lms.extensions import db
from lms.followup.forms import ProgressionEnrolForm
from lms.followup.queries.progression import ProgressionRow, progression_rows
from lms.followup.services.progression import enrol_progressions
from lms.followup.views.common import bp

MANAGERS = (Role.COORDINATOR, Role.ADMIN)


@bp.route("/progression")
@roles_required(*MANAGERS)
def progression_index():
    """The regions whose « Suite du parcours » the user may open (straight there if one)."""
    query = select(Region).order_by(Region.name)
    if current_user.role != Role.ADMIN:
        query = query.join(coordinator_region, coordinator_region.c.region_id == Region.id).where(
            coordinator_region.c.user_id == current_user.id
        )
    regions = db.session.scalars(query).all()
    if len(regions) == 1:
        return redirect(url_for("followup.progression", region_id=regions[0].id))
    return render_template("followup/progression_index.html", regions=regions)


def _page(region: Region, rows: list[ProgressionRow], form: ProgressionEnrolForm, status=200):
    return (
        render_template(
            "followup/progression.html",
            region=region,
            rows=rows,
            form=form,
            chosen=request.form,
            today=clock.today(),
        ),
        status,
    )


@bp.route("/regions/<int:region_id>/progression")
@roles_required(*MANAGERS)
def progression(region_id: int):
    region = get_or_404(Region, region_id, "manage")
    return _page(region, progression_rows(region.id, today=clock.today()), ProgressionEnrolForm())


def _choices(rows: list[ProgressionRow]) -> list[tuple[ProgressionRow, int]]:
    """The rows to enrol and the cohort chosen for each, from the form.

    :raises ServiceError: a row no longer listed, a cohort that is not offered to the student.
    """
    if "all" in request.form:
        wanted = [r for r in rows if r.offers]
        if not wanted:
            raise ServiceError(_("Aucun·e élève de la liste n'a de groupe offert."))
    else:
        enrolment_id = request.form.get("one", type=int)
        wanted = [r for r in rows if r.enrolment_id == enrolment_id]
        if not wanted:
            raise ServiceError(
                _("Cette ou cet élève n'est plus sur la liste : rechargez la page."), status=409
            )
    chosen = []
    for row in wanted:
        cohort_id = request.form.get(f"cohort_{row.enrolment_id}", type=int)
        if cohort_id not in {o.cohort.id for o in row.offers}:
            raise ServiceError(
                _("Choisissez un groupe offert pour %(name)s.", name=row.student.name)
            )
        chosen.append((row, cohort_id))
    return chosen


@bp.route("/regions/<int:region_id>/progression/enrol", methods=["POST"])
@roles_required(*MANAGERS)
def progression_enrol(region_id: int):
    region = get_or_404(Region, region_id, "manage")
    form = ProgressionEnrolForm()
    if not form.validate_on_submit():
        abort(400)
    today = clock.today()
    rows = progression_rows(region.id, today=today)
    with unit_of_work(form) as work:
        chosen = _choices(rows)
        # Offered cohorts are the region's: the access layer locks them (no double seat).
        locked = {
            cohort_id: get_or_404(Cohort, cohort_id, "manage", lock=True)
            for cohort_id in sorted({c for _r, c in chosen})
        }
        enrolled = enrol_progressions(
            [(row.student, locked[c]) for row, c in chosen], actor=current_user, today=today
        )
    if work.ok:
        flash(
            ngettext(
                "%(num)s élève est inscrit·e.", "%(num)s élèves sont inscrit·es.", len(enrolled)
            ),
            "success",
        )
        return redirect(url_for("followup.progression", region_id=region.id))
    return _page(region, rows, form, work.status)
