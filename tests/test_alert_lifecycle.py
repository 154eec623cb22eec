"""The alert lifecycle: acknowledge, resolve with a follow-up note (or an intervention for a
cohort), dismiss with a reason; closed alerts do not change; the cooldown before a condition
still true reopens an alert; the rules' settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.alerts import engine, queries, services
from lms.alerts.models import OPEN_STATUSES, Alert, AlertRuleSetting
from lms.attendance.models import AttendanceRecord
from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.errors import ServiceError
from lms.extensions import db
from lms.followup.models import FollowUpNote

TODAY = date(2026, 9, 30)  # a Wednesday, week 3 of a cohort starting on 2026-09-14
NOW = datetime(2026, 9, 30, 22, 0, tzinfo=UTC)


def make_alert(
    cohort,
    student=None,
    *,
    rule: str = "absence_streak",
    severity: str = "critical",
    status: str = "open",
    evidence: dict | None = None,
    opened_at: datetime | None = None,
    **fields,
) -> Alert:
    """An alert row as the engine would write it."""
    subject = f"student:{student.id}:cohort:{cohort.id}" if student else f"cohort:{cohort.id}"
    if evidence is None:
        evidence = (
            {"count": 3, "dates": ["2026-09-25", "2026-09-28", "2026-09-29"]}
            if rule == "absence_streak"
            else {"dates": ["2026-09-28", "2026-09-29"]}
        )
    alert = Alert(
        rule_code=rule,
        subject_key=subject,
        open_key=f"{rule}:{subject}" if status in OPEN_STATUSES else None,
        student_id=student.id if student else None,
        cohort_id=cohort.id,
        severity=severity,
        status=status,
        evidence=evidence,
        opened_at=opened_at or NOW - timedelta(hours=2),
        last_seen_at=opened_at or NOW - timedelta(hours=2),
        **fields,
    )
    db.session.add(alert)
    db.session.commit()
    return alert


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the clock on TODAY / NOW; returns a function to move it."""
    state = {"now": NOW}

    def move(now: datetime) -> None:
        state["now"] = now

    monkeypatch.setattr(clock, "utcnow", lambda: state["now"])
    monkeypatch.setattr(clock, "today", lambda: state["now"].astimezone(clock.QUEBEC).date())
    return move


@pytest.fixture
def alert_world(make_user, make_region, make_cohort, enrol, frozen):
    teacher = make_user(Role.TEACHER.value, name="Julie Bouchard")
    coordinator = make_user(Role.COORDINATOR.value, name="Marc Gagnon")
    student = make_user(name="Amina Haddad")
    region = make_region("Montréal", coordinators=(coordinator,))
    cohort = make_cohort(region=region, teachers=(teacher,), start_on=date(2026, 9, 14))
    enrol(student, cohort)
    return {
        "teacher": teacher,
        "coordinator": coordinator,
        "student": student,
        "cohort": cohort,
        "region": region,
    }


def _audit(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def _note(**overrides) -> dict:
    return {
        "note_type": "appel",
        "reason": "absences",
        "summary": "Appel à l'élève : garde d'enfant, retour lundi.",
        "action": "Vérifier la présence lundi.",
        "owner_id": None,
        "due_on": date(2026, 10, 5),
        "visibility": "team",
        **overrides,
    }


def test_acknowledge_records_who_and_when_and_cannot_be_repeated(alert_world):
    teacher = alert_world["teacher"]
    alert = make_alert(alert_world["cohort"], alert_world["student"])
    services.acknowledge(alert, teacher)
    db.session.commit()
    assert alert.status == "acknowledged"
    assert alert.acknowledged_by_id == teacher.id
    assert alert.acknowledged_at == NOW
    assert alert.open_key is not None  # still open: the engine keeps it
    (entry,) = _audit("alert.acknowledge")
    assert entry.actor_id == teacher.id and entry.entity_id == str(alert.id)
    assert entry.before["status"] == "open" and entry.after["status"] == "acknowledged"
    with pytest.raises(ServiceError) as refused:
        services.acknowledge(alert, teacher)
    assert refused.value.status == 409
    assert refused.value.message == "Cette alerte est déjà prise en charge."


def test_resolving_a_student_alert_writes_a_follow_up_note(alert_world):
    teacher, student = alert_world["teacher"], alert_world["student"]
    alert = make_alert(alert_world["cohort"], student)
    services.resolve(
        alert, teacher, note=_note(owner_id=teacher.id), allowed_owner_ids=[teacher.id]
    )
    db.session.commit()
    note = db.session.get(FollowUpNote, alert.resolution_note_id)
    assert note.student_id == student.id and note.cohort_id == alert_world["cohort"].id
    assert note.author_id == teacher.id and note.owner_id == teacher.id
    assert note.held_on == TODAY and note.due_on == date(2026, 10, 5)
    assert note.summary.startswith("Appel à l'élève")
    assert alert.status == "resolved" and alert.open_key is None
    assert alert.closed_by_id == teacher.id
    assert alert.closed_at == NOW
    (entry,) = _audit("alert.resolve")
    assert entry.before == {
        "status": "open",
        "open_key": f"absence_streak:student:{student.id}:cohort:{alert.cohort_id}",
        "closed_at": None,
        "closed_by_id": None,
        "resolution_note_id": None,
    }
    assert entry.after["status"] == "resolved" and entry.after["resolution_note_id"] == note.id
    assert len(_audit("note.create")) == 1


@pytest.mark.parametrize(
    ("note", "field", "message"),
    [
        (None, "summary", "Une alerte se résout par une note de suivi."),
        (_note(summary="   "), "summary", "Résumez l'échange."),
        (_note(note_type="courriel"), "note_type", "Type de note inconnu."),
        (_note(action="Rappeler", owner_id=None), "owner_id", "Une action doit avoir"),
        (_note(action="", due_on=date(2026, 9, 1)), "due_on", "L'échéance ne peut pas précéder"),
    ],
)
def test_a_student_alert_cannot_be_resolved_without_a_valid_note(alert_world, note, field, message):
    alert = make_alert(alert_world["cohort"], alert_world["student"])
    with pytest.raises(ServiceError) as refused:
        services.resolve(alert, alert_world["teacher"], note=note, allowed_owner_ids=[])
    assert refused.value.status == 422 and refused.value.field == field
    assert refused.value.message.startswith(message)
    db.session.rollback()
    assert db.session.get(Alert, alert.id).status == "open"
    assert db.session.scalar(select(func.count(FollowUpNote.id))) == 0
    assert db.session.scalar(select(func.count(AuditLog.id))) == 0


def test_an_owner_outside_the_team_is_refused(alert_world, make_user):
    stranger = make_user(Role.TEACHER.value)
    alert = make_alert(alert_world["cohort"], alert_world["student"])
    with pytest.raises(ServiceError) as refused:
        services.resolve(
            alert,
            alert_world["teacher"],
            note=_note(owner_id=stranger.id),
            allowed_owner_ids=[alert_world["teacher"].id],
        )
    assert refused.value.field == "owner_id"


def test_a_cohort_alert_is_resolved_with_an_intervention(alert_world):
    coordinator = alert_world["coordinator"]
    alert = make_alert(alert_world["cohort"], rule="attendance_not_taken", severity="warning")
    with pytest.raises(ServiceError) as refused:
        services.resolve(alert, coordinator, intervention="  ")
    assert refused.value.field == "intervention"
    assert refused.value.message == "Décrivez l'intervention faite pour résoudre cette alerte."
    services.resolve(alert, coordinator, intervention="Présences saisies avec l'enseignante.")
    db.session.commit()
    assert alert.status == "resolved" and alert.open_key is None
    assert alert.resolution_note_id is None and alert.dismiss_reason is None
    assert alert.evidence["resolution"]["intervention"] == "Présences saisies avec l'enseignante."
    assert alert.evidence["dates"] == ["2026-09-28", "2026-09-29"]  # the evidence is kept
    (entry,) = _audit("alert.resolve")
    assert entry.after["intervention"] == "Présences saisies avec l'enseignante."
    assert db.session.scalar(select(func.count(FollowUpNote.id))) == 0


def test_dismiss_requires_a_reason(alert_world):
    teacher = alert_world["teacher"]
    alert = make_alert(alert_world["cohort"], alert_world["student"])
    with pytest.raises(ServiceError) as refused:
        services.dismiss(alert, teacher, " ")
    assert refused.value.message == "Indiquez pourquoi cette alerte est écartée."
    assert alert.status == "open"
    services.dismiss(alert, teacher, "Absences justifiées après coup (hospitalisation).")
    db.session.commit()
    assert alert.status == "dismissed" and alert.open_key is None
    assert alert.dismiss_reason == "Absences justifiées après coup (hospitalisation)."
    (entry,) = _audit("alert.dismiss")
    assert entry.after["dismiss_reason"] == alert.dismiss_reason
    assert entry.before["dismiss_reason"] is None


@pytest.mark.parametrize("status", ["resolved", "dismissed", "cleared"])
def test_a_closed_alert_cannot_change(alert_world, status):
    teacher = alert_world["teacher"]
    alert = make_alert(alert_world["cohort"], alert_world["student"], status=status, closed_at=NOW)
    for verb in (
        lambda: services.acknowledge(alert, teacher),
        lambda: services.resolve(alert, teacher, note=_note()),
        lambda: services.dismiss(alert, teacher, "Raison"),
    ):
        with pytest.raises(ServiceError) as refused:
            verb()
        assert refused.value.status == 409
        assert "fermée" in refused.value.message
    assert db.session.scalar(select(func.count(AuditLog.id))) == 0


def _absent(cohort, student, days: list[date]) -> None:
    db.session.add_all(
        AttendanceRecord(
            cohort_id=cohort.id,
            student_id=student.id,
            day=day,
            status="absent",
            scheduled_minutes=360,
            attended_minutes=0,
        )
        for day in days
    )
    db.session.commit()


def _streaks() -> list[Alert]:
    return list(
        db.session.scalars(
            select(Alert).where(Alert.rule_code == "absence_streak").order_by(Alert.id)
        )
    )


@pytest.mark.parametrize("close", ["resolve", "dismiss"])
def test_a_condition_still_true_reopens_only_after_the_cooldown(alert_world, frozen, close):
    cohort, student, teacher = alert_world["cohort"], alert_world["student"], alert_world["teacher"]
    _absent(cohort, student, [date(2026, 9, 25), date(2026, 9, 28), date(2026, 9, 29)])
    engine.scan()
    db.session.commit()
    (alert,) = _streaks()
    assert alert.status == "open"
    if close == "resolve":
        services.resolve(alert, teacher, note=_note(action=""), allowed_owner_ids=[teacher.id])
    else:
        services.dismiss(alert, teacher, "Déjà vu avec l'élève.")
    db.session.commit()

    engine.scan()  # the same evening: the absences are still the last three class days
    db.session.commit()
    assert [a.status for a in _streaks()] == [alert.status]

    frozen(NOW + timedelta(days=6, hours=23))  # still within the 7-day cooldown
    engine.scan()
    db.session.commit()
    assert len(_streaks()) == 1

    frozen(NOW + timedelta(days=7, hours=1))
    counts = engine.scan()
    db.session.commit()
    first, reopened = _streaks()
    assert first.id == alert.id and first.status in ("resolved", "dismissed")
    assert reopened.status == "open"
    assert reopened.open_key == f"absence_streak:{first.subject_key}"
    assert reopened.evidence["dates"] == ["2026-09-25", "2026-09-28", "2026-09-29"]
    assert counts["opened"] >= 1


def test_the_cooldown_follows_the_programme_setting(alert_world, frozen):
    from lms.programme.settings import set_setting

    cohort, student, teacher = alert_world["cohort"], alert_world["student"], alert_world["teacher"]
    set_setting("alert_cooldown_days", 2)
    _absent(cohort, student, [date(2026, 9, 25), date(2026, 9, 28), date(2026, 9, 29)])
    engine.scan()
    (alert,) = _streaks()
    services.dismiss(alert, teacher, "Vu.")
    db.session.commit()
    frozen(NOW + timedelta(days=2, hours=1))
    engine.scan()
    db.session.commit()
    assert [a.status for a in _streaks()] == ["dismissed", "open"]


def test_rule_settings_are_saved_audited_and_read_by_the_engine(alert_world, make_cohort):
    coordinator = alert_world["coordinator"]
    course_id = alert_world["cohort"].course_id
    assert services.save_rule_setting(
        "low_attendance", None, enabled=True, params={"min_rate": 0.7}, actor=coordinator
    )
    assert not services.save_rule_setting(
        "absence_streak", None, enabled=True, params={}, actor=coordinator
    )  # the defaults: no row
    current = queries.rule_settings()[("low_attendance", None)]
    assert not services.save_rule_setting(
        "low_attendance",
        None,
        enabled=True,
        params={"min_rate": 0.7},
        actor=coordinator,
        current=current,
    )
    services.save_rule_setting(
        "low_attendance", course_id, enabled=False, params={"window_days": 5}, actor=coordinator
    )
    db.session.commit()
    settings = engine.RuleSettings()
    assert settings.params("low_attendance", None)["min_rate"] == 0.7
    assert settings.params("low_attendance", course_id) == {
        "window_days": 5,
        "min_days": 3,
        "min_rate": 0.7,
    }
    assert settings.enabled("low_attendance", None)
    assert not settings.enabled("low_attendance", course_id)
    entries = _audit("alert_rule.create")
    assert [e.after["course_id"] for e in entries] == [None, course_id]
    assert entries[1].after["params"] == {"window_days": 5} and entries[1].before is None

    override = queries.rule_settings()[("low_attendance", course_id)]
    services.clear_rule_override(override, coordinator)
    db.session.commit()
    assert db.session.scalar(select(func.count(AlertRuleSetting.id))) == 1
    (deleted,) = _audit("alert_rule.delete")
    assert deleted.before["params"] == {"window_days": 5} and deleted.after is None
