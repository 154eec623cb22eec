"""The alert vocabularies: severities and the states of an alert, with their French labels and
the symbols that go with them (status never by colour alone)."""

from __future__ import annotations

import enum
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.vocab import label_of, labels


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    CLEARED = "cleared"


# An open alert is still to be dealt with; the others are closed.
OPEN_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
CLOSED_STATUSES = tuple(s for s in AlertStatus if s not in OPEN_STATUSES)

SEVERITY_LABELS = labels(
    Severity,
    {
        Severity.CRITICAL: _l("Critique"),
        Severity.WARNING: _l("Attention"),
        Severity.INFO: _l("Info"),
    },
)
SEVERITY_SYMBOLS = labels(
    Severity, {Severity.CRITICAL: "⚠", Severity.WARNING: "▲", Severity.INFO: "ℹ"}
)
STATUS_LABELS = labels(
    AlertStatus,
    {
        AlertStatus.OPEN: _l("Ouverte"),
        AlertStatus.ACKNOWLEDGED: _l("Prise en charge"),
        AlertStatus.RESOLVED: _l("Résolue"),
        AlertStatus.DISMISSED: _l("Écartée"),
        AlertStatus.CLEARED: _l("Levée d'elle-même"),
    },
)
STATUS_SYMBOLS = labels(
    AlertStatus,
    {
        AlertStatus.OPEN: "●",
        AlertStatus.ACKNOWLEDGED: "◐",
        AlertStatus.RESOLVED: "✓",
        AlertStatus.DISMISSED: "✕",
        AlertStatus.CLEARED: "○",
    },
)

_GROUPS: dict[str, tuple[dict[Any, Any], dict[Any, Any]]] = {
    "severity": (SEVERITY_LABELS, SEVERITY_SYMBOLS),
    "status": (STATUS_LABELS, STATUS_SYMBOLS),
}


def label(value: str | None, group: str) -> Any:
    """The French label of a severity or a status (``group``)."""
    return label_of(_GROUPS[group][0], value)


def symbol(value: str | None, group: str) -> str:
    """The symbol shown beside the label (never colour alone)."""
    return _GROUPS[group][1].get(value, "•")


class StatusFilter(enum.StrEnum):
    """The inbox's filter on the state of alerts (a query-string value)."""

    OPEN = "open"
    ALL = "all"
    CLOSED = "closed"


STATUS_FILTER_LABELS = labels(
    StatusFilter,
    {
        StatusFilter.OPEN: _l("Ouvertes (à traiter)"),
        StatusFilter.ALL: _l("Toutes"),
        StatusFilter.CLOSED: _l("Fermées"),
    },
)
