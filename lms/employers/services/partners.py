"""Partner employers and their employees' consent to the employer report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms import clock
from lms.access import visible_student_ids
from lms.audit.services import record
from lms.auth.models import Role, User, normalize_email
from lms.employers.models import Employer, EmployerEmployee
from lms.employers.neq import neq_message, normalize_neq
from lms.employers.policies import student_in_scope
from lms.employers.vocab import Sector
from lms.errors import ServiceError
from lms.extensions import db


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
    """Validate ``data``; return the normalized NEQ. :raises ServiceError: on the field."""
    if not data.name.strip():
        raise ServiceError(_("Le nom de l'entreprise est obligatoire."), "name")
    message = neq_message(data.neq)
    if message:
        raise ServiceError(message, "neq")
    neq = normalize_neq(data.neq)
    taken = db.session.scalar(
        select(Employer.id).where(Employer.neq == neq, Employer.id != (employer_id or 0))
    )
    if taken is not None:
        raise ServiceError(
            _("Une entreprise partenaire porte déjà ce NEQ (%(neq)s).", neq=neq), "neq"
        )
    if data.sector not in tuple(Sector):
        raise ServiceError(_("Choisissez un secteur de la liste."), "sector")
    if data.region_id not in set(allowed_region_ids):
        raise ServiceError(_("Choisissez une de vos régions."), "region_id")
    if (
        data.agreement_start_on
        and data.agreement_end_on
        and data.agreement_end_on < data.agreement_start_on
    ):
        raise ServiceError(
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
    :raises ServiceError: bad or duplicate NEQ, unknown sector, region out of scope, dates.
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
    """Change an employer's details. :raises ServiceError: as :func:`create_employer`."""
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
        raise ServiceError(_("Indiquez la date du consentement."), "consent_on")
    if on > today:
        raise ServiceError(
            _("La date du consentement ne peut pas être dans le futur."), "consent_on"
        )
    return on


def _no_student(status: int | None = None) -> ServiceError:
    """The one answer for an unknown e-mail, a staff account and a student out of scope (so
    that the form tells nothing about accounts the actor may not see)."""
    return ServiceError(
        _("Aucun compte élève de vos groupes ne correspond à ce courriel."), "email", status=status
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

    :raises ServiceError: no student in scope with that e-mail (the same error whether the
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
        raise ServiceError(
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

    :raises ServiceError: the employee is not a student in ``actor``'s scope (status 404);
        the date is missing or in the future.
    """
    if not student_in_scope(actor, link.student_id):
        raise _no_student(status=404)
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
