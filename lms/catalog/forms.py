from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired


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
