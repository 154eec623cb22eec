from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms import clock
from lms.access import programme_settings_page, roles_required
from lms.audit.services import record
from lms.auth.models import Role
from lms.catalog.models import Region, Site
from lms.extensions import db
from lms.programme.calendar import holiday_name
from lms.programme.forms import ClosureForm, SettingsForm
from lms.programme.models import ClosureDay
from lms.programme.settings import all_settings, set_setting

bp = Blueprint("programme", __name__)


@bp.route("/programme/settings", methods=["GET", "POST"])
@programme_settings_page
def settings():
    values = all_settings()
    form = SettingsForm(
        data={
            **values,
            "allowance_weekly_amount": Decimal(str(values["allowance_weekly_amount"])),
            "allowance_min_rate": round(values["allowance_min_rate"] * 100),
        }
        if request.method == "GET"
        else None
    )
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("programme/settings.html", form=form), 422
        set_setting(
            "allowance_weekly_amount", float(form.allowance_weekly_amount.data), actor=current_user
        )
        set_setting("allowance_rule", form.allowance_rule.data, actor=current_user)
        set_setting("allowance_min_rate", form.allowance_min_rate.data / 100, actor=current_user)
        set_setting(
            "allowance_justified_days_per_course",
            form.allowance_justified_days_per_course.data,
            actor=current_user,
        )
        set_setting("interview_cadence_days", form.interview_cadence_days.data, actor=current_user)
        db.session.commit()
        flash(_("Les paramètres du programme ont été enregistrés."), "success")
        return redirect(url_for("programme.settings"))
    return render_template("programme/settings.html", form=form)


def _site_or_404(site_id: int) -> Site:
    """Closure calendars are edited by admins (any site)."""
    site = db.session.get(Site, site_id)
    if site is None:
        abort(404)
    return site


@bp.route("/sites/")
@roles_required(Role.ADMIN)
def sites():
    rows = db.session.execute(
        select(Site, Region.name)
        .join(Region, Region.id == Site.region_id)
        .order_by(Region.name, Site.name)
    ).all()
    return render_template("programme/sites.html", rows=rows)


@bp.route("/sites/<int:site_id>/closures", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def closures(site_id: int):
    site = _site_or_404(site_id)
    form = ClosureForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            exists = db.session.scalar(
                select(ClosureDay.id).where(
                    ClosureDay.site_id == site.id, ClosureDay.day == form.day.data
                )
            )
            if exists:
                form.day.errors.append(_("Cette date est déjà une journée de fermeture."))
            elif form.day.data.weekday() >= 5:
                form.day.errors.append(_("Cette date tombe une fin de semaine."))
            elif holiday_name(form.day.data):
                form.day.errors.append(
                    _(
                        "Cette date est déjà un jour férié : %(name)s.",
                        name=holiday_name(form.day.data),
                    )
                )
            else:
                closure = ClosureDay(site_id=site.id, day=form.day.data, reason=form.reason.data)
                db.session.add(closure)
                db.session.flush()
                record(
                    "closure.create",
                    closure,
                    actor=current_user,
                    after={"site_id": site.id, "day": str(closure.day), "reason": closure.reason},
                )
                db.session.commit()
                flash(_("La fermeture a été ajoutée."), "success")
                return redirect(url_for("programme.closures", site_id=site.id))
        status = 422
    days = list(
        db.session.scalars(
            select(ClosureDay).where(ClosureDay.site_id == site.id).order_by(ClosureDay.day)
        )
    )
    return render_template(
        "programme/closures.html", site=site, form=form, days=days, today=clock.today()
    ), status


@bp.route("/closures/<int:closure_id>/delete", methods=["POST"])
@roles_required(Role.ADMIN)
def closure_delete(closure_id: int):
    closure = db.session.get(ClosureDay, closure_id)
    if closure is None:
        abort(404)
    record(
        "closure.delete",
        closure,
        actor=current_user,
        before={"site_id": closure.site_id, "day": str(closure.day), "reason": closure.reason},
    )
    site_id = closure.site_id
    db.session.delete(closure)
    db.session.commit()
    flash(_("La fermeture a été retirée."), "success")
    return redirect(url_for("programme.closures", site_id=site_id))
