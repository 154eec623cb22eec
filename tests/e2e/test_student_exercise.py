from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD


def test_student_answers_a_cloze_without_accents_and_sees_the_accent_feedback(
    page: Page, live_server: str
):
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Courriel").fill("eleve@demo.lms")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Cette semaine")).to_be_visible()

    page.get_by_role("link", name="Plan du cours").first.click()
    page.get_by_role("link", name="Dans la classe").click()
    expect(page.get_by_role("heading", name="Dans la classe", level=1)).to_be_visible()
    page.goto(f"{live_server}/learn/exercises/ftc1-u02-l1-e4")  # the lesson's cloze
    expect(page.get_by_role("heading", name="Texte à trous")).to_be_visible()

    page.get_by_label("Espace 1").fill("comprends")
    page.get_by_label("Espace 2").fill("repeter")  # no accent
    page.get_by_role("button", name="Vérifier ma réponse").click()

    feedback = page.get_by_role("status").filter(has_text="Presque")
    expect(feedback).to_be_visible()
    expect(feedback).to_contain_text("« repeter » s'écrit « répéter »")
    expect(page.get_by_label("Espace 2")).to_have_value("repeter")

    page.get_by_label("Espace 2").fill("répéter")
    page.get_by_role("button", name="Vérifier de nouveau").click()
    expect(page.get_by_role("status").filter(has_text="Réussi")).to_be_visible()
