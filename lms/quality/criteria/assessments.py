"""Criteria: students assessed in all four skills (at placement, mid-course, end of course)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.extensions import db
from lms.followup.models import LevelAssessment
from lms.learning.models import SKILLS
from lms.quality.criteria.engine import (
    MAX_EVIDENCE,
    Outcome,
    Subject,
    cohort_ids,
    members,
    names,
    percent,
    rate_status,
    student_link,
)


def compute_assessed(kind: str) -> Callable[[list[Subject]], dict[Any, Outcome]]:
    def compute(subjects: list[Subject]) -> dict[Any, Outcome]:
        """At least ``min_percent`` % of the cohort's students (still enrolled or completed on
        the evaluation date) have an assessment of this kind in each of the 4 skills, recorded
        in this cohort by that date."""
        if not subjects:
            return {}
        students_of = members(subjects, active_on_as_of=False)
        skills: dict[tuple[int, int], dict[str, date]] = defaultdict(dict)
        for cohort_id, student_id, skill, first_on in db.session.execute(
            select(
                LevelAssessment.cohort_id,
                LevelAssessment.student_id,
                LevelAssessment.skill,
                func.min(LevelAssessment.assessed_on),
            )
            .where(
                LevelAssessment.cohort_id.in_(cohort_ids(subjects)),
                LevelAssessment.kind == kind,
            )
            .group_by(LevelAssessment.cohort_id, LevelAssessment.student_id, LevelAssessment.skill)
        ):
            skills[(cohort_id, student_id)][skill] = first_on
        named = names(sid for m in students_of.values() for sid in m)
        outcomes = {}
        for s in subjects:
            students = sorted(students_of[s.key], key=lambda sid: named.get(sid, ""))
            done = [
                sid
                for sid in students
                if all(
                    skills[(s.cohort.id, sid)].get(k) and skills[(s.cohort.id, sid)][k] <= s.as_of
                    for k in SKILLS
                )
            ]
            done_set = set(done)
            missing = [sid for sid in students if sid not in done_set]
            rate = len(done) / len(students) if students else None
            figures = {
                "kind": kind,
                "students": len(students),
                "assessed": len(done),
                "rate": None if rate is None else round(rate, 4),
                "min_percent": s.params["min_percent"],
                "missing": [[sid, named.get(sid, "")] for sid in missing],
            }
            evidence = [{"label": _("Niveaux du groupe"), "url": f"/cohorts/{s.cohort.id}/levels"}]
            evidence += [student_link(sid, named.get(sid, "")) for sid in missing[:MAX_EVIDENCE]]
            outcomes[s.key] = Outcome(rate_status(rate, s.params["min_percent"]), figures, evidence)
        return outcomes

    return compute


KIND_LABELS = {
    "placement": _l("au classement"),
    "mid": _l("à la mi-parcours"),
    "final": _l("en fin de cours"),
}


def describe_assessed(f: dict[str, Any]) -> str:
    if not f["students"]:
        return _("Aucun·e élève à évaluer.")
    text = _(
        "%(assessed)s élèves sur %(students)s évalué·es dans les 4 compétences %(when)s "
        "(%(rate)s; seuil : %(min)s %%).",
        assessed=f["assessed"],
        students=f["students"],
        when=KIND_LABELS.get(f["kind"], f["kind"]),
        rate=percent(f["rate"]),
        min=f["min_percent"],
    )
    if f["missing"]:
        shown = ", ".join(n for _sid, n in f["missing"][:MAX_EVIDENCE])
        text += " " + _("À évaluer : %(names)s.", names=shown)
    return text
