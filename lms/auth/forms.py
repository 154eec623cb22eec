from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from lms.auth.passwords import is_common

PASSWORD_MIN_LENGTH = 10


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


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(_l("Entrez votre mot de passe actuel."))],
    )
    new_password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[
            DataRequired(_l("Entrez un nouveau mot de passe.")),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=200,
                message=_l("Le mot de passe doit compter au moins %(n)s caractères.", n=10),
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
    submit = SubmitField(_l("Changer le mot de passe"))
