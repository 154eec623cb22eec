"""The student's online learning and the teacher's grading, through the web."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.auth.models import Role
from lms.catalog.models import Course
from lms.extensions import db
from lms.learning.models import Attempt, Exercise, Production
from tests.audio_samples import webm
from tests.conftest import csrf_token


@pytest.fixture
def course_world(make_user, make_cohort, enrol, make_lesson, monkeypatch):
    teacher = make_user(Role.TEACHER.value)
    student = make_user(name="Amina Haddad")
    other = make_user(name="Carlos Morales")
    cohort = make_cohort(teachers=(teacher,), start_on=date(2026, 9, 7))
    enrol(student, cohort)
    enrol(other, cohort)
    monkeypatch.setattr(clock, "today", lambda: date(2026, 9, 9))
    course = db.session.get(Course, cohort.course_id)
    lesson = make_lesson(course)
    exercises = list(db.session.scalars(select(Exercise).where(Exercise.lesson_id == lesson.id)))
    return {
        "teacher": teacher,
        "student": student,
        "other": other,
        "cohort": cohort,
        "lesson": lesson,
        "cloze": exercises[0],
        "written": exercises[1],
    }


def _post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/auth/password"), **data})


def test_student_answers_a_cloze_without_accents_and_gets_accent_feedback(
    client, login_as, course_world
):
    login_as(course_world["student"])
    path = f"/learn/exercises/{course_world['cloze'].key}"
    page = client.get(path).get_data(as_text=True)
    assert 'name="blank-0"' in page and 'name="blank-1"' in page
    response = _post(client, path, **{"blank-0": "eleve", "blank-1": "montreal"})
    assert response.status_code == 302
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "« eleve » s&#39;écrit « élève »" in feedback or "« eleve » s'écrit « élève »" in feedback
    )
    assert "Presque" in feedback
    # Retry, right this time.
    retry = _post(client, path, **{"blank-0": "élève", "blank-1": "Montréal"})
    page = client.get(retry.headers["Location"]).get_data(as_text=True)
    assert "Réussi" in page and "Bravo" in page
    db.session.rollback()  # end the test's read snapshot: see what the server wrote
    scores = sorted(db.session.scalars(select(Attempt.score)))
    assert scores == [0.5, 1.0]
    history = client.get("/learn/history").get_data(as_text=True)
    assert "2 essais" in history


def test_empty_answer_is_refused_with_a_french_message_and_nothing_is_kept(
    client, login_as, course_world
):
    login_as(course_world["student"])
    response = _post(client, f"/learn/exercises/{course_world['cloze'].key}")
    assert response.status_code == 422
    assert "Remplissez les espaces vides." in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Attempt.id))) == 0


def test_answer_without_csrf_token_is_refused(client, login_as, course_world):
    login_as(course_world["student"])
    response = client.post(
        f"/learn/exercises/{course_world['cloze'].key}", data={"blank-0": "élève"}
    )
    assert response.status_code == 400


def test_staff_preview_exercises_but_cannot_answer(client, login_as, course_world):
    login_as(course_world["teacher"])
    path = f"/learn/exercises/{course_world['cloze'].key}"
    assert "Aperçu" in client.get(path).get_data(as_text=True)
    assert _post(client, path, **{"blank-0": "élève"}).status_code == 403


def test_written_production_goes_to_the_queue_and_comes_back_graded(
    server, client, login_as, course_world
):
    student, teacher = course_world["student"], course_world["teacher"]
    login_as(student)
    path = f"/learn/exercises/{course_world['written'].key}"
    too_short = _post(client, path, text="Bonjour")
    assert too_short.status_code == 422
    assert "Votre texte compte 1 mots. Il en faut au moins 3." in too_short.get_data(as_text=True)
    sent = _post(client, path, text="Je cherche un logement à Montréal pour juillet.")
    assert sent.status_code == 302

    teacher_client = server.test_client()
    teacher_client.post(
        "/auth/login",
        data={
            "email": teacher.email,
            "password": "correct-horse-battery",
            "csrf_token": csrf_token(teacher_client),
        },
    )
    queue = teacher_client.get(f"/cohorts/{course_world['cohort'].id}/productions")
    text = queue.get_data(as_text=True)
    assert "1 production en attente de correction." in text and "Amina Haddad" in text
    production_id = int(re.search(r"/productions/(\d+)/grade", text).group(1))
    grade_path = f"/productions/{production_id}/grade"
    token = csrf_token(teacher_client, grade_path)
    missing = teacher_client.post(grade_path, data={"csrf_token": token, "score_task": "4"})
    assert missing.status_code == 422
    graded = teacher_client.post(
        grade_path,
        data={
            "csrf_token": token,
            "score_task": "4",
            "score_coherence": "3",
            "score_vocabulary": "3",
            "score_grammar": "2",
            "score_spelling": "4",
            "comment": "Très bon début. Révisez l'accord de « juillet ».",
        },
    )
    assert graded.status_code == 302

    mine = client.get(f"/productions/{production_id}").get_data(as_text=True)
    assert "Rétroaction de votre enseignant·e" in mine
    assert "80 %" in mine  # 16 / 20
    assert "Très bon début." in mine
    assert "Corrigée" in client.get("/learn/productions").get_data(as_text=True)


def test_a_student_cannot_see_another_students_attempts_or_productions(
    server, client, login_as, course_world
):
    other = course_world["other"]
    attempt = Attempt(
        student_id=other.id,
        exercise_id=course_world["cloze"].id,
        answer=["x", "y"],
        score=0.0,
        feedback={"messages": [], "details": []},
    )
    production = Production(
        student_id=other.id,
        exercise_id=course_world["written"].id,
        cohort_id=course_world["cohort"].id,
        text="Un texte privé.",
    )
    db.session.add_all([attempt, production])
    db.session.commit()
    login_as(course_world["student"])
    cloze = course_world["cloze"].key
    assert client.get(f"/learn/exercises/{cloze}?attempt={attempt.id}").status_code == 404
    assert client.get(f"/productions/{production.id}").status_code == 404
    assert client.get(f"/productions/{production.id}/grade").status_code == 403
    assert "Un texte privé." not in client.get("/learn/productions").get_data(as_text=True)


def test_student_not_enrolled_in_the_course_gets_404(client, login_as, course_world, make_user):
    login_as(make_user())
    assert client.get(f"/learn/lessons/{course_world['lesson'].key}").status_code == 404
    assert client.get(f"/learn/exercises/{course_world['cloze'].key}").status_code == 404


@pytest.fixture
def oral(course_world, make_lesson):
    course = db.session.get(Course, course_world["cohort"].course_id)
    lesson = make_lesson(course, [("oral_production", {"max_seconds": 60})], skills=("PO",))
    return db.session.scalar(select(Exercise).where(Exercise.lesson_id == lesson.id))


def _upload(client, exercise, content: bytes, name: str):
    return client.post(
        f"/learn/exercises/{exercise.key}",
        data={
            "recording": (io.BytesIO(content), name),
            "csrf_token": csrf_token(client, "/auth/password"),
        },
        content_type="multipart/form-data",
    )


def _stored(server) -> list[Path]:
    return sorted(Path(server.config["UPLOAD_DIR"]).glob("*"))


def test_oversized_or_wrong_type_uploads_get_a_french_error_and_store_nothing(
    server, client, login_as, course_world, oral
):
    server.config["MAX_AUDIO_BYTES"] = 1024
    login_as(course_world["student"])
    before = _stored(server)
    too_big = _upload(client, oral, b"OggS" + bytes(2000), "voix.ogg")
    assert too_big.status_code == 422
    assert "dépasse la taille permise" in too_big.get_data(as_text=True)
    wrong_type = _upload(client, oral, b"%PDF-1.4 not audio", "voix.pdf")
    assert wrong_type.status_code == 422
    assert "Ce type de fichier n&#39;est pas accepté" in wrong_type.get_data(as_text=True) or (
        "Ce type de fichier n'est pas accepté" in wrong_type.get_data(as_text=True)
    )
    disguised = _upload(client, oral, b"MZ\x90\x00 an executable", "voix.webm")
    assert disguised.status_code == 422
    assert "enregistrement audio valide" in disguised.get_data(as_text=True)
    assert _stored(server) == before
    db.session.rollback()
    assert db.session.scalar(select(func.count(Production.id))) == 0


def test_a_valid_recording_is_stored_and_playable_by_the_teacher(
    server, client, login_as, course_world, oral
):
    login_as(course_world["student"])
    recording = webm()  # a whole WebM file: leading bytes alone are refused
    response = _upload(client, oral, recording, "enregistrement.webm")
    assert response.status_code == 302
    db.session.rollback()
    production = db.session.scalar(select(Production))
    assert production.file_type == "audio/webm" and production.file_size == len(recording)
    audio = client.get(f"/productions/{production.id}/audio")
    assert audio.status_code == 200 and audio.mimetype == "audio/webm"
    audio.close()


def test_student_pages_make_the_same_number_of_queries_with_1_and_30_attempts(
    client, login_as, course_world, count_queries
):
    student, cloze = course_world["student"], course_world["cloze"]
    login_as(student)
    pages = [
        "/learn/",
        "/learn/plan",
        f"/learn/lessons/{course_world['lesson'].key}",
        f"/learn/exercises/{cloze.key}",
        "/learn/history",
        "/learn/productions",
    ]

    def add_attempts(n):
        for _ in range(n):
            db.session.add(
                Attempt(
                    student_id=student.id,
                    exercise_id=cloze.id,
                    answer=["a", "b"],
                    score=0.5,
                    feedback={"messages": [], "details": []},
                )
            )
            db.session.add(
                Production(
                    student_id=student.id,
                    exercise_id=course_world["written"].id,
                    cohort_id=course_world["cohort"].id,
                    text="Un texte.",
                )
            )
        db.session.commit()

    add_attempts(1)
    counts_one = {}
    for page in pages:
        with count_queries() as statements:
            assert client.get(page).status_code == 200, page
        counts_one[page] = len(statements)
    add_attempts(29)
    for page in pages:
        with count_queries() as statements:
            assert client.get(page).status_code == 200, page
        assert len(statements) == counts_one[page], page


def test_teacher_queue_query_count_does_not_grow_with_productions(
    client, login_as, course_world, count_queries
):
    def add(n):
        for _ in range(n):
            db.session.add(
                Production(
                    student_id=course_world["student"].id,
                    exercise_id=course_world["written"].id,
                    cohort_id=course_world["cohort"].id,
                    text="Texte.",
                )
            )
        db.session.commit()

    login_as(course_world["teacher"])
    path = f"/cohorts/{course_world['cohort'].id}/productions"
    add(1)
    with count_queries() as few:
        client.get(path)
    add(29)
    with count_queries() as many:
        assert "30 productions en attente" in client.get(path).get_data(as_text=True)
    assert len(few) == len(many)


def test_home_shows_this_weeks_unit_and_progress_per_skill(client, login_as, course_world):
    login_as(course_world["student"])
    page = client.get("/learn/").get_data(as_text=True)
    assert "Cette semaine" in page
    assert course_world["lesson"].title in page
    assert "Compréhension écrite" in page and "Production orale" in page
