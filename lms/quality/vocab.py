"""The quality vocabularies (review states, verdicts, findings, corrective actions, when a
checkpoint falls, kinds of manual criteria, outcomes of automatic criteria) and the questions
of the satisfaction survey, with their French labels."""

from __future__ import annotations

import enum
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.auth.vocab import ROLE_NOUNS
from lms.vocab import label_of, labels


class ReviewStatus(enum.StrEnum):
    DUE = "due"
    SIGNED = "signed"


class Verdict(enum.StrEnum):
    CONFORME = "conforme"
    CONFORME_AVEC_ACTIONS = "conforme_avec_actions"
    NON_CONFORME = "non_conforme"


class FindingResult(enum.StrEnum):
    CONFORME = "conforme"
    NON_CONFORME = "non_conforme"
    SANS_OBJET = "sans_objet"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class WhenKind(enum.StrEnum):
    """When a checkpoint falls: at the end of week N of the cohort, or N days after its end."""

    WEEK = "week"
    AFTER_END = "after_end"


class ManualKind(enum.StrEnum):
    """The manual criteria of a checkpoint (stored in the template's JSON)."""

    SAMPLE = "sample"
    OBSERVATION = "observation"


class CriterionOutcome(enum.StrEnum):
    """The outcome of an automatic criterion (stored in the review's JSON results)."""

    PASS = "pass"
    FAIL = "fail"
    NA = "na"


STATUS_LABELS = labels(
    ReviewStatus, {ReviewStatus.DUE: _l("À faire"), ReviewStatus.SIGNED: _l("Signée")}
)
VERDICT_LABELS = labels(
    Verdict,
    {
        Verdict.CONFORME: _l("Conforme"),
        Verdict.CONFORME_AVEC_ACTIONS: _l("Conforme avec actions"),
        Verdict.NON_CONFORME: _l("Non conforme"),
    },
)
RESULT_LABELS = labels(
    FindingResult,
    {
        FindingResult.CONFORME: _l("Conforme"),
        FindingResult.NON_CONFORME: _l("Non conforme"),
        FindingResult.SANS_OBJET: _l("Sans objet"),
    },
)
AUTO_LABELS = labels(
    CriterionOutcome,
    {
        CriterionOutcome.PASS: _l("Atteint"),
        CriterionOutcome.FAIL: _l("Non atteint"),
        CriterionOutcome.NA: _l("Sans objet"),
    },
)
ACTION_LABELS = labels(
    ActionStatus,
    {
        ActionStatus.OPEN: _l("En cours"),
        ActionStatus.DONE: _l("Faite"),
        ActionStatus.CANCELLED: _l("Annulée"),
    },
)
WHEN_LABELS = labels(
    WhenKind,
    {
        WhenKind.WEEK: _l("À la fin de la semaine N du groupe"),
        WhenKind.AFTER_END: _l("N jours après la fin du groupe"),
    },
)
MANUAL_KIND_LABELS = labels(
    ManualKind,
    {
        ManualKind.SAMPLE: _l("Échantillon de dossiers"),
        ManualKind.OBSERVATION: _l("Observation en classe"),
    },
)

LABELS: dict[str, dict[Any, Any]] = {
    "status": STATUS_LABELS,
    "verdict": VERDICT_LABELS,
    "result": RESULT_LABELS,
    "auto": AUTO_LABELS,
    "action": ACTION_LABELS,
    "when": WHEN_LABELS,
    "manual_kind": MANUAL_KIND_LABELS,
    "role": ROLE_NOUNS,
}


def label(value: str | None, group: str) -> Any:
    """The French label of ``value`` in a vocabulary (the value itself when unknown)."""
    return label_of(LABELS[group], value)


# --- the satisfaction survey --------------------------------------------------------------------

# Simple French (about level 4 of the scale): short sentences, everyday words. The keys are
# those of the stored answers (SurveyResponse.answers).
SURVEY_QUESTIONS: dict[str, Any] = {
    "q1": _l("Je parle mieux français qu'au début du cours."),
    "q2": _l("Je comprends mieux quand on me parle en français."),
    "q3": _l("Mon enseignant·e explique bien."),
    "q4": _l("Quand j'ai eu un problème, on m'a aidé·e."),
    "q5": _l("Les exercices en ligne m'ont aidé·e à apprendre."),
    "q6": _l("Ce que j'ai appris m'aide dans ma vie de tous les jours."),
    "q7": _l("Je conseille ce cours à une autre personne."),
}
SURVEY_SCALE: dict[str, Any] = {
    "1": _l("Pas du tout d'accord"),
    "2": _l("Pas d'accord"),
    "3": _l("D'accord"),
    "4": _l("Tout à fait d'accord"),
}
