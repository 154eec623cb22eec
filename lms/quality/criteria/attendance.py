"""Criterion: attendance recorded for every class day so far."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from lms import clock
from lms.attendance.queries import AttendanceWindow, attendance_not_taken
from lms.quality.criteria.engine import MAX_EVIDENCE, Outcome, Subject, day_label


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
                "label": _("Présences du %(day)s", day=day_label(d)),
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
        shown = ", ".join(day_label(d) for d in f["missing"][:MAX_EVIDENCE])
        more = len(f["missing"]) - MAX_EVIDENCE
        text += " " + _("Jours non saisis : %(days)s.", days=shown)
        if more > 0:
            text += " " + ngettext("(et %(num)s autre)", "(et %(num)s autres)", more)
    return text
