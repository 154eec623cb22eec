"""Verbs of the employer-adapted course, one module a subject: partner employers and their
employees' consent (:mod:`.partners`), needs profiles and a cohort's employers (:mod:`.needs`),
the cohort's course plan (:mod:`.plans`) and workplace-task assessments (:mod:`.tasks`).

They flush, never commit (the view owns the transaction, :func:`lms.errors.unit_of_work`),
record every change that matters in the audit log with its before and after, and raise
:class:`lms.errors.ServiceError` (a French message, and the form field it belongs to) before
writing anything when the input is refused.
"""
