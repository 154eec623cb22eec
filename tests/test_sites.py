"""Regions and sites (admins): create, change, deactivate; a site with cohorts is not deleted."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.catalog.models import Region, Site
from lms.extensions import db
from lms.programme.models import ClosureDay
from tests.conftest import audit_actions, csrf_token


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN.value)


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/sites/")})


def _site_data(region, **changes):
    data = {
        "code": "LAV",
        "name": "Centre Laval",
        "region_id": str(region.id),
        "city": "Laval",
        "address": "1555, boulevard Chomedey",
        "phone": "450 555-0100",
        "active": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_creates_and_renames_a_region_with_an_audit_trail(client, login_as, admin):
    login_as(admin)
    response = _post(client, "/regions/new", {"code": "LAV", "name": "Laval"})
    assert response.status_code == 302
    db.session.rollback()
    region = db.session.scalar(select(Region).where(Region.code == "LAV"))
    response = _post(
        client, f"/regions/{region.id}/edit", {"code": "LAV", "name": "Ville de Laval"}
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Region, region.id).name == "Ville de Laval"
    entries = db.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "Region").order_by(AuditLog.id)
    ).all()
    assert [e.action for e in entries] == ["region.create", "region.update"]
    assert entries[0].before is None and entries[0].after == {"code": "LAV", "name": "Laval"}
    assert entries[1].before["name"] == "Laval" and entries[1].after["name"] == "Ville de Laval"
    assert "Ville de Laval" in client.get("/regions/").get_data(as_text=True)


def test_a_duplicate_region_code_is_refused(client, login_as, admin, make_region):
    make_region("Montréal")
    taken = db.session.scalar(select(Region.code))
    login_as(admin)
    response = _post(client, "/regions/new", {"code": taken, "name": "Autre"})
    assert response.status_code == 422
    assert "déjà celui d&#39;une autre région" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Region.id))) == 1


def test_admin_creates_edits_and_deactivates_a_site(client, login_as, admin, make_region):
    region = make_region("Laval")
    login_as(admin)
    assert _post(client, "/sites/new", _site_data(region)).status_code == 302
    db.session.rollback()
    site = db.session.scalar(select(Site).where(Site.code == "LAV"))
    assert (site.address, site.phone, site.active) == (
        "1555, boulevard Chomedey",
        "450 555-0100",
        True,
    )
    edit = client.get(f"/sites/{site.id}/edit").get_data(as_text=True)
    assert f"/sites/{site.id}/closures" in edit  # the closure days, from the site
    response = _post(client, f"/sites/{site.id}/edit", _site_data(region, active=None))
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Site, site.id).active is False
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "site.update"))
    assert entry.before["active"] is True and entry.after["active"] is False
    listing = client.get("/sites/").get_data(as_text=True)
    assert "Inactif" in listing and "450 555-0100" in listing


def test_a_duplicate_site_code_is_refused(client, login_as, admin, make_region):
    region = make_region("Laval")
    db.session.add(Site(code="LAV", name="Déjà là", region_id=region.id))
    db.session.commit()
    login_as(admin)
    response = _post(client, "/sites/new", _site_data(region))
    assert response.status_code == 422
    assert "déjà celui d&#39;un autre site" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Site.id))) == 1


def test_a_site_with_cohorts_cannot_be_deleted_only_deactivated(
    client, login_as, admin, make_cohort
):
    cohort = make_cohort()
    login_as(admin)
    edit = client.get(f"/sites/{cohort.site_id}/edit").get_data(as_text=True)
    assert "ne peut pas être supprimé" in edit
    response = _post(client, f"/sites/{cohort.site_id}/delete", {})
    assert response.status_code == 302
    assert "seulement désactivé" in client.get("/sites/").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Site, cohort.site_id) is not None
    assert audit_actions() == []


def test_a_site_without_cohorts_is_deleted_with_its_closures(client, login_as, admin, make_region):
    region = make_region("Laval")
    site = Site(code="LAV", name="Centre Laval", region_id=region.id)
    db.session.add(site)
    db.session.flush()
    db.session.add(ClosureDay(site_id=site.id, day=date(2027, 3, 1), reason="Journée pédagogique"))
    db.session.commit()
    site_id = site.id
    login_as(admin)
    assert _post(client, f"/sites/{site_id}/delete", {}).status_code == 302
    db.session.rollback()
    assert db.session.get(Site, site_id) is None
    assert db.session.scalar(select(func.count(ClosureDay.id))) == 0
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "site.delete"))
    assert entry.before["code"] == "LAV" and entry.after is None


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.TEACHER, Role.STUDENT])
def test_only_admins_manage_regions_and_sites(client, login_as, make_user, make_region, role):
    region = make_region("Laval")
    site = Site(code="LAV", name="Centre Laval", region_id=region.id)
    db.session.add(site)
    db.session.commit()
    login_as(make_user(role.value))
    for path in ("/regions/", "/regions/new", f"/regions/{region.id}/edit", "/sites/new"):
        assert client.get(path).status_code == 403, path
    assert _post(client, "/regions/new", {"code": "X", "name": "X"}).status_code == 403
    assert _post(client, f"/sites/{site.id}/delete", {}).status_code == 403
    assert audit_actions() == []


@pytest.mark.parametrize("path", ["/regions/", "/sites/"])
def test_region_and_site_lists_make_the_same_queries_for_5_and_50_rows(
    client, login_as, admin, make_region, make_cohort, count_queries, path
):
    def add(n: int) -> None:
        for _ in range(n):
            region = make_region()
            make_cohort(region=region)

    add(5)
    login_as(admin)
    with count_queries() as small:
        assert client.get(path).status_code == 200
    add(45)
    with count_queries() as large:
        page = client.get(path)
    assert page.status_code == 200 and page.get_data(as_text=True).count("/edit") >= 50
    assert len(small) == len(large), (len(small), len(large))
