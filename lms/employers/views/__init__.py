"""Pages of the employer-adapted course, one module a subject, all on the blueprint ``bp``:
partner employers and their employees (:mod:`.partners`), needs profiles (:mod:`.needs`), the
course-plan builder and the student's work plan (:mod:`.plans`), the employer report
(:mod:`.report`) and per-task follow-up (:mod:`.tasks`).

Thin views: form → service → :func:`lms.errors.unit_of_work` → redirect; bad input gets the
page back with French messages and status 422, nothing written. Access: roles with
:func:`lms.access.roles_required` (403); scope with the helpers of
:mod:`lms.employers.policies` (404 outside the user's scope).
"""

from lms.employers.views import needs, partners, plans, report, tasks
from lms.employers.views.common import bp

__all__ = ["bp", "needs", "partners", "plans", "report", "tasks"]
