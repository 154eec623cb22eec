"""The weekly participation allowance of one student, from their attendance: pure arithmetic.

No database, no clock: the caller gathers one student-week (the class days of the week within
the student's enrolment) and the programme settings, and gets hours and the amount back.

Vocabulary, all in minutes (hours are derived):

- *scheduled*: the class minutes of the student-week, every class day within the enrolment
  (a Quebec holiday or a site closure is not a class day; a student who joined later has no
  scheduled minutes before their start date).
- *not taken* (« non saisi »): the part of *scheduled* on days whose attendance has not been
  taken yet. It counts neither as attended nor as absent: the ratio below ignores it.
- *attended*: minutes in class (a late arrival or an early departure removes its minutes).
- *justified*: whole days of justified absence. They count as attended up to
  ``justified_days_per_course`` days per course, in date order; past that, they are absences
  that do not count towards the allowance (but remain justified on the record).
- *unjustified*: the rest: absences, and the minutes missed by late arrivals and early
  departures.

The ratio is ``(attended + justified counted) / (scheduled − not taken)``. The rules:

- ``"prorated"``: amount × min(1, ratio); eligible when the ratio is above 0;
- ``"threshold"``: the full amount when the ratio reaches ``min_rate``, else nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

RULES = ("prorated", "threshold")
CENT = Decimal("0.01")


def week_start(day: date) -> date:
    """The Monday of the ISO week (Monday to Sunday) that ``day`` falls in."""
    return day - timedelta(days=day.weekday())


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week of ``day``."""
    monday = week_start(day)
    return monday, monday + timedelta(days=6)


def hours(minutes: int) -> Decimal:
    """Minutes as decimal hours with 2 digits (340 → 5.67), rounded half up."""
    return (Decimal(minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AllowanceSettings:
    amount: Decimal
    rule: str
    min_rate: Fraction
    justified_days_per_course: int

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> AllowanceSettings:
        """Build from programme settings (``lms.programme.settings.all_settings()``).

        :raises ValueError: an unknown rule or a negative number.
        """
        rule = str(values["allowance_rule"])
        if rule not in RULES:
            raise ValueError(f"unknown allowance rule: {rule!r}")
        amount = Decimal(str(values["allowance_weekly_amount"]))
        min_rate = Fraction(Decimal(str(values["allowance_min_rate"])))
        days = int(values["allowance_justified_days_per_course"])
        if amount < 0 or min_rate < 0 or days < 0:
            raise ValueError("allowance settings must not be negative")
        return cls(amount, rule, min_rate, days)


@dataclass(frozen=True)
class WeekAllowance:
    """One student-week's hours and allowance. Minutes are exact; hours are for display."""

    scheduled_minutes: int
    attended_minutes: int
    justified_minutes: int
    unjustified_minutes: int
    not_taken_minutes: int
    days_not_taken: int
    justified_days: int
    justified_days_counted: int  # this week's justified days counted as attended
    justified_counted_minutes: int
    ratio: Fraction | None  # None when no attendance was taken this week
    eligible: bool
    amount: Decimal

    @property
    def taken_minutes(self) -> int:
        return self.scheduled_minutes - self.not_taken_minutes

    @property
    def hours_scheduled(self) -> Decimal:
        return hours(self.scheduled_minutes)

    @property
    def hours_attended(self) -> Decimal:
        return hours(self.attended_minutes)

    @property
    def hours_justified(self) -> Decimal:
        return hours(self.justified_minutes)

    @property
    def hours_unjustified(self) -> Decimal:
        return hours(self.unjustified_minutes)

    @property
    def hours_justified_counted(self) -> Decimal:
        return hours(self.justified_counted_minutes)

    @property
    def complete(self) -> bool:
        """Every class day of the student-week has been taken: the amount is final."""
        return self.days_not_taken == 0


def compute_week(
    *,
    scheduled_minutes: int,
    attended_minutes: int,
    justified_day_minutes: Sequence[int],
    justified_days_before: int,
    settings: AllowanceSettings,
    not_taken_minutes: int = 0,
    days_not_taken: int = 0,
) -> WeekAllowance:
    """The allowance of one student-week.

    :param scheduled_minutes: class minutes of every class day of the student-week, taken or not.
    :param attended_minutes: minutes attended on the days taken.
    :param justified_day_minutes: the scheduled minutes of each justified-absence day of the
        week, in date order.
    :param justified_days_before: justified-absence days earlier in the course (all of them;
        at most ``settings.justified_days_per_course`` of them were counted).
    :param not_taken_minutes: the part of ``scheduled_minutes`` on days not taken yet.
    :param days_not_taken: how many class days those are.
    :raises ValueError: the minutes do not add up (more attended than scheduled...).
    """
    justified = sum(justified_day_minutes)
    taken = scheduled_minutes - not_taken_minutes
    unjustified = taken - attended_minutes - justified
    if min(attended_minutes, not_taken_minutes, taken, unjustified, days_not_taken) < 0 or any(
        m < 0 for m in justified_day_minutes
    ):
        raise ValueError("attendance minutes do not add up")
    remaining = max(0, settings.justified_days_per_course - max(0, justified_days_before))
    counted_days = list(justified_day_minutes[:remaining])
    counted = sum(counted_days)

    if taken == 0:
        ratio: Fraction | None = None
        eligible = False
        amount = Decimal("0.00")
    else:
        ratio = Fraction(attended_minutes + counted, taken)
        if settings.rule == "prorated":
            eligible = ratio > 0
            share = min(Fraction(1), ratio)
            amount = settings.amount * share.numerator / share.denominator
        else:
            eligible = ratio >= settings.min_rate
            amount = settings.amount if eligible else Decimal(0)
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return WeekAllowance(
        scheduled_minutes=scheduled_minutes,
        attended_minutes=attended_minutes,
        justified_minutes=justified,
        unjustified_minutes=unjustified,
        not_taken_minutes=not_taken_minutes,
        days_not_taken=days_not_taken,
        justified_days=len(justified_day_minutes),
        justified_days_counted=len(counted_days),
        justified_counted_minutes=counted,
        ratio=ratio,
        eligible=eligible,
        amount=amount,
    )
