"""Levels: a student's assessments, their latest level per skill, and a cohort's levels table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

from lms.auth.models import User
from lms.catalog.models import Enrolment
from lms.extensions import db
from lms.followup.models import LevelAssessment
from lms.followup.queries.people import active_students
from lms.followup.queries.scope import assessment_scope
from lms.learning.models import SKILLS


@dataclass
class Assessment:
    id: int
    student_id: int
    cohort_id: int | None
    skill: str
    level: int
    kind: str
    assessed_on: date
    evidence: str
    assessor: str


def gain_since_placement(placement: int | None, latest: int | None) -> int | None:
    """Levels gained since placement (``None`` without a placement or any assessment)."""
    if placement is None or latest is None:
        return None
    return latest - placement


@dataclass
class SkillLevel:
    skill: str
    placement: int | None = None
    placement_on: date | None = None
    latest: int | None = None
    latest_on: date | None = None
    latest_kind: str | None = None
    final: int | None = None  # latest end-of-course assessment

    @property
    def gain(self) -> int | None:
        return gain_since_placement(self.placement, self.latest)


def assessments_of(
    student_ids: list[int], *, viewer: User | None = None
) -> dict[int, list[Assessment]]:
    """Every assessment of these students that ``viewer`` may see, oldest first (one query)."""
    result: dict[int, list[Assessment]] = defaultdict(list)
    if not student_ids:
        return result
    assessor = aliased(User)
    rows = db.session.execute(
        select(LevelAssessment, assessor.name)
        .outerjoin(assessor, assessor.id == LevelAssessment.assessor_id)
        .where(LevelAssessment.student_id.in_(student_ids), assessment_scope(viewer))
        .order_by(LevelAssessment.assessed_on, LevelAssessment.id)
    )
    for a, assessor_name in rows:
        result[a.student_id].append(
            Assessment(
                a.id,
                a.student_id,
                a.cohort_id,
                a.skill,
                a.level,
                a.kind,
                a.assessed_on,
                a.evidence,
                assessor_name or "",
            )
        )
    return result


def skill_levels(assessments: list[Assessment]) -> dict[str, SkillLevel]:
    """Per skill: latest placement, latest level and latest end-of-course level."""
    levels = {s: SkillLevel(s) for s in SKILLS}
    for a in assessments:  # oldest first: later ones overwrite
        entry = levels[a.skill]
        entry.latest, entry.latest_on, entry.latest_kind = a.level, a.assessed_on, a.kind
        if a.kind == "placement":
            entry.placement, entry.placement_on = a.level, a.assessed_on
        if a.kind == "final":
            entry.final = a.level
    return levels


def level_series(assessments: list[Assessment]) -> dict[str, list[tuple[date, int]]]:
    series: dict[str, list[tuple[date, int]]] = {s: [] for s in SKILLS}
    for a in assessments:
        series[a.skill].append((a.assessed_on, a.level))
    return series


@dataclass
class LevelsRow:
    enrolment: Enrolment
    student: User
    levels: dict[str, SkillLevel]


def levels_table(cohort_id: int, today: date) -> list[LevelsRow]:
    """Students × skills for a cohort: placement, latest, gain. Two queries."""
    students = active_students(cohort_id, today)
    by_student = assessments_of([u.id for _e, u in students])
    return [LevelsRow(e, u, skill_levels(by_student.get(u.id, []))) for e, u in students]
