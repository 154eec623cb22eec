"""Systematic follow-up: levels, the student's file, notes, cadence, remedial sessions,
end-of-course decisions and withdrawals (services and web flows)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from lms import clock
from lms.attendance.models import AttendanceRecord
from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.catalog.models import Course, Enrolment, cohort_teacher
from lms.errors import ServiceError
from lms.extensions import db
from lms.followup.charts import level_chart
from lms.followup.models import (
    FollowUpNote,
    LevelAssessment,
    ProgressionDecision,
    RemedialInvite,
    RemedialSession,
)
from lms.followup.queries.activity import cohort_mastery
from lms.followup.queries.levels import assessments_of, skill_levels
from lms.followup.queries.people import first_teacher_id, owner_candidates
from lms.followup.rules import interview_cadence
from lms.followup.services.end_of_course import decide_progression, withdraw
from lms.followup.services.levels import record_assessments
from lms.followup.services.notes import add_note
from lms.learning.models import Attempt, Exercise, Production
from tests.conftest import csrf_token

START = date(2026, 9, 14)  # a Monday
TODAY = date(2026, 10, 14)


@pytest.fixture
def world(make_user, make_region, make_cohort, enrol, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    teacher = make_user(Role.TEACHER.value, name="Julie Bouchard")
    coordinator = make_user(Role.COORDINATOR.value, name="Marc-André Gagnon")
    outsider = make_user(Role.TEACHER.value, name="Prof Ailleurs")
    region = make_region("Montréal", coordinators=(coordinator,))
    cohort = make_cohort(region=region, teachers=(teacher,), start_on=START, code="FTC1-A")
    make_cohort(teachers=(outsider,), start_on=START, code="AUTRE")
    student = make_user(name="Amina Haddad")
    enrolment = enrol(student, cohort)
    return {
        "teacher": teacher,
        "coordinator": coordinator,
        "outsider": outsider,
        "cohort": cohort,
        "student": student,
        "enrolment": enrolment,
    }


def _token(client) -> str:
    return csrf_token(client, "/auth/password")


def _count(model) -> int:
    db.session.rollback()  # end the test's read snapshot: see what the server wrote
    return db.session.scalar(select(func.count()).select_from(model))


def _text(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&amp;", "&")


# --- services ----------------------------------------------------------------------------------


def test_interview_cadence_is_due_every_n_days_after_the_last_interview_or_the_start():
    start = date(2026, 9, 14)
    none_yet = interview_cadence(None, start, date(2026, 9, 20), 14)
    assert none_yet.due_on == date(2026, 9, 28) and none_yet.status == "ok"
    assert interview_cadence(None, start, date(2026, 9, 24), 14).status == "ok"  # 4 days left
    assert interview_cadence(None, start, date(2026, 9, 25), 14).status == "soon"  # 3 days
    assert interview_cadence(None, start, date(2026, 9, 28), 14).status == "soon"  # due today
    late = interview_cadence(None, start, date(2026, 9, 30), 14)
    assert late.status == "overdue" and late.days == -2
    after_interview = interview_cadence(date(2026, 9, 29), start, date(2026, 9, 30), 14)
    assert after_interview.due_on == date(2026, 10, 13) and after_interview.status == "ok"
    assert interview_cadence(date(2026, 9, 29), start, date(2026, 10, 13), 7).status == "overdue"


def test_gain_since_placement_uses_the_latest_placement_and_the_latest_level(world):
    student, cohort, teacher = world["student"], world["cohort"], world["teacher"]
    for kind, day, levels in [
        ("placement", date(2026, 9, 8), {"CO": 1, "PO": 1, "CE": 2}),
        ("mid", date(2026, 10, 9), {"CO": 2, "PO": 1}),
        ("adhoc", date(2026, 10, 13), {"CO": 3}),
    ]:
        record_assessments(
            student.id,
            cohort,
            teacher,
            kind=kind,
            assessed_on=day,
            rows=[(s, n, "") for s, n in levels.items()],
            today=TODAY,
        )
    db.session.commit()
    levels = skill_levels(assessments_of([student.id])[student.id])
    assert (levels["CO"].placement, levels["CO"].latest, levels["CO"].gain) == (1, 3, 2)
    assert levels["PO"].gain == 0
    assert (levels["CE"].latest, levels["CE"].gain) == (2, 0)
    assert levels["PE"].latest is None and levels["PE"].gain is None
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "assessment.create")
        )
        == 6
    )


@pytest.mark.parametrize(
    "rows, day, message",
    [
        ([("CO", 3, "")], TODAY + timedelta(days=1), "ne peut pas être dans le futur"),
        ([("CO", 13, "")], TODAY, "de 1 à 12"),
        ([("XX", 3, "")], TODAY, "Compétence inconnue"),
        ([("CO", 3, ""), ("CO", 4, "")], TODAY, "deux fois"),
        ([], TODAY, "au moins une compétence"),
        ([("CO", 3, "")], date(2025, 1, 6), "trop ancienne"),
    ],
)
def test_record_assessments_refuses_bad_input_and_writes_nothing(world, rows, day, message):
    with pytest.raises(ServiceError, match=message):
        record_assessments(
            world["student"].id,
            world["cohort"],
            world["teacher"],
            kind="mid",
            assessed_on=day,
            rows=rows,
            today=TODAY,
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(LevelAssessment.id))) == 0


def test_withdrawal_ends_the_enrolment_and_opens_an_exit_followup(world):
    enrolment, teacher, coordinator = world["enrolment"], world["teacher"], world["coordinator"]
    note = withdraw(
        enrolment,
        coordinator,
        withdrawn_on=date(2026, 10, 9),
        reason="emploi",
        comment="A trouvé un poste de préposée.",
        owner_id=teacher.id,
        today=TODAY,
    )
    db.session.commit()
    db.session.refresh(enrolment)
    assert (enrolment.status, enrolment.end_on, enrolment.withdrawal_reason) == (
        "withdrawn",
        date(2026, 10, 9),
        "emploi",
    )
    assert note.note_type == "sortie" and note.reason == "emploi"
    assert note.owner_id == teacher.id and note.author_id == coordinator.id
    assert note.due_on == TODAY + timedelta(days=7) and note.outcome == "" and note.done_on is None
    assert note.visibility == "team"
    assert "Emploi trouvé" in note.summary and "préposée" in note.summary
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"enrolment.withdraw", "note.create"} <= actions
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "enrolment.withdraw"))
    assert entry.before["status"] == "active" and entry.after["status"] == "withdrawn"
    # An ended enrolment cannot be withdrawn again.
    with pytest.raises(ServiceError, match="déjà terminée"):
        withdraw(
            enrolment,
            coordinator,
            withdrawn_on=TODAY,
            reason="autre",
            comment="",
            owner_id=None,
            today=TODAY,
        )


def test_withdrawal_reasons_map_to_note_reasons(world, enrol, make_user):
    cohort = world["cohort"]
    for reason, expected in [("sans-nouvelles", "absences"), ("garde", "personnelle")]:
        enrolment = enrol(make_user(), cohort)
        note = withdraw(
            enrolment,
            world["teacher"],
            withdrawn_on=TODAY,
            reason=reason,
            comment="",
            owner_id=None,
            today=TODAY,
        )
        assert note.reason == expected and note.owner_id == world["teacher"].id


def test_decision_is_created_then_updated_with_before_and_after(world):
    enrolment, teacher = world["enrolment"], world["teacher"]
    created = decide_progression(
        enrolment, None, teacher, decision="reprend", comment="", today=TODAY
    )
    db.session.commit()
    updated = decide_progression(
        enrolment, created, teacher, decision="passe", comment="Prête pour FTC-2.", today=TODAY
    )
    db.session.commit()
    assert updated is created
    assert db.session.scalar(select(func.count(ProgressionDecision.id))) == 1
    assert (
        decide_progression(
            enrolment, created, teacher, decision="passe", comment="Prête pour FTC-2.", today=TODAY
        )
        is None
    )  # nothing changed, nothing logged
    entries = list(
        db.session.scalars(
            select(AuditLog).where(AuditLog.action.like("decision.%")).order_by(AuditLog.id)
        )
    )
    assert [e.action for e in entries] == ["decision.create", "decision.update"]
    assert entries[1].before["decision"] == "reprend" and entries[1].after["decision"] == "passe"
    with pytest.raises(ServiceError):
        decide_progression(enrolment, created, teacher, decision="promu", comment="", today=TODAY)


def test_note_owner_must_be_in_the_cohorts_scope(world):
    owners = owner_candidates(world["cohort"].id)
    assert [(name, role) for _id, name, role in owners] == [
        ("Julie Bouchard", "teacher"),
        ("Marc-André Gagnon", "coordinator"),
    ]
    with pytest.raises(ServiceError, match="responsable"):
        add_note(
            world["student"].id,
            world["cohort"].id,
            world["teacher"],
            note_type="appel",
            reason="absences",
            held_on=TODAY,
            summary="Appel au sujet des absences.",
            action="Rappeler lundi.",
            owner_id=world["outsider"].id,
            allowed_owner_ids=[uid for uid, _n, _r in owners],
            today=TODAY,
        )


def test_level_chart_draws_one_dashed_series_per_skill_with_a_text_legend(app):
    with app.test_request_context():
        svg = str(
            level_chart(
                {
                    "CO": [(date(2026, 9, 8), 1), (date(2026, 10, 9), 2)],
                    "PO": [(date(2026, 9, 8), 1)],
                    "CE": [],
                    "PE": [(date(2026, 9, 8), 2)],
                },
                {"CO": "Compréhension orale", "PO": "Production orale", "PE": "Production écrite"},
                end=date(2026, 10, 14),
            )
        )
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert svg.count("<path ") == 3  # CE has no assessment: no line
    dashes = re.findall(r'<path [^>]*?(?:stroke-dasharray="([^"]+)")?/>', svg)
    assert len(set(dashes)) == 3  # three different strokes (one solid)
    for name in ("Compréhension orale", "Production orale", "Production écrite"):
        assert f">{name}</text>" in svg
    assert "Compréhension écrite" not in svg
    with app.test_request_context():
        assert level_chart({"CO": []}, {}) is None


# --- web: levels -------------------------------------------------------------------------------


def test_teacher_records_levels_from_the_cohort_table_and_sees_the_gain(client, login_as, world):
    student, cohort = world["student"], world["cohort"]
    db.session.add(
        LevelAssessment(
            student_id=student.id,
            cohort_id=cohort.id,
            skill="CO",
            level=1,
            kind="placement",
            assessed_on=date(2026, 9, 8),
        )
    )
    db.session.commit()
    login_as(world["teacher"])
    table = _text(client.get(f"/cohorts/{cohort.id}/levels"))
    assert "Cible du cours" in table and "niveaux 1 à 2" in table
    form_path = f"/students/{student.id}/assessments/new?cohort={cohort.id}&back=levels"
    assert form_path.replace("&", "&amp;") in client.get(f"/cohorts/{cohort.id}/levels").get_data(
        as_text=True
    )
    page = client.get(form_path)
    assert page.status_code == 200
    response = client.post(
        form_path,
        data={
            "csrf_token": _token(client),
            "kind": "mid",
            "assessed_on": "2026-10-13",
            "rows-0-skill": "CO",
            "rows-0-level": "3",
            "rows-0-evidence": "Comprend les consignes de la tâche « logement ».",
            "rows-1-skill": "PO",
            "rows-1-level": "",
            "rows-2-skill": "CE",
            "rows-2-level": "2",
            "rows-3-skill": "PE",
            "rows-3-level": "",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cohorts/{cohort.id}/levels")
    assert _count(LevelAssessment) == 3  # empty rows skipped
    mine = db.session.scalar(
        select(LevelAssessment)
        .where(LevelAssessment.skill == "CO")
        .where(LevelAssessment.kind == "mid")
    )
    assert mine.assessor_id == world["teacher"].id and mine.cohort_id == cohort.id
    table = _text(client.get(f"/cohorts/{cohort.id}/levels"))
    assert "+2" in table  # CO: placement 1, latest 3
    file_page = _text(client.get(f"/students/{student.id}"))
    assert "<svg" in file_page and "Compréhension orale" in file_page
    assert "stroke-dasharray" in file_page
    assert "Évaluation (mi-parcours) : CO 3 · CE 2" in file_page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"assessed_on": "2026-10-15", "rows-0-level": "3"}, "ne peut pas être dans le futur"),
        ({"rows-0-level": "13"}, "Le niveau doit être un nombre de 1 à 12."),
        ({"rows-0-skill": "ZZ", "rows-0-level": "3"}, "Compétence inconnue."),
        ({"kind": "examen", "rows-0-level": "3"}, "Type d'évaluation inconnu."),
        ({}, "Indiquez le niveau d'au moins une compétence."),
        ({"assessed_on": "", "rows-0-level": "3"}, "Indiquez la date de l'évaluation."),
    ],
)
def test_bad_assessment_input_gets_422_in_french_and_writes_nothing(
    client, login_as, world, data, message
):
    login_as(world["teacher"])
    base = {"kind": "mid", "assessed_on": "2026-10-13"}
    base.update({f"rows-{i}-skill": s for i, s in enumerate(("CO", "PO", "CE", "PE"))})
    response = client.post(
        f"/students/{world['student'].id}/assessments/new",
        data={"csrf_token": _token(client), **base, **data},
    )
    assert response.status_code == 422
    assert message in _text(response)
    assert _count(LevelAssessment) == 0


# --- web: notes --------------------------------------------------------------------------------


def _note_data(client, **overrides):
    data = {
        "csrf_token": _token(client),
        "note_type": "entretien",
        "reason": "absences",
        "held_on": "2026-10-13",
        "summary": "Entretien sur les absences du lundi.",
        "action": "Vérifier l'horaire de garderie.",
        "owner_id": "",
        "due_on": "2026-10-20",
        "visibility": "team",
    }
    data.update(overrides)
    return data


def test_teacher_writes_a_note_then_records_its_outcome(client, login_as, world):
    student, teacher = world["student"], world["teacher"]
    login_as(teacher)
    form = _text(client.get(f"/students/{student.id}/notes/new"))
    assert "Julie Bouchard (enseignant·e)" in form and "Marc-André Gagnon (conseiller·ère)" in form
    assert "Prof Ailleurs" not in form
    response = client.post(
        f"/students/{student.id}/notes/new", data=_note_data(client, owner_id=str(teacher.id))
    )
    assert response.status_code == 302
    assert _count(FollowUpNote) == 1
    note = db.session.scalar(select(FollowUpNote))
    assert (note.cohort_id, note.author_id, note.owner_id) == (
        world["cohort"].id,
        teacher.id,
        teacher.id,
    )
    page = _text(client.get(f"/students/{student.id}"))
    assert "Actions de suivi en cours" in page and "Vérifier l'horaire de garderie." in page
    assert "Entretien de suivi — Absences" in page
    edit = client.post(
        f"/notes/{note.id}",
        data=_note_data(
            client,
            owner_id=str(teacher.id),
            outcome="Place en garderie trouvée.",
            done_on="2026-10-14",
        ),
    )
    assert edit.status_code == 302
    db.session.rollback()
    note = db.session.get(FollowUpNote, note.id)
    assert note.outcome == "Place en garderie trouvée." and note.done_on == TODAY
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "note.update"))
    assert entry.before == {"outcome": "", "done_on": None}
    assert entry.after == {"outcome": "Place en garderie trouvée.", "done_on": "2026-10-14"}
    assert "Aucune action en cours." in _text(client.get(f"/students/{student.id}"))


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"owner_id": "OUTSIDER"}, "Choisissez la ou le responsable parmi les enseignant·es"),
        ({"held_on": "2026-10-15"}, "La date de l'échange ne peut pas être dans le futur."),
        ({"summary": "  "}, "Résumez l'échange."),
        ({"note_type": "courriel"}, "Type de note inconnu."),
        ({"action": "Rappeler.", "owner_id": ""}, "Une action doit avoir une ou un responsable."),
        ({"due_on": "2026-10-01", "owner_id": "TEACHER"}, "L'échéance ne peut pas précéder"),
    ],
)
def test_bad_note_input_gets_422_in_french_and_writes_nothing(
    client, login_as, world, overrides, message
):
    ids = {"OUTSIDER": str(world["outsider"].id), "TEACHER": str(world["teacher"].id)}
    overrides = {k: ids.get(v, v) for k, v in overrides.items()}
    login_as(world["teacher"])
    response = client.post(
        f"/students/{world['student'].id}/notes/new", data=_note_data(client, **overrides)
    )
    assert response.status_code == 422
    assert message in _text(response)
    assert _count(FollowUpNote) == 0


def test_a_student_sees_shared_notes_but_never_team_only_notes(client, login_as, world):
    student, teacher, cohort = world["student"], world["teacher"], world["cohort"]
    for visibility, summary in [
        ("student", "Bravo pour tes progrès à l'oral."),
        ("team", "Soupçon de difficulté familiale: à surveiller."),
    ]:
        db.session.add(
            FollowUpNote(
                student_id=student.id,
                cohort_id=cohort.id,
                author_id=teacher.id,
                note_type="entretien",
                reason="apprentissage",
                held_on=date(2026, 10, 13),
                summary=summary,
                visibility=visibility,
            )
        )
    db.session.commit()
    team_note = db.session.scalar(select(FollowUpNote).where(FollowUpNote.visibility == "team"))
    login_as(student)
    page = _text(client.get("/learn/followup"))
    assert "Bravo pour tes progrès à l'oral." in page
    assert "Soupçon" not in page
    # The staff pages are closed to students: by role, whatever the id.
    assert client.get(f"/students/{student.id}").status_code == 403
    assert client.get(f"/notes/{team_note.id}").status_code == 403
    assert "Soupçon" not in _text(client.get("/learn/"))


# --- web: withdrawal ---------------------------------------------------------------------------


def _withdraw(client, enrolment_id, **fields):
    prefix = f"withdraw-{enrolment_id}-"
    data = {"csrf_token": _token(client)}
    data.update({prefix + k: v for k, v in fields.items()})
    return client.post(f"/enrolments/{enrolment_id}/withdraw", data=data)


def test_withdrawal_from_the_file_opens_the_exit_followup(client, login_as, world):
    enrolment, student = world["enrolment"], world["student"]
    login_as(world["teacher"])
    page = _text(client.get(f"/students/{student.id}"))
    assert f"/enrolments/{enrolment.id}/withdraw" in page
    response = _withdraw(
        client, enrolment.id, withdrawn_on="2026-10-09", reason="demenagement", comment="Gatineau"
    )
    assert response.status_code == 302
    db.session.rollback()
    enrolment = db.session.get(Enrolment, enrolment.id)
    assert enrolment.status == "withdrawn" and enrolment.end_on == date(2026, 10, 9)
    note = db.session.scalar(select(FollowUpNote))
    assert (note.note_type, note.reason, note.owner_id, note.due_on) == (
        "sortie",
        "personnelle",
        world["teacher"].id,
        date(2026, 10, 21),
    )
    page = _text(client.get(f"/students/{student.id}"))
    assert "Départ du groupe FTC1-A : Déménagement" in page
    assert "Suivi de départ" in page
    assert f"/enrolments/{enrolment.id}/withdraw" not in page  # no more form: it has ended


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"withdrawn_on": "2026-09-11", "reason": "emploi"},
            "La date du départ ne peut pas précéder le début de l'inscription (14 septembre 2026).",
        ),
        ({"withdrawn_on": "2026-10-15", "reason": "emploi"}, "ne peut pas être dans le futur"),
        ({"withdrawn_on": "2026-10-09", "reason": "lassitude"}, "Raison inconnue."),
        ({"withdrawn_on": "", "reason": "emploi"}, "Indiquez la date du départ."),
    ],
)
def test_bad_withdrawal_gets_422_in_french_and_writes_nothing(
    client, login_as, world, fields, message
):
    login_as(world["teacher"])
    response = _withdraw(client, world["enrolment"].id, **fields)
    assert response.status_code == 422
    assert message in _text(response)
    db.session.rollback()
    enrolment = db.session.get(Enrolment, world["enrolment"].id)
    assert enrolment.status == "active" and enrolment.end_on is None
    assert _count(FollowUpNote) == 0


def test_withdrawing_an_ended_enrolment_is_refused(client, login_as, world, enrol, make_user):
    ended = enrol(make_user(), world["cohort"], status="completed", end_on=date(2026, 10, 2))
    login_as(world["teacher"])
    response = _withdraw(client, ended.id, withdrawn_on="2026-10-01", reason="emploi")
    assert response.status_code == 422
    assert "Cette inscription est déjà terminée" in _text(response)
    assert _count(FollowUpNote) == 0


# --- web: remedial sessions --------------------------------------------------------------------


def test_teacher_schedules_a_remedial_session_and_records_attendance(
    client, login_as, world, enrol, make_user, monkeypatch
):
    cohort, student = world["cohort"], world["student"]
    other = make_user(name="Carlos Morales")
    enrol(other, cohort)
    gone = make_user(name="Parti Ailleurs")
    enrol(gone, cohort, status="withdrawn", end_on=date(2026, 9, 30))
    login_as(world["teacher"])
    page = _text(client.get(f"/cohorts/{cohort.id}/remedial"))
    assert "Carlos Morales" in page and "Parti Ailleurs" not in page
    data = {
        "csrf_token": _token(client),
        "day": "2026-10-16",
        "start": "13:30",
        "duration_minutes": "90",
        "topic": "Passé composé",
        "student_ids": [str(student.id), str(other.id)],
    }
    refused = client.post(
        f"/cohorts/{cohort.id}/remedial", data={**data, "student_ids": [str(gone.id)]}
    )
    assert refused.status_code == 422
    assert "Seuls les élèves actifs du groupe" in _text(refused)
    assert _count(RemedialSession) == 0
    response = client.post(f"/cohorts/{cohort.id}/remedial", data=data)
    assert response.status_code == 302
    session = db.session.scalar(select(RemedialSession)) if _count(RemedialSession) else None
    assert session is not None and session.duration_minutes == 90
    starts = session.starts_at.replace(tzinfo=session.starts_at.tzinfo or UTC)
    assert starts == datetime(2026, 10, 16, 17, 30, tzinfo=UTC)  # 13 h 30 in Quebec (EDT)
    path = f"/remedial/{session.id}"
    early = client.post(
        path,
        data={"csrf_token": _token(client), f"attended-{student.id}": "present", "outcome": "x"},
    )
    assert early.status_code == 422 and "n'a pas encore eu lieu" in _text(early)
    monkeypatch.setattr(clock, "today", lambda: date(2026, 10, 16))
    done = client.post(
        path,
        data={
            "csrf_token": _token(client),
            f"attended-{student.id}": "present",
            f"attended-{other.id}": "absent",
            f"note-{other.id}": "Malade",
            "outcome": "Révision des auxiliaires être et avoir.",
        },
    )
    assert done.status_code == 302
    db.session.rollback()
    attended = dict(
        db.session.execute(select(RemedialInvite.student_id, RemedialInvite.attended)).all()
    )
    assert attended == {student.id: True, other.id: False}
    listing = _text(client.get(f"/cohorts/{cohort.id}/remedial"))
    assert "1 présent·es, 1 absent·es" in listing
    file_page = _text(client.get(f"/students/{student.id}"))
    assert "Récupération : Passé composé (présent·e)" in file_page


# --- web: end of course ------------------------------------------------------------------------


def test_decisions_page_shows_final_levels_and_saves_decisions(client, login_as, world):
    cohort, student, enrolment = world["cohort"], world["student"], world["enrolment"]
    db.session.add(
        LevelAssessment(
            student_id=student.id,
            cohort_id=cohort.id,
            skill="PO",
            level=2,
            kind="final",
            assessed_on=date(2026, 10, 13),
        )
    )
    db.session.commit()
    login_as(world["teacher"])
    path = f"/cohorts/{cohort.id}/decisions"
    page = _text(client.get(path))
    assert "Amina Haddad" in page and "(cible atteinte)" in page  # PO 2 ≥ course level_max 2
    bad = client.post(path, data={"csrf_token": _token(client), f"decision-{enrolment.id}": "x"})
    assert bad.status_code == 422 and "Choisissez une décision dans la liste." in _text(bad)
    assert _count(ProgressionDecision) == 0
    for decision in ("reprend", "passe"):
        ok = client.post(
            path,
            data={
                "csrf_token": _token(client),
                f"decision-{enrolment.id}": decision,
                f"comment-{enrolment.id}": "Bonne progression.",
            },
        )
        assert ok.status_code == 302
    assert _count(ProgressionDecision) == 1
    assert db.session.scalar(select(ProgressionDecision.decision)) == "passe"
    assert "Décision de fin de cours : Passe au cours suivant" in _text(
        client.get(f"/students/{student.id}")
    )


# --- web: the dashboard ------------------------------------------------------------------------


def _attendance(student_id, cohort_id, day, status="present", minutes=0, reason=None):
    missed = {"late": minutes, "left_early": minutes, "absent": 360, "justified": 360}
    return AttendanceRecord(
        cohort_id=cohort_id,
        student_id=student_id,
        day=day,
        status=status,
        minutes=minutes,
        reason=reason,
        scheduled_minutes=360,
        attended_minutes=360 - missed.get(status, 0),
    )


def test_dashboard_shows_rates_cadence_levels_and_sorts_without_javascript(
    client, login_as, world, enrol, make_user
):
    cohort = world["cohort"]
    amina = world["student"]
    zoe = make_user(name="Zoé Tremblay")
    enrol(zoe, cohort)
    db.session.add_all(
        [
            _attendance(amina.id, cohort.id, date(2026, 10, 13), "absent"),
            _attendance(amina.id, cohort.id, date(2026, 10, 14)),
            _attendance(zoe.id, cohort.id, date(2026, 10, 13)),
            _attendance(zoe.id, cohort.id, date(2026, 10, 14), "late", 36),
            FollowUpNote(
                student_id=zoe.id,
                cohort_id=cohort.id,
                note_type="entretien",
                reason="autre",
                held_on=date(2026, 10, 9),
                summary="Entretien.",
            ),
        ]
    )
    db.session.commit()
    login_as(world["teacher"])
    page = _text(client.get(f"/cohorts/{cohort.id}/follow-up"))
    assert "50 %" in page and "95 %" in page
    assert "En retard" in page and "⚠" in page  # Amina: no interview since 14 Sept.
    assert "À jour" in page  # Zoé: interviewed on 9 Oct.
    assert f"/students/{amina.id}" in page
    assert 'aria-sort="ascending"' in page  # by name by default
    assert page.index("Amina Haddad") < page.index("Zoé Tremblay")
    by_rate = _text(client.get(f"/cohorts/{cohort.id}/follow-up?sort=attendance&dir=desc"))
    assert 'aria-sort="descending"' in by_rate
    assert by_rate.index("Zoé Tremblay") < by_rate.index("Amina Haddad")
    assert "sort=attendance&dir=asc" in by_rate  # the sorted header toggles
    assert client.get(f"/cohorts/{cohort.id}/follow-up?sort=bogus").status_code == 200


def test_cohort_mastery_is_the_mean_of_best_scores_over_auto_graded_exercises(world, make_lesson):
    course = db.session.get(Course, world["cohort"].course_id)
    lesson = make_lesson(
        course,
        [
            ("cloze", {"text": "[[a]]"}),
            ("cloze", {"text": "[[b]]"}),
            ("written_production", {"min_words": 1, "max_words": 5}),
        ],
    )
    first, second, _prod = db.session.scalars(
        select(Exercise).where(Exercise.lesson_id == lesson.id).order_by(Exercise.position)
    )
    student = world["student"]
    for exercise, score in [(first, 0.5), (first, 1.0), (second, 0.6)]:
        db.session.add(
            Attempt(
                student_id=student.id,
                exercise_id=exercise.id,
                answer=["x"],
                score=score,
                feedback={},
            )
        )
    db.session.commit()
    assert cohort_mastery(course.id, [student.id]) == {student.id: pytest.approx(0.8)}


# --- query counts ------------------------------------------------------------------------------


def _add_students(cohort, n, make_user, enrol, assessments=True):
    for i in range(n):
        student = make_user(name=f"Élève {i:02d}")
        enrol(student, cohort)
        db.session.add(_attendance(student.id, cohort.id, date(2026, 10, 13), "absent"))
        if assessments:
            db.session.add(
                LevelAssessment(
                    student_id=student.id,
                    cohort_id=cohort.id,
                    skill="CE",
                    level=2,
                    kind="placement",
                    assessed_on=date(2026, 9, 14),
                )
            )
            db.session.add(
                FollowUpNote(
                    student_id=student.id,
                    cohort_id=cohort.id,
                    note_type="entretien",
                    reason="autre",
                    held_on=date(2026, 10, 1),
                    summary="Entretien.",
                )
            )
    db.session.commit()


def test_dashboard_makes_the_same_number_of_queries_for_5_and_40_students(
    client, login_as, world, make_user, make_cohort, enrol, count_queries
):
    login_as(world["teacher"])
    small = make_cohort(teachers=(world["teacher"],), start_on=START)
    large = make_cohort(teachers=(world["teacher"],), start_on=START)
    _add_students(small, 5, make_user, enrol)
    _add_students(large, 40, make_user, enrol)
    with count_queries() as five:
        page = client.get(f"/cohorts/{small.id}/follow-up")
    assert page.status_code == 200
    with count_queries() as forty:
        page = client.get(f"/cohorts/{large.id}/follow-up?sort=CE&dir=desc")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("/notes/new") == 40
    assert len(five) == len(forty), (len(five), len(forty))
    for path in ("levels", "decisions", "remedial"):
        with count_queries() as few:
            assert client.get(f"/cohorts/{small.id}/{path}").status_code == 200
        with count_queries() as many:
            assert client.get(f"/cohorts/{large.id}/{path}").status_code == 200
        assert len(few) == len(many), path


def _add_history(student, cohort, exercise, n):
    """``n`` events of every kind for one student."""
    for i in range(n):
        day = START + timedelta(days=i % 28)
        db.session.add(_attendance(student.id, cohort.id, START + timedelta(days=i), "late", 10))
        db.session.add(
            Attempt(
                student_id=student.id,
                exercise_id=exercise.id,
                answer=["x"],
                score=0.5,
                feedback={},
                created_at=datetime(2026, 9, 14, 15, tzinfo=UTC) + timedelta(days=i),
            )
        )
        db.session.add(
            Production(
                student_id=student.id,
                exercise_id=exercise.id,
                cohort_id=cohort.id,
                text="Texte.",
                status="returned",
                score=0.75,
                graded_at=datetime(2026, 9, 20, tzinfo=UTC),
            )
        )
        db.session.add(
            LevelAssessment(
                student_id=student.id,
                cohort_id=cohort.id,
                skill="CO",
                level=1 + i % 12,
                kind="adhoc",
                assessed_on=day,
            )
        )
        db.session.add(
            FollowUpNote(
                student_id=student.id,
                cohort_id=cohort.id,
                note_type="appel",
                reason="absences",
                held_on=day,
                summary=f"Appel {i}.",
            )
        )
        session = RemedialSession(
            cohort_id=cohort.id,
            starts_at=datetime(2026, 9, 15, 18, tzinfo=UTC) + timedelta(days=i),
            topic=f"Séance {i}",
        )
        db.session.add(session)
        db.session.flush()
        db.session.add(RemedialInvite(session_id=session.id, student_id=student.id, attended=True))
    db.session.commit()


def test_student_file_makes_the_same_number_of_queries_with_few_and_many_events(
    client, login_as, world, make_user, enrol, make_lesson, count_queries
):
    cohort = world["cohort"]
    course = db.session.get(Course, cohort.course_id)
    exercise = db.session.scalar(
        select(Exercise).where(Exercise.lesson_id == make_lesson(course).id)
    )
    few, many = make_user(name="Peu Dévénements"), make_user(name="Beaucoup Dévénements")
    for student, n in ((few, 1), (many, 25)):
        enrolment = enrol(student, cohort)
        db.session.add(
            ProgressionDecision(enrolment_id=enrolment.id, decision="passe", decided_on=TODAY)
        )
        _add_history(student, cohort, exercise, n)
    login_as(world["teacher"])
    with count_queries() as small:
        page = client.get(f"/students/{few.id}")
    assert page.status_code == 200
    with count_queries() as large:
        page = client.get(f"/students/{many.id}")
    assert page.status_code == 200
    text = _text(page)
    assert "Voir plus" in text and "Appel 24." in text and "Séance 24" in text
    assert "1 exercice en ligne, moyenne 50 %" in text
    assert "Retard de 10 min" in text
    assert len(small) == len(large), (len(small), len(large))
    more = _text(client.get(f"/students/{many.id}?events=1000"))
    assert "Voir plus" not in more and "Appel 0." in more


def test_timeline_lists_newest_first_and_skips_present_days(client, login_as, world):
    student, cohort = world["student"], world["cohort"]
    db.session.add_all(
        [
            _attendance(student.id, cohort.id, date(2026, 10, 5)),
            _attendance(student.id, cohort.id, date(2026, 10, 6), "justified", reason="maladie"),
            _attendance(student.id, cohort.id, date(2026, 10, 7), "absent"),
        ]
    )
    db.session.commit()
    login_as(world["teacher"])
    page = _text(client.get(f"/students/{student.id}"))
    assert "Absence motivée : maladie" in page
    assert page.index("7 oct. 2026") < page.index("6 oct. 2026")  # newest first
    assert "5 oct. 2026" not in page  # a present day is not an event
    assert page.index("Inscription au groupe FTC1-A") > page.index("6 oct. 2026")


def test_a_second_teacher_of_the_cohort_is_an_owner_candidate(world, make_user):
    second = make_user(Role.TEACHER.value, name="Anne Aubin")
    db.session.execute(
        insert(cohort_teacher), [{"cohort_id": world["cohort"].id, "user_id": second.id}]
    )
    db.session.commit()
    owners = owner_candidates(world["cohort"].id)
    assert [name for _i, name, _r in owners] == [
        "Anne Aubin",
        "Julie Bouchard",
        "Marc-André Gagnon",
    ]
    assert first_teacher_id(owners) == second.id
