from collections.abc import Callable
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import can_access_cohort, get_or_404, roles_required
from lms.auth.models import Role, User
from lms.auth.services import temporary_passwords
from lms.catalog import queries
from lms.catalog.forms import EnrolForm, ImportConfirmForm, ImportUploadForm, TransferForm
from lms.catalog.models import Cohort, Enrolment
from lms.catalog.services import (
    TRANSFER_REASONS,
    accounts_to_create,
    enrol_student,
    import_students_csv,
    parse_student_csv,
    read_csv_upload,
    transfer_student,
)
from lms.catalog.vocab import COHORT_TRANSITIONS
from lms.errors import ServiceError, show_on_form, unit_of_work
from lms.extensions import db

bp = Blueprint("catalog", __name__)

STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)


@bp.app_template_filter("transfer_reason")
def transfer_reason(stored: str) -> str:
    """A transfer's reason as stored (« code: précisions ») → « Libellé : précisions »."""
    code, _sep, comment = stored.partition(": ")
    label = str(TRANSFER_REASONS.get(code, code))
    return _("%(reason)s : %(comment)s", reason=label, comment=comment) if comment else label


@bp.route("/cohorts/")
@roles_required(*STAFF)
def cohort_list():
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    rows, total = queries.cohort_list(current_user, today=clock.today(), page=page)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    if page > pages:
        abort(404)
    return render_template(
        "catalog/cohort_list.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        today=clock.today(),
    )


@bp.route("/cohorts/<int:cohort_id>")
@roles_required(*STAFF)
def cohort_detail(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    detail = queries.cohort_detail(cohort.id)
    return render_template(
        "catalog/cohort_detail.html",
        d=detail,
        today=clock.today(),
        can_manage=can_access_cohort(current_user, cohort, "manage"),
        next_statuses=COHORT_TRANSITIONS.get(cohort.status, ()),
    )


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def cohort_import(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id, "manage")
    upload = ImportUploadForm()
    page = partial(
        render_template,
        "catalog/cohort_import.html",
        d=queries.cohort_detail(cohort.id),
        upload=upload,
    )
    if request.method == "GET":
        return page()
    if "payload" in request.form:
        return _import_confirmed(cohort, page)
    return _import_preview(cohort, upload, page)


def _import_confirmed(cohort: Cohort, page: Callable[..., str]):
    """Step 2: the confirmation, validated again (the cohort may have changed since)."""
    confirm = ImportConfirmForm()
    if not confirm.validate_on_submit():
        abort(400)
    # The new accounts' temporary passwords are hashed (slow: scrypt) with no transaction open,
    # so that the import's write transaction stays short (on SQLite it holds the write lock).
    preview = parse_student_csv(
        confirm.payload.data, cohort, today=clock.today(), actor=current_user
    )
    needed = accounts_to_create(preview)
    db.session.rollback()  # nothing written yet: ends the transaction (and its lock) here
    passwords = temporary_passwords(needed)
    with unit_of_work() as work:
        result = import_students_csv(
            confirm.payload.data,
            cohort,
            today=clock.today(),
            actor=current_user,
            passwords=passwords,
        )
    if not work.ok:
        return page(preview=work.error.preview), work.status
    return page(upload=None, result=result)


def _import_preview(cohort: Cohort, upload: ImportUploadForm, page: Callable[..., str]):
    """Step 1: upload and preview; nothing is written."""
    if not upload.validate_on_submit():
        return page(), 422
    try:
        text = read_csv_upload(upload.file.data)
    except ServiceError as error:
        show_on_form(upload, error)
        return page(), 422
    preview = parse_student_csv(text, cohort, today=clock.today(), actor=current_user)
    confirm = ImportConfirmForm()
    if preview.ok:
        confirm.payload.data = text
    return page(preview=preview, confirm=confirm), 200 if preview.ok else 422


@bp.route("/cohorts/<int:cohort_id>/enrol", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def cohort_enrol(cohort_id: int):
    """Find a student in the actor's scope (name or e-mail) and enrol them."""
    cohort = get_or_404(Cohort, cohort_id, "manage", lock=request.method == "POST")
    form = EnrolForm()
    search = request.values.get("q", "")[:100]
    if request.method == "GET":
        form.start_on.data = max(cohort.start_on, clock.today())
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            student = db.session.get(User, form.student_id.data)
            if student is None:
                abort(404)
            with unit_of_work(form) as work:
                enrol_student(cohort, student, form.start_on.data, actor=current_user)
            if work.ok:
                flash(_("%(name)s est inscrit·e dans le groupe.", name=student.name), "success")
                return redirect(url_for("catalog.cohort_detail", cohort_id=cohort.id))
            status = work.status
        else:
            status = 422
    return (
        render_template(
            "catalog/cohort_enrol.html",
            d=queries.cohort_header(cohort.id),
            form=form,
            search=search,
            results=queries.enrollable_students(current_user, search),
        ),
        status,
    )


@bp.route("/enrolments/<int:enrolment_id>/transfer", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def enrolment_transfer(enrolment_id: int):
    """Move a student to another cohort from an effective date (see transfer_student)."""
    enrolment = get_or_404(Enrolment, enrolment_id, "manage")
    source = get_or_404(Cohort, enrolment.cohort_id, "manage", lock=request.method == "POST")
    student = db.session.get(User, enrolment.student_id)
    targets = queries.transfer_targets(current_user, source)
    form = TransferForm()
    form.cohort_id.choices = [(0, "—")] + [
        (c.id, f"{c.code} · {code} · {site} ({c.start_on.isoformat()} – {c.end_on.isoformat()})")
        for c, code, site in targets
    ]
    form.reason.choices = [("", "—")] + [(k, str(v)) for k, v in TRANSFER_REASONS.items()]
    status = 200
    if request.method == "GET":
        form.effective_on.data = clock.today()
    elif form.validate_on_submit():
        # Any cohort id is fetched through the access layer: another region's is a 404.
        target = get_or_404(Cohort, form.cohort_id.data, "manage", lock=True)
        with unit_of_work(form) as work:
            transfer_student(
                enrolment,
                target,
                form.effective_on.data,
                reason=form.reason.data,
                comment=form.comment.data or "",
                actor=current_user,
            )
        if work.ok:
            flash(
                _(
                    "%(name)s est transféré·e dans le groupe %(code)s.",
                    name=student.name,
                    code=target.code,
                ),
                "success",
            )
            return redirect(url_for("catalog.cohort_detail", cohort_id=target.id))
        status = work.status
    else:
        status = 422
    return (
        render_template(
            "catalog/enrolment_transfer.html",
            d=queries.cohort_header(source.id),
            enrolment=enrolment,
            student=student,
            form=form,
        ),
        status,
    )
