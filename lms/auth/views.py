from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from lms.auth.forms import LoginForm, PasswordChangeForm
from lms.auth.services import authenticate, change_password
from lms.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str | None:
    """Only local paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = authenticate(form.email.data, form.password.data)
        db.session.commit()  # failures are kept even though the login fails
        if result.user is not None:
            next_url = _safe_next(request.args.get("next"))
            lang = session.get("lang")
            session.clear()  # a new session on login (no fixation)
            if lang:
                session["lang"] = lang
            login_user(result.user)
            return redirect(next_url or url_for("core.home"))
        if result.locked_minutes:
            flash(
                _(
                    "Trop de tentatives de connexion ont échoué pour ce compte. Pour votre "
                    "sécurité, réessayez dans %(minutes)s minutes.",
                    minutes=result.locked_minutes,
                ),
                "danger",
            )
            status = 429
        else:
            flash(_("Courriel ou mot de passe incorrect."), "danger")
            status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Vous êtes déconnecté·e."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("Le mot de passe actuel est incorrect."))
            status = 422
        else:
            change_password(current_user, form.new_password.data)
            db.session.commit()
            # The session token changed: stay logged in here only.
            login_user(current_user._get_current_object())
            flash(_("Votre mot de passe a été changé."), "success")
            return redirect(url_for("core.home"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/password.html", form=form), status
