"""Alert rules on attendance: low attendance, absence streaks, repeated lateness, attendance
not taken."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from lms.alerts.rules.base import Finding, Rule, ScanContext, short_date
from lms.attendance.queries import (
    ATTENDANCE_DUE_HOUR,
    AttendanceWindow,
    attendance_not_taken,
)


def _dates(values: list[str]) -> str:
    """« 24, 25 et 26 novembre »: days of the same month share it."""
    days = sorted(date.fromisoformat(v) for v in values)
    if not days:
        return ""
    parts = []
    for index, day in enumerate(days):
        last_of_month = index == len(days) - 1 or days[index + 1].month != day.month
        parts.append(short_date(day) if last_of_month else str(day.day))
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s et %(last)s", first=", ".join(parts[:-1]), last=parts[-1])


def _hours(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


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
        first=short_date(e["first"]),
        last=short_date(e["last"]),
        attended=_hours(e["attended_minutes"]),
        scheduled=_hours(e["scheduled_minutes"]),
    ) + (" " + _("Absences : %(dates)s.", dates=_dates(e["absences"])) if e["absences"] else "")


LOW_ATTENDANCE = Rule(
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
)


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


ABSENCE_STREAK = Rule(
    "absence_streak",
    _l("Absences consécutives"),
    _l("Plusieurs absences non motivées de suite."),
    "critical",
    "student",
    {"count": 3},
    {"count": _l("Nombre d'absences consécutives")},
    find_absence_streak,
    describe_absence_streak,
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
        _("%(day)s (%(minutes)s min)", day=short_date(day), minutes=minutes)
        for day, minutes in e["late"]
    )
    return _(
        "%(count)s retards sur les %(window)s derniers jours de classe : %(details)s.",
        count=e["count"],
        window=e["window_days"],
        details=details,
    )


REPEATED_LATENESS = Rule(
    "repeated_lateness",
    _l("Retards répétés"),
    _l("Plusieurs retards sur les derniers jours de classe."),
    "warning",
    "student",
    {"window_days": 10, "count": 3},
    {"window_days": _l("Jours de classe considérés"), "count": _l("Nombre de retards")},
    find_repeated_lateness,
    describe_repeated_lateness,
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


ATTENDANCE_NOT_TAKEN = Rule(
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
)
