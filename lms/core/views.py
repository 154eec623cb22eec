from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from lms.auth.models import Role
from lms.extensions import db
from lms.urls import safe_next

bp = Blueprint("core", __name__)

HOME_BY_ROLE = {
    Role.STUDENT: "learning.home",
    Role.TEACHER: "catalog.cohort_list",
    Role.COORDINATOR: "catalog.cohort_list",
    Role.ADMIN: "admin.index",
}


@bp.route("/")
@login_required
def home():
    return redirect(url_for(HOME_BY_ROLE[Role(current_user.role)]))


@bp.route("/language", methods=["POST"])
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        return jsonify(error="unknown language"), 400
    session["lang"] = lang
    if current_user.is_authenticated and current_user.preferred_language != lang:
        current_user.preferred_language = lang
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure of the database
        current_app.logger.warning("health check: database unavailable: %s", exc)
        database = "unavailable"
    scheduler: dict = {"running": False}
    if database == "ok":
        from lms.scheduler import lease_status

        scheduler.update(lease_status())
    # Monitors and other callers get the status only: no host, process or lease details.
    # (Who is calling is read from the database: not when it is down.)
    is_admin = database == "ok" and current_user.is_authenticated
    if not (is_admin and current_user.role == Role.ADMIN):
        scheduler = {"running": scheduler["running"]}
    else:
        scheduler["embedded"] = "lms_scheduler" in current_app.extensions
    status = 200 if database == "ok" else 503
    return jsonify(
        status="ok" if status == 200 else "degraded", database=database, scheduler=scheduler
    ), status
