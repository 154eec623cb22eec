"""The checkpoint templates: the list, a new one, one to change (admins change them;
coordinators read them)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import PROGRAMME_EDITORS, programme_settings_page, roles_required
from lms.errors import unit_of_work
from lms.extensions import db
from lms.quality.criteria.catalogue import CRITERIA, MANUAL_DEFAULTS
from lms.quality.forms import template_data, template_form
from lms.quality.models import CheckpointTemplate
from lms.quality.queries.templates import checkpoint_templates
from lms.quality.services.templates import save_template
from lms.quality.views.common import bp


@bp.route("/quality/templates")
@programme_settings_page
def template_list():
    return render_template(
        "quality/templates.html",
        templates=checkpoint_templates(),
        criteria=CRITERIA,
        manual=MANUAL_DEFAULTS,
    )


def _form_page(form, template: CheckpointTemplate | None, error: str | None, status: int):
    return render_template(
        "quality/template_form.html",
        form=form,
        template=template,
        criteria=CRITERIA,
        manual=MANUAL_DEFAULTS,
        error=error,
    ), status


def _template_page(template: CheckpointTemplate | None):
    form = template_form(template_data(template) if template and request.method == "GET" else None)
    if request.method != "POST":
        return _form_page(form, template, None, 200)
    if not form.validate_on_submit():
        db.session.rollback()
        return _form_page(form, template, _("Corrigez les champs indiqués."), 422)
    with unit_of_work(form) as work:
        saved = save_template(template, current_user, form.values())
    if not work.ok:
        return _form_page(form, template, work.error.message, work.status)
    flash(_("Le point de contrôle « %(name)s » est enregistré.", name=saved.name), "success")
    return redirect(url_for("quality.template_list"))


@bp.route("/quality/templates/new", methods=["GET", "POST"])
@roles_required(*PROGRAMME_EDITORS)
def template_new():
    return _template_page(None)


@bp.route("/quality/templates/<int:template_id>", methods=["GET", "POST"])
@programme_settings_page
def template_edit(template_id: int):
    template = db.session.get(CheckpointTemplate, template_id)
    if template is None:
        abort(404)
    return _template_page(template)
