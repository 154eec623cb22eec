from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_or_404, roles_required
from lms.admin import queries
from lms.admin.forms import NewUserForm, UserForm, role_choices
from lms.admin.services import parse_cohort_codes, scopes_of, set_scopes, update_user
from lms.auth.models import ROLE_VALUES, Role, User
from lms.auth.services import create_user, email_taken, hash_password
from lms.errors import unit_of_work
from lms.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    role = request.args.get("role") or None
    if role and role not in ROLE_VALUES:
        role = None
    q = (request.args.get("q") or "").strip()[:100]
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    users, total, regions, cohorts = queries.user_page(role=role, q=q, page=page)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    return render_template(
        "admin/index.html",
        users=users,
        total=total,
        regions=regions,
        cohorts=cohorts,
        counts=queries.counts(),
        role=role,
        role_labels=[(c.value, str(c.label)) for c in role_choices()],
        q=q,
        page=page,
        pages=pages,
    )


def _accepted(form: UserForm, user: User | None) -> list[int] | None:
    """The ids of the cohorts typed when the whole form is acceptable, else ``None`` with every
    problem shown on the form at once: the form's own checks, unknown cohort codes, an e-mail
    another account has, an admin taking away their own admin role."""
    valid = form.validate_on_submit()
    cohort_ids, unknown = parse_cohort_codes(form.cohort_codes.data)
    if unknown:
        form.cohort_codes.errors.append(
            _("Groupes inconnus : %(codes)s.", codes=", ".join(unknown))
        )
        valid = False
    if form.email.data and email_taken(form.email.data, except_id=user.id if user else None):
        form.email.errors.append(_("Un compte existe déjà avec ce courriel."))
        valid = False
    demoting_self = form.role.data != Role.ADMIN or not form.active.data
    if user is not None and user.id == current_user.id and demoting_self:
        form.role.errors.append(
            _("Vous ne pouvez pas retirer votre propre rôle d'administrateur·trice.")
        )
        valid = False
    return cohort_ids if valid else None


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    form = NewUserForm()
    form.region_ids.choices = queries.region_choices()
    if request.method == "GET":
        form.role.data = Role.STUDENT.value
        return render_template("admin/user_form.html", form=form, user=None)
    cohort_ids = _accepted(form, None)
    if cohort_ids is None:
        return render_template("admin/user_form.html", form=form, user=None), 422
    # Hashed (slow: scrypt) with no transaction open: on SQLite it would hold the write lock.
    db.session.rollback()  # nothing written yet
    password_hash = hash_password(form.password.data)
    with unit_of_work(form):
        user = create_user(
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            password_hash=password_hash,
            preferred_language=form.preferred_language.data,
            actor=current_user,
            temporary=True,  # chosen by the admin: the person chooses their own at first login
        )
        user.active = form.active.data
        set_scopes(user, region_ids=form.region_ids.data, cohort_ids=cohort_ids, actor=current_user)
    flash(_("Le compte de %(name)s a été créé.", name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    user = get_or_404(User, user_id, "manage")
    form = UserForm(obj=user if request.method == "GET" else None)
    form.region_ids.choices = queries.region_choices()
    if request.method == "GET":
        form.region_ids.data = scopes_of(user)["region_ids"]
        form.cohort_codes.data = ", ".join(queries.cohort_codes_of(user.id))
        return render_template("admin/user_form.html", form=form, user=user)
    cohort_ids = _accepted(form, user)
    if cohort_ids is None:
        return render_template("admin/user_form.html", form=form, user=user), 422
    with unit_of_work(form):
        update_user(
            user,
            actor=current_user,
            email=form.email.data,
            name=form.name.data.strip(),
            role=form.role.data,
            preferred_language=form.preferred_language.data,
            active=form.active.data,
        )
        set_scopes(user, region_ids=form.region_ids.data, cohort_ids=cohort_ids, actor=current_user)
    flash(_("Le compte de %(name)s a été enregistré.", name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))
