from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from lms.formfields import MultiCheckboxField


class SettingsForm(FlaskForm):
    allowance_weekly_amount = DecimalField(
        _l("Allocation hebdomadaire à temps complet ($)"),
        places=2,
        validators=[
            InputRequired(_l("Indiquez un montant.")),
            NumberRange(min=0, max=2000, message=_l("Le montant doit être entre 0 et 2000 $.")),
        ],
    )
    allowance_rule = SelectField(
        _l("Règle d'admissibilité"),
        choices=[
            SelectChoice("prorated", _l("Au prorata des heures présentes")),
            SelectChoice("threshold", _l("Montant complet à partir d'un taux de présence")),
        ],
    )
    allowance_min_rate = IntegerField(
        _l("Taux de présence minimal (%) pour la règle du seuil"),
        validators=[
            InputRequired(_l("Indiquez un taux.")),
            NumberRange(min=0, max=100, message=_l("Le taux doit être entre 0 et 100 %%.")),
        ],
    )
    allowance_justified_days_per_course = IntegerField(
        _l("Absences motivées comptées comme présences (jours par cours)"),
        validators=[
            InputRequired(_l("Indiquez un nombre de jours.")),
            NumberRange(min=0, max=55, message=_l("Le nombre doit être entre 0 et 55.")),
        ],
    )
    interview_cadence_days = IntegerField(
        _l("Entretien de suivi : un entretien tous les N jours"),
        validators=[
            InputRequired(_l("Indiquez un nombre de jours.")),
            NumberRange(min=1, max=90, message=_l("Le nombre doit être entre 1 et 90.")),
        ],
    )
    submit = SubmitField(_l("Enregistrer les paramètres"))


class ClosureForm(FlaskForm):
    day = DateField(_l("Date de fermeture"), validators=[DataRequired(_l("Indiquez une date."))])
    reason = StringField(
        _l("Motif"),
        validators=[DataRequired(_l("Indiquez un motif.")), Length(max=200)],
        description=_l("Par exemple : journée pédagogique, tempête, fermeture du centre."),
    )
    submit = SubmitField(_l("Ajouter la fermeture"))


class RegionForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Indiquez un code.")), Length(max=20)],
        description=_l("Court et stable, par exemple MTL ou CN."),
    )
    name = StringField(
        _l("Nom"), validators=[DataRequired(_l("Indiquez un nom.")), Length(max=120)]
    )
    submit = SubmitField(_l("Enregistrer la région"))


class SiteForm(FlaskForm):
    code = StringField(
        _l("Code"), validators=[DataRequired(_l("Indiquez un code.")), Length(max=20)]
    )
    name = StringField(
        _l("Nom"), validators=[DataRequired(_l("Indiquez un nom.")), Length(max=200)]
    )
    region_id = SelectField(
        _l("Région"), coerce=int, validators=[InputRequired(_l("Choisissez une région."))]
    )
    city = StringField(_l("Ville"), validators=[Length(max=120)])
    address = StringField(_l("Adresse"), validators=[Length(max=300)])
    phone = StringField(_l("Téléphone"), validators=[Length(max=40)])
    active = BooleanField(
        _l("Site actif"),
        default=True,
        description=_l("Un site inactif garde ses groupes, mais n'en reçoit plus de nouveaux."),
    )
    submit = SubmitField(_l("Enregistrer le site"))


class HoursField(DecimalField):
    """Hours of a day: « 6 », « 7,5 » or « 7.5 » (shown without useless decimals)."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace(",", ".").strip()]
        super().process_formdata(valuelist)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        text = f"{self.data:.2f}".rstrip("0").rstrip(".")
        locale = get_locale()
        return text.replace(".", ",") if locale and locale.language == "fr" else text


HOURS_CHECKS = [
    InputRequired(_l("Indiquez les heures du jour (0 s'il n'y a pas de classe).")),
    NumberRange(min=0, max=12, message=_l("Un jour compte de 0 à 12 heures de classe.")),
]


class CohortForm(FlaskForm):
    """« Nouveau groupe » and its edit page. Without JavaScript: « Calculer la fin » shows the
    end date and total hours; « Enregistrer » needs that preview to still hold."""

    course_id = SelectField(
        _l("Cours"), coerce=int, validators=[InputRequired(_l("Choisissez un cours."))]
    )
    # Not checked against the choices: the view fetches the site through the access layer,
    # so that a site outside the actor's regions answers 404 like any other object.
    site_id = SelectField(
        _l("Site"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choisissez un site."))],
    )
    start_on = DateField(
        _l("Date de début"),
        validators=[DataRequired(_l("Indiquez une date de début (AAAA-MM-JJ)."))],
        description=_l("Un jour de classe : ni fin de semaine, ni jour férié, ni fermeture."),
    )
    code = StringField(
        _l("Code du groupe"),
        validators=[Length(max=40)],
        description=_l(
            "Laissez vide : un code est proposé à partir du cours, du site et de la date."
        ),
    )
    hours_mon = HoursField(_l("Lundi"), validators=HOURS_CHECKS)
    hours_tue = HoursField(_l("Mardi"), validators=HOURS_CHECKS)
    hours_wed = HoursField(_l("Mercredi"), validators=HOURS_CHECKS)
    hours_thu = HoursField(_l("Jeudi"), validators=HOURS_CHECKS)
    hours_fri = HoursField(_l("Vendredi"), validators=HOURS_CHECKS)
    capacity = IntegerField(
        _l("Capacité (places)"),
        default=20,
        validators=[
            InputRequired(_l("Indiquez une capacité.")),
            NumberRange(min=1, max=60, message=_l("La capacité doit être entre 1 et 60.")),
        ],
    )
    teachers = MultiCheckboxField(_l("Enseignantes et enseignants"), coerce=int)
    # The preview the person saw (filled by « Calculer la fin »).
    preview_end_on = HiddenField()
    preview_minutes = HiddenField()
    preview = SubmitField(_l("Calculer la fin"))
    save = SubmitField(_l("Enregistrer le groupe"))

    HOURS = ("hours_mon", "hours_tue", "hours_wed", "hours_thu", "hours_fri")

    def weekday_minutes(self) -> list[int]:
        return [round(self[name].data * 60) for name in self.HOURS]

    def previewed(self) -> tuple[date | None, int | None]:
        try:
            end_on = date.fromisoformat(self.preview_end_on.data or "")
            minutes = int(self.preview_minutes.data or "")
        except ValueError:
            return None, None
        return end_on, minutes


class CohortStatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])
