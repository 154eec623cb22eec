"""The catalogue: every automatic criterion by its code, the manual criteria a coordinator
checks by hand, and :func:`evaluate`, which runs each criterion once for all its subjects."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.quality.criteria.alerts import compute_critical_alerts, describe_critical_alerts
from lms.quality.criteria.assessments import compute_assessed, describe_assessed
from lms.quality.criteria.attendance import (
    compute_attendance_recorded,
    describe_attendance_recorded,
)
from lms.quality.criteria.engine import Criterion, Outcome, Param, Subject
from lms.quality.criteria.followup import (
    compute_interviews,
    compute_withdrawals,
    describe_interviews,
    describe_withdrawals,
)
from lms.quality.criteria.productions import compute_productions, describe_productions
from lms.quality.criteria.survey import compute_survey, describe_survey

_PERCENT = Param(_l("Seuil (en %)"), 0, 100, "%")

CRITERIA: dict[str, Criterion] = {
    c.code: c
    for c in (
        Criterion(
            "attendance_recorded",
            _l("Présences saisies pour chaque jour de classe"),
            _l("Chaque jour de classe passé a ses présences saisies."),
            {"max_missing": 0},
            {"max_missing": Param(_l("Jours non saisis tolérés"), 0, 30)},
            compute_attendance_recorded,
            describe_attendance_recorded,
        ),
        Criterion(
            "assessed_placement",
            _l("Élèves évalué·es au classement (4 compétences)"),
            _l("Part des élèves qui ont un niveau de classement dans les 4 compétences."),
            {"min_percent": 95},
            {"min_percent": _PERCENT},
            compute_assessed("placement"),
            describe_assessed,
        ),
        Criterion(
            "assessed_mid",
            _l("Élèves évalué·es à la mi-parcours (4 compétences)"),
            _l("Part des élèves qui ont un niveau de mi-parcours dans les 4 compétences."),
            {"min_percent": 95},
            {"min_percent": _PERCENT},
            compute_assessed("mid"),
            describe_assessed,
        ),
        Criterion(
            "assessed_final",
            _l("Élèves évalué·es en fin de cours (4 compétences)"),
            _l("Part des élèves qui ont un niveau de fin de cours dans les 4 compétences."),
            {"min_percent": 95},
            {"min_percent": _PERCENT},
            compute_assessed("final"),
            describe_assessed,
        ),
        Criterion(
            "interviews_on_cadence",
            _l("Entretiens de suivi à jour"),
            _l("Chaque élève inscrit·e a eu son entretien de suivi selon la cadence prévue."),
            {"min_percent": 100, "grace_days": 0},
            {
                "min_percent": _PERCENT,
                "grace_days": Param(_l("Jours de tolérance"), 0, 30),
            },
            compute_interviews,
            describe_interviews,
        ),
        Criterion(
            "critical_alerts_acknowledged",
            _l("Alertes critiques prises en charge à temps"),
            _l("Chaque alerte critique est prise en charge dans le délai, en jours ouvrables."),
            {"working_days": 2},
            {"working_days": Param(_l("Délai (jours ouvrables)"), 0, 20)},
            compute_critical_alerts,
            describe_critical_alerts,
        ),
        Criterion(
            "productions_graded",
            _l("Productions corrigées à temps"),
            _l("Chaque production remise est corrigée dans le délai."),
            {"days": 5},
            {"days": Param(_l("Délai (jours)"), 1, 30)},
            compute_productions,
            describe_productions,
        ),
        Criterion(
            "withdrawals_exit_followup",
            _l("Suivi de départ pour chaque abandon"),
            _l("Chaque abandon a un suivi de départ fait ou en cours."),
            {},
            {},
            compute_withdrawals,
            describe_withdrawals,
        ),
        Criterion(
            "survey_response_rate",
            _l("Taux de réponse au sondage de satisfaction"),
            _l("Part des élèves qui ont répondu au sondage de fin de cours."),
            {"min_percent": 50},
            {"min_percent": _PERCENT},
            compute_survey,
            describe_survey,
        ),
    )
}

# Manual criteria: what the coordinator checks by hand.
MANUAL_KINDS: dict[str, Any] = {
    "sample": _l("Échantillon de dossiers d'élèves"),
    "observation": _l("Observation en classe"),
}
MANUAL_DEFAULTS: dict[str, dict[str, str]] = {
    "sample_files": {
        "kind": "sample",
        "label": "Vérification d'un échantillon de dossiers d'élèves",
    },
    "class_observation": {"kind": "observation", "label": "Observation d'une séance en classe"},
}
# The class observation rubric: each item scored 1 (insuffisant) to 4 (excellent).
OBSERVATION_RUBRIC: dict[str, Any] = {
    "consignes": _l("Clarté des consignes et des objectifs"),
    "interaction": _l("Interactions orales et participation des élèves"),
    "authenticite": _l("Tâches authentiques liées aux situations du programme"),
    "retroaction": _l("Rétroaction et correction des erreurs"),
}
RUBRIC_SCALE: dict[int, Any] = {
    1: _l("1 — insuffisant"),
    2: _l("2 — à améliorer"),
    3: _l("3 — satisfaisant"),
    4: _l("4 — excellent"),
}


def evaluate(items: list[tuple[str, Subject]]) -> dict[tuple[str, Any], Outcome]:
    """Evaluate ``(code, subject)`` pairs, each criterion once for all its subjects.

    :returns: ``{(code, subject.key): Outcome}``; unknown codes are skipped.
    """
    grouped: dict[str, list[Subject]] = defaultdict(list)
    for code, subject in items:
        if code in CRITERIA:
            grouped[code].append(subject)
    outcomes: dict[tuple[str, Any], Outcome] = {}
    for code, subjects in grouped.items():
        for key, outcome in CRITERIA[code].compute(subjects).items():
            outcomes[(code, key)] = outcome
    return outcomes
