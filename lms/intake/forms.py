"""Intake forms: validation only (the service checks scope, levels and e-mails)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from lms.formfields import MultiCheckboxField

LEVEL_HELP = _l("De 1 à 12 (échelle québécoise).")


def _level(label):
    # The 1..12 range is the service's to check (one message, whatever the way in).
    return IntegerField(
        label,
        validators=[InputRequired(_l("Indiquez un niveau."))],
        description=LEVEL_HELP,
    )


class CandidateForm(FlaskForm):
    email = EmailField(
        _l("Courriel"),
        validators=[
            DataRequired(_l("Indiquez un courriel.")),
            Email(_l("Ce courriel n'est pas valide.")),
            Length(max=254),
        ],
        description=_l("Un compte d'élève existant est repris; sinon, un compte est créé."),
    )
    name = StringField(
        _l("Nom complet"),
        validators=[Optional(), Length(max=200)],
        description=_l("Pour un nouveau compte seulement."),
    )
    preferred_language = SelectField(
        _l("Langue de l'interface"),
        choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")],
    )
    phone = StringField(_l("Téléphone (facultatif)"), validators=[Optional(), Length(max=30)])
    region_id = SelectField(_l("Région"), coerce=int, validate_choice=False)
    site_ids = MultiCheckboxField(_l("Sites souhaités"), coerce=int, validate_choice=False)
    level_CO = _level(_l("Compréhension orale"))
    level_PO = _level(_l("Production orale"))
    level_CE = _level(_l("Compréhension écrite"))
    level_PE = _level(_l("Production écrite"))
    available_on = DateField(
        _l("Disponible à partir du"), validators=[DataRequired(_l("Indiquez une date."))]
    )
    submit = SubmitField(_l("Ajouter à la liste d'attente"))


class EnrolOneForm(FlaskForm):
    cohort_id = IntegerField(validators=[DataRequired()])
    submit = SubmitField(_l("Inscrire"))


class EnrolSelectionForm(FlaskForm):
    """The queue's checkboxes: ``select`` (candidate ids) and ``cohort_<candidate id>`` fields
    are read by the view from the request (their number varies)."""

    submit = SubmitField(_l("Inscrire la sélection"))
