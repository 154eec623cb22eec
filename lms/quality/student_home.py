"""What quality adds to the student's home page (a page of lms.learning, which does not import
quality): the satisfaction survey's banner, while the student may answer it."""

from __future__ import annotations

from datetime import date

from lms.learning.queries import register_home_provider
from lms.quality.queries.survey import survey_cohort


def survey_open(student_id: int, _cohort_id: int, today: date) -> bool:
    """Whether the student may answer an end-of-course survey today (of any of their cohorts)."""
    return survey_cohort(student_id, today) is not None


def register() -> None:
    register_home_provider("survey_open", survey_open)
