from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


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
