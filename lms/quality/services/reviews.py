"""One review's verbs: draw the sample of student files, record the findings, sign off, and
amend a signed review."""

from __future__ import annotations

import random
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from lms import clock
from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Enrolment
from lms.errors import ServiceError
from lms.extensions import db
from lms.quality.criteria.catalogue import OBSERVATION_RUBRIC
from lms.quality.models import CheckpointReview, CorrectiveAction, ReviewFinding
from lms.quality.queries.reviews import amendment_of, review_chain
from lms.quality.vocab import FindingResult, Verdict


class ReviewLocked(ServiceError):
    """The review is signed: it cannot change any more (make an amendment)."""

    status = 409


def ensure_unsigned(review: CheckpointReview) -> None:
    """:raises ReviewLocked: the review is signed."""
    if review.status == "signed":
        raise ReviewLocked(
            _(
                "Cette revue est signée : elle ne peut plus être modifiée. Créez un amendement "
                "pour la corriger."
            )
        )


def _snapshot(review: CheckpointReview) -> dict[str, Any]:
    return {
        "status": review.status,
        "verdict": review.verdict,
        "comment": review.comment,
        "sample": review.sample,
    }


# --- the sample ---------------------------------------------------------------------------------


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
    :raises ServiceError: (409) a sample was already drawn; (422) no student to draw from.
    """
    ensure_unsigned(review)
    if review.sample:
        raise ServiceError(
            _("L'échantillon a déjà été tiré : il ne peut pas être tiré une deuxième fois."),
            status=409,
        )
    population = sample_population(review)
    if not population:
        raise ServiceError(_("Aucun·e élève inscrit·e dans ce groupe : rien à tirer."))
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


# --- findings -----------------------------------------------------------------------------------


def _entry(review: CheckpointReview, criterion: str) -> dict[str, Any]:
    for entry in review.results or []:
        if entry.get("key") == criterion:
            return entry
    raise ServiceError(_("Ce critère ne fait pas partie de la revue."), field="criterion")


def _finding_details(
    review: CheckpointReview, entry: dict[str, Any], result: str, scores: dict[str, int] | None
) -> dict[str, Any]:
    """What a finding keeps besides its result: the rubric's scores of a class observation,
    the files of a sample. :raises ServiceError: no sample yet, an incomplete rubric."""
    if entry.get("kind") == "sample" and not review.sample and result != "sans_objet":
        raise ServiceError(
            _("Tirez d'abord l'échantillon de dossiers avant de noter ce critère."),
            field="result",
        )
    details: dict[str, Any] = {}
    if entry.get("kind") == "observation" and result != "sans_objet":
        scores = scores or {}
        if set(scores) != set(OBSERVATION_RUBRIC) or not all(
            isinstance(v, int) and 1 <= v <= 4 for v in scores.values()
        ):
            raise ServiceError(
                _("Notez chacun des éléments de la grille d'observation (de 1 à 4)."),
                field="scores",
            )
        details = {"scores": {k: int(scores[k]) for k in OBSERVATION_RUBRIC}}
    if entry.get("kind") == "sample" and review.sample:
        details = {"sample": list(review.sample)}
    return details


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
        :data:`~lms.quality.criteria.catalogue.OBSERVATION_RUBRIC` scored 1 to 4.
    :raises ReviewLocked: the review is signed.
    :raises ServiceError: unknown criterion or result, a non-conforming finding without an
        explanation, a sample criterion before the sample is drawn, an incomplete rubric.
    """
    ensure_unsigned(review)
    entry = _entry(review, criterion)
    if result not in tuple(FindingResult):
        raise ServiceError(_("Choisissez un résultat."), field="result")
    text = (text or "").strip()
    if result == "non_conforme" and not text:
        raise ServiceError(_("Décrivez ce qui n'est pas conforme."), field="text")
    details = _finding_details(review, entry, result, scores)
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


# --- sign-off -----------------------------------------------------------------------------------


def _check_verdict(review: CheckpointReview, verdict: str) -> None:
    """:raises ServiceError: unknown verdict, a criterion without a finding, « conforme » with
    a non-conforming finding, « conforme avec actions » without a corrective action."""
    if verdict not in tuple(Verdict):
        raise ServiceError(_("Choisissez un verdict."), field="verdict")
    findings = {
        f.criterion: f.result
        for f in db.session.scalars(
            select(ReviewFinding).where(ReviewFinding.review_id == review.id)
        )
    }
    missing = [e["label"] for e in review.results or [] if e["key"] not in findings]
    if missing:
        raise ServiceError(
            _(
                "Impossible de signer : il manque un constat pour %(num)s critère(s) : %(names)s.",
                num=len(missing),
                names=", ".join(missing),
            ),
            field="verdict",
        )
    if verdict == "conforme" and "non_conforme" in findings.values():
        raise ServiceError(
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
            raise ServiceError(
                _(
                    "Pour signer « conforme avec actions », ajoutez d'abord au moins une action "
                    "corrective."
                ),
                field="verdict",
            )


def sign_off(review: CheckpointReview, actor: User, verdict: str, comment: str) -> None:
    """Sign the review with a verdict. Afterwards it is immutable.

    :raises ReviewLocked: already signed (also when another coordinator signed first).
    :raises ServiceError: unknown verdict, a criterion without a finding, « conforme » with a
        non-conforming finding, « conforme avec actions » without a corrective action.
    """
    ensure_unsigned(review)
    _check_verdict(review, verdict)
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


# --- amendments ---------------------------------------------------------------------------------


def amend(review: CheckpointReview, actor: User) -> CheckpointReview:
    """Create an amendment of a signed review: a new, unsigned review that references it, with a
    copy of its results, sample and findings. The signed review stays as it is.

    :raises ServiceError: (409) the review is not signed yet, or already has an amendment.
    """
    if review.status != "signed":
        raise ServiceError(
            _("Seule une revue signée peut être amendée : modifiez-la directement."), status=409
        )
    existing = amendment_of(review.id)
    if existing is not None:
        raise ServiceError(
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
