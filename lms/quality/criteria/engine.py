"""What every automatic checkpoint criterion is, and the helpers the criteria share.

Each criterion is a small documented unit: a code, a French title, default thresholds (all
integers, so that a form can edit them), and one set-based ``compute`` function that evaluates
MANY subjects at once — a subject being one cohort checked as of one date with its thresholds —
in a fixed number of queries whatever the number of cohorts or students. ``compute`` returns,
per subject, an :class:`Outcome`: a status (``pass``, ``fail``, or ``na`` when there is nothing
to check), its figures (plain JSON, kept in the review) and links to the evidence (URLs of the
pages where the data can be seen and fixed).

``describe(figures)`` turns the figures into a French sentence at display time.

The evaluation date of a subject (``as_of``) is the checkpoint's due date, or today if that is
earlier: a checkpoint looks at the cohort from its start up to its due date, with the data as
recorded now (a late correction still counts until the review is signed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import format_date
from sqlalchemy import select

from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment, EnrolmentStatus, enrolment_active_on
from lms.extensions import db
from lms.programme.calendar import closures

MAX_EVIDENCE = 10  # links kept per criterion (the figures keep the full counts)


@dataclass(frozen=True)
class Subject:
    """One cohort to check as of one date, with the criterion's thresholds."""

    key: Any  # the caller's identifier (a review id)
    cohort: Cohort
    as_of: date
    params: dict[str, int]


@dataclass
class Outcome:
    status: str  # "pass" | "fail" | "na"
    figures: dict[str, Any]
    evidence: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Param:
    label: Any
    minimum: int
    maximum: int
    suffix: str = ""


@dataclass(frozen=True)
class Criterion:
    code: str
    title: Any
    description: Any
    defaults: dict[str, int]
    params: dict[str, Param]
    compute: Callable[[list[Subject]], dict[Any, Outcome]]
    describe: Callable[[dict[str, Any]], str]

    def effective(self, params: dict[str, Any] | None) -> dict[str, int]:
        """The defaults overridden by ``params`` (unknown keys dropped)."""
        values = dict(self.defaults)
        for name, value in (params or {}).items():
            if name in values:
                values[name] = int(value)
        return values


# --- shared helpers -----------------------------------------------------------------------------


def day_label(value: str | date) -> str:
    """« 5 octobre »: a day as the sentences show it."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "d MMMM")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def rate_status(rate: float | None, min_percent: int) -> str:
    """``na`` without anybody to count, else whether ``rate`` reaches ``min_percent`` %."""
    if rate is None:
        return "na"
    return "pass" if rate * 100 >= min_percent - 1e-9 else "fail"


def student_link(student_id: int, name: str) -> dict[str, str]:
    return {"label": name, "url": f"/students/{student_id}"}


def names(student_ids: Iterable[int]) -> dict[int, str]:
    """The names of ``student_ids`` (one query; none without ids)."""
    ids = set(student_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def cohort_ids(subjects: list[Subject]) -> list[int]:
    return sorted({s.cohort.id for s in subjects})


def members(subjects: list[Subject], *, active_on_as_of: bool) -> dict[Any, dict[int, Any]]:
    """The students each subject is about (one query), as ``{student_id: enrolment row}``.

    With ``active_on_as_of``: enrolments active on the evaluation date
    (:meth:`Enrolment.active_on`, whatever their status). Without: those started by then and not
    ended early (completed, or active on the date and neither withdrawn nor transferred) — the
    students a checkpoint expects to see assessed and surveyed.
    """
    if not subjects:
        return {}
    rows = db.session.execute(
        select(
            Enrolment.cohort_id,
            Enrolment.student_id,
            Enrolment.status,
            Enrolment.start_on,
            Enrolment.end_on,
        ).where(
            Enrolment.cohort_id.in_(cohort_ids(subjects)),
            Enrolment.start_on <= max(s.as_of for s in subjects),
        )
    ).all()
    by_cohort = rows_by_cohort(rows)
    result: dict[Any, dict[int, Any]] = {}
    for subject in subjects:
        chosen: dict[int, Any] = {}
        for row in by_cohort[subject.cohort.id]:
            if row.start_on > subject.as_of:
                continue
            running = enrolment_active_on(row.start_on, row.end_on, subject.as_of)
            if active_on_as_of:
                keep = running
            else:
                keep = row.status == EnrolmentStatus.COMPLETED.value or (
                    running
                    and row.status
                    not in (EnrolmentStatus.WITHDRAWN.value, EnrolmentStatus.TRANSFERRED.value)
                )
            if keep:
                chosen[row.student_id] = row
        result[subject.key] = chosen
    return result


def rows_by_cohort(rows: Iterable[Any]) -> dict[int, list[Any]]:
    """Result rows grouped by their ``cohort_id``."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.cohort_id].append(row)
    return grouped


def closed_days(subjects: list[Subject]) -> dict[int, set[date]]:
    """The closure days of the subjects' sites, over their runs (one query)."""
    if not subjects:
        return {}
    return closures(
        {s.cohort.site_id for s in subjects},
        min(s.cohort.start_on for s in subjects),
        max(s.as_of for s in subjects) + timedelta(days=31),
    )
