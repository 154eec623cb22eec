"""Access control in one place.

Every view that takes an object id from the URL fetches it through :func:`get_or_404`, which
404s when the object does not exist *or* lies outside the user's scope (so that an id typed by
hand reveals nothing), and every list page filters with the ``visible_*`` statements below.
Role checks for whole pages use :func:`roles_required` (403).

Scopes: a student sees only their own data; a teacher their cohorts; a coordinator the cohorts
of their regions; an admin everything.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, exists, select

from lms.auth.models import Role, User
from lms.catalog.models import Cohort, Site, cohort_teacher, coordinator_region
from lms.extensions import db

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


_POLICIES: dict[type, Callable[[User, Any, str], bool]] = {
    Cohort: can_access_cohort,
    User: can_access_user,
}


def get_or_404(model: type[M], object_id: Any, action: str = "view", *, options: tuple = ()) -> M:
    """Fetch ``model`` by primary key, or 404 if it is missing or outside the user's scope.

    :param action: passed to the model's policy ("view" or "manage").
    :param options: loader options (e.g. ``selectinload``) for the fetch.
    :raises NotFound: the object does not exist or the current user may not ``action`` it.
    """
    obj = db.session.get(model, object_id, options=list(options))
    if obj is None or not _POLICIES[model](current_user, obj, action):
        abort(404)
    return obj
