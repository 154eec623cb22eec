"""Follow-up verbs, one module a subject: :mod:`.levels` (record levels), :mod:`.notes` (write
and update notes), :mod:`.remedial` (schedule remedial sessions and record them),
:mod:`.end_of_course` (decide a student's progression, withdraw a student and open the exit
follow-up).

Explicit arguments, no request object; they flush, never commit: the view owns the transaction
(:func:`lms.errors.unit_of_work`). Every verb validates before writing anything, so that a
refusal (:class:`lms.errors.ServiceError`) leaves nothing behind.
"""
