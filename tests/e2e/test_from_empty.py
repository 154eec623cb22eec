"""From an empty database to two students' follow-up files, through the pages only (issue 12).

The app is served on a fresh database of its own (migrations and courses, no demo): the first
admin comes from ``lms users create-admin``; everything else is typed in the browser by the
admin, a coordinator and a teacher, each in their own browser context.

The app runs in this process, so the test freezes ``lms.clock``: Friday 8 January 2027 at
10:00 in Quebec (the next class day is Monday 11 January), then Monday 11 January at 16:00 for
the attendance (a future day is refused) and the transfer.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from werkzeug.serving import make_server

from lms import clock, create_app
from lms.config import TestConfig

ADMIN_EMAIL = "admin@exemple.qc.ca"
ADMIN_PASSWORD = "Un-mot-de-passe-solide-2027"

FRIDAY = datetime(2027, 1, 8, 15, 0, tzinfo=UTC)  # 10:00 in Quebec (EST)
MONDAY_AFTER_CLASS = datetime(2027, 1, 11, 21, 0, tzinfo=UTC)  # 16:00 in Quebec

REGION = "Laval"
SITE = "Centre Chomedey"
SITE_CODE = "CHO"
COHORT_A = "FTC-1-CHO-2027-01"  # the code suggested from the course, the site and the month
COHORT_B = "FTC-1-CHO-2027-01-2"

COORDINATOR = ("Claire Gagnon", "claire.gagnon@exemple.qc.ca")
TEACHER = ("Marc Bélanger", "marc.belanger@exemple.qc.ca")
MOVED = ("Amina Haddad", "amina.haddad@exemple.qc.ca")  # transferred to the second cohort
STAYS = ("Jorge Ramírez", "jorge.ramirez@exemple.qc.ca")


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory) -> str:
    """The app on a fresh database (schema and courses, no demo), with the first admin created
    by the command line, served from a thread."""
    from flask_migrate import upgrade

    db_file = Path(tmp_path_factory.mktemp("from-empty")) / "lms.sqlite3"
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app(
        {
            **settings,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("from-empty-uploads")),
        }
    )
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "courses", "load"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "lms",
            "users",
            "create-admin",
            ADMIN_EMAIL,
            "--name",
            "Sophie Administratrice",
            "--password-stdin",
        ],
        input=f"{ADMIN_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def freeze(monkeypatch):
    def at(now: datetime) -> None:
        monkeypatch.setattr(clock, "utcnow", lambda: now)
        monkeypatch.setattr(clock, "today", lambda: now.astimezone(clock.QUEBEC).date())

    at(FRIDAY)
    return at


class People:
    """One browser context per person; every page fails the test on a CSP violation."""

    def __init__(self, browser: Browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.violations: list[str] = []

    def page(self) -> Page:
        context = self.browser.new_context(base_url=self.base_url, locale="fr-CA")
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                self.violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser: Browser, empty_server: str):
    crowd = People(browser, empty_server)
    yield crowd
    crowd.close()
    assert not crowd.violations, crowd.violations


def log_in(page: Page, email: str, password: str, new_password: str | None = None) -> None:
    """Log in; with ``new_password``, the temporary password is replaced on the page that the
    first login leads to."""
    page.goto("/auth/login")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    if new_password is None:
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        return
    expect(page.get_by_role("heading", name="Changer mon mot de passe")).to_be_visible()
    expect(page.get_by_text("Votre mot de passe actuel est temporaire")).to_be_visible()
    page.get_by_label("Mot de passe actuel", exact=True).fill(password)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(new_password)
    page.get_by_label("Confirmer le nouveau mot de passe", exact=True).fill(new_password)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_text("Votre mot de passe a été changé.")).to_be_visible()


def menu(page: Page, name: str) -> None:
    """A link of the top bar."""
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name=name, exact=True
    ).click()


def success(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def create_account(page: Page, name: str, email: str, role: str, region: str | None) -> None:
    menu(page, "Administration")
    page.get_by_role("link", name="Créer un compte").click()
    expect(page.get_by_role("heading", name="Créer un compte")).to_be_visible()
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Nom complet").fill(name)
    page.get_by_label("Rôle").select_option(label=role)
    page.get_by_label("Mot de passe initial").fill("Temporaire-2027-abc")
    if region:
        page.get_by_role("checkbox", name=region).check()
    page.get_by_role("button", name="Créer le compte").click()
    success(page, f"Le compte de {name} a été créé.")


def open_cohort(page: Page, code: str | None, teacher: str) -> str:
    """« Groupes » → « Nouveau groupe »: FTC-1 at the site from Monday 11 January, 6 h a day.
    Returns the code the page gave it."""
    menu(page, "Groupes")
    page.get_by_role("link", name="Nouveau groupe").click()
    expect(page.get_by_role("heading", name="Nouveau groupe")).to_be_visible()
    page.get_by_label("Cours", exact=True).select_option(label="FTC-1 — Français à temps complet 1")
    page.get_by_label("Site", exact=True).select_option(label=f"{REGION} — {SITE}")
    page.get_by_label("Date de début").fill("2027-01-11")
    if code:
        page.get_by_label("Code du groupe").fill(code)
    page.get_by_role("checkbox", name=teacher).check()
    page.get_by_role("button", name="Calculer la fin").click()
    preview = page.get_by_role("region", name="Aperçu")
    expect(preview).to_contain_text("11 janv. 2027")
    expect(preview).to_contain_text("Fin calculée")
    page.get_by_role("button", name="Enregistrer le groupe").click()
    heading = page.get_by_role("heading", name=re.compile(r"^Groupe "))
    expect(heading).to_be_visible()
    saved = heading.inner_text().removeprefix("Groupe ").strip()
    success(page, f"Le groupe {saved} est enregistré.")
    expect(page.get_by_text(teacher)).to_be_visible()
    return saved


def add_candidate(page: Page, name: str, email: str, levels: tuple[int, int, int, int]) -> None:
    menu(page, "Inscriptions")
    page.get_by_role("link", name="Ajouter une personne").click()
    expect(page.get_by_role("heading", name="Ajouter à la liste d'attente")).to_be_visible()
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Nom complet").fill(name)
    page.get_by_label("Disponible à partir du").fill("2027-01-11")
    expect(page.get_by_label("Région", exact=True)).to_have_value(re.compile(r"\d+"))
    page.get_by_role("checkbox", name=SITE).check()
    for skill, level in zip(
        ("Compréhension orale", "Production orale", "Compréhension écrite", "Production écrite"),
        levels,
        strict=True,
    ):
        page.get_by_label(skill, exact=True).fill(str(level))
    page.get_by_role("button", name="Ajouter à la liste d'attente").click()
    success(page, "La personne est ajoutée à la liste d'attente.")


def student_file(page: Page, cohort_id: str, name: str) -> None:
    page.goto(f"/cohorts/{cohort_id}")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=f"Dossier de suivi de {name}")).to_be_visible()


def cohort_id_of(page: Page) -> str:
    found = re.search(r"/cohorts/(\d+)", page.url)
    assert found, page.url
    return found.group(1)


def test_from_an_empty_database_to_two_student_files(people: People, freeze):
    # --- the admin (created by `lms users create-admin`): a region, a site, two accounts -----
    admin = people.page()
    log_in(admin, ADMIN_EMAIL, ADMIN_PASSWORD)
    menu(admin, "Administration")
    expect(admin.get_by_role("heading", name="Administration des comptes")).to_be_visible()
    admin.get_by_role("link", name="Sites et régions").click()
    admin.get_by_role("link", name="Régions", exact=True).click()
    expect(admin.get_by_text("Aucune région.")).to_be_visible()
    admin.get_by_role("link", name="Nouvelle région").click()
    admin.get_by_label("Code", exact=True).fill("LAV")
    admin.get_by_label("Nom", exact=True).fill(REGION)
    admin.get_by_role("button", name="Enregistrer la région").click()
    expect(admin.get_by_role("cell", name=REGION, exact=True)).to_be_visible()

    admin.get_by_role("link", name="Voir les sites").click()
    admin.get_by_role("link", name="Nouveau site").click()
    admin.get_by_label("Code", exact=True).fill(SITE_CODE)
    admin.get_by_label("Nom", exact=True).fill(SITE)
    admin.get_by_label("Région", exact=True).select_option(label=REGION)
    admin.get_by_label("Adresse").fill("2100, boulevard Curé-Labelle")
    admin.get_by_label("Ville").fill("Laval")
    admin.get_by_role("button", name="Enregistrer le site").click()
    expect(admin.get_by_role("cell", name=f"{SITE} ({SITE_CODE})")).to_be_visible()

    create_account(admin, *COORDINATOR, role="Conseiller·ère pédagogique", region=REGION)
    create_account(admin, *TEACHER, role="Enseignant·e", region=None)
    menu(admin, "Administration")
    accounts = admin.get_by_role("table")
    expect(accounts.get_by_role("row").filter(has_text=COORDINATOR[0])).to_contain_text(REGION)
    expect(accounts.get_by_role("row").filter(has_text=TEACHER[0])).to_contain_text("Enseignant·e")

    # --- the coordinator: two cohorts from Monday, two candidates, both enrolled ----------------
    coordo = people.page()
    log_in(coordo, COORDINATOR[1], "Temporaire-2027-abc", new_password="Claire-choisit-2027")
    first = open_cohort(coordo, None, TEACHER[0])
    assert first == COHORT_A
    first_id = cohort_id_of(coordo)
    second = open_cohort(coordo, None, TEACHER[0])
    assert second == COHORT_B
    second_id = cohort_id_of(coordo)

    add_candidate(coordo, *MOVED, levels=(2, 1, 2, 1))
    add_candidate(coordo, *STAYS, levels=(1, 1, 1, 2))
    menu(coordo, "Inscriptions")
    queue = coordo.get_by_role("table")
    for name in (MOVED[0], STAYS[0]):
        row = queue.get_by_role("row").filter(has_text=name)
        expect(row).to_contain_text("FTC-1")
        expect(row).to_contain_text("11 janv. 2027")
    expect(queue.get_by_role("row").filter(has_text=MOVED[0])).to_contain_text("2 · 1 · 2 · 1")
    for name in (MOVED[0], STAYS[0]):
        coordo.get_by_role("button", name=f"Inscrire {name} dans {COHORT_A}", exact=True).click()
        success(coordo, f"Inscription faite dans le groupe {COHORT_A}.")
    expect(coordo.get_by_text("Personne n'attend une place.")).to_be_visible()

    coordo.goto(f"/cohorts/{first_id}")
    students = coordo.get_by_role("table")
    for name in (MOVED[0], STAYS[0]):
        row = students.get_by_role("row").filter(has_text=name)
        expect(row).to_contain_text("Actif")
        expect(row).to_contain_text("11 janv. 2027")

    # --- Monday 11 January after class: the teacher takes attendance --------------------------
    freeze(MONDAY_AFTER_CLASS)
    teacher = people.page()
    log_in(teacher, TEACHER[1], "Temporaire-2027-abc", new_password="Marc-choisit-2027")
    menu(teacher, "Mes groupes")
    teacher.get_by_role("link", name=COHORT_A, exact=True).click()
    teacher.get_by_role("link", name="Présences").click()
    expect(teacher.get_by_role("heading", name=f"Présences du groupe {COHORT_A}")).to_be_visible()
    expect(teacher.locator("p.lead")).to_contain_text("Lundi 11 janvier 2027 · Semaine 1 du cours")
    expect(teacher.get_by_text("Présences pas encore saisies pour ce jour.")).to_be_visible()
    teacher.get_by_label(f"Statut de {MOVED[0]}").select_option(label="en retard")
    teacher.get_by_label(f"Minutes de retard ou de départ hâtif de {MOVED[0]}").fill("30")
    teacher.get_by_role("button", name="Enregistrer les présences").click()
    expect(teacher.get_by_role("status").filter(has_text="enregistrées")).to_be_visible()
    expect(teacher.locator(f'tr[data-student="{MOVED[0]}"]')).to_contain_text(
        "5\u00a0h\u00a030 / 6\u00a0h"
    )
    expect(teacher.locator(f'tr[data-student="{STAYS[0]}"]')).to_contain_text("6\u00a0h / 6\u00a0h")

    # --- the coordinator transfers Amina to the second cohort from Tuesday -----------------------
    coordo.goto(f"/cohorts/{first_id}")
    coordo.get_by_role("link", name=f"Transférer {MOVED[0]}").click()
    expect(coordo.get_by_role("heading", name=f"Transférer {MOVED[0]}")).to_be_visible()
    target = coordo.get_by_label("Groupe d'accueil")
    option = target.locator("option").filter(has_text=f"{COHORT_B} · ")
    target.select_option(value=option.get_attribute("value"))
    coordo.get_by_label("Date d'effet").fill("2027-01-12")
    coordo.get_by_label("Raison").select_option(label="Horaire")
    coordo.get_by_label("Précisions").fill("Préfère le groupe de l'après-midi")
    coordo.get_by_role("button", name="Transférer").click()
    success(coordo, f"{MOVED[0]} est transféré·e dans le groupe {COHORT_B}.")
    expect(coordo.get_by_role("heading", name=f"Groupe {COHORT_B}")).to_be_visible()

    # --- both follow-up files show the right history ---------------------------------------------
    student_file(coordo, second_id, MOVED[0])
    # One line per enrolment (each names the site; the active one is followed by its
    # « Enregistrer un départ » form), the most recent first.
    lines = (
        coordo.get_by_role("region", name="Inscriptions").get_by_role("row").filter(has_text=SITE)
    )
    expect(lines).to_have_count(2)
    expect(lines.nth(0).get_by_role("cell")).to_have_text(
        [COHORT_B, "FTC-1", SITE, "Actif", "12 janv. 2027", "—", re.compile("À jour"), "—"]
    )
    expect(lines.nth(1).get_by_role("cell").nth(0)).to_have_text(COHORT_A)
    expect(lines.nth(1).get_by_role("cell").nth(3)).to_have_text(
        re.compile(r"^Transféré\s*Horaire : Préfère le groupe de l'après-midi$")
    )
    expect(lines.nth(1).get_by_role("cell").nth(4)).to_have_text("11 janv. 2027")  # from
    expect(lines.nth(1).get_by_role("cell").nth(5)).to_have_text("11 janv. 2027")  # to
    # The attendance of 11 January stays with the first cohort: 1 day taken, late once.
    attendance = coordo.get_by_role("region", name="Assiduité").get_by_role("row")
    expect(attendance).to_have_count(2)  # the header and the first cohort only
    expect(attendance.nth(1).get_by_role("cell")).to_have_text(
        [COHORT_A, "1", re.compile(r"92"), "0", "0", "1", "0"]
    )
    history = coordo.get_by_role("region", name="Historique")
    expect(history).to_contain_text(f"Inscription au groupe {COHORT_B}")
    expect(history).to_contain_text(f"Transfert hors du groupe {COHORT_A}")
    expect(history).to_contain_text(f"Retard de 30 min · {COHORT_A}")
    expect(history).to_contain_text(f"Inscription au groupe {COHORT_A}")
    expect(history).to_contain_text("Évaluation (classement) : CO 2 · PO 1 · CE 2 · PÉ 1")
    placement = coordo.get_by_role("region", name="Niveaux par compétence")
    expect(placement.get_by_role("row").filter(has_text="Compréhension orale")).to_contain_text("2")

    student_file(coordo, first_id, STAYS[0])
    lines = (
        coordo.get_by_role("region", name="Inscriptions").get_by_role("row").filter(has_text=SITE)
    )
    expect(lines).to_have_count(1)
    expect(lines.get_by_role("cell")).to_have_text(
        [COHORT_A, "FTC-1", SITE, "Actif", "11 janv. 2027", "—", re.compile("À jour"), "—"]
    )
    attendance = coordo.get_by_role("region", name="Assiduité").get_by_role("row")
    expect(attendance).to_have_count(2)
    expect(attendance.nth(1).get_by_role("cell")).to_have_text(
        [COHORT_A, "1", re.compile(r"100"), "0", "0", "0", "0"]
    )
    history = coordo.get_by_role("region", name="Historique")
    expect(history).to_contain_text(f"Inscription au groupe {COHORT_A}")
    expect(history).not_to_contain_text(COHORT_B)
    expect(history).not_to_contain_text("Transfert")
    expect(history).to_contain_text("Évaluation (classement) : CO 1 · PO 1 · CE 1 · PÉ 2")
