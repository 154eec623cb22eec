"""Criterion: the satisfaction survey's response rate."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms.quality.criteria.engine import (
    Outcome,
    Subject,
    cohort_ids,
    members,
    percent,
    rate_status,
)
from lms.quality.models import SurveyCompletion


def compute_survey(subjects: list[Subject]) -> dict[Any, Outcome]:
    """At least ``min_percent`` % of the cohort's students (still enrolled or completed on the
    evaluation date) answered the end-of-course survey by that date."""
    if not subjects:
        return {}
    students_of = members(subjects, active_on_as_of=False)
    answered: dict[int, list[date]] = defaultdict(list)
    for cohort_id, completed_on in db.session.execute(
        select(SurveyCompletion.cohort_id, SurveyCompletion.completed_on).where(
            SurveyCompletion.cohort_id.in_(cohort_ids(subjects))
        )
    ):
        answered[cohort_id].append(completed_on)
    outcomes = {}
    for s in subjects:
        students = len(students_of[s.key])
        answers = sum(1 for d in answered[s.cohort.id] if d <= s.as_of)
        rate = min(1.0, answers / students) if students else None
        figures = {
            "students": students,
            "answers": answers,
            "rate": None if rate is None else round(rate, 4),
            "min_percent": s.params["min_percent"],
        }
        evidence = [
            {
                "label": _("Résultats du sondage"),
                "url": f"/quality/cohorts/{s.cohort.id}/survey",
            }
        ]
        outcomes[s.key] = Outcome(rate_status(rate, s.params["min_percent"]), figures, evidence)
    return outcomes


def describe_survey(f: dict[str, Any]) -> str:
    if not f["students"]:
        return _("Aucun·e élève à sonder.")
    return _(
        "%(answers)s réponses au sondage de satisfaction pour %(students)s élèves (%(rate)s; "
        "seuil : %(min)s %%).",
        answers=f["answers"],
        students=f["students"],
        rate=percent(f["rate"]),
        min=f["min_percent"],
    )
