from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD


def test_teacher_logs_in_sees_the_cohort_list_and_logs_out(page: Page, live_server: str):
    page.goto(f"{live_server}/auth/login")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    page.get_by_label("Courriel").fill("prof@demo.lms")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", name="Mes groupes")).to_be_visible()
    expect(page.get_by_role("link", name="FTC1-CDN-A")).to_be_visible()
    expect(page.get_by_role("link", name="FTC2-CDN-A")).to_be_visible()
    expect(page.get_by_role("link", name="FTC3-STL-A")).to_have_count(0)  # not her cohort

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    expect(page.get_by_text("Vous êtes déconnecté·e.")).to_be_visible()
    page.goto(f"{live_server}/cohorts/")
    expect(page).to_have_url(f"{live_server}/auth/login?next=%2Fcohorts%2F")


def test_wrong_password_shows_the_generic_french_message(page: Page, live_server: str):
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Courriel").fill("prof@demo.lms")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Courriel ou mot de passe incorrect.")
