"""Read-only queries of the employer-adapted course, one module a subject: partner employers
(:mod:`.partners`), needs profiles (:mod:`.needs`), course plans (:mod:`.plans`), the employer
report (:mod:`.report`) and the per-task follow-up (:mod:`.tasks`). Set-based: a fixed number
of queries per page whatever the rows."""
