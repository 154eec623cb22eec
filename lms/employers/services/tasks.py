"""Workplace-task assessments of the employer-adapted course (placement and final, 1 to 4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from lms import clock
from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment
from lms.employers.models import TaskAssessment
from lms.employers.vocab import TASK_SCORES, TaskKind
from lms.errors import ServiceError
from lms.extensions import db


def record_task_assessments(
    cohort: Cohort,
    actor: User,
    *,
    student_id: int,
    kind: str,
    assessed_on: date | None,
    scores: dict[str, int | None],
    allowed_tasks: Sequence[str],
    evidence: str = "",
) -> list[TaskAssessment]:
    """Record a student's placement or final assessment on some workplace tasks (1 to 4).

    :param scores: task key → score, ``None`` for a task not assessed this time.
    :param allowed_tasks: the tasks that may be assessed for this cohort (its profile's).
    :raises ServiceError: student not in the cohort, unknown kind or task, score out of
        range, no score at all, date missing or in the future.
    """
    enrolled = db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.cohort_id == cohort.id, Enrolment.student_id == student_id
        )
    )
    if enrolled is None:
        raise ServiceError(_("Choisissez un·e élève du groupe."), "student_id")
    if kind not in tuple(TaskKind):
        raise ServiceError(_("Type d'évaluation inconnu."), "kind")
    if assessed_on is None:
        raise ServiceError(_("Indiquez la date de l'évaluation."), "assessed_on")
    if assessed_on > clock.today():
        raise ServiceError(
            _("La date de l'évaluation ne peut pas être dans le futur."), "assessed_on"
        )
    given = {task: score for task, score in scores.items() if score is not None}
    if any(task not in allowed_tasks for task in given):
        raise ServiceError(_("Tâche inconnue pour ce groupe."), "scores")
    if any(score not in TASK_SCORES for score in given.values()):
        raise ServiceError(_("Chaque cote est un nombre de 1 à 4."), "scores")
    if not given:
        raise ServiceError(_("Donnez une cote à au moins une tâche."), "scores")
    created = []
    for task in allowed_tasks:
        if task not in given:
            continue
        assessment = TaskAssessment(
            student_id=student_id,
            cohort_id=cohort.id,
            task_key=task,
            kind=kind,
            score=given[task],
            assessed_on=assessed_on,
            assessor_id=actor.id,
            evidence=evidence.strip(),
        )
        db.session.add(assessment)
        created.append(assessment)
    db.session.flush()
    for assessment in created:
        record(
            "task_assessment.create",
            assessment,
            actor=actor,
            after={
                "student_id": student_id,
                "cohort_id": cohort.id,
                "task": assessment.task_key,
                "kind": kind,
                "score": assessment.score,
                "assessed_on": assessed_on.isoformat(),
            },
        )
    return created
