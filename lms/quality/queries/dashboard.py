"""The quality dashboard: the indicators of the cohorts in the user's scope, per region, site,
course and cohort, and per month."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lms.access import visible_cohort_ids
from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Region, Site
from lms.extensions import db
from lms.quality.queries.indicators import collect
from lms.quality.queries.metrics import CohortInfo, Metrics, Period
from lms.quality.queries.scope import ScopeFilters

# The dashboard is narrowed by the scope filters alone.
DashboardFilters = ScopeFilters


@dataclass
class Row:
    key: int
    label: str
    metrics: Metrics
    info: CohortInfo | None = None  # cohort rows


@dataclass
class Dashboard:
    period: Period
    total: Metrics
    tables: dict[str, list[Row]]
    months: list[tuple[tuple[int, int], Metrics]]


def scoped_cohorts(user: User, filters: DashboardFilters, period: Period):
    """The ids of the cohorts in ``user``'s scope, matching the filters, that run during the
    period (a statement, used as a subquery by every dashboard query)."""
    stmt = (
        select(Cohort.id)
        .join(Site, Site.id == Cohort.site_id)
        .where(
            Cohort.id.in_(visible_cohort_ids(user)),
            Cohort.start_on <= period.end,
            Cohort.end_on >= period.start,
        )
    )
    return filters.apply(stmt)


def cohort_infos(scope) -> dict[int, CohortInfo]:
    """The cohorts of ``scope`` (a statement of ids) with their course, site and region (one
    query)."""
    rows = db.session.execute(
        select(
            Cohort.id,
            Cohort.code,
            Cohort.start_on,
            Cohort.end_on,
            Course.id,
            Course.code,
            Site.id,
            Site.name,
            Region.id,
            Region.name,
        )
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .join(Region, Region.id == Site.region_id)
        .where(Cohort.id.in_(scope))
    ).all()
    return {row[0]: CohortInfo(*row) for row in rows}


def dashboard(user: User, filters: DashboardFilters, period: Period) -> Dashboard:
    """The quality dashboard: indicators per region, site, course and cohort, and per month.
    A fixed number of queries (eight) whatever the number of cohorts."""
    scope = scoped_cohorts(user, filters, period)
    infos = cohort_infos(scope)
    buckets = collect(scope, period, infos) if infos else {}
    per_cohort: dict[int, Metrics] = {cid: Metrics(cohorts=1) for cid in infos}
    per_month: dict[tuple[int, int], Metrics] = {m: Metrics() for m in period.months()}
    total = Metrics()
    for (cohort_id, month, _student), metrics in buckets.items():
        per_cohort[cohort_id].add(metrics)
        if month in per_month:
            per_month[month].add(metrics)
    groups: dict[str, dict[int, Row]] = {"regions": {}, "sites": {}, "courses": {}}
    cohort_rows = []
    for cohort_id, metrics in per_cohort.items():
        info = infos[cohort_id]
        total.add(metrics)
        for table, key, text in (
            ("regions", info.region_id, info.region_name),
            ("sites", info.site_id, info.site_name),
            ("courses", info.course_id, info.course_code),
        ):
            row = groups[table].setdefault(key, Row(key, text, Metrics()))
            row.metrics.add(metrics)
        cohort_rows.append(Row(cohort_id, info.code, metrics, info))
    tables = {name: sorted(rows.values(), key=lambda r: r.label) for name, rows in groups.items()}
    tables["cohorts"] = sorted(
        cohort_rows, key=lambda r: (r.info.region_name, r.info.site_name, r.label)
    )
    return Dashboard(period, total, tables, sorted(per_month.items()))
