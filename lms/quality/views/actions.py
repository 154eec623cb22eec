"""The follow-up of corrective actions: the list, and an action's status."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import roles_required
from lms.auth.models import Role
from lms.errors import unit_of_work
from lms.extensions import db
from lms.quality.forms import ActionStatusForm
from lms.quality.queries.actions import action_list as actions_of
from lms.quality.services.actions import set_action_status
from lms.quality.views.common import STAFF, bp, get_action_or_404
from lms.quality.vocab import ActionStatus


@bp.route("/quality/actions")
@roles_required(*STAFF)
def action_list():
    status = request.args.get("status", "open")
    status = status if status in tuple(ActionStatus) else None
    mine = current_user.role == Role.TEACHER or request.args.get("mine") == "1"
    rows = actions_of(current_user, status, mine)
    forms = {
        row.action.id: ActionStatusForm(
            prefix=f"a{row.action.id}", formdata=None, data={"status": row.action.status}
        )
        for row in rows
    }
    return render_template(
        "quality/actions.html",
        rows=rows,
        forms=forms,
        status=status or "",
        mine=mine,
        today=clock.today(),
    )


def _unknown_status():
    return render_template(
        "core/error.html",
        code=422,
        message=_("Statut inconnu : choisissez « en cours », « faite » ou « annulée »."),
    ), 422


@bp.route("/quality/actions/<int:action_id>/status", methods=["POST"])
@roles_required(*STAFF)
def action_status(action_id: int):
    action = get_action_or_404(action_id)
    form = ActionStatusForm(prefix=f"a{action.id}")
    if request.form.get("back") == "review":
        target = url_for("quality.review_detail", review_id=action.review_id) + "#actions"
    else:
        target = url_for("quality.action_list")
    if not form.validate_on_submit():
        db.session.rollback()
        return _unknown_status()
    with unit_of_work(form) as work:
        set_action_status(action, current_user, form.status.data, clock.today())
    if not work.ok:
        return _unknown_status()
    flash(_("Le suivi de l'action corrective est enregistré."), "success")
    return redirect(target)
