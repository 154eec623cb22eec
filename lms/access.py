"""Access control in one place.

Every view that takes an object id from the URL fetches it through :func:`get_or_404`, which
404s when the object does not exist *or* lies outside the user's scope (so that an id typed by
hand reveals nothing), and every list page filters with the ``visible_*`` statements below.
Role checks for whole pages use :func:`roles_required` (403). The policy of each model is
registered by the feature that owns it (:func:`register_policy`); the scopes that the policies
build on (cohorts, students, sites, courses) are here.

Scopes: a student sees only their own data; a teacher their cohorts; a coordinator the cohorts
of their regions; an admin everything.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user, login_required
from sqlalchemy import Select, exists, select

from lms.auth.models import Role, User
from lms.catalog.models import (
    Cohort,
    Enrolment,
    Region,
    Site,
    cohort_teacher,
    coordinator_region,
)
from lms.extensions import db
from lms.routing import DB_INT_MAX

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")


def roles_required(*roles: str) -> Callable[[F], F]:
    """Decorator: the page is for these roles only (others get 403, anonymous users log in)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


# Programme-wide settings (allowance, alert thresholds, checkpoint templates) apply to every
# region: there is no programme-level role, so admins change them; coordinators read them.
PROGRAMME_READERS = (Role.COORDINATOR, Role.ADMIN)
PROGRAMME_EDITORS = (Role.ADMIN,)


def may_change_programme(user: Any) -> bool:
    """May ``user`` change programme-wide settings?"""
    return bool(user and user.is_authenticated and user.role in PROGRAMME_EDITORS)


def programme_settings_page(view: F) -> F:
    """Decorator: a programme-wide settings page. Coordinators and admins read it (GET);
    any other method is for :data:`PROGRAMME_EDITORS` only (403, nothing written)."""

    @wraps(view)
    @roles_required(*PROGRAMME_READERS)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if request.method not in ("GET", "HEAD") and not may_change_programme(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def visible_cohort_ids(user: User) -> Select[tuple[int]]:
    """The ids of the cohorts that ``user`` may see, as a statement to filter with."""
    if user.role == Role.ADMIN:
        return select(Cohort.id)
    if user.role == Role.COORDINATOR:
        return (
            select(Cohort.id)
            .join(Site, Site.id == Cohort.site_id)
            .join(coordinator_region, coordinator_region.c.region_id == Site.region_id)
            .where(coordinator_region.c.user_id == user.id)
        )
    if user.role == Role.TEACHER:
        return select(cohort_teacher.c.cohort_id).where(cohort_teacher.c.user_id == user.id)
    return select(Cohort.id).where(False)


def can_access_cohort(user: User, cohort: Cohort, action: str = "view") -> bool:
    """May ``user`` do ``action`` ("view" or "manage") on ``cohort``?

    Teachers view and follow their cohorts; managing membership (imports) is for coordinators
    of the cohort's region and admins.
    """
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.COORDINATOR:
        return bool(
            db.session.scalar(
                select(
                    exists()
                    .where(Site.id == cohort.site_id)
                    .where(coordinator_region.c.region_id == Site.region_id)
                    .where(coordinator_region.c.user_id == user.id)
                )
            )
        )
    if user.role == Role.TEACHER and action == "view":
        return bool(
            db.session.scalar(
                select(
                    exists()
                    .where(cohort_teacher.c.cohort_id == cohort.id)
                    .where(cohort_teacher.c.user_id == user.id)
                )
            )
        )
    return False


def can_access_user(user: User, target: User, action: str = "view") -> bool:
    """Accounts are managed by admins; everyone may see their own."""
    return user.role == Role.ADMIN or (action == "view" and user.id == target.id)


def can_access_course(user: User, course_id: int | None) -> bool:
    """Course content: students of a cohort of the course, its teachers, coordinators, admins."""
    if course_id is None:
        return False
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        return True
    if user.role == Role.TEACHER:
        return bool(
            db.session.scalar(
                select(
                    exists()
                    .where(cohort_teacher.c.user_id == user.id)
                    .where(cohort_teacher.c.cohort_id == Cohort.id)
                    .where(Cohort.course_id == course_id)
                )
            )
        )
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(Enrolment.student_id == user.id)
                .where(Enrolment.cohort_id == Cohort.id)
                .where(Cohort.course_id == course_id)
            )
        )
    )


def visible_student_ids(user: User) -> Select[tuple[int]]:
    """Students whose follow-up file ``user`` may open: those enrolled (now or before) in a
    cohort in the user's scope; a student only themself."""
    if user.role == Role.STUDENT:
        return select(User.id).where(User.id == user.id)
    if user.role == Role.ADMIN:
        return select(User.id).where(User.role == Role.STUDENT)
    return select(Enrolment.student_id).where(Enrolment.cohort_id.in_(visible_cohort_ids(user)))


def manageable_account_ids(user: User) -> Select[tuple[int]]:
    """Accounts whose password ``user`` may reset: every account for an admin; for a
    coordinator, the students and teachers of the cohorts of their regions; nobody otherwise."""
    if user.role == Role.ADMIN:
        return select(User.id)
    if user.role != Role.COORDINATOR:
        return select(User.id).where(False)
    cohorts = visible_cohort_ids(user)
    return (
        select(Enrolment.student_id)
        .where(Enrolment.cohort_id.in_(cohorts))
        .union(select(cohort_teacher.c.user_id).where(cohort_teacher.c.cohort_id.in_(cohorts)))
    )


def can_manage_account(user: User, target: User) -> bool:
    """May ``user`` give ``target`` a password reset link? (See :func:`manageable_account_ids`.)"""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.COORDINATOR or target.role not in (Role.STUDENT, Role.TEACHER):
        return False
    ids = manageable_account_ids(user).subquery()
    return bool(db.session.scalar(select(exists().where(ids.c[0] == target.id))))


def can_access_student(user: User, student: User, action: str = "view") -> bool:
    """A student's follow-up file: the student (view only), and staff with a cohort of the
    student in their scope (teachers of the student's cohorts, coordinators of the region)."""
    if student.role != Role.STUDENT:
        return False
    if user.role == Role.STUDENT:
        return action == "view" and user.id == student.id
    return bool(
        db.session.scalar(
            select(exists().where(visible_student_ids(user).subquery().c[0] == student.id))
        )
    )


def can_access_site(user: User, site: Site, action: str = "view") -> bool:
    """Sites (allowance reports, closures): coordinators of the site's region, and admins."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.COORDINATOR and bool(
        db.session.scalar(
            select(
                exists()
                .where(coordinator_region.c.region_id == site.region_id)
                .where(coordinator_region.c.user_id == user.id)
            )
        )
    )


def can_access_region(user: User, region: Region, action: str = "view") -> bool:
    """A region's pages (« Suite du parcours »): its coordinators, and admins."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.COORDINATOR and bool(
        db.session.scalar(
            select(
                exists()
                .where(coordinator_region.c.region_id == region.id)
                .where(coordinator_region.c.user_id == user.id)
            )
        )
    )


def via_cohort(user: User, obj: Any, action: str = "view") -> bool:
    """Objects that belong to a cohort (remedial sessions, attendance days): the cohort's scope."""
    cohort = db.session.get(Cohort, obj.cohort_id)
    return cohort is not None and user.role != Role.STUDENT and can_access_cohort(user, cohort)


def via_student(user: User, obj: Any, action: str = "view") -> bool:
    """Objects about one student (notes, assessments): staff who may open the student's file.

    Team-only notes are never shown to students; the student's own shared notes are read
    through queries that filter on visibility, not through this check.
    """
    student = db.session.get(User, obj.student_id)
    return (
        student is not None
        and user.role != Role.STUDENT
        and can_access_student(user, student, action)
    )


def _via_enrolment_cohort(user: User, enrolment: Any, action: str = "view") -> bool:
    """Enrolments (withdrawals, decisions): the cohort's teachers, coordinators, admins."""
    cohort = db.session.get(Cohort, enrolment.cohort_id)
    return cohort is not None and user.role != Role.STUDENT and can_access_cohort(user, cohort)


# --- the policies: who may do what to an object of each model ------------------------------------
#
# Every feature uses this module, so it imports none above the catalogue: each feature registers
# the policies of its own models (lms/<feature>/policies.py) when the application is built, and
# get_or_404 below applies them, in one place.

Policy = Callable[[User, Any, str], bool]
_POLICIES: dict[type, Policy] = {}
_FORBIDDEN_WHEN_VISIBLE: set[type] = set()


def register_policy(model: type, policy: Policy, *, forbidden_when_visible: bool = False) -> None:
    """Who may ``action`` an object of ``model``: ``policy(user, obj, action)``.

    :param forbidden_when_visible: a refused action answers 403, not 404, to users who may view
        the object (it is already on their screen, so a 404 would hide nothing).
    """
    _POLICIES[model] = policy
    if forbidden_when_visible:
        _FORBIDDEN_WHEN_VISIBLE.add(model)
    else:
        _FORBIDDEN_WHEN_VISIBLE.discard(model)


register_policy(Cohort, can_access_cohort)
register_policy(Site, can_access_site)
register_policy(Region, can_access_region)
register_policy(User, can_access_user)
register_policy(Enrolment, _via_enrolment_cohort)


def get_student_or_404(student_id: int, action: str = "view") -> User:
    """A student's account for their follow-up file, or 404 outside the user's scope."""
    student = db.session.get(User, student_id)
    if student is None or not can_access_student(current_user, student, action):
        abort(404)
    return student


def get_or_404(
    model: type[M],
    object_id: Any,
    action: str = "view",
    *,
    options: tuple = (),
    lock: bool = False,
) -> M:
    """Fetch ``model`` by primary key, or 404 if it is missing or outside the user's scope.

    :param action: passed to the model's policy ("view", "manage", or "edit" for notes).
    :param options: loader options (e.g. ``selectinload``) for the fetch.
    :param lock: for requests that change the object: a row lock on PostgreSQL (SQLite's
        write lock is taken at BEGIN IMMEDIATE).
    :raises NotFound: the object does not exist or the current user may not ``action`` it.
    :raises Forbidden: for the models registered ``forbidden_when_visible``, the user may view
        the object but not ``action`` it.
    """
    if isinstance(object_id, int) and not 0 <= object_id <= DB_INT_MAX:
        abort(404)  # e.g. a query-string id that no database integer column can hold
    obj = db.session.get(model, object_id, options=list(options), with_for_update=lock or None)
    if obj is None:
        abort(404)
    policy = _POLICIES[model]
    if not policy(current_user, obj, action):
        if (
            action != "view"
            and model in _FORBIDDEN_WHEN_VISIBLE
            and policy(current_user, obj, "view")
        ):
            abort(403)
        abort(404)
    return obj


def get_by_key_or_404(model: type[M], key: str, action: str = "view") -> M:
    """Like :func:`get_or_404`, for content addressed by its stable key (lessons, exercises)."""
    obj = db.session.scalar(select(model).where(model.key == key))  # type: ignore[attr-defined]
    if obj is None:
        abort(404)
    return get_or_404(model, obj.id, action)
