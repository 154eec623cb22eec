"""The satisfaction survey: a student's answers, kept apart from who gave them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.catalog.models import Cohort
from lms.errors import ServiceError
from lms.extensions import db
from lms.quality.models import SurveyCompletion, SurveyResponse
from lms.quality.vocab import SURVEY_QUESTIONS


def submit_survey(
    student: User, cohort: Cohort, answers: dict[str, int], comment: str, today: date
) -> None:
    """Keep a student's answers without who gave them, and, apart, that they answered.

    The answers (:class:`SurveyResponse`) carry the cohort and the day only; the completion
    (:class:`SurveyCompletion`) carries the student but no answer. The audit log records the
    completion only.

    :raises ServiceError: (403) not a student; (409) already answered for this cohort; (422) an
        answer is missing.
    """
    if student.role != Role.STUDENT.value:
        raise ServiceError(_("Le sondage est réservé aux élèves."), status=403)
    done = db.session.scalar(
        select(SurveyCompletion.id).where(
            SurveyCompletion.cohort_id == cohort.id, SurveyCompletion.student_id == student.id
        )
    )
    if done is not None:
        raise ServiceError(_("Vous avez déjà répondu à ce sondage. Merci!"), status=409)
    if set(answers) != set(SURVEY_QUESTIONS) or not all(1 <= v <= 4 for v in answers.values()):
        raise ServiceError(_("Répondez à toutes les questions."))
    db.session.add(SurveyCompletion(cohort_id=cohort.id, student_id=student.id, completed_on=today))
    payload: dict[str, Any] = {k: int(answers[k]) for k in SURVEY_QUESTIONS}
    comment = (comment or "").strip()
    if comment:
        payload["comment"] = comment
    db.session.add(SurveyResponse(cohort_id=cohort.id, submitted_on=today, answers=payload))
    db.session.flush()
    record(
        "survey.complete",
        entity_type="Cohort",
        entity_id=cohort.id,
        actor=student,
        after={"cohort_id": cohort.id},
    )
