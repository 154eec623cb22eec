"""The follow-up pages, one module a subject, all on the blueprint ``bp``
(:mod:`.common`): the student's file and a withdrawal recorded from it, the student's own page
(:mod:`.file`), level assessments (:mod:`.levels`), notes (:mod:`.notes`), the teacher's cohort
dashboard (:mod:`.dashboard`), remedial sessions (:mod:`.remedial`), progression decisions
(:mod:`.end_of_course`), « Suite du parcours » (:mod:`.progression`).

Thin views: form → service → :func:`lms.errors.unit_of_work` → redirect. Bad input gets the
form back with French messages and status 422; nothing is written. Access: :mod:`lms.access`
only (roles → 403, scope → 404).
"""

from lms.followup.views import (
    dashboard,
    end_of_course,
    file,
    levels,
    notes,
    progression,
    remedial,
)
from lms.followup.views.common import bp

__all__ = [
    "bp",
    "dashboard",
    "end_of_course",
    "file",
    "levels",
    "notes",
    "progression",
    "remedial",
]
