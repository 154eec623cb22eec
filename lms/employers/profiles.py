"""Needs profiles as values: what an employer (or a cohort) needs, and one profile for a cohort
merged from its employers' profiles. Pure functions, no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lms.employers.models import NeedsProfile
from lms.learning.vocab import SKILLS

DEFAULT_TARGET_LEVEL = 7


@dataclass
class ProfileData:
    tasks: list[str] = field(default_factory=list)
    skill_weights: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SKILLS, 25))
    vocabulary_themes: str = ""
    schedule_constraints: str = ""
    target_level: int = DEFAULT_TARGET_LEVEL
    comments: str = ""

    @classmethod
    def of(cls, profile: NeedsProfile) -> ProfileData:
        return cls(
            tasks=list(profile.tasks or []),
            skill_weights={s: int((profile.skill_weights or {}).get(s, 0)) for s in SKILLS},
            vocabulary_themes=profile.vocabulary_themes or "",
            schedule_constraints=profile.schedule_constraints or "",
            target_level=profile.target_level or DEFAULT_TARGET_LEVEL,
            comments=profile.comments or "",
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "tasks": list(self.tasks),
            "skill_weights": dict(self.skill_weights),
            "vocabulary_themes": self.vocabulary_themes,
            "schedule_constraints": self.schedule_constraints,
            "target_level": self.target_level,
            "comments": self.comments,
        }


def _spread(values: dict[str, float], total: int = 100) -> dict[str, int]:
    """Round ``values`` to integers summing to ``total`` (largest remainders first)."""
    if not any(values.values()):
        return dict.fromkeys(values, 0)
    floors = {k: int(v) for k, v in values.items()}
    rest = total - sum(floors.values())
    for key in sorted(values, key=lambda k: (-(values[k] - floors[k]), list(values).index(k)))[
        : max(rest, 0)
    ]:
        floors[key] += 1
    return floors


def merge_profiles(profiles: Sequence[ProfileData]) -> ProfileData | None:
    """One profile for a cohort from its employers' profiles: their tasks taken in turn by
    priority (each employer's first, then each one's second...), the mean of the skill
    weights, the themes and constraints of all, the highest target level."""
    profiles = [p for p in profiles if p is not None]
    if not profiles:
        return None
    if len(profiles) == 1:
        return ProfileData(**profiles[0].snapshot())
    tasks: list[str] = []
    for rank in range(max(len(p.tasks) for p in profiles)):
        for p in profiles:
            if rank < len(p.tasks) and p.tasks[rank] not in tasks:
                tasks.append(p.tasks[rank])
    weights = _spread(
        {s: sum(p.skill_weights.get(s, 0) for p in profiles) / len(profiles) for s in SKILLS}
    )

    def joined(attr: str) -> str:
        seen: list[str] = []
        for p in profiles:
            text = getattr(p, attr).strip()
            if text and text not in seen:
                seen.append(text)
        return "\n".join(seen)

    return ProfileData(
        tasks=tasks,
        skill_weights=weights,
        vocabulary_themes=joined("vocabulary_themes"),
        schedule_constraints=joined("schedule_constraints"),
        target_level=max(p.target_level for p in profiles),
        comments="",
    )
