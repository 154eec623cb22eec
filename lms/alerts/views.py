"""Alert pages: the inbox, an alert with its evidence and lifecycle, the rules' settings, the
students at risk of a cohort, the user's notifications and the admins' outbox."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import update

from lms import clock
from lms.access import get_or_404, programme_settings_page, roles_required
from lms.alerts import queries, services
from lms.alerts.forms import (
    AcknowledgeForm,
    DismissForm,
    InboxFilterForm,
    InterventionForm,
    MarkReadForm,
    ResolveForm,
    course_rule_form,
    format_param,
    parse_param,
    rules_form,
)
from lms.alerts.models import SEVERITIES, Alert, Notification
from lms.alerts.rules import RULES
from lms.alerts.services import AlertError
from lms.auth.models import Role
from lms.catalog.models import Cohort
from lms.extensions import db
from lms.followup.forms import label
from lms.followup.queries import owner_candidates

bp = Blueprint("alerts", __name__)
STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)
STUDENT_FILE = "followup.student_file"


def _page() -> int:
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    return page


def _pages(total: int) -> int:
    return max(1, -(-total // queries.PAGE))


def _has_student_file() -> bool:
    return STUDENT_FILE in current_app.view_functions


# --- the inbox ---------------------------------------------------------------------------------


@bp.route("/alerts/")
@roles_required(*STAFF)
def inbox():
    page = _page()
    form = InboxFilterForm(request.args, queries.inbox_cohorts(current_user))
    cohort_raw = form.cohort.data or ""
    filters = queries.InboxFilters(
        status=form.status.data if form.status.data in queries.STATUS_FILTERS else "open",
        severity=form.severity.data if form.severity.data in SEVERITIES else None,
        rule=form.rule.data if form.rule.data in RULES else None,
        cohort_id=int(cohort_raw) if cohort_raw.isdigit() else None,
        escalated=bool(form.escalated.data),
    )
    rows, total = queries.inbox(current_user, filters, page)
    pages = _pages(total)
    if page > pages:
        abort(404)
    args = {
        "status": filters.status,
        "severity": filters.severity or "",
        "rule": filters.rule or "",
        "cohort": filters.cohort_id or "",
    }
    if filters.escalated:
        args["escalated"] = "y"
    return render_template(
        "alerts/inbox.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        args=args,
        rules=RULES,
        student_file=_has_student_file(),
    )


# --- one alert ---------------------------------------------------------------------------------


def _owners(alert: Alert) -> list[tuple[int, str, str]]:
    owners = owner_candidates(alert.cohort_id)
    if all(uid != current_user.id for uid, _name, _role in owners):
        owners.append((current_user.id, current_user.name, current_user.role))
    return owners


def _resolve_form(alert: Alert, owners: list[tuple[int, str, str]]) -> ResolveForm:
    form = ResolveForm()
    form.set_owners(owners, current_user.id)
    return form


def _render(
    alert: Alert,
    *,
    resolve_form: ResolveForm | None = None,
    intervention_form: InterventionForm | None = None,
    dismiss_form: DismissForm | None = None,
    error: str | None = None,
    status: int = 200,
):
    detail = queries.alert_detail(alert)
    if alert.is_open and alert.student_id is not None and resolve_form is None:
        resolve_form = ResolveForm(formdata=None)
        resolve_form.set_owners(_owners(alert), current_user.id)
        resolve_form.suggest(alert.rule_code)
    rule = RULES[alert.rule_code]
    return render_template(
        "alerts/detail.html",
        d=detail,
        alert=alert,
        rule=rule,
        evidence=rule.describe(alert.evidence),
        intervention=(alert.evidence or {}).get("resolution", {}).get("intervention"),
        acknowledge_form=AcknowledgeForm(formdata=None),
        resolve_form=resolve_form,
        intervention_form=intervention_form or InterventionForm(formdata=None),
        dismiss_form=dismiss_form or DismissForm(formdata=None),
        error=error,
        student_file=_has_student_file(),
        label=label,
    ), status


def _refused(alert: Alert, exc: AlertError, **forms: Any):
    db.session.rollback()
    if exc.status == 409:
        return _render(alert, error=exc.message, status=409)
    return _render(alert, error=exc.message, status=exc.status, **forms)


@bp.route("/alerts/<int:alert_id>")
@roles_required(*STAFF)
def detail(alert_id: int):
    return _render(get_or_404(Alert, alert_id))


@bp.route("/alerts/<int:alert_id>/acknowledge", methods=["POST"])
@roles_required(*STAFF)
def acknowledge(alert_id: int):
    alert = get_or_404(Alert, alert_id)
    try:
        services.acknowledge(alert, current_user)
    except AlertError as exc:
        return _refused(alert, exc)
    db.session.commit()
    flash(_("Vous avez pris cette alerte en charge."), "success")
    return redirect(url_for("alerts.detail", alert_id=alert.id))


@bp.route("/alerts/<int:alert_id>/resolve", methods=["POST"])
@roles_required(*STAFF)
def resolve(alert_id: int):
    alert = get_or_404(Alert, alert_id)
    if not alert.is_open:
        return _render(
            alert, error=_("Cette alerte est fermée : elle ne peut plus être modifiée."), status=409
        )
    if alert.student_id is None:
        form = InterventionForm()
        if not form.validate_on_submit():
            return _render(alert, intervention_form=form, status=422)
        try:
            services.resolve(alert, current_user, intervention=form.intervention.data)
        except AlertError as exc:
            return _refused(alert, exc, intervention_form=form)
    else:
        owners = _owners(alert)
        form = _resolve_form(alert, owners)
        owner_id = form.owner_value()
        valid = form.validate_on_submit()
        if owner_id == -1:
            form.owner_id.errors = [*form.owner_id.errors, _("Responsable inconnu·e.")]
            valid = False
        if not valid:
            return _render(alert, resolve_form=form, status=422)
        try:
            services.resolve(
                alert,
                current_user,
                note=form.note(owner_id),
                allowed_owner_ids=[uid for uid, _name, _role in owners],
            )
        except AlertError as exc:
            if exc.field and exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            return _refused(alert, exc, resolve_form=form)
    db.session.commit()
    flash(_("L'alerte est résolue."), "success")
    return redirect(url_for("alerts.detail", alert_id=alert.id))


@bp.route("/alerts/<int:alert_id>/dismiss", methods=["POST"])
@roles_required(*STAFF)
def dismiss(alert_id: int):
    alert = get_or_404(Alert, alert_id)
    if not alert.is_open:
        return _render(
            alert, error=_("Cette alerte est fermée : elle ne peut plus être modifiée."), status=409
        )
    form = DismissForm()
    if not form.validate_on_submit():
        return _render(alert, dismiss_form=form, status=422)
    try:
        services.dismiss(alert, current_user, form.dismiss_reason.data)
    except AlertError as exc:
        return _refused(alert, exc, dismiss_form=form)
    db.session.commit()
    flash(_("L'alerte est écartée."), "success")
    return redirect(url_for("alerts.detail", alert_id=alert.id))


# --- rules -------------------------------------------------------------------------------------


def _effective(code: str, rows: dict) -> tuple[bool, dict[str, Any]]:
    """Programme-wide on/off and thresholds of a rule."""
    row = rows.get((code, None))
    params = dict(RULES[code].defaults)
    if row is not None:
        params.update(row.params or {})
    return (row.enabled if row is not None else True), params


@bp.route("/alerts/rules", methods=["GET", "POST"])
@programme_settings_page
def rules():
    rows = services.rule_settings()
    data = None
    if request.method == "GET":
        data = {}
        for code in RULES:
            enabled, params = _effective(code, rows)
            data[code] = {"enabled": enabled, **{k: format_param(v) for k, v in params.items()}}
    form = rules_form(data)
    overrides: dict[str, int] = {}
    for code, course_id in rows:
        if course_id is not None:
            overrides[code] = overrides.get(code, 0) + 1
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template(
                "alerts/rules.html", form=form, rules=RULES, overrides=overrides
            ), 422
        changed = False
        for code, rule in RULES.items():
            sub = form[code].form
            params = {
                name: parse_param(name, default, sub[name].data)
                for name, default in rule.defaults.items()
            }
            changed |= services.save_rule_setting(
                code,
                None,
                enabled=bool(sub.enabled.data),
                params={k: v for k, v in params.items() if v != rule.defaults[k]},
                actor=current_user,
                current=rows.get((code, None)),
            )
        db.session.commit()
        if changed:
            flash(_("Les règles d'alerte ont été enregistrées."), "success")
        else:
            flash(_("Aucun changement à enregistrer."), "info")
        return redirect(url_for("alerts.rules"))
    return render_template("alerts/rules.html", form=form, rules=RULES, overrides=overrides)


@bp.route("/alerts/rules/<code>", methods=["GET", "POST"])
@programme_settings_page
def rule_course(code: str):
    rule = RULES.get(code)
    if rule is None:
        abort(404)
    courses = queries.courses()
    course_id = request.args.get("course", type=int)
    course = next((c for c in courses if c.id == course_id), None)
    if "course" in request.args and course is None:
        abort(404)
    rows = services.rule_settings(code)
    enabled, general = _effective(code, rows)
    by_id = {c.id: c for c in courses}
    existing = sorted(
        (by_id[cid] for (_code, cid) in rows if cid is not None and cid in by_id),
        key=lambda c: c.code,
    )
    context = {
        "rule": rule,
        "courses": courses,
        "course": course,
        "general": {k: format_param(v) for k, v in general.items()},
        "general_enabled": enabled,
        "existing": existing,
    }
    if course is None:
        if request.method == "POST":
            abort(404)
        return render_template("alerts/rule_course.html", form=None, **context)
    override = rows.get((code, course.id))
    data = None
    if request.method == "GET":
        data = {
            "enabled": override.enabled if override is not None else enabled,
            **{
                k: format_param(v) for k, v in ((override.params or {}) if override else {}).items()
            },
        }
    form = course_rule_form(rule, data)
    for name in rule.defaults:
        form[name].render_kw = {
            **(form[name].render_kw or {}),
            "placeholder": context["general"][name],
        }
        form[name].description = _(
            "Laissez vide pour suivre le réglage général (%(value)s).",
            value=context["general"][name],
        )
    context["override"] = override
    if request.method == "POST":
        if form.clear.data:
            if override is not None:
                services.clear_rule_override(override, current_user)
                db.session.commit()
                flash(_("Le cours suit de nouveau le réglage général."), "success")
            return redirect(url_for("alerts.rule_course", code=code, course=course.id))
        if not form.validate_on_submit():
            return render_template("alerts/rule_course.html", form=form, **context), 422
        params = {
            name: parse_param(name, default, form[name].data)
            for name, default in rule.defaults.items()
            if (form[name].data or "").strip()
        }
        if override is None and not params and bool(form.enabled.data) == enabled:
            flash(_("Aucun changement à enregistrer."), "info")
            return redirect(url_for("alerts.rule_course", code=code, course=course.id))
        services.save_rule_setting(
            code,
            course.id,
            enabled=bool(form.enabled.data),
            params=params,
            actor=current_user,
            current=override,
        )
        db.session.commit()
        flash(
            _(
                "Le réglage de la règle pour le cours %(course)s a été enregistré.",
                course=course.code,
            ),
            "success",
        )
        return redirect(url_for("alerts.rule_course", code=code, course=course.id))
    return render_template("alerts/rule_course.html", form=form, **context)


# --- students at risk --------------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/at-risk")
@roles_required(*STAFF)
def at_risk(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    today = clock.today()
    return render_template(
        "alerts/at_risk.html",
        cohort=cohort,
        rows=queries.at_risk(cohort, today),
        today=today,
        student_file=_has_student_file(),
        high=queries.HIGH,
        medium=queries.MEDIUM,
    )


# --- notifications and outbox ------------------------------------------------------------------


@bp.route("/notifications")
@roles_required(*STAFF)
def notifications():
    page = _page()
    rows, total = queries.notifications(current_user.id, page)
    pages = _pages(total)
    if page > pages:
        abort(404)
    unread = sum(1 for n in rows if n.read_at is None)
    return render_template(
        "alerts/notifications.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        unread=unread,
        form=MarkReadForm(formdata=None),
    )


@bp.route("/notifications/read", methods=["POST"])
@roles_required(*STAFF)
def notifications_read():
    form = MarkReadForm()
    if not form.validate_on_submit():
        abort(400)
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=clock.utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    flash(_("Toutes vos notifications sont marquées comme lues."), "success")
    return redirect(url_for("alerts.notifications"))


@bp.route("/admin/outbox")
@roles_required(Role.ADMIN)
def outbox():
    page = _page()
    rows, total = queries.outbox(page)
    pages = _pages(total)
    if page > pages:
        abort(404)
    return render_template(
        "alerts/outbox.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        mail_server=current_app.config.get("MAIL_SERVER"),
    )
