# ruff: noqa: F811  (fixtures imported from tests/test_quality.py)
"""The end-of-course satisfaction survey: who may answer and when, once per cohort, answers kept
apart from who answered; results shown from 5 answers up."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lms.audit.models import AuditLog
from lms.catalog.models import Enrolment
from lms.extensions import db
from lms.quality.forms import SURVEY_QUESTIONS
from lms.quality.models import SurveyCompletion, SurveyResponse
from tests.test_quality import (  # noqa: F401
    client_for,
    frozen,
    post,
    qworld,
    text,
)

ANSWERS = {"q1": "4", "q2": "3", "q3": "4", "q4": "2", "q5": "3", "q6": "4", "q7": "4"}


def test_the_survey_opens_in_the_last_two_weeks_and_closes_30_days_after_the_end(
    server, qworld, frozen
):
    student = qworld["student"]
    client = client_for(server, student)
    frozen(date(2026, 11, 13))  # two weeks and a day before the end (27 Nov.)
    closed = client.get("/learn/survey")
    assert closed.status_code == 200
    assert "Le sondage n'est pas ouvert pour vous maintenant." in text(closed)
    assert post(client, "/learn/survey", **ANSWERS).status_code == 409
    frozen(date(2026, 11, 16))
    page = text(client.get("/learn/survey"))
    assert "Votre avis sur le cours" in page
    for question in SURVEY_QUESTIONS.values():
        assert str(question) in page
    assert "Pas du tout d'accord" in page and "Tout à fait d'accord" in page
    frozen(date(2026, 12, 27))  # 30 days after the end
    assert "Votre avis sur le cours" in text(client.get("/learn/survey"))
    frozen(date(2026, 12, 28))
    assert "n'est pas ouvert" in text(client.get("/learn/survey"))
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0


def test_a_student_answers_once_and_the_answers_do_not_say_who(server, qworld, frozen):
    frozen(date(2026, 11, 20))
    student = qworld["student"]
    client = client_for(server, student)
    incomplete = post(client, "/learn/survey", q1="4", q2="3")
    assert incomplete.status_code == 422
    assert "Répondez à toutes les questions" in text(incomplete)
    out_of_scale = post(client, "/learn/survey", **{**ANSWERS, "q3": "9"})
    assert out_of_scale.status_code == 422
    assert db.session.scalar(select(func.count(SurveyCompletion.id))) == 0

    done = post(client, "/learn/survey", **ANSWERS, comment="Merci à Julie!")
    assert done.status_code == 200 and "Merci!" in text(done)
    db.session.rollback()
    completion = db.session.scalar(select(SurveyCompletion))
    assert (completion.student_id, completion.cohort_id, completion.completed_on) == (
        student.id,
        qworld["cohort"].id,
        date(2026, 11, 20),
    )
    response = db.session.scalar(select(SurveyResponse))
    assert response.answers == {
        **{k: int(v) for k, v in ANSWERS.items()},
        "comment": "Merci à Julie!",
    }
    assert response.submitted_on == date(2026, 11, 20)
    assert "student_id" not in SurveyResponse.__table__.columns
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "survey.complete")).all()
    assert len(entries) == 1 and entries[0].entity_type == "Cohort"
    assert "q1" not in (entries[0].after or {})

    assert "Vous avez déjà répondu" in text(client.get("/learn/survey"))
    again = post(client, "/learn/survey", **ANSWERS)
    assert again.status_code == 409
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 1


def test_a_withdrawn_student_is_not_surveyed_and_staff_cannot_answer(server, qworld, frozen):
    frozen(date(2026, 11, 20))
    student = qworld["students"][5]
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.student_id == student.id))
    enrolment.status, enrolment.end_on = "withdrawn", date(2026, 10, 2)
    db.session.commit()
    client = client_for(server, student)
    assert "n'est pas ouvert" in text(client.get("/learn/survey"))
    teacher = client_for(server, qworld["teacher"])
    assert teacher.get("/learn/survey").status_code == 403
    assert post(teacher, "/learn/survey", **ANSWERS).status_code == 403


def _answers(cohort, n, comment=None):
    for i in range(n):
        answers = {key: 1 + (i + j) % 4 for j, key in enumerate(SURVEY_QUESTIONS)}
        if comment:
            answers["comment"] = f"{comment} {i}"
        db.session.add(
            SurveyResponse(cohort_id=cohort.id, submitted_on=date(2026, 11, 20), answers=answers)
        )
    db.session.commit()


def test_results_appear_only_from_five_answers(server, qworld):
    cohort = qworld["cohort"]
    path = f"/quality/cohorts/{cohort.id}/survey"
    coordo = client_for(server, qworld["coordinator"])
    _answers(cohort, 4, "Zut")
    page = text(coordo.get(path))
    assert "4 réponses pour l'instant." in page
    assert "les résultats s'affichent à partir de 5 réponses" in page
    assert "Zut" not in page and "Je parle mieux" not in page
    _answers(cohort, 1, "Alors")
    page = text(coordo.get(path))
    assert "5 réponses pour 6 élèves inscrit·es." in page
    assert "Je parle mieux français qu'au début du cours." in page
    # Comments are sorted, not in the order they were given.
    assert page.index("Alors 0") < page.index("Zut 0") < page.index("Zut 3")
    # q1 answers are 1, 2, 3, 4, 1: agree (3 or 4) 2 of 5 = 40 %, mean 2.2.
    row = page.split("Je parle mieux français")[1].split("</tr>")[0]
    assert "40 %" in row and "2,2" in row


def test_survey_results_access_and_query_count(server, qworld, count_queries):
    cohort = qworld["cohort"]
    path = f"/quality/cohorts/{cohort.id}/survey"
    assert client_for(server, qworld["teacher"]).get(path).status_code == 200
    assert client_for(server, qworld["admin"]).get(path).status_code == 200
    assert client_for(server, qworld["other_coordinator"]).get(path).status_code == 404
    assert client_for(server, qworld["other_teacher"]).get(path).status_code == 404
    assert client_for(server, qworld["student"]).get(path).status_code == 403
    coordo = client_for(server, qworld["coordinator"])
    _answers(cohort, 5)
    coordo.get(path)
    with count_queries() as few:
        coordo.get(path)
    _answers(cohort, 40, "Bien")
    with count_queries() as many:
        assert "45 réponses" in text(coordo.get(path))
    assert len(few) == len(many)
