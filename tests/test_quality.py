"""Quality-control checkpoints through the web: the review (sample, findings, corrective
actions, sign-off), the lock of a signed review, amendments, and who may do what.

The shared fixtures of the quality tests live here (``qworld``, ``frozen``, ``due_review``);
the other tests/test_quality_*.py files import them.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.extensions import db
from lms.quality.jobs import run_quality_evaluate
from lms.quality.models import (
    CheckpointReview,
    CheckpointTemplate,
    CorrectiveAction,
    ReviewFinding,
)
from lms.quality.queries.actions import overdue_actions
from tests.conftest import client_for, csrf_token

START = date(2026, 9, 14)  # a Monday
DEMARRAGE_DUE = date(2026, 9, 18)  # Friday of week 1
TODAY = date(2026, 9, 25)  # Friday of week 2


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the clock: ``frozen(day)`` (noon in Quebec)."""

    def freeze(day: date, hour: int = 16):
        now = datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)
        monkeypatch.setattr(clock, "utcnow", lambda: now)
        monkeypatch.setattr(clock, "today", lambda: day)

    freeze(TODAY)
    return freeze


@pytest.fixture
def qworld(app, make_user, make_region, make_cohort, enrol, frozen):
    """Two regions, each with a coordinator, a teacher and a cohort starting on START; six
    students in region A's cohort, two in region B's."""
    people = {
        "coordinator": make_user(Role.COORDINATOR.value, name="Claire Gagnon"),
        "other_coordinator": make_user(Role.COORDINATOR.value, name="Isabelle Roy"),
        "teacher": make_user(Role.TEACHER.value, name="Julie Bouchard"),
        "other_teacher": make_user(Role.TEACHER.value, name="Sylvain Lavoie"),
        "admin": make_user(Role.ADMIN.value, name="Hélène Tremblay"),
    }
    region = make_region("Montréal", coordinators=(people["coordinator"],))
    region_b = make_region("Capitale-Nationale", coordinators=(people["other_coordinator"],))
    cohort = make_cohort(region=region, teachers=(people["teacher"],), start_on=START, code="MTL-A")
    cohort_b = make_cohort(
        region=region_b, teachers=(people["other_teacher"],), start_on=START, code="QC-A"
    )
    students = [make_user(Role.STUDENT.value, name=f"Élève {chr(65 + i)}") for i in range(6)]
    for student in students:
        enrol(student, cohort)
    others = [make_user(Role.STUDENT.value, name=f"Autre {i}") for i in range(2)]
    for student in others:
        enrol(student, cohort_b)
    return {
        **people,
        "student": students[0],
        "students": students,
        "region": region,
        "region_b": region_b,
        "cohort": cohort,
        "cohort_b": cohort_b,
    }


def review_of(cohort_id: int, key: str = "demarrage") -> CheckpointReview:
    db.session.rollback()
    return db.session.scalar(
        select(CheckpointReview)
        .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
        .where(
            CheckpointReview.cohort_id == cohort_id,
            CheckpointTemplate.key == key,
            CheckpointReview.amends_id.is_(None),
        )
    )


@pytest.fixture
def due_review(qworld):
    """The « démarrage » review of region A's cohort, created by the job."""
    counts = run_quality_evaluate()
    assert counts == {"created": 2, "evaluated": 2}
    return review_of(qworld["cohort"].id)


def text(response) -> str:
    """The response's page as text, HTML entities decoded (apostrophes come out either way)."""
    return html.unescape(response.get_data(as_text=True))


def post(client, path, page=None, **data):
    token = csrf_token(client, page or "/auth/password")
    return client.post(path, data={"csrf_token": token, **data})


def finding(client, review_id, criterion, result, text="", **scores):
    data = {"criterion": criterion, f"{criterion}-result": result, f"{criterion}-text": text}
    data.update({f"{criterion}-score_{k}": str(v) for k, v in scores.items()})
    return post(client, f"/quality/reviews/{review_id}/findings", **data)


# --- the review, step by step ---------------------------------------------------------------------


def test_coordinator_draws_the_sample_once_and_it_is_recorded(server, qworld, due_review):
    coordo = client_for(server, qworld["coordinator"])
    path = f"/quality/reviews/{due_review.id}"
    page = text(coordo.get(path))
    assert "Tirer l'échantillon" in page or "Tirer l'échantillon" in page
    assert "Présences saisies pour chaque jour de classe" in page

    response = post(coordo, f"{path}/sample")
    assert response.status_code == 302
    review = review_of(qworld["cohort"].id)
    assert len(review.sample) == 5
    assert set(review.sample) <= {s.id for s in qworld["students"]}
    assert review.sample_drawn_by_id == qworld["coordinator"].id
    assert review.sample_drawn_at is not None
    page = text(coordo.get(path))
    for student_id in review.sample:
        assert f'href="/students/{student_id}"' in page
    assert "Tirer l" not in page

    again = post(coordo, f"{path}/sample")
    assert again.status_code == 409
    assert "ne peut pas être tiré une deuxième fois" in text(again)
    assert review_of(qworld["cohort"].id).sample == review.sample
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "review.sample")).all()
    assert len(entries) == 1 and entries[0].actor_id == qworld["coordinator"].id
    assert entries[0].after["sample"] == review.sample


def test_findings_need_a_result_an_explanation_when_not_conforming_and_a_full_rubric(
    server, qworld, due_review
):
    coordo = client_for(server, qworld["coordinator"])
    rid = due_review.id
    missing = finding(coordo, rid, "attendance_recorded", "")
    assert missing.status_code == 422
    assert "Choisissez un résultat." in text(missing)
    unexplained = finding(coordo, rid, "attendance_recorded", "non_conforme")
    assert unexplained.status_code == 422
    assert "Décrivez ce qui n'est pas conforme." in text(unexplained)
    too_early = finding(coordo, rid, "sample_files", "conforme")
    assert too_early.status_code == 422
    assert "Tirez d'abord l'échantillon" in text(too_early)
    unknown = finding(coordo, rid, "nope", "conforme")
    assert unknown.status_code == 422
    assert db.session.scalar(select(func.count(ReviewFinding.id))) == 0

    ok = finding(coordo, rid, "attendance_recorded", "conforme", "Toutes les présences y sont.")
    assert ok.status_code == 302
    # Recording again replaces the finding (one per criterion), with before/after in the log.
    ok = finding(coordo, rid, "attendance_recorded", "non_conforme", "Le 18 septembre manque.")
    assert ok.status_code == 302
    db.session.rollback()
    rows = db.session.scalars(select(ReviewFinding)).all()
    assert [(f.criterion, f.result) for f in rows] == [("attendance_recorded", "non_conforme")]
    log = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "review.finding").order_by(AuditLog.id)
    ).all()
    assert log[-1].before["result"] == "conforme" and log[-1].after["result"] == "non_conforme"


def test_class_observation_is_scored_with_its_rubric(server, qworld, frozen):
    frozen(date(2026, 10, 23))  # Friday of week 6: mi-parcours is due, with the observation
    run_quality_evaluate()
    review = review_of(qworld["cohort"].id, "mi_parcours")
    coordo = client_for(server, qworld["coordinator"])
    page = text(coordo.get(f"/quality/reviews/{review.id}"))
    assert "Grille d'observation" in page and "Clarté des consignes" in page
    partial = finding(coordo, review.id, "class_observation", "conforme", consignes=3)
    assert partial.status_code == 422
    assert "Notez chacun des éléments de la grille" in text(partial)
    full = finding(
        coordo,
        review.id,
        "class_observation",
        "conforme",
        "Séance dynamique.",
        consignes=3,
        interaction=4,
        authenticite=2,
        retroaction=3,
    )
    assert full.status_code == 302
    db.session.rollback()
    saved = db.session.scalar(select(ReviewFinding))
    assert saved.details == {
        "scores": {"consignes": 3, "interaction": 4, "authenticite": 2, "retroaction": 3}
    }
    page = text(coordo.get(f"/quality/reviews/{review.id}"))
    assert "2 / 4" in page


def test_corrective_action_owner_must_be_a_teacher_or_coordinator_of_the_cohort(
    server, qworld, due_review
):
    coordo = client_for(server, qworld["coordinator"])
    path = f"/quality/reviews/{due_review.id}/actions"
    page = text(coordo.get(f"/quality/reviews/{due_review.id}"))
    assert "Julie Bouchard (enseignant·e)" in page
    assert "Sylvain Lavoie" not in page  # teacher of another region's cohort
    outsider = post(
        coordo,
        path,
        description="Saisir les présences le jour même.",
        owner_id=str(qworld["other_teacher"].id),
        due_on="2026-10-09",
    )
    assert outsider.status_code == 422
    assert "Choisissez une personne responsable parmi" in text(outsider)
    past = post(
        coordo,
        path,
        description="Saisir les présences.",
        owner_id=str(qworld["teacher"].id),
        due_on="2026-09-01",
    )
    assert past.status_code == 422
    assert "L'échéance ne peut pas être dans le passé." in text(past)
    empty = post(coordo, path, description=" ", owner_id="", due_on="pas une date")
    assert empty.status_code == 422
    body = text(empty)
    assert "Décrivez l'action corrective." in body
    assert "Choisissez une personne responsable." in body
    assert "N'est pas une date valide." in body
    assert db.session.scalar(select(func.count(CorrectiveAction.id))) == 0
    ok = post(
        coordo,
        path,
        description="Saisir les présences le jour même.",
        owner_id=str(qworld["teacher"].id),
        due_on="2026-10-09",
    )
    assert ok.status_code == 302
    db.session.rollback()
    action = db.session.scalar(select(CorrectiveAction))
    assert (action.owner_id, action.due_on, action.status) == (
        qworld["teacher"].id,
        date(2026, 10, 9),
        "open",
    )


def _complete_findings(client, review_id, result="conforme"):
    for criterion in (
        "attendance_recorded",
        "assessed_placement",
        "critical_alerts_acknowledged",
        "sample_files",
    ):
        assert finding(client, review_id, criterion, result, "Vérifié.").status_code == 302


def test_sign_off_is_refused_until_complete_and_then_locks_the_review(server, qworld, due_review):
    coordo = client_for(server, qworld["coordinator"])
    rid = due_review.id
    path = f"/quality/reviews/{rid}"
    no_verdict = post(coordo, f"{path}/sign")
    assert no_verdict.status_code == 422
    assert "choisissez un verdict" in text(no_verdict).lower()
    incomplete = post(coordo, f"{path}/sign", verdict="conforme")
    assert incomplete.status_code == 422
    assert "il manque un constat pour 4 critère(s)" in text(incomplete)

    assert post(coordo, f"{path}/sample").status_code == 302
    _complete_findings(coordo, rid)
    no_action = post(coordo, f"{path}/sign", verdict="conforme_avec_actions")
    assert no_action.status_code == 422
    assert "ajoutez d'abord au moins une action corrective" in text(no_action)
    assert (
        finding(
            coordo, rid, "sample_files", "non_conforme", "2 dossiers sans entretien."
        ).status_code
        == 302
    )
    inconsistent = post(coordo, f"{path}/sign", verdict="conforme")
    assert inconsistent.status_code == 422
    assert "Un constat est non conforme" in text(inconsistent)
    assert review_of(qworld["cohort"].id).status == "due"

    post(
        coordo,
        f"{path}/actions",
        description="Planifier les entretiens manquants.",
        owner_id=str(qworld["teacher"].id),
        due_on="2026-10-02",
    )
    signed = post(
        coordo, f"{path}/sign", verdict="conforme_avec_actions", comment="Suivi en octobre."
    )
    assert signed.status_code == 302
    review = review_of(qworld["cohort"].id)
    assert (review.status, review.verdict, review.signed_by_id, review.comment) == (
        "signed",
        "conforme_avec_actions",
        qworld["coordinator"].id,
        "Suivi en octobre.",
    )
    page = text(coordo.get(path))
    assert "Revue signée" in page and "Conforme avec actions" in page
    for action in ("/findings", "/actions", "/sign", "/sample", "/evaluate"):
        assert f'action="{path}{action}"' not in page
    assert f'action="{path}/amend"' in page

    # Every change to a signed review: 409 with a French message, nothing changed.
    before = (review.results, review.sample, review.verdict)
    findings_before = db.session.scalar(select(func.count(ReviewFinding.id)))
    for action, data in (
        ("/sample", {}),
        ("/evaluate", {}),
        ("/sign", {"verdict": "non_conforme"}),
        ("/actions", {"description": "x", "owner_id": str(qworld["teacher"].id)}),
        ("/findings", {"criterion": "sample_files", "sample_files-result": "conforme"}),
    ):
        response = post(coordo, path + action, **data)
        assert response.status_code == 409, action
        assert "Cette revue est signée" in text(response)
    review = review_of(qworld["cohort"].id)
    assert (review.results, review.sample, review.verdict) == before
    assert db.session.scalar(select(func.count(ReviewFinding.id))) == findings_before
    assert db.session.scalar(select(func.count(CorrectiveAction.id))) == 1
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditLog)
            .where(AuditLog.entity_type == "CheckpointReview", AuditLog.entity_id == str(rid))
            .order_by(AuditLog.id)
        )
    ]
    assert actions[0] == "review.create" and actions[-1] == "review.sign"
    assert {"review.sample", "review.finding", "review.action.create"} <= set(actions)


def test_services_refuse_to_change_a_signed_review(app, qworld, due_review):
    from lms.quality.services.actions import add_action
    from lms.quality.services.evaluation import evaluate_reviews
    from lms.quality.services.reviews import ReviewLocked, draw_sample, record_finding, sign_off

    coordinator = qworld["coordinator"]
    due_review.status = "signed"
    db.session.commit()
    with pytest.raises(ReviewLocked):
        record_finding(due_review, coordinator, "attendance_recorded", "conforme", "")
    with pytest.raises(ReviewLocked):
        draw_sample(due_review, coordinator, 5)
    with pytest.raises(ReviewLocked):
        add_action(due_review, coordinator, "x", qworld["teacher"].id, TODAY, TODAY)
    with pytest.raises(ReviewLocked):
        sign_off(due_review, coordinator, "conforme", "")
    assert evaluate_reviews([due_review], TODAY) == 0


def _sign(client, qworld, review_id, verdict="conforme"):
    path = f"/quality/reviews/{review_id}"
    assert post(client, f"{path}/sample").status_code in (302, 409)
    _complete_findings(client, review_id)
    assert post(client, f"{path}/sign", verdict=verdict).status_code == 302


def test_an_amendment_is_a_new_review_that_references_the_signed_one(server, qworld, due_review):
    coordo = client_for(server, qworld["coordinator"])
    rid = due_review.id
    _sign(coordo, qworld, rid)
    original = review_of(qworld["cohort"].id)
    snapshot = (original.results, original.sample, original.verdict, original.signed_at)

    response = post(coordo, f"/quality/reviews/{rid}/amend")
    assert response.status_code == 302
    new_id = int(re.search(r"/quality/reviews/(\d+)$", response.headers["Location"]).group(1))
    db.session.rollback()
    amendment = db.session.get(CheckpointReview, new_id)
    assert amendment.amends_id == rid and amendment.origin_key is None
    assert amendment.status == "due" and amendment.verdict is None
    assert amendment.results == original.results and amendment.sample == original.sample
    copied = db.session.scalars(
        select(ReviewFinding.criterion).where(ReviewFinding.review_id == new_id)
    ).all()
    assert sorted(copied) == sorted(e["key"] for e in original.results)

    page = text(coordo.get(f"/quality/reviews/{rid}"))
    assert f"modifiée par l'amendement nº {new_id}" in page
    again = post(coordo, f"/quality/reviews/{rid}/amend")
    assert again.status_code == 409
    assert f"déjà été modifiée par l'amendement nº {new_id}" in text(again)
    not_signed = post(coordo, f"/quality/reviews/{new_id}/amend")
    assert not_signed.status_code == 409

    # The amendment is edited, then signed on its own; the original does not move.
    assert (
        finding(coordo, new_id, "sample_files", "non_conforme", "Un dossier incomplet.").status_code
        == 302
    )
    post(
        coordo,
        f"/quality/reviews/{new_id}/actions",
        description="Compléter le dossier.",
        owner_id=str(qworld["teacher"].id),
        due_on="2026-10-02",
    )
    assert (
        post(coordo, f"/quality/reviews/{new_id}/sign", verdict="conforme_avec_actions")
    ).status_code == 302
    db.session.rollback()
    amendment = db.session.get(CheckpointReview, new_id)
    original = db.session.get(CheckpointReview, rid)
    assert amendment.status == "signed" and amendment.verdict == "conforme_avec_actions"
    assert (original.results, original.sample, original.verdict, original.signed_at) == snapshot
    original_findings = db.session.scalars(
        select(ReviewFinding.result).where(ReviewFinding.review_id == rid)
    ).all()
    assert set(original_findings) == {"conforme"}
    # The job leaves both alone and creates no duplicate of the checkpoint.
    assert run_quality_evaluate() == {"created": 0, "evaluated": 1}  # region B's review
    listing = text(coordo.get("/quality/?status=signed"))
    assert f"amendement nº {new_id}" in listing


def test_corrective_actions_are_followed_up_after_the_sign_off_and_overdue_ones_are_listed(
    server, qworld, due_review, frozen
):
    coordo = client_for(server, qworld["coordinator"])
    rid = due_review.id
    path = f"/quality/reviews/{rid}"
    post(coordo, f"{path}/sample")
    _complete_findings(coordo, rid)
    post(
        coordo,
        f"{path}/actions",
        description="Former l'enseignante à la saisie des présences.",
        owner_id=str(qworld["teacher"].id),
        due_on="2026-10-02",
    )
    post(coordo, f"{path}/sign", verdict="conforme_avec_actions")
    db.session.rollback()
    action = db.session.scalar(select(CorrectiveAction))

    assert overdue_actions(date(2026, 10, 2)) == []
    assert overdue_actions(date(2026, 10, 3)) == [
        (
            action.id,
            rid,
            qworld["cohort"].id,
            qworld["teacher"].id,
            date(2026, 10, 2),
            "Former l'enseignante à la saisie des présences.",
        )
    ]
    # The owner (a teacher) sees it in their list and marks it done.
    frozen(date(2026, 10, 5))
    teacher = client_for(server, qworld["teacher"])
    mine = text(teacher.get("/quality/actions"))
    assert "Former l'enseignante" in mine and "En retard" in mine
    other = client_for(server, qworld["other_teacher"])
    assert (
        post(other, f"/quality/actions/{action.id}/status", **{f"a{action.id}-status": "done"})
    ).status_code == 404
    bad = post(teacher, f"/quality/actions/{action.id}/status", **{f"a{action.id}-status": "x"})
    assert bad.status_code == 422
    done = post(
        teacher,
        f"/quality/actions/{action.id}/status",
        "/quality/actions",
        **{f"a{action.id}-status": "done"},
    )
    assert done.status_code == 302
    db.session.rollback()
    action = db.session.get(CorrectiveAction, action.id)
    assert (action.status, action.done_on) == ("done", date(2026, 10, 5))
    assert overdue_actions(date(2026, 10, 6)) == []
    assert db.session.get(CheckpointReview, rid).status == "signed"


# --- who may do what ------------------------------------------------------------------------------


def test_teachers_view_their_cohorts_review_read_only_and_cannot_change_it(
    server, qworld, due_review
):
    path = f"/quality/reviews/{due_review.id}"
    teacher = client_for(server, qworld["teacher"])
    page = teacher.get(path)
    assert page.status_code == 200
    body = text(page)
    assert "Critères automatiques" in body
    assert "finding-form" not in body and 'id="sign-form"' not in body
    assert "Tirer l" not in body
    assert post(teacher, f"{path}/sample").status_code == 403
    assert finding(teacher, due_review.id, "attendance_recorded", "conforme").status_code == 403
    other = client_for(server, qworld["other_teacher"])
    assert other.get(path).status_code == 404


def test_a_coordinator_of_another_region_sees_none_of_its_reviews(server, qworld, due_review):
    other = client_for(server, qworld["other_coordinator"])
    path = f"/quality/reviews/{due_review.id}"
    assert other.get(path).status_code == 404
    assert post(other, f"{path}/sample").status_code == 404
    listing = text(other.get("/quality/"))
    assert "QC-A" in listing and "MTL-A" not in listing
    mine = text(client_for(server, qworld["coordinator"]).get("/quality/"))
    assert "MTL-A" in mine and "QC-A" not in mine
    admin = text(client_for(server, qworld["admin"]).get("/quality/"))
    assert "MTL-A" in admin and "QC-A" in admin


def test_review_list_filters_by_status_region_site_and_course(server, qworld, due_review):
    admin = client_for(server, qworld["admin"])
    region_b = qworld["region_b"].id
    assert "MTL-A" not in text(admin.get(f"/quality/?region={region_b}"))
    assert "2 revues" in text(admin.get("/quality/?status=due"))
    assert "0 revue" in text(admin.get("/quality/?status=signed"))
    site = qworld["cohort"].site_id
    page = text(admin.get(f"/quality/?site={site}"))
    assert "MTL-A" in page and "QC-A" not in page
    course = qworld["cohort_b"].course_id
    page = text(admin.get(f"/quality/?course={course}"))
    assert "QC-A" in page and "MTL-A" not in page
    page = text(admin.get(f"/quality/?cohort={qworld['cohort'].id}"))
    assert "MTL-A" in page and "QC-A" not in page


def test_posts_without_csrf_token_are_refused(server, qworld, due_review):
    coordo = client_for(server, qworld["coordinator"])
    for action in ("sample", "evaluate", "sign", "amend", "findings", "actions"):
        assert coordo.post(f"/quality/reviews/{due_review.id}/{action}").status_code == 400
    assert coordo.post("/quality/templates/1", data={"name": "x"}).status_code == 400
    assert (
        db.session.scalar(
            select(CheckpointReview.sample).where(CheckpointReview.id == due_review.id)
        )
        is None
    )


def test_recompute_now_refreshes_the_automatic_results(server, qworld, due_review, frozen):
    from lms.attendance.models import AttendanceDay

    assert due_review.results[0]["status"] == "fail"  # no attendance taken in week 1
    for offset in range(5):
        db.session.add(AttendanceDay(cohort_id=qworld["cohort"].id, day=START + timedelta(offset)))
    db.session.commit()
    coordo = client_for(server, qworld["coordinator"])
    assert post(coordo, f"/quality/reviews/{due_review.id}/evaluate").status_code == 302
    review = review_of(qworld["cohort"].id)
    assert review.results[0]["status"] == "pass"
    assert review.results[0]["figures"]["recorded"] == 5


def test_review_page_makes_the_same_number_of_queries_with_few_and_many_findings_and_actions(
    server, qworld, due_review, count_queries
):
    coordo = client_for(server, qworld["coordinator"])
    path = f"/quality/reviews/{due_review.id}"
    coordo.get(path)
    with count_queries() as few:
        coordo.get(path)
    post(coordo, f"{path}/sample")
    _complete_findings(coordo, due_review.id)
    for i in range(6):
        post(
            coordo,
            f"{path}/actions",
            description=f"Action {i}",
            owner_id=str(qworld["teacher"].id),
            due_on="2026-10-30",
        )
    with count_queries() as many:
        page = coordo.get(path)
    assert text(page).count("Action ") >= 6
    assert len(many) == len(few), (len(few), len(many))


def test_review_list_makes_the_same_number_of_queries_for_2_and_12_reviews(
    server, qworld, make_cohort, count_queries, frozen
):
    run_quality_evaluate()
    coordo = client_for(server, qworld["coordinator"])
    coordo.get("/quality/")
    with count_queries() as few:
        coordo.get("/quality/")
    for _ in range(5):
        make_cohort(region=qworld["region"], start_on=START)
    frozen(date(2026, 10, 23))
    run_quality_evaluate()
    with count_queries() as many:
        page = text(coordo.get("/quality/"))
    assert "12 revues" in page
    assert len(many) == len(few)


# --- checkpoint templates -----------------------------------------------------------------------


def _template_form(client, path):
    """The template form's current values, as a browser would submit them."""
    page = client.get(path).get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, path)}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        if name != "csrf_token":
            data[name] = html.unescape(value)
    for match in re.finditer(r'<input([^>]*)type="checkbox"([^>]*)>', page):
        attributes = match.group(1) + match.group(2)
        name = re.search(r'name="([^"]+)"', attributes).group(1)
        if "checked" in attributes:
            data[name] = "y"
        else:
            data.pop(name, None)
    for name, block in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(
            r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)" selected', block
        )
        first = re.search(r'<option[^>]*value="([^"]*)"', block)
        data[name] = (chosen and (chosen.group(1) or chosen.group(2))) or first.group(1)
    return data


def test_admin_edits_a_template_and_unsigned_reviews_take_the_new_threshold(
    server, qworld, due_review
):
    coordo = client_for(server, qworld["admin"])  # programme-wide: coordinators only read
    template = db.session.scalar(
        select(CheckpointTemplate).where(CheckpointTemplate.key == "demarrage")
    )
    path = f"/quality/templates/{template.id}"
    assert "Démarrage" in text(coordo.get("/quality/templates"))
    data = _template_form(coordo, path)
    assert data["when_kind"] == "week" and data["when_value"] == "1"
    assert data["use_assessed_placement"] == "y"
    data.update(
        {
            "name": "Démarrage du groupe",
            "p_assessed_placement_min_percent": "80",
            "use_survey_response_rate": "y",
            "label_sample_files": "Trois dossiers au hasard",
        }
    )
    data.pop("use_critical_alerts_acknowledged")
    response = coordo.post(path, data=data)
    assert response.status_code == 302, text(response)[:2000]
    db.session.rollback()
    template = db.session.get(CheckpointTemplate, template.id)
    assert template.name == "Démarrage du groupe"
    assert [c["code"] for c in template.criteria] == [
        "attendance_recorded",
        "assessed_placement",
        "survey_response_rate",
    ]
    assert template.criteria[1]["params"] == {"min_percent": 80}
    assert template.manual_criteria[0]["label"] == "Trois dossiers au hasard"
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "checkpoint_template.update")
    )
    assert entry.actor_id == qworld["admin"].id
    assert entry.before["name"] == "Démarrage" and entry.after["name"] == "Démarrage du groupe"
    run_quality_evaluate()
    review = review_of(qworld["cohort"].id)
    assert [e["key"] for e in review.results] == [
        "attendance_recorded",
        "assessed_placement",
        "survey_response_rate",
        "sample_files",
    ]
    assert review.results[1]["params"] == {"min_percent": 80}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"when_value": "0"}, "La semaine doit être un nombre de 1 à 30."),
        ({"when_value": "deux"}, "N'est pas un entier valide."),
        ({"name": ""}, "Donnez un nom au point de contrôle."),
        ({"sample_size": "0"}, "L'échantillon compte de 1 à 50 dossiers."),
        ({"p_assessed_placement_min_percent": "120"}, "Une valeur de 0 à 100."),
        ({"_no_criteria": True}, "Choisissez au moins un critère."),
    ],
)
def test_bad_template_input_gets_422_in_french_and_changes_nothing(
    server, qworld, due_review, changes, message
):
    coordo = client_for(server, qworld["admin"])
    template = db.session.scalar(
        select(CheckpointTemplate).where(CheckpointTemplate.key == "demarrage")
    )
    path = f"/quality/templates/{template.id}"
    data = _template_form(coordo, path)
    if changes.pop("_no_criteria", False):
        data = {k: v for k, v in data.items() if not k.startswith("use_")}
    data.update(changes)
    response = coordo.post(path, data=data)
    assert response.status_code == 422
    assert message in text(response)
    db.session.rollback()
    assert db.session.get(CheckpointTemplate, template.id).name == "Démarrage"


def test_a_new_template_gets_its_own_key_and_creates_reviews(server, qworld, due_review):
    coordo = client_for(server, qworld["admin"])
    data = _template_form(coordo, "/quality/templates/new")
    data = {k: v for k, v in data.items() if not k.startswith("use_")}
    data.update(
        {"name": "Visite de la semaine 2", "when_value": "2", "use_interviews_on_cadence": "y"}
    )
    assert coordo.post("/quality/templates/new", data=data).status_code == 302
    db.session.rollback()
    template = db.session.scalar(
        select(CheckpointTemplate).where(CheckpointTemplate.name == "Visite de la semaine 2")
    )
    assert template.key == "visite_de_la_semaine_2" and template.active
    assert run_quality_evaluate()["created"] == 2  # due on 25 Sept. in both cohorts
