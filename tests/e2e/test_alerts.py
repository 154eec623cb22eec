"""The teacher's alert workflow in Chromium: open an alert from the inbox, read its evidence,
resolve it with a follow-up note, see it closed.

Needs the ``live_app`` session fixture (the Flask app that ``live_server`` serves) to run the
nightly scan on the demo data before the browser opens the inbox.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from lms import clock
from tests.e2e.conftest import DEMO_PASSWORD


@pytest.fixture
def scanned(live_app) -> dict:
    from lms.alerts.jobs import run_alert_scan

    with live_app.app_context():
        return run_alert_scan()


def test_teacher_opens_an_alert_reads_its_evidence_and_resolves_it(
    page: Page, live_server: str, scanned: dict
):
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Courriel").fill("prof@demo.lms")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes groupes")).to_be_visible()

    page.goto(f"{live_server}/alerts/")
    expect(page.get_by_role("heading", name="Alertes pédagogiques")).to_be_visible()
    page.get_by_label("Règle").select_option(label="Absences consécutives")
    page.get_by_role("button", name="Filtrer").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Absences consécutives"))
    expect(row.first).to_contain_text("Critique")
    expect(row.first).to_contain_text("Ouverte")
    row.first.get_by_role("link", name="Absences consécutives").click()

    expect(page.get_by_role("heading", name="Absences consécutives")).to_be_visible()
    evidence = page.get_by_role("region", name="Ce qui a déclenché l'alerte")
    expect(evidence).to_contain_text(re.compile(r"3 absences non motivées consécutives : .+\."))
    expect(page.get_by_text("Plusieurs absences non motivées de suite.")).to_be_visible()

    page.get_by_label("Type de note").select_option(label="Appel")
    page.get_by_label("Motif").select_option(label="Absences")
    page.get_by_label("Résumé de l'intervention").fill(
        "Appel à l'élève : problème de garde d'enfant, retour prévu lundi."
    )
    page.get_by_label("Action à faire (facultatif)").fill("Vérifier sa présence lundi.")
    expect(page.get_by_label("Responsable de l'action")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Échéance").fill((clock.today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Résoudre avec cette note").click()

    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_have_text(
        "L'alerte est résolue."
    )
    expect(page.get_by_text("État :")).to_be_visible()
    expect(page.locator("p", has_text="État :")).to_contain_text("Résolue")
    expect(page.get_by_text("Note de suivi de la résolution")).to_be_visible()
    expect(page.get_by_text("Appel à l'élève : problème de garde d'enfant")).to_be_visible()
    expect(page.get_by_role("button", name="Résoudre avec cette note")).to_have_count(0)

    page.goto(f"{live_server}/alerts/?status=closed")
    expect(page.get_by_role("link", name="Absences consécutives").first).to_be_visible()
