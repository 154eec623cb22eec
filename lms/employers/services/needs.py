"""Needs profiles (an employer's or a cohort's own) and the partner employers of a cohort."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select

from lms import clock
from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Cohort
from lms.employers.models import Employer, NeedsProfile, cohort_employer
from lms.employers.profiles import ProfileData
from lms.errors import ServiceError
from lms.extensions import db
from lms.learning.models import WorkplaceTask
from lms.learning.vocab import SKILLS


def _check_profile(data: ProfileData) -> None:
    known = set(db.session.scalars(select(WorkplaceTask.key)))
    unknown = [t for t in data.tasks if t not in known]
    if unknown:
        raise ServiceError(_("Tâche inconnue : %(keys)s.", keys=", ".join(unknown)), "tasks")
    if len(set(data.tasks)) != len(data.tasks):
        raise ServiceError(_("Chaque tâche ne peut être choisie qu'une fois."), "tasks")
    if set(data.skill_weights) != set(SKILLS) or any(
        not 0 <= int(w) <= 100 for w in data.skill_weights.values()
    ):
        raise ServiceError(_("Chaque pondération est un pourcentage de 0 à 100."), "skill_weights")
    total = sum(int(w) for w in data.skill_weights.values())
    if total != 100:
        raise ServiceError(
            _(
                "Les pondérations des quatre compétences doivent totaliser 100 %%; "
                "elles totalisent %(total)s %%.",
                total=total,
            ),
            "skill_weights",
        )
    if not 1 <= data.target_level <= 12:
        raise ServiceError(_("Le niveau visé est un nombre de 1 à 12."), "target_level")


def save_profile(
    data: ProfileData,
    actor: User,
    *,
    employer: Employer | None = None,
    cohort: Cohort | None = None,
) -> NeedsProfile:
    """Create or replace the needs profile of ``employer`` or of ``cohort`` (exactly one).

    :raises ServiceError: unknown or repeated task, weights not summing to 100, level.
    """
    if (employer is None) == (cohort is None):
        raise ValueError("a needs profile belongs to an employer or to a cohort")
    _check_profile(data)
    owner = NeedsProfile.employer_id if employer else NeedsProfile.cohort_id
    owner_id = employer.id if employer else cohort.id  # type: ignore[union-attr]
    profile = db.session.scalar(select(NeedsProfile).where(owner == owner_id))
    before = ProfileData.of(profile).snapshot() if profile else None
    if profile is None:
        profile = NeedsProfile(
            employer_id=employer.id if employer else None,
            cohort_id=cohort.id if cohort else None,
        )
        db.session.add(profile)
    profile.tasks = list(data.tasks)
    profile.skill_weights = {s: int(data.skill_weights[s]) for s in SKILLS}
    profile.vocabulary_themes = data.vocabulary_themes.strip()
    profile.schedule_constraints = data.schedule_constraints.strip()
    profile.target_level = data.target_level
    profile.comments = data.comments.strip()
    profile.updated_at = clock.utcnow()
    db.session.flush()
    after = ProfileData.of(profile).snapshot()
    if after != before:
        record(
            "needs_profile.save",
            profile,
            actor=actor,
            before=before,
            after={"employer_id": profile.employer_id, "cohort_id": profile.cohort_id, **after},
        )
    return profile


def set_cohort_employers(
    cohort: Cohort, wanted_ids: Iterable[int], visible_ids: Iterable[int], actor: User
) -> list[int]:
    """Link ``cohort`` to the employers ``wanted_ids`` among those the user may see
    (``visible_ids``); links to employers the user cannot see are kept as they are.

    :raises ServiceError: an employer outside ``visible_ids``.
    """
    visible = set(visible_ids)
    wanted = set(wanted_ids)
    if not wanted <= visible:
        raise ServiceError(_("Choisissez des entreprises de la liste."), "employer_ids")
    current = set(
        db.session.scalars(
            select(cohort_employer.c.employer_id).where(cohort_employer.c.cohort_id == cohort.id)
        )
    )
    kept = current - visible
    target = kept | wanted
    if target == current:
        return sorted(current)
    removed = (current & visible) - wanted
    if removed:
        db.session.execute(
            delete(cohort_employer).where(
                cohort_employer.c.cohort_id == cohort.id,
                cohort_employer.c.employer_id.in_(removed),
            )
        )
    added = wanted - current
    if added:
        db.session.execute(
            insert(cohort_employer),
            [{"cohort_id": cohort.id, "employer_id": i} for i in sorted(added)],
        )
    db.session.flush()
    record(
        "cohort.employers",
        cohort,
        actor=actor,
        before={"employer_ids": sorted(current)},
        after={"employer_ids": sorted(target)},
    )
    return sorted(target)
