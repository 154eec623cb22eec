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

from flask import abort, request
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, true

from lms.auth.models import Role, User
from lms.catalog.models import Cohort, Site, cohort_teacher, coordinator_region
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


def _course_of_lesson(lesson_id: int) -> int | None:
    from lms.learning.models import Lesson, Unit

    return db.session.scalar(
        select(Unit.course_id).join(Lesson, Lesson.unit_id == Unit.id).where(Lesson.id == lesson_id)
    )


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
    from lms.catalog.models import Enrolment

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


def can_access_lesson(user: User, lesson: Any, action: str = "view") -> bool:
    return lesson.active and can_access_course(user, _course_of_lesson(lesson.id))


def can_access_exercise(user: User, exercise: Any, action: str = "view") -> bool:
    if not exercise.active:
        return False
    if action == "attempt" and user.role != Role.STUDENT:
        return False
    return can_access_course(user, _course_of_lesson(exercise.lesson_id))


def can_access_production(user: User, production: Any, action: str = "view") -> bool:
    """A student sees their own productions; staff grade those of the cohorts in their scope."""
    if user.role == Role.STUDENT:
        return action == "view" and production.student_id == user.id
    cohort = db.session.get(Cohort, production.cohort_id)
    return cohort is not None and can_access_cohort(user, cohort, "view")


def can_access_attempt(user: User, attempt: Any, action: str = "view") -> bool:
    return attempt.student_id == user.id


def visible_student_ids(user: User) -> Select[tuple[int]]:
    """Students whose follow-up file ``user`` may open: those enrolled (now or before) in a
    cohort in the user's scope; a student only themself."""
    from lms.catalog.models import Enrolment

    if user.role == Role.STUDENT:
        return select(User.id).where(User.id == user.id)
    if user.role == Role.ADMIN:
        return select(User.id).where(User.role == Role.STUDENT)
    return select(Enrolment.student_id).where(Enrolment.cohort_id.in_(visible_cohort_ids(user)))


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


def visible_employer_ids(user: User) -> Select[tuple[int]]:
    """Partner employers ``user`` may see: those of a coordinator's regions; all for admins."""
    from lms.employers.models import Employer

    if user.role == Role.ADMIN:
        return select(Employer.id)
    if user.role == Role.COORDINATOR:
        return (
            select(Employer.id)
            .join(coordinator_region, coordinator_region.c.region_id == Employer.region_id)
            .where(coordinator_region.c.user_id == user.id)
        )
    return select(Employer.id).where(False)


def can_access_employer(user: User, employer: Any, action: str = "view") -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.COORDINATOR and bool(
        db.session.scalar(
            select(
                exists()
                .where(coordinator_region.c.region_id == employer.region_id)
                .where(coordinator_region.c.user_id == user.id)
            )
        )
    )


def can_access_review(user: User, review: Any, action: str = "view") -> bool:
    """A quality review follows its cohort: coordinators of the region and admins view and
    manage it; the cohort's teachers only view it."""
    if user.role == Role.STUDENT:
        return False
    cohort = db.session.get(Cohort, review.cohort_id)
    if cohort is None:
        return False
    if action == "manage" and user.role not in (Role.COORDINATOR, Role.ADMIN):
        return False
    return can_access_cohort(user, cohort, "view")


def can_access_corrective_action(user: User, action_item: Any, action: str = "view") -> bool:
    """A corrective action: its owner, or whoever manages its review."""
    from lms.quality.models import CheckpointReview

    if action_item.owner_id == user.id:
        return True
    review = db.session.get(CheckpointReview, action_item.review_id)
    return review is not None and can_access_review(user, review, "manage")


def _via_cohort(user: User, obj: Any, action: str = "view") -> bool:
    """Objects that belong to a cohort (remedial sessions, attendance days): the cohort's scope."""
    cohort = db.session.get(Cohort, obj.cohort_id)
    return cohort is not None and user.role != Role.STUDENT and can_access_cohort(user, cohort)


def _via_student(user: User, obj: Any, action: str = "view") -> bool:
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


def visible_note_condition(user: User) -> ColumnElement[bool]:
    """Which follow-up notes ``user`` may read, as a condition on ``FollowUpNote`` (within the
    files that the user may open at all: see :func:`can_access_student`).

    Staff read the notes of the cohorts in their scope only, so that a student who moved to
    another region does not bring her former team's notes along. A note without a cohort (its
    cohort was deleted) belongs to no region: only its author, its owner and admins read it.
    A student reads only their own notes shared with them.
    """
    from lms.followup.models import FollowUpNote

    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.STUDENT:
        return and_(FollowUpNote.student_id == user.id, FollowUpNote.visibility == "student")
    return or_(
        FollowUpNote.cohort_id.in_(visible_cohort_ids(user)),
        and_(
            FollowUpNote.cohort_id.is_(None),
            or_(FollowUpNote.author_id == user.id, FollowUpNote.owner_id == user.id),
        ),
    )


def may_edit_visible_note(user: User, note: Any) -> bool:
    """For a note that ``user`` reads (:func:`visible_note_condition`): may they change it?

    Its author, its owner and the coordinators of its cohort's region, the cohort being in
    their scope (which a visible note with a cohort means), and admins. A note without a
    cohort is changed by admins only. No query: usable on lists of notes.
    """
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.STUDENT or note.cohort_id is None:
        return False
    return user.role == Role.COORDINATOR or user.id in (note.author_id, note.owner_id)


def can_access_note(user: User, note: Any, action: str = "view") -> bool:
    """A follow-up note: "view" for staff who may open the student's file and read the note
    (:func:`visible_note_condition`); "edit" (its text, its follow-up, its visibility) for
    those of them that :func:`may_edit_visible_note` allows.

    Students read their shared notes through queries that filter on visibility, never through
    this check.
    """
    from lms.followup.models import FollowUpNote

    if user.role == Role.STUDENT or not _via_student(user, note, "view"):
        return False
    visible = db.session.scalar(
        select(exists().where(FollowUpNote.id == note.id, visible_note_condition(user)))
    )
    if not visible:
        return False
    return action == "view" or may_edit_visible_note(user, note)


def _via_enrolment_cohort(user: User, enrolment: Any, action: str = "view") -> bool:
    """Enrolments (withdrawals, decisions): the cohort's teachers, coordinators, admins."""
    cohort = db.session.get(Cohort, enrolment.cohort_id)
    return cohort is not None and user.role != Role.STUDENT and can_access_cohort(user, cohort)


def _policies() -> dict[type, Callable[[User, Any, str], bool]]:
    from lms.alerts.models import Alert
    from lms.catalog.models import Enrolment
    from lms.employers.models import Employer
    from lms.followup.models import FollowUpNote, LevelAssessment, RemedialSession
    from lms.learning.models import Attempt, Exercise, Lesson, Production
    from lms.quality.models import CheckpointReview, CorrectiveAction

    return {
        Cohort: can_access_cohort,
        Site: can_access_site,
        User: can_access_user,
        Lesson: can_access_lesson,
        Exercise: can_access_exercise,
        Production: can_access_production,
        Attempt: can_access_attempt,
        RemedialSession: _via_cohort,
        Alert: _via_cohort,
        Employer: can_access_employer,
        CheckpointReview: can_access_review,
        CorrectiveAction: can_access_corrective_action,
        FollowUpNote: can_access_note,
        LevelAssessment: _via_student,
        Enrolment: _via_enrolment_cohort,
    }


def _forbidden_when_visible() -> tuple[type, ...]:
    """Models whose refused actions answer 403 (not 404) to users who may view the object:
    it is already on their screen, so a 404 would hide nothing."""
    from lms.followup.models import FollowUpNote

    return (FollowUpNote,)


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
    :raises Forbidden: for the models of :func:`_forbidden_when_visible`, the user may view
        the object but not ``action`` it.
    """
    if isinstance(object_id, int) and not 0 <= object_id <= DB_INT_MAX:
        abort(404)  # e.g. a query-string id that no database integer column can hold
    obj = db.session.get(model, object_id, options=list(options), with_for_update=lock or None)
    if obj is None:
        abort(404)
    policy = _policies()[model]
    if not policy(current_user, obj, action):
        if (
            action != "view"
            and issubclass(model, _forbidden_when_visible())
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
