import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from lms.auth.passwords import PASSWORD_MIN_LENGTH, is_common
from lms.auth.vocab import LANGUAGE_NAMES
from lms.formfields import choices

__all__ = ["PASSWORD_MIN_LENGTH", "not_common_password"]


def not_common_password(_form, field) -> None:
    """Refuse the passwords that attackers try first (lms.auth.passwords)."""
    if field.data and is_common(field.data):
        raise ValidationError(
            _l(
                "Ce mot de passe est trop courant : il figure parmi les plus utilisés et se "
                "devine facilement. Choisissez-en un autre."
            )
        )


class LoginForm(FlaskForm):
    email = EmailField(_l("Courriel"), validators=[DataRequired(_l("Entrez votre courriel."))])
    password = PasswordField(
        _l("Mot de passe"), validators=[DataRequired(_l("Entrez votre mot de passe."))]
    )
    submit = SubmitField(_l("Se connecter"))


class NewPasswordForm(FlaskForm):
    """A new password, typed twice (the reset link's page)."""

    new_password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[
            DataRequired(_l("Entrez un nouveau mot de passe.")),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=200,
                message=_l(
                    "Le mot de passe doit compter au moins %(n)s caractères.",
                    n=PASSWORD_MIN_LENGTH,
                ),
            ),
            not_common_password,
        ],
    )
    confirm = PasswordField(
        _l("Confirmer le nouveau mot de passe"),
        validators=[
            DataRequired(_l("Entrez de nouveau le mot de passe.")),
            EqualTo("new_password", _l("Les deux mots de passe ne sont pas identiques.")),
        ],
    )
    submit = SubmitField(_l("Enregistrer le mot de passe"))


class PasswordChangeForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(_l("Entrez votre mot de passe actuel."))],
    )
    submit = SubmitField(_l("Changer le mot de passe"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Courriel"),
        validators=[DataRequired(_l("Entrez votre courriel.")), Length(max=254)],
    )
    submit = SubmitField(_l("Recevoir un lien"))


class ProfileForm(FlaskForm):
    phone = StringField(
        _l("Téléphone"),
        validators=[
            Optional(),
            Length(max=30, message=_l("Le numéro compte au plus 30 caractères.")),
            Regexp(
                r"^[0-9+()., -]*(?:(?:poste|ext\.?|x) ?[0-9]+)?$",
                flags=re.IGNORECASE,
                message=_l("Entrez un numéro de téléphone, par exemple 514 555-0123."),
            ),
        ],
        description=_l("Facultatif. Par exemple 514 555-0123 poste 12."),
    )
    preferred_language = SelectField(_l("Langue de l'interface"))
    submit = SubmitField(_l("Enregistrer"))


def language_choices():
    return choices(LANGUAGE_NAMES)
