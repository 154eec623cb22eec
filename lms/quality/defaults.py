"""The default checkpoint templates (the programme's four checkpoints), created once.

Coordinators edit them afterwards (/quality/templates); :func:`ensure_default_templates` only
adds the ones whose key is missing and never overwrites an edit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lms.audit.services import record
from lms.extensions import db
from lms.quality.criteria.catalogue import MANUAL_DEFAULTS
from lms.quality.models import CheckpointTemplate


def _manual(*codes: str) -> list[dict[str, str]]:
    return [{"code": code, **MANUAL_DEFAULTS[code]} for code in codes]


DEFAULT_TEMPLATES: list[dict[str, Any]] = [
    {
        "key": "demarrage",
        "name": "Démarrage",
        "when_kind": "week",
        "when_value": 1,
        "criteria": [
            {"code": "attendance_recorded", "params": {"max_missing": 0}},
            {"code": "assessed_placement", "params": {"min_percent": 95}},
            {"code": "critical_alerts_acknowledged", "params": {"working_days": 2}},
        ],
        "manual_criteria": _manual("sample_files"),
        "sample_size": 5,
        "position": 1,
    },
    {
        "key": "mi_parcours",
        "name": "Mi-parcours",
        "when_kind": "week",
        "when_value": 6,
        "criteria": [
            {"code": "attendance_recorded", "params": {"max_missing": 0}},
            {"code": "assessed_mid", "params": {"min_percent": 95}},
            {"code": "interviews_on_cadence", "params": {"min_percent": 100, "grace_days": 0}},
            {"code": "critical_alerts_acknowledged", "params": {"working_days": 2}},
            {"code": "productions_graded", "params": {"days": 5}},
            {"code": "withdrawals_exit_followup", "params": {}},
        ],
        "manual_criteria": _manual("sample_files", "class_observation"),
        "sample_size": 5,
        "position": 2,
    },
    {
        "key": "fin_de_cours",
        "name": "Fin de cours",
        "when_kind": "week",
        "when_value": 11,
        "criteria": [
            {"code": "attendance_recorded", "params": {"max_missing": 0}},
            {"code": "assessed_final", "params": {"min_percent": 95}},
            {"code": "interviews_on_cadence", "params": {"min_percent": 100, "grace_days": 0}},
            {"code": "critical_alerts_acknowledged", "params": {"working_days": 2}},
            {"code": "productions_graded", "params": {"days": 5}},
            {"code": "withdrawals_exit_followup", "params": {}},
        ],
        "manual_criteria": _manual("sample_files"),
        "sample_size": 5,
        "position": 3,
    },
    {
        "key": "bilan",
        "name": "Bilan",
        "when_kind": "after_end",
        "when_value": 14,
        "criteria": [
            {"code": "attendance_recorded", "params": {"max_missing": 0}},
            {"code": "assessed_final", "params": {"min_percent": 95}},
            {"code": "withdrawals_exit_followup", "params": {}},
            {"code": "survey_response_rate", "params": {"min_percent": 50}},
        ],
        "manual_criteria": _manual("sample_files"),
        "sample_size": 5,
        "position": 4,
    },
]


def ensure_default_templates() -> int:
    """Create the default templates that do not exist yet (by key). Flushes; the caller
    commits. Idempotent: a second call creates nothing.

    :returns: the number of templates created.
    """
    existing = set(db.session.scalars(select(CheckpointTemplate.key)))
    created = 0
    for spec in DEFAULT_TEMPLATES:
        if spec["key"] in existing:
            continue
        template = CheckpointTemplate(
            key=spec["key"],
            name=spec["name"],
            when_kind=spec["when_kind"],
            when_value=spec["when_value"],
            criteria=[dict(c, params=dict(c["params"])) for c in spec["criteria"]],
            manual_criteria=[dict(m) for m in spec["manual_criteria"]],
            sample_size=spec["sample_size"],
            active=True,
            position=spec["position"],
        )
        db.session.add(template)
        db.session.flush()
        record("checkpoint_template.create", template, after={"key": spec["key"], "default": True})
        created += 1
    return created
