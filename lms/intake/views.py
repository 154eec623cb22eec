"""The intake queue pages (coordinators of the region, admins). Thin: form → service → commit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms import clock
from lms.access import get_or_404, roles_required
from lms.auth.models import Role
from lms.auth.services import email_taken, temporary_passwords
from lms.catalog.models import Cohort, Region, Site
from lms.errors import unit_of_work
from lms.extensions import db
from lms.intake import queries, services
from lms.intake.forms import CandidateForm, EnrolOneForm, EnrolSelectionForm
from lms.intake.models import Candidate
from lms.intake.policies import managed_region_ids
from lms.routing import DB_INT_MAX

bp = Blueprint("intake", __name__, url_prefix="/intake")

MANAGERS = (Role.COORDINATOR, Role.ADMIN)


@bp.route("/")
@roles_required(*MANAGERS)
def queue():
    rows = queries.queue(current_user, today=clock.today())
    return render_template(
        "intake/queue.html", rows=rows, form=EnrolSelectionForm(), errors={}, chosen={}
    )


def _region_choices(form: CandidateForm) -> None:
    regions = db.session.execute(
        select(Region.id, Region.name)
        .where(Region.id.in_(managed_region_ids(current_user)))
        .order_by(Region.name)
    ).all()
    form.region_id.choices = [SelectChoice(r.id, r.name) for r in regions]
    sites = db.session.execute(
        select(Site.id, Site.name, Region.name)
        .join(Region, Region.id == Site.region_id)
        .where(Site.region_id.in_(managed_region_ids(current_user)), Site.active)
        .order_by(Region.name, Site.name)
    ).all()
    several = len(regions) > 1
    form.site_ids.choices = [
        SelectChoice(s[0], f"{s[1]} ({s[2]})" if several else s[1]) for s in sites
    ]


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def candidate_new():
    form = CandidateForm()
    _region_choices(form)
    if not form.is_submitted():
        form.available_on.data = clock.today()
    status = 200
    if form.validate_on_submit():
        # A new account's temporary password is hashed (slow: scrypt) with no transaction open.
        new_account = not email_taken(form.email.data)
        db.session.rollback()  # nothing written yet: ends the transaction (and its lock) here
        temporary = temporary_passwords(1)[0] if new_account else None
        with unit_of_work(form) as work:
            added = services.record_candidate(
                actor=current_user,
                region_id=form.region_id.data,
                email=form.email.data,
                name=form.name.data or "",
                preferred_language=form.preferred_language.data,
                phone=form.phone.data or "",
                levels={s: getattr(form, f"level_{s}").data for s in ("CO", "PO", "CE", "PE")},
                site_ids=form.site_ids.data or [],
                available_on=form.available_on.data,
                today=clock.today(),
                temporary_password=temporary,
            )
        if work.ok:
            flash(_("La personne est ajoutée à la liste d'attente."), "success")
            if added.temporary_password:
                flash(
                    _(
                        "Compte créé. Mot de passe temporaire (notez-le maintenant) : %(pw)s",
                        pw=added.temporary_password,
                    ),
                    "info",
                )
            return redirect(url_for("intake.candidate", candidate_id=added.candidate.id))
        status = work.status
    elif form.is_submitted():
        status = 422
    return render_template("intake/candidate_new.html", form=form), status


@bp.route("/<int:candidate_id>")
@roles_required(*MANAGERS)
def candidate(candidate_id: int):
    found = get_or_404(Candidate, candidate_id)
    rows = queries.queue(current_user, today=clock.today(), candidate_ids=[found.id])
    return render_template("intake/candidate.html", row=rows[0], form=EnrolOneForm())


@bp.route("/<int:candidate_id>/enrol", methods=["POST"])
@roles_required(*MANAGERS)
def enrol(candidate_id: int):
    found = get_or_404(Candidate, candidate_id, "manage", lock=True)
    form = EnrolOneForm()
    if not form.validate_on_submit():
        abort(400)
    cohort = get_or_404(Cohort, form.cohort_id.data, "manage", lock=True)
    with unit_of_work() as work:
        services.enrol_candidate(found, cohort, actor=current_user, today=clock.today())
    if work.ok:
        flash(_("Inscription faite dans le groupe %(code)s.", code=cohort.code), "success")
        return redirect(url_for("intake.queue"))
    rows = queries.queue(current_user, today=clock.today())
    return render_template(
        "intake/queue.html",
        rows=rows,
        form=EnrolSelectionForm(),
        errors={found.id: work.error.message},
        chosen={found.id: cohort.id},
    ), work.status


@bp.route("/<int:candidate_id>/withdraw", methods=["POST"])
@roles_required(*MANAGERS)
def withdraw(candidate_id: int):
    found = get_or_404(Candidate, candidate_id, "manage", lock=True)
    form = EnrolSelectionForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        services.withdraw_candidate(found, actor=current_user)
    if work.ok:
        flash(_("La personne est retirée de la liste d'attente."), "success")
        return redirect(url_for("intake.queue"))
    flash(work.error.message, "danger")
    return redirect(url_for("intake.candidate", candidate_id=found.id))


def _posted_int(value: str | None) -> int | None:
    if value is None or not value.isdigit() or int(value) > DB_INT_MAX:
        return None
    return int(value)


@bp.route("/enrol", methods=["POST"])
@roles_required(*MANAGERS)
def enrol_selection():
    form = EnrolSelectionForm()
    if not form.validate_on_submit():
        abort(400)
    ids = sorted({i for i in map(_posted_int, request.form.getlist("select")) if i})
    choices = []
    chosen = {}
    for candidate_id in ids:
        found = get_or_404(Candidate, candidate_id, "manage", lock=True)
        cohort_id = _posted_int(request.form.get(f"cohort_{candidate_id}"))
        cohort = get_or_404(Cohort, cohort_id, "manage", lock=True) if cohort_id else None
        chosen[candidate_id] = cohort_id
        choices.append((found, cohort))
    with unit_of_work() as work:
        services.enrol_candidates(choices, actor=current_user, today=clock.today())
    if work.ok:
        flash(
            _("%(num)s inscriptions faites.", num=len(choices))
            if len(choices) > 1
            else _("Inscription faite."),
            "success",
        )
        return redirect(url_for("intake.queue"))
    rows = queries.queue(current_user, today=clock.today())
    return render_template(
        "intake/queue.html",
        rows=rows,
        form=form,
        errors=getattr(work.error, "errors", {}),
        message=work.error.message,
        chosen=chosen,
        selected=set(ids),
    ), work.status
