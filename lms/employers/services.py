"""Verbs of the employer-adapted course: partner employers, their employees' consent, needs
profiles, the cohort's course plan (propose, edit, publish) and workplace-task assessments.

They flush, never commit (the view owns the transaction), record every change that matters
in the audit log with its before and after, and raise :class:`EmployerError` (a French
message, and the form field it belongs to) before writing anything when the input is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select

from lms import clock
from lms.access import visible_student_ids
from lms.audit.services import record
from lms.auth.models import Role, User, normalize_email
from lms.catalog.models import Cohort, Course, Enrolment
from lms.employers import planner
from lms.employers.models import (
    CoursePlan,
    CoursePlanItem,
    Employer,
    EmployerEmployee,
    NeedsProfile,
    TaskAssessment,
    cohort_employer,
)
from lms.employers.neq import neq_problem, normalize_neq
from lms.employers.vocab import TASK_SCORES, PlanStatus, Sector, TaskKind
from lms.errors import ServiceError
from lms.extensions import db
from lms.learning.models import SKILLS, Unit, WorkplaceTask

DEFAULT_TARGET_LEVEL = 7
PLAN_ACTIONS = ("move", "remove", "add", "discard")


class EmployerError(ServiceError):
    """Refused input: ``message`` is for the user (French); ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None, *, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def _fmt(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- partner employers -------------------------------------------------------------------------


@dataclass
class EmployerData:
    name: str
    neq: str
    sector: str
    region_id: int
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    agreement_start_on: date | None = None
    agreement_end_on: date | None = None


def neq_message(raw: str | None) -> str | None:
    """The French message for a malformed NEQ, or ``None`` when it is well formed."""
    problem = neq_problem(raw)
    if problem is None:
        return None
    if problem == "empty":
        return _("Le NEQ est obligatoire.")
    if problem == "not_digits":
        return _(
            "Le NEQ ne contient que des chiffres (les espaces et les tirets sont acceptés), "
            "par exemple 1234 567 890."
        )
    return _(
        "Le NEQ compte exactement 10 chiffres; celui-ci en compte %(n)s.",
        n=len(normalize_neq(raw)),
    )


def employer_snapshot(employer: Employer) -> dict[str, Any]:
    return {
        "name": employer.name,
        "neq": employer.neq,
        "sector": employer.sector,
        "region_id": employer.region_id,
        "contact_name": employer.contact_name,
        "contact_email": employer.contact_email,
        "contact_phone": employer.contact_phone,
        "agreement_start_on": _fmt(employer.agreement_start_on),
        "agreement_end_on": _fmt(employer.agreement_end_on),
    }


def _check_employer(
    data: EmployerData, allowed_region_ids: Iterable[int], employer_id: int | None
) -> str:
    """Validate ``data``; return the normalized NEQ. :raises EmployerError: on the field."""
    if not data.name.strip():
        raise EmployerError(_("Le nom de l'entreprise est obligatoire."), "name")
    message = neq_message(data.neq)
    if message:
        raise EmployerError(message, "neq")
    neq = normalize_neq(data.neq)
    taken = db.session.scalar(
        select(Employer.id).where(Employer.neq == neq, Employer.id != (employer_id or 0))
    )
    if taken is not None:
        raise EmployerError(
            _("Une entreprise partenaire porte déjà ce NEQ (%(neq)s).", neq=neq), "neq"
        )
    if data.sector not in tuple(Sector):
        raise EmployerError(_("Choisissez un secteur de la liste."), "sector")
    if data.region_id not in set(allowed_region_ids):
        raise EmployerError(_("Choisissez une de vos régions."), "region_id")
    if (
        data.agreement_start_on
        and data.agreement_end_on
        and data.agreement_end_on < data.agreement_start_on
    ):
        raise EmployerError(
            _("La fin de l'entente ne peut pas précéder son début."), "agreement_end_on"
        )
    return neq


def _apply(employer: Employer, data: EmployerData, neq: str) -> None:
    employer.name = data.name.strip()
    employer.neq = neq
    employer.sector = data.sector
    employer.region_id = data.region_id
    employer.contact_name = data.contact_name.strip()
    employer.contact_email = normalize_email(data.contact_email)
    employer.contact_phone = data.contact_phone.strip()
    employer.agreement_start_on = data.agreement_start_on
    employer.agreement_end_on = data.agreement_end_on


def create_employer(data: EmployerData, actor: User, allowed_region_ids: Iterable[int]) -> Employer:
    """A new partner employer.

    :param allowed_region_ids: the regions ``actor`` may place it in (a coordinator's own).
    :raises EmployerError: bad or duplicate NEQ, unknown sector, region out of scope, dates.
    """
    neq = _check_employer(data, allowed_region_ids, None)
    employer = Employer(name="", neq=neq, sector=data.sector, region_id=data.region_id)
    _apply(employer, data, neq)
    db.session.add(employer)
    db.session.flush()
    record("employer.create", employer, actor=actor, after=employer_snapshot(employer))
    return employer


def update_employer(
    employer: Employer, data: EmployerData, actor: User, allowed_region_ids: Iterable[int]
) -> Employer:
    """Change an employer's details. :raises EmployerError: as :func:`create_employer`."""
    neq = _check_employer(data, allowed_region_ids, employer.id)
    before = employer_snapshot(employer)
    _apply(employer, data, neq)
    after = employer_snapshot(employer)
    if after != before:
        db.session.flush()
        record("employer.update", employer, actor=actor, before=before, after=after)
    return employer


# --- employees and their consent ---------------------------------------------------------------


def _consent_snapshot(link: EmployerEmployee) -> dict[str, Any]:
    return {
        "employer_id": link.employer_id,
        "student_id": link.student_id,
        "consent": link.consent,
        "consent_on": _fmt(link.consent_on),
    }


def _check_consent_date(on: date | None, today: date) -> date:
    if on is None:
        raise EmployerError(_("Indiquez la date du consentement."), "consent_on")
    if on > today:
        raise EmployerError(
            _("La date du consentement ne peut pas être dans le futur."), "consent_on"
        )
    return on


def _no_student() -> EmployerError:
    """The one answer for an unknown e-mail, a staff account and a student out of scope (so
    that the form tells nothing about accounts the actor may not see)."""
    return EmployerError(
        _("Aucun compte élève de vos groupes ne correspond à ce courriel."), "email"
    )


def student_in_scope(actor: User, student_id: int) -> bool:
    """Is ``student_id`` a student ``actor`` may see (enrolled, now or before, in a cohort in
    their scope; any student for admins)?"""
    return (
        db.session.scalar(
            select(User.id).where(
                User.id == student_id,
                User.role == Role.STUDENT.value,
                User.id.in_(visible_student_ids(actor)),
            )
        )
        is not None
    )


def add_employee(
    employer: Employer,
    email: str,
    actor: User,
    *,
    consent: bool = False,
    consent_on: date | None = None,
) -> EmployerEmployee:
    """Link a student account in ``actor``'s scope to ``employer``, with their consent if given.

    :raises EmployerError: no student in scope with that e-mail (the same error whether the
        account does not exist, is not a student's or is out of scope), already linked,
        consent date missing or in the future.
    """
    student = db.session.scalar(
        select(User).where(
            User.email == normalize_email(email),
            User.role == Role.STUDENT.value,
            User.id.in_(visible_student_ids(actor)),
        )
    )
    if student is None:
        raise _no_student()
    already = db.session.scalar(
        select(EmployerEmployee.id).where(
            EmployerEmployee.employer_id == employer.id,
            EmployerEmployee.student_id == student.id,
        )
    )
    if already is not None:
        raise EmployerError(
            _(
                "%(name)s est déjà inscrit·e comme employé·e de cette entreprise.",
                name=student.name,
            ),
            "email",
        )
    on = _check_consent_date(consent_on or clock.today(), clock.today()) if consent else None
    link = EmployerEmployee(
        employer_id=employer.id, student_id=student.id, consent=consent, consent_on=on
    )
    db.session.add(link)
    db.session.flush()
    record("employer.employee_add", link, actor=actor, after=_consent_snapshot(link))
    return link


def set_consent(
    link: EmployerEmployee, consent: bool, on: date | None, actor: User
) -> EmployerEmployee:
    """Record that the employee gave (``consent``) or withdrew their consent on ``on``.

    :raises EmployerError: the employee is not a student in ``actor``'s scope (status 404);
        the date is missing or in the future.
    """
    if not student_in_scope(actor, link.student_id):
        error = _no_student()
        error.status = 404
        raise error
    on = _check_consent_date(on, clock.today())
    before = _consent_snapshot(link)
    link.consent = consent
    link.consent_on = on
    db.session.flush()
    record(
        "employer.consent" if consent else "employer.consent_withdraw",
        link,
        actor=actor,
        before=before,
        after=_consent_snapshot(link),
    )
    return link


def remove_employee(link: EmployerEmployee, actor: User) -> None:
    before = _consent_snapshot(link)
    record("employer.employee_remove", link, actor=actor, before=before)
    db.session.delete(link)
    db.session.flush()


# --- needs profiles ----------------------------------------------------------------------------


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


def _check_profile(data: ProfileData) -> None:
    known = set(db.session.scalars(select(WorkplaceTask.key)))
    unknown = [t for t in data.tasks if t not in known]
    if unknown:
        raise EmployerError(_("Tâche inconnue : %(keys)s.", keys=", ".join(unknown)), "tasks")
    if len(set(data.tasks)) != len(data.tasks):
        raise EmployerError(_("Chaque tâche ne peut être choisie qu'une fois."), "tasks")
    if set(data.skill_weights) != set(SKILLS) or any(
        not 0 <= int(w) <= 100 for w in data.skill_weights.values()
    ):
        raise EmployerError(_("Chaque pondération est un pourcentage de 0 à 100."), "skill_weights")
    total = sum(int(w) for w in data.skill_weights.values())
    if total != 100:
        raise EmployerError(
            _(
                "Les pondérations des quatre compétences doivent totaliser 100 %%; "
                "elles totalisent %(total)s %%.",
                total=total,
            ),
            "skill_weights",
        )
    if not 1 <= data.target_level <= 12:
        raise EmployerError(_("Le niveau visé est un nombre de 1 à 12."), "target_level")


def save_profile(
    data: ProfileData,
    actor: User,
    *,
    employer: Employer | None = None,
    cohort: Cohort | None = None,
) -> NeedsProfile:
    """Create or replace the needs profile of ``employer`` or of ``cohort`` (exactly one).

    :raises EmployerError: unknown or repeated task, weights not summing to 100, level.
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


# --- cohorts and their employers ---------------------------------------------------------------


def set_cohort_employers(
    cohort: Cohort, wanted_ids: Iterable[int], visible_ids: Iterable[int], actor: User
) -> list[int]:
    """Link ``cohort`` to the employers ``wanted_ids`` among those the user may see
    (``visible_ids``); links to employers the user cannot see are kept as they are.

    :raises EmployerError: an employer outside ``visible_ids``.
    """
    visible = set(visible_ids)
    wanted = set(wanted_ids)
    if not wanted <= visible:
        raise EmployerError(_("Choisissez des entreprises de la liste."), "employer_ids")
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


# --- the course plan ---------------------------------------------------------------------------


def plan_unit(unit: Unit) -> planner.PlanUnit:
    return planner.PlanUnit(
        id=unit.id,
        key=unit.key,
        week=unit.week,
        hours=unit.hours,
        track=unit.track_key,
        tasks=tuple(unit.tasks or ()),
        position=unit.position,
    )


def course_units(course_id: int) -> list[Unit]:
    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.course_id == course_id, Unit.active.is_(True))
            .order_by(Unit.track_key.is_not(None), Unit.track_key, Unit.week, Unit.position)
        )
    )


def _plans(cohort_id: int) -> list[CoursePlan]:
    return list(
        db.session.scalars(
            select(CoursePlan)
            .where(CoursePlan.cohort_id == cohort_id)
            .order_by(CoursePlan.version.desc())
        )
    )


def current_draft(cohort_id: int) -> CoursePlan | None:
    """The draft being edited: the latest version when it is not published."""
    plans = _plans(cohort_id)
    return plans[0] if plans and plans[0].status == PlanStatus.DRAFT else None


def latest_published(cohort_id: int) -> CoursePlan | None:
    return db.session.scalar(
        select(CoursePlan)
        .where(CoursePlan.cohort_id == cohort_id, CoursePlan.status == PlanStatus.PUBLISHED)
        .order_by(CoursePlan.version.desc())
        .limit(1)
    )


def _next_version(cohort_id: int) -> int:
    latest = db.session.scalar(
        select(func.max(CoursePlan.version)).where(CoursePlan.cohort_id == cohort_id)
    )
    return (latest or 0) + 1


def _items_of(plan: CoursePlan) -> list[planner.PlannedItem]:
    return [
        planner.PlannedItem(i.unit_id, i.week, i.hours, i.position, dict(i.reason or {}))
        for i in db.session.scalars(
            select(CoursePlanItem)
            .where(CoursePlanItem.plan_id == plan.id)
            .order_by(CoursePlanItem.week, CoursePlanItem.position, CoursePlanItem.id)
        )
    ]


def _write_items(plan: CoursePlan, items: Sequence[planner.PlannedItem]) -> None:
    db.session.execute(delete(CoursePlanItem).where(CoursePlanItem.plan_id == plan.id))
    if items:
        db.session.execute(
            insert(CoursePlanItem),
            [
                {
                    "plan_id": plan.id,
                    "unit_id": i.unit_id,
                    "week": i.week,
                    "hours": i.hours,
                    "position": i.position,
                    "reason": i.reason,
                }
                for i in items
            ],
        )
    db.session.flush()


def plan_problem_message(problem: planner.PlanProblem) -> str:
    if problem.kind == "week_over":
        return _(
            "La semaine %(week)s compterait %(hours)s h : le maximum est %(max)s h par semaine.",
            week=problem.week,
            hours=problem.hours,
            max=problem.limit,
        )
    if problem.kind == "total_over":
        return _(
            "Le plan compterait %(hours)s h : le maximum est %(max)s h pour le cours.",
            hours=problem.hours,
            max=problem.limit,
        )
    if problem.kind == "week_out":
        return _("Choisissez une semaine de 1 à %(max)s.", max=problem.limit)
    return _("Cette unité est déjà dans le plan.")


def _check_items(items: Sequence[planner.PlannedItem], course: Course) -> None:
    problems = planner.plan_problems(items, course.weeks, course.hours_per_week)
    if problems:
        raise EmployerError(plan_problem_message(problems[0]), "week")


def _plan_summary(plan: CoursePlan, items: Sequence[planner.PlannedItem]) -> dict[str, Any]:
    keys = dict(
        db.session.execute(
            select(Unit.id, Unit.key).where(Unit.id.in_([i.unit_id for i in items]))
        ).all()
    )
    return {
        "version": plan.version,
        "status": plan.status,
        "sector": plan.sector,
        "total_hours": sum(i.hours for i in items),
        "items": [[keys.get(i.unit_id, i.unit_id), i.week, i.hours] for i in items],
    }


def propose_cohort_plan(
    cohort: Cohort,
    course: Course,
    actor: User,
    *,
    sector: str | None,
    tasks: Sequence[str],
) -> CoursePlan:
    """Propose the plan from the course's units and the profile's ``tasks``, as the current
    draft (replacing its items) or as a new draft version after the latest published one.

    :raises EmployerError: the course is not employer-adapted or ``sector`` is not one of its
        tracks.
    """
    if not course.employer_adapted:
        raise EmployerError(_("Ce cours n'est pas adapté aux besoins des employeurs."))
    units = course_units(course.id)
    tracks = {u.track_key for u in units if u.track_key}
    if sector and sector not in tracks:
        raise EmployerError(_("Choisissez un volet sectoriel du cours."), "sector")
    items = planner.propose_plan(
        [plan_unit(u) for u in units], list(tasks), sector, course.weeks, course.hours_per_week
    )
    draft = current_draft(cohort.id)
    if draft is None:
        draft = CoursePlan(
            cohort_id=cohort.id,
            version=_next_version(cohort.id),
            status=PlanStatus.DRAFT,
            created_by_id=actor.id,
        )
        db.session.add(draft)
    draft.sector = sector
    db.session.flush()
    _write_items(draft, items)
    summary = _plan_summary(draft, items)
    record(
        "course_plan.propose",
        draft,
        actor=actor,
        after={**summary, "cohort_id": cohort.id, "tasks": list(tasks)},
    )
    return draft


def edit_plan(
    cohort: Cohort,
    course: Course,
    actor: User,
    *,
    action: str,
    unit_id: int | None = None,
    week: int | None = None,
) -> CoursePlan | None:
    """Change the current draft: ``move`` a unit to ``week``, ``remove`` it, ``add`` a unit of
    the course in ``week``, or ``discard`` the draft. With no draft, the edit starts a new
    draft copied from the latest published version (a published plan never changes).

    :returns: the draft (``None`` after ``discard``).
    :raises EmployerError: no plan yet, unit unknown or not in the plan, or the result would
        exceed the hours of a week or of the course (nothing is written then).
    """
    if action not in PLAN_ACTIONS:
        raise EmployerError(_("Action inconnue."), "action")
    draft = current_draft(cohort.id)
    if action == "discard":
        if draft is None:
            raise EmployerError(_("Il n'y a pas de brouillon à abandonner."))
        record(
            "course_plan.discard", draft, actor=actor, before=_plan_summary(draft, _items_of(draft))
        )
        db.session.delete(draft)
        db.session.flush()
        return None
    source = draft or latest_published(cohort.id)
    if source is None:
        raise EmployerError(_("Proposez d'abord un plan pour ce groupe."))
    items = _items_of(source)
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or unit.course_id != course.id or not unit.active:
        raise EmployerError(_("Choisissez une unité du cours."), "unit_id")
    current = next((i for i in items if i.unit_id == unit.id), None)
    if action in ("move", "add") and (week is None or not 1 <= week <= course.weeks):
        raise EmployerError(_("Choisissez une semaine de 1 à %(max)s.", max=course.weeks), "week")
    if action == "add":
        if current is not None:
            raise EmployerError(_("Cette unité est déjà dans le plan."), "unit_id")
        items.append(planner.PlannedItem(unit.id, week, unit.hours, 99, {"kind": "added"}))  # type: ignore[arg-type]
        before = None
    else:
        if current is None:
            raise EmployerError(_("Cette unité n'est pas dans le plan."), "unit_id")
        before = {"unit": unit.key, "week": current.week}
        if action == "move":
            current.week = week  # type: ignore[assignment]
            current.position = 99
        else:
            items.remove(current)
    _check_items(items, course)

    if draft is None:
        draft = CoursePlan(
            cohort_id=cohort.id,
            version=source.version + 1,
            status=PlanStatus.DRAFT,
            sector=source.sector,
            created_by_id=actor.id,
            note="",
        )
        db.session.add(draft)
        db.session.flush()
        record(
            "course_plan.draft",
            draft,
            actor=actor,
            after={
                "cohort_id": cohort.id,
                "version": draft.version,
                "from_version": source.version,
            },
        )
    ordered = _order(items)
    _write_items(draft, ordered)
    record(
        f"course_plan.{action}",
        draft,
        actor=actor,
        before=before,
        after=None if action == "remove" else {"unit": unit.key, "week": week},
    )
    return draft


def _order(items: list[planner.PlannedItem]) -> list[planner.PlannedItem]:
    """Keep the staff's order within a week; edited items go last in their week."""
    ordered = sorted(items, key=lambda i: (i.week, i.position))
    seen: dict[int, int] = {}
    for item in ordered:
        item.position = seen.get(item.week, 0)
        seen[item.week] = item.position + 1
    return ordered


def publish_plan(
    cohort: Cohort, course: Course, actor: User, *, version: int, note: str = ""
) -> CoursePlan:
    """Publish the current draft, which must be ``version`` (the one the user saw).

    :raises EmployerError: (409) the draft changed or was already published; (422) the plan is
        empty or breaks the hours.
    """
    draft = current_draft(cohort.id)
    if draft is None or draft.version != version:
        raise EmployerError(
            _(
                "Ce brouillon a déjà été publié ou remplacé par quelqu'un d'autre. "
                "Rechargez la page pour voir la dernière version."
            ),
            status=409,
        )
    items = _items_of(draft)
    if not items:
        raise EmployerError(_("Le plan est vide : ajoutez des unités avant de le publier."))
    _check_items(items, course)
    previous = latest_published(cohort.id)
    before = _plan_summary(previous, _items_of(previous)) if previous else None
    draft.status = PlanStatus.PUBLISHED
    draft.published_at = clock.utcnow()
    draft.note = note.strip()
    db.session.flush()
    record(
        "course_plan.publish",
        draft,
        actor=actor,
        before=before,
        after={**_plan_summary(draft, items), "cohort_id": cohort.id, "note": draft.note},
    )
    return draft


# --- workplace-task assessments ----------------------------------------------------------------


def record_task_assessments(
    cohort: Cohort,
    actor: User,
    *,
    student_id: int,
    kind: str,
    assessed_on: date | None,
    scores: dict[str, int | None],
    allowed_tasks: Sequence[str],
    evidence: str = "",
) -> list[TaskAssessment]:
    """Record a student's placement or final assessment on some workplace tasks (1 to 4).

    :param scores: task key → score, ``None`` for a task not assessed this time.
    :param allowed_tasks: the tasks that may be assessed for this cohort (its profile's).
    :raises EmployerError: student not in the cohort, unknown kind or task, score out of
        range, no score at all, date missing or in the future.
    """
    enrolled = db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.cohort_id == cohort.id, Enrolment.student_id == student_id
        )
    )
    if enrolled is None:
        raise EmployerError(_("Choisissez un·e élève du groupe."), "student_id")
    if kind not in tuple(TaskKind):
        raise EmployerError(_("Type d'évaluation inconnu."), "kind")
    if assessed_on is None:
        raise EmployerError(_("Indiquez la date de l'évaluation."), "assessed_on")
    if assessed_on > clock.today():
        raise EmployerError(
            _("La date de l'évaluation ne peut pas être dans le futur."), "assessed_on"
        )
    given = {task: score for task, score in scores.items() if score is not None}
    if any(task not in allowed_tasks for task in given):
        raise EmployerError(_("Tâche inconnue pour ce groupe."), "scores")
    if any(score not in TASK_SCORES for score in given.values()):
        raise EmployerError(_("Chaque cote est un nombre de 1 à 4."), "scores")
    if not given:
        raise EmployerError(_("Donnez une cote à au moins une tâche."), "scores")
    created = []
    for task in allowed_tasks:
        if task not in given:
            continue
        assessment = TaskAssessment(
            student_id=student_id,
            cohort_id=cohort.id,
            task_key=task,
            kind=kind,
            score=given[task],
            assessed_on=assessed_on,
            assessor_id=actor.id,
            evidence=evidence.strip(),
        )
        db.session.add(assessment)
        created.append(assessment)
    db.session.flush()
    for assessment in created:
        record(
            "task_assessment.create",
            assessment,
            actor=actor,
            after={
                "student_id": student_id,
                "cohort_id": cohort.id,
                "task": assessment.task_key,
                "kind": kind,
                "score": assessment.score,
                "assessed_on": assessed_on.isoformat(),
            },
        )
    return created
