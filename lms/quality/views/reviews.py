"""The reviews: the list, one review's page, and its changes (recompute, draw the sample,
record a finding, add a corrective action, sign, amend)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import roles_required
from lms.errors import Work, unit_of_work
from lms.extensions import db
from lms.quality.criteria.catalogue import CRITERIA, OBSERVATION_RUBRIC
from lms.quality.forms import ActionForm, ActionStatusForm, ButtonForm, FindingForm, SignForm
from lms.quality.models import CheckpointReview, CheckpointTemplate
from lms.quality.policies import can_access_review
from lms.quality.queries.actions import owner_choices
from lms.quality.queries.reviews import (
    PAGE,
    ReviewDetail,
    ReviewFilters,
)
from lms.quality.queries.reviews import (
    review_detail as detail_of,
)
from lms.quality.queries.reviews import (
    review_list as reviews_of,
)
from lms.quality.queries.scope import scope_options
from lms.quality.services.actions import add_action
from lms.quality.services.evaluation import evaluate_reviews
from lms.quality.services.reviews import (
    ReviewLocked,
    amend,
    draw_sample,
    ensure_unsigned,
    record_finding,
    sign_off,
)
from lms.quality.views.common import (
    MANAGERS,
    STAFF,
    bp,
    get_review_or_404,
    int_arg,
    page_arg,
    page_count,
)

# --- the review list ----------------------------------------------------------------------------


def _list_filters() -> ReviewFilters:
    status = request.args.get("status") or None
    return ReviewFilters(
        status=status if status in ("due", "signed") else None,
        region_id=int_arg("region"),
        site_id=int_arg("site"),
        course_id=int_arg("course"),
        cohort_id=int_arg("cohort"),
    )


def _list_args(filters: ReviewFilters) -> dict[str, Any]:
    """The filters as the query string of the pager's links."""
    return {
        "status": filters.status or "",
        "region": filters.region_id or "",
        "site": filters.site_id or "",
        "course": filters.course_id or "",
        "cohort": filters.cohort_id or "",
    }


@bp.route("/quality/")
@roles_required(*MANAGERS)
def review_list():
    page = page_arg()
    filters = _list_filters()
    rows, total = reviews_of(current_user, filters, page)
    pages = page_count(total, PAGE)
    if page > pages:
        abort(404)
    return render_template(
        "quality/review_list.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        args=_list_args(filters),
        options=scope_options(current_user),
        today=clock.today(),
    )


# --- one review ---------------------------------------------------------------------------------


def _finding_forms(detail: ReviewDetail, bound: tuple[str, FindingForm] | None = None):
    forms = {}
    for entry in detail.review.results or []:
        key = entry["key"]
        if bound and bound[0] == key:
            forms[key] = bound[1]
            continue
        finding = detail.findings.get(key)
        data: dict[str, Any] = {}
        if finding is not None:
            data = {"result": finding.result, "text": finding.text}
            for item, score in (finding.details or {}).get("scores", {}).items():
                data[f"score_{item}"] = str(score)
        elif entry.get("type") == "auto":
            data = {
                "result": {"pass": "conforme", "fail": "non_conforme", "na": "sans_objet"}.get(
                    entry.get("status")
                )
            }
        forms[key] = FindingForm(prefix=key, formdata=None, data=data)
    return forms


def _render_review(
    review: CheckpointReview,
    *,
    status: int = 200,
    error: str | None = None,
    finding: tuple[str, FindingForm] | None = None,
    action_form: ActionForm | None = None,
    sign_form: SignForm | None = None,
):
    detail = detail_of(review)
    can_manage = can_access_review(current_user, review, "manage")
    editable = review.status != "signed" and can_manage
    if action_form is None:
        action_form = ActionForm(formdata=None)
    action_form.set_owners(owner_choices(review.cohort_id) if editable else [])
    status_forms = {
        row.action.id: ActionStatusForm(
            prefix=f"a{row.action.id}", formdata=None, data={"status": row.action.status}
        )
        for row in detail.actions
    }
    return render_template(
        "quality/review.html",
        d=detail,
        review=review,
        editable=editable,
        can_manage=can_manage,
        finding_forms=_finding_forms(detail, finding) if editable else {},
        action_form=action_form,
        status_forms=status_forms,
        sign_form=sign_form or SignForm(formdata=None),
        button_form=ButtonForm(formdata=None),
        error=error,
        criteria=CRITERIA,
        rubric=OBSERVATION_RUBRIC,
        today=clock.today(),
        missing=[e for e in review.results or [] if e["key"] not in detail.findings],
    ), status


def _review_to_change(review_id: int) -> CheckpointReview:
    """A review the user manages, locked for the change; a signed one answers 409."""
    review = get_review_or_404(review_id, "manage", lock=True)
    try:
        ensure_unsigned(review)
    except ReviewLocked as locked:
        db.session.rollback()
        abort(make_response(_render_review(review, status=locked.status, error=locked.message)))
    return review


def _invalid(review: CheckpointReview, message: str, **forms: Any):
    """The review's page again: a form did not validate."""
    db.session.rollback()
    return _render_review(review, status=422, error=message, **forms)


def _refused(review: CheckpointReview, work: Work, **forms: Any):
    """The review's page again with the service's refusal (the change was rolled back)."""
    review = db.session.get(CheckpointReview, review.id)
    return _render_review(review, status=work.status, error=work.error.message, **forms)


def _back(review: CheckpointReview, anchor: str = ""):
    return redirect(url_for("quality.review_detail", review_id=review.id) + anchor)


@bp.route("/quality/reviews/<int:review_id>")
@roles_required(*STAFF)
def review_detail(review_id: int):
    review = get_review_or_404(review_id)
    return _render_review(review)


@bp.route("/quality/reviews/<int:review_id>/evaluate", methods=["POST"])
@roles_required(*MANAGERS)
def review_evaluate(review_id: int):
    review = _review_to_change(review_id)
    with unit_of_work():
        evaluate_reviews([review], clock.today())
    flash(_("Les critères automatiques ont été recalculés."), "success")
    return _back(review, "#automatiques")


@bp.route("/quality/reviews/<int:review_id>/sample", methods=["POST"])
@roles_required(*MANAGERS)
def review_sample(review_id: int):
    review = _review_to_change(review_id)
    template = db.session.get(CheckpointTemplate, review.template_id)
    with unit_of_work() as work:
        drawn = draw_sample(review, current_user, template.sample_size)
    if not work.ok:
        return _refused(review, work)
    flash(_("Échantillon tiré : %(num)s dossiers d'élèves à vérifier.", num=len(drawn)), "success")
    return _back(review, "#echantillon")


@bp.route("/quality/reviews/<int:review_id>/findings", methods=["POST"])
@roles_required(*MANAGERS)
def review_finding(review_id: int):
    review = _review_to_change(review_id)
    criterion = (request.form.get("criterion") or "").strip()
    if criterion not in {e["key"] for e in review.results or []}:
        return _invalid(review, _("Ce critère ne fait pas partie de la revue."))
    form = FindingForm(prefix=criterion)
    if not form.validate_on_submit():
        message = _("Le constat n'a pas été enregistré : corrigez les champs indiqués.")
        return _invalid(review, message, finding=(criterion, form))
    with unit_of_work(form) as work:
        record_finding(
            review, current_user, criterion, form.result.data, form.text.data, form.scores()
        )
    if not work.ok:
        return _refused(review, work, finding=(criterion, form))
    flash(_("Constat enregistré."), "success")
    return _back(review, f"#critere-{criterion}")


@bp.route("/quality/reviews/<int:review_id>/actions", methods=["POST"])
@roles_required(*MANAGERS)
def review_action_add(review_id: int):
    review = _review_to_change(review_id)
    form = ActionForm()
    form.set_owners(owner_choices(review.cohort_id))
    if not form.validate_on_submit():
        message = _("L'action n'a pas été ajoutée : corrigez les champs indiqués.")
        return _invalid(review, message, action_form=form)
    with unit_of_work(form) as work:
        add_action(
            review,
            current_user,
            form.description.data,
            form.owner(),
            form.due_on.data,
            clock.today(),
        )
    if not work.ok:
        return _refused(review, work, action_form=form)
    flash(_("Action corrective ajoutée."), "success")
    return _back(review, "#actions")


@bp.route("/quality/reviews/<int:review_id>/sign", methods=["POST"])
@roles_required(*MANAGERS)
def review_sign(review_id: int):
    review = _review_to_change(review_id)
    form = SignForm()
    if not form.validate_on_submit():
        message = _("La revue n'a pas été signée : choisissez un verdict.")
        return _invalid(review, message, sign_form=form)
    with unit_of_work(form) as work:
        sign_off(review, current_user, form.verdict.data, form.comment.data)
    if not work.ok:
        return _refused(review, work, sign_form=form)
    flash(_("La revue est signée."), "success")
    return _back(review)


@bp.route("/quality/reviews/<int:review_id>/amend", methods=["POST"])
@roles_required(*MANAGERS)
def review_amend(review_id: int):
    review = get_review_or_404(review_id, "manage", lock=True)
    form = ButtonForm()
    if not form.validate_on_submit():  # pragma: no cover - CSRF is checked before the view
        abort(400)
    with unit_of_work() as work:
        amendment = amend(review, current_user)
    if not work.ok:
        return _refused(review, work)
    flash(_("Amendement nº %(id)s créé : corrigez-le, puis signez-le.", id=amendment.id), "success")
    return _back(amendment)
