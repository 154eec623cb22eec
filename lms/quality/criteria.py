"""The catalogue of automatic checkpoint criteria.

Each criterion is a small documented unit: a code, a French title, default thresholds (all
integers, so that a form can edit them), and one set-based ``compute`` function that evaluates
MANY subjects at once — a subject being one cohort checked as of one date with its thresholds —
in a fixed number of queries whatever the number of cohorts or students. ``compute`` returns,
per subject, an :class:`Outcome`: a status (``pass``, ``fail``, or ``na`` when there is nothing
to check), its figures (plain JSON, kept in the review) and links to the evidence (URLs of the
pages where the data can be seen and fixed).

``describe(figures)`` turns the figures into a French sentence at display time.

The evaluation date of a subject (``as_of``) is the checkpoint's due date, or today if that is
earlier: a checkpoint looks at the cohort from its start up to its due date, with the data as
recorded now (a late correction still counts until the review is signed).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms import clock
from lms.alerts.models import Alert
from lms.attendance.queries import AttendanceWindow, attendance_not_taken
from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment, EnrolmentStatus, enrolment_active_on
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment
from lms.followup.queries import ExitCase, exit_followups
from lms.followup.services import interview_due_on, interview_in_enrolment, withdrawn_between
from lms.learning.models import SKILLS, Production
from lms.programme.calendar import closures, working_days_between
from lms.programme.settings import get_setting
from lms.quality.models import SurveyCompletion

MAX_EVIDENCE = 10  # links kept per criterion (the figures keep the full counts)


@dataclass(frozen=True)
class Subject:
    """One cohort to check as of one date, with the criterion's thresholds."""

    key: Any  # the caller's identifier (a review id)
    cohort: Cohort
    as_of: date
    params: dict[str, int]


@dataclass
class Outcome:
    status: str  # "pass" | "fail" | "na"
    figures: dict[str, Any]
    evidence: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Param:
    label: Any
    minimum: int
    maximum: int
    suffix: str = ""


@dataclass(frozen=True)
class Criterion:
    code: str
    title: Any
    description: Any
    defaults: dict[str, int]
    params: dict[str, Param]
    compute: Callable[[list[Subject]], dict[Any, Outcome]]
    describe: Callable[[dict[str, Any]], str]

    def effective(self, params: dict[str, Any] | None) -> dict[str, int]:
        """The defaults overridden by ``params`` (unknown keys dropped)."""
        values = dict(self.defaults)
        for name, value in (params or {}).items():
            if name in values:
                values[name] = int(value)
        return values


# --- shared helpers -----------------------------------------------------------------------------


def end_of_day(day: date) -> datetime:
    """The first moment after ``day`` in Quebec, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.QUEBEC).astimezone(UTC)


def _day(value: str | date) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "d MMMM")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def _student_link(student_id: int, name: str) -> dict[str, str]:
    return {"label": name, "url": f"/students/{student_id}"}


def _names(student_ids: Iterable[int]) -> dict[int, str]:
    ids = set(student_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _cohort_ids(subjects: list[Subject]) -> list[int]:
    return sorted({s.cohort.id for s in subjects})


def _members(subjects: list[Subject], *, active_on_as_of: bool) -> dict[Any, dict[int, Any]]:
    """The students each subject is about (one query), as ``{student_id: enrolment row}``.

    With ``active_on_as_of``: enrolments active on the evaluation date
    (:meth:`Enrolment.active_on`, whatever their status). Without: those started by then and not
    ended early (completed, or active on the date and neither withdrawn nor transferred) — the
    students a checkpoint expects to see assessed and surveyed.
    """
    if not subjects:
        return {}
    rows = db.session.execute(
        select(
            Enrolment.cohort_id,
            Enrolment.student_id,
            Enrolment.status,
            Enrolment.start_on,
            Enrolment.end_on,
        ).where(
            Enrolment.cohort_id.in_(_cohort_ids(subjects)),
            Enrolment.start_on <= max(s.as_of for s in subjects),
        )
    ).all()
    by_cohort: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_cohort[row.cohort_id].append(row)
    result: dict[Any, dict[int, Any]] = {}
    for subject in subjects:
        chosen: dict[int, Any] = {}
        for row in by_cohort[subject.cohort.id]:
            if row.start_on > subject.as_of:
                continue
            running = enrolment_active_on(row.start_on, row.end_on, subject.as_of)
            if active_on_as_of:
                keep = running
            else:
                keep = row.status == EnrolmentStatus.COMPLETED.value or (
                    running
                    and row.status
                    not in (EnrolmentStatus.WITHDRAWN.value, EnrolmentStatus.TRANSFERRED.value)
                )
            if keep:
                chosen[row.student_id] = row
        result[subject.key] = chosen
    return result


def _closed_days(subjects: list[Subject]) -> dict[int, set[date]]:
    if not subjects:
        return {}
    return closures(
        {s.cohort.site_id for s in subjects},
        min(s.cohort.start_on for s in subjects),
        max(s.as_of for s in subjects) + timedelta(days=31),
    )


# --- attendance recorded for every class day so far ---------------------------------------------


def compute_attendance_recorded(subjects: list[Subject]) -> dict[Any, Outcome]:
    """Every class day from the cohort's start to the evaluation date has its attendance: the
    days « présences non saisies » (:func:`lms.attendance.queries.attendance_not_taken`, as of
    now: today's class counts from 17:00) are at most ``max_missing``.

    Figures: ``expected`` class days, ``recorded``, the ``missing`` dates.
    """
    if not subjects:
        return {}
    checks = attendance_not_taken(
        {s.key: AttendanceWindow(s.cohort, s.cohort.start_on, s.as_of) for s in subjects},
        clock.utcnow(),
    )
    outcomes = {}
    for s in subjects:
        days, missing = checks[s.key].due, checks[s.key].missing
        figures = {
            "expected": len(days),
            "recorded": len(days) - len(missing),
            "missing": [d.isoformat() for d in missing],
            "max_missing": s.params["max_missing"],
        }
        status = (
            "na" if not days else ("pass" if len(missing) <= s.params["max_missing"] else "fail")
        )
        evidence = [
            {
                "label": _("Présences du %(day)s", day=_day(d)),
                "url": f"/cohorts/{s.cohort.id}/attendance?day={d.isoformat()}",
            }
            for d in missing[:MAX_EVIDENCE]
        ]
        if not evidence and days:
            evidence.append(
                {
                    "label": _("Présences du groupe"),
                    "url": f"/cohorts/{s.cohort.id}/attendance?day={days[-1].isoformat()}",
                }
            )
        outcomes[s.key] = Outcome(status, figures, evidence)
    return outcomes


def describe_attendance_recorded(f: dict[str, Any]) -> str:
    if not f["expected"]:
        return _("Aucun jour de classe à vérifier pour l'instant.")
    text = _(
        "Présences saisies pour %(recorded)s jours de classe sur %(expected)s.",
        recorded=f["recorded"],
        expected=f["expected"],
    )
    if f["missing"]:
        shown = ", ".join(_day(d) for d in f["missing"][:MAX_EVIDENCE])
        more = len(f["missing"]) - MAX_EVIDENCE
        text += " " + _("Jours non saisis : %(days)s.", days=shown)
        if more > 0:
            text += " " + ngettext("(et %(num)s autre)", "(et %(num)s autres)", more)
    return text


# --- students assessed in all four skills ---------------------------------------------------------


def _compute_assessed(kind: str) -> Callable[[list[Subject]], dict[Any, Outcome]]:
    def compute(subjects: list[Subject]) -> dict[Any, Outcome]:
        """At least ``min_percent`` % of the cohort's students (still enrolled or completed on
        the evaluation date) have an assessment of this kind in each of the 4 skills, recorded
        in this cohort by that date."""
        if not subjects:
            return {}
        members = _members(subjects, active_on_as_of=False)
        skills: dict[tuple[int, int], dict[str, date]] = defaultdict(dict)
        for cohort_id, student_id, skill, first_on in db.session.execute(
            select(
                LevelAssessment.cohort_id,
                LevelAssessment.student_id,
                LevelAssessment.skill,
                func.min(LevelAssessment.assessed_on),
            )
            .where(
                LevelAssessment.cohort_id.in_(_cohort_ids(subjects)),
                LevelAssessment.kind == kind,
            )
            .group_by(LevelAssessment.cohort_id, LevelAssessment.student_id, LevelAssessment.skill)
        ):
            skills[(cohort_id, student_id)][skill] = first_on
        names = _names(sid for m in members.values() for sid in m)
        outcomes = {}
        for s in subjects:
            students = sorted(members[s.key], key=lambda sid: names.get(sid, ""))
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
                "missing": [[sid, names.get(sid, "")] for sid in missing],
            }
            if rate is None:
                status = "na"
            else:
                status = "pass" if rate * 100 >= s.params["min_percent"] - 1e-9 else "fail"
            evidence = [{"label": _("Niveaux du groupe"), "url": f"/cohorts/{s.cohort.id}/levels"}]
            evidence += [_student_link(sid, names.get(sid, "")) for sid in missing[:MAX_EVIDENCE]]
            outcomes[s.key] = Outcome(status, figures, evidence)
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
        rate=_pct(f["rate"]),
        min=f["min_percent"],
    )
    if f["missing"]:
        names = ", ".join(n for _sid, n in f["missing"][:MAX_EVIDENCE])
        text += " " + _("À évaluer : %(names)s.", names=names)
    return text


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
    members = _members(subjects, active_on_as_of=True)
    student_ids = {sid for m in members.values() for sid in m}
    held: dict[int, list[date]] = defaultdict(list)
    if student_ids:
        for student_id, held_on in db.session.execute(
            select(FollowUpNote.student_id, FollowUpNote.held_on)
            .where(
                FollowUpNote.note_type == "entretien",
                FollowUpNote.student_id.in_(
                    select(Enrolment.student_id).where(
                        Enrolment.cohort_id.in_(_cohort_ids(subjects))
                    )
                ),
                FollowUpNote.held_on <= max(s.as_of for s in subjects),
            )
            .order_by(FollowUpNote.student_id, FollowUpNote.held_on)
        ):
            held[student_id].append(held_on)
    names = _names(student_ids)
    outcomes = {}
    for s in subjects:
        late = []
        students = members[s.key]
        for sid in sorted(students, key=lambda i: names.get(i, "")):
            start_on = students[sid].start_on
            dates = held[sid]
            index = bisect_right(dates, s.as_of)
            last = interview_in_enrolment(dates[index - 1] if index else None, start_on)
            due = interview_due_on(last, start_on, cadence)
            if s.as_of > due + timedelta(days=s.params["grace_days"]):
                late.append([sid, names.get(sid, ""), last and last.isoformat(), due.isoformat()])
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
        if rate is None:
            status = "na"
        else:
            status = "pass" if rate * 100 >= s.params["min_percent"] - 1e-9 else "fail"
        evidence = [{"label": _("Tableau de suivi"), "url": f"/cohorts/{s.cohort.id}/follow-up"}]
        evidence += [_student_link(row[0], row[1]) for row in late[:MAX_EVIDENCE]]
        outcomes[s.key] = Outcome(status, figures, evidence)
    return outcomes


def describe_interviews(f: dict[str, Any]) -> str:
    if not f["students"]:
        return _("Aucun·e élève inscrit·e à cette date.")
    text = _(
        "%(ok)s élèves sur %(students)s ont eu leur entretien de suivi à temps (un tous les "
        "%(cadence)s jours; %(rate)s; seuil : %(min)s %%).",
        ok=f["on_time"],
        students=f["students"],
        cadence=f["cadence"],
        rate=_pct(f["rate"]),
        min=f["min_percent"],
    )
    if f["late"]:
        names = ", ".join(row[1] for row in f["late"][:MAX_EVIDENCE])
        text += " " + _("En retard : %(names)s.", names=names)
    return text


# --- critical alerts acknowledged in time ---------------------------------------------------------


def compute_critical_alerts(subjects: list[Subject]) -> dict[Any, Outcome]:
    """Critical alerts opened between the cohort's start and the evaluation date were taken
    in charge (acknowledged, or resolved/dismissed) within ``working_days`` working days
    (the site's calendar). An alert still waiting counts as late once past the limit, and as
    pending before; one cleared by itself in time is not counted."""
    if not subjects:
        return {}
    rows = db.session.execute(
        select(
            Alert.id,
            Alert.cohort_id,
            Alert.status,
            Alert.opened_at,
            Alert.acknowledged_at,
            Alert.closed_at,
        ).where(
            Alert.cohort_id.in_(_cohort_ids(subjects)),
            Alert.severity == "critical",
            Alert.opened_at < end_of_day(max(s.as_of for s in subjects)),
        )
    ).all()
    by_cohort: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_cohort[row.cohort_id].append(row)
    closed = _closed_days(subjects)
    today = clock.today()
    outcomes = {}
    for s in subjects:
        limit = s.params["working_days"]
        on_time = pending = 0
        late: list[int] = []
        site_closed = closed[s.cohort.site_id]
        for row in by_cohort[s.cohort.id]:
            opened = clock.local_date(row.opened_at)
            if opened < s.cohort.start_on or opened > s.as_of:
                continue
            handled = row.acknowledged_at or (
                row.closed_at if row.status in ("resolved", "dismissed") else None
            )
            if handled is not None:
                waited = working_days_between(opened, clock.local_date(handled), site_closed)
                if waited <= limit:
                    on_time += 1
                else:
                    late.append(row.id)
                continue
            end = clock.local_date(row.closed_at) if row.closed_at else min(today, s.as_of)
            waited = working_days_between(opened, end, site_closed)
            if waited > limit:
                late.append(row.id)
            elif row.status not in ("cleared",):
                pending += 1
        total = on_time + len(late) + pending
        figures = {
            "total": total,
            "on_time": on_time,
            "late": len(late),
            "pending": pending,
            "working_days": limit,
            "late_ids": late,
        }
        status = "na" if not total else ("pass" if not late else "fail")
        evidence = [{"label": _("Alertes du groupe"), "url": f"/alerts/?cohort={s.cohort.id}"}]
        evidence += [
            {"label": _("Alerte nº %(id)s", id=alert_id), "url": f"/alerts/{alert_id}"}
            for alert_id in late[:MAX_EVIDENCE]
        ]
        outcomes[s.key] = Outcome(status, figures, evidence)
    return outcomes


def describe_critical_alerts(f: dict[str, Any]) -> str:
    if not f["total"]:
        return _("Aucune alerte critique pendant la période.")
    text = _(
        "Alertes critiques : %(ok)s prises en charge dans les %(days)s jours ouvrables, "
        "%(late)s en retard, %(pending)s en attente (sur %(total)s).",
        ok=f["on_time"],
        days=f["working_days"],
        late=f["late"],
        pending=f["pending"],
        total=f["total"],
    )
    return text


# --- productions graded in time -------------------------------------------------------------------


def compute_productions(subjects: list[Subject]) -> dict[Any, Outcome]:
    """Productions submitted between the cohort's start and the evaluation date were returned
    graded within ``days`` days. One not graded yet counts as late once past the limit (at the
    end of the evaluation date, or now if earlier), and as pending before."""
    if not subjects:
        return {}
    rows = db.session.execute(
        select(
            Production.id,
            Production.cohort_id,
            Production.submitted_at,
            Production.graded_at,
        ).where(
            Production.cohort_id.in_(_cohort_ids(subjects)),
            Production.submitted_at < end_of_day(max(s.as_of for s in subjects)),
        )
    ).all()
    by_cohort: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_cohort[row.cohort_id].append(row)
    now = clock.utcnow()
    outcomes = {}
    for s in subjects:
        limit = timedelta(days=s.params["days"])
        reference = min(now, end_of_day(s.as_of))
        on_time = pending = 0
        late: list[int] = []
        for row in by_cohort[s.cohort.id]:
            submitted = row.submitted_at
            if clock.local_date(submitted) < s.cohort.start_on or submitted >= end_of_day(s.as_of):
                continue
            graded = row.graded_at
            if graded is not None and graded - submitted <= limit:
                on_time += 1
            elif graded is not None and graded <= reference or reference - submitted > limit:
                late.append(row.id)
            else:
                pending += 1
        total = on_time + len(late) + pending
        figures = {
            "total": total,
            "on_time": on_time,
            "late": len(late),
            "pending": pending,
            "days": s.params["days"],
            "late_ids": late,
        }
        status = "na" if not total else ("pass" if not late else "fail")
        evidence = [
            {
                "label": _("Productions à corriger"),
                "url": f"/cohorts/{s.cohort.id}/productions",
            }
        ]
        evidence += [
            {"label": _("Production nº %(id)s", id=pid), "url": f"/productions/{pid}"}
            for pid in late[:MAX_EVIDENCE]
        ]
        outcomes[s.key] = Outcome(status, figures, evidence)
    return outcomes


def describe_productions(f: dict[str, Any]) -> str:
    if not f["total"]:
        return _("Aucune production remise pendant la période.")
    return _(
        "Productions : %(ok)s corrigées dans les %(days)s jours, %(late)s en retard, "
        "%(pending)s en attente (sur %(total)s).",
        ok=f["on_time"],
        days=f["days"],
        late=f["late"],
        pending=f["pending"],
        total=f["total"],
    )


# --- every withdrawal has an exit follow-up -------------------------------------------------------


def compute_withdrawals(subjects: list[Subject]) -> dict[Any, Outcome]:
    """Every withdrawal from the cohort up to the evaluation date has an exit follow-up done or
    under way on that date (:func:`lms.followup.services.exit_followup`: a note of type
    « sortie » from 14 days before the withdrawal on, done or still within its due date)."""
    if not subjects:
        return {}
    rows = db.session.execute(
        select(Enrolment.cohort_id, Enrolment.student_id, Enrolment.end_on).where(
            Enrolment.cohort_id.in_(_cohort_ids(subjects)),
            withdrawn_between(last=max(s.as_of for s in subjects)),
        )
    ).all()
    withdrawn: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        withdrawn[row.cohort_id].append(row)
    cases = {
        (s.key, index): ExitCase(row.student_id, row.end_on, s.as_of)
        for s in subjects
        for index, row in enumerate(withdrawn[s.cohort.id])
        if row.end_on <= s.as_of
    }
    checks = exit_followups(cases)
    names = _names({r.student_id for r in rows})
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
                    [row.student_id, names.get(row.student_id, ""), row.end_on.isoformat()]
                )
        figures = {"withdrawals": total, "followed": total - len(missing), "missing": missing}
        status = "na" if not total else ("pass" if not missing else "fail")
        evidence = [_student_link(row[0], row[1]) for row in missing[:MAX_EVIDENCE]]
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
        names = ", ".join(row[1] for row in f["missing"][:MAX_EVIDENCE])
        text += " " + _("Sans suivi de départ : %(names)s.", names=names)
    return text


# --- satisfaction survey response rate ------------------------------------------------------------


def compute_survey(subjects: list[Subject]) -> dict[Any, Outcome]:
    """At least ``min_percent`` % of the cohort's students (still enrolled or completed on the
    evaluation date) answered the end-of-course survey by that date."""
    if not subjects:
        return {}
    members = _members(subjects, active_on_as_of=False)
    answered: dict[int, list[date]] = defaultdict(list)
    for cohort_id, completed_on in db.session.execute(
        select(SurveyCompletion.cohort_id, SurveyCompletion.completed_on).where(
            SurveyCompletion.cohort_id.in_(_cohort_ids(subjects))
        )
    ):
        answered[cohort_id].append(completed_on)
    outcomes = {}
    for s in subjects:
        students = len(members[s.key])
        answers = sum(1 for d in answered[s.cohort.id] if d <= s.as_of)
        rate = min(1.0, answers / students) if students else None
        figures = {
            "students": students,
            "answers": answers,
            "rate": None if rate is None else round(rate, 4),
            "min_percent": s.params["min_percent"],
        }
        if rate is None:
            status = "na"
        else:
            status = "pass" if rate * 100 >= s.params["min_percent"] - 1e-9 else "fail"
        evidence = [
            {
                "label": _("Résultats du sondage"),
                "url": f"/quality/cohorts/{s.cohort.id}/survey",
            }
        ]
        outcomes[s.key] = Outcome(status, figures, evidence)
    return outcomes


def describe_survey(f: dict[str, Any]) -> str:
    if not f["students"]:
        return _("Aucun·e élève à sonder.")
    return _(
        "%(answers)s réponses au sondage de satisfaction pour %(students)s élèves (%(rate)s; "
        "seuil : %(min)s %%).",
        answers=f["answers"],
        students=f["students"],
        rate=_pct(f["rate"]),
        min=f["min_percent"],
    )


# --- the catalogue ------------------------------------------------------------------------------

_PERCENT = Param(_l("Seuil (en %)"), 0, 100, "%")

CRITERIA: dict[str, Criterion] = {
    c.code: c
    for c in (
        Criterion(
            "attendance_recorded",
            _l("Présences saisies pour chaque jour de classe"),
            _l("Chaque jour de classe passé a ses présences saisies."),
            {"max_missing": 0},
            {"max_missing": Param(_l("Jours non saisis tolérés"), 0, 30)},
            compute_attendance_recorded,
            describe_attendance_recorded,
        ),
        Criterion(
            "assessed_placement",
            _l("Élèves évalué·es au classement (4 compétences)"),
            _l("Part des élèves qui ont un niveau de classement dans les 4 compétences."),
            {"min_percent": 95},
            {"min_percent": _PERCENT},
            _compute_assessed("placement"),
            describe_assessed,
        ),
        Criterion(
            "assessed_mid",
            _l("Élèves évalué·es à la mi-parcours (4 compétences)"),
            _l("Part des élèves qui ont un niveau de mi-parcours dans les 4 compétences."),
            {"min_percent": 95},
            {"min_percent": _PERCENT},
            _compute_assessed("mid"),
            describe_assessed,
        ),
        Criterion(
            "assessed_final",
            _l("Élèves évalué·es en fin de cours (4 compétences)"),
            _l("Part des élèves qui ont un niveau de fin de cours dans les 4 compétences."),
            {"min_percent": 95},
            {"min_percent": _PERCENT},
            _compute_assessed("final"),
            describe_assessed,
        ),
        Criterion(
            "interviews_on_cadence",
            _l("Entretiens de suivi à jour"),
            _l("Chaque élève inscrit·e a eu son entretien de suivi selon la cadence prévue."),
            {"min_percent": 100, "grace_days": 0},
            {
                "min_percent": _PERCENT,
                "grace_days": Param(_l("Jours de tolérance"), 0, 30),
            },
            compute_interviews,
            describe_interviews,
        ),
        Criterion(
            "critical_alerts_acknowledged",
            _l("Alertes critiques prises en charge à temps"),
            _l("Chaque alerte critique est prise en charge dans le délai, en jours ouvrables."),
            {"working_days": 2},
            {"working_days": Param(_l("Délai (jours ouvrables)"), 0, 20)},
            compute_critical_alerts,
            describe_critical_alerts,
        ),
        Criterion(
            "productions_graded",
            _l("Productions corrigées à temps"),
            _l("Chaque production remise est corrigée dans le délai."),
            {"days": 5},
            {"days": Param(_l("Délai (jours)"), 1, 30)},
            compute_productions,
            describe_productions,
        ),
        Criterion(
            "withdrawals_exit_followup",
            _l("Suivi de départ pour chaque abandon"),
            _l("Chaque abandon a un suivi de départ fait ou en cours."),
            {},
            {},
            compute_withdrawals,
            describe_withdrawals,
        ),
        Criterion(
            "survey_response_rate",
            _l("Taux de réponse au sondage de satisfaction"),
            _l("Part des élèves qui ont répondu au sondage de fin de cours."),
            {"min_percent": 50},
            {"min_percent": _PERCENT},
            compute_survey,
            describe_survey,
        ),
    )
}

# Manual criteria: what the coordinator checks by hand.
MANUAL_KINDS: dict[str, Any] = {
    "sample": _l("Échantillon de dossiers d'élèves"),
    "observation": _l("Observation en classe"),
}
MANUAL_DEFAULTS: dict[str, dict[str, str]] = {
    "sample_files": {
        "kind": "sample",
        "label": "Vérification d'un échantillon de dossiers d'élèves",
    },
    "class_observation": {"kind": "observation", "label": "Observation d'une séance en classe"},
}
# The class observation rubric: each item scored 1 (insuffisant) to 4 (excellent).
OBSERVATION_RUBRIC: dict[str, Any] = {
    "consignes": _l("Clarté des consignes et des objectifs"),
    "interaction": _l("Interactions orales et participation des élèves"),
    "authenticite": _l("Tâches authentiques liées aux situations du programme"),
    "retroaction": _l("Rétroaction et correction des erreurs"),
}
RUBRIC_SCALE: dict[int, Any] = {
    1: _l("1 — insuffisant"),
    2: _l("2 — à améliorer"),
    3: _l("3 — satisfaisant"),
    4: _l("4 — excellent"),
}


def evaluate(items: list[tuple[str, Subject]]) -> dict[tuple[str, Any], Outcome]:
    """Evaluate ``(code, subject)`` pairs, each criterion once for all its subjects.

    :returns: ``{(code, subject.key): Outcome}``; unknown codes are skipped.
    """
    grouped: dict[str, list[Subject]] = defaultdict(list)
    for code, subject in items:
        if code in CRITERIA:
            grouped[code].append(subject)
    outcomes: dict[tuple[str, Any], Outcome] = {}
    for code, subjects in grouped.items():
        for key, outcome in CRITERIA[code].compute(subjects).items():
            outcomes[(code, key)] = outcome
    return outcomes
