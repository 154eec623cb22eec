"""Catalogue verbs: enrolment and the CSV import of students. Flush, never commit."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, false, func, or_, select

from lms.access import can_access_cohort, visible_cohort_ids
from lms.audit.services import record
from lms.auth.models import Role, User, normalize_email
from lms.auth.services import create_user, temporary_passwords
from lms.catalog.models import Cohort, Enrolment
from lms.catalog.vocab import CohortStatus, EnrolmentStatus
from lms.errors import ServiceError
from lms.extensions import db

MAX_IMPORT_ROWS = 500
MAX_IMPORT_BYTES = 512 * 1024

# Column names accepted in the header (French first, English accepted).
HEADER_ALIASES = {
    "courriel": "email",
    "email": "email",
    "e-mail": "email",
    "nom": "name",
    "name": "name",
    "nom complet": "name",
    "date_debut": "start_on",
    "date de début": "start_on",
    "date de debut": "start_on",
    "start_date": "start_on",
    "langue": "language",
    "language": "language",
}


def enrol(student: User, cohort: Cohort, start_on: date, *, actor: User | None = None) -> Enrolment:
    """Enrol ``student`` in ``cohort`` from ``start_on`` (continuous intake)."""
    enrolment = Enrolment(student_id=student.id, cohort_id=cohort.id, start_on=start_on)
    db.session.add(enrolment)
    db.session.flush()
    record(
        "enrolment.create",
        enrolment,
        actor=actor,
        after={"student_id": student.id, "cohort_id": cohort.id, "start_on": str(start_on)},
    )
    return enrolment


# --- enrolling one student, transferring ------------------------------------------------------
#
# A cohort takes new students while it is planned or ongoing, on a day within its dates. An
# enrolment without an end runs until its cohort ends: two enrolments of a student "overlap"
# when their periods (end: the enrolment's end_on, else its cohort's end_on) share a day.
# A student is in one cohort at a time, so an overlap is refused (cancelled cohorts aside).

OPEN_STATUSES = (CohortStatus.PLANNED.value, CohortStatus.ONGOING.value)


def cohort_status_label(status: str) -> str:
    return {
        CohortStatus.PLANNED: _("prévu"),
        CohortStatus.ONGOING: _("en cours"),
        CohortStatus.FINISHED: _("terminé"),
        CohortStatus.CANCELLED: _("annulé"),
    }.get(status, status)


def _check_cohort_takes(cohort: Cohort, start_on: date, field: str) -> None:
    """:raises ServiceError: a finished or cancelled cohort; a day outside its dates."""
    if cohort.status not in OPEN_STATUSES:
        raise ServiceError(
            _(
                "Le groupe %(code)s est %(status)s : il ne reçoit plus d'inscriptions.",
                code=cohort.code,
                status=cohort_status_label(cohort.status),
            )
        )
    if not cohort.start_on <= start_on <= cohort.end_on:
        raise ServiceError(
            _(
                "La date %(day)s est hors des dates du groupe %(code)s (%(start)s au %(end)s).",
                day=start_on.isoformat(),
                code=cohort.code,
                start=cohort.start_on.isoformat(),
                end=cohort.end_on.isoformat(),
            ),
            field,
        )


def _check_seat(cohort: Cohort, start_on: date) -> None:
    """:raises ServiceError: every seat of ``cohort`` is taken on or after ``start_on``."""
    taken = (
        db.session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.cohort_id == cohort.id, Enrolment.active_between(start_on)
            )
        )
        or 0
    )
    if taken >= cohort.capacity:
        raise ServiceError(
            _(
                "Le groupe %(code)s est complet : %(taken)s élèves inscrits pour "
                "%(capacity)s places.",
                code=cohort.code,
                taken=taken,
                capacity=cohort.capacity,
            ),
            status=409,
        )


def overlapping_enrolment(
    student_id: int, first: date, last: date, *, except_id: int | None = None
) -> tuple[Enrolment, Cohort] | None:
    """The student's enrolment (and its cohort) that runs on a day from ``first`` to ``last``,
    if any: an open enrolment runs until its cohort ends; enrolments in cancelled cohorts
    do not count."""
    ends = func.coalesce(Enrolment.end_on, Cohort.end_on)
    query = (
        select(Enrolment, Cohort)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(
            Enrolment.student_id == student_id,
            Enrolment.start_on <= last,
            ends >= first,
            Cohort.status != CohortStatus.CANCELLED.value,
        )
        .order_by(Enrolment.start_on, Enrolment.id)
        .limit(1)
    )
    if except_id is not None:
        query = query.where(Enrolment.id != except_id)
    row = db.session.execute(query).first()
    return None if row is None else (row[0], row[1])


def _check_free(student: User, cohort: Cohort, start_on: date, except_id: int | None) -> None:
    """:raises ServiceError: the student is already enrolled on one of these days."""
    found = overlapping_enrolment(student.id, start_on, cohort.end_on, except_id=except_id)
    if found is None:
        return
    _enrolment, other = found
    if other.id == cohort.id:
        raise ServiceError(
            _("%(name)s est déjà inscrit·e dans ce groupe.", name=student.name), status=409
        )
    raise ServiceError(
        _(
            "%(name)s est déjà inscrit·e dans le groupe %(code)s (%(start)s au %(end)s) : "
            "transférez l'élève plutôt que de l'inscrire une deuxième fois.",
            name=student.name,
            code=other.code,
            start=other.start_on.isoformat(),
            end=other.end_on.isoformat(),
        ),
        status=409,
    )


def _check_scope(student: User, cohort: Cohort, actor: User | None) -> None:
    """:raises ServiceError: (404) not a student, or a student outside ``actor``'s scope, or a
    cohort that ``actor`` may not manage. The message says no more than "not found"."""
    if (
        student.role != Role.STUDENT
        or (actor is not None and not can_access_cohort(actor, cohort, "manage"))
        or _students_outside_scope([student.id], cohort, actor)
    ):
        raise ServiceError(_("Élève introuvable."), status=404)


def enrol_student(cohort: Cohort, student: User, start_on: date, *, actor: User) -> Enrolment:
    """Enrol an existing student in ``cohort`` from ``start_on`` (flushed, audited).

    Lock the cohort row first (``get_or_404(..., lock=True)``) so that two requests do not take
    the last seat together.

    :raises ServiceError: (404) a student or a cohort outside the actor's scope (an account that
        is not a student's, a student enrolled only in other regions); (422) a finished or
        cancelled cohort, a date outside the cohort; (409) the student already enrolled in this
        cohort or in another one on these days (the message names it), a full cohort (the
        message gives the count).
    """
    _check_scope(student, cohort, actor)
    _check_cohort_takes(cohort, start_on, "start_on")
    _check_free(student, cohort, start_on, None)
    _check_seat(cohort, start_on)
    return enrol(student, cohort, start_on, actor=actor)


# Why a student changes cohort (code → French label); the free text completes it.
TRANSFER_REASONS: dict[str, str] = {
    "niveau": _l("Niveau mieux adapté"),
    "horaire": _l("Horaire"),
    "site": _l("Changement de site"),
    "emploi": _l("Emploi"),
    "autre": _l("Autre raison"),
}


def transfer_student(
    enrolment: Enrolment,
    target: Cohort,
    effective_on: date,
    *,
    reason: str,
    comment: str = "",
    actor: User,
) -> Enrolment:
    """Move a student from the cohort of ``enrolment`` to ``target`` on ``effective_on``.

    ``effective_on`` is the student's first day in ``target``: the current enrolment ends
    ``transferred`` the day before (its ``end_on`` is the last day included, see
    :meth:`Enrolment.active_on`), so that no day counts in both cohorts. Attendance and work
    stay with the cohort where they happened. Lock both cohorts' rows first.

    :returns: the new enrolment.
    :raises ServiceError: an ended enrolment, an unknown reason, the same cohort, an effective
        date not after the start of the current enrolment or after its end, plus every refusal
        of :func:`enrol_student` for ``target``.
    """
    student = db.session.get(User, enrolment.student_id)
    source = db.session.get(Cohort, enrolment.cohort_id)
    assert student is not None and source is not None
    if reason not in TRANSFER_REASONS:
        raise ServiceError(_("Raison inconnue."), "reason")
    if enrolment.status != EnrolmentStatus.ACTIVE.value:
        raise ServiceError(
            _("Cette inscription est déjà terminée : elle ne peut pas être transférée.")
        )
    if target.id == source.id:
        raise ServiceError(_("Choisissez un autre groupe que le groupe actuel."), "cohort_id")
    _check_scope(student, target, actor)
    if effective_on <= enrolment.start_on:
        raise ServiceError(
            _(
                "Le transfert doit prendre effet après le début de l'inscription actuelle "
                "(%(day)s).",
                day=enrolment.start_on.isoformat(),
            ),
            "effective_on",
        )
    _check_cohort_takes(target, effective_on, "effective_on")
    last_day = enrolment.end_on or source.end_on
    if effective_on > last_day + timedelta(days=1):
        raise ServiceError(
            _(
                "L'inscription actuelle se termine le %(day)s : le transfert ne peut pas "
                "prendre effet après.",
                day=last_day.isoformat(),
            ),
            "effective_on",
        )
    _check_free(student, target, effective_on, enrolment.id)
    _check_seat(target, effective_on)
    before = {
        "status": enrolment.status,
        "end_on": enrolment.end_on.isoformat() if enrolment.end_on else None,
    }
    comment = comment.strip()
    enrolment.status = EnrolmentStatus.TRANSFERRED.value
    enrolment.end_on = effective_on - timedelta(days=1)
    enrolment.withdrawal_reason = (f"{reason}: {comment}" if comment else reason)[:200]
    db.session.flush()
    created = enrol(student, target, effective_on, actor=actor)
    record(
        "enrolment.transfer",
        enrolment,
        actor=actor,
        before=before,
        after={
            "status": enrolment.status,
            "end_on": enrolment.end_on.isoformat(),
            "to_enrolment_id": created.id,
            "to_cohort_id": target.id,
            "effective_on": effective_on.isoformat(),
            "reason": reason,
            "comment": comment,
        },
    )
    return created


def decode_csv(raw: bytes) -> str:
    """CSV files from Excel in Quebec are often Windows-1252; accept UTF-8 first."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    start_on: date | None
    language: str
    errors: list[str] = field(default_factory=list)
    existing_user_id: int | None = None
    refused: bool = False  # the e-mail cannot be imported here (the preview says no more)


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    errors: list[str]  # errors about the whole file

    @property
    def ok(self) -> bool:
        return not self.errors and all(not r.errors for r in self.rows)

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]


def parse_student_csv(
    text: str, cohort: Cohort, *, today: date, actor: User | None = None
) -> ImportPreview:
    """Validate a CSV of students for ``cohort``; nothing is written.

    Columns: ``courriel``, ``nom``, optional ``date_debut`` (AAAA-MM-JJ, default: the later of
    the cohort's start and today) and ``langue`` (fr/en). Separator ``,`` or ``;``.
    Every bad row is reported with its line number and all its problems.

    An existing account is taken only if it is a student's in ``actor``'s scope: never enrolled
    anywhere yet, or enrolled (now or before) in a cohort that the actor sees, or in this
    cohort. Admins take any student (they move students across regions). Every other existing
    e-mail (another region's student, a staff account) gets one generic error that tells
    neither the account's role nor its region.

    :param actor: who imports; ``None`` (scripts, tests) takes only students never enrolled or
        enrolled in ``cohort``.
    """
    if not text.strip():
        return ImportPreview([], [_("Le fichier est vide.")])
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (csv.Error, StopIteration):
        return ImportPreview([], [_("Le fichier n'est pas un CSV lisible.")])
    columns = [HEADER_ALIASES.get(h.strip().lower()) for h in header]
    missing = [
        label for key, label in (("email", _("courriel")), ("name", _("nom"))) if key not in columns
    ]
    if missing:
        return ImportPreview(
            [],
            [
                _(
                    "Colonnes obligatoires absentes de la première ligne : %(cols)s. "
                    "Colonnes attendues : courriel, nom, date_debut (facultative), "
                    "langue (facultative).",
                    cols=", ".join(missing),
                )
            ],
        )

    default_start = max(cohort.start_on, today)
    rows: list[ImportRow] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            data = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
            row = ImportRow(
                line=line,
                email=normalize_email(data.get("email", "")),
                name=data.get("name", ""),
                start_on=default_start,
                language=(data.get("language") or "fr").lower(),
            )
            if len(values) != len(header):
                row.errors.append(
                    _(
                        "%(n)s valeurs au lieu de %(expected)s.",
                        n=len(values),
                        expected=len(header),
                    )
                )
            if not row.email:
                row.errors.append(_("Le courriel est manquant."))
            else:
                try:
                    validate_email(row.email, check_deliverability=False)
                except EmailNotValidError:
                    row.errors.append(
                        _("Le courriel « %(email)s » n'est pas valide.", email=row.email)
                    )
            if not row.name:
                row.errors.append(_("Le nom est manquant."))
            elif len(row.name) > 200:
                row.errors.append(_("Le nom dépasse 200 caractères."))
            if row.language not in ("fr", "en"):
                row.errors.append(
                    _("La langue « %(lang)s » est inconnue (fr ou en).", lang=row.language)
                )
            raw_date = data.get("start_on", "")
            if raw_date:
                try:
                    row.start_on = date.fromisoformat(raw_date)
                except ValueError:
                    row.start_on = None
                    row.errors.append(
                        _(
                            "La date de début « %(value)s » n'est pas au format AAAA-MM-JJ.",
                            value=raw_date,
                        )
                    )
            if row.start_on and not (cohort.start_on <= row.start_on <= cohort.end_on):
                row.errors.append(
                    _(
                        "La date de début %(day)s est hors des dates du groupe "
                        "(%(start)s au %(end)s).",
                        day=row.start_on.isoformat(),
                        start=cohort.start_on.isoformat(),
                        end=cohort.end_on.isoformat(),
                    )
                )
            rows.append(row)
            if len(rows) > MAX_IMPORT_ROWS:
                return ImportPreview(
                    [],
                    [_("Le fichier compte plus de %(n)s élèves.", n=MAX_IMPORT_ROWS)],
                )
    except csv.Error as exc:
        return ImportPreview(
            rows, [_("Ligne %(line)s : CSV illisible (%(err)s).", line=reader.line_num, err=exc)]
        )
    if not rows:
        return ImportPreview([], [_("Le fichier ne contient aucun élève.")])

    # Duplicates within the file.
    seen: dict[str, int] = {}
    for row in rows:
        if row.email and row.email in seen:
            row.errors.append(
                _("Le courriel est déjà à la ligne %(line)s du fichier.", line=seen[row.email])
            )
        elif row.email:
            seen[row.email] = row.line

    # Existing accounts and enrolments: two queries for the whole file.
    emails = [r.email for r in rows if r.email]
    users = (
        {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
        if emails
        else {}
    )
    enrolled = set(
        db.session.scalars(
            select(Enrolment.student_id).where(
                Enrolment.cohort_id == cohort.id, Enrolment.active_between(today)
            )
        )
    )
    outside = _students_outside_scope(
        [u.id for u in users.values() if u.role == Role.STUDENT], cohort, actor
    )
    for row in rows:
        user = users.get(row.email)
        if user is None:
            continue
        if user.role != Role.STUDENT or user.id in outside:
            row.refused = True
            row.errors.append(refused_email_message())
            continue
        row.existing_user_id = user.id
        if user.id in enrolled:
            row.errors.append(_("Cette personne est déjà inscrite dans ce groupe."))

    seats = cohort.capacity - len(enrolled)
    newcomers = [r for r in rows if not r.errors]
    if len(newcomers) > seats:
        for row in newcomers[max(seats, 0) :]:
            row.errors.append(
                _(
                    "Le groupe est complet : %(capacity)s places, %(taken)s déjà prises.",
                    capacity=cohort.capacity,
                    taken=len(enrolled),
                )
            )
    return ImportPreview(rows, [])


def refused_email_message() -> str:
    """The one answer for an e-mail whose account may not be taken (a staff account, a student
    of another region): it tells nothing about the account (the import, the intake queue)."""
    return _(
        "Ce courriel ne peut pas être importé dans ce groupe. Vérifiez l'adresse "
        "ou communiquez avec l'administration."
    )


def _students_outside_scope(
    student_ids: list[int], cohort: Cohort | None, actor: User | None
) -> set[int]:
    """Those of these students whom ``actor`` may not enrol in ``cohort`` (``None``: in any
    cohort yet, e.g. the intake queue): students with enrolments, none of them in a cohort of
    the actor's scope or in ``cohort`` (one query). Admins may enrol any student."""
    if not student_ids or (actor is not None and actor.role == Role.ADMIN):
        return set()
    in_scope = Enrolment.cohort_id == cohort.id if cohort is not None else false()
    if actor is not None:
        in_scope = or_(in_scope, Enrolment.cohort_id.in_(visible_cohort_ids(actor)))
    rows = db.session.execute(
        select(Enrolment.student_id, func.max(case((in_scope, 1), else_=0)))
        .where(Enrolment.student_id.in_(student_ids))
        .group_by(Enrolment.student_id)
    )
    return {student_id for student_id, seen in rows if not seen}


@dataclass
class ImportResult:
    enrolled: int
    created: list[tuple[str, str, str]]  # (name, email, temporary password)


def accounts_to_create(preview: ImportPreview) -> int:
    """How many accounts a valid import creates (its rows without an existing account)."""
    return sum(1 for row in preview.rows if not row.existing_user_id) if preview.ok else 0


def import_students(
    preview: ImportPreview,
    cohort: Cohort,
    *,
    actor: User | None = None,
    passwords: list[tuple[str, str]] | None = None,
) -> ImportResult:
    """Write a validated import: all rows or none.

    :param passwords: temporary passwords hashed beforehand (:func:`temporary_passwords`), one
        per account to create; missing ones are made here (slowly, inside the transaction).
    :raises ValueError: the preview has errors (nothing is written).
    """
    if not preview.ok:
        raise ValueError("import has errors")
    ready = list(passwords or ())
    created: list[tuple[str, str, str]] = []
    existing = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(
                User.id.in_([r.existing_user_id for r in preview.rows if r.existing_user_id])
            )
        )
    }
    for row in preview.rows:
        if row.existing_user_id:
            student = existing[row.existing_user_id]
        else:
            temporary, password_hash = ready.pop() if ready else temporary_passwords(1)[0]
            student = create_user(
                email=row.email,
                name=row.name,
                role=Role.STUDENT.value,
                password_hash=password_hash,
                preferred_language=row.language,
                actor=actor,
                temporary=True,
            )
            created.append((row.name, row.email, temporary))
        assert row.start_on is not None
        enrol(student, cohort, row.start_on, actor=actor)
    record(
        "cohort.import_students",
        cohort,
        actor=actor,
        after={"rows": len(preview.rows), "accounts_created": len(created)},
    )
    return ImportResult(enrolled=len(preview.rows), created=created)


def count_active(cohort_id: int, today: date) -> int:
    return (
        db.session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.cohort_id == cohort_id, Enrolment.active_between(today)
            )
        )
        or 0
    )


# --- the import page ---------------------------------------------------------------------------


class ImportRefused(ServiceError):
    """The file has errors: nothing is imported; ``preview`` tells which."""

    def __init__(self, preview: ImportPreview):
        super().__init__(_("Le fichier contient des erreurs : aucun·e élève n'a été inscrit·e."))
        self.preview = preview


def read_csv_upload(stream: IO[bytes]) -> str:
    """The text of an uploaded CSV file (read up to :data:`MAX_IMPORT_BYTES`).

    :raises ServiceError: (field ``file``) a file over 512 KB, or not text.
    """
    raw = stream.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise ServiceError(_("Le fichier dépasse 512 Ko."), "file")
    try:
        return decode_csv(raw)
    except UnicodeDecodeError:
        raise ServiceError(_("Le fichier n'est pas un fichier texte CSV."), "file") from None


def import_students_csv(
    text: str,
    cohort: Cohort,
    *,
    today: date,
    actor: User | None = None,
    passwords: list[tuple[str, str]] | None = None,
) -> ImportResult:
    """Import a CSV of students whose preview was confirmed: it is validated again (the cohort
    may have changed since), then written, all rows or none.

    :param passwords: see :func:`import_students` (the page hashes them before the transaction).
    :raises ImportRefused: the file has errors now.
    """
    preview = parse_student_csv(text, cohort, today=today, actor=actor)
    if not preview.ok:
        raise ImportRefused(preview)
    return import_students(preview, cohort, actor=actor, passwords=passwords)
