"""The catalogue's vocabularies (their labels: the ``enrolment_status`` template macro)."""

from __future__ import annotations

import enum


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"


class CohortStatus(enum.StrEnum):
    """planned → ongoing → finished; cancelled from planned or ongoing (nobody attended)."""

    PLANNED = "planned"
    ONGOING = "ongoing"
    FINISHED = "finished"
    CANCELLED = "cancelled"


# Where a cohort may go from each status (the service checks it, the cohort's page offers it).
COHORT_TRANSITIONS: dict[CohortStatus, tuple[CohortStatus, ...]] = {
    CohortStatus.PLANNED: (CohortStatus.ONGOING, CohortStatus.CANCELLED),
    CohortStatus.ONGOING: (CohortStatus.FINISHED, CohortStatus.CANCELLED),
    CohortStatus.FINISHED: (),
    CohortStatus.CANCELLED: (),
}
