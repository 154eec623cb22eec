from collections.abc import Callable
from functools import partial

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from lms import clock
from lms.access import can_access_cohort, get_or_404, roles_required
from lms.auth.models import Role
from lms.catalog import queries
from lms.catalog.forms import ImportConfirmForm, ImportUploadForm
from lms.catalog.models import Cohort
from lms.catalog.services import import_students_csv, parse_student_csv, read_csv_upload
from lms.catalog.vocab import COHORT_TRANSITIONS
from lms.errors import ServiceError, show_on_form, unit_of_work

bp = Blueprint("catalog", __name__)

STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)


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
    with unit_of_work() as work:
        result = import_students_csv(
            confirm.payload.data, cohort, today=clock.today(), actor=current_user
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
