"""Criterion: critical alerts taken in charge in time."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms import clock
from lms.alerts.models import Alert
from lms.extensions import db
from lms.programme.calendar import working_days_between
from lms.quality.criteria.engine import (
    MAX_EVIDENCE,
    Outcome,
    Subject,
    closed_days,
    cohort_ids,
    rows_by_cohort,
)


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
            Alert.cohort_id.in_(cohort_ids(subjects)),
            Alert.severity == "critical",
            Alert.opened_at < clock.end_of_day(max(s.as_of for s in subjects)),
        )
    ).all()
    by_cohort = rows_by_cohort(rows)
    closed = closed_days(subjects)
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
