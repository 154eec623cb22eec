"""The alert scan: evaluate every enabled rule over all ongoing cohorts, then open, keep or
clear alerts; escalate critical alerts left unacknowledged. Idempotent: a second scan on the
same data opens nothing. Two scans at once are serialized by a database lock, and the unique
``open_key`` makes a duplicate open alert impossible anyway."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, text

from lms import clock
from lms.alerts.models import Alert, AlertRuleSetting, Notification
from lms.alerts.rules import RULES, CohortInfo, Finding, ScanContext
from lms.auth.models import User
from lms.catalog.models import Cohort, Site, cohort_teacher, coordinator_region
from lms.extensions import db
from lms.programme.calendar import closures, working_days_between
from lms.programme.settings import get_setting

SCAN_LOCK_KEY = 724_001  # PostgreSQL advisory lock id for the scan


class RuleSettings:
    """Effective thresholds and on/off of each rule: course override, else programme-wide."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int | None], AlertRuleSetting] = {
            (row.rule_code, row.course_id): row
            for row in db.session.scalars(select(AlertRuleSetting))
        }

    def _row(self, code: str, course_id: int | None) -> AlertRuleSetting | None:
        return self.rows.get((code, course_id)) or self.rows.get((code, None))

    def params(self, code: str, course_id: int | None) -> dict[str, Any]:
        values = dict(RULES[code].defaults)
        general = self.rows.get((code, None))
        if general:
            values.update(general.params or {})
        override = self.rows.get((code, course_id)) if course_id else None
        if override:
            values.update(override.params or {})
        return values

    def enabled(self, code: str, course_id: int | None) -> bool:
        row = self._row(code, course_id)
        return True if row is None else row.enabled


def _lock() -> None:
    """Serialize scans: PostgreSQL advisory lock for this transaction; SQLite takes its write
    lock at BEGIN IMMEDIATE (the caller runs the scan under ``writing(wait_seconds=...)``, so
    that it waits for a scan in progress)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCAN_LOCK_KEY})
    else:
        db.session.execute(select(func.count(Alert.id)))  # begins the (immediate) transaction


def ongoing_cohorts(today: date) -> dict[int, CohortInfo]:
    rows = db.session.execute(
        select(Cohort, Site.region_id)
        .join(Site, Site.id == Cohort.site_id)
        .where(Cohort.start_on <= today, Cohort.end_on >= today)
    ).all()
    return {
        cohort.id: CohortInfo(cohort, cohort.course_id, region_id, cohort.week_number(today))
        for cohort, region_id in rows
    }


def scan(
    today: date | None = None, now: datetime | None = None, only: set[str] | None = None
) -> dict[str, int]:
    """Run every enabled rule (or ``only`` those) and reconcile alerts. Flushes; the caller
    commits.

    :returns: ``{"opened", "kept", "closed", "escalated"}`` counts.
    """
    today = today or clock.today()
    now = now or clock.utcnow()
    _lock()
    settings = RuleSettings()
    ctx = ScanContext(today, now, ongoing_cohorts(today), settings.params, settings.enabled)

    findings: dict[str, list[Finding]] = {}
    for code, rule in RULES.items():
        if only is not None and code not in only:
            continue
        findings[code] = rule.find(ctx, code) if ctx.cohorts or not rule.needs_cohorts else []

    open_alerts = {
        (a.rule_code, a.subject_key): a
        for a in db.session.scalars(
            select(Alert).where(Alert.open_key.is_not(None), Alert.rule_code.in_(list(findings)))
        )
    }
    cooldown = timedelta(days=int(get_setting("alert_cooldown_days")))
    recently_closed = {
        (code, key)
        for code, key in db.session.execute(
            select(Alert.rule_code, Alert.subject_key).where(
                Alert.open_key.is_(None),
                Alert.status.in_(("resolved", "dismissed")),
                Alert.closed_at >= now - cooldown,
            )
        )
    }
    counts = {"opened": 0, "kept": 0, "closed": 0, "escalated": 0}
    new_rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for code, items in findings.items():
        rule = RULES[code]
        for finding in items:
            key = (code, finding.subject_key)
            if key in seen:
                continue
            seen.add(key)
            alert = open_alerts.get(key)
            if alert is not None:
                alert.evidence = finding.evidence
                alert.last_seen_at = now
                counts["kept"] += 1
            elif key not in recently_closed:
                new_rows.append(
                    {
                        "rule_code": code,
                        "subject_key": finding.subject_key,
                        "open_key": f"{code}:{finding.subject_key}",
                        "student_id": finding.student_id,
                        "cohort_id": finding.cohort_id,
                        "severity": rule.severity,
                        "status": "open",
                        "evidence": finding.evidence,
                        "opened_at": now,
                        "last_seen_at": now,
                    }
                )
    opened: list[Alert] = []
    if new_rows:
        # One executemany INSERT, then one SELECT for the new ids (by their unique open_key):
        # two statements whatever the number of new alerts.
        db.session.execute(insert(Alert), new_rows)
        opened = list(
            db.session.scalars(
                select(Alert).where(Alert.open_key.in_([row["open_key"] for row in new_rows]))
            )
        )
        counts["opened"] = len(new_rows)
    for key, alert in open_alerts.items():
        if key not in seen:
            alert.status = "cleared"
            alert.open_key = None
            alert.closed_at = now
            counts["closed"] += 1
    db.session.flush()
    _notify_new(opened)
    counts["escalated"] = escalate(today, now)
    db.session.flush()
    return counts


def _teachers_by_cohort(cohort_ids: set[int]) -> dict[int, list[int]]:
    teachers: dict[int, list[int]] = defaultdict(list)
    if cohort_ids:
        for cohort_id, user_id in db.session.execute(
            select(cohort_teacher.c.cohort_id, cohort_teacher.c.user_id).where(
                cohort_teacher.c.cohort_id.in_(cohort_ids)
            )
        ):
            teachers[cohort_id].append(user_id)
    return teachers


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())


def alert_headline(alert: Alert, student_name: str | None, cohort_code: str) -> str:
    rule = RULES[alert.rule_code]
    if student_name:
        return _(
            "%(rule)s : %(student)s (%(cohort)s)",
            rule=rule.title,
            student=student_name,
            cohort=cohort_code,
        )
    return _("%(rule)s : groupe %(cohort)s", rule=rule.title, cohort=cohort_code)


def _notify_new(alerts: list[Alert]) -> None:
    """New alerts go to the cohort's teachers (in-app, and in their daily digest)."""
    if not alerts:
        return
    teachers = _teachers_by_cohort({a.cohort_id for a in alerts})
    names = _names({a.student_id for a in alerts if a.student_id})
    codes = dict(
        db.session.execute(
            select(Cohort.id, Cohort.code).where(Cohort.id.in_({a.cohort_id for a in alerts}))
        ).all()
    )
    rows = []
    for alert in alerts:
        message = alert_headline(alert, names.get(alert.student_id), codes[alert.cohort_id])
        owner = (alert.evidence or {}).get("owner_id")
        for user_id in [owner] if owner else teachers[alert.cohort_id]:
            rows.append(
                {"user_id": user_id, "alert_id": alert.id, "kind": "new", "message": message}
            )
    if rows:  # one executemany INSERT
        db.session.execute(insert(Notification), rows)


def escalate(today: date, now: datetime) -> int:
    """Critical alerts still unacknowledged after N working days go to the region's
    coordinators (once)."""
    limit = int(get_setting("alert_escalation_working_days"))
    candidates = db.session.execute(
        select(Alert, Site.region_id, Cohort.code, Cohort.site_id)
        .join(Cohort, Cohort.id == Alert.cohort_id)
        .join(Site, Site.id == Cohort.site_id)
        .where(Alert.severity == "critical", Alert.status == "open", Alert.escalated_at.is_(None))
    ).all()
    if not candidates:
        return 0
    closed = closures(
        {site_id for *_rest, site_id in candidates},
        min(clock.local_date(c[0].opened_at) for c in candidates),
        today,
    )
    due = [
        (alert, region_id, code)
        for alert, region_id, code, site_id in candidates
        if working_days_between(clock.local_date(alert.opened_at), today, closed[site_id]) >= limit
    ]
    if not due:
        return 0
    coordinators: dict[int, list[int]] = defaultdict(list)
    for user_id, region_id in db.session.execute(
        select(coordinator_region.c.user_id, coordinator_region.c.region_id).where(
            coordinator_region.c.region_id.in_({r for _a, r, _c in due})
        )
    ):
        coordinators[region_id].append(user_id)
    names = _names({a.student_id for a, _r, _c in due if a.student_id})
    rows = []
    for alert, region_id, code in due:
        alert.escalated_at = now
        message = _(
            "Escalade (non prise en charge depuis %(n)s jours ouvrables) — %(headline)s",
            n=limit,
            headline=alert_headline(alert, names.get(alert.student_id), code),
        )
        rows.extend(
            {"user_id": user_id, "alert_id": alert.id, "kind": "escalated", "message": message}
            for user_id in coordinators[region_id]
        )
    if rows:
        db.session.execute(insert(Notification), rows)
    return len(due)
