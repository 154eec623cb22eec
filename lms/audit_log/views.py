"""The audit log's viewer: the entries a coordinator or an admin may read, filtered and paged,
and their CSV export."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import roles_required
from lms.audit_log.forms import AuditFilterForm
from lms.audit_log.queries import PAGE, AuditFilters, audit_entries, audit_options
from lms.auth.models import Role
from lms.csv_export import csv_response

bp = Blueprint("audit", __name__)

MANAGERS = (Role.COORDINATOR, Role.ADMIN)
CSV_LIMIT = 50_000


@bp.app_template_filter("audit_json")
def audit_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _filters() -> tuple[AuditFilters, str | None]:
    """The filters of the query string, and why they were refused (then without dates)."""
    form = AuditFilterForm(request.args)
    form.validate()
    start, end = form.dates
    filters = AuditFilters(
        actor_id=form.user.data,
        entity_type=form.entity.data,
        entity_id=form.entity_id.data,
        action=form.action.data,
        start=start,
        end=end,
    )
    return filters, form.error


def _args(filters: AuditFilters) -> dict[str, Any]:
    """The filters as the query string of the page's links."""
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
def log():
    page = request.args.get("page", 1, type=int)
    if page is None or page < 1:
        abort(404)
    filters, error = _filters()
    rows, total = audit_entries(current_user, filters, page)
    pages = max(1, -(-total // PAGE))
    if page > pages:
        abort(404)
    actors, types = audit_options(current_user)
    return render_template(
        "audit/log.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        args=_args(filters),
        actors=actors,
        types=types,
        error=error,
    ), (422 if error else 200)


@bp.route("/audit/export.csv")
@roles_required(*MANAGERS)
def log_csv():
    filters, error = _filters()
    if error:
        return render_template("core/error.html", code=422, message=error), 422
    rows, _total = audit_entries(current_user, filters, 1, limit=CSV_LIMIT)
    header = [
        _("Date"),
        _("Auteur"),
        _("Action"),
        _("Type"),
        _("Identifiant"),
        _("Avant"),
        _("Après"),
    ]
    lines = [
        [
            entry.at.isoformat() if entry.at else "",
            name or "",
            entry.action,
            entry.entity_type,
            entry.entity_id or "",
            audit_json(entry.before) if entry.before else "",
            audit_json(entry.after) if entry.after else "",
        ]
        for entry, name in rows
    ]
    return csv_response(header, lines, f"journal-{clock.today().isoformat()}.csv")
