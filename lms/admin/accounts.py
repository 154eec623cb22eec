"""« Comptes »: admins and coordinators give a person a one-time link to choose a new password.

Admins may do it for any account; coordinators for the students and teachers of the cohorts of
their regions (``lms.access.manageable_account_ids``): another account is a 404. The link is
e-mailed when mail leaves the application (MAIL_SERVER), else shown once on the page, to be
passed on by hand.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.access import can_manage_account, roles_required
from lms.admin import queries
from lms.auth import resets
from lms.auth.mail import deliver, mail_configured, queue_mail
from lms.auth.models import Role, User
from lms.auth.vocab import ROLE_LABELS
from lms.errors import unit_of_work
from lms.extensions import db
from lms.urls import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/accounts")

MANAGERS = (Role.COORDINATOR, Role.ADMIN)


@bp.route("/")
@roles_required(*MANAGERS)
def index():
    q = (request.args.get("q") or "").strip()[:100]
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    users, total, cohorts = queries.account_page(current_user, q=q, page=page)
    return render_template(
        "admin/accounts.html",
        users=users,
        total=total,
        cohorts=cohorts,
        role_labels=ROLE_LABELS,
        q=q,
        page=page,
        pages=max(1, -(-total // queries.PAGE_SIZE)),
        mail=mail_configured(),
    )


@bp.route("/<int:user_id>/reset-link", methods=["POST"])
@roles_required(*MANAGERS)
def reset_link(user_id: int):
    """A new one-time link for the account (its older unused links stop working)."""
    user = db.session.get(User, user_id)
    if user is None or not can_manage_account(current_user, user):
        abort(404)
    mailed = mail_configured()
    message_ids = []
    with unit_of_work() as work:
        token = resets.issue_reset_link(user, actor=current_user)
        if mailed:
            message_ids.append(queue_mail(user.email, *resets.reset_mail(user, token)))
    if not work.ok:
        flash(work.error.message, "danger")
        return redirect(safe_next(request.form.get("next")) or url_for("accounts.index"))
    _sent, failed = deliver(message_ids)
    return render_template(
        "admin/reset_link.html",
        user=user,
        failed=failed,
        link=None if mailed else resets.reset_url(token),
        hours=resets.RESET_LINK_HOURS,
        back=safe_next(request.form.get("next")) or url_for("accounts.index"),
    )
