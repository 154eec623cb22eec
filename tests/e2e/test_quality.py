"""The coordinator's checkpoint review in Chromium: open a due checkpoint, draw the sample,
record the findings and a corrective action, sign off; the signed review is read-only."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms import clock
from lms.catalog.models import Cohort, Region, Site
from lms.extensions import db
from lms.quality.jobs import run_quality_evaluate
from lms.quality.models import CheckpointReview, CheckpointTemplate
from tests.e2e.conftest import DEMO_PASSWORD


def _due_review(live_app) -> tuple[int, str, list[str]]:
    """Create the due reviews of the demo data; pick an unsigned « démarrage » in Montréal."""
    with live_app.app_context():
        run_quality_evaluate()
        review = db.session.scalar(
            select(CheckpointReview)
            .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
            .join(Cohort, Cohort.id == CheckpointReview.cohort_id)
            .join(Site, Site.id == Cohort.site_id)
            .join(Region, Region.id == Site.region_id)
            .where(
                Region.name == "Montréal",
                CheckpointTemplate.key == "demarrage",
                CheckpointReview.status == "due",
                CheckpointReview.amends_id.is_(None),
            )
            .order_by(CheckpointReview.id)
        )
        assert review is not None, "the demo data has no due checkpoint in Montréal"
        code = db.session.get(Cohort, review.cohort_id).code
        keys = [entry["key"] for entry in review.results]
        db.session.remove()
        return review.id, code, keys


def test_coordinator_reviews_a_due_checkpoint_and_signs_it_off(
    page: Page, live_server: str, live_app
):
    review_id, cohort_code, keys = _due_review(live_app)
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Courriel").fill("coordo@demo.lms")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    # The list of reviews, then the due checkpoint.
    page.goto(f"{live_server}/quality/?status=due")
    expect(page.get_by_role("heading", name="Revues de contrôle de la qualité")).to_be_visible()
    page.locator(f'a[href="/quality/reviews/{review_id}"]').click()
    expect(
        page.get_by_role("heading", name=f"Point de contrôle « Démarrage » — groupe {cohort_code}")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Critères automatiques")).to_be_visible()

    # Draw the sample: five student files, each a link to the file.
    page.get_by_role("button", name="Tirer l'échantillon").click()
    expect(page.get_by_role("status").filter(has_text="Échantillon tiré")).to_be_visible()
    expect(page.locator("#sample-list a")).to_have_count(5)
    expect(page.get_by_role("button", name="Tirer l'échantillon")).to_have_count(0)

    # A finding per criterion: the sample is not fully conforming.
    for key in keys:
        card = page.locator(f"#critere-{key}")
        result = "non_conforme" if key == "sample_files" else "conforme"
        card.locator(f'input[name="{key}-result"][value="{result}"]').check()
        card.get_by_label("Observations").fill(
            "Deux dossiers sans entretien noté." if result == "non_conforme" else "Vérifié."
        )
        card.get_by_role("button", name="Enregistrer le constat").click()
        expect(page.get_by_role("status").filter(has_text="Constat enregistré.")).to_be_visible()
    expect(page.locator("#critere-sample_files")).to_contain_text("Non conforme")

    # A corrective action with an owner and a due date.
    form = page.locator("#action-form")
    form.get_by_label("Action corrective").fill("Noter les entretiens de suivi manquants.")
    form.get_by_label("Responsable").select_option(index=1)
    form.get_by_label("Échéance").fill((clock.today() + timedelta(days=14)).isoformat())
    form.get_by_role("button", name="Ajouter l'action").click()
    expect(page.get_by_role("status").filter(has_text="Action corrective ajoutée.")).to_be_visible()
    expect(page.locator("#actions")).to_be_visible()
    expect(page.get_by_text("Noter les entretiens de suivi manquants.")).to_be_visible()

    # Sign off « conforme avec actions ».
    sign = page.locator("#sign-form")
    sign.get_by_label("Conforme avec actions").check()
    sign.get_by_label("Commentaire").fill("Suivi des entretiens d'ici deux semaines.")
    sign.get_by_role("button", name="Signer la revue").click()
    expect(page.get_by_role("status").filter(has_text="La revue est signée.")).to_be_visible()
    expect(page.get_by_role("heading", name="Revue signée")).to_be_visible()
    expect(page.get_by_text("Conforme avec actions").first).to_be_visible()
    page.screenshot(path="/tmp/quality-e2e-signed.png", full_page=True)

    # Read-only: no form to change it, and a POST gets 409.
    for selector in (".finding-form", "#action-form", "#sign-form"):
        expect(page.locator(selector)).to_have_count(0)
    expect(page.get_by_role("button", name="Tirer l'échantillon")).to_have_count(0)
    expect(page.get_by_role("button", name="Recalculer maintenant")).to_have_count(0)
    token = page.locator(
        f'form[action="/quality/reviews/{review_id}/amend"] input[name="csrf_token"]'
    ).get_attribute("value")
    response = page.request.post(
        f"{live_server}/quality/reviews/{review_id}/findings",
        form={
            "csrf_token": token,
            "criterion": "sample_files",
            "sample_files-result": "conforme",
        },
    )
    assert response.status == 409
    assert "Cette revue est signée" in response.text()
    page.reload()
    expect(page.locator("#critere-sample_files")).to_contain_text("Non conforme")
