"""Criterion: productions graded in time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms import clock
from lms.extensions import db
from lms.learning.models import Production
from lms.quality.criteria.engine import (
    MAX_EVIDENCE,
    Outcome,
    Subject,
    cohort_ids,
    rows_by_cohort,
)


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
            Production.cohort_id.in_(cohort_ids(subjects)),
            Production.submitted_at < clock.end_of_day(max(s.as_of for s in subjects)),
        )
    ).all()
    by_cohort = rows_by_cohort(rows)
    now = clock.utcnow()
    outcomes = {}
    for s in subjects:
        limit = timedelta(days=s.params["days"])
        day_ends = clock.end_of_day(s.as_of)
        reference = min(now, day_ends)
        on_time = pending = 0
        late: list[int] = []
        for row in by_cohort[s.cohort.id]:
            submitted = row.submitted_at
            if clock.local_date(submitted) < s.cohort.start_on or submitted >= day_ends:
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
