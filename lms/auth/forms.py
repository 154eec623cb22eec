from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

PASSWORD_MIN_LENGTH = 10


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
