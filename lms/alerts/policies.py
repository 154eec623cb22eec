"""Who may see an alert (registered on :mod:`lms.access`): the staff of its cohort."""

from __future__ import annotations

from lms.access import register_policy, via_cohort
from lms.alerts.models import Alert


def register() -> None:
    register_policy(Alert, via_cohort)
