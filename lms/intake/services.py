"""Intake verbs: record a candidate, enrol one or several. Flush, never commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from lms.audit.services import record
from lms.auth.models import Role, User, normalize_email
from lms.auth.services import create_user, temporary_passwords
from lms.catalog.models import Cohort, Enrolment, Site
from lms.catalog.services import _students_outside_scope, enrol_student, refused_email_message
from lms.errors import ServiceError
from lms.extensions import db
from lms.followup.models import LevelAssessment
from lms.followup.services.levels import record_assessments
from lms.followup.vocab import AssessmentKind
from lms.intake.models import Candidate, candidate_site
from lms.intake.policies import can_access_candidate, managed_region_ids
from lms.intake.vocab import CandidateStatus
from lms.learning.vocab import SKILLS


@dataclass
class NewCandidate:
    candidate: Candidate
    temporary_password: str | None  # set when an account was created


def candidate_snapshot(candidate: Candidate, site_ids: Sequence[int]) -> dict:
    return {
        "student_id": candidate.student_id,
        "region_id": candidate.region_id,
        "available_on": candidate.available_on.isoformat(),
        "status": candidate.status,
        "site_ids": sorted(site_ids),
        "enrolment_id": candidate.enrolment_id,
    }


def _check_levels(levels: Mapping[str, int | None]) -> list[tuple[str, int, str]]:
    rows = []
    for skill in SKILLS:
        level = levels.get(skill)
        if level is None:
            raise ServiceError(_("Indiquez le niveau de chaque compétence."), f"level_{skill}")
        if not isinstance(level, int) or not 1 <= level <= 12:
            raise ServiceError(_("Le niveau doit être un nombre de 1 à 12."), f"level_{skill}")
        rows.append((skill.value, level, _("Classement à l'accueil")))
    return rows


def record_candidate(
    *,
    actor: User,
    region_id: int,
    email: str,
    name: str,
    preferred_language: str,
    phone: str,
    levels: Mapping[str, int | None],
    site_ids: Sequence[int],
    available_on: date,
    today: date,
    temporary_password: tuple[str, str] | None = None,
) -> NewCandidate:
    """Put a person on the region's waiting list, with their placement levels (one placement
    assessment per skill, without a cohort until the enrolment).

    An existing account is taken when it is a student's that ``actor`` may enrol (never enrolled,
    or enrolled in the actor's scope); otherwise a student account is created with a temporary
    password (``name`` is then required).

    :param temporary_password: (password, hash) from :func:`temporary_passwords`, computed
        before the transaction, for the account to create (made here, slowly, when missing).
    :raises ServiceError: a region the actor does not manage, no site or a site outside the
        region, a level off the 1..12 scale, the e-mail of a staff account or of another
        region's student (the import's generic message), a student already waiting.
    """
    rows = _check_levels(levels)
    managed = set(db.session.scalars(managed_region_ids(actor)))
    if region_id not in managed:
        raise ServiceError(_("Choisissez une région que vous coordonnez."), "region_id")
    if not site_ids:
        raise ServiceError(_("Choisissez au moins un site."), "site_ids")
    sites = set(
        db.session.scalars(
            select(Site.id).where(Site.id.in_(site_ids), Site.region_id == region_id)
        )
    )
    if sites != set(site_ids):
        raise ServiceError(_("Choisissez des sites de la région du candidat."), "site_ids")

    email = normalize_email(email)
    student = db.session.scalar(select(User).where(User.email == email))
    temporary = None
    if student is not None:
        if student.role != Role.STUDENT or _students_outside_scope([student.id], None, actor):
            raise ServiceError(refused_email_message(), "email")
        waiting = db.session.scalar(
            select(Candidate.id).where(
                Candidate.student_id == student.id,
                Candidate.status == CandidateStatus.WAITING.value,
            )
        )
        if waiting is not None:
            raise ServiceError(
                _("Cette personne est déjà dans la liste d'attente."), "email", status=409
            )
    else:
        if not name.strip():
            raise ServiceError(_("Indiquez le nom de la personne."), "name")
        temporary, password_hash = temporary_password or temporary_passwords(1)[0]
        student = create_user(
            email=email,
            name=name,
            role=Role.STUDENT.value,
            password_hash=password_hash,
            preferred_language=preferred_language,
            actor=actor,
            temporary=True,
        )
        if phone.strip():
            student.phone = phone.strip()[:30]

    candidate = Candidate(
        student_id=student.id,
        region_id=region_id,
        available_on=available_on,
        status=CandidateStatus.WAITING.value,
        created_by_id=actor.id,
    )
    db.session.add(candidate)
    db.session.flush()
    db.session.execute(
        insert(candidate_site), [{"candidate_id": candidate.id, "site_id": s} for s in sites]
    )
    record_assessments(
        student.id,
        None,
        actor,
        kind=AssessmentKind.PLACEMENT.value,
        assessed_on=today,
        rows=rows,
        today=today,
    )
    record("candidate.create", candidate, actor=actor, after=candidate_snapshot(candidate, sites))
    return NewCandidate(candidate, temporary)


def enrol_candidate(candidate: Candidate, cohort: Cohort, *, actor: User, today: date) -> Enrolment:
    """Enrol a waiting candidate in ``cohort`` from the first day they can come (their available
    date, the cohort's start or today, whichever is latest: joining an ongoing cohort is normal),
    and attach their placement assessments to the cohort.

    :raises ServiceError: the candidate is no longer waiting, a cohort outside the candidate's
        region, and every refusal of :func:`lms.catalog.services.enrol_student` (full cohort,
        finished or cancelled cohort, a date outside the cohort, already enrolled elsewhere).
    """
    if candidate.status != CandidateStatus.WAITING.value or not can_access_candidate(
        actor, candidate, "manage"
    ):
        raise ServiceError(_("Cette personne n'est plus dans la liste d'attente."), status=409)
    region_id = db.session.scalar(select(Site.region_id).where(Site.id == cohort.site_id))
    if region_id != candidate.region_id:
        raise ServiceError(_("Ce groupe n'est pas dans la région de la personne."), "cohort_id")
    student = db.session.get(User, candidate.student_id)
    assert student is not None
    start_on = max(candidate.available_on, cohort.start_on, today)
    enrolment = enrol_student(cohort, student, start_on, actor=actor)
    site_ids = list(
        db.session.scalars(
            select(candidate_site.c.site_id).where(candidate_site.c.candidate_id == candidate.id)
        )
    )
    before = candidate_snapshot(candidate, site_ids)
    candidate.status = CandidateStatus.ENROLLED.value
    candidate.enrolment_id = enrolment.id
    db.session.execute(
        update(LevelAssessment)
        .where(
            LevelAssessment.student_id == student.id,
            LevelAssessment.kind == AssessmentKind.PLACEMENT.value,
            LevelAssessment.cohort_id.is_(None),
        )
        .values(cohort_id=cohort.id)
    )
    db.session.flush()
    record(
        "candidate.enrol",
        candidate,
        actor=actor,
        before=before,
        after={**candidate_snapshot(candidate, site_ids), "cohort_id": cohort.id},
    )
    return enrolment


def withdraw_candidate(candidate: Candidate, *, actor: User) -> None:
    """Take a waiting candidate off the queue (their account and placement levels stay).

    :raises ServiceError: the candidate is no longer waiting.
    """
    if candidate.status != CandidateStatus.WAITING.value:
        raise ServiceError(_("Cette personne n'est plus dans la liste d'attente."), status=409)
    site_ids = list(
        db.session.scalars(
            select(candidate_site.c.site_id).where(candidate_site.c.candidate_id == candidate.id)
        )
    )
    before = candidate_snapshot(candidate, site_ids)
    candidate.status = CandidateStatus.WITHDRAWN.value
    db.session.flush()
    record(
        "candidate.withdraw",
        candidate,
        actor=actor,
        before=before,
        after=candidate_snapshot(candidate, site_ids),
    )


class EnrolmentsRefused(ServiceError):
    """Several enrolments at once, refused: ``errors`` maps a candidate id to its message."""

    def __init__(self, errors: dict[int, str]):
        super().__init__(
            _("Aucune inscription n'a été faite : corrigez les lignes signalées."),
        )
        self.errors = errors


def enrol_candidates(
    choices: Sequence[tuple[Candidate, Cohort | None]], *, actor: User, today: date
) -> list[Enrolment]:
    """Enrol each candidate in the cohort chosen for them: all or none.

    :raises EnrolmentsRefused: one or more rows refused (each with its message); the caller
        rolls back, so nothing is written.
    """
    if not choices:
        raise ServiceError(_("Cochez au moins une personne à inscrire."))
    errors: dict[int, str] = {}
    done = []
    for candidate, cohort in choices:
        if cohort is None:
            errors[candidate.id] = _("Choisissez un groupe pour cette personne.")
            continue
        try:
            # Every refusal comes before any write of that row, so the others go on.
            done.append(enrol_candidate(candidate, cohort, actor=actor, today=today))
        except ServiceError as error:
            errors[candidate.id] = error.message
    if errors:
        raise EnrolmentsRefused(errors)
    return done
