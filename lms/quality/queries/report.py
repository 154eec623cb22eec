"""The printable quality report of one cohort: its indicators over its run so far, each
student's figures and levels, its reviews with their corrective actions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment, cohort_teacher
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment
from lms.learning.models import SKILLS
from lms.quality.models import (
    CheckpointReview,
    CheckpointTemplate,
    CorrectiveAction,
    SurveyResponse,
)
from lms.quality.queries.dashboard import cohort_infos
from lms.quality.queries.indicators import collect
from lms.quality.queries.metrics import CohortInfo, Metrics, Period
from lms.quality.queries.reviews import first_amendment_id


@dataclass
class StudentRow:
    student_id: int
    name: str
    status: str
    start_on: date
    end_on: date | None
    metrics: Metrics
    placement: dict[str, int | None]
    latest: dict[str, int | None]
    last_interview: date | None


@dataclass
class ReportReview:
    review: CheckpointReview
    template_name: str
    signed_by: str | None
    amended_by: int | None
    actions: list[tuple[CorrectiveAction, str | None]]


@dataclass
class CohortReport:
    info: CohortInfo
    period: Period
    metrics: Metrics
    students: list[StudentRow]
    reviews: list[ReportReview]
    teachers: list[str]
    survey_answers: int


def cohort_report(cohort_id: int, today: date) -> CohortReport:
    """The printable quality report of one cohort, over its whole run so far (a fixed number of
    queries whatever the number of students)."""
    scope = select(Cohort.id).where(Cohort.id == cohort_id)
    infos = cohort_infos(scope)
    info = infos[cohort_id]
    period = Period(info.start_on, max(info.start_on, min(info.end_on, today)), today)
    buckets = collect(scope, period, infos, by_student=True)
    total = Metrics(cohorts=1)
    per_student: dict[int, Metrics] = defaultdict(Metrics)
    for (_cid, _month, student_id), metrics in buckets.items():
        total.add(metrics)
        if student_id is not None:
            per_student[student_id].add(metrics)
    teachers = list(
        db.session.scalars(
            select(User.name)
            .join(cohort_teacher, cohort_teacher.c.user_id == User.id)
            .where(cohort_teacher.c.cohort_id == cohort_id)
            .order_by(User.name)
        )
    )
    answers = (
        db.session.scalar(
            select(func.count(SurveyResponse.id)).where(SurveyResponse.cohort_id == cohort_id)
        )
        or 0
    )
    return CohortReport(
        info=info,
        period=period,
        metrics=total,
        students=_students(cohort_id, per_student),
        reviews=_reviews(cohort_id),
        teachers=teachers,
        survey_answers=answers,
    )


def _students(cohort_id: int, per_student: dict[int, Metrics]) -> list[StudentRow]:
    """The cohort's students with their figures, placement and latest levels, and last
    interview (three queries)."""
    enrolments = db.session.execute(
        select(Enrolment, User.name)
        .join(User, User.id == Enrolment.student_id)
        .where(Enrolment.cohort_id == cohort_id)
        .order_by(User.name)
    ).all()
    placement: dict[int, dict[str, int | None]] = defaultdict(lambda: dict.fromkeys(SKILLS))
    latest: dict[int, dict[str, int | None]] = defaultdict(lambda: dict.fromkeys(SKILLS))
    for student_id, skill, kind, level in db.session.execute(
        select(
            LevelAssessment.student_id,
            LevelAssessment.skill,
            LevelAssessment.kind,
            LevelAssessment.level,
        )
        .where(LevelAssessment.cohort_id == cohort_id)
        .order_by(LevelAssessment.assessed_on, LevelAssessment.id)
    ):
        if kind == "placement" and placement[student_id][skill] is None:
            placement[student_id][skill] = level
        latest[student_id][skill] = level
    last_interview = dict(
        db.session.execute(
            select(FollowUpNote.student_id, func.max(FollowUpNote.held_on))
            .where(
                FollowUpNote.note_type == "entretien",
                FollowUpNote.student_id.in_(
                    select(Enrolment.student_id).where(Enrolment.cohort_id == cohort_id)
                ),
            )
            .group_by(FollowUpNote.student_id)
        ).all()
    )
    return [
        StudentRow(
            e.student_id,
            name,
            e.status,
            e.start_on,
            e.end_on,
            per_student.get(e.student_id, Metrics()),
            placement[e.student_id],
            latest[e.student_id],
            last_interview.get(e.student_id),
        )
        for e, name in enrolments
    ]


def _reviews(cohort_id: int) -> list[ReportReview]:
    """The cohort's reviews, by due date, with their corrective actions (two queries)."""
    signer = aliased(User)
    review_rows = db.session.execute(
        select(CheckpointReview, CheckpointTemplate.name, signer.name, first_amendment_id())
        .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
        .outerjoin(signer, signer.id == CheckpointReview.signed_by_id)
        .where(CheckpointReview.cohort_id == cohort_id)
        .order_by(CheckpointReview.due_on, CheckpointReview.id)
    ).all()
    owner = aliased(User)
    actions: dict[int, list[tuple[CorrectiveAction, str | None]]] = defaultdict(list)
    for action, owner_name in db.session.execute(
        select(CorrectiveAction, owner.name)
        .outerjoin(owner, owner.id == CorrectiveAction.owner_id)
        .join(CheckpointReview, CheckpointReview.id == CorrectiveAction.review_id)
        .where(CheckpointReview.cohort_id == cohort_id)
        .order_by(CorrectiveAction.due_on, CorrectiveAction.id)
    ):
        actions[action.review_id].append((action, owner_name))
    return [
        ReportReview(r, name, signed, amended, actions.get(r.id, []))
        for r, name, signed, amended in review_rows
    ]
