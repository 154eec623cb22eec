"""Deployment settings, read from the environment.

Settings that coordinators and admins change at run time live in the database, not here.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The development key: production refuses it (see check_production_settings).
DEV_SECRET_KEY = "dev-only-change-me"
SECRET_KEY_MIN_LENGTH = 32


class InsecureSettingsError(RuntimeError):
    """The settings are not safe for production: the application refuses to start."""


def check_production_settings(settings) -> None:
    """With ``LMS_ENV=production``, refuse to start on a missing, development or short key."""
    if settings.get("LMS_ENV") != "production":
        return
    key = settings.get("SECRET_KEY")
    if not key:
        problem = "SECRET_KEY is not set"
    elif key == DEV_SECRET_KEY:
        problem = "SECRET_KEY is not set (the built-in development key would be used)"
    elif len(key) < SECRET_KEY_MIN_LENGTH:
        problem = f"SECRET_KEY is shorter than {SECRET_KEY_MIN_LENGTH} characters"
    else:
        return
    raise InsecureSettingsError(
        f"Refusing to start in production (LMS_ENV=production): {problem}. Set SECRET_KEY to "
        f"a random value of at least {SECRET_KEY_MIN_LENGTH} characters, e.g. the output of "
        '`python -c "import secrets; print(secrets.token_urlsafe(48))"`. / Démarrage refusé '
        f"en production : SECRET_KEY doit être une valeur aléatoire d'au moins "
        f"{SECRET_KEY_MIN_LENGTH} caractères (absente, clé de développement ou trop courte)."
    )


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Accept the plain scheme that hosting platforms hand out, and use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    instance = ROOT / "instance"
    return f"sqlite:///{instance / 'lms.sqlite3'}"


class Config:
    LMS_ENV = os.environ.get("LMS_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("LMS_ENV") == "production"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "fr_CA"
    BABEL_DEFAULT_TIMEZONE = "America/Toronto"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "lms" / "translations")
    LANGUAGES = {"fr": "Français", "en": "English"}
    BOOTSTRAP_SERVE_LOCAL = True
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # OWASP: scrypt with N >= 2**17. Tests use a cheaper cost (TestConfig only).
    PASSWORD_HASH_METHOD = "scrypt:131072:8:1"
    # Sessions end after this long in all, and after this long without a request.
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "8"))
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
    # Number of reverse proxies in front of the app that set X-Forwarded-For (0: none).
    LMS_PROXY_COUNT = int(os.environ.get("LMS_PROXY_COUNT", "0"))
    # Login throttling (lms.auth.services.login_wait): failures within the window are counted per
    # account and per client address; past the free ones, each new attempt waits a delay that
    # doubles with every further failure, from LOGIN_DELAY_SECONDS up to LOGIN_DELAY_MAX_SECONDS.
    LOGIN_FAILURE_WINDOW_MINUTES = 60
    LOGIN_ACCOUNT_FREE_FAILURES = 10
    LOGIN_ADDRESS_FREE_FAILURES = 20
    LOGIN_DELAY_SECONDS = 30
    LOGIN_DELAY_MAX_SECONDS = 15 * 60
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    # true: STARTTLS required, with the server's certificate checked; unset/false: STARTTLS
    # whenever the server offers it (lms.mail.outbox._secure).
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").strip().lower() in ("1", "true", "yes", "on")
    MAIL_FROM = os.environ.get("MAIL_FROM", "no-reply@francisation.local")
    # The address people reach the site at: links in e-mails are absolute.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    COURSES_DIR = str(ROOT / "courses")
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(ROOT / "instance" / "uploads"))
    MAX_AUDIO_BYTES = 10 * 1024 * 1024  # about 10 minutes of browser-recorded speech


class TestConfig(Config):
    TESTING = True
    LMS_ENV = "test"
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    SESSION_COOKIE_SECURE = False
