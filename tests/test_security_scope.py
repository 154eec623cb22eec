"""Security audit (ASVS L2): scope of the CSV import, of the student's follow-up file and of
note edits.

Finding 1: a coordinator must not pull a student of another region into their cohort through
the import, and the follow-up file shows each viewer only the data of the cohorts in their own
scope. Finding 3: a note is edited only by its author, its owner, the coordinators of its
cohort's region and admins.
"""

from __future__ import annotations

import html
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from lms import clock
from lms.alerts.models import Alert
from lms.attendance.models import AttendanceRecord
from lms.audit.models import AuditLog
from lms.auth.models import Role, User
from lms.catalog.models import Course, Enrolment, cohort_teacher
from lms.extensions import db
from lms.followup.models import (
    FollowUpNote,
    LevelAssessment,
    ProgressionDecision,
    RemedialInvite,
    RemedialSession,
)
from lms.followup.queries import timeline
from lms.followup.queries.activity import attendance_by_cohort, online_summary
from lms.followup.queries.file import student_enrolments
from lms.followup.queries.levels import assessments_of
from lms.followup.queries.notes import last_interviews, open_actions
from lms.learning.models import Exercise, Production
from tests.conftest import client_for, csrf_token

START = date(2026, 9, 14)  # a Monday
TODAY = date(2026, 10, 14)
GENERIC = "Ce courriel ne peut pas être importé dans ce groupe."
_GENERIC_TAIL = " Vérifiez l'adresse ou communiquez avec l'administration."

# What only Montréal's team may read, and what only Capitale-Nationale's team may read.
MTL_MARKERS = (
    "MTL-G1",
    "Secret montréalais : situation familiale",
    "Preuve montréalaise",
    "Récupération montréalaise",
    "Décision montréalaise",
    "Leçon montréalaise",
    "Absences consécutives",
)
QC_MARKERS = ("QC-G1", "Note de Québec", "Preuve québécoise")


@pytest.fixture
def world(make_user, make_region, make_cohort, enrol, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    people = {
        "admin": make_user(Role.ADMIN.value, name="Admin Central"),
        "coordo_mtl": make_user(Role.COORDINATOR.value, name="Coordo Montréal"),
        "coordo_qc": make_user(Role.COORDINATOR.value, name="Coordo Québec"),
        "prof_mtl": make_user(Role.TEACHER.value, name="Prof Autrice"),
        "prof_owner": make_user(Role.TEACHER.value, name="Prof Responsable"),
        "prof_co": make_user(Role.TEACHER.value, name="Prof Collègue"),
        "prof_qc": make_user(Role.TEACHER.value, name="Prof Québec"),
    }
    montreal = make_region("Montréal", coordinators=(people["coordo_mtl"],))
    capitale = make_region("Capitale-Nationale", coordinators=(people["coordo_qc"],))
    cohort_mtl = make_cohort(
        region=montreal,
        teachers=(people["prof_mtl"], people["prof_owner"], people["prof_co"]),
        start_on=START,
        code="MTL-G1",
    )
    cohort_qc = make_cohort(
        region=capitale, teachers=(people["prof_qc"],), start_on=START, code="QC-G1"
    )
    student = make_user(email="eleve@demo.lms", name="Élève Démo")
    enrolment_mtl = enrol(student, cohort_mtl)
    note = FollowUpNote(
        student_id=student.id,
        cohort_id=cohort_mtl.id,
        author_id=people["prof_mtl"].id,
        owner_id=people["prof_owner"].id,
        note_type="entretien",
        reason="personnelle",
        held_on=date(2026, 10, 1),
        summary="Secret montréalais : situation familiale",
        action="Rappeler la travailleuse sociale.",
        due_on=date(2026, 10, 20),
        visibility="team",
    )
    db.session.add(note)
    db.session.commit()
    return {
        **people,
        "montreal": montreal,
        "capitale": capitale,
        "cohort_mtl": cohort_mtl,
        "cohort_qc": cohort_qc,
        "student": student,
        "enrolment_mtl": enrolment_mtl,
        "note": note,
    }


def _text(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&amp;", "&")


def _count(model, *conditions) -> int:
    db.session.rollback()  # end the test's read snapshot: see what the server wrote
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def _enrolments_of(student) -> set[int]:
    db.session.rollback()
    return set(
        db.session.scalars(select(Enrolment.cohort_id).where(Enrolment.student_id == student.id))
    )


# --- finding 1: the import ---------------------------------------------------------------------


def _upload(client, cohort, content: str):
    token = csrf_token(client, f"/cohorts/{cohort.id}/import")
    return client.post(
        f"/cohorts/{cohort.id}/import",
        data={"file": (io.BytesIO(content.encode()), "eleves.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )


def _confirm(client, cohort, content: str):
    return client.post(
        f"/cohorts/{cohort.id}/import",
        data={"payload": content, "csrf_token": csrf_token(client, "/auth/password")},
    )


def test_import_refuses_a_student_of_another_region_and_writes_nothing(world, server):
    coordo, cohort_qc, student = world["coordo_qc"], world["cohort_qc"], world["student"]
    client = client_for(server, coordo)
    content = "courriel,nom\neleve@demo.lms,Élève Démo\nnouvelle@example.org,Nouvelle Élève\n"
    before = (_count(User), _count(Enrolment))

    preview = _upload(client, cohort_qc, content)
    page = _text(preview)
    assert preview.status_code == 422
    assert GENERIC in page
    assert "Montréal" not in page and "MTL-G1" not in page
    assert "existant" not in page  # the account column does not tell either
    assert 'name="payload"' not in page

    # Even a hand-made confirmation writes nothing.
    confirm = _confirm(client, cohort_qc, content)
    assert confirm.status_code == 422
    assert GENERIC in _text(confirm)
    assert (_count(User), _count(Enrolment)) == before
    assert _enrolments_of(student) == {world["cohort_mtl"].id}
    assert _count(AuditLog, AuditLog.action == "cohort.import_students") == 0

    # And the cohort's teacher still cannot open her file.
    teacher = client_for(server, world["prof_qc"])
    assert teacher.get(f"/students/{student.id}").status_code == 404


def test_import_gives_one_generic_error_for_every_email_it_cannot_take(app, world, make_user):
    from lms.catalog.services import parse_student_csv

    staff = [
        make_user(Role.TEACHER.value, email="prof.x@example.org"),
        make_user(Role.COORDINATOR.value, email="coordo.x@example.org"),
        make_user(Role.ADMIN.value, email="admin.x@example.org"),
    ]
    emails = [u.email for u in staff] + [world["student"].email]
    text = "courriel,nom\n" + "".join(f"{e},Quelqu'un\n" for e in emails)
    for actor in (world["coordo_qc"], world["admin"]):
        preview = parse_student_csv(text, world["cohort_qc"], today=TODAY, actor=actor)
        errors = {r.email: r.errors for r in preview.rows}
        for email in (u.email for u in staff):
            assert errors[email] == [GENERIC + _GENERIC_TAIL], (actor.role, email)
            assert not any("élève" in e for e in errors[email])  # no role named
    # The coordinator of another region gets the very same text for a student of Montréal.
    preview = parse_student_csv(text, world["cohort_qc"], today=TODAY, actor=world["coordo_qc"])
    by_email = {r.email: r for r in preview.rows}
    assert by_email[world["student"].email].errors == [GENERIC + _GENERIC_TAIL]
    assert all(by_email[e].refused for e in emails)


def test_import_takes_fresh_accounts_and_students_already_in_the_actors_scope(
    world, server, make_user, make_cohort, enrol
):
    from lms.catalog.services import parse_student_csv

    coordo, cohort_qc = world["coordo_qc"], world["cohort_qc"]
    fresh = make_user(email="sans.inscription@example.org")  # an account never enrolled
    former = make_user(email="ancienne@example.org")  # once in another cohort of the region
    old_qc = make_cohort(region=world["capitale"], start_on=date(2026, 6, 1))
    enrol(former, old_qc, end_on=date(2026, 8, 20), status="completed")
    enrol(former, world["cohort_mtl"])  # and Montréal since: she is still in Québec's scope
    content = (
        "courriel,nom\n"
        "sans.inscription@example.org,Sans Inscription\n"
        "ancienne@example.org,Ancienne Élève\n"
        "toute.nouvelle@example.org,Toute Nouvelle\n"
    )
    preview = parse_student_csv(content, cohort_qc, today=TODAY, actor=coordo)
    assert preview.ok, [r.errors for r in preview.rows]

    client = client_for(server, coordo)
    assert _upload(client, cohort_qc, content).status_code == 200
    response = _confirm(client, cohort_qc, content)
    assert response.status_code == 200
    assert "3 élèves ont été inscrit·es" in _text(response)
    assert cohort_qc.id in _enrolments_of(fresh) and cohort_qc.id in _enrolments_of(former)


def test_only_an_admin_moves_a_student_across_regions(world, server):
    admin, cohort_qc, student = world["admin"], world["cohort_qc"], world["student"]
    client = client_for(server, admin)
    content = "courriel,nom\neleve@demo.lms,Élève Démo\n"
    preview = _upload(client, cohort_qc, content)
    assert preview.status_code == 200 and "existant" in _text(preview)
    payload = _text(preview).split('name="payload" type="hidden" value="')[1].split('"')[0]
    assert _confirm(client, cohort_qc, html.unescape(payload)).status_code == 200
    assert _enrolments_of(student) == {world["cohort_mtl"].id, cohort_qc.id}


# --- finding 1: the follow-up file shows only the viewer's cohorts -----------------------------


def _history(world, make_lesson) -> None:
    """Montréal's data about the student (one of each kind), and Québec's since her move."""
    student, mtl, qc = world["student"], world["cohort_mtl"], world["cohort_qc"]
    course = db.session.get(Course, mtl.course_id)
    lesson = make_lesson(course)
    lesson.title = "Leçon montréalaise"
    exercise = db.session.scalar(select(Exercise).where(Exercise.lesson_id == lesson.id))
    session = RemedialSession(
        cohort_id=mtl.id,
        starts_at=datetime(2026, 9, 24, 18, tzinfo=UTC),
        topic="Récupération montréalaise",
    )
    db.session.add(session)
    db.session.flush()
    db.session.add_all(
        [
            RemedialInvite(session_id=session.id, student_id=student.id, attended=False),
            AttendanceRecord(
                cohort_id=mtl.id,
                student_id=student.id,
                day=date(2026, 9, 22),
                status="absent",
                minutes=0,
                scheduled_minutes=360,
                attended_minutes=0,
            ),
            LevelAssessment(
                student_id=student.id,
                cohort_id=mtl.id,
                skill="CO",
                level=4,
                kind="placement",
                assessed_on=START,
                evidence="Preuve montréalaise",
            ),
            Production(
                student_id=student.id,
                exercise_id=exercise.id,
                cohort_id=mtl.id,
                text="Texte.",
                submitted_at=datetime(2026, 9, 25, 15, tzinfo=UTC),
            ),
            ProgressionDecision(
                enrolment_id=world["enrolment_mtl"].id,
                decision="reprend",
                decided_on=date(2026, 10, 2),
                comment="Décision montréalaise",
            ),
            Alert(
                rule_code="absence_streak",
                subject_key=f"student:{student.id}:cohort:{mtl.id}",
                open_key=f"absence_streak:student:{student.id}:cohort:{mtl.id}",
                student_id=student.id,
                cohort_id=mtl.id,
                severity="critical",
                evidence={"count": 3, "dates": ["2026-09-22", "2026-09-23", "2026-09-24"]},
                opened_at=datetime(2026, 9, 25, 12, tzinfo=UTC),
            ),
        ]
    )
    # An admin moved her to Capitale-Nationale: Québec's own data from then on.
    db.session.add(Enrolment(student_id=student.id, cohort_id=qc.id, start_on=date(2026, 10, 5)))
    db.session.add_all(
        [
            FollowUpNote(
                student_id=student.id,
                cohort_id=qc.id,
                author_id=world["prof_qc"].id,
                note_type="entretien",
                reason="apprentissage",
                held_on=date(2026, 10, 7),
                summary="Note de Québec",
                visibility="team",
            ),
            LevelAssessment(
                student_id=student.id,
                cohort_id=qc.id,
                skill="PO",
                level=5,
                kind="adhoc",
                assessed_on=date(2026, 10, 8),
                evidence="Preuve québécoise",
            ),
        ]
    )
    db.session.commit()


@pytest.mark.parametrize("viewer", ["coordo_qc", "prof_qc"])
def test_the_file_shows_capitale_nationale_only_its_own_cohorts(world, server, make_lesson, viewer):
    _history(world, make_lesson)
    page = _text(
        client_for(server, world[viewer]).get(f"/students/{world['student'].id}?events=500")
    )
    for marker in QC_MARKERS:
        assert marker in page, marker
    for marker in MTL_MARKERS:
        assert marker not in page, marker
    assert "Rappeler la travailleuse sociale." not in page  # Montréal's open action


@pytest.mark.parametrize("viewer", ["coordo_mtl", "prof_mtl"])
def test_the_file_shows_montreal_only_its_own_cohorts(world, server, make_lesson, viewer):
    _history(world, make_lesson)
    page = _text(
        client_for(server, world[viewer]).get(f"/students/{world['student'].id}?events=500")
    )
    for marker in MTL_MARKERS:
        assert marker in page, marker
    for marker in QC_MARKERS:
        assert marker not in page, marker


def test_an_admin_sees_the_whole_file(world, server, make_lesson):
    _history(world, make_lesson)
    page = _text(
        client_for(server, world["admin"]).get(f"/students/{world['student'].id}?events=500")
    )
    for marker in MTL_MARKERS + QC_MARKERS:
        assert marker in page, marker


def test_file_queries_take_the_viewers_scope(world, make_lesson):
    _history(world, make_lesson)
    student, coordo = world["student"], world["coordo_qc"]
    qc, mtl = world["cohort_qc"].id, world["cohort_mtl"].id
    assert [line.cohort.id for line in student_enrolments(student.id, viewer=coordo)] == [qc]
    assert {a.cohort_id for a in assessments_of([student.id], viewer=coordo)[student.id]} == {qc}
    assert set(attendance_by_cohort(student.id, viewer=coordo)) <= {qc}
    assert online_summary(student.id, viewer=coordo).submitted == 0
    assert online_summary(student.id, viewer=world["coordo_mtl"]).submitted == 1
    assert open_actions(student.id, viewer=coordo) == []
    assert last_interviews([student.id], TODAY, viewer=coordo)[student.id] == date(2026, 10, 7)
    montreal = world["coordo_mtl"]
    assert last_interviews([student.id], TODAY, viewer=montreal)[student.id] == date(2026, 10, 1)
    events, _more = timeline.student_timeline(student.id, 500, viewer=coordo)
    assert {e.cohort_code for e in events} == {"QC-G1"}
    everything, _more = timeline.student_timeline(student.id, 500, viewer=world["admin"])
    assert {e.cohort_code for e in everything} >= {"QC-G1", "MTL-G1"}
    assert mtl not in {e.link_cohort_id for e in events}


def _add_events(world, cohort, n):
    student = world["student"]
    for i in range(n):
        day = START + timedelta(days=i % 28)
        db.session.add(
            AttendanceRecord(
                cohort_id=cohort.id,
                student_id=student.id,
                day=START + timedelta(days=i),
                status="late",
                minutes=10,
                scheduled_minutes=360,
                attended_minutes=350,
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
                summary=f"Appel {cohort.code} {i}.",
                action="Rappeler.",
                owner_id=world["coordo_qc"].id,
            )
        )
    db.session.commit()


def test_the_scoped_file_makes_the_same_number_of_queries_with_few_and_many_events(
    world, server, make_user, enrol, count_queries
):
    other = make_user(name="Autre Élève")
    enrol(other, world["cohort_mtl"])
    enrol(other, world["cohort_qc"])
    enrol(world["student"], world["cohort_qc"])
    _add_events(world, world["cohort_mtl"], 2)
    _add_events(world, world["cohort_qc"], 1)
    many = {**world, "student": other}
    _add_events(many, world["cohort_mtl"], 30)
    _add_events(many, world["cohort_qc"], 25)
    client = client_for(server, world["coordo_qc"])
    with count_queries() as few_statements:
        few = client.get(f"/students/{world['student'].id}")
    with count_queries() as many_statements:
        page = client.get(f"/students/{other.id}")
    assert few.status_code == page.status_code == 200
    text = _text(page)
    assert "Appel QC-G1 24." in text and "Appel MTL-G1" not in text
    assert len(few_statements) == len(many_statements), (
        len(few_statements),
        len(many_statements),
    )


# --- finding 3: who may edit a note ------------------------------------------------------------


def _edit(client, note, **overrides):
    data = {
        "csrf_token": csrf_token(client, "/auth/password"),
        "note_type": "entretien",
        "reason": "personnelle",
        "held_on": "2026-10-01",
        "summary": "Réécrit par quelqu'un d'autre.",
        "action": "Rappeler la travailleuse sociale.",
        "owner_id": str(note.owner_id or ""),
        "due_on": "2026-10-20",
        "visibility": "student",
        "outcome": "",
        "done_on": "",
    }
    data.update(overrides)
    return client.post(f"/notes/{note.id}", data=data)


def _unchanged(note_id: int) -> bool:
    db.session.rollback()
    note = db.session.get(FollowUpNote, note_id)
    untouched = (note.summary, note.visibility) == (
        "Secret montréalais : situation familiale",
        "team",
    )
    return untouched and _count(AuditLog, AuditLog.action == "note.update") == 0


@pytest.mark.parametrize("editor", ["prof_mtl", "prof_owner", "coordo_mtl", "admin"])
def test_author_owner_coordinator_and_admin_edit_a_note(world, server, editor):
    note = world["note"]
    client = client_for(server, world[editor])
    response = _edit(client, note)
    assert response.status_code == 302, _text(response)[:500]
    db.session.rollback()
    note = db.session.get(FollowUpNote, note.id)
    assert (note.summary, note.visibility) == ("Réécrit par quelqu'un d'autre.", "student")
    assert _count(AuditLog, AuditLog.action == "note.update") == 1


def test_a_colleague_who_may_read_the_note_gets_403_and_nothing_is_written(world, server):
    note, student = world["note"], world["student"]
    client = client_for(server, world["prof_co"])
    page = client.get(f"/notes/{note.id}")
    assert page.status_code == 200  # reading stays as it was
    text = _text(page)
    assert "Secret montréalais : situation familiale" in text
    assert "Enregistrer les modifications" not in text and "<fieldset disabled" in text
    assert "Consulter" in _text(client.get(f"/students/{student.id}"))
    # Changing the text or making a team-only note visible to the student: refused.
    assert _edit(client, note).status_code == 403
    assert _edit(client, note, summary=note.summary).status_code == 403
    assert _unchanged(note.id)
    learner = client_for(server, student)
    assert "Secret montréalais" not in _text(learner.get("/learn/followup"))


@pytest.mark.parametrize("outsider", ["coordo_qc", "prof_qc"])
@pytest.mark.parametrize("moved", [False, True])
def test_another_regions_staff_get_404_on_the_note_and_nothing_is_written(
    world, server, enrol, outsider, moved
):
    note = world["note"]
    if moved:  # she is now also in Québec: the file opens, Montréal's note does not
        enrol(world["student"], world["cohort_qc"])
    client = client_for(server, world[outsider])
    assert client.get(f"/notes/{note.id}").status_code == 404
    assert _edit(client, note).status_code == 404
    assert _unchanged(note.id)


def test_a_note_without_cohort_is_read_by_its_author_and_changed_by_admins_only(world, server):
    note = world["note"]
    note.cohort_id = None  # its cohort was deleted
    db.session.commit()
    author = client_for(server, world["prof_mtl"])
    assert author.get(f"/notes/{note.id}").status_code == 200
    assert _edit(author, note).status_code == 403
    for name in ("prof_co", "coordo_mtl", "coordo_qc"):
        other = client_for(server, world[name])
        assert other.get(f"/notes/{note.id}").status_code == 404, name
        assert "Secret montréalais" not in _text(other.get(f"/students/{world['student'].id}"))
    assert _unchanged(note.id)
    assert _edit(client_for(server, world["admin"]), note).status_code == 302


def test_the_note_policy_in_the_access_layer(world):
    from lms.followup.policies import can_access_note

    note = world["note"]
    expected = {
        "prof_mtl": (True, True),
        "prof_owner": (True, True),
        "prof_co": (True, False),
        "coordo_mtl": (True, True),
        "admin": (True, True),
        "coordo_qc": (False, False),
        "prof_qc": (False, False),
        "student": (False, False),
    }
    for name, (view, edit) in expected.items():
        user = world[name]
        assert can_access_note(user, note, "view") is view, name
        assert can_access_note(user, note, "edit") is edit, name
    # A teacher who left the cohort loses the right to edit the notes they wrote there.
    db.session.execute(
        cohort_teacher.delete().where(cohort_teacher.c.user_id == world["prof_mtl"].id)
    )
    db.session.commit()
    assert can_access_note(world["prof_mtl"], note, "edit") is False
    db.session.execute(
        insert(cohort_teacher),
        [{"cohort_id": world["cohort_mtl"].id, "user_id": world["prof_mtl"].id}],
    )
    db.session.commit()


def test_timeline_sources_without_viewer_are_filtered_and_never_hide_older_events(
    world, enrol, monkeypatch
):
    """A source registered by another feature that knows nothing of scopes (the alerts' one):
    its events of other cohorts are dropped, and the list stops where it may miss some."""
    student, mtl, qc = world["student"], world["cohort_mtl"].id, world["cohort_qc"].id
    enrol(student, world["cohort_qc"], start_on=date(2026, 10, 5))

    def foreign(student_id, limit):
        made = [
            timeline.TimelineEvent(date(2026, 10, 10), "alert", "•", "A", link_cohort_id=mtl),
            timeline.TimelineEvent(date(2026, 10, 9), "alert", "•", "B", link_cohort_id=mtl),
            timeline.TimelineEvent(date(2026, 10, 8), "alert", "•", "C", link_cohort_id=qc),
            timeline.TimelineEvent(date(2026, 10, 7), "alert", "•", "D", link_cohort_id=qc),
        ]
        return made[:limit]

    monkeypatch.setattr(timeline, "TIMELINE_SOURCES", [timeline.enrolment_events, foreign])
    coordo = world["coordo_qc"]
    events, more = timeline.student_timeline(student.id, 2, viewer=coordo)
    assert [e.title for e in events] == ["C"] and more  # the enrolment may follow a hidden D
    events, more = timeline.student_timeline(student.id, 10, viewer=coordo)
    assert [e.title for e in events] == ["C", "D", "Inscription au groupe QC-G1"] and not more
    everything, _more = timeline.student_timeline(student.id, 10, viewer=world["admin"])
    assert {"A", "B", "C", "D"} <= {e.title for e in everything}
