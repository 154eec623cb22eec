"""The blueprint of the employer-adapted course, and what all its pages show: the NEQ filter
and the French labels of its vocabularies."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from lms.employers.neq import format_neq
from lms.employers.vocab import REASON_LABELS, SCORE_LABELS, SECTOR_LABELS, TASK_KIND_LABELS
from lms.learning.vocab import SKILL_LABELS

bp = Blueprint("employers", __name__)


@bp.app_template_filter("neq")
def neq_filter(value: str) -> str:
    return format_neq(value or "")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "SECTOR_LABELS": SECTOR_LABELS,
        "SKILL_LABELS": SKILL_LABELS,
        "SCORE_LABELS": SCORE_LABELS,
        "REASON_LABELS": REASON_LABELS,
        "TASK_KIND_LABELS": TASK_KIND_LABELS,
    }
