"""« Suite du parcours »: enrol students in their next (or same) course after the decisions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _

from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment
from lms.catalog.services import enrol_student
from lms.errors import ServiceError


def enrol_progressions(
    choices: Iterable[tuple[User, Cohort]], *, actor: User, today: date
) -> list[Enrolment]:
    """Enrol each student in the chosen cohort, from its start (or today, if it has begun):
    all of them or none (flushed, each enrolment audited by :func:`enrol_student`).

    :raises ServiceError: the first refusal, prefixed with the student's name (a full cohort
        with its count, a student already enrolled elsewhere with the cohort's code...).
    """
    enrolments = []
    for student, cohort in choices:
        try:
            enrolments.append(
                enrol_student(cohort, student, max(cohort.start_on, today), actor=actor)
            )
        except ServiceError as error:
            raise ServiceError(
                _("%(name)s : %(message)s", name=student.name, message=error.message),
                status=error.status,
            ) from error
    return enrolments
