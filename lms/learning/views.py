from functools import partial
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.access import get_by_key_or_404, get_or_404, roles_required
from lms.auth.models import Role
from lms.catalog.models import Cohort
from lms.errors import ServiceError, unit_of_work
from lms.extensions import db
from lms.learning import queries
from lms.learning.forms import (
    OralProductionForm,
    WrittenProductionForm,
    parse_answer,
    rubric_form,
    shuffled,
)
from lms.learning.grading import cloze_segments
from lms.learning.models import Attempt, Exercise, Lesson, Production
from lms.learning.rendering import render_markdown
from lms.learning.services import (
    RUBRIC_MAX,
    return_production,
    rubric_for,
    submit_attempt,
    submit_oral,
    submit_written,
)
from lms.learning.vocab import SKILL_LABELS
from lms.vocab import label_of

bp = Blueprint("learning", __name__)
STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)


@bp.app_template_filter("markdown")
def markdown_filter(text: str):
    return render_markdown(text)


@bp.app_template_filter("skill_label")
def skill_label(code: str | None) -> Any:
    return label_of(SKILL_LABELS, code)


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


@bp.route("/learn/")
@roles_required(Role.STUDENT)
def home():
    today = clock.today()
    current = queries.current_course(current_user.id, today)
    if current is None:
        return render_template("learning/home.html", current=None)
    plan = queries.course_plan(current.course.id, current_user.id)
    core = [u for u in plan if u.unit.track_key is None]
    this_week = next((u for u in core if u.unit.week == max(current.week, 1)), None)
    upcoming = [u for u in core if u.unit.week > max(current.week, 1)][:2]
    return render_template(
        "learning/home.html",
        current=current,
        this_week=this_week,
        upcoming=upcoming,
        skills=queries.skill_progress(current.course.id, current_user.id),
        descriptors=queries.level_descriptors(),
        teachers=queries.teacher_names(current.cohort.id),
        today=today,
        **queries.home_extras(current_user.id, current.cohort.id, today),
    )


@bp.route("/learn/plan")
@roles_required(Role.STUDENT)
def plan():
    current = queries.current_course(current_user.id, clock.today())
    if current is None:
        return redirect(url_for("learning.home"))
    return render_template(
        "learning/plan.html",
        current=current,
        plan=queries.course_plan(current.course.id, current_user.id),
        tracks=queries.track_titles(current.course.id),
    )


@bp.route("/learn/lessons/<key>")
@roles_required(Role.STUDENT, *STAFF)
def lesson(key: str):
    item = get_by_key_or_404(Lesson, key)
    student_id = current_user.id if current_user.role == Role.STUDENT else None
    unit, exercises = queries.lesson_detail(item.id, student_id)
    return render_template("learning/lesson.html", lesson=item, unit=unit, exercises=exercises)


def _exercise_context(exercise: Exercise) -> dict:
    seed = f"{current_user.id}:{exercise.key}"
    context = {"exercise": exercise, "lesson": db.session.get(Lesson, exercise.lesson_id)}
    if exercise.type == "cloze":
        context["segments"] = cloze_segments(exercise.spec["text"])
    elif exercise.type == "ordering":
        context["order"] = shuffled(exercise.spec["items"], seed)
    elif exercise.type == "matching":
        context["rights"] = shuffled(exercise.spec["pairs"], seed + ":right")
    elif exercise.type in ("multiple_choice", "listening"):
        context["multiple"] = sum(1 for c in exercise.spec["choices"] if c["correct"]) > 1
    return context


@bp.route("/learn/exercises/<key>", methods=["GET", "POST"])
@roles_required(Role.STUDENT, *STAFF)
def exercise(key: str):
    item = get_by_key_or_404(Exercise, key)
    is_student = current_user.role == Role.STUDENT
    context = _exercise_context(item)
    template = "learning/exercise.html"
    if item.is_production:
        return _production_exercise(item, context, is_student)

    if request.method == "POST":
        if not is_student:
            abort(403)
        with unit_of_work() as work:
            answer = parse_answer(item.type, item.spec, request.form)
            attempt = submit_attempt(current_user, item, answer)
        if work.ok:
            return redirect(url_for("learning.exercise", key=item.key, attempt=attempt.id))
        history = queries.recent_attempts(current_user.id, item.id)
        page = render_template(template, **context, error=work.error.message, history=history)
        return page, work.status

    shown = None
    attempt_id = request.args.get("attempt", type=int)
    if attempt_id and is_student:
        shown = get_or_404(Attempt, attempt_id)
        if shown.exercise_id != item.id:
            abort(404)
    history = queries.recent_attempts(current_user.id, item.id) if is_student else []
    return render_template(template, **context, attempt=shown, history=history)


def _production_exercise(item: Exercise, context: dict, is_student: bool):
    form = OralProductionForm() if item.type == "oral_production" else WrittenProductionForm()
    submitted = queries.productions_for(current_user.id, item.id) if is_student else []
    page = partial(
        render_template, "learning/exercise.html", **context, form=form, productions=submitted
    )
    if request.method == "GET":
        return page()
    if not is_student:
        abort(403)
    cohort_id = queries.active_cohort_for_course(
        current_user.id, queries.course_of_exercise(item.id), clock.today()
    )
    if cohort_id is None:
        flash(
            _("Votre inscription n'est pas active : vous ne pouvez pas envoyer de production."),
            "danger",
        )
        return page(), 422
    with unit_of_work() as work:
        _submit_production(item, form, cohort_id)
    if not work.ok:
        return page(error=work.error.message), work.status
    flash(_("Votre production a été envoyée à votre enseignant·e."), "success")
    return redirect(url_for("learning.exercise", key=item.key))


def _submit_production(item: Exercise, form, cohort_id: int) -> Production:
    """:raises ServiceError: nothing to send, or a production the service refuses."""
    if item.type != "oral_production":
        if not form.validate_on_submit():
            raise ServiceError(" ".join(str(e) for e in form.text.errors))
        return submit_written(current_user, item, cohort_id, form.text.data)
    upload = request.files.get("recording")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        raise ServiceError(_("Enregistrez-vous ou choisissez un fichier audio."))
    return submit_oral(
        current_user,
        item,
        cohort_id,
        filename=upload.filename,
        stream=upload.stream,
        upload_dir=_upload_dir(),
        max_bytes=current_app.config["MAX_AUDIO_BYTES"],
    )


@bp.route("/learn/history")
@roles_required(Role.STUDENT)
def history():
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    rows, total = queries.attempt_history(current_user.id, page)
    pages = max(1, -(-total // queries.HISTORY_PAGE))
    if page > pages:
        abort(404)
    return render_template("learning/history.html", rows=rows, page=page, pages=pages, total=total)


@bp.route("/learn/productions")
@roles_required(Role.STUDENT)
def my_productions():
    return render_template(
        "learning/productions.html", rows=queries.student_productions(current_user.id)
    )


@bp.route("/productions/<int:production_id>")
@roles_required(Role.STUDENT, *STAFF)
def production(production_id: int):
    item = get_or_404(Production, production_id)
    exercise = db.session.get(Exercise, item.exercise_id)
    return render_template(
        "learning/production.html",
        production=item,
        exercise=exercise,
        rubric=rubric_for(exercise),
        rubric_max=RUBRIC_MAX,
        student_name=queries.user_name(item.student_id),
    )


@bp.route("/productions/<int:production_id>/audio")
@roles_required(Role.STUDENT, *STAFF)
def production_audio(production_id: int):
    item = get_or_404(Production, production_id)
    if not item.file_name:
        abort(404)
    path = _upload_dir() / item.file_name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=item.file_type, conditional=True)


@bp.route("/cohorts/<int:cohort_id>/productions")
@roles_required(*STAFF)
def queue(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    return render_template(
        "learning/queue.html", cohort=cohort, rows=queries.production_queue(cohort.id)
    )


@bp.route("/productions/<int:production_id>/grade", methods=["GET", "POST"])
@roles_required(Role.TEACHER, Role.COORDINATOR, Role.ADMIN)
def grade(production_id: int):
    item = get_or_404(Production, production_id)
    exercise = db.session.get(Exercise, item.exercise_id)
    criteria = rubric_for(exercise)
    form = rubric_form(criteria, RUBRIC_MAX)(
        data={
            "comment": item.comment or "",
            **{f"score_{k}": str((item.rubric or {}).get(k, "")) for k, _l in criteria},
        }
        if request.method == "GET"
        else None
    )
    if request.method == "POST":
        if form.validate_on_submit():
            scores = {k: int(getattr(form, f"score_{k}").data) for k, _l in criteria}
            with unit_of_work():
                return_production(item, exercise, current_user, scores, form.comment.data)
            flash(_("La production a été retournée à l'élève."), "success")
            return redirect(url_for("learning.queue", cohort_id=item.cohort_id))
        status = 422
    else:
        status = 200
    return render_template(
        "learning/grade.html",
        production=item,
        exercise=exercise,
        form=form,
        criteria=criteria,
        student_name=queries.user_name(item.student_id),
    ), status
