"""Follow-up forms (validation only); the vocabularies and their labels: lms.followup.vocab.

Business rules that need the database or the date (future dates, owners in scope, enrolment
dates) are checked by the services, which raise :class:`lms.errors.ServiceError` with the field
to attach the message to. The grids of the remedial and decisions pages have no WTForms field per
row: :func:`read_attendance` and :func:`read_decisions` read and check their posted values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from lms.followup.vocab import (
    DECISION_LABELS,
    KIND_LABELS,
    NOTE_TYPE_LABELS,
    REASON_LABELS,
    VISIBILITY_LABELS,
    WITHDRAWAL_REASONS,
    AssessmentKind,
    Decision,
    NoteReason,
    NoteType,
)
from lms.formfields import MultiCheckboxField
from lms.formfields import choices as _choices
from lms.learning.vocab import SKILLS

# --- level assessments -------------------------------------------------------------------------


def _level_on_scale(_form, field) -> None:
    value = (field.data or "").strip()
    if value and not (value.isdigit() and 1 <= int(value) <= 12):
        raise ValidationError(_l("Le niveau doit être un nombre de 1 à 12."))


class SkillRowForm(Form):
    """One skill of an assessment: an empty level means the skill was not assessed."""

    skill = StringField(
        widget=HiddenInput(),
        validators=[AnyOf(SKILLS, message=_l("Compétence inconnue."))],
    )
    level = SelectField(
        _l("Niveau"),
        choices=[SelectChoice("", "—")] + [SelectChoice(str(n), str(n)) for n in range(1, 13)],
        validate_choice=False,
        validators=[_level_on_scale],
    )
    evidence = TextAreaField(
        _l("Preuves"),
        validators=[Length(max=2000, message=_l("2 000 caractères au maximum."))],
        render_kw={"rows": 2},
    )


class AssessmentForm(FlaskForm):
    kind = SelectField(
        _l("Type d'évaluation"),
        choices=_choices(KIND_LABELS),
        validate_choice=False,
        validators=[AnyOf(tuple(AssessmentKind), message=_l("Type d'évaluation inconnu."))],
    )
    assessed_on = DateField(
        _l("Date de l'évaluation"),
        validators=[InputRequired(_l("Indiquez la date de l'évaluation."))],
    )
    rows = FieldList(FormField(SkillRowForm), min_entries=len(SKILLS), max_entries=len(SKILLS))
    submit = SubmitField(_l("Enregistrer les niveaux"))

    def prefill_skills(self) -> None:
        for row, skill in zip(self.rows, SKILLS, strict=False):
            if not row.form.skill.data:
                row.form.skill.data = skill

    def assessment_values(self) -> dict[str, Any]:
        """The assessment as :func:`lms.followup.services.levels.record_assessments` takes it."""
        return {
            "kind": self.kind.data,
            "assessed_on": self.assessed_on.data,
            "rows": self.filled_rows(),
        }

    def filled_rows(self) -> list[tuple[str, int, str]]:
        return [
            (row.form.skill.data, int(row.form.level.data), (row.form.evidence.data or "").strip())
            for row in self.rows
            if (row.form.level.data or "").strip()
        ]


# --- notes -------------------------------------------------------------------------------------


class NoteForm(FlaskForm):
    note_type = SelectField(
        _l("Type"),
        choices=_choices(NOTE_TYPE_LABELS),
        validate_choice=False,
        validators=[AnyOf(tuple(NoteType), message=_l("Type de note inconnu."))],
    )
    reason = SelectField(
        _l("Motif"),
        choices=_choices(REASON_LABELS),
        validate_choice=False,
        validators=[AnyOf(tuple(NoteReason), message=_l("Motif inconnu."))],
    )
    held_on = DateField(
        _l("Date de l'échange"),
        validators=[InputRequired(_l("Indiquez la date de l'échange."))],
    )
    summary = TextAreaField(
        _l("Résumé"),
        validators=[
            DataRequired(_l("Résumez l'échange.")),
            Length(max=5000, message=_l("5 000 caractères au maximum.")),
        ],
        render_kw={"rows": 4},
    )
    action = TextAreaField(
        _l("Action à faire"),
        validators=[Length(max=2000, message=_l("2 000 caractères au maximum."))],
        render_kw={"rows": 2},
    )
    owner_id = SelectField(_l("Responsable de l'action"), validate_choice=False)
    due_on = DateField(_l("À faire d'ici le"), validators=[Optional()])
    visibility = RadioField(
        _l("Visibilité"),
        choices=_choices(VISIBILITY_LABELS),
        default="team",
        validate_choice=False,
        validators=[AnyOf(tuple(VISIBILITY_LABELS), message=_l("Visibilité inconnue."))],
    )
    submit = SubmitField(_l("Enregistrer la note"))

    def set_owners(self, owners: list[tuple[int, str, str]]) -> None:
        role_labels = {"teacher": _l("enseignant·e"), "coordinator": _l("conseiller·ère")}
        self.owner_id.choices = [SelectChoice("", _l("— Aucun·e —"))] + [
            SelectChoice(str(uid), f"{name} ({role_labels.get(role, role)})")
            for uid, name, role in owners
        ]

    def owner_value(self) -> int | None:
        raw = (self.owner_id.data or "").strip()
        return int(raw) if raw.isdigit() else (None if not raw else -1)

    def note_values(self) -> dict[str, Any]:
        """The note's fields as the services take them."""
        return {
            "note_type": self.note_type.data,
            "reason": self.reason.data,
            "held_on": self.held_on.data,
            "summary": self.summary.data or "",
            "action": self.action.data or "",
            "owner_id": self.owner_value(),
            "due_on": self.due_on.data,
            "visibility": self.visibility.data,
        }


class NoteEditForm(NoteForm):
    outcome = TextAreaField(
        _l("Résultat"),
        validators=[Length(max=5000, message=_l("5 000 caractères au maximum."))],
        render_kw={"rows": 3},
    )
    done_on = DateField(_l("Fait le"), validators=[Optional()])

    @classmethod
    def of(cls, note: Any) -> NoteEditForm:
        """The form showing ``note`` as it stands."""
        return cls(
            data={
                "note_type": note.note_type,
                "reason": note.reason,
                "held_on": note.held_on,
                "summary": note.summary,
                "action": note.action,
                "owner_id": str(note.owner_id or ""),
                "due_on": note.due_on,
                "visibility": note.visibility,
                "outcome": note.outcome,
                "done_on": note.done_on,
            }
        )

    def note_values(self) -> dict[str, Any]:
        return super().note_values() | {
            "outcome": self.outcome.data or "",
            "done_on": self.done_on.data,
        }


# --- remedial sessions -------------------------------------------------------------------------


class RemedialForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Indiquez la date de la séance."))])
    start = TimeField(
        _l("Heure de début"), validators=[InputRequired(_l("Indiquez l'heure de début."))]
    )
    duration_minutes = IntegerField(
        _l("Durée (minutes)"),
        default=60,
        validators=[
            InputRequired(_l("Indiquez la durée.")),
            NumberRange(15, 480, message=_l("La durée doit être de 15 à 480 minutes.")),
        ],
    )
    topic = StringField(
        _l("Sujet"),
        validators=[
            DataRequired(_l("Indiquez le sujet de la séance.")),
            Length(max=300, message=_l("300 caractères au maximum.")),
        ],
    )
    student_ids = MultiCheckboxField(_l("Élèves invité·es"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Planifier la séance"))


class RemedialRecordForm(FlaskForm):
    """The outcome of a session; each invite's attendance is read as ``attended-<student id>``."""

    outcome = TextAreaField(
        _l("Bilan de la séance"),
        validators=[Length(max=5000, message=_l("5 000 caractères au maximum."))],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Enregistrer les présences et le bilan"))


ATTENDED_VALUES = {"": None, "present": True, "absent": False}


def read_attendance(
    formdata: Any, student_ids: Iterable[int]
) -> tuple[dict[int, bool | None], dict[int, str], list[str]]:
    """The attendance grid of a remedial session: per invited student, ``attended-<id>``
    (« présent·e », « absent·e » or not noted) and a remark ``note-<id>``.

    :returns: attended and remarks per student id, and the messages of the values refused.
    """
    attended: dict[int, bool | None] = {}
    notes: dict[int, str] = {}
    errors = []
    for student_id in student_ids:
        raw = formdata.get(f"attended-{student_id}", "")
        if raw not in ATTENDED_VALUES:
            errors.append(_("Choisissez « présent·e » ou « absent·e »."))
            continue
        attended[student_id] = ATTENDED_VALUES[raw]
        note = formdata.get(f"note-{student_id}", "")
        if len(note) > 500:
            errors.append(_("Une remarque compte plus de 500 caractères."))
        notes[student_id] = note
    return attended, notes, errors


# --- end of course -----------------------------------------------------------------------------


class DecisionsForm(FlaskForm):
    """Decisions are read as ``decision-<enrolment id>`` / ``comment-<enrolment id>``."""

    submit = SubmitField(_l("Enregistrer les décisions"))


DECISION_CHOICES = [SelectChoice("", "—")] + _choices(DECISION_LABELS)


def read_decisions(formdata: Any, rows: Iterable[Any]) -> tuple[list[tuple], dict[int, str]]:
    """The decisions grid of a cohort: per row (an enrolment, with its current ``decision``),
    ``decision-<enrolment id>`` and ``comment-<enrolment id>``.

    :returns: ``(enrolment, current decision, decision, comment)`` for each row given a
        decision, and the message of each row refused, by enrolment id.
    """
    wanted = []
    errors: dict[int, str] = {}
    for row in rows:
        key = row.enrolment.id
        decision = formdata.get(f"decision-{key}", "")
        comment = formdata.get(f"comment-{key}", "")
        if decision and decision not in tuple(Decision):
            errors[key] = _("Choisissez une décision dans la liste.")
        elif len(comment) > 2000:
            errors[key] = _("Le commentaire compte plus de 2 000 caractères.")
        elif decision:
            wanted.append((row.enrolment, row.decision, decision, comment))
        elif comment.strip() and row.decision is None:
            errors[key] = _("Choisissez une décision pour accompagner ce commentaire.")
    return wanted, errors


class WithdrawForm(FlaskForm):
    withdrawn_on = DateField(
        _l("Date du départ"), validators=[InputRequired(_l("Indiquez la date du départ."))]
    )
    reason = SelectField(
        _l("Raison du départ"),
        choices=_choices(WITHDRAWAL_REASONS),
        validate_choice=False,
        validators=[AnyOf(tuple(WITHDRAWAL_REASONS), message=_l("Raison inconnue."))],
    )
    comment = TextAreaField(
        _l("Commentaire"),
        validators=[Length(max=2000, message=_l("2 000 caractères au maximum."))],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Enregistrer le départ"))


class ProgressionEnrolForm(FlaskForm):
    """« Suite du parcours »: the CSRF token; the view reads each row's chosen cohort
    (``cohort_<enrolment id>``) and which button was pressed (``one`` or ``all``)."""
