"""Attendance verbs: check a class day, take or correct a cohort's attendance for one day.

They flush, never commit: the view owns the transaction. Every save is in the audit log
(``attendance.take`` for the first one, ``attendance.update`` with before and after for each
record changed later).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from lms import clock
from lms.attendance import queries
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.attendance.vocab import WITH_MINUTES, AttendanceStatus, JustificationReason
from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Cohort
from lms.errors import ServiceError
from lms.extensions import db
from lms.programme.calendar import holiday_name


class AttendanceRowErrors(ServiceError):
    """Some rows are wrong; ``errors`` maps a student id to French messages."""

    def __init__(self, errors: dict[int, list[str]]):
        super().__init__(_("Certaines lignes ne conviennent pas : voyez le message de chacune."))
        self.errors = errors


def conflict() -> ServiceError:
    """Someone else saved the day after the form was read: nothing was written (409)."""
    return ServiceError(
        _(
            "Un·e collègue a enregistré les présences de ce jour pendant que vous les "
            "modifiiez. Vos changements n'ont pas été enregistrés : voici la version à jour. "
            "Refaites vos changements, puis enregistrez."
        ),
        status=409,
    )


@contextmanager
def lost_races_are_conflicts() -> Iterator[None]:
    """A write that lost a race with another save of the same day (its version moved, or its
    first save was inserted meanwhile) is a :func:`conflict`, not a crash."""
    try:
        yield
    except (StaleDataError, IntegrityError) as exc:
        raise conflict() from exc


@dataclass(frozen=True)
class Entry:
    """One row of the grid as submitted."""

    student_id: int
    status: str
    minutes: int | None = None
    reason: str | None = None
    comment: str = ""


def long_date(day: date) -> str:
    return format_date(day, "EEEE d MMMM yyyy")


def class_day_problem(cohort: Cohort, day: date, today: date) -> str | None:
    """Why attendance cannot be taken for ``cohort`` on ``day``, or None if it can.

    A class day is a weekday of the cohort's schedule within its dates, neither a Quebec
    statutory holiday nor a closure day of its site. At most one query (the closure).
    """
    when = long_date(day)
    if day > today:
        return _("Le %(day)s est à venir : on ne peut pas saisir les présences d'avance.", day=when)
    if day < cohort.start_on or day > cohort.end_on:
        return _(
            "Le %(day)s est en dehors des dates du groupe (du %(start)s au %(end)s).",
            day=when,
            start=format_date(cohort.start_on, "d MMMM yyyy"),
            end=format_date(cohort.end_on, "d MMMM yyyy"),
        )
    if cohort.minutes_on(day) <= 0:
        return _("Le %(day)s n'est pas un jour de classe de ce groupe.", day=when)
    holiday = holiday_name(day)
    if holiday:
        return _("Le %(day)s est un jour férié (%(name)s) : pas de classe.", day=when, name=holiday)
    reason = queries.closure_reason(cohort.site_id, day)
    if reason is not None:
        if reason:
            return _("Le centre est fermé le %(day)s (%(reason)s).", day=when, reason=reason)
        return _("Le centre est fermé le %(day)s.", day=when)
    return None


def attended_minutes(status: str, minutes: int, scheduled: int) -> int:
    """Minutes attended on a day of ``scheduled`` minutes.

    Present: all of them; late or left early: all but ``minutes``; absent (justified or not):
    none. E.g. late 20 minutes on a 6-hour day: 360 − 20 = 340 minutes (5 h 40).
    """
    if status == "present":
        return scheduled
    if status in WITH_MINUTES:
        return scheduled - minutes
    return 0


def _row_errors(entry: Entry, scheduled: int) -> list[str]:
    errors = []
    if entry.status not in tuple(AttendanceStatus):
        return [_("Choisissez un statut dans la liste.")]
    if entry.status in WITH_MINUTES:
        if entry.minutes is None or not 1 <= entry.minutes <= scheduled - 1:
            errors.append(
                _(
                    "Inscrivez le nombre de minutes de retard ou de départ hâtif, de 1 à %(max)s.",
                    max=scheduled - 1,
                )
            )
    elif entry.minutes:
        errors.append(_("Des minutes ne s'inscrivent qu'avec « en retard » ou « départ hâtif »."))
    if entry.status == "justified":
        if not entry.reason:
            errors.append(_("Choisissez le motif de l'absence motivée."))
        elif entry.reason not in tuple(JustificationReason):
            errors.append(_("Choisissez un motif dans la liste."))
    if len(entry.comment or "") > 500:
        errors.append(_("Le commentaire dépasse 500 caractères."))
    return errors


def _snapshot(r: AttendanceRecord) -> dict:
    return {
        "status": r.status,
        "minutes": r.minutes,
        "reason": r.reason,
        "comment": r.comment,
        "attended_minutes": r.attended_minutes,
    }


def save_attendance(
    cohort: Cohort,
    day: date,
    entries: list[Entry],
    *,
    actor: User,
    expected_version: int,
    today: date,
) -> AttendanceDay:
    """Take or correct the attendance of ``cohort`` on ``day``: one record per student listed.

    ``entries`` must hold exactly the students enrolled that day. Nothing is written when
    anything is refused.

    :param expected_version: the day's version when the form was read (0: never taken).
    :raises ServiceError: a future day, not a class day, a student not enrolled that day
        (or one missing from the entries); (409, :func:`conflict`) the day was saved by someone
        else since ``expected_version``.
    :raises AttendanceRowErrors: a status, minutes or reason that does not fit.
    """
    problem = class_day_problem(cohort, day, today)
    if problem:
        raise ServiceError(problem)
    enrolled = {sid: name for sid, name, _email in queries.enrolled_on(cohort.id, day)}
    seen = [e.student_id for e in entries]
    if len(seen) != len(set(seen)):
        raise ServiceError(_("Un·e élève apparaît deux fois dans la liste."))
    strangers = [sid for sid in seen if sid not in enrolled]
    if strangers:
        raise ServiceError(
            _(
                "Cet·te élève n'est pas inscrit·e dans ce groupe le %(day)s (n° %(ids)s) : "
                "ses présences ne peuvent pas être saisies ce jour-là.",
                day=long_date(day),
                ids=", ".join(str(s) for s in strangers),
            )
        )
    missing = [name for sid, name in enrolled.items() if sid not in set(seen)]
    if missing:
        raise ServiceError(
            _(
                "La liste des élèves a changé depuis l'ouverture de la page (%(names)s). "
                "Vérifiez la liste à jour, puis enregistrez de nouveau.",
                names=", ".join(missing),
            )
        )
    scheduled = cohort.minutes_on(day)
    errors = {e.student_id: msgs for e in entries if (msgs := _row_errors(e, scheduled))}
    if errors:
        raise AttendanceRowErrors(errors)

    attendance_day = db.session.scalar(
        select(AttendanceDay)
        .where(AttendanceDay.cohort_id == cohort.id, AttendanceDay.day == day)
        .execution_options(populate_existing=True)
    )
    first = attendance_day is None
    if (0 if first else attendance_day.version) != expected_version:
        raise conflict()
    existing = {
        r.student_id: r
        for r in db.session.scalars(
            select(AttendanceRecord)
            .where(AttendanceRecord.cohort_id == cohort.id, AttendanceRecord.day == day)
            .execution_options(populate_existing=True)
        )
    }
    planned: list[tuple[int, AttendanceRecord | None, dict]] = []
    for entry in entries:
        values = {
            "status": entry.status,
            "minutes": (entry.minutes or 0) if entry.status in WITH_MINUTES else 0,
            "reason": entry.reason if entry.status == "justified" else None,
            "comment": (entry.comment or "").strip() or None,
            "attended_minutes": attended_minutes(entry.status, entry.minutes or 0, scheduled),
        }
        current = existing.get(entry.student_id)
        if (
            current is None
            or _snapshot(current) != values
            or current.scheduled_minutes != scheduled
        ):
            planned.append((entry.student_id, current, values))
    if not planned and not first:
        return attendance_day  # nothing changed: the day keeps its version

    # The day first: its version guards the whole grid (UPDATE ... WHERE version = as read),
    # and on PostgreSQL its row lock makes a concurrent save wait, then fail on the version.
    actor_id, now = actor.id, clock.utcnow()  # read before any change: no early autoflush
    if first:
        attendance_day = AttendanceDay(
            cohort_id=cohort.id, day=day, taken_by_id=actor_id, taken_at=now
        )
        db.session.add(attendance_day)
    else:
        attendance_day.taken_by_id = actor_id
        attendance_day.taken_at = now
    with lost_races_are_conflicts():  # two first saves at once: the other one won
        db.session.flush()

    changes: list[tuple[AttendanceRecord, dict | None]] = []
    for student_id, current, values in planned:
        if current is None:
            current = AttendanceRecord(
                cohort_id=cohort.id,
                student_id=student_id,
                day=day,
                scheduled_minutes=scheduled,
                **values,
            )
            db.session.add(current)
            changes.append((current, None))
        else:
            before = _snapshot(current)
            for key, value in values.items():
                setattr(current, key, value)
            current.scheduled_minutes = scheduled
            changes.append((current, before))
    db.session.flush()

    if first:
        record(
            "attendance.take",
            attendance_day,
            actor=actor,
            after={
                "cohort_id": cohort.id,
                "day": day.isoformat(),
                "records": {str(r.student_id): _snapshot(r) for r, _b in changes},
            },
        )
    else:
        for r, before in changes:
            record(
                "attendance.update",
                r,
                actor=actor,
                before=before,
                after={
                    "cohort_id": cohort.id,
                    "student_id": r.student_id,
                    "day": day.isoformat(),
                    **_snapshot(r),
                },
            )
    return attendance_day
