"""The satisfaction survey: the students' questionnaire, and a cohort's results for its staff."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms import clock
from lms.access import roles_required
from lms.auth.models import Role
from lms.catalog.models import Cohort
from lms.errors import unit_of_work
from lms.extensions import db
from lms.quality.forms import SurveyForm
from lms.quality.queries.survey import (
    ANONYMITY_THRESHOLD,
    survey_cohort,
    survey_completed,
)
from lms.quality.queries.survey import survey_results as results_of
from lms.quality.services.survey import submit_survey
from lms.quality.views.common import STAFF, bp, get_cohort_or_404
from lms.quality.vocab import SURVEY_QUESTIONS, SURVEY_SCALE


def _questionnaire(form: SurveyForm, cohort: Cohort, error: str | None = None, status: int = 200):
    return render_template(
        "quality/survey.html", form=form, cohort=cohort, questions=SURVEY_QUESTIONS, error=error
    ), status


@bp.route("/learn/survey", methods=["GET", "POST"])
@roles_required(Role.STUDENT)
def survey():
    today = clock.today()
    cohort = survey_cohort(current_user.id, today)
    if cohort is None:
        answered = bool(survey_completed(current_user.id))
        status = 409 if request.method == "POST" else 200
        return render_template("quality/survey_closed.html", answered=answered), status
    form = SurveyForm()
    if request.method != "POST":
        return _questionnaire(form, cohort)
    if not form.validate_on_submit():
        db.session.rollback()
        return _questionnaire(
            form, cohort, _("Répondez à toutes les questions, s'il vous plaît."), 422
        )
    try:
        with unit_of_work(form) as work:
            submit_survey(current_user, cohort, form.answers(), form.comment.data, today)
    except IntegrityError:  # the same student submitting twice at once
        return render_template("quality/survey_closed.html", answered=True), 409
    if not work.ok:
        return _questionnaire(form, cohort, work.error.message, work.status)
    return render_template("quality/survey_thanks.html")


@bp.route("/quality/cohorts/<int:cohort_id>/survey")
@roles_required(*STAFF)
def survey_results(cohort_id: int):
    cohort = get_cohort_or_404(cohort_id, teachers=True)
    return render_template(
        "quality/survey_results.html",
        cohort=cohort,
        results=results_of(cohort.id, list(SURVEY_QUESTIONS)),
        questions=SURVEY_QUESTIONS,
        scale=SURVEY_SCALE,
        threshold=ANONYMITY_THRESHOLD,
        format_decimal=format_decimal,
    )
