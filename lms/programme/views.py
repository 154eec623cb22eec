from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import programme_settings_page, roles_required
from lms.auth.models import Role
from lms.catalog.models import Site
from lms.errors import unit_of_work
from lms.extensions import db
from lms.programme import queries, services
from lms.programme.forms import ClosureForm, SettingsForm
from lms.programme.models import ClosureDay

bp = Blueprint("programme", __name__)


@bp.route("/programme/settings", methods=["GET", "POST"])
@programme_settings_page
def settings():
    form = SettingsForm(data=services.settings_as_shown() if request.method == "GET" else None)
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("programme/settings.html", form=form), status
    with unit_of_work(form):
        services.save_settings(
            {key: form[key].data for key in services.PAGE_SETTINGS}, actor=current_user
        )
    flash(_("Les paramètres du programme ont été enregistrés."), "success")
    return redirect(url_for("programme.settings"))


def _site_or_404(site_id: int) -> Site:
    """Closure calendars are edited by admins (any site)."""
    site = db.session.get(Site, site_id)
    if site is None:
        abort(404)
    return site


@bp.route("/sites/")
@roles_required(Role.ADMIN)
def sites():
    return render_template("programme/sites.html", rows=queries.sites())


@bp.route("/sites/<int:site_id>/closures", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def closures(site_id: int):
    site = _site_or_404(site_id)
    form = ClosureForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.add_closure(site, form.day.data, form.reason.data, actor=current_user)
        if work.ok:
            flash(_("La fermeture a été ajoutée."), "success")
            return redirect(url_for("programme.closures", site_id=site.id))
    days = queries.closure_days(site.id)
    page = render_template(
        "programme/closures.html", site=site, form=form, days=days, today=clock.today()
    )
    return page, 422 if request.method == "POST" else 200


@bp.route("/closures/<int:closure_id>/delete", methods=["POST"])
@roles_required(Role.ADMIN)
def closure_delete(closure_id: int):
    closure = db.session.get(ClosureDay, closure_id)
    if closure is None:
        abort(404)
    site_id = closure.site_id
    with unit_of_work():
        services.remove_closure(closure, actor=current_user)
    flash(_("La fermeture a été retirée."), "success")
    return redirect(url_for("programme.closures", site_id=site_id))
