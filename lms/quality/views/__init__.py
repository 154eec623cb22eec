"""Quality pages, one module a subject, all on the blueprint ``quality``: the reviews (sample,
findings, corrective actions, sign-off, amendments), the follow-up of corrective actions, the
checkpoint templates, the dashboard and its exports, the cohort's printable report, the
satisfaction survey and its results. (The audit log's viewer is :mod:`lms.audit_log.views`.)

Access (the scope helpers are in :mod:`.common`):

- reviews, templates, dashboard, exports, reports: coordinators (their regions' cohorts) and
  admins; other staff 403, students 403; a review or cohort outside the coordinator's regions
  404;
- a review may also be *viewed*, read-only, by the teachers of its cohort (they own the
  corrective actions and the findings are about their class); they cannot change it (403);
- corrective actions (/quality/actions): their owner (teachers included) follows them up, as
  do the coordinators of the cohort's region and admins;
- survey results: coordinators and admins in scope, and the cohort's teachers (aggregated,
  from 5 answers up);
- the survey itself (/learn/survey): students only.
"""

# Each module registers its routes on ``bp`` when it is imported.
from lms.quality.views import actions, dashboard, report, reviews, survey, templates  # noqa: F401
from lms.quality.views.common import bp

__all__ = ["bp"]
