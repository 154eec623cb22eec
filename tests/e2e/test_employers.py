"""The coordinator of Montréal adds a partner employer with its needs profile, links it to the
course-4 cohort FTC4-STL-A (taught by prof2@demo.lms; students eleve42 … eleve54), builds and
publishes the plan; a student of that cohort then sees it in « Mon plan de travail »."""

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD


def _login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_coordinator_builds_and_publishes_a_plan_that_a_student_then_sees(
    page: Page, browser: Browser, live_server: str
):
    _login(page, live_server, "coordo@demo.lms")

    # A partner employer, with a NEQ typed with spaces; a bad one first.
    page.goto(f"{live_server}/employers/new")
    page.get_by_label("Nom de l'entreprise").fill("Résidence Soleil du Plateau")
    neq = page.get_by_label("Numéro d'entreprise du Québec (NEQ)")
    neq.fill("1174 55")
    page.get_by_role("button", name="Ajouter l'entreprise").click()
    expect(
        page.get_by_text("Le NEQ compte exactement 10 chiffres; celui-ci en compte 6.")
    ).to_be_visible()
    neq.fill("1174 556 677")
    page.get_by_label("Secteur d'activité").select_option(label="Santé et services sociaux")
    page.get_by_label("Nom de la personne-ressource").fill("Sophie Tremblay")
    page.get_by_role("button", name="Ajouter l'entreprise").click()
    expect(page.get_by_role("heading", name="Résidence Soleil du Plateau")).to_be_visible()
    expect(page.get_by_text("NEQ 1174 556 677")).to_be_visible()

    # An employee of the cohort, with her consent to the employer report.
    page.get_by_label("Courriel de l'élève").fill("eleve42@demo.lms")
    page.get_by_label("L'élève consent à figurer dans le rapport à l'employeur").check()
    page.get_by_role("button", name="Ajouter l'employé·e").click()
    expect(page.get_by_text("Consentement donné")).to_be_visible()

    # Its needs profile: three priority tasks.
    page.get_by_role("link", name="Profil de besoins").first.click()
    page.get_by_label("Priorité : Rédiger un rapport d'incident").select_option("1")
    page.get_by_label("Priorité : Comprendre des consignes de sécurité").select_option("2")
    page.get_by_label("Priorité : Servir un client").select_option("3")
    page.get_by_label("Compréhension orale (%)").fill("35")
    page.get_by_label("Production orale (%)").fill("35")
    page.get_by_label("Compréhension écrite (%)").fill("15")
    page.get_by_label("Production écrite (%)").fill("15")
    page.get_by_role("button", name="Enregistrer le profil de besoins").click()
    expect(page.get_by_text("Le profil de besoins a été enregistré.")).to_be_visible()

    # The course-4 cohort: link the employer, propose the plan, publish it.
    page.goto(f"{live_server}/cohorts/")
    page.get_by_role("link", name="FTC4-STL-A").click()
    expect(page.get_by_role("heading", name="Groupe FTC4-STL-A")).to_be_visible()
    page.goto(page.url + "/plan")
    expect(page.get_by_role("heading", name="Plan de cours du groupe FTC4-STL-A")).to_be_visible()
    page.get_by_label("Résidence Soleil du Plateau (Santé et services sociaux)").check()
    page.get_by_role("button", name="Enregistrer les entreprises du groupe").click()
    expect(page.get_by_label("Volet sectoriel")).to_have_value("sante")
    page.get_by_role("button", name="Proposer un plan").click()
    expect(page.get_by_text("Brouillon, non visible par les élèves")).to_be_visible()
    expect(page.get_by_text("310 h planifiées sur 330 h")).to_be_visible()
    coverage = page.get_by_role("table").first
    expect(coverage).to_contain_text("Rédiger un rapport d'incident")
    expect(coverage).not_to_contain_text("non couverte")
    page.get_by_role("button", name="Publier la version 1").click()
    expect(page.get_by_text("Publiée, visible par les élèves")).to_be_visible()

    # A student of that cohort sees the published plan.
    context = browser.new_context()
    student = context.new_page()
    _login(student, live_server, "eleve42@demo.lms")
    student.goto(f"{live_server}/learn/work-plan")
    expect(student.get_by_role("heading", name="Mon plan de travail")).to_be_visible()
    expect(student.get_by_text("Version 1, publiée le", exact=False)).to_be_visible()
    expect(
        student.get_by_text("Volet sectoriel : Santé et services sociaux.", exact=False)
    ).to_be_visible()
    week4 = student.get_by_role("region", name="Semaine 4")
    expect(week4).to_contain_text("Transmettre l'information entre les quarts de travail")
    context.close()
