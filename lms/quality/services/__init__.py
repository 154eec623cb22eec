"""Quality-control verbs, one module a subject: create the checkpoint reviews that fall due
and compute their automatic criteria (:mod:`.evaluation`); draw the sample, record findings,
sign off and amend a review (:mod:`.reviews`); add and follow up corrective actions
(:mod:`.actions`); edit the checkpoint templates (:mod:`.templates`); take the satisfaction
survey (:mod:`.survey`).

They flush, never commit: the view or the job owns the transaction
(:func:`lms.errors.unit_of_work`). A refusal is a :class:`lms.errors.ServiceError` (a French
message, the form field it belongs to, the HTTP status). Every change is recorded in the audit
log on the review (``entity_type`` « CheckpointReview »), so that a review's history is one
filter away. A signed review is immutable: every verb that would change it raises
:class:`~lms.quality.services.reviews.ReviewLocked`; the only exception is the follow-up of its
corrective actions (:func:`~lms.quality.services.actions.set_action_status`), which happens
after the sign-off by design.
"""
