"""The attendance vocabularies: a student's status on a class day and the reasons of a justified
absence, with their French labels (as the attendance grid shows them)."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from lms.vocab import labels


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    ABSENT = "absent"
    JUSTIFIED = "justified"


# The statuses that carry a number of minutes (late or left early).
WITH_MINUTES = (AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)


class JustificationReason(enum.StrEnum):
    MALADIE = "maladie"
    RENDEZ_VOUS_MEDICAL = "rendez-vous-medical"
    FAMILLE = "famille"
    DEMARCHE_IMMIGRATION = "demarche-immigration"
    ENTREVUE_EMPLOI = "entrevue-emploi"
    DECES = "deces"
    AUTRE = "autre"


STATUS_LABELS = labels(
    AttendanceStatus,
    {
        AttendanceStatus.PRESENT: _l("présent·e"),
        AttendanceStatus.LATE: _l("en retard"),
        AttendanceStatus.LEFT_EARLY: _l("départ hâtif"),
        AttendanceStatus.ABSENT: _l("absent·e"),
        AttendanceStatus.JUSTIFIED: _l("absence motivée"),
    },
)
REASON_LABELS = labels(
    JustificationReason,
    {
        JustificationReason.MALADIE: _l("maladie"),
        JustificationReason.RENDEZ_VOUS_MEDICAL: _l("rendez-vous médical"),
        JustificationReason.FAMILLE: _l("raison familiale"),
        JustificationReason.DEMARCHE_IMMIGRATION: _l("démarche d'immigration"),
        JustificationReason.ENTREVUE_EMPLOI: _l("entrevue d'emploi"),
        JustificationReason.DECES: _l("décès d'un proche"),
        JustificationReason.AUTRE: _l("autre"),
    },
)
