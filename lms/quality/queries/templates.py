"""The checkpoint templates, as the programme's settings page lists them."""

from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.quality.models import CheckpointTemplate


def checkpoint_templates() -> list[CheckpointTemplate]:
    """Every checkpoint template, in display order (one query)."""
    return list(
        db.session.scalars(
            select(CheckpointTemplate).order_by(CheckpointTemplate.position, CheckpointTemplate.id)
        )
    )
