"""The catalogue's vocabularies (their labels: the ``enrolment_status`` template macro)."""

from __future__ import annotations

import enum


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"
