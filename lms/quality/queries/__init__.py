"""Read-only queries of the quality pages, one module a subject: the filter options of the
user's scope (:mod:`.scope`), the reviews (:mod:`.reviews`), the corrective actions
(:mod:`.actions`), the checkpoint templates (:mod:`.templates`), the dashboard
(:mod:`.dashboard`) with its figures (:mod:`.metrics`) and their indicators
(:mod:`.indicators`), the cohort's printable report (:mod:`.report`) and the satisfaction
survey (:mod:`.survey`).

Set-based: a fixed number of queries per page whatever the number of cohorts, students or
reviews shown. Scope: every list is filtered with :func:`lms.access.visible_cohort_ids` (a
coordinator sees the cohorts of their regions, an admin all of them, a teacher their own
cohorts).
"""
