"""Record a student's levels: one assessment per skill, assessed on the same day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from flask_babel import gettext as _

from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Cohort
from lms.errors import ServiceError
from lms.extensions import db
from lms.followup.models import LevelAssessment
from lms.followup.vocab import AssessmentKind, long_date
from lms.learning.vocab import Skill

# A placement test may take place a while before the course starts, not years before.
ASSESSMENT_LOOKBACK_DAYS = 180


def record_assessments(
    student_id: int,
    cohort: Cohort | None,
    assessor: User,
    *,
    kind: str,
    assessed_on: date,
    rows: Iterable[tuple[str, int, str]],
    today: date,
) -> list[LevelAssessment]:
    """Record a student's levels in one or more skills, assessed on the same day.

    :param cohort: ``None`` for a placement before any cohort (the intake queue): the
        assessments are then attached to the cohort at the enrolment.
    :param rows: ``(skill, level, evidence)`` for each assessed skill (empty rows left out).
    :raises ServiceError: unknown kind or skill, a skill twice, a level off the 1..12 scale,
        no skill at all, a date in the future or long before the cohort.
    """
    rows = list(rows)
    if kind not in tuple(AssessmentKind):
        raise ServiceError(_("Type d'évaluation inconnu."), "kind")
    if assessed_on > today:
        raise ServiceError(
            _("La date de l'évaluation ne peut pas être dans le futur."), "assessed_on"
        )
    earliest = (cohort.start_on if cohort else today) - timedelta(days=ASSESSMENT_LOOKBACK_DAYS)
    if assessed_on < earliest:
        raise ServiceError(
            _(
                "La date est trop ancienne pour ce groupe : au plus tôt le %(day)s.",
                day=long_date(earliest),
            ),
            "assessed_on",
        )
    if not rows:
        raise ServiceError(_("Indiquez le niveau d'au moins une compétence."))
    seen: set[str] = set()
    for skill, level, _evidence in rows:
        if skill not in tuple(Skill):
            raise ServiceError(_("Compétence inconnue : %(skill)s.", skill=skill))
        if skill in seen:
            raise ServiceError(_("Une compétence est indiquée deux fois."))
        seen.add(skill)
        if not isinstance(level, int) or not 1 <= level <= 12:
            raise ServiceError(_("Le niveau doit être un nombre de 1 à 12."))
    created = []
    for skill, level, evidence in rows:
        assessment = LevelAssessment(
            student_id=student_id,
            cohort_id=cohort.id if cohort else None,
            skill=skill,
            level=level,
            kind=kind,
            assessed_on=assessed_on,
            assessor_id=assessor.id,
            evidence=evidence,
        )
        db.session.add(assessment)
        created.append(assessment)
    db.session.flush()
    for assessment in created:
        record(
            "assessment.create",
            assessment,
            actor=assessor,
            after={
                "student_id": student_id,
                "cohort_id": assessment.cohort_id,
                "skill": assessment.skill,
                "level": assessment.level,
                "kind": kind,
                "assessed_on": assessed_on.isoformat(),
            },
        )
    return created
