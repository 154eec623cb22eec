from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import get_or_404, programme_settings_page, roles_required
from lms.auth.models import Role
from lms.catalog.models import Cohort, Course, Region, Site
from lms.errors import ServiceError, unit_of_work
from lms.extensions import db
from lms.programme import cohorts, places, queries, services
from lms.programme.forms import (
    ClosureForm,
    CohortForm,
    CohortStatusForm,
    RegionForm,
    SettingsForm,
    SiteForm,
)
from lms.programme.models import ClosureDay

bp = Blueprint("programme", __name__)


@bp.route("/programme/settings", methods=["GET", "POST"])
@programme_settings_page
def settings():
    form = SettingsForm(data=services.settings_as_shown() if request.method == "GET" else None)
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("programme/settings.html", form=form), status
    with unit_of_work(form):
        services.save_settings(
            {key: form[key].data for key in services.PAGE_SETTINGS}, actor=current_user
        )
    flash(_("Les paramètres du programme ont été enregistrés."), "success")
    return redirect(url_for("programme.settings"))


def _site_or_404(site_id: int) -> Site:
    """Closure calendars are edited by admins (any site)."""
    site = db.session.get(Site, site_id)
    if site is None:
        abort(404)
    return site


@bp.route("/sites/")
@roles_required(Role.ADMIN)
def sites():
    return render_template("programme/sites.html", rows=queries.sites())


@bp.route("/sites/<int:site_id>/closures", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def closures(site_id: int):
    site = _site_or_404(site_id)
    form = ClosureForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.add_closure(site, form.day.data, form.reason.data, actor=current_user)
        if work.ok:
            flash(_("La fermeture a été ajoutée."), "success")
            return redirect(url_for("programme.closures", site_id=site.id))
    days = queries.closure_days(site.id)
    page = render_template(
        "programme/closures.html", site=site, form=form, days=days, today=clock.today()
    )
    return page, 422 if request.method == "POST" else 200


@bp.route("/closures/<int:closure_id>/delete", methods=["POST"])
@roles_required(Role.ADMIN)
def closure_delete(closure_id: int):
    closure = db.session.get(ClosureDay, closure_id)
    if closure is None:
        abort(404)
    site_id = closure.site_id
    with unit_of_work():
        services.remove_closure(closure, actor=current_user)
    flash(_("La fermeture a été retirée."), "success")
    return redirect(url_for("programme.closures", site_id=site_id))


# --- regions and sites (admins) -------------------------------------------------------------


@bp.route("/regions/")
@roles_required(Role.ADMIN)
def regions():
    return render_template("programme/regions.html", rows=queries.regions())


def _region_or_404(region_id: int) -> Region:
    region = db.session.get(Region, region_id)
    if region is None:
        abort(404)
    return region


@bp.route("/regions/new", methods=["GET", "POST"], defaults={"region_id": None})
@bp.route("/regions/<int:region_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def region_edit(region_id: int | None):
    region = _region_or_404(region_id) if region_id is not None else None
    form = RegionForm(obj=region)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            places.save_region(
                region, {k: form[k].data for k in places.REGION_FIELDS}, actor=current_user
            )
        if work.ok:
            flash(_("La région est enregistrée."), "success")
            return redirect(url_for("programme.regions"))
    page = render_template("programme/region_edit.html", form=form, region=region)
    return page, 422 if request.method == "POST" else 200


@bp.route("/sites/new", methods=["GET", "POST"], defaults={"site_id": None})
@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def site_edit(site_id: int | None):
    site = _site_or_404(site_id) if site_id is not None else None
    form = SiteForm(obj=site)
    form.region_id.choices = queries.region_choices()
    status = 200
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            places.save_site(
                site, {k: form[k].data for k in places.SITE_FIELDS}, actor=current_user
            )
        if work.ok:
            flash(_("Le site est enregistré."), "success")
            return redirect(url_for("programme.sites"))
        status = work.status
    elif request.method == "POST":
        status = 422
    has_cohorts = site is not None and places.site_has_cohorts(site.id)
    page = render_template(
        "programme/site_edit.html", form=form, site=site, has_cohorts=has_cohorts
    )
    return page, status


@bp.route("/sites/<int:site_id>/delete", methods=["POST"])
@roles_required(Role.ADMIN)
def site_delete(site_id: int):
    site = _site_or_404(site_id)
    with unit_of_work() as work:
        places.delete_site(site, actor=current_user)
    if work.ok:
        flash(_("Le site est supprimé."), "success")
    else:
        flash(work.error.message, "danger")
    return redirect(url_for("programme.sites"))


# --- cohorts: « Nouveau groupe » and its edit page (coordinators of the region, admins) ------


def _cohort_form(cohort: Cohort | None) -> CohortForm:
    form = CohortForm()
    if request.method == "GET":
        if cohort is None:
            for name in CohortForm.HOURS:
                form[name].data = Decimal(6)
        else:
            form.course_id.data = cohort.course_id
            form.site_id.data = cohort.site_id
            form.start_on.data = cohort.start_on
            form.code.data = cohort.code
            form.capacity.data = cohort.capacity
            form.teachers.data = cohorts.teacher_ids_of(cohort.id)
            for name, minutes in zip(CohortForm.HOURS, cohort.weekday_minutes, strict=True):
                form[name].data = Decimal(minutes) / 60
    form.course_id.choices = queries.course_choices()
    form.site_id.choices = queries.site_choices(
        current_user, keep_id=cohort.site_id if cohort else None
    )
    form.teachers.choices = queries.teacher_choices()
    return form


def _cohort_page(form: CohortForm, cohort: Cohort | None, plan, status: int):
    if plan is not None:
        form.preview_end_on.data = plan.end_on.isoformat()
        form.preview_minutes.data = str(plan.total_minutes)
    page = render_template(
        "programme/cohort_edit.html",
        form=form,
        cohort=cohort,
        plan=plan,
        hours_label=cohorts.hours_label,
        today=clock.today(),
    )
    return page, status


def _cohort_edit(cohort: Cohort | None):
    form = _cohort_form(cohort)
    today = clock.today()
    if request.method == "GET":
        plan = None
        if cohort is not None:
            course = db.session.get(Course, cohort.course_id)
            site = db.session.get(Site, cohort.site_id)
            try:
                plan = cohorts.plan_cohort(
                    course,
                    site,
                    cohort.start_on,
                    cohort.weekday_minutes,
                    cohort=cohort,
                    today=today,
                )
            except ServiceError:
                plan = None
        return _cohort_page(form, cohort, plan, 200)
    if not form.validate_on_submit():
        return _cohort_page(form, cohort, None, 422)
    site = get_or_404(Site, form.site_id.data)  # a site outside the actor's regions: 404
    course = db.session.get(Course, form.course_id.data)
    if course is None:
        abort(404)
    if not (form.code.data or "").strip():
        form.code.data = cohorts.suggest_code(course, site, form.start_on.data)
    minutes = form.weekday_minutes()
    fields = dict(
        course=course,
        site=site,
        code=form.code.data,
        start_on=form.start_on.data,
        minutes=minutes,
        capacity=form.capacity.data,
        teacher_ids=form.teachers.data or [],
        previewed=form.previewed(),
        actor=current_user,
    )
    plan = None
    with unit_of_work(form) as work:
        plan = cohorts.plan_cohort(
            course, site, form.start_on.data, minutes, cohort=cohort, today=today
        )
        if form.save.data:
            if cohort is None:
                cohort = cohorts.create_cohort(**fields)
            else:
                cohorts.update_cohort(cohort, today=today, **fields)
    if work.ok and form.save.data:
        flash(_("Le groupe %(code)s est enregistré.", code=cohort.code), "success")
        return redirect(url_for("catalog.cohort_detail", cohort_id=cohort.id))
    return _cohort_page(form, cohort, plan, work.status)


@bp.route("/cohorts/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def cohort_new():
    return _cohort_edit(None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def cohort_edit(cohort_id: int):
    return _cohort_edit(get_or_404(Cohort, cohort_id, "manage"))


@bp.route("/cohorts/<int:cohort_id>/status", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def cohort_status(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id, "manage")
    form = CohortStatusForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        cohorts.change_status(cohort, form.status.data, actor=current_user)
    if work.ok:
        flash(
            _(
                "Le groupe est maintenant « %(status)s ».",
                status=cohorts.status_label(cohort.status),
            ),
            "success",
        )
        return redirect(url_for("catalog.cohort_detail", cohort_id=cohort.id))
    flash(work.error.message, "danger")
    return redirect(url_for("catalog.cohort_detail", cohort_id=cohort.id)), 303
