"""The checkpoint reviews: the list of the user's scope, one review with everything its page
shows, and the chain of amendments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from lms.access import visible_cohort_ids
from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Region, Site
from lms.extensions import db
from lms.quality.models import (
    CheckpointReview,
    CheckpointTemplate,
    CorrectiveAction,
    ReviewFinding,
)
from lms.quality.queries.scope import ScopeFilters

PAGE = 50


def first_amendment_id():
    """The id of the first amendment of the outer query's review, or NULL (a correlated scalar
    subquery)."""
    amendment = aliased(CheckpointReview)
    return (
        select(func.min(amendment.id))
        .where(amendment.amends_id == CheckpointReview.id)
        .correlate(CheckpointReview)
        .scalar_subquery()
    )


def review_chain(review: CheckpointReview) -> list[int]:
    """The review and the reviews it amends, most recent first (one query per level: chains
    are short)."""
    ids = [review.id]
    current = review.amends_id
    while current is not None:
        ids.append(current)
        current = db.session.scalar(
            select(CheckpointReview.amends_id).where(CheckpointReview.id == current)
        )
    return ids


# --- the review list ----------------------------------------------------------------------------


@dataclass
class ReviewFilters(ScopeFilters):
    status: str | None = None  # due, signed


@dataclass
class ReviewRow:
    review: CheckpointReview
    template_name: str
    cohort_code: str
    course_code: str
    site_name: str
    region_name: str
    amended_by: int | None


def review_list(user: User, filters: ReviewFilters, page: int) -> tuple[list[ReviewRow], int]:
    """The reviews of the cohorts in ``user``'s scope: the ones to do first (oldest due date
    first), then the signed ones (latest first). Two queries."""
    base = (
        select(CheckpointReview.id)
        .join(Cohort, Cohort.id == CheckpointReview.cohort_id)
        .join(Site, Site.id == Cohort.site_id)
        .where(CheckpointReview.cohort_id.in_(visible_cohort_ids(user)))
    )
    if filters.status:
        base = base.where(CheckpointReview.status == filters.status)
    base = filters.apply(base)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(
        select(
            CheckpointReview,
            CheckpointTemplate.name,
            Cohort.code,
            Course.code,
            Site.name,
            Region.name,
            first_amendment_id(),
        )
        .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
        .join(Cohort, Cohort.id == CheckpointReview.cohort_id)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .join(Region, Region.id == Site.region_id)
        .where(CheckpointReview.id.in_(base))
        .order_by(
            (CheckpointReview.status == "signed").asc(),
            CheckpointReview.due_on.asc(),
            Cohort.code,
            CheckpointReview.id,
        )
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    ).all()
    return [ReviewRow(*row) for row in rows], total


# --- one review ---------------------------------------------------------------------------------


@dataclass
class ActionRow:
    action: CorrectiveAction
    owner_name: str | None
    inherited: bool  # belongs to a review this one amends


@dataclass
class ReviewDetail:
    review: CheckpointReview
    template: CheckpointTemplate
    cohort: Cohort
    course: Course
    site: Site
    region: Region
    findings: dict[str, ReviewFinding]
    actions: list[ActionRow]
    sample: list[tuple[int, str]]
    names: dict[int, str]
    amends: CheckpointReview | None
    amended_by: CheckpointReview | None


def review_detail(review: CheckpointReview) -> ReviewDetail:
    """Everything the review page shows, in a fixed number of queries."""
    template, cohort, course, site, region = db.session.execute(
        select(CheckpointTemplate, Cohort, Course, Site, Region)
        .select_from(CheckpointReview)
        .join(Cohort, Cohort.id == CheckpointReview.cohort_id)
        .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .join(Region, Region.id == Site.region_id)
        .where(CheckpointReview.id == review.id)
    ).one()
    related = list(
        db.session.scalars(
            select(CheckpointReview).where(
                or_(
                    CheckpointReview.amends_id == review.id,
                    CheckpointReview.id == review.amends_id,
                )
            )
        )
    )
    amends = next((r for r in related if r.id == review.amends_id), None)
    amended_by = min(
        (r for r in related if r.amends_id == review.id), key=lambda r: r.id, default=None
    )
    findings = {
        f.criterion: f
        for f in db.session.scalars(
            select(ReviewFinding).where(ReviewFinding.review_id == review.id)
        )
    }
    # The actions of this review and of the reviews it amends.
    actions = list(
        db.session.scalars(
            select(CorrectiveAction)
            .where(CorrectiveAction.review_id.in_(review_chain(review)))
            .order_by(CorrectiveAction.due_on, CorrectiveAction.id)
        )
    )
    people = {
        review.signed_by_id,
        review.sample_drawn_by_id,
        *(f.recorded_by_id for f in findings.values()),
        *(a.owner_id for a in actions),
        *(review.sample or []),
    } - {None}
    # Always one query, even with nobody to name: the page's count stays the same.
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people))).all())
    sample = sorted(((sid, names.get(sid, "")) for sid in review.sample or []), key=lambda x: x[1])
    return ReviewDetail(
        review=review,
        template=template,
        cohort=cohort,
        course=course,
        site=site,
        region=region,
        findings=findings,
        actions=[ActionRow(a, names.get(a.owner_id), a.review_id != review.id) for a in actions],
        sample=sample,
        names=names,
        amends=amends,
        amended_by=amended_by,
    )


def amendment_of(review_id: int) -> CheckpointReview | None:
    """The first amendment of the review ``review_id``, if it has one."""
    return db.session.scalar(
        select(CheckpointReview)
        .where(CheckpointReview.amends_id == review_id)
        .order_by(CheckpointReview.id)
        .limit(1)
    )
