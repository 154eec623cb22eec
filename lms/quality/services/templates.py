"""Checkpoint templates: when a checkpoint falls and what it checks, edited at run time."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.auth.models import User
from lms.errors import ServiceError
from lms.extensions import db
from lms.quality.criteria.catalogue import CRITERIA
from lms.quality.models import CheckpointTemplate


def _template_snapshot(template: CheckpointTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "when_kind": template.when_kind,
        "when_value": template.when_value,
        "criteria": template.criteria,
        "manual_criteria": template.manual_criteria,
        "sample_size": template.sample_size,
        "active": template.active,
        "position": template.position,
    }


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:30] or "point"


def _free_key(name: str) -> str:
    """A key made from ``name`` that no template has yet."""
    base = _slug(name)
    taken = set(
        db.session.scalars(
            select(CheckpointTemplate.key).where(CheckpointTemplate.key.like(f"{base}%"))
        )
    )
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def save_template(
    template: CheckpointTemplate | None, actor: User, values: dict[str, Any]
) -> CheckpointTemplate:
    """Create (``template`` None) or update a checkpoint template from validated ``values``
    (the keys of :func:`_template_snapshot`). Reviews already created keep their due date;
    unsigned ones take the new criteria at their next evaluation.

    :raises ServiceError: no criterion at all, or an unknown criterion code.
    """
    if not values["criteria"] and not values["manual_criteria"]:
        raise ServiceError(_("Choisissez au moins un critère."), field="criteria")
    for item in values["criteria"]:
        if item["code"] not in CRITERIA:
            raise ServiceError(_("Critère inconnu."), field="criteria")
    before = None
    if template is None:
        template = CheckpointTemplate(key=_free_key(values["name"]))
        db.session.add(template)
    else:
        before = _template_snapshot(template)
    for name, value in values.items():
        setattr(template, name, value)
    db.session.flush()
    after = _template_snapshot(template)
    if before == after:
        return template
    record(
        "checkpoint_template.create" if before is None else "checkpoint_template.update",
        template,
        actor=actor,
        before=before,
        after=after,
    )
    return template
