import json

from sqlalchemy import text

from lms import create_app
from lms.config import Config
from lms.extensions import db


def test_config_defaults_and_overrides(app_factory):
    assert not create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).testing
    assert app_factory().testing


def test_production_password_hash_meets_owasp_scrypt_cost():
    method = Config.PASSWORD_HASH_METHOD
    name, n, r, p = method.split(":")
    assert name == "scrypt" and int(n) >= 2**17 and int(r) >= 8 and int(p) >= 1


def test_healthz_reports_database_and_scheduler(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.data)
    assert body["database"] == "ok"
    assert "scheduler" in body
    assert body["status"] == "ok"


def test_sqlite_connections_enforce_foreign_keys_and_wait_on_locks(app):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Cette page n'existe pas" in response.get_data(as_text=True)
