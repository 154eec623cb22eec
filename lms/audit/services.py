from __future__ import annotations

from typing import Any

from lms.audit.models import AuditLog
from lms.extensions import db


def record(
    action: str,
    entity: Any | None = None,
    *,
    actor: Any | None = None,
    entity_type: str | None = None,
    entity_id: Any | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Append an audit entry to the current transaction (flushed, never committed).

    :param action: what happened, e.g. ``user.create``.
    :param entity: the object concerned; its class name and id are recorded.
    :param actor: the user who did it (``None`` for the system, e.g. a CLI command).
    """
    if entity is not None:
        entity_type = entity_type or type(entity).__name__
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=entity_type or "",
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
