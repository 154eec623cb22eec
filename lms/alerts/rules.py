"""The alert rules. Each rule is a small documented unit: a code, a severity, default
thresholds, one set-based finder over all ongoing cohorts at once (a fixed number of queries,
whatever the number of students), and a French description of its evidence.

A finder returns :class:`Finding` objects; the engine opens, keeps or clears alerts from them.
Thresholds come from ``params(course_id)``: the programme-wide setting, or a course override.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from lms.attendance.models import AttendanceRecord
from lms.attendance.queries import (
    ATTENDANCE_DUE_HOUR,
    AttendanceWindow,
    attendance_not_taken,
)
from lms.catalog.models import Cohort, Enrolment
from lms.clock import QUEBEC
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment
from lms.followup.queries import ExitCase, exit_followups
from lms.followup.services import interview_due_on, interview_in_enrolment, withdrawn_between
from lms.learning.models import Attempt, Exercise, Lesson, Production, Unit
from lms.programme.settings import get_setting


@dataclass(frozen=True)
class CohortInfo:
    cohort: Cohort
    course_id: int
    region_id: int
    week: int  # course week today (1..)


@dataclass
class ScanContext:
    today: date
    now: datetime
    cohorts: dict[int, CohortInfo]
    params: Callable[[str, int], dict[str, Any]]
    enabled: Callable[[str, int], bool]
    _cache: dict[str, Any] = field(default_factory=dict)

    def cohort_ids(self, rule: str) -> list[int]:
        return [cid for cid, info in self.cohorts.items() if self.enabled(rule, info.course_id)]

    def p(self, rule: str, cohort_id: int) -> dict[str, Any]:
        return self.params(rule, self.cohorts[cohort_id].course_id)

    def recent_attendance(self, depth: int) -> dict[tuple[int, int], list[Any]]:
        """Each (student, cohort)'s last ``depth`` attendance records, newest first (1 query)."""
        key = f"attendance:{depth}"
        if key not in self._cache:
            ranked = (
                select(
                    AttendanceRecord.student_id,
                    AttendanceRecord.cohort_id,
                    AttendanceRecord.day,
                    AttendanceRecord.status,
                    AttendanceRecord.minutes,
                    AttendanceRecord.scheduled_minutes,
                    AttendanceRecord.attended_minutes,
                    func.row_number()
                    .over(
                        partition_by=(AttendanceRecord.student_id, AttendanceRecord.cohort_id),
                        order_by=AttendanceRecord.day.desc(),
                    )
                    .label("rn"),
                )
                .where(
                    AttendanceRecord.cohort_id.in_(list(self.cohorts)),
                    AttendanceRecord.day <= self.today,
                )
                .subquery()
            )
            active = active_pairs(self.today, list(self.cohorts))
            rows = db.session.execute(
                select(ranked)
                .join(
                    active,
                    and_(
                        active.c.student_id == ranked.c.student_id,
                        active.c.cohort_id == ranked.c.cohort_id,
                    ),
                )
                .where(ranked.c.rn <= depth)
                .order_by(ranked.c.student_id, ranked.c.cohort_id, ranked.c.rn)
            ).all()
            grouped: dict[tuple[int, int], list[Any]] = defaultdict(list)
            for row in rows:
                grouped[(row.student_id, row.cohort_id)].append(row)
            self._cache[key] = grouped
        return self._cache[key]


@dataclass
class Finding:
    cohort_id: int
    evidence: dict[str, Any]
    student_id: int | None = None
    subject: str | None = None  # another subject than the student or the cohort

    @property
    def subject_key(self) -> str:
        if self.subject:
            return self.subject
        if self.student_id is None:
            return f"cohort:{self.cohort_id}"
        return f"student:{self.student_id}:cohort:{self.cohort_id}"


@dataclass(frozen=True)
class Rule:
    code: str
    title: Any
    description: Any
    severity: str
    subject: str  # "student" or "cohort"
    defaults: dict[str, Any]
    labels: dict[str, Any]
    find: Callable[[ScanContext, str], list[Finding]]
    describe: Callable[[dict[str, Any]], str]


def active_pairs(today: date, cohort_ids: list[int]):
    """(student_id, cohort_id) of enrolments active today in the given cohorts
    (:meth:`Enrolment.active_on`)."""
    return (
        select(Enrolment.student_id, Enrolment.cohort_id, Enrolment.start_on)
        .where(Enrolment.cohort_id.in_(cohort_ids), Enrolment.active_on(today))
        .subquery()
    )


def _d(value: str | date) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "d MMMM")


def _dates(values: list[str]) -> str:
    """« 24, 25 et 26 novembre »: days of the same month share it."""
    days = sorted(date.fromisoformat(v) for v in values)
    if not days:
        return ""
    parts = []
    for index, day in enumerate(days):
        last_of_month = index == len(days) - 1 or days[index + 1].month != day.month
        parts.append(_d(day) if last_of_month else str(day.day))
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s et %(last)s", first=", ".join(parts[:-1]), last=parts[-1])


def _hours(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


# --- attendance ---------------------------------------------------------------------------------


def find_low_attendance(ctx: ScanContext, code: str) -> list[Finding]:
    ids = set(ctx.cohort_ids(code))
    depth = max([ctx.p(code, c)["window_days"] for c in ids] or [0])
    findings = []
    for (student_id, cohort_id), rows in ctx.recent_attendance(depth).items():
        if cohort_id not in ids:
            continue
        params = ctx.p(code, cohort_id)
        rows = rows[: params["window_days"]]
        scheduled = sum(r.scheduled_minutes for r in rows)
        attended = sum(
            r.scheduled_minutes if r.status == "justified" else r.attended_minutes for r in rows
        )
        if len(rows) < params["min_days"] or not scheduled:
            continue
        rate = attended / scheduled
        if rate < params["min_rate"]:
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "rate": round(rate, 4),
                        "attended_minutes": attended,
                        "scheduled_minutes": scheduled,
                        "days": len(rows),
                        "first": rows[-1].day.isoformat(),
                        "last": rows[0].day.isoformat(),
                        "absences": [r.day.isoformat() for r in rows if r.status == "absent"],
                    },
                    student_id,
                )
            )
    return findings


def describe_low_attendance(e: dict) -> str:
    return _(
        "Présence de %(rate)s sur les %(days)s derniers jours de classe (%(first)s au %(last)s) : "
        "%(attended)s sur %(scheduled)s.",
        rate=f"{round(e['rate'] * 100)} %",
        days=e["days"],
        first=_d(e["first"]),
        last=_d(e["last"]),
        attended=_hours(e["attended_minutes"]),
        scheduled=_hours(e["scheduled_minutes"]),
    ) + (" " + _("Absences : %(dates)s.", dates=_dates(e["absences"])) if e["absences"] else "")


def find_absence_streak(ctx: ScanContext, code: str) -> list[Finding]:
    ids = set(ctx.cohort_ids(code))
    depth = max([ctx.p(code, c)["count"] for c in ids] or [0])
    findings = []
    for (student_id, cohort_id), rows in ctx.recent_attendance(depth).items():
        if cohort_id not in ids:
            continue
        count = ctx.p(code, cohort_id)["count"]
        last = rows[:count]
        if len(last) == count and all(r.status == "absent" for r in last):
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "count": count,
                        "dates": [r.day.isoformat() for r in reversed(last)],
                    },
                    student_id,
                )
            )
    return findings


def describe_absence_streak(e: dict) -> str:
    return _(
        "%(count)s absences non motivées consécutives : %(dates)s.",
        count=e["count"],
        dates=_dates(e["dates"]),
    )


def find_repeated_lateness(ctx: ScanContext, code: str) -> list[Finding]:
    ids = set(ctx.cohort_ids(code))
    depth = max([ctx.p(code, c)["window_days"] for c in ids] or [0])
    findings = []
    for (student_id, cohort_id), rows in ctx.recent_attendance(depth).items():
        if cohort_id not in ids:
            continue
        params = ctx.p(code, cohort_id)
        late = [r for r in rows[: params["window_days"]] if r.status == "late"]
        if len(late) >= params["count"]:
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "count": len(late),
                        "window_days": params["window_days"],
                        "late": [[r.day.isoformat(), r.minutes] for r in reversed(late)],
                    },
                    student_id,
                )
            )
    return findings


def describe_repeated_lateness(e: dict) -> str:
    details = ", ".join(
        _("%(day)s (%(minutes)s min)", day=_d(day), minutes=minutes) for day, minutes in e["late"]
    )
    return _(
        "%(count)s retards sur les %(window)s derniers jours de classe : %(details)s.",
        count=e["count"],
        window=e["window_days"],
        details=details,
    )


def find_attendance_not_taken(ctx: ScanContext, code: str) -> list[Finding]:
    """Class days of the last ``lookback_days`` whose attendance is due (today counts from
    ``after_hour``) and not taken, per cohort: :func:`lms.attendance.queries.attendance_not_taken`.
    """
    windows = {}
    for cohort_id in ctx.cohort_ids(code):
        params = ctx.p(code, cohort_id)
        first = ctx.today - timedelta(days=params["lookback_days"])
        windows[cohort_id] = AttendanceWindow(
            ctx.cohorts[cohort_id].cohort, first, ctx.today, params["after_hour"]
        )
    return [
        Finding(cohort_id, {"dates": [d.isoformat() for d in check.missing]})
        for cohort_id, check in attendance_not_taken(windows, ctx.now).items()
        if check.missing
    ]


def describe_attendance_not_taken(e: dict) -> str:
    return ngettext(
        "Présences non saisies pour %(num)s jour de classe : %(dates)s.",
        "Présences non saisies pour %(num)s jours de classe : %(dates)s.",
        len(e["dates"]),
        dates=_dates(e["dates"]),
    )


# --- online work --------------------------------------------------------------------------------


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
            last=_d(e["last"]),
        )
    return _("Aucune activité en ligne depuis le début du cours.")


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
        oldest=_d(e["oldest"]),
    )


# --- follow-up ----------------------------------------------------------------------------------


def find_interview_overdue(ctx: ScanContext, code: str) -> list[Finding]:
    ids = ctx.cohort_ids(code)
    if not ids:
        return []
    cadence = int(get_setting("interview_cadence_days"))
    active = active_pairs(ctx.today, ids)
    last = (
        select(FollowUpNote.student_id, func.max(FollowUpNote.held_on).label("held_on"))
        .where(FollowUpNote.note_type == "entretien", FollowUpNote.held_on <= ctx.today)
        .group_by(FollowUpNote.student_id)
        .subquery()
    )
    findings = []
    for student_id, cohort_id, start_on, held_on in db.session.execute(
        select(
            active.c.student_id, active.c.cohort_id, active.c.start_on, last.c.held_on
        ).outerjoin(last, last.c.student_id == active.c.student_id)
    ):
        grace = ctx.p(code, cohort_id)["grace_days"]
        since = interview_in_enrolment(held_on, start_on)
        due = interview_due_on(held_on, start_on, cadence)
        if ctx.today > due + timedelta(days=grace):
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "last": since.isoformat() if since else None,
                        "due": due.isoformat(),
                        "late_days": (ctx.today - due).days,
                        "cadence": cadence,
                    },
                    student_id,
                )
            )
    return findings


def describe_interview_overdue(e: dict) -> str:
    if e["last"]:
        return _(
            "Entretien de suivi en retard de %(late)s jours : le dernier date du %(last)s "
            "(un entretien tous les %(cadence)s jours, prévu le %(due)s).",
            late=e["late_days"],
            last=_d(e["last"]),
            cadence=e["cadence"],
            due=_d(e["due"]),
        )
    return _(
        "Aucun entretien de suivi depuis le début du cours; le premier était prévu le %(due)s "
        "(%(late)s jours de retard).",
        due=_d(e["due"]),
        late=e["late_days"],
    )


def find_no_level_gain(ctx: ScanContext, code: str) -> list[Finding]:
    ids = [c for c in ctx.cohort_ids(code) if ctx.cohorts[c].week >= ctx.p(code, c)["min_week"]]
    if not ids:
        return []
    active = active_pairs(ctx.today, ids)
    levels: dict[tuple[int, int], dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for student_id, cohort_id, skill, kind, level in db.session.execute(
        select(
            active.c.student_id,
            active.c.cohort_id,
            LevelAssessment.skill,
            LevelAssessment.kind,
            func.max(LevelAssessment.level),
        )
        .join(
            LevelAssessment,
            and_(
                LevelAssessment.student_id == active.c.student_id,
                LevelAssessment.cohort_id == active.c.cohort_id,
            ),
        )
        .where(LevelAssessment.kind.in_(("placement", "mid")))
        .group_by(
            active.c.student_id, active.c.cohort_id, LevelAssessment.skill, LevelAssessment.kind
        )
    ):
        levels[(student_id, cohort_id)][skill][kind] = level
    findings = []
    for (student_id, cohort_id), skills in levels.items():
        pairs = {s: v for s, v in skills.items() if "placement" in v and "mid" in v}
        if len(pairs) == 4 and all(v["mid"] <= v["placement"] for v in pairs.values()):
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "levels": {s: [v["placement"], v["mid"]] for s, v in sorted(pairs.items())},
                        "week": ctx.cohorts[cohort_id].week,
                    },
                    student_id,
                )
            )
    return findings


def describe_no_level_gain(e: dict) -> str:
    levels = ", ".join(f"{skill} {a} → {b}" for skill, (a, b) in e["levels"].items())
    return _(
        "Aucun gain de niveau à la mi-parcours dans les 4 compétences (classement → "
        "mi-parcours) : %(levels)s.",
        levels=levels,
    )


def find_withdrawal_without_exit(ctx: ScanContext, code: str) -> list[Finding]:
    """Withdrawals of the last 60 days without an exit follow-up done or under way today
    (:func:`lms.followup.services.exit_followup`)."""
    rows = db.session.execute(
        select(Enrolment.student_id, Enrolment.cohort_id, Enrolment.end_on, Cohort.course_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(withdrawn_between(ctx.today - timedelta(days=60), ctx.today))
    ).all()
    rows = [r for r in rows if ctx.enabled(code, r.course_id)]
    checks = exit_followups(
        {(r.student_id, r.cohort_id): ExitCase(r.student_id, r.end_on, ctx.today) for r in rows}
    )
    findings = []
    for student_id, cohort_id, end_on, _course in rows:
        check = checks[(student_id, cohort_id)]
        if not check.ok:
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "withdrawn_on": end_on.isoformat(),
                        "exit_due": check.overdue_due_on and check.overdue_due_on.isoformat(),
                    },
                    student_id,
                )
            )
    return findings


def describe_withdrawal_without_exit(e: dict) -> str:
    if e["exit_due"]:
        return _(
            "Abandon le %(day)s : le suivi de départ prévu pour le %(due)s n'est pas fait.",
            day=_d(e["withdrawn_on"]),
            due=_d(e["exit_due"]),
        )
    return _("Abandon le %(day)s sans suivi de départ.", day=_d(e["withdrawn_on"]))


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "low_attendance",
            _l("Faible taux de présence"),
            _l("Le taux de présence sur les derniers jours de classe est sous le seuil."),
            "warning",
            "student",
            {"window_days": 10, "min_days": 3, "min_rate": 0.8},
            {
                "window_days": _l("Jours de classe considérés"),
                "min_days": _l("Jours saisis au minimum"),
                "min_rate": _l("Taux de présence minimal (0 à 1)"),
            },
            find_low_attendance,
            describe_low_attendance,
        ),
        Rule(
            "absence_streak",
            _l("Absences consécutives"),
            _l("Plusieurs absences non motivées de suite."),
            "critical",
            "student",
            {"count": 3},
            {"count": _l("Nombre d'absences consécutives")},
            find_absence_streak,
            describe_absence_streak,
        ),
        Rule(
            "repeated_lateness",
            _l("Retards répétés"),
            _l("Plusieurs retards sur les derniers jours de classe."),
            "warning",
            "student",
            {"window_days": 10, "count": 3},
            {"window_days": _l("Jours de classe considérés"), "count": _l("Nombre de retards")},
            find_repeated_lateness,
            describe_repeated_lateness,
        ),
        Rule(
            "no_online_activity",
            _l("Aucune activité en ligne"),
            _l("Aucun exercice ni production en ligne depuis plusieurs jours."),
            "warning",
            "student",
            {"days": 7},
            {"days": _l("Jours sans activité")},
            find_no_online_activity,
            describe_no_online_activity,
        ),
        Rule(
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
        ),
        Rule(
            "behind_plan",
            _l("En retard sur le plan du cours"),
            _l("Peu d'exercices faits dans les unités des semaines passées."),
            "info",
            "student",
            {"min_share": 0.4},
            {"min_share": _l("Part minimale des exercices faits (0 à 1)")},
            find_behind_plan,
            describe_behind_plan,
        ),
        Rule(
            "no_level_gain",
            _l("Aucun gain de niveau à la mi-parcours"),
            _l("Les niveaux de mi-parcours ne dépassent le classement dans aucune compétence."),
            "warning",
            "student",
            {"min_week": 6},
            {"min_week": _l("À partir de la semaine")},
            find_no_level_gain,
            describe_no_level_gain,
        ),
        Rule(
            "interview_overdue",
            _l("Entretien de suivi en retard"),
            _l("L'entretien de suivi prévu par la cadence n'a pas eu lieu."),
            "warning",
            "student",
            {"grace_days": 0},
            {"grace_days": _l("Jours de tolérance après la date prévue")},
            find_interview_overdue,
            describe_interview_overdue,
        ),
        Rule(
            "attendance_not_taken",
            _l("Présences non saisies"),
            _l("Des jours de classe passés n'ont pas de présences saisies."),
            "warning",
            "cohort",
            {"after_hour": ATTENDANCE_DUE_HOUR, "lookback_days": 14},
            {
                "after_hour": _l("Heure après laquelle le jour même compte"),
                "lookback_days": _l("Jours vérifiés en arrière"),
            },
            find_attendance_not_taken,
            describe_attendance_not_taken,
        ),
        Rule(
            "productions_ungraded",
            _l("Productions non corrigées"),
            _l("Des productions attendent leur correction depuis trop longtemps."),
            "warning",
            "cohort",
            {"days": 5},
            {"days": _l("Jours d'attente")},
            find_productions_ungraded,
            describe_productions_ungraded,
        ),
        Rule(
            "withdrawal_without_exit",
            _l("Abandon sans suivi de départ"),
            _l("Un abandon récent n'a pas de suivi de départ fait ou en cours."),
            "critical",
            "student",
            {},
            {},
            find_withdrawal_without_exit,
            describe_withdrawal_without_exit,
        ),
    )
}


def register_rule(rule: Rule) -> None:
    """Add a rule of a higher feature (quality registers its overdue corrective actions): the
    alerts feature imports none of them. Registering the same code again replaces it."""
    RULES[rule.code] = rule
