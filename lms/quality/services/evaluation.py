"""When a checkpoint falls, the reviews that fall due, and their automatic criteria."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from lms import clock
from lms.audit.services import record
from lms.catalog.models import Cohort
from lms.extensions import db
from lms.quality.criteria.catalogue import CRITERIA, MANUAL_KINDS, evaluate
from lms.quality.criteria.engine import Subject
from lms.quality.models import CheckpointReview, CheckpointTemplate


def due_date(template: CheckpointTemplate, cohort: Cohort) -> date | None:
    """The day ``template``'s checkpoint falls in ``cohort``, or ``None`` if it does not apply.

    « week N »: the Friday of the cohort's week N (weeks counted from its start date; the end
    date if the cohort ends before that Friday); ``None`` if week N starts after the cohort's end.
    « after_end »: N days after the cohort's end.
    """
    if template.when_kind == "after_end":
        return cohort.end_on + timedelta(days=template.when_value)
    week_start = cohort.start_on + timedelta(weeks=template.when_value - 1)
    if template.when_value < 1 or week_start > cohort.end_on:
        return None
    friday = week_start + timedelta(days=(4 - week_start.weekday()) % 7)
    return min(friday, cohort.end_on)


def origin_key(cohort_id: int, template_id: int) -> str:
    return f"{cohort_id}:{template_id}"


def criterion_entries(template: CheckpointTemplate) -> list[dict[str, Any]]:
    """The review's criteria from its template: automatic ones (known codes) then manual ones,
    each with a unique ``key`` (the code)."""
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in template.criteria or []:
        code = item.get("code")
        criterion = CRITERIA.get(code)
        if criterion is None or code in seen:
            continue
        seen.add(code)
        entries.append(
            {
                "key": code,
                "code": code,
                "type": "auto",
                "label": str(criterion.title),
                "params": criterion.effective(item.get("params")),
            }
        )
    for item in template.manual_criteria or []:
        code = item.get("code")
        if not code or code in seen or item.get("kind") not in MANUAL_KINDS:
            continue
        seen.add(code)
        entries.append(
            {
                "key": code,
                "code": code,
                "type": "manual",
                "kind": item["kind"],
                "label": item.get("label") or str(MANUAL_KINDS[item["kind"]]),
            }
        )
    return entries


def create_due_reviews(today: date) -> list[CheckpointReview]:
    """Create the reviews that are due (``due_on <= today``) and do not exist yet, for every
    cohort that has started and every active template. Flushes.

    Idempotent: an original review is keyed by ``origin_key`` (« cohort:template », unique), so
    a second call creates nothing and two concurrent calls cannot both create it.
    """
    templates = list(
        db.session.scalars(select(CheckpointTemplate).where(CheckpointTemplate.active.is_(True)))
    )
    if not templates:
        return []
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.start_on <= today)))
    existing = set(
        db.session.scalars(
            select(CheckpointReview.origin_key).where(CheckpointReview.origin_key.is_not(None))
        )
    )
    created = []
    for cohort in cohorts:
        for template in templates:
            key = origin_key(cohort.id, template.id)
            due = due_date(template, cohort)
            if key in existing or due is None or due > today:
                continue
            review = CheckpointReview(
                cohort_id=cohort.id,
                template_id=template.id,
                origin_key=key,
                due_on=due,
                status="due",
                results=criterion_entries(template),
                comment="",
            )
            db.session.add(review)
            created.append(review)
    if created:
        db.session.flush()
        for review in created:
            record(
                "review.create",
                review,
                after={
                    "cohort_id": review.cohort_id,
                    "template_id": review.template_id,
                    "due_on": review.due_on.isoformat(),
                },
            )
    return created


def evaluate_reviews(reviews: list[CheckpointReview], today: date) -> int:
    """(Re)compute the automatic criteria of unsigned ``reviews``, all at once: each criterion
    of the catalogue runs once for every review that has it (a fixed number of queries).

    The criteria list is rebuilt from the review's template (an amendment keeps the manual
    criteria it was copied with). Flushes. :returns: the number of reviews evaluated.
    """
    reviews = [r for r in reviews if r.status != "signed"]
    if not reviews:
        return 0
    cohorts = {
        c.id: c
        for c in db.session.scalars(
            select(Cohort).where(Cohort.id.in_({r.cohort_id for r in reviews}))
        )
    }
    templates = {
        t.id: t
        for t in db.session.scalars(
            select(CheckpointTemplate).where(
                CheckpointTemplate.id.in_({r.template_id for r in reviews})
            )
        )
    }
    entries: dict[int, list[dict[str, Any]]] = {}
    items: list[tuple[str, Subject]] = []
    for review in reviews:
        current = criterion_entries(templates[review.template_id])
        if review.amends_id is not None:
            # An amendment keeps the criteria of the review it corrects.
            current = [dict(e) for e in review.results or []]
        entries[review.id] = current
        as_of = min(today, review.due_on)
        for entry in current:
            if entry["type"] == "auto":
                subject = Subject(review.id, cohorts[review.cohort_id], as_of, entry["params"])
                items.append((entry["code"], subject))
    outcomes = evaluate(items)
    now = clock.utcnow()
    for review in reviews:
        results = []
        for entry in entries[review.id]:
            entry = {k: v for k, v in entry.items() if k not in ("status", "figures", "evidence")}
            outcome = outcomes.get((entry.get("code"), review.id))
            if entry["type"] == "auto" and outcome is not None:
                entry.update(
                    status=outcome.status, figures=outcome.figures, evidence=outcome.evidence
                )
            results.append(entry)
        review.results = results
        review.evaluated_at = now
    db.session.flush()
    return len(reviews)


def evaluate_all(today: date) -> dict[str, int]:
    """Create the due reviews, then (re)compute every unsigned review. Flushes."""
    created = create_due_reviews(today)
    pending = list(
        db.session.scalars(select(CheckpointReview).where(CheckpointReview.status == "due"))
    )
    return {"created": len(created), "evaluated": evaluate_reviews(pending, today)}
