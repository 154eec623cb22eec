"""Follow-up forms (validation only); the vocabularies and their labels: lms.followup.vocab.

Business rules that need the database or the date (future dates, owners in scope, enrolment
dates) are checked by the services, which raise :class:`~lms.followup.services.FollowUpError`
with the field to attach the message to.
"""

from __future__ import annotations

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


class NoteEditForm(NoteForm):
    outcome = TextAreaField(
        _l("Résultat"),
        validators=[Length(max=5000, message=_l("5 000 caractères au maximum."))],
        render_kw={"rows": 3},
    )
    done_on = DateField(_l("Fait le"), validators=[Optional()])


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


# --- end of course -----------------------------------------------------------------------------


class DecisionsForm(FlaskForm):
    """Decisions are read as ``decision-<enrolment id>`` / ``comment-<enrolment id>``."""

    submit = SubmitField(_l("Enregistrer les décisions"))


DECISION_CHOICES = [SelectChoice("", "—")] + _choices(DECISION_LABELS)


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
