"""Catalogue verbs: enrolment and the CSV import of students. Flush, never commit."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select

from lms.access import visible_cohort_ids
from lms.audit.services import record
from lms.auth.models import Role, User, normalize_email
from lms.auth.services import create_user, hash_password
from lms.catalog.models import Cohort, Enrolment
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
            row.errors.append(
                _(
                    "Ce courriel ne peut pas être importé dans ce groupe. Vérifiez l'adresse "
                    "ou communiquez avec l'administration."
                )
            )
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


def _students_outside_scope(student_ids: list[int], cohort: Cohort, actor: User | None) -> set[int]:
    """Those of these students whom ``actor`` may not enrol in ``cohort``: students with
    enrolments, none of them in a cohort of the actor's scope or in ``cohort`` (one query).
    Admins may enrol any student."""
    if not student_ids or (actor is not None and actor.role == Role.ADMIN):
        return set()
    in_scope = Enrolment.cohort_id == cohort.id
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


def import_students(
    preview: ImportPreview, cohort: Cohort, *, actor: User | None = None
) -> ImportResult:
    """Write a validated import: all rows or none.

    :raises ValueError: the preview has errors (nothing is written).
    """
    if not preview.ok:
        raise ValueError("import has errors")
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
            temporary = secrets.token_urlsafe(9)
            student = create_user(
                email=row.email,
                name=row.name,
                role=Role.STUDENT.value,
                password_hash=hash_password(temporary),
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
    text: str, cohort: Cohort, *, today: date, actor: User | None = None
) -> ImportResult:
    """Import a CSV of students whose preview was confirmed: it is validated again (the cohort
    may have changed since), then written, all rows or none.

    :raises ImportRefused: the file has errors now.
    """
    preview = parse_student_csv(text, cohort, today=today, actor=actor)
    if not preview.ok:
        raise ImportRefused(preview)
    return import_students(preview, cohort, actor=actor)
