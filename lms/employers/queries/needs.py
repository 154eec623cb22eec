"""Needs profiles: the catalogue of workplace tasks they choose from, an employer's profile, a
cohort's (its own, else its employers' merged), the employers a cohort may be linked to."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import Select, select

from lms.employers.models import Employer, NeedsProfile, cohort_employer
from lms.employers.profiles import ProfileData, merge_profiles
from lms.extensions import db
from lms.learning.models import WorkplaceTask


def workplace_tasks() -> dict[str, str]:
    """The FTC-4 catalogue of workplace tasks: key → name, by name."""
    rows = db.session.execute(select(WorkplaceTask.key, WorkplaceTask.name)).all()
    return dict(sorted(rows, key=lambda row: (_sort_key(row[1]), row[0])))


def _sort_key(text: str) -> str:
    """Alphabetical order as in a French dictionary: accents do not come after z."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def employer_profile(employer_id: int) -> NeedsProfile | None:
    return db.session.scalar(select(NeedsProfile).where(NeedsProfile.employer_id == employer_id))


@dataclass
class CohortProfile:
    own: NeedsProfile | None
    employers: list[tuple[Employer, NeedsProfile | None]]

    @property
    def data(self) -> ProfileData | None:
        """The cohort's own profile, else its employers' profiles merged, else ``None``."""
        if self.own is not None:
            return ProfileData.of(self.own)
        return merge_profiles([ProfileData.of(p) for _e, p in self.employers if p is not None])

    @property
    def tasks(self) -> list[str]:
        """The profile's workplace tasks, by priority (none without a profile)."""
        data = self.data
        return data.tasks if data else []

    @property
    def source(self) -> str:
        if self.own is not None:
            return "cohort"
        return "employers" if any(p for _e, p in self.employers) else "none"


def cohort_profile(cohort_id: int) -> CohortProfile:
    """The cohort's own needs profile and its employers with theirs (two queries)."""
    own = db.session.scalar(select(NeedsProfile).where(NeedsProfile.cohort_id == cohort_id))
    employers = list(
        db.session.execute(
            select(Employer, NeedsProfile)
            .join(cohort_employer, cohort_employer.c.employer_id == Employer.id)
            .outerjoin(NeedsProfile, NeedsProfile.employer_id == Employer.id)
            .where(cohort_employer.c.cohort_id == cohort_id)
            .order_by(Employer.name, Employer.id)
        )
    )
    return CohortProfile(own, employers)


def linkable_employers(scope: Select) -> list[tuple[int, str, str]]:
    """Employers the user may link to a cohort: id, name, sector."""
    return list(
        db.session.execute(
            select(Employer.id, Employer.name, Employer.sector)
            .where(Employer.id.in_(scope))
            .order_by(Employer.name, Employer.id)
        )
    )
