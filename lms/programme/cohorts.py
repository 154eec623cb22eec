"""Opening and changing cohorts (« groupes »): their dates follow the calendar of class days.

The end date is never typed: it is computed from the course's hours over the cohort's class days
(:func:`lms.programme.calendar.end_of_course`), the same way for the page's preview and for the
saved cohort. Flush, never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.catalog.models import WEEKDAYS, Cohort, Course, Site, cohort_teacher
from lms.catalog.vocab import COHORT_TRANSITIONS, CohortStatus
from lms.errors import ServiceError
from lms.extensions import db
from lms.programme.calendar import closures, end_of_course, end_search_limit, holiday_name

# Higher features tell whether somebody attended a cohort (attendance registers its probe):
# a cohort that somebody attended cannot be cancelled.
_ATTENDANCE_PROBES: list[Callable[[int], bool]] = []


def register_attendance_probe(probe: Callable[[int], bool]) -> None:
    """``probe(cohort_id)`` is true when somebody attended the cohort (registering twice
    changes nothing)."""
    if probe not in _ATTENDANCE_PROBES:
        _ATTENDANCE_PROBES.append(probe)


def somebody_attended(cohort_id: int) -> bool:
    return any(probe(cohort_id) for probe in _ATTENDANCE_PROBES)


def day_label(day: date) -> str:
    """« 24 juin 2027 », « 1er juillet 2027 »."""
    text = format_date(day, "d MMMM yyyy")
    return text.replace("1 ", "1er ", 1) if day.day == 1 and text.startswith("1 ") else text


def hours_label(minutes: int) -> str:
    """« 30 h », « 7,5 h »."""
    value = f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
    return _("%(hours)s h", hours=value.replace(".", ","))


@dataclass
class CohortPlan:
    """What a cohort's fields give before saving: the schedule and the computed dates."""

    course: Course
    site: Site
    start_on: date
    minutes: list[int]  # Monday to Friday
    end_on: date
    class_days: int
    total_minutes: int


def plan_cohort(
    course: Course,
    site: Site,
    start_on: date,
    minutes: Sequence[int],
    *,
    cohort: Cohort | None = None,
    today: date | None = None,
) -> CohortPlan:
    """Check a cohort's course, start date and weekly schedule, and compute its end date and
    total hours; writes nothing (the page's « Calculer la fin » and the save both call it).

    :param minutes: the weekly schedule, minutes from Monday to Friday.
    :param cohort: the cohort being changed (its past schedules still hold for the days up to
        ``today`` when it has started).
    :raises ServiceError: the week's total is not the course's hours per week (``schedule``),
        the start date is not a class day (``start_on``).
    """
    minutes = [int(m) for m in minutes]
    if len(minutes) != len(WEEKDAYS) or any(not 0 <= m <= 720 for m in minutes):
        raise ServiceError(_("Chaque jour compte de 0 à 12 heures de classe."), "schedule")
    expected = course.hours_per_week * 60
    if sum(minutes) != expected:
        raise ServiceError(
            _(
                "L'horaire de la semaine totalise %(total)s ; le cours %(course)s demande "
                "%(expected)s par semaine.",
                total=hours_label(sum(minutes)),
                course=course.code,
                expected=hours_label(expected),
            ),
            "schedule",
        )
    limit = end_search_limit(start_on, course.weeks)
    closed = closures([site.id], start_on, limit)[site.id]
    minutes_on = _schedule_in_force(minutes, cohort, today)
    problem = start_problem(start_on, minutes_on(start_on), closed)
    if problem:
        raise ServiceError(problem, "start_on")
    end_on, days, total = end_of_course(start_on, course.total_hours * 60, minutes_on, closed)
    return CohortPlan(course, site, start_on, minutes, end_on, days, total)


def start_problem(day: date, scheduled: int, closed: set[date]) -> str | None:
    """Why a cohort cannot start on ``day``, or None: it must be a class day."""
    if day.weekday() >= 5:
        return _(
            "Le %(day)s est un %(weekday)s : un groupe commence un jour de classe.",
            day=day_label(day),
            weekday=format_date(day, "EEEE"),
        )
    holiday = holiday_name(day)
    if holiday:
        return _(
            "Le %(day)s est un jour férié (%(name)s) : choisissez un jour de classe.",
            day=day_label(day),
            name=holiday,
        )
    if day in closed:
        return _(
            "Le centre est fermé le %(day)s (journée de fermeture) : choisissez un jour de classe.",
            day=day_label(day),
        )
    if scheduled <= 0:
        return _(
            "L'horaire ne prévoit pas de classe le %(weekday)s : le %(day)s n'est pas un jour "
            "de classe.",
            weekday=format_date(day, "EEEE"),
            day=day_label(day),
        )
    return None


def _schedule_in_force(
    minutes: list[int], cohort: Cohort | None, today: date | None
) -> Callable[[date], int]:
    """Minutes on a day once ``minutes`` is saved: a started cohort keeps its schedules up to
    ``today``; the new one holds from the next day on."""
    if cohort is None or today is None or not _started(cohort, today):
        return lambda day: minutes[day.weekday()] if day.weekday() < 5 else 0
    history = _history_after_change(cohort, minutes, today)

    def minutes_on(day: date) -> int:
        if day.weekday() >= 5:
            return 0
        iso = day.isoformat()
        for period in history:
            if iso <= period["until"]:
                return int(period["minutes"][day.weekday()])
        return minutes[day.weekday()]

    return minutes_on


def _started(cohort: Cohort, today: date) -> bool:
    return cohort.start_on <= today


def _history_after_change(cohort: Cohort, minutes: list[int], today: date) -> list[dict[str, Any]]:
    """The cohort's past schedules once its schedule becomes ``minutes`` after ``today``."""
    history = [dict(p) for p in cohort.past_schedules or []]
    current = cohort.weekday_minutes
    if current == minutes:
        return history
    if history and history[-1]["until"] >= today.isoformat():
        return history  # changed already today: the days up to today keep their schedule
    return [*history, {"until": today.isoformat(), "minutes": current}]


def suggest_code(course: Course, site: Site, start_on: date) -> str:
    """« FTC-1-MTL-2027-06 », with « -2 », « -3 »... when taken (one query)."""
    base = f"{course.code}-{site.code}-{start_on:%Y-%m}"[:34]
    taken = set(db.session.scalars(select(Cohort.code).where(Cohort.code.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def active_teachers(ids: Sequence[int]) -> list[User]:
    """The active teacher accounts among ``ids``.

    :raises ServiceError: (``teachers``) an id is not an active teacher.
    """
    wanted = set(ids)
    if not wanted:
        return []
    teachers = list(
        db.session.scalars(
            select(User).where(User.id.in_(wanted), User.role == Role.TEACHER, User.active)
        )
    )
    if len(teachers) != len(wanted):
        raise ServiceError(_("Choisissez des comptes d'enseignants actifs."), "teachers")
    return teachers


def _check_code(code: str, cohort_id: int | None) -> str:
    code = (code or "").strip()
    if not code:
        raise ServiceError(_("Indiquez un code de groupe."), "code")
    other = db.session.scalar(select(Cohort.id).where(Cohort.code == code))
    if other is not None and other != cohort_id:
        raise ServiceError(
            _("Le code « %(code)s » est déjà celui d'un autre groupe.", code=code), "code"
        )
    return code


def snapshot(cohort: Cohort, teacher_ids: Sequence[int]) -> dict[str, Any]:
    """A cohort as the audit log shows it."""
    return {
        "code": cohort.code,
        "course_id": cohort.course_id,
        "site_id": cohort.site_id,
        "start_on": cohort.start_on.isoformat(),
        "end_on": cohort.end_on.isoformat(),
        "capacity": cohort.capacity,
        "minutes": cohort.weekday_minutes,
        "past_schedules": list(cohort.past_schedules or []),
        "status": cohort.status,
        "teacher_ids": sorted(teacher_ids),
    }


def teacher_ids_of(cohort_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(cohort_teacher.c.user_id).where(cohort_teacher.c.cohort_id == cohort_id)
        )
    )


def _check_preview(plan: CohortPlan, expected: tuple[date | None, int | None]) -> None:
    """Saving needs the preview the person saw to still hold."""
    if expected != (plan.end_on, plan.total_minutes):
        raise ServiceError(
            _(
                "La date de fin calculée est le %(end)s (%(hours)s au total) : vérifiez cet "
                "aperçu, puis enregistrez.",
                end=day_label(plan.end_on),
                hours=hours_label(plan.total_minutes),
            )
        )


def _set_teachers(cohort: Cohort, teachers: list[User]) -> None:
    db.session.execute(delete(cohort_teacher).where(cohort_teacher.c.cohort_id == cohort.id))
    if teachers:
        db.session.execute(
            insert(cohort_teacher), [{"cohort_id": cohort.id, "user_id": t.id} for t in teachers]
        )


def create_cohort(
    *,
    course: Course,
    site: Site,
    code: str,
    start_on: date,
    minutes: Sequence[int],
    capacity: int,
    teacher_ids: Sequence[int],
    previewed: tuple[date | None, int | None],
    actor: User,
) -> Cohort:
    """Open a cohort (status « prévu »). ``site`` comes through the access layer.

    :param previewed: the end date and total minutes the page showed.
    :raises ServiceError: see :func:`plan_cohort`; a code already taken, an inactive site, a
        teacher who is not an active teacher, a preview that no longer holds.
    """
    if not site.active:
        raise ServiceError(_("Ce site est désactivé : choisissez un site actif."), "site_id")
    plan = plan_cohort(course, site, start_on, minutes)
    code = _check_code(code, None)
    teachers = active_teachers(teacher_ids)
    _check_preview(plan, previewed)
    cohort = Cohort(
        code=code,
        course_id=course.id,
        site_id=site.id,
        start_on=start_on,
        end_on=plan.end_on,
        capacity=capacity,
        status=CohortStatus.PLANNED.value,
        past_schedules=[],
        **{f"minutes_{d}": m for d, m in zip(WEEKDAYS, plan.minutes, strict=True)},
    )
    db.session.add(cohort)
    db.session.flush()
    _set_teachers(cohort, teachers)
    record("cohort.create", cohort, actor=actor, after=snapshot(cohort, [t.id for t in teachers]))
    return cohort


def update_cohort(
    cohort: Cohort,
    *,
    course: Course,
    site: Site,
    code: str,
    start_on: date,
    minutes: Sequence[int],
    capacity: int,
    teacher_ids: Sequence[int],
    previewed: tuple[date | None, int | None],
    today: date,
    actor: User,
) -> Cohort:
    """Change a cohort. Once it has started, its course, site and start date stay, and a new
    schedule holds from the day after ``today``: the days up to today keep theirs, and so
    does the attendance recorded on them.

    :raises ServiceError: as :func:`create_cohort`; a change that a started, finished or
        cancelled cohort no longer allows.
    """
    before = snapshot(cohort, teacher_ids_of(cohort.id))
    if cohort.status in (CohortStatus.FINISHED, CohortStatus.CANCELLED):
        raise ServiceError(_("Un groupe terminé ou annulé ne se modifie plus."), status=409)
    if _started(cohort, today):
        if start_on != cohort.start_on:
            raise ServiceError(
                _("Le groupe a commencé : sa date de début ne change plus."), "start_on"
            )
        if course.id != cohort.course_id:
            raise ServiceError(_("Le groupe a commencé : son cours ne change plus."), "course_id")
        if site.id != cohort.site_id:
            raise ServiceError(_("Le groupe a commencé : son site ne change plus."), "site_id")
    elif site.id != cohort.site_id and not site.active:
        raise ServiceError(_("Ce site est désactivé : choisissez un site actif."), "site_id")
    plan = plan_cohort(course, site, start_on, minutes, cohort=cohort, today=today)
    code = _check_code(code, cohort.id)
    teachers = active_teachers(teacher_ids)
    _check_preview(plan, previewed)
    if _started(cohort, today):
        cohort.past_schedules = _history_after_change(cohort, plan.minutes, today)
    for day, value in zip(WEEKDAYS, plan.minutes, strict=True):
        setattr(cohort, f"minutes_{day}", value)
    cohort.code = code
    cohort.course_id = course.id
    cohort.site_id = site.id
    cohort.start_on = start_on
    cohort.end_on = plan.end_on
    cohort.capacity = capacity
    _set_teachers(cohort, teachers)
    db.session.flush()
    after = snapshot(cohort, [t.id for t in teachers])
    if after != before:
        record("cohort.update", cohort, actor=actor, before=before, after=after)
    return cohort


def change_status(cohort: Cohort, status: str, *, actor: User) -> Cohort:
    """Move a cohort along planned → ongoing → finished, or cancel it.

    :raises ServiceError: a transition that the cohort's status does not allow; a cancellation
        of a cohort that somebody attended.
    """
    if status not in COHORT_TRANSITIONS.get(cohort.status, ()):
        raise ServiceError(
            _(
                "Un groupe « %(current)s » ne peut pas passer à « %(wanted)s ».",
                current=status_label(cohort.status),
                wanted=status_label(status),
            ),
            "status",
        )
    if status == CohortStatus.CANCELLED and somebody_attended(cohort.id):
        raise ServiceError(
            _("Des élèves ont déjà assisté aux cours de ce groupe : il ne peut plus être annulé."),
            "status",
            status=409,
        )
    before = cohort.status
    cohort.status = status
    db.session.flush()
    record(
        "cohort.status", cohort, actor=actor, before={"status": before}, after={"status": status}
    )
    return cohort


def status_label(status: str) -> str:
    return {
        CohortStatus.PLANNED: _("prévu"),
        CohortStatus.ONGOING: _("en cours"),
        CohortStatus.FINISHED: _("terminé"),
        CohortStatus.CANCELLED: _("annulé"),
    }.get(status, status)
