"""The quality blueprint, its template filters, and what its pages share: who may see a
review, a cohort or an action, and the query string's numbers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request
from flask_babel import format_decimal
from flask_login import current_user

from lms.access import can_access_cohort, get_or_404
from lms.auth.models import Role
from lms.catalog.models import Cohort
from lms.extensions import db
from lms.quality import charts
from lms.quality.models import CheckpointReview, CorrectiveAction
from lms.quality.vocab import label

bp = Blueprint("quality", __name__)

MANAGERS = (Role.COORDINATOR, Role.ADMIN)
STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)


@bp.app_template_filter("quality_label")
def quality_label(value: str | None, group: str) -> Any:
    return label(value, group)


@bp.app_template_filter("quality_number")
def quality_number(value: float) -> str:
    """A number with one decimal, in the user's locale (« 1,5 » in French)."""
    return format_decimal(round(value, 1), format="#,##0.0")


@bp.app_template_filter("quality_value")
def quality_value(value: float | None, unit: str = "percent") -> str:
    return charts.format_value(value, unit)


# --- scope helpers ------------------------------------------------------------------------------


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


# --- the query string ---------------------------------------------------------------------------


def int_arg(name: str) -> int | None:
    """The query string's ``name`` as a whole number, or ``None``."""
    raw = (request.args.get(name) or "").strip()
    return int(raw) if raw.isdigit() else None


def page_arg() -> int:
    """The page asked for (``page``, from 1), else 404."""
    page = request.args.get("page", 1, type=int)
    if page is None or page < 1:
        abort(404)
    return page


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))
