from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import can_access_cohort, get_or_404, roles_required
from lms.auth.models import Role
from lms.catalog import queries
from lms.catalog.forms import ImportConfirmForm, ImportUploadForm
from lms.catalog.models import Cohort
from lms.catalog.services import (
    MAX_IMPORT_BYTES,
    decode_csv,
    import_students,
    parse_student_csv,
)
from lms.extensions import db

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
    )


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def cohort_import(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id, "manage")
    detail = queries.cohort_detail(cohort.id)
    upload = ImportUploadForm()
    confirm = ImportConfirmForm()
    template = "catalog/cohort_import.html"
    if request.method == "GET":
        return render_template(template, d=detail, upload=upload)

    today = clock.today()
    if "payload" in request.form:
        # Step 2: confirmation. Validate again: the cohort may have changed since the preview.
        if not confirm.validate_on_submit():
            abort(400)
        text = confirm.payload.data
        preview = parse_student_csv(text, cohort, today=today, actor=current_user)
        if not preview.ok:
            db.session.rollback()
            return render_template(template, d=detail, upload=upload, preview=preview), 422
        result = import_students(preview, cohort, actor=current_user)
        db.session.commit()
        return render_template(template, d=detail, result=result)

    # Step 1: upload and preview; nothing is written.
    if not upload.validate_on_submit():
        return render_template(template, d=detail, upload=upload), 422
    raw = upload.file.data.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        upload.file.errors.append(_("Le fichier dépasse 512 Ko."))
        return render_template(template, d=detail, upload=upload), 422
    try:
        text = decode_csv(raw)
    except UnicodeDecodeError:
        upload.file.errors.append(_("Le fichier n'est pas un fichier texte CSV."))
        return render_template(template, d=detail, upload=upload), 422
    preview = parse_student_csv(text, cohort, today=today, actor=current_user)
    if preview.ok:
        confirm.payload.data = text
    return render_template(template, d=detail, upload=upload, preview=preview, confirm=confirm), (
        200 if preview.ok else 422
    )
