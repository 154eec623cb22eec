"""The teacher takes attendance for a past class day with two exceptions and sees the rates
change. Written so that it does not depend on the day being untaken (demo history)."""

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD


def test_teacher_takes_attendance_with_two_exceptions_and_sees_the_rates_change(
    page: Page, live_server: str
):
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Courriel").fill("prof@demo.lms")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="FTC1-CDN-A").click()
    expect(page.get_by_role("heading", name="Groupe FTC1-CDN-A")).to_be_visible()

    page.goto(page.url + "/attendance")
    expect(page.get_by_role("heading", name="Présences du groupe FTC1-CDN-A")).to_be_visible()
    page.get_by_role("link", name="Jour de classe précédent").click()  # a past class day

    rows = page.locator("tr[data-student]")
    expect(rows.first).to_be_visible()
    # Two students present on that day (whatever was saved before).
    present = [
        rows.nth(i).get_attribute("data-student")
        for i in range(rows.count())
        if rows.nth(i).locator("select").first.input_value() == "present"
    ]
    assert len(present) >= 2, present
    absent, late = present[0], present[1]

    def rate(name: str) -> str:
        return page.locator(f'tr[data-student="{name}"] td.rate').inner_text()

    before = {absent: rate(absent), late: rate(late)}

    # With the keyboard's native controls, found by their (visually hidden) labels.
    page.get_by_label(f"Statut de {absent}").select_option(label="absent·e")
    page.get_by_label(f"Statut de {late}").select_option(label="en retard")
    minutes = page.get_by_label(f"Minutes de retard ou de départ hâtif de {late}")
    minutes.focus()
    page.keyboard.type("15")
    page.get_by_role("button", name="Enregistrer les présences").click()

    expect(page.get_by_role("status").filter(has_text="enregistrées")).to_be_visible()
    expect(page.get_by_label(f"Statut de {absent}")).to_have_value("absent")
    expect(page.get_by_label(f"Statut de {late}")).to_have_value("late")
    expect(page.get_by_label(f"Minutes de retard ou de départ hâtif de {late}")).to_have_value("15")
    assert rate(absent) != before[absent]
    assert rate(late) != before[late]
    late_row = page.locator(f'tr[data-student="{late}"]')
    expect(late_row).to_contain_text("5\u00a0h\u00a045 / 6\u00a0h")  # 6 h − 15 min
    expect(page.locator(f'tr[data-student="{absent}"]')).to_contain_text("0\u00a0h / 6\u00a0h")
