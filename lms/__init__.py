"""Francisation LMS: the application factory."""

from __future__ import annotations

import hmac
import os
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    g,
    has_request_context,
    make_response,
    render_template,
    request,
    session,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.exc import DataError
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from lms import security_headers
from lms.config import ROOT, Config, check_production_settings
from lms.dbutil import SQLITE_BUSY_TIMEOUT_MS, lock_wait_ms, write_intent
from lms.extensions import babel, bootstrap, csrf, db, login_manager, migrate
from lms.routing import DatabaseIntConverter, is_out_of_range

TEMPLATES = ROOT / "templates"
MIGRATIONS = ROOT / "migrations"


def create_app(config: dict[str, Any] | type | None = None) -> Flask:
    """Build the application. ``config`` is a settings class or a dict of overrides."""
    app = Flask(__name__, template_folder=str(TEMPLATES), instance_path=str(ROOT / "instance"))
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    check_production_settings(app.config)  # raises InsecureSettingsError (a RuntimeError)
    if app.config.get("LMS_PROXY_COUNT", 0) > 0:  # behind N proxies: the client's address
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["LMS_PROXY_COUNT"])
    Path(app.instance_path).mkdir(exist_ok=True)
    app.url_map.converters["int"] = DatabaseIntConverter  # before any route is added

    register_extensions(app)
    register_extension_points()
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    security_headers.init_app(app)
    if os.environ.get("LMS_SCHEDULER") == "embedded" and not app.testing:
        from lms.scheduler import start_embedded

        start_embedded(app)
    return app


def _select_locale() -> str:
    from flask import current_app

    if not has_request_context():  # CLI commands and jobs speak French
        return "fr"
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated:
        return current_user.preferred_language
    lang = session.get("lang")
    if lang in languages:
        return lang
    return "fr"


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from lms import models  # noqa: F401  (every model registered on the metadata)
    from lms.auth.models import User

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _sep, token = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active:
            return None
        if not hmac.compare_digest(user.session_token.encode(), token.encode()):
            return None  # the token changed (logout, password change): the session has ended
        return user

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
            event.listen(db.engine, "begin", _sqlite_begin)
            event.listen(db.engine, "checkin", _sqlite_checkin)

    @app.before_request
    def _declare_write_intent() -> None:
        g.write_intent_token = write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _end_write_intent(_exc: BaseException | None) -> None:
        token = g.pop("write_intent_token", None)
        if token is not None:
            write_intent.reset(token)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin), and set the per-connection pragmas.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # A request that may write (POST...) takes the write lock at BEGIN (IMMEDIATE), so that a
    # transaction that reads then writes cannot fail half-way on a lock; reads stay DEFERRED
    # and, in WAL mode, never block writers.
    wait = lock_wait_ms.get()
    if wait is not None:  # a longer wait for this unit of work only (see _sqlite_checkin)
        conn.exec_driver_sql(f"PRAGMA busy_timeout={wait}")
        conn.info["busy_timeout_changed"] = True
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def _sqlite_checkin(dbapi_connection, record) -> None:
    # Pragmas stick to pooled connections: give the next user the default wait back.
    if record is not None and record.info.pop("busy_timeout_changed", False):
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def register_extension_points() -> None:
    """Higher features plug into the extension points of lower ones, which import none of them:
    the access policies of their models (lms.access), alerts in the follow-up pages, the quality
    rule among the alert rules, what the student's home page shows (lms.learning.queries).
    Registering twice changes nothing (one process may build several apps)."""
    from lms.alerts import followup_sources
    from lms.alerts import policies as alert_policies
    from lms.attendance import cohort_probe as attendance_cohort_probe
    from lms.attendance import student_home as attendance_home
    from lms.employers import policies as employer_policies
    from lms.followup import policies as followup_policies
    from lms.intake import policies as intake_policies
    from lms.learning import policies as learning_policies
    from lms.mail import accounts as mail_accounts
    from lms.quality import alert_rules as quality_alert_rules
    from lms.quality import policies as quality_policies
    from lms.quality import student_home as quality_home

    for plug in (
        learning_policies,
        attendance_home,
        attendance_cohort_probe,
        followup_policies,
        alert_policies,
        mail_accounts,
        followup_sources,
        employer_policies,
        quality_policies,
        quality_alert_rules,
        quality_home,
        intake_policies,
    ):
        plug.register()


def register_blueprints(app: Flask) -> None:
    from lms.admin.accounts import bp as accounts_bp
    from lms.admin.views import bp as admin_bp
    from lms.alerts.views import bp as alerts_bp
    from lms.attendance.views import bp as attendance_bp
    from lms.audit_log.views import bp as audit_bp
    from lms.auth.views import bp as auth_bp
    from lms.catalog.views import bp as catalog_bp
    from lms.core.views import bp as core_bp
    from lms.employers.views import bp as employers_bp
    from lms.followup.views import bp as followup_bp
    from lms.intake.views import bp as intake_bp
    from lms.learning.views import bp as learning_bp
    from lms.programme.views import bp as programme_bp
    from lms.quality.views import bp as quality_bp

    for bp in (
        core_bp,
        auth_bp,
        catalog_bp,
        admin_bp,
        accounts_bp,
        learning_bp,
        attendance_bp,
        followup_bp,
        programme_bp,
        alerts_bp,
        employers_bp,
        quality_bp,
        audit_bp,
        intake_bp,
    ):
        app.register_blueprint(bp)


def register_commands(app: Flask) -> None:
    from lms.cli import lms_group

    app.cli.add_command(lms_group)


def register_errorhandlers(app: Flask) -> None:
    messages = {
        400: _l("La demande n'a pas pu être traitée."),
        403: _l("Vous n'avez pas accès à cette page."),
        404: _l("Cette page n'existe pas ou ne vous est pas accessible."),
        405: _l("Cette action n'est pas permise ici."),
        413: _l("Le fichier envoyé est trop volumineux."),
        416: _l("La partie demandée du fichier n'existe pas."),
        500: _l("Une erreur est survenue de notre côté. Réessayez dans un moment."),
    }

    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code == 500:
            db.session.rollback()
        response = make_response(
            render_template("core/error.html", code=code, message=messages[code]), code
        )
        # Keep the headers the error defines (Allow of a 405, Content-Range of a 416).
        get_headers = getattr(error, "get_headers", None)
        for name, value in get_headers() if get_headers else ():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    for code in messages:
        app.register_error_handler(code, render_error)

    def database_value_error(error):
        # An id typed in a query string or a form, too large for the database: no such row.
        if not is_out_of_range(error):
            raise error  # any other error: the usual 500 (logged, or raised in tests)
        db.session.rollback()
        app.logger.info("out-of-range value answered 404: %s", error)
        return render_error(NotFound())

    app.register_error_handler(OverflowError, database_value_error)
    app.register_error_handler(DataError, database_value_error)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        message = _l(
            "Le formulaire a expiré ou n'est pas valide. Revenez à la page précédente, "
            "rechargez-la et recommencez."
        )
        return render_template("core/error.html", code=400, message=message), 400


def register_template_helpers(app: Flask) -> None:
    from lms.access import may_change_programme
    from lms.auth.models import Role

    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_global(may_change_programme)

    @app.context_processor
    def inject():
        return {
            "Role": Role,
            "current_path": request.full_path.rstrip("?"),
            "get_locale": get_locale,
        }

    @app.template_filter("date_fr")
    def date_fr(value) -> str:
        from flask_babel import format_date

        return format_date(value, "d MMM yyyy") if value else ""

    @app.template_filter("datetime_fr")
    def datetime_fr(value) -> str:
        from flask_babel import format_datetime

        return format_datetime(value, "d MMM yyyy HH:mm") if value else ""
