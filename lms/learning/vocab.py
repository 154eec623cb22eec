"""The learning vocabularies: the four skills and the states of a production."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from lms.vocab import labels


class Skill(enum.StrEnum):
    CO = "CO"
    PO = "PO"
    CE = "CE"
    PE = "PE"


# The skills in their usual order, for loops and per-skill dictionaries.
SKILLS: tuple[Skill, ...] = tuple(Skill)

SKILL_LABELS = labels(
    Skill,
    {
        Skill.CO: _l("Compréhension orale"),
        Skill.PO: _l("Production orale"),
        Skill.CE: _l("Compréhension écrite"),
        Skill.PE: _l("Production écrite"),
    },
)
# The abbreviations as French writes them (column headings).
SKILL_CODES = labels(Skill, {Skill.CO: "CO", Skill.PO: "PO", Skill.CE: "CE", Skill.PE: "PÉ"})


class ProductionStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
