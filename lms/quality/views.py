"""Quality pages: checkpoint templates, reviews (sample, findings, corrective actions, sign-off,
amendments), the quality dashboard and its exports, the cohort's printable report, the
satisfaction survey and its results, the audit-log viewer.

Access (see also the scope helpers below, candidates for lms/access.py):

- reviews, templates, dashboard, exports, reports, audit log: coordinators (their regions'
  cohorts) and admins; other staff 403, students 403; a review or cohort outside the
  coordinator's regions 404;
- a review may also be *viewed*, read-only, by the teachers of its cohort (they own the
  corrective actions and the findings are about their class); they cannot change it (403);
- corrective actions (/quality/actions): their owner (teachers included) follows them up, as
  do the coordinators of the cohort's region and admins;
- survey results: coordinators and admins in scope, and the cohort's teachers (aggregated,
  from 5 answers up);
- the survey itself (/learn/survey): students only.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import Field

from lms import clock
from lms.access import (
    PROGRAMME_EDITORS,
    can_access_cohort,
    get_or_404,
    programme_settings_page,
    roles_required,
)
from lms.auth.models import Role
from lms.catalog.models import Cohort
from lms.csv_export import csv_response, decimal_cell
from lms.extensions import db
from lms.learning.models import SKILLS
from lms.quality import charts, queries, services
from lms.quality.criteria import CRITERIA, MANUAL_DEFAULTS, OBSERVATION_RUBRIC
from lms.quality.forms import (
    ActionForm,
    ActionStatusForm,
    ButtonForm,
    FindingForm,
    SignForm,
    SurveyForm,
    template_data,
    template_form,
)
from lms.quality.models import CheckpointReview, CheckpointTemplate, CorrectiveAction
from lms.quality.policies import can_access_review
from lms.quality.vocab import SURVEY_QUESTIONS, SURVEY_SCALE, ActionStatus, label

bp = Blueprint("quality", __name__)

MANAGERS = (Role.COORDINATOR, Role.ADMIN)
STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)
MAX_PERIOD_DAYS = 3 * 366


@bp.app_template_filter("quality_label")
def quality_label(value: str | None, group: str) -> Any:
    return label(value, group)


@bp.app_template_filter("audit_json")
def audit_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@bp.app_template_filter("quality_number")
def quality_number(value: float) -> str:
    """A number with one decimal, in the user's locale (« 1,5 » in French)."""
    return format_decimal(round(value, 1), format="#,##0.0")


@bp.app_template_filter("quality_value")
def quality_value(value: float | None, unit: str = "percent") -> str:
    return charts.format_value(value, unit)


# --- scope helpers (to move to lms/access.py) ---------------------------------------------------


def get_review_or_404(review_id: int, action: str = "view", *, lock: bool = False):
    return get_or_404(CheckpointReview, review_id, action, lock=lock)


def get_cohort_or_404(cohort_id: int, *, teachers: bool = False) -> Cohort:
    """A cohort in the user's scope (coordinators and admins; with ``teachers``, its teachers
    too), else 404."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not can_access_cohort(current_user, cohort, "view"):
        abort(404)
    if current_user.role == Role.TEACHER and not teachers:
        abort(404)
    return cohort


def get_action_or_404(action_id: int) -> CorrectiveAction:
    return get_or_404(CorrectiveAction, action_id, lock=True)


# --- small helpers ------------------------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    return int(raw) if raw.isdigit() else None


def _page() -> int:
    page = request.args.get("page", 1, type=int)
    if page is None or page < 1:
        abort(404)
    return page


def _pages(total: int, size: int = queries.PAGE) -> int:
    return max(1, -(-total // size))


# --- the review list ----------------------------------------------------------------------------


@bp.route("/quality/")
@roles_required(*MANAGERS)
def review_list():
    page = _page()
    status = request.args.get("status") or None
    filters = queries.ReviewFilters(
        status=status if status in ("due", "signed") else None,
        region_id=_int_arg("region"),
        site_id=_int_arg("site"),
        course_id=_int_arg("course"),
        cohort_id=_int_arg("cohort"),
    )
    rows, total = queries.review_list(current_user, filters, page)
    pages = _pages(total)
    if page > pages:
        abort(404)
    args = {
        "status": filters.status or "",
        "region": filters.region_id or "",
        "site": filters.site_id or "",
        "course": filters.course_id or "",
        "cohort": filters.cohort_id or "",
    }
    return render_template(
        "quality/review_list.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        args=args,
        options=queries.scope_options(current_user),
        today=clock.today(),
    )


# --- one review ---------------------------------------------------------------------------------


def _finding_forms(detail: queries.ReviewDetail, bound: tuple[str, FindingForm] | None = None):
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
    detail = queries.review_detail(review)
    editable = review.status != "signed" and can_access_review(current_user, review, "manage")
    owners = services.owner_choices(review.cohort_id) if editable else []
    if action_form is None:
        action_form = ActionForm(formdata=None)
    action_form.set_owners(owners)
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
        can_manage=can_access_review(current_user, review, "manage"),
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


def _attach(form, exc: services.QualityError) -> None:
    """Show a service's refusal under the form field it names, if the form has that field."""
    target = getattr(form, exc.field, None) if exc.field else None
    if isinstance(target, Field):
        target.errors = [exc.message]


def _locked(review: CheckpointReview):
    db.session.rollback()
    return _render_review(
        review,
        status=409,
        error=_(
            "Cette revue est signée : elle ne peut plus être modifiée. Créez un amendement pour "
            "la corriger."
        ),
    )


def _review_to_change(review_id: int) -> CheckpointReview:
    """A review the user manages, locked for the change; a signed one answers 409."""
    review = get_review_or_404(review_id, "manage", lock=True)
    if review.status == "signed":
        abort(make_response(_locked(review)))
    return review


def _refused(review: CheckpointReview, exc: services.QualityError, **forms: Any):
    db.session.rollback()
    review = db.session.get(CheckpointReview, review.id)
    return _render_review(review, status=exc.status, error=exc.message, **forms)


@bp.route("/quality/reviews/<int:review_id>")
@roles_required(*STAFF)
def review_detail(review_id: int):
    review = get_review_or_404(review_id)
    return _render_review(review)


@bp.route("/quality/reviews/<int:review_id>/evaluate", methods=["POST"])
@roles_required(*MANAGERS)
def review_evaluate(review_id: int):
    review = _review_to_change(review_id)
    services.evaluate_reviews([review], clock.today())
    db.session.commit()
    flash(_("Les critères automatiques ont été recalculés."), "success")
    return redirect(url_for("quality.review_detail", review_id=review.id) + "#automatiques")


@bp.route("/quality/reviews/<int:review_id>/sample", methods=["POST"])
@roles_required(*MANAGERS)
def review_sample(review_id: int):
    review = _review_to_change(review_id)
    template = db.session.get(CheckpointTemplate, review.template_id)
    try:
        drawn = services.draw_sample(review, current_user, template.sample_size)
    except services.QualityError as exc:
        return _refused(review, exc)
    db.session.commit()
    flash(_("Échantillon tiré : %(num)s dossiers d'élèves à vérifier.", num=len(drawn)), "success")
    return redirect(url_for("quality.review_detail", review_id=review.id) + "#echantillon")


@bp.route("/quality/reviews/<int:review_id>/findings", methods=["POST"])
@roles_required(*MANAGERS)
def review_finding(review_id: int):
    review = _review_to_change(review_id)
    criterion = (request.form.get("criterion") or "").strip()
    keys = {e["key"] for e in review.results or []}
    if criterion not in keys:
        return _refused(
            review, services.QualityError(_("Ce critère ne fait pas partie de la revue."))
        )
    form = FindingForm(prefix=criterion)
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_review(
            review,
            status=422,
            error=_("Le constat n'a pas été enregistré : corrigez les champs indiqués."),
            finding=(criterion, form),
        )
    try:
        services.record_finding(
            review, current_user, criterion, form.result.data, form.text.data, form.scores()
        )
    except services.QualityError as exc:
        _attach(form, exc)
        return _refused(review, exc, finding=(criterion, form))
    db.session.commit()
    flash(_("Constat enregistré."), "success")
    return redirect(url_for("quality.review_detail", review_id=review.id) + f"#critere-{criterion}")


@bp.route("/quality/reviews/<int:review_id>/actions", methods=["POST"])
@roles_required(*MANAGERS)
def review_action_add(review_id: int):
    review = _review_to_change(review_id)
    form = ActionForm()
    form.set_owners(services.owner_choices(review.cohort_id))
    if not form.validate_on_submit() or form.owner() is None:
        if form.owner() is None and not form.owner_id.errors:
            form.owner_id.errors = [_("Choisissez une personne responsable.")]
        db.session.rollback()
        return _render_review(
            review,
            status=422,
            error=_("L'action n'a pas été ajoutée : corrigez les champs indiqués."),
            action_form=form,
        )
    try:
        services.add_action(
            review,
            current_user,
            form.description.data,
            form.owner(),
            form.due_on.data,
            clock.today(),
        )
    except services.QualityError as exc:
        _attach(form, exc)
        return _refused(review, exc, action_form=form)
    db.session.commit()
    flash(_("Action corrective ajoutée."), "success")
    return redirect(url_for("quality.review_detail", review_id=review.id) + "#actions")


@bp.route("/quality/reviews/<int:review_id>/sign", methods=["POST"])
@roles_required(*MANAGERS)
def review_sign(review_id: int):
    review = _review_to_change(review_id)
    form = SignForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_review(
            review,
            status=422,
            error=_("La revue n'a pas été signée : choisissez un verdict."),
            sign_form=form,
        )
    try:
        services.sign_off(review, current_user, form.verdict.data, form.comment.data)
    except services.QualityError as exc:
        if exc.status != 409:
            form.verdict.errors = [exc.message]
        return _refused(review, exc, sign_form=form)
    db.session.commit()
    flash(_("La revue est signée."), "success")
    return redirect(url_for("quality.review_detail", review_id=review.id))


@bp.route("/quality/reviews/<int:review_id>/amend", methods=["POST"])
@roles_required(*MANAGERS)
def review_amend(review_id: int):
    review = get_review_or_404(review_id, "manage", lock=True)
    form = ButtonForm()
    if not form.validate_on_submit():  # pragma: no cover - CSRF is checked before the view
        abort(400)
    try:
        amendment = services.amend(review, current_user)
    except services.QualityError as exc:
        return _refused(review, exc)
    db.session.commit()
    flash(_("Amendement nº %(id)s créé : corrigez-le, puis signez-le.", id=amendment.id), "success")
    return redirect(url_for("quality.review_detail", review_id=amendment.id))


# --- corrective actions -------------------------------------------------------------------------


@bp.route("/quality/actions")
@roles_required(*STAFF)
def action_list():
    status = request.args.get("status", "open")
    status = status if status in tuple(ActionStatus) else None
    mine = current_user.role == Role.TEACHER or request.args.get("mine") == "1"
    rows = queries.action_list(current_user, status, mine)
    forms = {
        row.action.id: ActionStatusForm(
            prefix=f"a{row.action.id}", formdata=None, data={"status": row.action.status}
        )
        for row in rows
    }
    return render_template(
        "quality/actions.html",
        rows=rows,
        forms=forms,
        status=status or "",
        mine=mine,
        today=clock.today(),
    )


@bp.route("/quality/actions/<int:action_id>/status", methods=["POST"])
@roles_required(*STAFF)
def action_status(action_id: int):
    action = get_action_or_404(action_id)
    form = ActionStatusForm(prefix=f"a{action.id}")
    back = request.form.get("back")
    target = (
        url_for("quality.review_detail", review_id=action.review_id) + "#actions"
        if back == "review"
        else url_for("quality.action_list")
    )
    if not form.validate_on_submit():
        db.session.rollback()
        return render_template(
            "core/error.html",
            code=422,
            message=_("Statut inconnu : choisissez « en cours », « faite » ou « annulée »."),
        ), 422
    services.set_action_status(action, current_user, form.status.data, clock.today())
    db.session.commit()
    flash(_("Le suivi de l'action corrective est enregistré."), "success")
    return redirect(target)


# --- templates ----------------------------------------------------------------------------------


@bp.route("/quality/templates")
@programme_settings_page
def template_list():
    from sqlalchemy import select

    templates = list(
        db.session.scalars(
            select(CheckpointTemplate).order_by(CheckpointTemplate.position, CheckpointTemplate.id)
        )
    )
    return render_template(
        "quality/templates.html", templates=templates, criteria=CRITERIA, manual=MANUAL_DEFAULTS
    )


def _template_page(template: CheckpointTemplate | None):
    form = template_form(template_data(template) if template and request.method == "GET" else None)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                saved = services.save_template(template, current_user, form.values())
            except services.QualityError as exc:
                db.session.rollback()
                return render_template(
                    "quality/template_form.html",
                    form=form,
                    template=template,
                    criteria=CRITERIA,
                    manual=MANUAL_DEFAULTS,
                    error=exc.message,
                ), 422
            db.session.commit()
            flash(
                _("Le point de contrôle « %(name)s » est enregistré.", name=saved.name), "success"
            )
            return redirect(url_for("quality.template_list"))
        db.session.rollback()
        status = 422
    else:
        status = 200
    return render_template(
        "quality/template_form.html",
        form=form,
        template=template,
        criteria=CRITERIA,
        manual=MANUAL_DEFAULTS,
        error=_("Corrigez les champs indiqués.") if status == 422 else None,
    ), status


@bp.route("/quality/templates/new", methods=["GET", "POST"])
@roles_required(*PROGRAMME_EDITORS)
def template_new():
    return _template_page(None)


@bp.route("/quality/templates/<int:template_id>", methods=["GET", "POST"])
@programme_settings_page
def template_edit(template_id: int):
    template = db.session.get(CheckpointTemplate, template_id)
    if template is None:
        abort(404)
    return _template_page(template)


# --- the dashboard ------------------------------------------------------------------------------


def _default_period(today: date) -> tuple[date, date]:
    month, year = today.month - 5, today.year
    while month < 1:
        month, year = month + 12, year - 1
    return date(year, month, 1), today


def _period_args() -> tuple[queries.Period, str | None]:
    """The period from ``from`` and ``to`` (ISO dates), or the last six months; with a French
    message when the dates given are not valid (the default period is then used)."""
    today = clock.today()
    start, end = _default_period(today)
    raw_from, raw_to = request.args.get("from") or "", request.args.get("to") or ""
    error = None
    try:
        if raw_from:
            start = date.fromisoformat(raw_from)
        if raw_to:
            end = date.fromisoformat(raw_to)
    except ValueError:
        start, end = _default_period(today)
        error = _("Date invalide : écrivez les dates sous la forme AAAA-MM-JJ.")
    if error is None and start > end:
        start, end = _default_period(today)
        error = _("La date de début doit précéder la date de fin.")
    if error is None and (end - start).days > MAX_PERIOD_DAYS:
        start, end = _default_period(today)
        error = _("La période ne peut pas dépasser trois ans.")
    return queries.Period(start, end, today), error


def _dashboard_filters() -> queries.DashboardFilters:
    return queries.DashboardFilters(
        region_id=_int_arg("region"),
        site_id=_int_arg("site"),
        course_id=_int_arg("course"),
        cohort_id=None,
    )


def _month_label(month: tuple[int, int]) -> str:
    from flask_babel import format_date

    return format_date(date(month[0], month[1], 1), "MMM yyyy")


TREND_CHARTS = (
    ("attendance", "attendance_rate", "percent"),
    ("cadence", "cadence", "percent"),
    ("alerts", "alert_median_hours", "hours"),
    ("checkpoints", "checkpoints", "percent"),
)


def _trend_titles() -> dict[str, str]:
    return {
        "attendance": _("Taux de présence par mois"),
        "cadence": _("Entretiens de suivi à jour par mois"),
        "alerts": _("Délai médian de prise en charge des alertes (heures) par mois"),
        "checkpoints": _("Points de contrôle conformes par mois"),
    }


@bp.route("/quality/dashboard")
@roles_required(*MANAGERS)
def dashboard():
    period, error = _period_args()
    filters = _dashboard_filters()
    data = queries.dashboard(current_user, filters, period)
    titles = _trend_titles()
    trends = []
    for key, attribute, unit in TREND_CHARTS:
        points = [(_month_label(m), getattr(metrics, attribute)) for m, metrics in data.months]
        trends.append(
            {
                "key": key,
                "title": titles[key],
                "unit": unit,
                "chart": charts.bar_chart(points, title=titles[key], unit=unit),
                "points": points,
            }
        )
    args = {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "region": filters.region_id or "",
        "site": filters.site_id or "",
        "course": filters.course_id or "",
    }
    return render_template(
        "quality/dashboard.html",
        data=data,
        period=period,
        filters=filters,
        args=args,
        options=queries.scope_options(current_user),
        trends=trends,
        skills=SKILLS,
        error=error,
    ), (422 if error else 200)


def _metric_cells(m: queries.Metrics) -> list[Any]:
    def pct(value: float | None) -> Decimal | str:
        return decimal_cell(None if value is None else value * 100, 1)

    def num(value: float | None) -> Decimal | str:
        return decimal_cell(value)

    return [
        m.enrolments,
        pct(m.attendance_rate),
        pct(m.retention),
        *[num(m.gain(s)) for s in SKILLS],
        pct(m.assessed_on_time),
        pct(m.cadence),
        num(m.alert_median_hours),
        len(m.alert_hours),
        pct(m.checkpoints),
        m.reviews_due,
    ]


def _metric_header() -> list[str]:
    return [
        _("Inscriptions"),
        _("Taux de présence (%)"),
        _("Rétention (%)"),
        *[_("Gain de niveau %(skill)s", skill=s) for s in SKILLS],
        _("Évaluations à temps (%)"),
        _("Entretiens à jour (%)"),
        _("Délai médian des alertes (h)"),
        _("Alertes prises en charge"),
        _("Points de contrôle conformes (%)"),
        _("Points de contrôle dus"),
    ]


CSV_TABLES = ("regions", "sites", "courses", "cohorts", "months")


@bp.route("/quality/dashboard.csv")
@roles_required(*MANAGERS)
def dashboard_csv():
    table = request.args.get("table", "cohorts")
    period, error = _period_args()
    if table not in CSV_TABLES or error:
        message = error or _(
            "Tableau inconnu : choisissez regions, sites, courses, cohorts ou months."
        )
        return render_template("core/error.html", code=422, message=message), 422
    data = queries.dashboard(current_user, _dashboard_filters(), period)
    header_first = {
        "regions": [_("Région")],
        "sites": [_("Site"), _("Région")],
        "courses": [_("Cours")],
        "cohorts": [_("Groupe"), _("Cours"), _("Site"), _("Région"), _("Début"), _("Fin")],
        "months": [_("Mois")],
    }[table]
    rows: list[list[Any]] = []
    if table == "months":
        for month, metrics in data.months:
            rows.append([f"{month[0]:04d}-{month[1]:02d}", *_metric_cells(metrics)])
    elif table == "cohorts":
        for row in data.tables["cohorts"]:
            info = row.info
            rows.append(
                [
                    info.code,
                    info.course_code,
                    info.site_name,
                    info.region_name,
                    info.start_on.isoformat(),
                    info.end_on.isoformat(),
                    *_metric_cells(row.metrics),
                ]
            )
    elif table == "sites":
        region_of = {r.info.site_id: r.info.region_name for r in data.tables["cohorts"]}
        for row in data.tables["sites"]:
            rows.append([row.label, region_of.get(row.key, ""), *_metric_cells(row.metrics)])
    else:
        for row in data.tables[table]:
            rows.append([row.label, *_metric_cells(row.metrics)])
    filename = f"qualite-{table}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return csv_response(header_first + _metric_header(), rows, filename)


# --- the cohort's quality report ----------------------------------------------------------------


@bp.route("/quality/cohorts/<int:cohort_id>/report")
@roles_required(*MANAGERS)
def cohort_report(cohort_id: int):
    cohort = get_cohort_or_404(cohort_id)
    report = queries.cohort_report(cohort.id, clock.today())
    return render_template(
        "quality/report.html",
        r=report,
        skills=SKILLS,
        today=clock.today(),
        threshold=queries.ANONYMITY_THRESHOLD,
    )


# --- the satisfaction survey --------------------------------------------------------------------


@bp.route("/learn/survey", methods=["GET", "POST"])
@roles_required(Role.STUDENT)
def survey():
    today = clock.today()
    cohort = services.survey_cohort(current_user.id, today)
    if cohort is None:
        answered = bool(queries.survey_completed(current_user.id))
        status = 409 if request.method == "POST" else 200
        return render_template("quality/survey_closed.html", answered=answered), status
    form = SurveyForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.submit_survey(
                    current_user, cohort, form.answers(), form.comment.data, today
                )
            except services.QualityError as exc:
                db.session.rollback()
                return render_template(
                    "quality/survey.html",
                    form=form,
                    cohort=cohort,
                    questions=SURVEY_QUESTIONS,
                    error=exc.message,
                ), exc.status
            try:
                db.session.commit()
            except IntegrityError:  # the same student submitting twice at once
                db.session.rollback()
                return render_template("quality/survey_closed.html", answered=True), 409
            return render_template("quality/survey_thanks.html")
        db.session.rollback()
        return render_template(
            "quality/survey.html",
            form=form,
            cohort=cohort,
            questions=SURVEY_QUESTIONS,
            error=_("Répondez à toutes les questions, s'il vous plaît."),
        ), 422
    return render_template(
        "quality/survey.html", form=form, cohort=cohort, questions=SURVEY_QUESTIONS, error=None
    )


@bp.route("/quality/cohorts/<int:cohort_id>/survey")
@roles_required(*STAFF)
def survey_results(cohort_id: int):
    cohort = get_cohort_or_404(cohort_id, teachers=True)
    results = queries.survey_results(cohort.id, list(SURVEY_QUESTIONS))
    return render_template(
        "quality/survey_results.html",
        cohort=cohort,
        results=results,
        questions=SURVEY_QUESTIONS,
        scale=SURVEY_SCALE,
        threshold=queries.ANONYMITY_THRESHOLD,
        format_decimal=format_decimal,
    )


# --- the audit log ------------------------------------------------------------------------------


def _audit_filters() -> tuple[queries.AuditFilters, str | None]:
    error = None
    start = end = None
    try:
        if request.args.get("from"):
            start = date.fromisoformat(request.args["from"])
        if request.args.get("to"):
            end = date.fromisoformat(request.args["to"])
    except ValueError:
        error = _("Date invalide : écrivez les dates sous la forme AAAA-MM-JJ.")
        start = end = None
    if error is None and start and end and start > end:
        error = _("La date de début doit précéder la date de fin.")
        start = end = None
    entity_id = (request.args.get("entity_id") or "").strip()[:60] or None
    action = (request.args.get("action") or "").strip()[:60] or None
    entity_type = (request.args.get("entity") or "").strip()[:60] or None
    return (
        queries.AuditFilters(
            actor_id=_int_arg("user"),
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            start=start,
            end=end,
        ),
        error,
    )


def _audit_args(filters: queries.AuditFilters) -> dict[str, Any]:
    return {
        "user": filters.actor_id or "",
        "entity": filters.entity_type or "",
        "entity_id": filters.entity_id or "",
        "action": filters.action or "",
        "from": filters.start.isoformat() if filters.start else "",
        "to": filters.end.isoformat() if filters.end else "",
    }


@bp.route("/audit/")
@roles_required(*MANAGERS)
def audit_log():
    page = _page()
    filters, error = _audit_filters()
    rows, total = queries.audit_entries(current_user, filters, page)
    pages = _pages(total)
    if page > pages:
        abort(404)
    actors, types = queries.audit_options(current_user)
    return render_template(
        "quality/audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        args=_audit_args(filters),
        actors=actors,
        types=types,
        error=error,
    ), (422 if error else 200)


AUDIT_CSV_LIMIT = 50_000


@bp.route("/audit/export.csv")
@roles_required(*MANAGERS)
def audit_csv():
    filters, error = _audit_filters()
    if error:
        return render_template("core/error.html", code=422, message=error), 422
    rows, _total = queries.audit_entries(current_user, filters, 1, limit=AUDIT_CSV_LIMIT)
    lines = [
        [
            entry.at.isoformat() if entry.at else "",
            name or "",
            entry.action,
            entry.entity_type,
            entry.entity_id or "",
            json.dumps(entry.before, ensure_ascii=False, sort_keys=True) if entry.before else "",
            json.dumps(entry.after, ensure_ascii=False, sort_keys=True) if entry.after else "",
        ]
        for entry, name in rows
    ]
    header = [
        _("Date"),
        _("Auteur"),
        _("Action"),
        _("Type"),
        _("Identifiant"),
        _("Avant"),
        _("Après"),
    ]
    return csv_response(header, lines, f"journal-{clock.today().isoformat()}.csv")
