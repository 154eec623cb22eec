"""The intake queue's vocabulary."""

from __future__ import annotations

import enum


class CandidateStatus(enum.StrEnum):
    WAITING = "waiting"
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"
