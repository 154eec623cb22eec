"""A cohort's course plan: propose it from the needs profile, edit its draft, publish it.

Published versions never change: an edit of a published plan starts a new draft version.
Two people changing the same plan at once write the same version or item twice: the second
gets a conflict (:class:`~lms.errors.ServiceError`, status 409) and the page again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from lms import clock
from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Cohort, Course
from lms.employers import planner
from lms.employers.models import CoursePlan, CoursePlanItem
from lms.employers.queries.plans import course_units, latest_published
from lms.employers.vocab import PlanEdit, PlanStatus
from lms.errors import ServiceError
from lms.extensions import db
from lms.learning.models import Unit

P = ParamSpec("P")
R = TypeVar("R")


def _conflict_when_raced(verb: Callable[P, R]) -> Callable[P, R]:
    """A unique version or item written by someone else meanwhile: a conflict (409)."""

    @functools.wraps(verb)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return verb(*args, **kwargs)
        except IntegrityError as error:
            raise ServiceError(
                _(
                    "Le plan vient d'être modifié par quelqu'un d'autre. Voici la dernière "
                    "version; recommencez votre changement au besoin."
                ),
                status=409,
            ) from error

    return wrapped


def plan_unit(unit: Unit) -> planner.PlanUnit:
    return planner.PlanUnit(
        id=unit.id,
        key=unit.key,
        week=unit.week,
        hours=unit.hours,
        track=unit.track_key,
        tasks=tuple(unit.tasks or ()),
        position=unit.position,
    )


def _plans(cohort_id: int) -> list[CoursePlan]:
    return list(
        db.session.scalars(
            select(CoursePlan)
            .where(CoursePlan.cohort_id == cohort_id)
            .order_by(CoursePlan.version.desc())
        )
    )


def current_draft(cohort_id: int) -> CoursePlan | None:
    """The draft being edited: the latest version when it is not published."""
    plans = _plans(cohort_id)
    return plans[0] if plans and plans[0].status == PlanStatus.DRAFT else None


def _next_version(cohort_id: int) -> int:
    latest = db.session.scalar(
        select(func.max(CoursePlan.version)).where(CoursePlan.cohort_id == cohort_id)
    )
    return (latest or 0) + 1


def _items_of(plan: CoursePlan) -> list[planner.PlannedItem]:
    return [
        planner.PlannedItem(i.unit_id, i.week, i.hours, i.position, dict(i.reason or {}))
        for i in db.session.scalars(
            select(CoursePlanItem)
            .where(CoursePlanItem.plan_id == plan.id)
            .order_by(CoursePlanItem.week, CoursePlanItem.position, CoursePlanItem.id)
        )
    ]


def _write_items(plan: CoursePlan, items: Sequence[planner.PlannedItem]) -> None:
    db.session.execute(delete(CoursePlanItem).where(CoursePlanItem.plan_id == plan.id))
    if items:
        db.session.execute(
            insert(CoursePlanItem),
            [
                {
                    "plan_id": plan.id,
                    "unit_id": i.unit_id,
                    "week": i.week,
                    "hours": i.hours,
                    "position": i.position,
                    "reason": i.reason,
                }
                for i in items
            ],
        )
    db.session.flush()


def plan_problem_message(problem: planner.PlanProblem) -> str:
    if problem.kind == "week_over":
        return _(
            "La semaine %(week)s compterait %(hours)s h : le maximum est %(max)s h par semaine.",
            week=problem.week,
            hours=problem.hours,
            max=problem.limit,
        )
    if problem.kind == "total_over":
        return _(
            "Le plan compterait %(hours)s h : le maximum est %(max)s h pour le cours.",
            hours=problem.hours,
            max=problem.limit,
        )
    if problem.kind == "week_out":
        return _("Choisissez une semaine de 1 à %(max)s.", max=problem.limit)
    return _("Cette unité est déjà dans le plan.")


def _check_items(items: Sequence[planner.PlannedItem], course: Course) -> None:
    problems = planner.plan_problems(items, course.weeks, course.hours_per_week)
    if problems:
        raise ServiceError(plan_problem_message(problems[0]), "week")


def _plan_summary(plan: CoursePlan, items: Sequence[planner.PlannedItem]) -> dict[str, Any]:
    keys = dict(
        db.session.execute(
            select(Unit.id, Unit.key).where(Unit.id.in_([i.unit_id for i in items]))
        ).all()
    )
    return {
        "version": plan.version,
        "status": plan.status,
        "sector": plan.sector,
        "total_hours": sum(i.hours for i in items),
        "items": [[keys.get(i.unit_id, i.unit_id), i.week, i.hours] for i in items],
    }


@_conflict_when_raced
def propose_cohort_plan(
    cohort: Cohort,
    course: Course,
    actor: User,
    *,
    sector: str | None,
    tasks: Sequence[str],
) -> CoursePlan:
    """Propose the plan from the course's units and the profile's ``tasks``, as the current
    draft (replacing its items) or as a new draft version after the latest published one.

    :raises ServiceError: the course is not employer-adapted or ``sector`` is not one of its
        tracks; (409) someone else wrote the same version meanwhile.
    """
    if not course.employer_adapted:
        raise ServiceError(_("Ce cours n'est pas adapté aux besoins des employeurs."))
    units = course_units(course.id)
    tracks = {u.track_key for u in units if u.track_key}
    if sector and sector not in tracks:
        raise ServiceError(_("Choisissez un volet sectoriel du cours."), "sector")
    items = planner.propose_plan(
        [plan_unit(u) for u in units], list(tasks), sector, course.weeks, course.hours_per_week
    )
    draft = current_draft(cohort.id)
    if draft is None:
        draft = CoursePlan(
            cohort_id=cohort.id,
            version=_next_version(cohort.id),
            status=PlanStatus.DRAFT,
            created_by_id=actor.id,
        )
        db.session.add(draft)
    draft.sector = sector
    db.session.flush()
    _write_items(draft, items)
    summary = _plan_summary(draft, items)
    record(
        "course_plan.propose",
        draft,
        actor=actor,
        after={**summary, "cohort_id": cohort.id, "tasks": list(tasks)},
    )
    return draft


def _edited_items(
    items: list[planner.PlannedItem], action: str, unit: Unit, week: int | None, course: Course
) -> dict[str, Any] | None:
    """Apply ``action`` on ``unit`` to ``items`` (in place); return where the unit was before.

    :raises ServiceError: the week is out of the course, the unit is (not) in the plan.
    """
    current = next((i for i in items if i.unit_id == unit.id), None)
    if action in (PlanEdit.MOVE, PlanEdit.ADD) and (week is None or not 1 <= week <= course.weeks):
        raise ServiceError(_("Choisissez une semaine de 1 à %(max)s.", max=course.weeks), "week")
    if action == PlanEdit.ADD:
        if current is not None:
            raise ServiceError(_("Cette unité est déjà dans le plan."), "unit_id")
        items.append(planner.PlannedItem(unit.id, week, unit.hours, 99, {"kind": "added"}))  # type: ignore[arg-type]
        return None
    if current is None:
        raise ServiceError(_("Cette unité n'est pas dans le plan."), "unit_id")
    before = {"unit": unit.key, "week": current.week}
    if action == PlanEdit.MOVE:
        current.week = week  # type: ignore[assignment]
        current.position = 99
    else:
        items.remove(current)
    return before


def _new_draft(cohort: Cohort, source: CoursePlan, actor: User) -> CoursePlan:
    """A draft copied from the published ``source``, as its next version."""
    draft = CoursePlan(
        cohort_id=cohort.id,
        version=source.version + 1,
        status=PlanStatus.DRAFT,
        sector=source.sector,
        created_by_id=actor.id,
        note="",
    )
    db.session.add(draft)
    db.session.flush()
    record(
        "course_plan.draft",
        draft,
        actor=actor,
        after={"cohort_id": cohort.id, "version": draft.version, "from_version": source.version},
    )
    return draft


def _discard(draft: CoursePlan | None, actor: User) -> None:
    if draft is None:
        raise ServiceError(_("Il n'y a pas de brouillon à abandonner."))
    record("course_plan.discard", draft, actor=actor, before=_plan_summary(draft, _items_of(draft)))
    db.session.delete(draft)
    db.session.flush()


@_conflict_when_raced
def edit_plan(
    cohort: Cohort,
    course: Course,
    actor: User,
    *,
    action: str,
    unit_id: int | None = None,
    week: int | None = None,
) -> CoursePlan | None:
    """Change the current draft: ``move`` a unit to ``week``, ``remove`` it, ``add`` a unit of
    the course in ``week``, or ``discard`` the draft. With no draft, the edit starts a new
    draft copied from the latest published version (a published plan never changes).

    :returns: the draft (``None`` after ``discard``).
    :raises ServiceError: no plan yet, unit unknown or not in the plan, or the result would
        exceed the hours of a week or of the course (nothing is written then); (409) someone
        else wrote the same version meanwhile.
    """
    if action not in tuple(PlanEdit):
        raise ServiceError(_("Action inconnue."), "action")
    draft = current_draft(cohort.id)
    if action == PlanEdit.DISCARD:
        _discard(draft, actor)
        return None
    source = draft or latest_published(cohort.id)
    if source is None:
        raise ServiceError(_("Proposez d'abord un plan pour ce groupe."))
    items = _items_of(source)
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or unit.course_id != course.id or not unit.active:
        raise ServiceError(_("Choisissez une unité du cours."), "unit_id")
    before = _edited_items(items, action, unit, week, course)
    _check_items(items, course)
    if draft is None:
        draft = _new_draft(cohort, source, actor)
    _write_items(draft, _order(items))
    record(
        f"course_plan.{action}",
        draft,
        actor=actor,
        before=before,
        after=None if action == PlanEdit.REMOVE else {"unit": unit.key, "week": week},
    )
    return draft


def _order(items: list[planner.PlannedItem]) -> list[planner.PlannedItem]:
    """Keep the staff's order within a week; edited items go last in their week."""
    ordered = sorted(items, key=lambda i: (i.week, i.position))
    seen: dict[int, int] = {}
    for item in ordered:
        item.position = seen.get(item.week, 0)
        seen[item.week] = item.position + 1
    return ordered


@_conflict_when_raced
def publish_plan(
    cohort: Cohort, course: Course, actor: User, *, version: int, note: str = ""
) -> CoursePlan:
    """Publish the current draft, which must be ``version`` (the one the user saw).

    :raises ServiceError: (409) the draft changed or was already published; (422) the plan is
        empty or breaks the hours.
    """
    draft = current_draft(cohort.id)
    if draft is None or draft.version != version:
        raise ServiceError(
            _(
                "Ce brouillon a déjà été publié ou remplacé par quelqu'un d'autre. "
                "Rechargez la page pour voir la dernière version."
            ),
            status=409,
        )
    items = _items_of(draft)
    if not items:
        raise ServiceError(_("Le plan est vide : ajoutez des unités avant de le publier."))
    _check_items(items, course)
    previous = latest_published(cohort.id)
    before = _plan_summary(previous, _items_of(previous)) if previous else None
    draft.status = PlanStatus.PUBLISHED
    draft.published_at = clock.utcnow()
    draft.note = note.strip()
    db.session.flush()
    record(
        "course_plan.publish",
        draft,
        actor=actor,
        before=before,
        after={**_plan_summary(draft, items), "cohort_id": cohort.id, "note": draft.note},
    )
    return draft
