"""Alert pages: the inbox, an alert with its evidence and lifecycle, the rules' settings, the
students at risk of a cohort, the user's notifications and the admins' outbox."""

from __future__ import annotations

from collections import Counter
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

from lms import clock
from lms.access import get_or_404, programme_settings_page, roles_required
from lms.alerts import queries, risk, services, vocab
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
from lms.alerts.models import Alert
from lms.alerts.rules import RULES, Rule
from lms.alerts.vocab import Severity, StatusFilter
from lms.auth.models import Role
from lms.catalog.models import Cohort
from lms.errors import ServiceError, Work, unit_of_work
from lms.followup.queries.people import owner_candidates
from lms.followup.vocab import label
from lms.mail import queries as mail_queries

bp = Blueprint("alerts", __name__)
STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)
STUDENT_FILE = "followup.student_file"

bp.add_app_template_filter(vocab.label, "alert_label")
bp.add_app_template_filter(vocab.symbol, "alert_symbol")


@bp.app_context_processor
def unread_notifications() -> dict[str, int]:
    """The alert badge of the staff's navigation (one indexed count per page)."""
    if not (current_user and current_user.is_authenticated) or current_user.role == Role.STUDENT:
        return {}
    return {"unread_notifications": queries.unread_count(current_user.id)}


def _page() -> int:
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    return page


def _pages(total: int, size: int = queries.PAGE) -> int:
    return max(1, -(-total // size))


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
        status=form.status.data if form.status.data in tuple(StatusFilter) else "open",
        severity=form.severity.data if form.severity.data in tuple(Severity) else None,
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


def _refused(alert: Alert, error: ServiceError, **forms: Any):
    """The alert page again with the refusal; a conflict (the alert changed) shows fresh forms."""
    if error.status == 409:
        return _render(alert, error=error.message, status=409)
    return _render(alert, error=error.message, status=error.status, **forms)


def _closed(alert: Alert):
    error = ServiceError(
        _("Cette alerte est fermée : elle ne peut plus être modifiée."), status=409
    )
    return _refused(alert, error)


def _done(alert: Alert, work: Work, message: str, **forms: Any):
    """After a lifecycle change: back to the alert, or the refusal shown."""
    if not work.ok:
        return _refused(alert, work.error, **forms)
    flash(message, "success")
    return redirect(url_for("alerts.detail", alert_id=alert.id))


@bp.route("/alerts/<int:alert_id>")
@roles_required(*STAFF)
def detail(alert_id: int):
    return _render(get_or_404(Alert, alert_id))


@bp.route("/alerts/<int:alert_id>/acknowledge", methods=["POST"])
@roles_required(*STAFF)
def acknowledge(alert_id: int):
    alert = get_or_404(Alert, alert_id)
    with unit_of_work() as work:
        services.acknowledge(alert, current_user)
    return _done(alert, work, _("Vous avez pris cette alerte en charge."))


@bp.route("/alerts/<int:alert_id>/resolve", methods=["POST"])
@roles_required(*STAFF)
def resolve(alert_id: int):
    alert = get_or_404(Alert, alert_id)
    if not alert.is_open:
        return _closed(alert)
    if alert.student_id is None:
        return _resolve_with_intervention(alert)
    return _resolve_with_note(alert)


def _resolve_with_intervention(alert: Alert):
    """A cohort alert is resolved by describing the intervention."""
    form = InterventionForm()
    if not form.validate_on_submit():
        return _render(alert, intervention_form=form, status=422)
    with unit_of_work(form) as work:
        services.resolve(alert, current_user, intervention=form.intervention.data)
    return _done(alert, work, _("L'alerte est résolue."), intervention_form=form)


def _resolve_with_note(alert: Alert):
    """A student alert is resolved by a follow-up note in the student's file."""
    owners = _owners(alert)
    form = _resolve_form(alert, owners)
    owner_id = form.owner_value()
    valid = form.validate_on_submit()
    if owner_id == -1:
        form.owner_id.errors = [*form.owner_id.errors, _("Responsable inconnu·e.")]
        valid = False
    if not valid:
        return _render(alert, resolve_form=form, status=422)
    with unit_of_work(form) as work:
        services.resolve(
            alert,
            current_user,
            note=form.note(owner_id),
            allowed_owner_ids=[uid for uid, _name, _role in owners],
        )
    return _done(alert, work, _("L'alerte est résolue."), resolve_form=form)


@bp.route("/alerts/<int:alert_id>/dismiss", methods=["POST"])
@roles_required(*STAFF)
def dismiss(alert_id: int):
    alert = get_or_404(Alert, alert_id)
    if not alert.is_open:
        return _closed(alert)
    form = DismissForm()
    if not form.validate_on_submit():
        return _render(alert, dismiss_form=form, status=422)
    with unit_of_work(form) as work:
        services.dismiss(alert, current_user, form.dismiss_reason.data)
    return _done(alert, work, _("L'alerte est écartée."), dismiss_form=form)


# --- rules -------------------------------------------------------------------------------------


def _shown(params: dict[str, Any]) -> dict[str, str]:
    return {k: format_param(v) for k, v in params.items()}


def _typed(form: Any, rule: Rule, *, only_filled: bool = False) -> dict[str, Any]:
    """The thresholds typed in ``form`` (validated by it); ``only_filled``: the empty ones are
    left out (a course follows the programme-wide value)."""
    return {
        name: parse_param(name, default, form[name].data)
        for name, default in rule.defaults.items()
        if not only_filled or (form[name].data or "").strip()
    }


def _saved(changed: bool, message: str) -> None:
    if changed:
        flash(message, "success")
    else:
        flash(_("Aucun changement à enregistrer."), "info")


@bp.route("/alerts/rules", methods=["GET", "POST"])
@programme_settings_page
def rules():
    rows = queries.rule_settings()
    data = None
    if request.method == "GET":
        data = {}
        for code in RULES:
            enabled, params = queries.effective_rule(code, rows)
            data[code] = {"enabled": enabled, **_shown(params)}
    form = rules_form(data)
    if not form.validate_on_submit():
        overrides = Counter(code for code, course_id in rows if course_id is not None)
        page = render_template("alerts/rules.html", form=form, rules=RULES, overrides=overrides)
        return page, 422 if request.method == "POST" else 200
    settings = {
        code: (bool(form[code].form.enabled.data), _typed(form[code].form, rule))
        for code, rule in RULES.items()
    }
    with unit_of_work():
        changed = services.save_programme_rules(settings, actor=current_user, rows=rows)
    _saved(changed, _("Les règles d'alerte ont été enregistrées."))
    return redirect(url_for("alerts.rules"))


def _course_rule_form(rule: Rule, page: queries.RuleCourses):
    """The course's own setting, each threshold showing the programme-wide value it follows
    when left empty."""
    override = page.override
    data = None
    if request.method == "GET":
        own = (override.params or {}) if override is not None else {}
        data = {
            "enabled": override.enabled if override is not None else page.general_enabled,
            **_shown(own),
        }
    form = course_rule_form(rule, data)
    for name, value in _shown(page.general).items():
        form[name].render_kw = {**(form[name].render_kw or {}), "placeholder": value}
        form[name].description = _(
            "Laissez vide pour suivre le réglage général (%(value)s).", value=value
        )
    return form


@bp.route("/alerts/rules/<code>", methods=["GET", "POST"])
@programme_settings_page
def rule_course(code: str):
    rule = RULES.get(code)
    if rule is None:
        abort(404)
    page = queries.rule_courses(code, request.args.get("course", type=int))
    if page.course is None and ("course" in request.args or request.method == "POST"):
        abort(404)
    context = {**vars(page), "rule": rule, "general": _shown(page.general)}
    if page.course is None:
        return render_template("alerts/rule_course.html", form=None, **context)
    form = _course_rule_form(rule, page)
    if request.method == "POST" and form.clear.data:
        return _clear_course_rule(rule, page)
    if form.validate_on_submit():
        return _save_course_rule(rule, page, form)
    status = 422 if request.method == "POST" else 200
    return render_template("alerts/rule_course.html", form=form, **context), status


def _course_page_url(rule: Rule, page: queries.RuleCourses) -> str:
    return url_for("alerts.rule_course", code=rule.code, course=page.course.id)


def _clear_course_rule(rule: Rule, page: queries.RuleCourses):
    if page.override is not None:
        with unit_of_work():
            services.clear_rule_override(page.override, current_user)
        flash(_("Le cours suit de nouveau le réglage général."), "success")
    return redirect(_course_page_url(rule, page))


def _save_course_rule(rule: Rule, page: queries.RuleCourses, form: Any):
    with unit_of_work():
        changed = services.save_course_rule(
            rule.code,
            page.course.id,
            enabled=bool(form.enabled.data),
            params=_typed(form, rule, only_filled=True),
            actor=current_user,
            current=page.override,
            general_enabled=page.general_enabled,
        )
    message = _(
        "Le réglage de la règle pour le cours %(course)s a été enregistré.",
        course=page.course.code,
    )
    _saved(changed, message)
    return redirect(_course_page_url(rule, page))


# --- students at risk --------------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/at-risk")
@roles_required(*STAFF)
def at_risk(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    today = clock.today()
    return render_template(
        "alerts/at_risk.html",
        cohort=cohort,
        rows=risk.at_risk(cohort, today),
        today=today,
        student_file=_has_student_file(),
        high=risk.HIGH,
        medium=risk.MEDIUM,
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
    with unit_of_work():
        services.mark_notifications_read(current_user)
    flash(_("Toutes vos notifications sont marquées comme lues."), "success")
    return redirect(url_for("alerts.notifications"))


@bp.route("/admin/outbox")
@roles_required(Role.ADMIN)
def outbox():
    page = _page()
    rows, total = mail_queries.outbox(page)
    pages = _pages(total, mail_queries.PAGE)
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
