"""Partner employers (coordinators of their regions, admins): the list, a new employer, an
employer's page with its employees and their consent to the employer report."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms import clock
from lms.access import get_or_404, roles_required
from lms.auth.models import User
from lms.employers.forms import ConfirmForm, ConsentForm, EmployeeForm, EmployerForm
from lms.employers.models import Employer, EmployerEmployee
from lms.employers.neq import format_neq
from lms.employers.policies import COORDINATORS, get_employee_or_404, visible_employer_ids
from lms.employers.queries import partners as queries
from lms.employers.queries.needs import workplace_tasks
from lms.employers.services import partners as services
from lms.employers.views.common import bp
from lms.errors import unit_of_work
from lms.extensions import db


@bp.route("/employers/")
@roles_required(*COORDINATORS)
def employer_list():
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    rows, total = queries.employer_list(visible_employer_ids(current_user), page)
    pages = queries.page_count(total)
    if page > pages:
        abort(404)
    return render_template("employers/list.html", rows=rows, total=total, page=page, pages=pages)


def _employer_form(regions: list[tuple[int, str]], **kwargs: Any) -> EmployerForm:
    form = EmployerForm(**kwargs)
    form.region_id.choices = [SelectChoice(rid, name) for rid, name in regions]
    return form


def _employer_data(form: EmployerForm) -> services.EmployerData:
    return services.EmployerData(
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
        with unit_of_work(form) as work:
            employer = services.create_employer(
                _employer_data(form), current_user, [rid for rid, _n in regions]
            )
        if work.ok:
            flash(_("L'entreprise %(name)s a été ajoutée.", name=employer.name), "success")
            return redirect(url_for("employers.employer_edit", employer_id=employer.id))
    return render_template("employers/new.html", form=form), 422


def _consent_form(link: EmployerEmployee, formdata: Any = None) -> ConsentForm:
    # Several on the page: prefixed ids; CSRF is checked for every POST by CSRFProtect.
    return ConsentForm(
        formdata=formdata,
        prefix=f"consent-{link.id}",
        meta={"csrf": False},
        data={"consent": "no" if link.consented else "yes", "consent_on": clock.today()},
    )


def _render_employer(
    employer: Employer,
    *,
    form: EmployerForm | None = None,
    employee_form: EmployeeForm | None = None,
    consent_forms: dict[int, ConsentForm] | None = None,
    status: int = 200,
):
    detail = queries.employer_detail(employer)
    if form is None:
        form = _employer_form(queries.region_choices(current_user), obj=employer, formdata=None)
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
        tasks=workplace_tasks(),
        today=clock.today(),
    ), status


def _to_employees(employer_id: int):
    return redirect(url_for("employers.employer_edit", employer_id=employer_id) + "#employes")


@bp.route("/employers/<int:employer_id>", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def employer_edit(employer_id: int):
    employer = get_or_404(Employer, employer_id)
    if request.method == "GET":
        return _render_employer(employer)
    regions = queries.region_choices(current_user)
    form = _employer_form(regions)
    if not form.validate_on_submit():
        db.session.rollback()  # nothing the form may have bound is kept
        return _render_employer(employer, form=form, status=422)
    with unit_of_work(form) as work:
        services.update_employer(
            employer, _employer_data(form), current_user, [r for r, _n in regions]
        )
    if not work.ok:
        return _render_employer(get_or_404(Employer, employer_id), form=form, status=work.status)
    flash(_("Les renseignements de l'entreprise ont été enregistrés."), "success")
    return redirect(url_for("employers.employer_edit", employer_id=employer_id))


@bp.route("/employers/<int:employer_id>/employees", methods=["POST"])
@roles_required(*COORDINATORS)
def employee_add(employer_id: int):
    employer = get_or_404(Employer, employer_id)
    form = EmployeeForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            link = services.add_employee(
                employer,
                form.email.data,
                current_user,
                consent=bool(form.consent.data),
                consent_on=form.consent_on.data,
            )
            name = db.session.get(User, link.student_id).name  # loaded by add_employee
        if work.ok:
            flash(_("%(name)s a été ajouté·e aux employé·es.", name=name), "success")
            return _to_employees(employer_id)
    return _render_employer(employer, employee_form=form, status=422)


@bp.route("/employers/<int:employer_id>/employees/<int:link_id>/consent", methods=["POST"])
@roles_required(*COORDINATORS)
def employee_consent(employer_id: int, link_id: int):
    employer = get_or_404(Employer, employer_id)
    link = get_employee_or_404(employer, link_id, in_scope=True)
    form = _consent_form(link, formdata=request.form)
    if form.validate():
        given = form.consent.data == "yes"
        with unit_of_work(form) as work:
            services.set_consent(link, given, form.consent_on.data, current_user)
        if work.status == 404:
            abort(404)
        if work.ok:
            flash(
                _("Le consentement a été enregistré.")
                if given
                else _("Le retrait du consentement a été enregistré."),
                "success",
            )
            return _to_employees(employer_id)
    employer = get_or_404(Employer, employer_id)
    link = get_employee_or_404(employer, link_id)
    return _render_employer(employer, consent_forms={link.id: form}, status=422)


@bp.route("/employers/<int:employer_id>/employees/<int:link_id>/remove", methods=["POST"])
@roles_required(*COORDINATORS)
def employee_remove(employer_id: int, link_id: int):
    employer = get_or_404(Employer, employer_id)
    link = get_employee_or_404(employer, link_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        services.remove_employee(link, current_user)
    flash(_("L'employé·e a été retiré·e de la liste."), "success")
    return _to_employees(employer_id)
