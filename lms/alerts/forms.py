"""Alert forms (validation only); the alert vocabularies and their labels: lms.alerts.vocab.

Every POST is also protected by CSRFProtect; the lifecycle forms are rendered with a plain
``csrf_token`` input so that several forms share one page without duplicate ids.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from lms.alerts.rules import RULES, Rule
from lms.alerts.vocab import SEVERITY_LABELS, STATUS_FILTER_LABELS
from lms.followup.vocab import (
    NOTE_TYPE_LABELS,
    REASON_LABELS,
    VISIBILITY_LABELS,
    NoteReason,
    NoteType,
)
from lms.formfields import choices as _choices

MAX_TEXT = 2000


# --- the inbox's filters (GET) -----------------------------------------------------------------


class InboxFilterForm(Form):
    """Read from the query string; unknown values fall back to the defaults."""

    status = SelectField(
        _l("État"), choices=_choices(STATUS_FILTER_LABELS), default="open", validate_choice=True
    )
    severity = SelectField(
        _l("Gravité"),
        choices=[SelectChoice("", _l("Toutes"))] + _choices(SEVERITY_LABELS),
        default="",
    )
    rule = SelectField(_l("Règle"), default="")
    cohort = SelectField(_l("Groupe"), default="")
    escalated = BooleanField(_l("Escaladées seulement"))

    def __init__(self, formdata, cohorts: list[tuple[int, str]]):
        super().__init__(formdata)
        self.rule.choices = [SelectChoice("", _l("Toutes"))] + [
            SelectChoice(code, rule.title) for code, rule in RULES.items()
        ]
        self.cohort.choices = [SelectChoice("", _l("Tous"))] + [
            SelectChoice(str(cid), code) for cid, code in cohorts
        ]


# The note a resolution suggests, by rule: (note type, reason).
NOTE_DEFAULTS: dict[str, tuple[str, str]] = {
    "low_attendance": ("appel", "absences"),
    "absence_streak": ("appel", "absences"),
    "repeated_lateness": ("rencontre", "absences"),
    "no_online_activity": ("rencontre", "apprentissage"),
    "low_scores": ("rencontre", "apprentissage"),
    "behind_plan": ("rencontre", "apprentissage"),
    "no_level_gain": ("entretien", "apprentissage"),
    "interview_overdue": ("entretien", "autre"),
    "withdrawal_without_exit": ("sortie", "autre"),
}

# --- lifecycle ---------------------------------------------------------------------------------


class AcknowledgeForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every POST

    submit = SubmitField(_l("Prendre en charge"))


class ResolveForm(FlaskForm):
    """Resolve a student's alert with a follow-up note."""

    class Meta:
        csrf = False

    note_type = SelectField(
        _l("Type de note"),
        choices=_choices(NOTE_TYPE_LABELS),
        default="appel",
        validate_choice=False,
        validators=[AnyOf(tuple(NoteType), message=_l("Type de note inconnu."))],
    )
    reason = SelectField(
        _l("Motif"),
        choices=_choices(REASON_LABELS),
        validate_choice=False,
        validators=[AnyOf(tuple(NoteReason), message=_l("Motif inconnu."))],
    )
    summary = TextAreaField(
        _l("Résumé de l'intervention"),
        validators=[
            DataRequired(_l("Résumez ce qui a été fait auprès de l'élève.")),
            Length(max=5000, message=_l("5 000 caractères au maximum.")),
        ],
        render_kw={"rows": 3},
    )
    action = TextAreaField(
        _l("Action à faire (facultatif)"),
        validators=[Length(max=MAX_TEXT, message=_l("2 000 caractères au maximum."))],
        render_kw={"rows": 2},
    )
    owner_id = SelectField(_l("Responsable de l'action"), validate_choice=False)
    due_on = DateField(
        _l("Échéance"),
        validators=[Optional()],
        description=_l("Facultatif : la date à laquelle l'action doit être faite."),
    )
    visibility = RadioField(
        _l("Visibilité de la note"),
        choices=_choices(VISIBILITY_LABELS),
        default="team",
        validate_choice=False,
        validators=[AnyOf(tuple(VISIBILITY_LABELS), message=_l("Visibilité inconnue."))],
    )
    submit = SubmitField(_l("Résoudre avec cette note"))

    def suggest(self, rule_code: str) -> None:
        """Preselect the note's type and reason that fit the alert's rule (GET only)."""
        note_type, reason = NOTE_DEFAULTS.get(rule_code, ("appel", "autre"))
        self.note_type.data, self.reason.data = note_type, reason

    def set_owners(self, owners: list[tuple[int, str, str]], default: int) -> None:
        role_labels = {
            "teacher": _l("enseignant·e"),
            "coordinator": _l("conseiller·ère"),
            "admin": _l("administration"),
        }
        self.owner_id.choices = [SelectChoice("", _l("— Aucun·e —"))] + [
            SelectChoice(str(uid), f"{name} ({role_labels.get(role, role)})")
            for uid, name, role in owners
        ]
        if self.owner_id.data is None:
            self.owner_id.data = str(default)

    def owner_value(self) -> int | None:
        raw = (self.owner_id.data or "").strip()
        return int(raw) if raw.isdigit() else (None if not raw else -1)

    def note(self, owner_id: int | None) -> dict[str, Any]:
        return {
            "note_type": self.note_type.data,
            "reason": self.reason.data,
            "summary": self.summary.data or "",
            "action": self.action.data or "",
            "owner_id": owner_id,
            "due_on": self.due_on.data,
            "visibility": self.visibility.data,
        }


class InterventionForm(FlaskForm):
    """Resolve a cohort's alert with the description of what was done."""

    class Meta:
        csrf = False

    intervention = TextAreaField(
        _l("Intervention faite"),
        validators=[
            DataRequired(_l("Décrivez l'intervention faite pour résoudre cette alerte.")),
            Length(max=MAX_TEXT, message=_l("2 000 caractères au maximum.")),
        ],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Résoudre l'alerte"))


class DismissForm(FlaskForm):
    class Meta:
        csrf = False

    dismiss_reason = TextAreaField(
        _l("Pourquoi écarter cette alerte?"),
        validators=[
            DataRequired(_l("Indiquez pourquoi cette alerte est écartée.")),
            Length(max=MAX_TEXT, message=_l("2 000 caractères au maximum.")),
        ],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Écarter l'alerte"))


class MarkReadForm(FlaskForm):
    submit = SubmitField(_l("Tout marquer comme lu"))


# --- rule settings -----------------------------------------------------------------------------

# Smallest value of whole-number thresholds (0 unless a smaller value makes no sense).
PARAM_MIN = {"count": 1, "window_days": 1, "days": 1, "lookback_days": 1, "min_week": 1}
PARAM_MAX = {"after_hour": 23}


def is_rate(default: Any) -> bool:
    """Rates (0 to 1) are the thresholds whose default is a decimal number."""
    return isinstance(default, float)


def parse_param(name: str, default: Any, raw: str) -> int | float:
    """A threshold typed by a coordinator (a decimal comma is accepted).

    :raises ValueError: with the French message to show.
    """
    text = (raw or "").strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
    if is_rate(default):
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 1:
            raise ValueError(_l("Entrez un taux de 0 à 1 (par exemple 0,8)."))
        return round(value, 4)
    low, high = PARAM_MIN.get(name, 0), PARAM_MAX.get(name)
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        if high is not None:
            raise ValueError(
                _l("Entrez un nombre entier de %(low)s à %(high)s.", low=low, high=high)
            )
        raise ValueError(_l("Entrez un nombre entier de %(low)s ou plus.", low=low))
    return int(text)


class _ParamValue:
    def __init__(self, name: str, default: Any, optional: bool):
        self.name, self.default, self.optional = name, default, optional

    def __call__(self, _form, field) -> None:
        if self.optional and not (field.data or "").strip():
            return
        try:
            parse_param(self.name, self.default, field.data)
        except ValueError as exc:
            raise ValidationError(str(exc.args[0])) from None


def rule_fields(rule: Rule, *, optional: bool) -> dict[str, Any]:
    """The fields of one rule: on/off and a text field per threshold."""
    fields: dict[str, Any] = {"enabled": BooleanField(_l("Règle active"))}
    for name, default in rule.defaults.items():
        fields[name] = StringField(
            rule.labels.get(name, name),
            validators=[_ParamValue(name, default, optional)],
            render_kw={"inputmode": "decimal" if is_rate(default) else "numeric", "size": 6},
        )
    return fields


def format_param(value: Any) -> str:
    """A threshold as a coordinator reads it (decimal comma)."""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def rules_form(data: dict[str, dict[str, Any]] | None) -> FlaskForm:
    """The programme-wide settings of every rule, one sub-form per rule (fields named
    ``<rule>-enabled``, ``<rule>-<param>``)."""
    attrs: dict[str, Any] = {
        code: FormField(type(f"RuleForm_{code}", (Form,), rule_fields(rule, optional=False)))
        for code, rule in RULES.items()
    }
    attrs["submit"] = SubmitField(_l("Enregistrer les règles"))
    form_class = type("RulesForm", (FlaskForm,), attrs)
    return form_class(data=data) if data is not None else form_class()


def course_rule_form(rule: Rule, data: dict[str, Any] | None) -> FlaskForm:
    """A course's override of one rule: an empty threshold follows the programme-wide one."""
    attrs = rule_fields(rule, optional=True)
    attrs["submit"] = SubmitField(_l("Enregistrer le réglage du cours"))
    attrs["clear"] = SubmitField(_l("Retirer le réglage du cours"))
    form_class = type(f"CourseRuleForm_{rule.code}", (FlaskForm,), attrs)
    return form_class(data=data) if data is not None else form_class()
