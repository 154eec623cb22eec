"""HTTP hardening (security audit, findings 6 and 10): headers on every response, pages that
work under the Content-Security-Policy, out-of-range ids, the 416 page, /healthz details,
audio uploads checked as whole containers, STARTTLS, and programme-wide settings for admins."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from lms import clock, scheduler
from lms.auth.models import Role
from lms.catalog.models import Course
from lms.config import ROOT
from lms.extensions import db
from lms.learning.models import Exercise, Production
from tests.conftest import csrf_token, login

CSP_DIRECTIVES = (
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)


def _csp(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        name, _sep, value = part.strip().partition(" ")
        if name:
            directives[name] = value.strip()
    return directives


def assert_security_headers(response, *, no_store: bool = True) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    for directive in CSP_DIRECTIVES:
        assert directive in policy, (response.request.path, directive, policy)
    scripts = _csp(response).get("script-src", _csp(response).get("default-src", ""))
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    if no_store:
        assert "no-store" in response.headers.get("Cache-Control", ""), response.request.path


@pytest.fixture
def world(make_user, make_region, make_cohort, enrol, make_lesson, server):
    """A teacher's cohort with a student, an oral production on disk and an admin."""
    teacher = make_user(Role.TEACHER.value)
    coordinator = make_user(Role.COORDINATOR.value)
    admin = make_user(Role.ADMIN.value)
    student = make_user()
    region = make_region("Montréal", coordinators=(coordinator,))
    cohort = make_cohort(region=region, teachers=(teacher,), start_on=date(2026, 9, 7))
    enrol(student, cohort)
    course = db.session.get(Course, cohort.course_id)
    lesson = make_lesson(
        course,
        [("oral_production", {"max_seconds": 60}), ("cloze", {"text": "Mon [[élève]]."})],
        skills=("PO",),
    )
    exercise, cloze = db.session.scalars(
        select(Exercise).where(Exercise.lesson_id == lesson.id).order_by(Exercise.position)
    )
    audio = Path(server.config["UPLOAD_DIR"]) / f"security-{cohort.id}.ogg"
    audio.write_bytes(b"OggS" + bytes(1000))
    production = Production(
        student_id=student.id,
        exercise_id=exercise.id,
        cohort_id=cohort.id,
        file_name=audio.name,
        file_type="audio/ogg",
        file_size=1004,
    )
    db.session.add(production)
    db.session.commit()
    yield {
        "teacher": teacher,
        "coordinator": coordinator,
        "admin": admin,
        "student": student,
        "cohort": cohort,
        "exercise": exercise,
        "cloze": cloze,
        "production": production,
    }
    audio.unlink(missing_ok=True)


# --- 6. security headers ------------------------------------------------------------------------


def test_pages_errors_and_anonymous_pages_carry_the_security_headers(client, login_as, world):
    assert_security_headers(client.get("/auth/login"))
    assert_security_headers(client.get("/healthz"))
    login_as(world["teacher"])
    page = client.get(f"/cohorts/{world['cohort'].id}")
    assert page.status_code == 200
    assert_security_headers(page)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert_security_headers(missing)
    forbidden = client.get("/admin/")
    assert forbidden.status_code == 403
    assert_security_headers(forbidden)
    no_token = client.post("/language", data={"lang": "en"})  # refused before the view
    assert no_token.status_code == 400
    assert_security_headers(no_token)


def test_a_csv_export_and_a_recording_are_never_stored_by_the_browser(client, login_as, world):
    login_as(world["teacher"])
    export = client.get(f"/cohorts/{world['cohort'].id}/allowance.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert_security_headers(export)
    audio = client.get(f"/productions/{world['production'].id}/audio")
    assert audio.status_code == 200
    assert audio.mimetype == "audio/ogg"  # the stored content type, and nosniff
    assert_security_headers(audio)
    assert "public" not in audio.headers["Cache-Control"]
    audio.close()


def test_static_files_carry_the_headers_and_stay_cacheable(client, login_as, world):
    """CSS and JS are the same for everyone: the browser may keep them (decision)."""
    login_as(world["student"])
    for path in ("/static/css/app.css", "/bootstrap/static/css/bootstrap.min.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response, no_store=False)
        assert "no-store" not in response.headers.get("Cache-Control", "")
        response.close()
    missing = client.get("/static/css/none.css")  # an error page names the user: not stored
    assert missing.status_code == 404
    assert_security_headers(missing)


def test_hsts_only_in_production(server, client):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
    server.config["LMS_ENV"] = "production"
    hsts = client.get("/auth/login").headers.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age and int(max_age.group(1)) >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"""\bstyle\s*=|<style\b""", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.IGNORECASE)


def test_templates_have_no_inline_script_style_or_event_handler():
    """Under the policy, inline code would be blocked: every template is free of it."""
    offences = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER):
                if pattern.search(line):
                    offences.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert not offences, "\n".join(offences)


def test_markup_built_in_python_has_no_style_attribute():
    """The SVG charts are built in Python: no style attribute there either."""
    offences = []
    for path in sorted((ROOT / "lms").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""\bstyle=["'{]""", line) or INLINE_SCRIPT.search(line):
                offences.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert not offences, "\n".join(offences)


def test_bootstrap_is_loaded_from_files_without_inline_code(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<script src="/bootstrap/static/js/bootstrap.min.js"></script>' in html
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)
    assert not EVENT_HANDLER.search(html)


# --- 10a. out-of-range ids ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/cohorts/99999999999999999999",
        "/cohorts/2147483648",
        "/productions/9223372036854775808/audio",
        "/alerts/2147483648",
        "/admin/users/99999999999999999999",
    ],
)
def test_out_of_range_ids_are_404(path, client, login_as, world):
    login_as(world["admin"])
    response = client.get(path)
    assert response.status_code == 404, path
    assert "Cette page n'existe pas" in unescape(response.get_data(as_text=True))


def test_the_largest_database_integer_is_still_an_ordinary_404(client, login_as, world):
    login_as(world["admin"])
    assert client.get("/cohorts/2147483647").status_code == 404


def test_out_of_range_ids_in_the_query_string_are_404(client, login_as, world):
    login_as(world["student"])
    key = world["cloze"].key
    assert client.get(f"/learn/exercises/{key}").status_code == 200
    for attempt in ("99999999999999999999", "2147483648"):
        response = client.get(f"/learn/exercises/{key}?attempt={attempt}")
        assert response.status_code == 404, attempt


# --- 10b. a Range that cannot be satisfied -----------------------------------------------------


def test_an_unsatisfiable_range_on_a_recording_gets_the_french_error_page(client, login_as, world):
    login_as(world["teacher"])
    path = f"/productions/{world['production'].id}/audio"
    partial = client.get(path, headers={"Range": "bytes=0-3"})
    assert partial.status_code == 206 and partial.data == b"OggS"
    partial.close()
    response = client.get(path, headers={"Range": "bytes=5000-6000"})
    assert response.status_code == 416
    html = unescape(response.get_data(as_text=True))
    assert "La partie demandée du fichier n'existe pas." in html
    assert "Requested Range Not Satisfiable" not in html
    assert response.headers["Content-Range"] == "bytes */1004"
    assert_security_headers(response)


def test_the_405_page_keeps_its_allow_header(client):
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "POST" in response.headers.get("Allow", "")


# --- 10c. /healthz ------------------------------------------------------------------------------


def test_healthz_tells_anonymous_callers_the_status_only(client, app, make_user):
    scheduler.claim_lease("web-host-7:4242", clock.utcnow())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["scheduler"] == {"running": True}
    assert "web-host-7" not in response.get_data(as_text=True)
    assert "4242" not in response.get_data(as_text=True)
    teacher = make_user(Role.TEACHER.value)
    login(client, teacher)
    assert "web-host-7" not in client.get("/healthz").get_data(as_text=True)


def test_healthz_gives_admins_the_scheduler_details(client, app, make_user):
    scheduler.claim_lease("web-host-7:4242", clock.utcnow())
    login(client, make_user(Role.ADMIN.value))
    body = client.get("/healthz").get_json()
    assert body["scheduler"]["running"] is True
    assert body["scheduler"]["owner"] == "web-host-7:4242"
    assert "lease_expires_at" in body["scheduler"] and "embedded" in body["scheduler"]


# --- 10f. programme-wide settings: coordinators read, admins change ---------------------------

_POST_FORM = re.compile(r'<form method="post"(?:(?!</form>).)*</form>', re.S)


def _main(response) -> str:
    return re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0)


def _form_data(html: str) -> dict[str, str]:
    """The values of a page's first POST form in <main>, as a browser would send them."""
    form = _POST_FORM.search(html).group(0)
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "y"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, block in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option(?=[^>]*selected)[^>]*value="([^"]*)"', block) or re.search(
            r'<option[^>]*value="([^"]*)"', block
        )
        data[name] = chosen.group(1)
    return data


@pytest.fixture
def settings_pages(world):
    from lms.quality.defaults import ensure_default_templates
    from lms.quality.models import CheckpointTemplate

    ensure_default_templates()
    db.session.commit()
    template = db.session.scalar(
        select(CheckpointTemplate).where(CheckpointTemplate.key == "demarrage")
    )
    course = world["cohort"].course_id
    # path -> (field, new value): one change an admin may save and a coordinator may not.
    return {
        "/programme/settings": ("allowance_weekly_amount", "240.00"),
        "/alerts/rules": ("absence_streak-count", "4"),
        f"/alerts/rules/low_attendance?course={course}": ("window_days", "5"),
        f"/quality/templates/{template.id}": ("name", "Démarrage du groupe"),
    }


def _audit_count() -> int:
    from sqlalchemy import func

    from lms.audit.models import AuditLog

    db.session.rollback()
    return db.session.scalar(select(func.count(AuditLog.id)))


def test_coordinators_see_programme_settings_read_only(server, world, settings_pages):
    coordinator = server.test_client()
    login(coordinator, world["coordinator"])
    for path in settings_pages:
        response = coordinator.get(path)
        assert response.status_code == 200, path
        main = _main(response)
        assert "Lecture seule : seule l'équipe d'administration" in unescape(main), path
        forms = _POST_FORM.findall(main)
        assert forms, path
        for form in forms:
            assert "<fieldset disabled" in form, path
            assert 'type="submit"' not in form, path


def test_coordinators_cannot_change_programme_settings(server, world, settings_pages):
    admin, coordinator = server.test_client(), server.test_client()
    login(admin, world["admin"])
    login(coordinator, world["coordinator"])
    before = _audit_count()
    for path, (name, value) in settings_pages.items():
        html = _main(admin.get(path))
        assert "Lecture seule" not in html and "<fieldset disabled" not in html, path
        data = {**_form_data(html), name: value}
        data["csrf_token"] = csrf_token(coordinator, "/auth/password")
        response = coordinator.post(path, data=data)
        assert response.status_code == 403, path
        assert _audit_count() == before, path
        data["csrf_token"] = csrf_token(admin, "/auth/password")
        response = admin.post(path, data=data)
        assert response.status_code == 302, (path, response.get_data(as_text=True)[-3000:])
        assert _audit_count() > before, path
        before = _audit_count()


def test_only_admins_create_checkpoint_templates(server, world, settings_pages):
    coordinator = server.test_client()
    login(coordinator, world["coordinator"])
    assert "/quality/templates/new" not in coordinator.get("/quality/templates").get_data(
        as_text=True
    )
    assert coordinator.get("/quality/templates/new").status_code == 403
    token = csrf_token(coordinator, "/auth/password")
    response = coordinator.post("/quality/templates/new", data={"csrf_token": token, "name": "X"})
    assert response.status_code == 403
    admin = server.test_client()
    login(admin, world["admin"])
    assert admin.get("/quality/templates/new").status_code == 200
    assert "/quality/templates/new" in admin.get("/quality/templates").get_data(as_text=True)


# --- 10e. STARTTLS for the digests ------------------------------------------------------------


class FakeSMTP:
    """Records the SMTP conversation; ``offers_starttls`` says what its EHLO announces."""

    offers_starttls = False
    log: list = []

    def __init__(self, host, port, timeout=None):
        self.log.append(("connect", host, port))

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.log.append(("quit",))

    def ehlo(self, *_args):
        self.log.append(("ehlo",))
        return 250, b"ok"

    def has_extn(self, name):
        return name.lower() == "starttls" and self.offers_starttls

    def starttls(self, context=None):
        self.log.append(("starttls", context))
        return 220, b"ready"

    def send_message(self, message):
        self.log.append(("send", message["To"]))


@pytest.fixture
def fake_smtp(monkeypatch, app):
    import smtplib

    FakeSMTP.log = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="mail.example", MAIL_PORT=587)
    return FakeSMTP


def _queue_notification(make_user) -> None:
    from lms.alerts.models import Notification

    user = make_user(Role.TEACHER.value, email="julie@example.org")
    db.session.add(
        Notification(user_id=user.id, kind="new", message="Absences consécutives : Amina")
    )
    db.session.commit()


def _outbox():
    from lms.mail.models import OutboxMessage

    db.session.rollback()
    return db.session.scalars(select(OutboxMessage)).all()


def test_mail_use_tls_is_off_by_default():
    from lms.config import Config

    assert Config.MAIL_USE_TLS is False


@pytest.mark.parametrize("required", [True, False])
def test_starttls_is_used_when_offered_with_a_verified_certificate_when_required(
    app, fake_smtp, make_user, required
):
    import ssl

    from lms.alerts.notify import send_digests

    app.config["MAIL_USE_TLS"] = required
    fake_smtp.offers_starttls = True
    _queue_notification(make_user)
    assert send_digests()["sent"] == 1
    steps = [step[0] for step in fake_smtp.log]
    assert steps == ["connect", "ehlo", "starttls", "ehlo", "send", "quit"]
    context = next(step[1] for step in fake_smtp.log if step[0] == "starttls")
    assert isinstance(context, ssl.SSLContext)
    if required:  # MAIL_USE_TLS: the server's certificate and name are checked
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_without_mail_use_tls_a_server_without_starttls_still_gets_the_mail(
    app, fake_smtp, make_user
):
    from lms.alerts.notify import send_digests

    app.config["MAIL_USE_TLS"] = False
    fake_smtp.offers_starttls = False
    _queue_notification(make_user)
    assert send_digests()["sent"] == 1
    assert [step[0] for step in fake_smtp.log] == ["connect", "ehlo", "send", "quit"]


def test_required_starttls_missing_on_a_real_server_sends_nothing_and_says_why(app, make_user):
    from aiosmtpd.controller import Controller

    from lms.alerts.notify import send_digests
    from tests.test_digest import Inbox, _free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        app.config.update(
            MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port, MAIL_USE_TLS=True
        )
        _queue_notification(make_user)
        assert send_digests() == {"messages": 1, "sent": 0, "failed": 1, "queued": 0}
    finally:
        controller.stop()
    assert inbox.envelopes == []
    (stored,) = _outbox()
    assert stored.sent_at is None
    assert "STARTTLS" in stored.error and "MAIL_USE_TLS" in stored.error


def test_a_real_server_offering_starttls_gets_the_mail_encrypted(app, make_user, tmp_path):
    import shutil
    import ssl
    import subprocess

    from aiosmtpd.controller import Controller

    from lms.alerts.notify import send_digests
    from tests.test_digest import Inbox, _free_port

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    class TLSInbox(Inbox):
        async def handle_DATA(self, server, session, envelope):
            envelope.tls = session.ssl is not None
            return await super().handle_DATA(server, session, envelope)

    inbox = TLSInbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=_free_port(), tls_context=context, require_starttls=True
    )
    controller.start()
    try:
        app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
        app.config.pop("MAIL_USE_TLS", None)  # unset: STARTTLS when the server offers it
        _queue_notification(make_user)
        assert send_digests()["sent"] == 1
    finally:
        controller.stop()
    (envelope,) = inbox.envelopes
    assert envelope.tls and envelope.rcpt_tos == ["julie@example.org"]


# --- 10d. recordings checked as whole containers ----------------------------------------------

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def _upload(client, exercise, content: bytes, name: str):
    import io

    return client.post(
        f"/learn/exercises/{exercise.key}",
        data={
            "recording": (io.BytesIO(content), name),
            "csrf_token": csrf_token(client, "/auth/password"),
        },
        content_type="multipart/form-data",
    )


def _productions() -> list[Production]:
    db.session.rollback()
    return list(db.session.scalars(select(Production).order_by(Production.id)))


@pytest.fixture
def oral_today(world, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 9, 9))
    return world


@pytest.mark.parametrize("name", sorted(__import__("tests.audio_samples").audio_samples.SAMPLES))
def test_each_accepted_format_is_stored_and_served_with_its_type(
    name, server, client, login_as, oral_today
):
    from tests.audio_samples import SAMPLES

    mime, make = SAMPLES[name]
    login_as(oral_today["student"])
    response = _upload(client, oral_today["exercise"], make(), name)
    assert response.status_code == 302, unescape(response.get_data(as_text=True))[-2000:]
    production = _productions()[-1]
    assert production.file_type == mime
    audio = client.get(f"/productions/{production.id}/audio")
    assert audio.status_code == 200 and audio.mimetype == mime and audio.data == make()
    assert audio.headers["X-Content-Type-Options"] == "nosniff"
    audio.close()
    (Path(server.config["UPLOAD_DIR"]) / production.file_name).unlink()


@pytest.mark.parametrize(
    "name",
    sorted(__import__("tests.audio_samples").audio_samples.SAMPLES),
)
def test_a_recording_with_html_after_it_or_cut_short_is_refused_and_nothing_is_kept(
    name, server, client, login_as, oral_today
):
    from tests.audio_samples import SAMPLES

    _mime, make = SAMPLES[name]
    data = make()
    login_as(oral_today["student"])
    before = sorted(Path(server.config["UPLOAD_DIR"]).iterdir())
    count = len(_productions())
    magic = data[:16] if not name.endswith(".m4a") else data[:12]
    for content in (magic + HTML, data + HTML, data[: len(data) - 7], magic + bytes(4000)):
        response = _upload(client, oral_today["exercise"], content, name)
        assert response.status_code == 422, (name, content[:40])
        page = unescape(response.get_data(as_text=True))
        assert "Ce fichier n'est pas un enregistrement audio valide" in page
    assert sorted(Path(server.config["UPLOAD_DIR"]).iterdir()) == before
    assert len(_productions()) == count


def test_the_container_checks_find_what_magic_bytes_miss():
    from lms.learning.audio import InvalidContainer, check_container
    from tests.audio_samples import UNKNOWN_SIZE, ebml, ogg_opus, wav, webm

    def refused(mime: str, data: bytes) -> bool:
        try:
            check_container(mime, data)
        except InvalidContainer:
            return True
        return False

    ogg = bytearray(ogg_opus())
    ogg[-10] ^= 0xFF  # one byte of audio changed: the page checksum no longer matches
    assert refused("audio/ogg", bytes(ogg))
    not_audio = ogg_opus().replace(b"OpusHead", b"OpusHeax")  # (checksum recomputed below)
    assert refused("audio/ogg", not_audio)
    # A WebM document without an audio track, and one whose DocType is something else.
    video_only = webm().replace(b"\x83\x81\x02", b"\x83\x81\x01")
    assert refused("audio/webm", video_only)
    assert refused("audio/webm", webm().replace(b"webm", b"html"))
    # An unknown element in the Segment (HTML would be read as one).
    assert refused("audio/webm", webm() + ebml(0x3C6874, b"<html>"))
    assert refused("audio/webm", webm() + bytes.fromhex("1F43B675") + UNKNOWN_SIZE + b"<h")
    riff = bytearray(wav())
    riff[4:8] = (len(riff) + 100).to_bytes(4, "little")
    assert refused("audio/wav", bytes(riff))
    assert not refused("audio/webm", webm(clusters=1, blocks=1))


@pytest.mark.parametrize(
    ("name", "mime"),
    [("chromium-recording.webm", "audio/webm"), ("chromium-recording.m4a", "audio/mp4")],
)
def test_recordings_made_by_chromiums_media_recorder_are_accepted(
    name, mime, server, client, login_as, oral_today
):
    """Real MediaRecorder output (Chromium 156, fake microphone, 1.5 s): tests/data/."""
    data = (Path(__file__).parent / "data" / name).read_bytes()
    login_as(oral_today["student"])
    response = _upload(client, oral_today["exercise"], data, name)
    assert response.status_code == 302
    production = _productions()[-1]
    assert production.file_type == mime and production.file_size == len(data)
    (Path(server.config["UPLOAD_DIR"]) / production.file_name).unlink()


@pytest.mark.parametrize(
    "path",
    [
        "/cohorts/?page={big}",
        "/admin/?page={big}",
        "/alerts/?page={big}",
        "/alerts/?cohort={big}",
        "/quality/?page={big}",
        "/quality/?course={big}",
        "/quality/?cohort={big}",
        "/quality/dashboard?course={big}",
        "/notifications?page={big}",
        "/employers/?page={big}",
    ],
)
def test_out_of_range_numbers_in_query_strings_are_404(path, client, login_as, world):
    """Past 64 bits on both engines; 2**31 is past PostgreSQL's INTEGER only (on SQLite it is
    an id that no row has: an empty list; a page number that large is an empty page)."""
    login_as(world["admin"])
    response = client.get(path.format(big="99999999999999999999"))
    assert response.status_code == 404, path
    assert "Cette page n'existe pas" in unescape(response.get_data(as_text=True))
    an_id_on_postgresql = db.engine.dialect.name == "postgresql" and "page=" not in path
    response = client.get(path.format(big="2147483648"))
    assert response.status_code in ((404,) if an_id_on_postgresql else (200, 404)), path


def test_healthz_says_degraded_without_a_database_even_to_a_logged_in_admin(
    server, client, make_user, monkeypatch
):
    login(client, make_user(Role.ADMIN.value))
    from sqlalchemy.orm import Session

    def unavailable(*_args, **_kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(Session, "execute", unavailable)
    monkeypatch.setattr(Session, "get", unavailable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "degraded",
        "database": "unavailable",
        "scheduler": {"running": False},
    }
