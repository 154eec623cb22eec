"""Class days: the cohort's weekdays with scheduled minutes, minus Quebec's statutory holidays
and the site's closure days. Attendance, allowance hours and alert deadlines all use it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select

from lms.extensions import db
from lms.programme.models import ClosureDay


@lru_cache(maxsize=32)
def quebec_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("CA", subdiv="QC", years=year, language="fr"))


def is_holiday(day: date) -> bool:
    return day in quebec_holidays(day.year)


def holiday_name(day: date) -> str | None:
    return quebec_holidays(day.year).get(day)


def closures(site_ids: Iterable[int], start: date, end: date) -> dict[int, set[date]]:
    """Closure days per site between two dates (one query)."""
    ids = list(set(site_ids))
    result: dict[int, set[date]] = {i: set() for i in ids}
    if not ids:
        return result
    for site_id, day in db.session.execute(
        select(ClosureDay.site_id, ClosureDay.day).where(
            ClosureDay.site_id.in_(ids), ClosureDay.day >= start, ClosureDay.day <= end
        )
    ):
        result[site_id].add(day)
    return result


def class_days(cohort, start: date, end: date, closed: set[date] | None = None) -> list[date]:
    """The cohort's class days between ``start`` and ``end`` (both included), within its dates.

    :param closed: the site's closure days (from :func:`closures`); read here when omitted.
    """
    start, end = max(start, cohort.start_on), min(end, cohort.end_on)
    if start > end:
        return []
    if closed is None:
        closed = closures([cohort.site_id], start, end)[cohort.site_id]
    days = []
    day = start
    while day <= end:
        if cohort.minutes_on(day) > 0 and not is_holiday(day) and day not in closed:
            days.append(day)
        day += timedelta(days=1)
    return days


def working_days_between(start: date, end: date, closed: set[date] = frozenset()) -> int:
    """Working days after ``start`` up to ``end`` (Mon-Fri, not holidays, not closed)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and not is_holiday(day) and day not in closed:
            count += 1
    return count


def end_of_course(
    start_on: date,
    total_minutes: int,
    minutes_on: Callable[[date], int],
    closed: set[date],
) -> tuple[date, int, int]:
    """The last class day of a course of ``total_minutes`` starting on ``start_on``: class days
    (weekdays with scheduled minutes, not holidays, not in ``closed``) are counted until their
    minutes reach the total. The one computation behind the « Nouveau groupe » preview and the
    saved end date.

    :param minutes_on: the minutes scheduled on a day (the cohort's schedule in force that day).
    :param closed: the site's closure days from ``start_on`` on (see :func:`closures`).
    :returns: (end date, class days counted, scheduled minutes counted).
    :raises ValueError: the schedule has no class minute at all.
    """
    if total_minutes <= 0:
        return start_on, 0, 0
    if not any(minutes_on(start_on + timedelta(days=i)) for i in range(7)):
        raise ValueError("a schedule without any class minute never ends")
    day, counted, minutes = start_on, 0, 0
    while day <= start_on + timedelta(days=3660):  # ten years: a calendar closed for good
        scheduled = minutes_on(day)
        if scheduled > 0 and not is_holiday(day) and day not in closed:
            counted += 1
            minutes += scheduled
            if minutes >= total_minutes:
                return day, counted, minutes
        day += timedelta(days=1)
    raise ValueError("no end within ten years")


def end_search_limit(start_on: date, weeks: int) -> date:
    """A day after which no course of ``weeks`` weeks can end (to read closures once):
    twice its length plus a margin, far more than holidays and closures can add."""
    return start_on + timedelta(weeks=2 * weeks + 8)
