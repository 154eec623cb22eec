"""Criteria on the students' follow-up: interviews on cadence, an exit follow-up for every
withdrawal."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.catalog.models import Enrolment
from lms.extensions import db
from lms.followup.models import FollowUpNote
from lms.followup.queries.end_of_course import ExitCase, exit_followups
from lms.followup.rules import interview_due_on, interview_in_enrolment, withdrawn_between
from lms.programme.settings import get_setting
from lms.quality.criteria.engine import (
    MAX_EVIDENCE,
    Outcome,
    Subject,
    cohort_ids,
    members,
    names,
    percent,
    rate_status,
    rows_by_cohort,
    student_link,
)

# --- follow-up interviews on cadence --------------------------------------------------------------


def compute_interviews(subjects: list[Subject]) -> dict[Any, Outcome]:
    """Every student enrolled on the evaluation date had a follow-up interview (note of type
    « entretien ») within the cadence (programme setting ``interview_cadence_days``, plus
    ``grace_days``): counted from the last interview, or from the start of the enrolment.
    Passes when at least ``min_percent`` % of the students are on time. An evaluation date
    after the cohort's end is brought back to its last day."""
    if not subjects:
        return {}
    # After the cohort's end nobody is due an interview any more: check as of the last day.
    subjects = [replace(s, as_of=min(s.as_of, s.cohort.end_on)) for s in subjects]
    cadence = int(get_setting("interview_cadence_days"))
    students_of = members(subjects, active_on_as_of=True)
    student_ids = {sid for m in students_of.values() for sid in m}
    held = _interviews(subjects) if student_ids else {}
    named = names(student_ids)
    outcomes = {}
    for s in subjects:
        late = []
        students = students_of[s.key]
        for sid in sorted(students, key=lambda i: named.get(i, "")):
            start_on = students[sid].start_on
            dates = held.get(sid, [])
            index = bisect_right(dates, s.as_of)
            last = interview_in_enrolment(dates[index - 1] if index else None, start_on)
            due = interview_due_on(last, start_on, cadence)
            if s.as_of > due + timedelta(days=s.params["grace_days"]):
                late.append([sid, named.get(sid, ""), last and last.isoformat(), due.isoformat()])
        total = len(students)
        rate = (total - len(late)) / total if total else None
        figures = {
            "students": total,
            "on_time": total - len(late),
            "rate": None if rate is None else round(rate, 4),
            "cadence": cadence,
            "min_percent": s.params["min_percent"],
            "late": late,
        }
        evidence = [{"label": _("Tableau de suivi"), "url": f"/cohorts/{s.cohort.id}/follow-up"}]
        evidence += [student_link(row[0], row[1]) for row in late[:MAX_EVIDENCE]]
        outcomes[s.key] = Outcome(rate_status(rate, s.params["min_percent"]), figures, evidence)
    return outcomes


def _interviews(subjects: list[Subject]) -> dict[int, list[date]]:
    """The days of the interviews of the subjects' students, by student, in order (one query)."""
    held: dict[int, list[date]] = defaultdict(list)
    for student_id, held_on in db.session.execute(
        select(FollowUpNote.student_id, FollowUpNote.held_on)
        .where(
            FollowUpNote.note_type == "entretien",
            FollowUpNote.student_id.in_(
                select(Enrolment.student_id).where(Enrolment.cohort_id.in_(cohort_ids(subjects)))
            ),
            FollowUpNote.held_on <= max(s.as_of for s in subjects),
        )
        .order_by(FollowUpNote.student_id, FollowUpNote.held_on)
    ):
        held[student_id].append(held_on)
    return held


def describe_interviews(f: dict[str, Any]) -> str:
    if not f["students"]:
        return _("Aucun·e élève inscrit·e à cette date.")
    text = _(
        "%(ok)s élèves sur %(students)s ont eu leur entretien de suivi à temps (un tous les "
        "%(cadence)s jours; %(rate)s; seuil : %(min)s %%).",
        ok=f["on_time"],
        students=f["students"],
        cadence=f["cadence"],
        rate=percent(f["rate"]),
        min=f["min_percent"],
    )
    if f["late"]:
        shown = ", ".join(row[1] for row in f["late"][:MAX_EVIDENCE])
        text += " " + _("En retard : %(names)s.", names=shown)
    return text


# --- every withdrawal has an exit follow-up -------------------------------------------------------


def compute_withdrawals(subjects: list[Subject]) -> dict[Any, Outcome]:
    """Every withdrawal from the cohort up to the evaluation date has an exit follow-up done or
    under way on that date (:func:`lms.followup.rules.exit_followup`: a note of type
    « sortie » from 14 days before the withdrawal on, done or still within its due date)."""
    if not subjects:
        return {}
    rows = db.session.execute(
        select(Enrolment.cohort_id, Enrolment.student_id, Enrolment.end_on).where(
            Enrolment.cohort_id.in_(cohort_ids(subjects)),
            withdrawn_between(last=max(s.as_of for s in subjects)),
        )
    ).all()
    withdrawn = rows_by_cohort(rows)
    cases = {
        (s.key, index): ExitCase(row.student_id, row.end_on, s.as_of)
        for s in subjects
        for index, row in enumerate(withdrawn[s.cohort.id])
        if row.end_on <= s.as_of
    }
    checks = exit_followups(cases)
    named = names({r.student_id for r in rows})
    outcomes = {}
    for s in subjects:
        total = 0
        missing = []
        for index, row in enumerate(withdrawn[s.cohort.id]):
            if (s.key, index) not in checks:
                continue
            total += 1
            if not checks[(s.key, index)].ok:
                missing.append(
                    [row.student_id, named.get(row.student_id, ""), row.end_on.isoformat()]
                )
        figures = {"withdrawals": total, "followed": total - len(missing), "missing": missing}
        status = "na" if not total else ("pass" if not missing else "fail")
        evidence = [student_link(row[0], row[1]) for row in missing[:MAX_EVIDENCE]]
        outcomes[s.key] = Outcome(status, figures, evidence)
    return outcomes


def describe_withdrawals(f: dict[str, Any]) -> str:
    if not f["withdrawals"]:
        return _("Aucun abandon pendant la période.")
    text = _(
        "%(ok)s abandons sur %(total)s ont un suivi de départ fait ou en cours.",
        ok=f["followed"],
        total=f["withdrawals"],
    )
    if f["missing"]:
        shown = ", ".join(row[1] for row in f["missing"][:MAX_EVIDENCE])
        text += " " + _("Sans suivi de départ : %(names)s.", names=shown)
    return text
