from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("Fichier CSV des élèves"),
        validators=[FileRequired(_l("Choisissez un fichier CSV."))],
        description=_l(
            "Colonnes : courriel, nom, date_debut (AAAA-MM-JJ, facultative), langue (fr ou en, "
            "facultative). Séparateur virgule ou point-virgule."
        ),
    )
    submit = SubmitField(_l("Vérifier le fichier"))


class ImportConfirmForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Confirmer l'inscription"))


class EnrolForm(FlaskForm):
    """Enrol one student found by the search (the service checks scope, seats and dates)."""

    student_id = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    start_on = DateField(_l("Date de début"), validators=[DataRequired(_l("Indiquez une date."))])
    submit = SubmitField(_l("Inscrire"))


class TransferForm(FlaskForm):
    cohort_id = SelectField(
        _l("Groupe d'accueil"),
        coerce=int,
        # Not checked against the list: the view fetches any id through the access layer,
        # so another region's cohort gets a 404, as everywhere else.
        validate_choice=False,
        validators=[DataRequired(_l("Choisissez un groupe."))],
    )
    effective_on = DateField(
        _l("Date d'effet (premier jour dans le nouveau groupe)"),
        validators=[DataRequired(_l("Indiquez une date."))],
    )
    reason = SelectField(_l("Raison"), validators=[DataRequired(_l("Choisissez une raison."))])
    comment = TextAreaField(_l("Précisions"), validators=[Optional(), Length(max=150)])
    submit = SubmitField(_l("Transférer"))
