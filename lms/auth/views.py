"""Login, logout, the password page, and the lifetime of a login session.

A session ends at logout (the user's session token changes: a cookie captured before is then
anonymous), after ``SESSION_IDLE_MINUTES`` without a request, and ``SESSION_ABSOLUTE_HOURS``
after login; the login and last-seen times travel in the signed session cookie.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.audit.services import record
from lms.auth import resets
from lms.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    ProfileForm,
    language_choices,
)
from lms.auth.mail import deliver, mail_configured, queue_mail
from lms.auth.models import User
from lms.auth.passwords import PASSWORD_MIN_LENGTH
from lms.auth.services import (
    attempt_failed,
    attempt_succeeded,
    change_password,
    hash_password,
    log_out,
    password_matches,
    record_login,
    start_attempt,
    temporary_password_expired,
    update_profile,
)
from lms.dbutil import write_intent
from lms.errors import unit_of_work
from lms.extensions import db
from lms.urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Keys of the signed session: login time and last request, in seconds since the epoch.
LOGIN_AT = "auth_login_at"
SEEN_AT = "auth_seen_at"
# The last-seen time is rewritten at most once a minute (not a new cookie on every request).
SEEN_AT_RESOLUTION = 60
_STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})
# What a user whose password is temporary may reach before choosing their own.
_WHILE_TEMPORARY = _STATIC_ENDPOINTS | {
    "auth.password",
    "auth.logout",
    "auth.reset",
    "core.set_language",
    "core.healthz",
}


def _now() -> int:
    # The system clock, not lms.clock: session lifetimes are real elapsed time, whatever
    # calendar date the tests freeze lms.clock at to play out a course.
    return int(time.time())


def duration_text(seconds: int) -> str:
    """« 30 secondes », « 2 minutes », « 8 heures » (rounded up: it tells how long to wait)."""
    if seconds < 60:
        return ngettext("%(num)s seconde", "%(num)s secondes", max(1, seconds))
    minutes = math.ceil(seconds / 60)
    if minutes < 60 or minutes % 60:
        return ngettext("%(num)s minute", "%(num)s minutes", minutes)
    return ngettext("%(num)s heure", "%(num)s heures", minutes // 60)


@contextmanager
def _reading() -> Iterator[None]:
    """After the request's writes are committed: reloading the user only reads, so on SQLite it
    need not take the write lock again (BEGIN, not BEGIN IMMEDIATE)."""
    token = write_intent.set(False)
    try:
        yield
    finally:
        write_intent.reset(token)


def _start_session(user: User) -> None:
    lang = session.get("lang")
    session.clear()  # a new session on login (no fixation)
    if lang:
        session["lang"] = lang
    login_user(user)
    session[LOGIN_AT] = session[SEEN_AT] = _now()


def _end_session() -> None:
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _session_end_reason() -> str | None:
    """Why the logged-in session of this request has ended, or None while it goes on."""
    cfg = current_app.config
    now = _now()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return "unknown"  # signed before these checks existed
    if now - login_at >= cfg["SESSION_ABSOLUTE_HOURS"] * 3600:
        return "absolute"
    if now - seen_at >= cfg["SESSION_IDLE_MINUTES"] * 60:
        return "idle"
    if now - seen_at >= SEEN_AT_RESOLUTION:
        session[SEEN_AT] = now
    return None


def _session_end_message(reason: str) -> str:
    cfg = current_app.config
    if reason == "absolute":
        return _(
            "Votre session a pris fin après %(duration)s de connexion. "
            "Reconnectez-vous pour continuer.",
            duration=duration_text(cfg["SESSION_ABSOLUTE_HOURS"] * 3600),
        )
    if reason == "idle":
        return _(
            "Votre session a pris fin après %(duration)s d'inactivité. "
            "Reconnectez-vous pour continuer.",
            duration=duration_text(cfg["SESSION_IDLE_MINUTES"] * 60),
        )
    return _("Votre session a pris fin. Reconnectez-vous pour continuer.")


@bp.before_app_request
def end_expired_session():
    """Send a user whose session has ended to the login page, saying why."""
    if "_user_id" not in session or request.endpoint in _STATIC_ENDPOINTS:
        return None
    reason = _session_end_reason()
    if reason is None:
        return None
    _end_session()
    # In the language of the login page that shows it (the session's, the user's is gone).
    flash(_session_end_message(reason), "warning")
    if request.endpoint == "auth.login":
        return None  # the login page itself: show it with the message
    back = safe_next(request.full_path.rstrip("?")) if request.method == "GET" else None
    return redirect(url_for("auth.login", next=back))


@bp.before_app_request
def require_own_password():
    """A user logged in with a temporary password (import, account created by an admin) chooses
    their own before anything else."""
    if request.endpoint in _WHILE_TEMPORARY or "_user_id" not in session:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.password"))
    return None


def _too_many_attempts(message: str, wait_seconds: int, template: str, **context):
    flash(message, "danger")
    with _reading():  # nothing was written: the page only reads (the user in the navigation)
        response = make_response(render_template(template, **context), 429)
    response.headers["Retry-After"] = str(wait_seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, 422 if request.method == "POST" else 200)
    address = request.remote_addr
    attempt = start_attempt(form.email.data, address)
    # Short transaction: the attempt counts before its password is checked, so that concurrent
    # attempts see each other; the slow check below then holds no database lock.
    db.session.commit()
    if attempt.wait_seconds:
        return _too_many_attempts(
            _(
                "Trop de tentatives de connexion ont échoué. Pour votre sécurité, réessayez "
                "dans %(delay)s.",
                delay=duration_text(attempt.wait_seconds),
            ),
            attempt.wait_seconds,
            "auth/login.html",
            form=form,
            forgot=mail_configured(),
        )
    user = None
    if password_matches(attempt, form.password.data):
        user = db.session.get(User, attempt.user_id)
    if user is None or not user.active:
        attempt_failed(attempt, "user.login_failed")
        db.session.commit()
        flash(_("Courriel ou mot de passe incorrect."), "danger")
        return _login_page(form, 401)
    attempt_succeeded(attempt)
    if temporary_password_expired(user):
        record("user.login_refused", user, actor=user, after={"reason": "temporary_expired"})
        db.session.commit()
        flash(
            _(
                "Ce mot de passe temporaire a expiré. Demandez un nouveau lien à votre "
                "conseillère ou conseiller pédagogique, ou à l'administration."
            ),
            "danger",
        )
        return _login_page(form, 401)
    record_login(user, address)
    db.session.commit()
    next_url = safe_next(request.args.get("next"))
    must_change = user.must_change_password
    with _reading():
        _start_session(user)
    if must_change:
        flash(_("Choisissez votre propre mot de passe pour continuer."), "info")
        return redirect(url_for("auth.password"))
    return redirect(next_url or url_for("core.home"))


def _login_page(form, status: int = 200):
    return render_template("auth/login.html", form=form, forgot=mail_configured()), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # A new session token: this session and every copy of its cookie end here.
        log_out(current_user._get_current_object(), request.remote_addr)
        db.session.commit()
    _end_session()
    flash(_("Vous êtes déconnecté·e."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/password.html", form=form), status
    user = current_user._get_current_object()
    attempt = start_attempt(user.email, request.remote_addr)
    db.session.commit()  # as at login: no transaction stays open during the slow work
    if attempt.wait_seconds:
        return _too_many_attempts(
            _(
                "Trop de tentatives avec un mot de passe incorrect. Pour votre sécurité, "
                "réessayez dans %(delay)s.",
                delay=duration_text(attempt.wait_seconds),
            ),
            attempt.wait_seconds,
            "auth/password.html",
            form=form,
        )
    if not password_matches(attempt, form.current_password.data):
        attempt_failed(attempt, "user.password_check_failed", actor=user)
        db.session.commit()
        form.current_password.errors.append(_("Le mot de passe actuel est incorrect."))
        with _reading():
            return render_template("auth/password.html", form=form), 422
    new_hash = hash_password(form.new_password.data)
    attempt_succeeded(attempt)
    change_password(user, password_hash=new_hash)
    db.session.commit()
    # The session token changed: stay logged in here only.
    with _reading():
        login_user(user)
    flash(_("Votre mot de passe a été changé."), "success")
    return redirect(url_for("core.home"))


# --- one-time reset links, « mot de passe oublié », the profile ---------------------------------


def _link_invalid():
    error = resets.link_no_longer_valid()
    with _reading():
        return render_template("auth/reset_invalid.html", message=error.message), error.status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """The one-time link: choose a new password (typed twice)."""
    if len(token) > 100:
        return _link_invalid()
    with _reading():
        found = resets.valid_reset(token)
        email = found[1].email if found else None
        db.session.rollback()  # no transaction stays open while the password is hashed
    if found is None:
        return _link_invalid()
    form = NewPasswordForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        with _reading():
            return render_template(
                "auth/reset.html", form=form, email=email, min_length=PASSWORD_MIN_LENGTH
            ), status
    new_hash = hash_password(form.new_password.data)
    with unit_of_work(form) as work:
        resets.reset_password(token, password_hash=new_hash)
    if not work.ok:
        return _link_invalid()
    if current_user.is_authenticated:
        _end_session()  # whoever was logged in here: the account's sessions have all ended
    flash(_("Votre mot de passe est enregistré. Connectez-vous avec ce mot de passe."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    """« Mot de passe oublié » (only when e-mail leaves the application): the same answer
    whether or not the account exists, throttled like logins."""
    if not mail_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/forgot.html", form=form), status
    address = request.remote_addr
    wait = resets.forgot_wait(form.email.data, address)
    if wait:
        return _too_many_attempts(
            _(
                "Trop de demandes ont été faites. Pour votre sécurité, réessayez dans %(delay)s.",
                delay=duration_text(wait),
            ),
            wait,
            "auth/forgot.html",
            form=form,
        )
    resets.count_forgot_request(form.email.data, address)
    user = resets.active_user_by_email(form.email.data)
    message_ids = []
    if user is not None:
        token = resets.issue_reset_link(user, actor=None)
        message_ids.append(queue_mail(user.email, *resets.reset_mail(user, token)))
    db.session.commit()
    flash(
        _(
            "Si un compte existe avec ce courriel, un lien pour choisir un nouveau mot de passe "
            "vient d'y être envoyé. Il reste valide %(hours)s heures.",
            hours=resets.RESET_LINK_HOURS,
        ),
        "info",
    )
    response = redirect(url_for("auth.login"))
    if message_ids:
        # Sent once the answer is out: talking to the mail server must not make the answer for
        # an existing account slower than for an unknown one.
        app = current_app._get_current_object()
        response.call_on_close(lambda: _deliver_in(app, message_ids))
    return response


def _deliver_in(app, message_ids: list[int]) -> None:
    with app.app_context():
        try:
            deliver(message_ids)
        finally:
            db.session.remove()


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """The user's own profile: phone and interface language."""
    user = current_user._get_current_object()
    form = ProfileForm(obj=user if request.method == "GET" else None)
    form.preferred_language.choices = language_choices()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/profile.html", form=form, user=user), status
    with unit_of_work(form) as work:
        update_profile(user, phone=form.phone.data, preferred_language=form.preferred_language.data)
    if not work.ok:
        return render_template("auth/profile.html", form=form, user=user), work.status
    session["lang"] = user.preferred_language
    with force_locale(user.preferred_language):
        flash(_("Votre profil est enregistré."), "success")
    return redirect(url_for("auth.profile"))
