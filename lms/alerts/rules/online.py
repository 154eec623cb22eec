"""Alert rules on online work: no online activity, low scores, behind the course plan,
productions left ungraded."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from lms.alerts.rules.base import Finding, Rule, ScanContext, active_pairs, short_date
from lms.catalog.models import Cohort
from lms.clock import QUEBEC
from lms.extensions import db
from lms.learning.models import Attempt, Exercise, Lesson, Production, Unit


def find_no_online_activity(ctx: ScanContext, code: str) -> list[Finding]:
    ids = ctx.cohort_ids(code)
    if not ids:
        return []
    active = active_pairs(ctx.today, ids)
    last_attempt = (
        select(Attempt.student_id, func.max(Attempt.created_at).label("at"))
        .group_by(Attempt.student_id)
        .subquery()
    )
    last_production = (
        select(Production.student_id, func.max(Production.submitted_at).label("at"))
        .group_by(Production.student_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            active.c.student_id,
            active.c.cohort_id,
            active.c.start_on,
            last_attempt.c.at,
            last_production.c.at,
        )
        .outerjoin(last_attempt, last_attempt.c.student_id == active.c.student_id)
        .outerjoin(last_production, last_production.c.student_id == active.c.student_id)
    ).all()
    findings = []
    for student_id, cohort_id, start_on, attempt_at, production_at in rows:
        days = ctx.p(code, cohort_id)["days"]
        last = max((t for t in (attempt_at, production_at) if t), default=None)
        since = max(start_on, ctx.today - timedelta(days=days))
        if (ctx.today - start_on).days < days:
            continue
        if last is None or last.astimezone(QUEBEC).date() < since:
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "days": days,
                        "last": last.astimezone(QUEBEC).date().isoformat() if last else None,
                    },
                    student_id,
                )
            )
    return findings


def describe_no_online_activity(e: dict) -> str:
    if e["last"]:
        return _(
            "Aucune activité en ligne depuis %(days)s jours ou plus (dernière activité : %(last)s).",
            days=e["days"],
            last=short_date(e["last"]),
        )
    return _("Aucune activité en ligne depuis le début du cours.")


NO_ONLINE_ACTIVITY = Rule(
    "no_online_activity",
    _l("Aucune activité en ligne"),
    _l("Aucun exercice ni production en ligne depuis plusieurs jours."),
    "warning",
    "student",
    {"days": 7},
    {"days": _l("Jours sans activité")},
    find_no_online_activity,
    describe_no_online_activity,
)


def find_low_scores(ctx: ScanContext, code: str) -> list[Finding]:
    ids = ctx.cohort_ids(code)
    if not ids:
        return []
    days = max(ctx.p(code, c)["days"] for c in ids)
    since = datetime.combine(ctx.today - timedelta(days=days), datetime.min.time(), QUEBEC)
    active = active_pairs(ctx.today, ids)
    rows = db.session.execute(
        select(
            active.c.student_id, active.c.cohort_id, func.count(Attempt.id), func.avg(Attempt.score)
        )
        .join(Attempt, Attempt.student_id == active.c.student_id)
        .where(Attempt.created_at >= since)
        .group_by(active.c.student_id, active.c.cohort_id)
    ).all()
    findings = []
    for student_id, cohort_id, count, mean in rows:
        params = ctx.p(code, cohort_id)
        if count >= params["min_attempts"] and float(mean) < params["max_mean"]:
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "attempts": count,
                        "mean": round(float(mean), 4),
                        "days": params["days"],
                    },
                    student_id,
                )
            )
    return findings


def describe_low_scores(e: dict) -> str:
    return _(
        "Moyenne de %(mean)s sur %(count)s exercices faits ces %(days)s derniers jours.",
        mean=f"{round(e['mean'] * 100)} %",
        count=e["attempts"],
        days=e["days"],
    )


LOW_SCORES = Rule(
    "low_scores",
    _l("Résultats faibles"),
    _l("La moyenne des exercices récents est basse."),
    "warning",
    "student",
    {"days": 14, "min_attempts": 5, "max_mean": 0.5},
    {
        "days": _l("Jours considérés"),
        "min_attempts": _l("Exercices faits au minimum"),
        "max_mean": _l("Moyenne sous laquelle alerter (0 à 1)"),
    },
    find_low_scores,
    describe_low_scores,
)


def find_behind_plan(ctx: ScanContext, code: str) -> list[Finding]:
    """Share of the exercises of past weeks' units that the student has done."""
    ids = [c for c in ctx.cohort_ids(code) if ctx.cohorts[c].week >= 2]
    if not ids:
        return []
    course_ids = {ctx.cohorts[c].course_id for c in ids}
    per_week = defaultdict(int)
    for course_id, week, count in db.session.execute(
        select(Unit.course_id, Unit.week, func.count(Exercise.id))
        .join(Lesson, Lesson.unit_id == Unit.id)
        .join(Exercise, Exercise.lesson_id == Lesson.id)
        .where(
            Unit.course_id.in_(course_ids),
            Unit.track_key.is_(None),
            Unit.active.is_(True),
            Exercise.active.is_(True),
        )
        .group_by(Unit.course_id, Unit.week)
    ):
        per_week[(course_id, week)] = count
    active = active_pairs(ctx.today, ids)
    done_ex = (
        select(Attempt.student_id, Attempt.exercise_id)
        .union(select(Production.student_id, Production.exercise_id))
        .subquery()
    )
    done = defaultdict(int)
    for student_id, cohort_id, week, count in db.session.execute(
        select(
            active.c.student_id,
            active.c.cohort_id,
            Unit.week,
            func.count(func.distinct(done_ex.c.exercise_id)),
        )
        .join(done_ex, done_ex.c.student_id == active.c.student_id)
        .join(Exercise, Exercise.id == done_ex.c.exercise_id)
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .join(Unit, Unit.id == Lesson.unit_id)
        .join(Cohort, Cohort.id == active.c.cohort_id)
        .where(Unit.course_id == Cohort.course_id, Unit.track_key.is_(None))
        .group_by(active.c.student_id, active.c.cohort_id, Unit.week)
    ):
        done[(student_id, cohort_id, week)] = count
    students = db.session.execute(select(active.c.student_id, active.c.cohort_id)).all()
    findings = []
    for student_id, cohort_id in students:
        info = ctx.cohorts[cohort_id]
        params = ctx.p(code, cohort_id)
        weeks = range(1, info.week)
        expected = sum(per_week[(info.course_id, w)] for w in weeks)
        achieved = sum(done[(student_id, cohort_id, w)] for w in weeks)
        if expected and achieved / expected < params["min_share"]:
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "done": achieved,
                        "expected": expected,
                        "weeks": info.week - 1,
                    },
                    student_id,
                )
            )
    return findings


def describe_behind_plan(e: dict) -> str:
    return _(
        "En retard sur le plan du cours : %(done)s exercices faits sur %(expected)s dans les "
        "unités des semaines 1 à %(weeks)s.",
        done=e["done"],
        expected=e["expected"],
        weeks=e["weeks"],
    )


BEHIND_PLAN = Rule(
    "behind_plan",
    _l("En retard sur le plan du cours"),
    _l("Peu d'exercices faits dans les unités des semaines passées."),
    "info",
    "student",
    {"min_share": 0.4},
    {"min_share": _l("Part minimale des exercices faits (0 à 1)")},
    find_behind_plan,
    describe_behind_plan,
)


def find_productions_ungraded(ctx: ScanContext, code: str) -> list[Finding]:
    ids = ctx.cohort_ids(code)
    if not ids:
        return []
    days = min(ctx.p(code, c)["days"] for c in ids)
    limit = ctx.now - timedelta(days=days)
    findings = []
    for cohort_id, count, oldest in db.session.execute(
        select(Production.cohort_id, func.count(Production.id), func.min(Production.submitted_at))
        .where(
            Production.cohort_id.in_(ids),
            Production.status == "submitted",
            Production.submitted_at <= limit,
        )
        .group_by(Production.cohort_id)
    ):
        if oldest <= ctx.now - timedelta(days=ctx.p(code, cohort_id)["days"]):
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "count": count,
                        "oldest": oldest.astimezone(QUEBEC).date().isoformat(),
                        "days": ctx.p(code, cohort_id)["days"],
                    },
                )
            )
    return findings


def describe_productions_ungraded(e: dict) -> str:
    return ngettext(
        "%(num)s production attend sa correction depuis plus de %(days)s jours (la plus "
        "ancienne : %(oldest)s).",
        "%(num)s productions attendent leur correction depuis plus de %(days)s jours (la plus "
        "ancienne : %(oldest)s).",
        e["count"],
        days=e["days"],
        oldest=short_date(e["oldest"]),
    )


PRODUCTIONS_UNGRADED = Rule(
    "productions_ungraded",
    _l("Productions non corrigées"),
    _l("Des productions attendent leur correction depuis trop longtemps."),
    "warning",
    "cohort",
    {"days": 5},
    {"days": _l("Jours d'attente")},
    find_productions_ungraded,
    describe_productions_ungraded,
)
