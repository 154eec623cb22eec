"""Forms of the employer-adapted course (validation only; the vocabularies and their labels:
lms.employers.vocab). Rules that need the database (unique NEQ, regions in scope, students of the
cohort, hours of the plan) are checked by the services."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lms.employers.neq import neq_message
from lms.employers.vocab import (
    SCORE_LABELS,
    SECTOR_LABELS,
    TASK_KIND_LABELS,
    PlanEdit,
    Sector,
    TaskKind,
)
from lms.formfields import MultiCheckboxField
from lms.formfields import choices as _choices
from lms.learning.vocab import SKILL_LABELS, SKILLS

MAX_TEXT = 2000


def sector_choices() -> list[SelectChoice]:
    return _choices(SECTOR_LABELS)


def _text(label: Any, max_length: int = MAX_TEXT, **kwargs: Any) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            Optional(),
            Length(max=max_length, message=_l("%(max)s caractères au maximum.", max=max_length)),
        ],
        render_kw={"rows": 2},
        **kwargs,
    )


# --- employers ---------------------------------------------------------------------------------


def _valid_neq(_form: Any, field: Any) -> None:
    message = neq_message(field.data)
    if message:
        raise ValidationError(message)


class EmployerForm(FlaskForm):
    name = StringField(
        _l("Nom de l'entreprise"),
        validators=[
            DataRequired(_l("Le nom de l'entreprise est obligatoire.")),
            Length(max=200, message=_l("200 caractères au maximum.")),
        ],
    )
    neq = StringField(
        _l("Numéro d'entreprise du Québec (NEQ)"),
        description=_l("10 chiffres, par exemple 1234 567 890."),
        validators=[_valid_neq],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    sector = SelectField(
        _l("Secteur d'activité"),
        choices=sector_choices(),
        validate_choice=False,
        validators=[AnyOf(tuple(Sector), message=_l("Choisissez un secteur de la liste."))],
    )
    region_id = SelectField(
        _l("Région"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choisissez une région."))],
    )
    contact_name = StringField(
        _l("Nom de la personne-ressource"),
        validators=[Optional(), Length(max=200, message=_l("200 caractères au maximum."))],
    )
    contact_email = EmailField(
        _l("Courriel de la personne-ressource"),
        validators=[
            Optional(),
            Email(_l("Ce courriel n'est pas valide.")),
            Length(max=254, message=_l("254 caractères au maximum.")),
        ],
    )
    contact_phone = StringField(
        _l("Téléphone de la personne-ressource"),
        validators=[Optional(), Length(max=40, message=_l("40 caractères au maximum."))],
    )
    agreement_start_on = DateField(_l("Début de l'entente"), validators=[Optional()])
    agreement_end_on = DateField(_l("Fin de l'entente"), validators=[Optional()])
    submit = SubmitField(_l("Enregistrer"))

    def validate_agreement_end_on(self, field: Any) -> None:
        start = self.agreement_start_on.data
        if start and field.data and field.data < start:
            raise ValidationError(_l("La fin de l'entente ne peut pas précéder son début."))


class EmployeeForm(FlaskForm):
    email = EmailField(
        _l("Courriel de l'élève"),
        description=_l("Le compte élève doit déjà exister."),
        validators=[
            DataRequired(_l("Indiquez le courriel de l'élève.")),
            Email(_l("Ce courriel n'est pas valide.")),
            Length(max=254, message=_l("254 caractères au maximum.")),
        ],
    )
    consent = BooleanField(_l("L'élève consent à figurer dans le rapport à l'employeur"))
    consent_on = DateField(
        _l("Date du consentement"),
        description=_l("Aujourd'hui si vous la laissez vide."),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Ajouter l'employé·e"))


class ConsentForm(FlaskForm):
    consent = SelectField(
        _l("Consentement"),
        choices=[SelectChoice("yes", _l("Donné")), SelectChoice("no", _l("Retiré"))],
        validate_choice=False,
        validators=[AnyOf(("yes", "no"), message=_l("Choisissez « donné » ou « retiré »."))],
    )
    consent_on = DateField(
        _l("Date"), validators=[InputRequired(_l("Indiquez la date du consentement."))]
    )
    submit = SubmitField(_l("Enregistrer le consentement"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirmer"))


# --- needs profiles ----------------------------------------------------------------------------


def needs_form(tasks: dict[str, str]) -> type[FlaskForm]:
    """A needs-profile form: a priority (1 = most important) per task of the catalogue, the
    four skill weights, themes, constraints, target level and comments."""
    count = len(tasks)

    class NeedsForm(FlaskForm):
        vocabulary_themes = _text(
            _l("Thèmes de vocabulaire du secteur"),
            description=_l("Par exemple : équipement de protection, soins aux résidents."),
        )
        schedule_constraints = _text(
            _l("Contraintes d'horaire"),
            description=_l("Par exemple : quarts de travail, jours sans formation."),
        )
        target_level = SelectField(
            _l("Niveau visé (échelle de 1 à 12)"),
            choices=[SelectChoice(str(n), str(n)) for n in range(1, 13)],
            default="7",
            validate_choice=False,
            validators=[
                AnyOf([str(n) for n in range(1, 13)], message=_l("Choisissez un niveau de 1 à 12."))
            ],
        )
        comments = _text(_l("Commentaires"))
        submit = SubmitField(_l("Enregistrer le profil de besoins"))

        task_keys = list(tasks)

        def priorities(self) -> list[tuple[str, Any]]:
            return [(key, getattr(self, f"priority_{key}")) for key in self.task_keys]

        def weights(self) -> list[tuple[str, Any]]:
            return [(skill, getattr(self, f"weight_{skill}")) for skill in SKILLS]

        def chosen_tasks(self) -> list[str]:
            ranked = [
                (int(f.data), key) for key, f in self.priorities() if f.data not in (None, "")
            ]
            return [key for _rank, key in sorted(ranked)]

        def validate(self, extra_validators=None) -> bool:  # type: ignore[override]
            ok = super().validate(extra_validators)
            ranks = [f.data for _key, f in self.priorities() if f.data not in (None, "")]
            if len(ranks) != len(set(ranks)):
                self.form_errors.append(
                    _l("Chaque priorité ne peut être donnée qu'à une seule tâche.")
                )
                ok = False
            weights = [f.data for _s, f in self.weights()]
            if all(isinstance(w, int) for w in weights) and sum(weights) != 100:
                self.form_errors.append(
                    _l(
                        "Les pondérations des quatre compétences doivent totaliser 100 %%; "
                        "elles totalisent %(total)s %%.",
                        total=sum(weights),
                    )
                )
                ok = False
            return ok

    for key, name in tasks.items():
        setattr(
            NeedsForm,
            f"priority_{key}",
            SelectField(
                _l("Priorité : %(task)s", task=name),
                choices=[SelectChoice("", _l("— pas retenue"))]
                + [SelectChoice(str(n), str(n)) for n in range(1, count + 1)],
                validate_choice=False,
                validators=[
                    Optional(),
                    AnyOf(
                        [str(n) for n in range(1, count + 1)],
                        message=_l("Choisissez une priorité de la liste."),
                    ),
                ],
            ),
        )
    for skill in SKILLS:
        setattr(
            NeedsForm,
            f"weight_{skill}",
            IntegerField(
                _l("%(skill)s (%%)", skill=SKILL_LABELS[skill]),
                default=25,
                validators=[
                    InputRequired(_l("Indiquez un pourcentage de 0 à 100.")),
                    NumberRange(0, 100, message=_l("Indiquez un pourcentage de 0 à 100.")),
                ],
                render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
            ),
        )
    return NeedsForm


class LinkEmployersForm(FlaskForm):
    employer_ids = MultiCheckboxField(
        _l("Cochez les entreprises partenaires de ce groupe"), coerce=int, validate_choice=False
    )
    submit = SubmitField(_l("Enregistrer les entreprises du groupe"))


# --- the plan ----------------------------------------------------------------------------------


class ProposeForm(FlaskForm):
    sector = SelectField(_l("Volet sectoriel"), validate_choice=True)
    submit = SubmitField(_l("Proposer un plan"))


class PlanEditForm(FlaskForm):
    action = HiddenField(
        validators=[AnyOf(tuple(PlanEdit), message=_l("Action inconnue."))],
    )
    unit_id = IntegerField(_l("Unité"), validators=[Optional()])
    week = IntegerField(_l("Semaine"), validators=[Optional()])


class PublishForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])
    note = StringField(
        _l("Note de version (facultative)"),
        validators=[Optional(), Length(max=500, message=_l("500 caractères au maximum."))],
    )
    submit = SubmitField(_l("Publier"))


# --- workplace-task assessments ----------------------------------------------------------------


def task_assessment_form(tasks: dict[str, str]) -> type[FlaskForm]:
    """One student's placement or final assessment: a score (1 to 4, or none) per task."""

    class TaskAssessmentForm(FlaskForm):
        student_id = SelectField(
            _l("Élève"),
            coerce=int,
            validate_choice=False,
            validators=[InputRequired(_l("Choisissez un·e élève."))],
        )
        kind = SelectField(
            _l("Type d'évaluation"),
            choices=_choices(TASK_KIND_LABELS),
            validate_choice=False,
            validators=[AnyOf(tuple(TaskKind), message=_l("Type d'évaluation inconnu."))],
        )
        assessed_on = DateField(
            _l("Date de l'évaluation"),
            validators=[InputRequired(_l("Indiquez la date de l'évaluation."))],
        )
        evidence = _text(_l("Preuves (mise en situation, observation)"))
        submit = SubmitField(_l("Enregistrer l'évaluation"))

        task_keys = list(tasks)

        def scores(self) -> list[tuple[str, Any]]:
            return [(key, getattr(self, f"score_{key}")) for key in self.task_keys]

        def score_values(self) -> dict[str, int | None]:
            return {
                key: (int(f.data) if f.data not in (None, "") else None) for key, f in self.scores()
            }

    for key, name in tasks.items():
        setattr(
            TaskAssessmentForm,
            f"score_{key}",
            SelectField(
                name,
                choices=[SelectChoice("", _l("— non évaluée"))]
                + [SelectChoice(str(n), f"{n} – {SCORE_LABELS[n]}") for n in SCORE_LABELS],
                validate_choice=False,
                validators=[
                    Optional(),
                    AnyOf(
                        [str(n) for n in SCORE_LABELS],
                        message=_l("Chaque cote est un nombre de 1 à 4."),
                    ),
                ],
            ),
        )
    return TaskAssessmentForm
