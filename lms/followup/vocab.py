"""The follow-up vocabularies (assessment kinds, note types and reasons, visibility, end-of-course
decisions, withdrawal reasons, interview cadence) with their French labels, and the labels under
which the follow-up pages show other features' vocabularies (skills, attendance), and how their
messages write a date."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from lms.attendance.vocab import AttendanceStatus, JustificationReason
from lms.learning.vocab import SKILL_CODES, SKILL_LABELS
from lms.vocab import label_of, labels


class AssessmentKind(enum.StrEnum):
    PLACEMENT = "placement"
    MID = "mid"
    FINAL = "final"
    ADHOC = "adhoc"


class NoteType(enum.StrEnum):
    ENTRETIEN = "entretien"
    APPEL = "appel"
    RENCONTRE = "rencontre"
    REFERENCE = "reference"
    SORTIE = "sortie"
    AUTRE = "autre"


class NoteReason(enum.StrEnum):
    ABSENCES = "absences"
    APPRENTISSAGE = "apprentissage"
    PERSONNELLE = "personnelle"
    EMPLOI = "emploi"
    SANTE = "sante"
    AUTRE = "autre"


class Visibility(enum.StrEnum):
    TEAM = "team"
    STUDENT = "student"


class Decision(enum.StrEnum):
    PASSE = "passe"
    REPREND = "reprend"
    REORIENTE = "reoriente"
    ABANDON = "abandon"


class WithdrawalReason(enum.StrEnum):
    """Why a student leaves (stored on the enrolment: ``Enrolment.withdrawal_reason``)."""

    EMPLOI = "emploi"
    DEMENAGEMENT = "demenagement"
    SANTE = "sante"
    FAMILLE = "famille"
    GARDE = "garde"
    AUTRE_COURS = "autre-cours"
    SANS_NOUVELLES = "sans-nouvelles"
    AUTRE = "autre"


class CadenceStatus(enum.StrEnum):
    """Whether the next follow-up interview is on time (computed, not stored)."""

    OK = "ok"
    SOON = "soon"
    OVERDUE = "overdue"


KIND_LABELS = labels(
    AssessmentKind,
    {
        AssessmentKind.PLACEMENT: _l("Classement"),
        AssessmentKind.MID: _l("Mi-parcours"),
        AssessmentKind.FINAL: _l("Fin de cours"),
        AssessmentKind.ADHOC: _l("Ponctuelle"),
    },
)
NOTE_TYPE_LABELS = labels(
    NoteType,
    {
        NoteType.ENTRETIEN: _l("Entretien de suivi"),
        NoteType.APPEL: _l("Appel"),
        NoteType.RENCONTRE: _l("Rencontre"),
        NoteType.REFERENCE: _l("Référence vers un organisme"),
        NoteType.SORTIE: _l("Suivi de départ"),
        NoteType.AUTRE: _l("Autre"),
    },
)
REASON_LABELS = labels(
    NoteReason,
    {
        NoteReason.ABSENCES: _l("Absences"),
        NoteReason.APPRENTISSAGE: _l("Difficulté d'apprentissage"),
        NoteReason.PERSONNELLE: _l("Situation personnelle"),
        NoteReason.EMPLOI: _l("Emploi"),
        NoteReason.SANTE: _l("Santé"),
        NoteReason.AUTRE: _l("Autre"),
    },
)
VISIBILITY_LABELS = labels(
    Visibility,
    {
        Visibility.TEAM: _l("Équipe seulement"),
        Visibility.STUDENT: _l("Partagée avec l'élève"),
    },
)
DECISION_LABELS = labels(
    Decision,
    {
        Decision.PASSE: _l("Passe au cours suivant"),
        Decision.REPREND: _l("Reprend le cours"),
        Decision.REORIENTE: _l("Réorienté·e"),
        Decision.ABANDON: _l("Abandon"),
    },
)
WITHDRAWAL_REASONS = labels(
    WithdrawalReason,
    {
        WithdrawalReason.EMPLOI: _l("Emploi trouvé"),
        WithdrawalReason.DEMENAGEMENT: _l("Déménagement"),
        WithdrawalReason.SANTE: _l("Santé"),
        WithdrawalReason.FAMILLE: _l("Famille"),
        WithdrawalReason.GARDE: _l("Garde d'enfants"),
        WithdrawalReason.AUTRE_COURS: _l("Autre cours"),
        WithdrawalReason.SANS_NOUVELLES: _l("Sans nouvelles"),
        WithdrawalReason.AUTRE: _l("Autre"),
    },
)
CADENCE_LABELS = labels(
    CadenceStatus,
    {
        CadenceStatus.OK: _l("À jour"),
        CadenceStatus.SOON: _l("Dû bientôt"),
        CadenceStatus.OVERDUE: _l("En retard"),
    },
)
# Attendance as the follow-up file and its timeline name it (the grid's labels are
# lms.attendance.vocab's).
ATTENDANCE_LABELS = labels(
    AttendanceStatus,
    {
        AttendanceStatus.PRESENT: _l("Présent·e"),
        AttendanceStatus.LATE: _l("Retard"),
        AttendanceStatus.LEFT_EARLY: _l("Départ hâtif"),
        AttendanceStatus.ABSENT: _l("Absence"),
        AttendanceStatus.JUSTIFIED: _l("Absence motivée"),
    },
)
JUSTIFICATION_LABELS = labels(
    JustificationReason,
    {
        JustificationReason.MALADIE: _l("maladie"),
        JustificationReason.RENDEZ_VOUS_MEDICAL: _l("rendez-vous médical"),
        JustificationReason.FAMILLE: _l("raison familiale"),
        JustificationReason.DEMARCHE_IMMIGRATION: _l("démarche d'immigration"),
        JustificationReason.ENTREVUE_EMPLOI: _l("entrevue d'emploi"),
        JustificationReason.DECES: _l("décès"),
        JustificationReason.AUTRE: _l("autre motif"),
    },
)
# Kinds of timeline events (the alerts feature adds "alert").
EVENT_LABELS: dict[str, Any] = {
    "enrolment": _l("Inscription"),
    "attendance": _l("Présence"),
    "online": _l("Travail en ligne"),
    "production": _l("Production"),
    "assessment": _l("Évaluation"),
    "note": _l("Note de suivi"),
    "remedial": _l("Récupération"),
    "decision": _l("Décision"),
    "alert": _l("Alerte"),
}

LABELS: dict[str, dict[Any, Any]] = {
    "skill": SKILL_LABELS,
    "skill_code": SKILL_CODES,
    "kind": KIND_LABELS,
    "note_type": NOTE_TYPE_LABELS,
    "reason": REASON_LABELS,
    "visibility": VISIBILITY_LABELS,
    "decision": DECISION_LABELS,
    "withdrawal": WITHDRAWAL_REASONS,
    "cadence": CADENCE_LABELS,
    "attendance": ATTENDANCE_LABELS,
    "justification": JUSTIFICATION_LABELS,
    "event": EVENT_LABELS,
}


def label(value: str | None, group: str) -> Any:
    """The French label of ``value`` in a vocabulary (the value itself when unknown)."""
    return label_of(LABELS[group], value)


def long_date(day: date) -> str:
    """A date in a message: « 14 septembre 2026 »."""
    return format_date(day, "d MMMM yyyy")
