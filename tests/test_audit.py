import pytest
from sqlalchemy import select

from lms.audit.models import AuditLog, AuditLogIsAppendOnly
from lms.audit.services import record
from lms.extensions import db


def test_audit_entries_cannot_be_changed_or_deleted(app, make_user):
    user = make_user()
    entry = record("test.action", user, actor=user, after={"x": 1})
    db.session.commit()
    entry.action = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditLog, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    kept = db.session.scalar(select(AuditLog).where(AuditLog.id == entry.id))
    assert kept.action == "test.action"
    assert kept.entity_type == "User" and kept.entity_id == str(user.id)
