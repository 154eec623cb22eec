"""Pages of the employer-adapted course: partner employers (coordinators of their regions,
admins), needs profiles, the course-plan builder, the employer report, per-task follow-up, and
the student's published work plan.

Thin views: form → service → commit → redirect; bad input gets the page back with French
messages and status 422, nothing written. Access: roles with :func:`lms.access.roles_required`
(403); scope with the helpers below, built on :mod:`lms.access` (404 outside the user's scope).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import Field
from wtforms.fields.choices import SelectChoice

from lms import clock
from lms.access import get_or_404, roles_required, visible_student_ids
from lms.auth.models import Role, User
from lms.catalog.models import Cohort
from lms.catalog.queries import CohortHeader, cohort_header
from lms.csv_export import csv_response, decimal_cell
from lms.employers import queries
from lms.employers.forms import (
    ConfirmForm,
    ConsentForm,
    EmployeeForm,
    EmployerForm,
    LinkEmployersForm,
    PlanEditForm,
    ProposeForm,
    PublishForm,
    needs_form,
    task_assessment_form,
)
from lms.employers.models import Employer, EmployerEmployee
from lms.employers.neq import format_neq
from lms.employers.policies import visible_employer_ids
from lms.employers.services import (
    EmployerData,
    EmployerError,
    ProfileData,
    add_employee,
    create_employer,
    edit_plan,
    propose_cohort_plan,
    publish_plan,
    record_task_assessments,
    remove_employee,
    save_profile,
    set_cohort_employers,
    set_consent,
    student_in_scope,
    update_employer,
)
from lms.employers.vocab import (
    REASON_LABELS,
    SCORE_LABELS,
    SECTOR_LABELS,
    TASK_KIND_LABELS,
)
from lms.extensions import db
from lms.learning.vocab import SKILL_LABELS, SKILLS

bp = Blueprint("employers", __name__)
COORDINATORS = (Role.COORDINATOR, Role.ADMIN)
STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)


@bp.app_template_filter("neq")
def neq_filter(value: str) -> str:
    return format_neq(value or "")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "SECTOR_LABELS": SECTOR_LABELS,
        "SKILL_LABELS": SKILL_LABELS,
        "SCORE_LABELS": SCORE_LABELS,
        "REASON_LABELS": REASON_LABELS,
        "TASK_KIND_LABELS": TASK_KIND_LABELS,
    }


# --- scope (to move to lms/access.py) ----------------------------------------------------------


def _get_employee_or_404(
    employer: Employer, link_id: int, *, in_scope: bool = False
) -> EmployerEmployee:
    """An employee of ``employer`` (404 for another employer's); with ``in_scope``, only a
    student the user may see (404 otherwise). Removing a link needs no more than the
    employer, so that a link to a student out of scope can still be taken off the list."""
    link = db.session.get(EmployerEmployee, link_id)
    if link is None or link.employer_id != employer.id:
        abort(404)
    if in_scope and not student_in_scope(current_user, link.student_id):
        abort(404)
    return link


def _get_course4_cohort_or_404(cohort_id: int, action: str = "view") -> CohortHeader:
    """A cohort of the employer-adapted course in the user's scope (404 otherwise, including
    cohorts of the other courses)."""
    cohort = get_or_404(Cohort, cohort_id, action)
    header = cohort_header(cohort.id)
    if not header.course.employer_adapted:
        abort(404)
    return header


def _may_manage_partners() -> bool:
    return current_user.role in COORDINATORS


# --- helpers -----------------------------------------------------------------------------------


def _attach(form: Any, exc: EmployerError) -> None:
    """Show a service's refusal on its field (or at the top of the form)."""
    target = getattr(form, exc.field, None) if exc.field else None
    if isinstance(target, Field):
        target.errors = [*target.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{format_decimal(rate * 100, '0.0')} %"


def _hours(minutes: int) -> str:
    return format_decimal(minutes / 60, "0.#")


def _number(value: float | None, pattern: str = "0.##") -> str:
    return "—" if value is None else format_decimal(value, pattern)


# --- employers ---------------------------------------------------------------------------------


@bp.route("/employers/")
@roles_required(*COORDINATORS)
def employer_list():
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    rows, total = queries.employer_list(visible_employer_ids(current_user), page)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    if page > pages:
        abort(404)
    return render_template("employers/list.html", rows=rows, total=total, page=page, pages=pages)


def _employer_form(regions: list[tuple[int, str]], **kwargs: Any) -> EmployerForm:
    form = EmployerForm(**kwargs)
    form.region_id.choices = [SelectChoice(rid, name) for rid, name in regions]
    return form


def _employer_data(form: EmployerForm) -> EmployerData:
    return EmployerData(
        name=form.name.data or "",
        neq=form.neq.data or "",
        sector=form.sector.data,
        region_id=form.region_id.data,
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
        agreement_start_on=form.agreement_start_on.data,
        agreement_end_on=form.agreement_end_on.data,
    )


@bp.route("/employers/new", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def employer_new():
    regions = queries.region_choices(current_user)
    form = _employer_form(regions)
    if request.method == "GET":
        if regions:
            form.region_id.data = regions[0][0]
        return render_template("employers/new.html", form=form)
    if form.validate_on_submit():
        try:
            employer = create_employer(
                _employer_data(form), current_user, [rid for rid, _n in regions]
            )
        except EmployerError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            db.session.commit()
            flash(_("L'entreprise %(name)s a été ajoutée.", name=employer.name), "success")
            return redirect(url_for("employers.employer_edit", employer_id=employer.id))
    return render_template("employers/new.html", form=form), 422


def _consent_form(link: EmployerEmployee, formdata: Any = None) -> ConsentForm:
    # Several on the page: prefixed ids; CSRF is checked for every POST by CSRFProtect.
    return ConsentForm(
        formdata=formdata,
        prefix=f"consent-{link.id}",
        meta={"csrf": False},
        data={
            "consent": "no" if (link.consent and link.consent_on) else "yes",
            "consent_on": clock.today(),
        },
    )


def _render_employer(
    employer: Employer,
    *,
    form: EmployerForm | None = None,
    employee_form: EmployeeForm | None = None,
    consent_forms: dict[int, ConsentForm] | None = None,
    status: int = 200,
):
    regions = queries.region_choices(current_user)
    detail = queries.employer_detail(employer)
    if form is None:
        form = _employer_form(regions, obj=employer, formdata=None)
        form.neq.data = format_neq(employer.neq)
    forms = dict(consent_forms or {})
    for line in detail.employees:
        forms.setdefault(line.link.id, _consent_form(line.link))
    return render_template(
        "employers/detail.html",
        d=detail,
        form=form,
        employee_form=employee_form
        or EmployeeForm(formdata=None, data={"consent_on": clock.today()}),
        consent_forms=forms,
        confirm=ConfirmForm(formdata=None),
        tasks=queries.workplace_tasks(),
        today=clock.today(),
    ), status


@bp.route("/employers/<int:employer_id>", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def employer_edit(employer_id: int):
    employer = get_or_404(Employer, employer_id)
    if request.method == "GET":
        return _render_employer(employer)
    regions = queries.region_choices(current_user)
    form = _employer_form(regions)
    if form.validate_on_submit():
        try:
            update_employer(employer, _employer_data(form), current_user, [r for r, _n in regions])
        except EmployerError as exc:
            db.session.rollback()
            employer = get_or_404(Employer, employer_id)
            _attach(form, exc)
        else:
            db.session.commit()
            flash(_("Les renseignements de l'entreprise ont été enregistrés."), "success")
            return redirect(url_for("employers.employer_edit", employer_id=employer.id))
    else:
        db.session.rollback()  # nothing the form may have bound is kept
    return _render_employer(employer, form=form, status=422)


@bp.route("/employers/<int:employer_id>/employees", methods=["POST"])
@roles_required(*COORDINATORS)
def employee_add(employer_id: int):
    employer = get_or_404(Employer, employer_id)
    form = EmployeeForm()
    if form.validate_on_submit():
        try:
            link = add_employee(
                employer,
                form.email.data,
                current_user,
                consent=bool(form.consent.data),
                consent_on=form.consent_on.data,
            )
        except EmployerError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            name = db.session.scalar(select(User.name).where(User.id == link.student_id))
            db.session.commit()
            flash(_("%(name)s a été ajouté·e aux employé·es.", name=name), "success")
            return redirect(
                url_for("employers.employer_edit", employer_id=employer.id) + "#employes"
            )
    return _render_employer(employer, employee_form=form, status=422)


@bp.route("/employers/<int:employer_id>/employees/<int:link_id>/consent", methods=["POST"])
@roles_required(*COORDINATORS)
def employee_consent(employer_id: int, link_id: int):
    employer = get_or_404(Employer, employer_id)
    link = _get_employee_or_404(employer, link_id, in_scope=True)
    form = _consent_form(link, formdata=request.form)
    if form.validate():
        given = form.consent.data == "yes"
        try:
            set_consent(link, given, form.consent_on.data, current_user)
        except EmployerError as exc:
            db.session.rollback()
            if exc.status == 404:
                abort(404)
            _attach(form, exc)
        else:
            db.session.commit()
            flash(
                _("Le consentement a été enregistré.")
                if given
                else _("Le retrait du consentement a été enregistré."),
                "success",
            )
            return redirect(
                url_for("employers.employer_edit", employer_id=employer.id) + "#employes"
            )
    employer = get_or_404(Employer, employer_id)
    link = _get_employee_or_404(employer, link_id)
    return _render_employer(employer, consent_forms={link.id: form}, status=422)


@bp.route("/employers/<int:employer_id>/employees/<int:link_id>/remove", methods=["POST"])
@roles_required(*COORDINATORS)
def employee_remove(employer_id: int, link_id: int):
    employer = get_or_404(Employer, employer_id)
    link = _get_employee_or_404(employer, link_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    remove_employee(link, current_user)
    db.session.commit()
    flash(_("L'employé·e a été retiré·e de la liste."), "success")
    return redirect(url_for("employers.employer_edit", employer_id=employer.id) + "#employes")


# --- needs profiles ----------------------------------------------------------------------------


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
    """Validate and save; ``False`` (errors attached, nothing written) when refused."""
    if not form.validate_on_submit():
        return False
    try:
        save_profile(_profile_data(form), current_user, **owner)
    except EmployerError as exc:
        db.session.rollback()
        _attach(form, exc)
        return False
    db.session.commit()
    flash(_("Le profil de besoins a été enregistré."), "success")
    return True


@bp.route("/employers/<int:employer_id>/needs", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def employer_needs(employer_id: int):
    employer = get_or_404(Employer, employer_id)
    tasks = queries.workplace_tasks()
    form_class = needs_form(tasks)
    if request.method == "POST":
        form = form_class()
        if _save_needs(form, employer=employer):
            return redirect(url_for("employers.employer_edit", employer_id=employer.id))
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
    header = _get_course4_cohort_or_404(cohort_id)
    tasks = queries.workplace_tasks()
    form_class = needs_form(tasks)
    profile = queries.cohort_profile(header.cohort.id)
    if request.method == "POST":
        form = form_class()
        if _save_needs(form, cohort=header.cohort):
            return redirect(url_for("employers.cohort_plan", cohort_id=cohort_id))
        header = _get_course4_cohort_or_404(cohort_id)
        profile = queries.cohort_profile(cohort_id)
        status = 422
    else:
        form = form_class(data=_profile_form_data(profile.data))
        status = 200
    return render_template(
        "employers/needs.html", employer=None, h=header, form=form, tasks=tasks, profile=profile
    ), status


@bp.route("/cohorts/<int:cohort_id>/employers", methods=["POST"])
@roles_required(*COORDINATORS)
def cohort_employers(cohort_id: int):
    header = _get_course4_cohort_or_404(cohort_id, "manage")
    form = LinkEmployersForm()
    visible = [
        eid for eid, _n, _s in queries.linkable_employers(visible_employer_ids(current_user))
    ]
    if not form.validate_on_submit():
        return _render_plan(header, error=_("Le formulaire n'est pas valide."), status=422)
    try:
        set_cohort_employers(header.cohort, form.employer_ids.data or [], visible, current_user)
    except EmployerError as exc:
        db.session.rollback()
        return _render_plan(_get_course4_cohort_or_404(cohort_id), error=exc.message, status=422)
    db.session.commit()
    flash(_("Les entreprises partenaires du groupe ont été enregistrées."), "success")
    return redirect(url_for("employers.cohort_plan", cohort_id=cohort_id))


# --- the course plan ---------------------------------------------------------------------------


def _default_sector(view: queries.PlanView, profile: queries.CohortProfile) -> str:
    for plan in (view.draft, view.published):
        if plan is not None:
            return plan.sector or ""
    counts = Counter(e.sector for e, _p in profile.employers if e.sector in view.tracks)
    return counts.most_common(1)[0][0] if counts else ""


def _propose_form(view: queries.PlanView, profile: queries.CohortProfile, **kwargs: Any):
    form = ProposeForm(**kwargs)
    form.sector.choices = [SelectChoice("", _("Aucun volet sectoriel"))] + [
        SelectChoice(key, title) for key, title in view.tracks.items()
    ]
    if form.sector.data is None:
        form.sector.data = _default_sector(view, profile)
    return form


def _render_plan(
    header: CohortHeader,
    *,
    error: str | None = None,
    status: int = 200,
    version: int | None = None,
    propose_form: ProposeForm | None = None,
):
    cohort, course = header.cohort, header.course
    view = queries.plan_view(cohort.id, course.id, version)
    if version is not None and view.shown is None:
        abort(404)
    profile = queries.cohort_profile(cohort.id)
    data = profile.data
    tasks = queries.workplace_tasks()
    linked = {e.id for e, _p in profile.employers}
    linkable = (
        queries.linkable_employers(visible_employer_ids(current_user))
        if _may_manage_partners()
        else []
    )
    link_form = LinkEmployersForm(formdata=None, data={"employer_ids": sorted(linked)})
    link_form.employer_ids.choices = [
        SelectChoice(eid, f"{name} ({SECTOR_LABELS.get(sector, sector)})")
        for eid, name, sector in linkable
    ]
    editable = view.shown is not None and view.shown is (view.draft or view.published)
    return render_template(
        "employers/plan.html",
        h=header,
        view=view,
        profile=profile,
        data=data,
        tasks=tasks,
        coverage=view.coverage(data.tasks if data else []),
        propose_form=propose_form or _propose_form(view, profile, formdata=None),
        publish_form=PublishForm(
            formdata=None, data={"version": view.draft.version if view.draft else None}
        ),
        link_form=link_form,
        can_link=_may_manage_partners(),
        editable=editable,
        weeks=range(1, course.weeks + 1),
        error=error,
    ), status


def _plan_error(header: CohortHeader, exc: EmployerError):
    db.session.rollback()
    header = _get_course4_cohort_or_404(header.cohort.id)
    return _render_plan(header, error=exc.message, status=exc.status)


def _conflict(cohort_id: int):
    db.session.rollback()
    header = _get_course4_cohort_or_404(cohort_id)
    message = _(
        "Le plan vient d'être modifié par quelqu'un d'autre. Voici la dernière version; "
        "recommencez votre changement au besoin."
    )
    return _render_plan(header, error=message, status=409)


@bp.route("/cohorts/<int:cohort_id>/plan")
@roles_required(*STAFF)
def cohort_plan(cohort_id: int):
    header = _get_course4_cohort_or_404(cohort_id)
    version = request.args.get("version", type=int)
    return _render_plan(header, version=version)


@bp.route("/cohorts/<int:cohort_id>/plan/propose", methods=["POST"])
@roles_required(*STAFF)
def plan_propose(cohort_id: int):
    header = _get_course4_cohort_or_404(cohort_id)
    view = queries.plan_view(cohort_id, header.course.id)
    profile = queries.cohort_profile(cohort_id)
    form = _propose_form(view, profile)
    if not form.validate_on_submit():
        message = " ".join(str(e) for e in form.sector.errors) or _(
            "Choisissez un volet sectoriel."
        )
        return _render_plan(header, error=message, status=422, propose_form=form)
    data = profile.data
    try:
        plan = propose_cohort_plan(
            header.cohort,
            header.course,
            current_user,
            sector=form.sector.data or None,
            tasks=data.tasks if data else [],
        )
        db.session.commit()
    except EmployerError as exc:
        return _plan_error(header, exc)
    except IntegrityError:
        return _conflict(cohort_id)
    flash(
        _(
            "Plan proposé : version %(v)s (brouillon). Ajustez-le au besoin, puis publiez-le.",
            v=plan.version,
        ),
        "success",
    )
    return redirect(url_for("employers.cohort_plan", cohort_id=cohort_id))


@bp.route("/cohorts/<int:cohort_id>/plan/edit", methods=["POST"])
@roles_required(*STAFF)
def plan_edit(cohort_id: int):
    header = _get_course4_cohort_or_404(cohort_id)
    form = PlanEditForm()
    if not form.validate_on_submit():
        messages = [str(e) for f in form for e in f.errors]
        return _render_plan(
            header, error=" ".join(messages) or _("Le formulaire n'est pas valide."), status=422
        )
    try:
        draft = edit_plan(
            header.cohort,
            header.course,
            current_user,
            action=form.action.data,
            unit_id=form.unit_id.data,
            week=form.week.data,
        )
        db.session.commit()
    except EmployerError as exc:
        return _plan_error(header, exc)
    except IntegrityError:
        return _conflict(cohort_id)
    messages = {
        "move": _("L'unité a été déplacée."),
        "remove": _("L'unité a été retirée du plan."),
        "add": _("L'unité a été ajoutée au plan."),
        "discard": _("Le brouillon a été abandonné."),
    }
    flash(messages[form.action.data], "success")
    if draft is not None and form.action.data != "discard":
        flash(
            _("Modifications enregistrées dans le brouillon (version %(v)s).", v=draft.version),
            "info",
        )
    return redirect(url_for("employers.cohort_plan", cohort_id=cohort_id) + "#plan")


@bp.route("/cohorts/<int:cohort_id>/plan/publish", methods=["POST"])
@roles_required(*STAFF)
def plan_publish(cohort_id: int):
    header = _get_course4_cohort_or_404(cohort_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _render_plan(header, error=_("Le formulaire n'est pas valide."), status=422)
    try:
        plan = publish_plan(
            header.cohort,
            header.course,
            current_user,
            version=form.version.data,
            note=form.note.data or "",
        )
        db.session.commit()
    except EmployerError as exc:
        return _plan_error(header, exc)
    except IntegrityError:
        return _conflict(cohort_id)
    flash(
        _(
            "La version %(v)s du plan est publiée : les élèves du groupe la voient maintenant.",
            v=plan.version,
        ),
        "success",
    )
    return redirect(url_for("employers.cohort_plan", cohort_id=cohort_id))


# --- the student's work plan -------------------------------------------------------------------


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


# --- the employer report -----------------------------------------------------------------------


def _not_enough() -> str:
    return _("Pas assez d'employé·es consentant·es pour afficher des résultats.")


@bp.route("/employers/<int:employer_id>/report")
@roles_required(*COORDINATORS)
def employer_report(employer_id: int):
    employer = get_or_404(Employer, employer_id)
    return render_template(
        "employers/report.html",
        report=queries.employer_report(employer, visible_student_ids(current_user)),
        minimum=queries.REPORT_MINIMUM,
        not_enough=_not_enough(),
        percent=_percent,
        hours=_hours,
        number=_number,
        today=clock.today(),
    )


@bp.route("/employers/<int:employer_id>/report.csv")
@roles_required(*COORDINATORS)
def employer_report_csv(employer_id: int):
    """The report's figures, one per row. Below the minimum of consenting employees, the same
    file (200) with the employer's rows and a note instead of any figure."""
    employer = get_or_404(Employer, employer_id)
    report = queries.employer_report(employer, visible_student_ids(current_user))
    filename = f"rapport-employeur-{employer.neq}-{clock.today().isoformat()}.csv"
    rows: list[tuple[str, Any]] = [
        (_("entreprise"), employer.name),
        (_("NEQ"), employer.neq),
        (_("date du rapport"), clock.today().isoformat()),
    ]
    if not report.shown:
        rows.append((_("note"), _not_enough()))
        return csv_response([_("indicateur"), _("valeur")], rows, filename)
    attendance = report.attendance_shown
    rows += [
        (_("personnes incluses (consentement enregistré)"), report.included),
        (_("personnes non incluses (sans consentement)"), report.not_included),
        (
            _("premier jour de classe compté"),
            report.first_day.isoformat() if report.first_day else "",
        ),
        (
            _("dernier jour de classe compté"),
            report.last_day.isoformat() if report.last_day else "",
        ),
        (
            _("heures prévues"),
            decimal_cell(report.scheduled_minutes / 60 if attendance else None),
        ),
        (
            _("heures de présence"),
            decimal_cell(report.attended_minutes / 60 if attendance else None),
        ),
        (
            _("taux de présence (pourcentage)"),
            decimal_cell(None if report.rate is None else report.rate * 100, 1),
        ),
    ]
    for skill in SKILLS:
        gain = report.skills[skill]
        name = str(SKILL_LABELS[skill]).lower()
        rows += [
            (_("%(skill)s : personnes évaluées au classement", skill=name), gain.assessed),
            (
                _("%(skill)s : niveau moyen au classement", skill=name),
                decimal_cell(gain.placement_mean),
            ),
            (
                _("%(skill)s : niveau moyen le plus récent", skill=name),
                decimal_cell(gain.latest_mean),
            ),
            (_("%(skill)s : gain moyen (niveaux)", skill=name), decimal_cell(gain.gain_mean)),
        ]
    return csv_response([_("indicateur"), _("valeur")], rows, filename)


# --- workplace-task follow-up ------------------------------------------------------------------


def _cohort_tasks(
    profile: queries.CohortProfile, catalogue: dict[str, str]
) -> tuple[dict[str, str], bool]:
    """The tasks followed for the cohort: its profile's, else the whole catalogue."""
    data = profile.data
    chosen = [t for t in (data.tasks if data else []) if t in catalogue]
    if chosen:
        return {t: catalogue[t] for t in chosen}, True
    return dict(catalogue), False


@bp.route("/cohorts/<int:cohort_id>/tasks", methods=["GET", "POST"])
@roles_required(*STAFF)
def cohort_tasks(cohort_id: int):
    header = _get_course4_cohort_or_404(cohort_id)
    catalogue = queries.workplace_tasks()
    tasks, from_profile = _cohort_tasks(queries.cohort_profile(cohort_id), catalogue)
    students = queries.cohort_students(cohort_id)
    form_class = task_assessment_form(tasks)
    form = (
        form_class(formdata=None, data={"assessed_on": clock.today()})
        if request.method == "GET"
        else form_class()
    )
    form.student_id.choices = [SelectChoice(s.id, s.name) for s in students]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
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
            except EmployerError as exc:
                db.session.rollback()
                _attach(form, exc)
            else:
                db.session.commit()
                flash(_("L'évaluation des tâches a été enregistrée."), "success")
                return redirect(url_for("employers.cohort_tasks", cohort_id=cohort_id))
        header = _get_course4_cohort_or_404(cohort_id)
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
