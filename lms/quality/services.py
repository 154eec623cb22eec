"""Quality-control verbs: create the checkpoint reviews that fall due, compute their automatic
criteria, draw the sample, record findings and corrective actions, sign off, amend; edit the
checkpoint templates; take the satisfaction survey.

They flush, never commit: the view or the job owns the transaction. Every change is recorded in
the audit log on the review (``entity_type`` « CheckpointReview »), so that a review's history is
one filter away. A signed review is immutable: every verb that would change it raises
:class:`ReviewLocked`; the only exception is the follow-up of its corrective actions
(:func:`set_action_status`), which happens after the sign-off by design.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from lms import clock
from lms.audit.services import record
from lms.auth.models import Role, User
from lms.catalog.models import Cohort, Enrolment, Site, cohort_teacher, coordinator_region
from lms.errors import ServiceError
from lms.extensions import db
from lms.quality import criteria as catalogue
from lms.quality.models import (
    CheckpointReview,
    CheckpointTemplate,
    CorrectiveAction,
    ReviewFinding,
    SurveyCompletion,
    SurveyResponse,
)
from lms.quality.vocab import SURVEY_QUESTIONS, ActionStatus, FindingResult, Verdict


class QualityError(ServiceError):
    """A request that cannot be done; ``message`` is for the user (French).

    ``status`` is the HTTP status the view answers with (422 bad input, 409 conflict);
    ``field`` names the form field to attach the message to, if any.
    """

    status = 422

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class ReviewLocked(QualityError):
    """The review is signed: it cannot change any more (make an amendment)."""

    status = 409


# --- when a checkpoint falls ----------------------------------------------------------------------


def due_date(template: CheckpointTemplate, cohort: Cohort) -> date | None:
    """The day ``template``'s checkpoint falls in ``cohort``, or ``None`` if it does not apply.

    « week N »: the Friday of the cohort's week N (weeks counted from its start date; the end
    date if the cohort ends before that Friday); ``None`` if week N starts after the cohort's end.
    « after_end »: N days after the cohort's end.
    """
    if template.when_kind == "after_end":
        return cohort.end_on + timedelta(days=template.when_value)
    week_start = cohort.start_on + timedelta(weeks=template.when_value - 1)
    if template.when_value < 1 or week_start > cohort.end_on:
        return None
    friday = week_start + timedelta(days=(4 - week_start.weekday()) % 7)
    return min(friday, cohort.end_on)


def origin_key(cohort_id: int, template_id: int) -> str:
    return f"{cohort_id}:{template_id}"


def criterion_entries(template: CheckpointTemplate) -> list[dict[str, Any]]:
    """The review's criteria from its template: automatic ones (known codes) then manual ones,
    each with a unique ``key`` (the code)."""
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in template.criteria or []:
        code = item.get("code")
        criterion = catalogue.CRITERIA.get(code)
        if criterion is None or code in seen:
            continue
        seen.add(code)
        entries.append(
            {
                "key": code,
                "code": code,
                "type": "auto",
                "label": str(criterion.title),
                "params": criterion.effective(item.get("params")),
            }
        )
    for item in template.manual_criteria or []:
        code = item.get("code")
        if not code or code in seen or item.get("kind") not in catalogue.MANUAL_KINDS:
            continue
        seen.add(code)
        entries.append(
            {
                "key": code,
                "code": code,
                "type": "manual",
                "kind": item["kind"],
                "label": item.get("label") or str(catalogue.MANUAL_KINDS[item["kind"]]),
            }
        )
    return entries


def _snapshot(review: CheckpointReview) -> dict[str, Any]:
    return {
        "status": review.status,
        "verdict": review.verdict,
        "comment": review.comment,
        "sample": review.sample,
    }


# --- creating and evaluating reviews --------------------------------------------------------------


def create_due_reviews(today: date) -> list[CheckpointReview]:
    """Create the reviews that are due (``due_on <= today``) and do not exist yet, for every
    cohort that has started and every active template. Flushes.

    Idempotent: an original review is keyed by ``origin_key`` (« cohort:template », unique), so
    a second call creates nothing and two concurrent calls cannot both create it.
    """
    templates = list(
        db.session.scalars(select(CheckpointTemplate).where(CheckpointTemplate.active.is_(True)))
    )
    if not templates:
        return []
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.start_on <= today)))
    existing = set(
        db.session.scalars(
            select(CheckpointReview.origin_key).where(CheckpointReview.origin_key.is_not(None))
        )
    )
    created = []
    for cohort in cohorts:
        for template in templates:
            key = origin_key(cohort.id, template.id)
            due = due_date(template, cohort)
            if key in existing or due is None or due > today:
                continue
            review = CheckpointReview(
                cohort_id=cohort.id,
                template_id=template.id,
                origin_key=key,
                due_on=due,
                status="due",
                results=criterion_entries(template),
                comment="",
            )
            db.session.add(review)
            created.append(review)
    if created:
        db.session.flush()
        for review in created:
            record(
                "review.create",
                review,
                after={
                    "cohort_id": review.cohort_id,
                    "template_id": review.template_id,
                    "due_on": review.due_on.isoformat(),
                },
            )
    return created


def evaluate_reviews(reviews: list[CheckpointReview], today: date) -> int:
    """(Re)compute the automatic criteria of unsigned ``reviews``, all at once: each criterion
    of the catalogue runs once for every review that has it (a fixed number of queries).

    The criteria list is rebuilt from the review's template (an amendment keeps the manual
    criteria it was copied with). Flushes. :returns: the number of reviews evaluated.
    """
    reviews = [r for r in reviews if r.status != "signed"]
    if not reviews:
        return 0
    cohorts = {
        c.id: c
        for c in db.session.scalars(
            select(Cohort).where(Cohort.id.in_({r.cohort_id for r in reviews}))
        )
    }
    templates = {
        t.id: t
        for t in db.session.scalars(
            select(CheckpointTemplate).where(
                CheckpointTemplate.id.in_({r.template_id for r in reviews})
            )
        )
    }
    entries: dict[int, list[dict[str, Any]]] = {}
    items: list[tuple[str, catalogue.Subject]] = []
    for review in reviews:
        current = criterion_entries(templates[review.template_id])
        if review.amends_id is not None:
            # An amendment keeps the criteria of the review it corrects.
            current = [dict(e) for e in review.results or []]
        entries[review.id] = current
        as_of = min(today, review.due_on)
        for entry in current:
            if entry["type"] == "auto":
                items.append(
                    (
                        entry["code"],
                        catalogue.Subject(
                            review.id, cohorts[review.cohort_id], as_of, entry["params"]
                        ),
                    )
                )
    outcomes = catalogue.evaluate(items)
    now = clock.utcnow()
    for review in reviews:
        results = []
        for entry in entries[review.id]:
            entry = {k: v for k, v in entry.items() if k not in ("status", "figures", "evidence")}
            outcome = outcomes.get((entry.get("code"), review.id))
            if entry["type"] == "auto" and outcome is not None:
                entry.update(
                    status=outcome.status, figures=outcome.figures, evidence=outcome.evidence
                )
            results.append(entry)
        review.results = results
        review.evaluated_at = now
    db.session.flush()
    return len(reviews)


def evaluate_all(today: date) -> dict[str, int]:
    """Create the due reviews, then (re)compute every unsigned review. Flushes."""
    created = create_due_reviews(today)
    pending = list(
        db.session.scalars(select(CheckpointReview).where(CheckpointReview.status == "due"))
    )
    return {"created": len(created), "evaluated": evaluate_reviews(pending, today)}


# --- the review ---------------------------------------------------------------------------------


def _unsigned(review: CheckpointReview) -> None:
    if review.status == "signed":
        raise ReviewLocked(
            _(
                "Cette revue est signée : elle ne peut plus être modifiée. Créez un amendement "
                "pour la corriger."
            )
        )


def sample_population(review: CheckpointReview) -> list[int]:
    """The students whose files may be drawn: enrolled in the cohort by the due date."""
    return list(
        db.session.scalars(
            select(Enrolment.student_id)
            .where(Enrolment.cohort_id == review.cohort_id, Enrolment.start_on <= review.due_on)
            .distinct()
            .order_by(Enrolment.student_id)
        )
    )


def draw_sample(
    review: CheckpointReview,
    actor: User,
    size: int,
    rng: random.Random | None = None,
) -> list[int]:
    """Draw ``size`` student files at random (all of them if fewer), once per review.

    :raises ReviewLocked: the review is signed.
    :raises QualityError: (409) a sample was already drawn; (422) no student to draw from.
    """
    _unsigned(review)
    if review.sample:
        raise QualityError(
            _("L'échantillon a déjà été tiré : il ne peut pas être tiré une deuxième fois."),
            status=409,
        )
    population = sample_population(review)
    if not population:
        raise QualityError(_("Aucun·e élève inscrit·e dans ce groupe : rien à tirer."))
    chosen = (rng or random.SystemRandom()).sample(population, min(size, len(population)))
    review.sample = sorted(chosen)
    review.sample_drawn_at = clock.utcnow()
    review.sample_drawn_by_id = actor.id
    db.session.flush()
    record(
        "review.sample",
        review,
        actor=actor,
        after={"sample": review.sample, "population": len(population), "size": size},
    )
    return review.sample


def _entry(review: CheckpointReview, criterion: str) -> dict[str, Any]:
    for entry in review.results or []:
        if entry.get("key") == criterion:
            return entry
    raise QualityError(_("Ce critère ne fait pas partie de la revue."), field="criterion")


def record_finding(
    review: CheckpointReview,
    actor: User,
    criterion: str,
    result: str,
    text: str,
    scores: dict[str, int] | None = None,
) -> ReviewFinding:
    """Record (or replace) the coordinator's finding on one criterion.

    :param scores: for the class observation, the rubric: every item of
        :data:`~lms.quality.criteria.OBSERVATION_RUBRIC` scored 1 to 4.
    :raises ReviewLocked: the review is signed.
    :raises QualityError: unknown criterion or result, a non-conforming finding without an
        explanation, a sample criterion before the sample is drawn, an incomplete rubric.
    """
    _unsigned(review)
    entry = _entry(review, criterion)
    if result not in tuple(FindingResult):
        raise QualityError(_("Choisissez un résultat."), field="result")
    text = (text or "").strip()
    if result == "non_conforme" and not text:
        raise QualityError(_("Décrivez ce qui n'est pas conforme."), field="text")
    details: dict[str, Any] = {}
    if entry.get("kind") == "sample" and not review.sample and result != "sans_objet":
        raise QualityError(
            _("Tirez d'abord l'échantillon de dossiers avant de noter ce critère."),
            field="result",
        )
    if entry.get("kind") == "observation" and result != "sans_objet":
        scores = scores or {}
        if set(scores) != set(catalogue.OBSERVATION_RUBRIC) or not all(
            isinstance(v, int) and 1 <= v <= 4 for v in scores.values()
        ):
            raise QualityError(
                _("Notez chacun des éléments de la grille d'observation (de 1 à 4)."),
                field="scores",
            )
        details = {"scores": {k: int(scores[k]) for k in catalogue.OBSERVATION_RUBRIC}}
    if entry.get("kind") == "sample" and review.sample:
        details = {"sample": list(review.sample)}
    finding = db.session.scalar(
        select(ReviewFinding).where(
            ReviewFinding.review_id == review.id, ReviewFinding.criterion == criterion
        )
    )
    before = None
    if finding is None:
        finding = ReviewFinding(review_id=review.id, criterion=criterion)
        db.session.add(finding)
    else:
        before = {"result": finding.result, "text": finding.text, "details": finding.details}
    finding.result = result
    finding.text = text
    finding.details = details
    finding.recorded_by_id = actor.id
    finding.recorded_at = clock.utcnow()
    db.session.flush()
    record(
        "review.finding",
        review,
        actor=actor,
        before=before and {"criterion": criterion, **before},
        after={"criterion": criterion, "result": result, "text": text, "details": details},
    )
    return finding


def owner_choices(cohort_id: int) -> list[tuple[int, str, str]]:
    """Who may own a corrective action: the cohort's teachers and its region's coordinators,
    as ``(id, name, role)`` (one query)."""
    teachers = select(cohort_teacher.c.user_id).where(cohort_teacher.c.cohort_id == cohort_id)
    coordinators = (
        select(coordinator_region.c.user_id)
        .join(Site, Site.region_id == coordinator_region.c.region_id)
        .join(Cohort, Cohort.site_id == Site.id)
        .where(Cohort.id == cohort_id)
    )
    rows = db.session.execute(
        select(User.id, User.name, User.role)
        .where(User.active.is_(True), User.id.in_(teachers.union(coordinators)))
        .order_by(User.role.desc(), User.name)
    ).all()
    return [(r.id, r.name, r.role) for r in rows]


def add_action(
    review: CheckpointReview,
    actor: User,
    description: str,
    owner_id: int,
    due_on: date,
    today: date,
) -> CorrectiveAction:
    """Add a corrective action to an unsigned review.

    :raises ReviewLocked: the review is signed.
    :raises QualityError: empty description, an owner who is neither a teacher of the cohort
        nor a coordinator of its region, a due date in the past.
    """
    _unsigned(review)
    description = (description or "").strip()
    if not description:
        raise QualityError(_("Décrivez l'action corrective."), field="description")
    if owner_id not in {uid for uid, _n, _r in owner_choices(review.cohort_id)}:
        raise QualityError(
            _(
                "Choisissez une personne responsable parmi les enseignant·es du groupe et les "
                "conseiller·ères pédagogiques de la région."
            ),
            field="owner_id",
        )
    if due_on < today:
        raise QualityError(_("L'échéance ne peut pas être dans le passé."), field="due_on")
    action = CorrectiveAction(
        review_id=review.id,
        description=description,
        owner_id=owner_id,
        due_on=due_on,
        status="open",
    )
    db.session.add(action)
    db.session.flush()
    record(
        "review.action.create",
        review,
        actor=actor,
        after={
            "action_id": action.id,
            "description": description,
            "owner_id": owner_id,
            "due_on": due_on.isoformat(),
        },
    )
    return action


def set_action_status(action: CorrectiveAction, actor: User, status: str, today: date) -> bool:
    """Follow up a corrective action: done (today), cancelled, or open again.

    Allowed after the review is signed: the sign-off attests the findings and the plan; the
    plan's follow-up comes later. :returns: whether anything changed.
    :raises QualityError: unknown status.
    """
    if status not in tuple(ActionStatus):
        raise QualityError(_("Choisissez un statut."), field="status")
    if status == action.status:
        return False
    before = {"status": action.status, "done_on": action.done_on and action.done_on.isoformat()}
    action.status = status
    action.done_on = today if status == "done" else None
    db.session.flush()
    record(
        "review.action.status",
        entity_type="CheckpointReview",
        entity_id=action.review_id,
        actor=actor,
        before={"action_id": action.id, **before},
        after={
            "action_id": action.id,
            "status": status,
            "done_on": action.done_on and action.done_on.isoformat(),
        },
    )
    return True


def review_chain(review: CheckpointReview) -> list[int]:
    """The review and the reviews it amends, most recent first (one query per level: chains
    are short)."""
    ids = [review.id]
    current = review.amends_id
    while current is not None:
        ids.append(current)
        current = db.session.scalar(
            select(CheckpointReview.amends_id).where(CheckpointReview.id == current)
        )
    return ids


def sign_off(review: CheckpointReview, actor: User, verdict: str, comment: str) -> None:
    """Sign the review with a verdict. Afterwards it is immutable.

    :raises ReviewLocked: already signed (also when another coordinator signed first).
    :raises QualityError: unknown verdict, a criterion without a finding, « conforme » with a
        non-conforming finding, « conforme avec actions » without a corrective action.
    """
    _unsigned(review)
    if verdict not in tuple(Verdict):
        raise QualityError(_("Choisissez un verdict."), field="verdict")
    findings = {
        f.criterion: f.result
        for f in db.session.scalars(
            select(ReviewFinding).where(ReviewFinding.review_id == review.id)
        )
    }
    missing = [e["label"] for e in review.results or [] if e["key"] not in findings]
    if missing:
        raise QualityError(
            _(
                "Impossible de signer : il manque un constat pour %(num)s critère(s) : %(names)s.",
                num=len(missing),
                names=", ".join(missing),
            ),
            field="verdict",
        )
    if verdict == "conforme" and "non_conforme" in findings.values():
        raise QualityError(
            _(
                "Un constat est non conforme : choisissez « conforme avec actions » ou « non "
                "conforme »."
            ),
            field="verdict",
        )
    if verdict == "conforme_avec_actions":
        actions = db.session.scalar(
            select(func.count(CorrectiveAction.id)).where(
                CorrectiveAction.review_id.in_(review_chain(review)),
                CorrectiveAction.status != "cancelled",
            )
        )
        if not actions:
            raise QualityError(
                _(
                    "Pour signer « conforme avec actions », ajoutez d'abord au moins une action "
                    "corrective."
                ),
                field="verdict",
            )
    before = _snapshot(review)
    now = clock.utcnow()
    # A conditional update: of two coordinators signing at once, only one succeeds.
    done = db.session.execute(
        update(CheckpointReview)
        .where(CheckpointReview.id == review.id, CheckpointReview.status == "due")
        .values(
            status="signed",
            verdict=verdict,
            comment=(comment or "").strip(),
            signed_by_id=actor.id,
            signed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise ReviewLocked(_("Cette revue vient d'être signée par une autre personne."))
    db.session.refresh(review)
    record("review.sign", review, actor=actor, before=before, after=_snapshot(review))


def amendment_of(review_id: int) -> CheckpointReview | None:
    return db.session.scalar(
        select(CheckpointReview)
        .where(CheckpointReview.amends_id == review_id)
        .order_by(CheckpointReview.id)
        .limit(1)
    )


def amend(review: CheckpointReview, actor: User) -> CheckpointReview:
    """Create an amendment of a signed review: a new, unsigned review that references it, with a
    copy of its results, sample and findings. The signed review stays as it is.

    :raises QualityError: (409) the review is not signed yet, or already has an amendment.
    """
    if review.status != "signed":
        raise QualityError(
            _("Seule une revue signée peut être amendée : modifiez-la directement."), status=409
        )
    existing = amendment_of(review.id)
    if existing is not None:
        raise QualityError(
            _(
                "Cette revue a déjà été modifiée par l'amendement nº %(id)s.",
                id=existing.id,
            ),
            status=409,
        )
    amendment = CheckpointReview(
        cohort_id=review.cohort_id,
        template_id=review.template_id,
        origin_key=None,
        amends_id=review.id,
        due_on=review.due_on,
        status="due",
        evaluated_at=review.evaluated_at,
        results=[dict(e) for e in review.results or []],
        sample=list(review.sample) if review.sample else None,
        sample_drawn_at=review.sample_drawn_at,
        sample_drawn_by_id=review.sample_drawn_by_id,
        comment="",
    )
    db.session.add(amendment)
    db.session.flush()
    for finding in db.session.scalars(
        select(ReviewFinding).where(ReviewFinding.review_id == review.id)
    ):
        db.session.add(
            ReviewFinding(
                review_id=amendment.id,
                criterion=finding.criterion,
                result=finding.result,
                text=finding.text,
                details=dict(finding.details or {}),
                recorded_by_id=finding.recorded_by_id,
                recorded_at=finding.recorded_at,
            )
        )
    db.session.flush()
    record("review.amend", review, actor=actor, after={"amendment_id": amendment.id})
    record(
        "review.create",
        amendment,
        actor=actor,
        after={"amends_id": review.id, "cohort_id": review.cohort_id},
    )
    return amendment


def overdue_actions(today: date) -> list[tuple[int, int, int, int | None, date, str]]:
    """Open corrective actions past their due date, for the alert rule that warns their owner
    (one query): ``(action_id, review_id, cohort_id, owner_id, due_on, description)``."""
    rows = db.session.execute(
        select(
            CorrectiveAction.id,
            CorrectiveAction.review_id,
            CheckpointReview.cohort_id,
            CorrectiveAction.owner_id,
            CorrectiveAction.due_on,
            CorrectiveAction.description,
        )
        .join(CheckpointReview, CheckpointReview.id == CorrectiveAction.review_id)
        .where(CorrectiveAction.status == "open", CorrectiveAction.due_on < today)
        .order_by(CorrectiveAction.due_on, CorrectiveAction.id)
    ).all()
    return [tuple(row) for row in rows]


# --- templates ----------------------------------------------------------------------------------


def _template_snapshot(template: CheckpointTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "when_kind": template.when_kind,
        "when_value": template.when_value,
        "criteria": template.criteria,
        "manual_criteria": template.manual_criteria,
        "sample_size": template.sample_size,
        "active": template.active,
        "position": template.position,
    }


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:30] or "point"


def save_template(
    template: CheckpointTemplate | None, actor: User, values: dict[str, Any]
) -> CheckpointTemplate:
    """Create (``template`` None) or update a checkpoint template from validated ``values``
    (the keys of :func:`_template_snapshot`). Reviews already created keep their due date;
    unsigned ones take the new criteria at their next evaluation.

    :raises QualityError: no criterion at all, or an unknown criterion code.
    """
    if not values["criteria"] and not values["manual_criteria"]:
        raise QualityError(_("Choisissez au moins un critère."), field="criteria")
    for item in values["criteria"]:
        if item["code"] not in catalogue.CRITERIA:
            raise QualityError(_("Critère inconnu."), field="criteria")
    before = None
    if template is None:
        base = _slug(values["name"])
        taken = set(
            db.session.scalars(
                select(CheckpointTemplate.key).where(CheckpointTemplate.key.like(f"{base}%"))
            )
        )
        key, n = base, 2
        while key in taken:
            key, n = f"{base}_{n}", n + 1
        template = CheckpointTemplate(key=key)
        db.session.add(template)
    else:
        before = _template_snapshot(template)
    for name, value in values.items():
        setattr(template, name, value)
    db.session.flush()
    after = _template_snapshot(template)
    if before == after:
        return template
    record(
        "checkpoint_template.create" if before is None else "checkpoint_template.update",
        template,
        actor=actor,
        before=before,
        after=after,
    )
    return template


# --- the satisfaction survey --------------------------------------------------------------------

SURVEY_OPEN_DAYS_BEFORE_END = 14
SURVEY_OPEN_DAYS_AFTER_END = 30


def survey_cohort(student_id: int, today: date) -> Cohort | None:
    """The cohort whose end-of-course survey ``student_id`` may answer today: an enrolment still
    running or completed (not withdrawn or transferred), in the last 2 weeks of the course or
    ended within 30 days, not answered yet (one query)."""
    answered = select(SurveyCompletion.cohort_id).where(SurveyCompletion.student_id == student_id)
    return db.session.scalar(
        select(Cohort)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(
            Enrolment.student_id == student_id,
            Enrolment.status.in_(("active", "completed")),
            Cohort.end_on > today - timedelta(days=SURVEY_OPEN_DAYS_AFTER_END + 1),
            Cohort.end_on < today + timedelta(days=SURVEY_OPEN_DAYS_BEFORE_END),
            Enrolment.start_on <= today,
            Cohort.id.not_in(answered),
        )
        .order_by(Cohort.end_on.desc())
        .limit(1)
    )


def submit_survey(
    student: User, cohort: Cohort, answers: dict[str, int], comment: str, today: date
) -> None:
    """Keep a student's answers without who gave them, and, apart, that they answered.

    The answers (:class:`SurveyResponse`) carry the cohort and the day only; the completion
    (:class:`SurveyCompletion`) carries the student but no answer. The audit log records the
    completion only.

    :raises QualityError: (409) already answered for this cohort; (422) an answer is missing.
    """
    if student.role != Role.STUDENT.value:
        raise QualityError(_("Le sondage est réservé aux élèves."), status=403)
    done = db.session.scalar(
        select(SurveyCompletion.id).where(
            SurveyCompletion.cohort_id == cohort.id, SurveyCompletion.student_id == student.id
        )
    )
    if done is not None:
        raise QualityError(_("Vous avez déjà répondu à ce sondage. Merci!"), status=409)
    if set(answers) != set(SURVEY_QUESTIONS) or not all(1 <= v <= 4 for v in answers.values()):
        raise QualityError(_("Répondez à toutes les questions."))
    db.session.add(SurveyCompletion(cohort_id=cohort.id, student_id=student.id, completed_on=today))
    payload: dict[str, Any] = {k: int(answers[k]) for k in SURVEY_QUESTIONS}
    comment = (comment or "").strip()
    if comment:
        payload["comment"] = comment
    db.session.add(SurveyResponse(cohort_id=cohort.id, submitted_on=today, answers=payload))
    db.session.flush()
    record(
        "survey.complete",
        entity_type="Cohort",
        entity_id=cohort.id,
        actor=student,
        after={"cohort_id": cohort.id},
    )
