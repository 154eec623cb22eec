"""What of a student's file a viewer sees.

The student's file shows a viewer only the data of the cohorts in the viewer's scope (admins
see everything): a student who moved to another region does not bring her former team's
notes, levels, absences and decisions along. The queries of this package take ``viewer``:
``None`` means no restriction (scheduled jobs, the student's own page, tests); they add the
conditions below to their ``WHERE``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from lms.access import visible_cohort_ids
from lms.auth.models import Role, User
from lms.followup.models import LevelAssessment
from lms.followup.policies import visible_note_condition


def unscoped(viewer: User | None) -> bool:
    return viewer is None or viewer.role == Role.ADMIN


def cohort_scope(column, viewer: User | None) -> ColumnElement[bool]:
    """``column`` (a cohort id) is one of the viewer's cohorts."""
    if unscoped(viewer):
        return true()
    return column.in_(visible_cohort_ids(viewer))


def note_scope(viewer: User | None) -> ColumnElement[bool]:
    """The notes the viewer reads: :func:`lms.followup.policies.visible_note_condition`."""
    return true() if viewer is None else visible_note_condition(viewer)


def assessment_scope(viewer: User | None) -> ColumnElement[bool]:
    """Assessments of the viewer's cohorts; one without a cohort (deleted since) only for its
    assessor, like a note without a cohort."""
    if unscoped(viewer):
        return true()
    return or_(
        cohort_scope(LevelAssessment.cohort_id, viewer),
        and_(LevelAssessment.cohort_id.is_(None), LevelAssessment.assessor_id == viewer.id),
    )
