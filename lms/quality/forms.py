"""Quality forms (validation only); the vocabularies and their labels: lms.quality.vocab.

Rules that need the database (owners in scope, findings complete before signing) are checked by
the services, which raise :class:`lms.errors.ServiceError` with the field to attach the message
to.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
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

from lms.formfields import choices as _choices
from lms.quality.criteria.catalogue import (
    CRITERIA,
    MANUAL_DEFAULTS,
    OBSERVATION_RUBRIC,
    RUBRIC_SCALE,
)
from lms.quality.vocab import (
    ACTION_LABELS,
    MANUAL_KIND_LABELS,
    RESULT_LABELS,
    SURVEY_QUESTIONS,
    SURVEY_SCALE,
    VERDICT_LABELS,
    WHEN_LABELS,
    ActionStatus,
    FindingResult,
    Verdict,
    label,
)

# --- the review ---------------------------------------------------------------------------------


class ButtonForm(FlaskForm):
    """A form with only its CSRF token (draw the sample, recompute, amend)."""


def _score_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [SelectChoice(str(k), v) for k, v in RUBRIC_SCALE.items()]


def _score_valid(_form, field) -> None:
    value = (field.data or "").strip()
    if value and value not in {"1", "2", "3", "4"}:
        raise ValidationError(_l("Choisissez une note de 1 à 4."))


class FindingForm(FlaskForm):
    """The finding on one criterion (the page shows one per criterion, each with its prefix)."""

    result = RadioField(
        _l("Constat"),
        choices=_choices(RESULT_LABELS),
        validate_choice=False,
        validators=[
            InputRequired(_l("Choisissez un résultat.")),
            AnyOf(tuple(FindingResult), message=_l("Choisissez un résultat.")),
        ],
    )
    text = TextAreaField(
        _l("Observations"),
        validators=[Length(max=5000, message=_l("5 000 caractères au maximum."))],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Enregistrer le constat"))

    def scores(self) -> dict[str, int]:
        return {
            key: int(getattr(self, f"score_{key}").data)
            for key in OBSERVATION_RUBRIC
            if (getattr(self, f"score_{key}").data or "").strip() in {"1", "2", "3", "4"}
        }


for _key, _label in OBSERVATION_RUBRIC.items():
    setattr(
        FindingForm,
        f"score_{_key}",
        SelectField(
            _label, choices=_score_choices(), validate_choice=False, validators=[_score_valid]
        ),
    )


class ActionForm(FlaskForm):
    description = TextAreaField(
        _l("Action corrective"),
        validators=[
            DataRequired(_l("Décrivez l'action corrective.")),
            Length(max=2000, message=_l("2 000 caractères au maximum.")),
        ],
        render_kw={"rows": 2},
    )
    owner_id = SelectField(
        _l("Responsable"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(_l("Choisissez une personne responsable."))],
    )
    due_on = DateField(
        _l("Échéance"),
        validators=[InputRequired(_l("Indiquez l'échéance."))],
    )
    submit = SubmitField(_l("Ajouter l'action"))

    def set_owners(self, owners: list[tuple[int, str, str]]) -> None:
        self.owner_id.choices = [SelectChoice("", _l("— Choisir —"))] + [
            SelectChoice(str(uid), f"{name} ({label(role, 'role')})") for uid, name, role in owners
        ]

    def owner(self) -> int | None:
        raw = (self.owner_id.data or "").strip()
        return int(raw) if raw.isdigit() else None

    def validate_owner_id(self, _field) -> None:
        if self.owner() is None:
            raise ValidationError(_l("Choisissez une personne responsable."))


class ActionStatusForm(FlaskForm):
    status = SelectField(
        _l("Statut"),
        choices=_choices(ACTION_LABELS),
        validate_choice=False,
        validators=[AnyOf(tuple(ActionStatus), message=_l("Choisissez un statut."))],
    )
    submit = SubmitField(_l("Mettre à jour"))


class SignForm(FlaskForm):
    verdict = RadioField(
        _l("Verdict"),
        choices=_choices(VERDICT_LABELS),
        validate_choice=False,
        validators=[
            InputRequired(_l("Choisissez un verdict.")),
            AnyOf(tuple(Verdict), message=_l("Choisissez un verdict.")),
        ],
    )
    comment = TextAreaField(
        _l("Commentaire"),
        validators=[Length(max=5000, message=_l("5 000 caractères au maximum."))],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Signer la revue"))


# --- templates ----------------------------------------------------------------------------------


def template_form(data: dict[str, Any] | None = None) -> FlaskForm:
    """The template form: the general fields, then for each criterion of the catalogue a
    « use » box and its thresholds, then the two manual criteria with their label."""

    class TemplateForm(FlaskForm):
        name = StringField(
            _l("Nom du point de contrôle"),
            validators=[
                DataRequired(_l("Donnez un nom au point de contrôle.")),
                Length(max=120, message=_l("120 caractères au maximum.")),
            ],
        )
        when_kind = SelectField(
            _l("Moment"),
            choices=_choices(WHEN_LABELS),
            validate_choice=False,
            validators=[AnyOf(tuple(WHEN_LABELS), message=_l("Moment inconnu."))],
        )
        when_value = IntegerField(
            _l("N (semaine ou jours)"),
            default=1,
            validators=[
                InputRequired(_l("Indiquez N.")),
                NumberRange(0, 120, message=_l("N doit être un nombre de 0 à 120.")),
            ],
        )
        sample_size = IntegerField(
            _l("Taille de l'échantillon de dossiers"),
            default=5,
            validators=[
                InputRequired(_l("Indiquez la taille de l'échantillon.")),
                NumberRange(1, 50, message=_l("L'échantillon compte de 1 à 50 dossiers.")),
            ],
        )
        position = IntegerField(
            _l("Ordre d'affichage"),
            default=0,
            validators=[
                Optional(),
                NumberRange(0, 100, message=_l("Un nombre de 0 à 100.")),
            ],
        )
        active = BooleanField(_l("Actif (des revues sont créées pour chaque groupe)"), default=True)
        submit = SubmitField(_l("Enregistrer le point de contrôle"))

        def validate_when_value(self, field) -> None:
            if (
                self.when_kind.data == "week"
                and field.data is not None
                and not 1 <= field.data <= 30
            ):
                raise ValidationError(_l("La semaine doit être un nombre de 1 à 30."))

        def criteria_values(self) -> list[dict[str, Any]]:
            chosen = []
            for code, criterion in CRITERIA.items():
                if getattr(self, f"use_{code}").data:
                    params = {
                        name: getattr(self, f"p_{code}_{name}").data for name in criterion.params
                    }
                    chosen.append({"code": code, "params": params})
            return chosen

        def manual_values(self) -> list[dict[str, str]]:
            chosen = []
            for code, spec in MANUAL_DEFAULTS.items():
                if getattr(self, f"use_{code}").data:
                    text = (getattr(self, f"label_{code}").data or "").strip() or spec["label"]
                    chosen.append({"code": code, "kind": spec["kind"], "label": text})
            return chosen

        def values(self) -> dict[str, Any]:
            return {
                "name": self.name.data.strip(),
                "when_kind": self.when_kind.data,
                "when_value": self.when_value.data,
                "sample_size": self.sample_size.data,
                "position": self.position.data or 0,
                "active": bool(self.active.data),
                "criteria": self.criteria_values(),
                "manual_criteria": self.manual_values(),
            }

    for code, criterion in CRITERIA.items():
        setattr(TemplateForm, f"use_{code}", BooleanField(criterion.title))
        for name, param in criterion.params.items():
            setattr(
                TemplateForm,
                f"p_{code}_{name}",
                IntegerField(
                    param.label,
                    default=criterion.defaults[name],
                    validators=[
                        InputRequired(_l("Indiquez une valeur.")),
                        NumberRange(
                            param.minimum,
                            param.maximum,
                            message=_l(
                                "Une valeur de %(min)s à %(max)s.",
                                min=param.minimum,
                                max=param.maximum,
                            ),
                        ),
                    ],
                ),
            )
    for code, spec in MANUAL_DEFAULTS.items():
        setattr(TemplateForm, f"use_{code}", BooleanField(MANUAL_KIND_LABELS[spec["kind"]]))
        setattr(
            TemplateForm,
            f"label_{code}",
            StringField(
                _l("Libellé"),
                default=spec["label"],
                validators=[Length(max=200, message=_l("200 caractères au maximum."))],
            ),
        )
    return TemplateForm(data=data)


def template_data(template: Any) -> dict[str, Any]:
    """A template's values, as the form's initial data."""
    data: dict[str, Any] = {
        "name": template.name,
        "when_kind": template.when_kind,
        "when_value": template.when_value,
        "sample_size": template.sample_size,
        "position": template.position,
        "active": template.active,
    }
    for item in template.criteria or []:
        criterion = CRITERIA.get(item.get("code"))
        if criterion is None:
            continue
        data[f"use_{criterion.code}"] = True
        for name, value in criterion.effective(item.get("params")).items():
            data[f"p_{criterion.code}_{name}"] = value
    for item in template.manual_criteria or []:
        if item.get("code") in MANUAL_DEFAULTS:
            data[f"use_{item['code']}"] = True
            data[f"label_{item['code']}"] = item.get("label", "")
    return data


# --- the satisfaction survey --------------------------------------------------------------------


class SurveyForm(FlaskForm):
    comment = TextAreaField(
        _l("Voulez-vous ajouter quelque chose? (facultatif)"),
        description=_l("N'écrivez pas votre nom. Vos réponses sont anonymes."),
        validators=[Length(max=1000, message=_l("1 000 caractères au maximum."))],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Envoyer mes réponses"))

    def answers(self) -> dict[str, int]:
        return {key: int(getattr(self, key).data) for key in SURVEY_QUESTIONS}


for _key, _question in SURVEY_QUESTIONS.items():
    setattr(
        SurveyForm,
        _key,
        RadioField(
            _question,
            choices=_choices(SURVEY_SCALE),
            validate_choice=False,
            validators=[
                InputRequired(_l("Choisissez une réponse.")),
                AnyOf(tuple(SURVEY_SCALE), message=_l("Choisissez une réponse.")),
            ],
        ),
    )
