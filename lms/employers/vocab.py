"""The vocabularies of the employer-adapted course (sectors, task assessments, course plans),
with their French labels."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from lms.vocab import labels


class Sector(enum.StrEnum):
    """Sectors of partner employers; the FTC-4 track keys (courses/ftc-4/course.yml) where one
    fits."""

    SANTE = "sante"
    FABRICATION = "fabrication"
    COMMERCE_TOURISME = "commerce-tourisme"
    SERVICES_ADMINISTRATIFS = "services-administratifs"
    MINES = "mines"
    CONSTRUCTION = "construction"
    TRANSPORT = "transport"
    AGROALIMENTAIRE = "agroalimentaire"
    AUTRE = "autre"


class TaskKind(enum.StrEnum):
    """When a workplace task is assessed."""

    PLACEMENT = "placement"
    FINAL = "final"


class PlanStatus(enum.StrEnum):
    """A course plan's version: a draft, or published (then never changed)."""

    DRAFT = "draft"
    PUBLISHED = "published"


class PlanEdit(enum.StrEnum):
    """What staff may do to a course plan's draft."""

    MOVE = "move"
    REMOVE = "remove"
    ADD = "add"
    DISCARD = "discard"


class PlanItemReason(enum.StrEnum):
    """Why a unit is in a plan (``CoursePlanItem.reason["kind"]``)."""

    CORE = "core"
    SECTOR = "sector"
    TASK = "task"
    ADDED = "added"


SECTOR_LABELS = labels(
    Sector,
    {
        Sector.SANTE: _l("Santé et services sociaux"),
        Sector.FABRICATION: _l("Fabrication industrielle"),
        Sector.COMMERCE_TOURISME: _l("Commerce et tourisme"),
        Sector.SERVICES_ADMINISTRATIFS: _l("Services administratifs"),
        Sector.MINES: _l("Mines"),
        Sector.CONSTRUCTION: _l("Construction"),
        Sector.TRANSPORT: _l("Transport et logistique"),
        Sector.AGROALIMENTAIRE: _l("Agroalimentaire"),
        Sector.AUTRE: _l("Autre secteur"),
    },
)
TASK_KIND_LABELS = labels(
    TaskKind,
    {
        TaskKind.PLACEMENT: _l("Classement (début du cours)"),
        TaskKind.FINAL: _l("Évaluation finale"),
    },
)
# A task is scored 1 (not yet) to 4 (autonomous).
SCORE_LABELS = {
    1: _l("pas encore"),
    2: _l("avec aide"),
    3: _l("de façon autonome dans des situations simples"),
    4: _l("de façon autonome"),
}
TASK_SCORES = tuple(SCORE_LABELS)
REASON_LABELS = labels(
    PlanItemReason,
    {
        PlanItemReason.CORE: _l("Tronc commun"),
        PlanItemReason.SECTOR: _l("Volet sectoriel"),
        PlanItemReason.TASK: _l("Tâche prioritaire"),
        PlanItemReason.ADDED: _l("Ajoutée par l'équipe"),
    },
)
