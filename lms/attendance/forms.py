"""The attendance grid: one row per student (status, minutes, reason, comment) and the version
of the day it was read at. Validation of the shape only; the service checks the rest (minutes
within the day's schedule, a reason for a justified absence, the students enrolled that day).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp

from lms.attendance.services import Entry
from lms.attendance.vocab import REASON_LABELS, STATUS_LABELS, AttendanceStatus
from lms.formfields import choices

MAX_ROWS = 200


class RowForm(Form):
    """One student's row (no CSRF of its own: the grid's form carries it)."""

    student_id = HiddenField(
        validators=[InputRequired(), Regexp(r"^\d{1,10}$", message=_l("Élève inconnu·e."))]
    )
    status = SelectField(
        _l("Statut"),
        choices=choices(STATUS_LABELS),
        validate_choice=False,
        validators=[
            AnyOf(tuple(AttendanceStatus), message=_l("Choisissez un statut dans la liste."))
        ],
    )
    minutes = StringField(
        _l("Minutes"),
        validators=[
            Optional(),
            Regexp(r"^\s*\d{1,3}\s*$", message=_l("Inscrivez un nombre entier de minutes.")),
        ],
    )
    reason = SelectField(
        _l("Motif"),
        choices=[SelectChoice("", "—"), *choices(REASON_LABELS)],
        validate_choice=False,
        filters=[lambda value: value or ""],
        validators=[AnyOf(("", *REASON_LABELS), message=_l("Choisissez un motif dans la liste."))],
    )
    comment = StringField(
        _l("Commentaire"),
        validators=[Length(max=500, message=_l("Le commentaire dépasse 500 caractères."))],
    )

    def entry(self) -> Entry:
        raw = (self.minutes.data or "").strip()
        return Entry(
            student_id=int(self.student_id.data),
            status=self.status.data,
            minutes=int(raw) if raw else None,
            reason=self.reason.data or None,
            comment=(self.comment.data or "").strip(),
        )


class AttendanceForm(FlaskForm):
    version = HiddenField(
        validators=[InputRequired(), Regexp(r"^\d{1,9}$", message=_l("Version inconnue."))]
    )
    rows = FieldList(FormField(RowForm), max_entries=MAX_ROWS)
    submit = SubmitField(_l("Enregistrer les présences"))

    def entries(self) -> list[Entry]:
        return [row.form.entry() for row in self.rows]

    def row_errors(self) -> dict[int, list[str]]:
        """Field errors per student id (rows whose id is readable)."""
        errors: dict[int, list[str]] = {}
        for row in self.rows:
            messages = [m for f in row.form for m in f.errors if f.name != row.form.student_id.name]
            sid = row.form.student_id.data
            if messages and sid and sid.isdigit():
                errors[int(sid)] = messages
        return errors

    def general_errors(self) -> list[str]:
        """Errors that belong to no student's row: the version, a list that cannot be read."""
        general = [str(m) for m in self.version.errors]
        if self.rows.errors and not self.row_errors():
            general.append(_("La liste des élèves envoyée n'est pas valide."))
        return general


def grid_data(grid, version: int) -> dict:
    """The form's data for a grid read from the database (everyone present by default)."""
    rows = []
    for row in grid.rows:
        r = row.record
        rows.append(
            {
                "student_id": str(row.student_id),
                "status": r.status if r else "present",
                "minutes": str(r.minutes) if r and r.status in ("late", "left_early") else "",
                "reason": (r.reason or "") if r else "",
                "comment": (r.comment or "") if r else "",
            }
        )
    return {"version": str(version), "rows": rows}
