from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from lms.auth.forms import PASSWORD_MIN_LENGTH, not_common_password
from lms.auth.vocab import LANGUAGE_NAMES, ROLE_LABELS
from lms.formfields import MultiCheckboxField, choices


def role_choices() -> list[SelectChoice]:
    return choices(ROLE_LABELS)


LANGUAGE_CHOICES = choices(LANGUAGE_NAMES)


class UserForm(FlaskForm):
    email = EmailField(
        _l("Courriel"),
        validators=[
            DataRequired(_l("Le courriel est obligatoire.")),
            Email(_l("Ce courriel n'est pas valide.")),
            Length(max=254),
        ],
    )
    name = StringField(
        _l("Nom complet"),
        validators=[DataRequired(_l("Le nom est obligatoire.")), Length(max=200)],
    )
    role = SelectField(_l("Rôle"), choices=role_choices())
    preferred_language = SelectField(_l("Langue"), choices=LANGUAGE_CHOICES)
    active = BooleanField(_l("Compte actif"), default=True)
    region_ids = MultiCheckboxField(
        _l("Régions (conseiller·ère pédagogique)"), coerce=int, validate_choice=True
    )
    cohort_codes = StringField(
        _l("Groupes (enseignant·e)"),
        description=_l("Codes des groupes, séparés par des virgules."),
        validators=[Optional(), Length(max=2000)],
    )
    submit = SubmitField(_l("Enregistrer"))


class NewUserForm(UserForm):
    password = PasswordField(
        _l("Mot de passe initial"),
        validators=[
            DataRequired(_l("Le mot de passe initial est obligatoire.")),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=200,
                message=_l("Le mot de passe doit compter au moins %(n)s caractères.", n=10),
            ),
            not_common_password,
        ],
    )
    submit = SubmitField(_l("Créer le compte"))
