"""Attendance per class day: the service (hours, refusals, history) and the grid through the
web (roles, bad input, CSRF, query counts, two teachers saving the same day)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from lms import clock
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.attendance.queries import enrolled_on
from lms.attendance.services import (
    AttendanceRowErrors,
    Entry,
    attended_minutes,
    save_attendance,
)
from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.catalog.models import Cohort, cohort_teacher
from lms.errors import ServiceError
from lms.extensions import db
from lms.programme.models import ClosureDay
from tests.conftest import client_for, csrf_token

START = date(2026, 9, 14)  # Monday; Thanksgiving (Action de grâce) is Monday 12 October
TODAY = date(2026, 10, 30)  # a Friday, week 7
WEEK3 = START + timedelta(weeks=2)


@pytest.fixture
def world(make_user, make_region, make_cohort, enrol, monkeypatch):
    people = {
        "teacher": make_user(Role.TEACHER.value, name="Julie Bouchard"),
        "colleague": make_user(Role.TEACHER.value, name="Paul Côté"),
        "other_teacher": make_user(Role.TEACHER.value),
        "coordinator": make_user(Role.COORDINATOR.value),
        "other_coordinator": make_user(Role.COORDINATOR.value),
        "admin": make_user(Role.ADMIN.value),
    }
    region = make_region("Montréal", coordinators=(people["coordinator"],))
    region_b = make_region("Capitale-Nationale", coordinators=(people["other_coordinator"],))
    cohort = make_cohort(
        region=region, teachers=(people["teacher"], people["colleague"]), start_on=START
    )
    make_cohort(region=region_b, teachers=(people["other_teacher"],), start_on=START)
    students = {
        "amina": make_user(name="Amina Haddad"),
        "carlos": make_user(name="Carlos Morales"),
        "zoe": make_user(name="Zoé Tremblay"),  # joins in week 3
        "wanda": make_user(name="Wanda Quitte"),  # withdrew at the end of week 2
    }
    enrol(students["amina"], cohort)
    enrol(students["carlos"], cohort)
    enrol(students["zoe"], cohort, start_on=WEEK3)
    enrol(
        students["wanda"],
        cohort,
        status="withdrawn",
        end_on=START + timedelta(days=11),
        withdrawal_reason="emploi",
    )
    people["student"] = students["amina"]
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    # Noon in Quebec: today's attendance is not due yet (it is from 17:00).
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 10, 30, 16, 0, tzinfo=UTC))
    return {"cohort": cohort, "students": students, **people}


def _ids(world, *keys):
    return [world["students"][k].id for k in keys]


def _entries(cohort_id, day, changes=None):
    changes = changes or {}
    return [
        Entry(sid, *changes.get(sid, ("present", None, None)))
        for sid, _name, _email in enrolled_on(cohort_id, day)
    ]


def _save(world, day, changes=None, *, version=0, actor=None):
    cohort = db.session.get(Cohort, world["cohort"].id)
    result = save_attendance(
        cohort,
        day,
        _entries(cohort.id, day, changes),
        actor=actor or world["teacher"],
        expected_version=version,
        today=TODAY,
    )
    db.session.commit()
    return result


def _records(cohort_id, day):
    return {
        r.student_id: r
        for r in db.session.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.cohort_id == cohort_id, AttendanceRecord.day == day
            )
        )
    }


# --- the service ---------------------------------------------------------------------------------


def test_hours_attended_from_the_schedule():
    # A 6-hour day is 360 minutes. Late 20 minutes: 340 minutes attended (5 h 40).
    assert attended_minutes("late", 20, 360) == 340
    assert divmod(attended_minutes("late", 20, 360), 60) == (5, 40)
    assert attended_minutes("left_early", 90, 360) == 270
    assert attended_minutes("present", 0, 360) == 360
    assert attended_minutes("absent", 0, 360) == 0
    assert attended_minutes("justified", 0, 360) == 0


def test_taking_a_day_writes_one_record_per_student_with_minutes(world):
    amina, carlos = _ids(world, "amina", "carlos")
    day = START + timedelta(days=1)
    attendance_day = _save(
        world,
        day,
        {amina: ("late", 20, None), carlos: ("justified", None, "rendez-vous-medical")},
    )
    records = _records(world["cohort"].id, day)
    assert set(records) == {amina, carlos, world["students"]["wanda"].id}  # not Zoé yet
    assert (records[amina].status, records[amina].minutes) == ("late", 20)
    assert (records[amina].scheduled_minutes, records[amina].attended_minutes) == (360, 340)
    assert records[carlos].attended_minutes == 0
    assert records[carlos].reason == "rendez-vous-medical"
    assert attendance_day.taken_by_id == world["teacher"].id
    assert attendance_day.version == 1


def test_edits_keep_their_history_in_the_audit_log(world):
    amina, carlos = _ids(world, "amina", "carlos")
    day = START + timedelta(days=2)
    _save(world, day, {amina: ("absent", None, None)})
    _save(
        world,
        day,
        {amina: ("late", 15, None), carlos: ("present", None, None)},
        version=1,
        actor=world["colleague"],
    )
    entries = list(db.session.scalars(select(AuditLog).order_by(AuditLog.id)))
    assert [e.action for e in entries] == ["attendance.take", "attendance.update"]
    take, update = entries
    assert take.actor_id == world["teacher"].id
    assert take.after["day"] == day.isoformat()
    assert take.after["records"][str(amina)]["status"] == "absent"
    assert update.actor_id == world["colleague"].id
    assert update.entity_type == "AttendanceRecord"
    assert update.before == {
        "status": "absent",
        "minutes": 0,
        "reason": None,
        "comment": None,
        "attended_minutes": 0,
    }
    assert update.after["status"] == "late" and update.after["attended_minutes"] == 345
    assert update.after["student_id"] == amina
    # Saving the same data again changes nothing: no new entry, the version stays.
    version = db.session.scalar(select(AttendanceDay.version))
    _save(world, day, {amina: ("late", 15, None)}, version=version)
    assert db.session.scalar(select(func.count(AuditLog.id))) == 2
    assert db.session.scalar(select(AttendanceDay.version)) == version


def test_the_service_refuses_an_old_version(world):
    day = START + timedelta(days=3)
    _save(world, day)
    with pytest.raises(ServiceError) as refused:
        _save(world, day, version=0)
    assert refused.value.status == 409
    db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        _save(world, day, version=7)
    assert refused.value.status == 409


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2026, 11, 2), "à venir"),
        (date(2026, 9, 19), "n'est pas un jour de classe"),  # Saturday
        (date(2026, 10, 12), "jour férié (Action de grâce)"),
        (date(2026, 9, 11), "en dehors des dates du groupe"),
    ],
)
def test_the_service_refuses_days_that_are_not_class_days(world, day, message):
    with pytest.raises(ServiceError, match=re.escape(message)):
        _save(world, day)
    db.session.rollback()
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


def test_a_site_closure_is_refused_with_its_reason(world):
    day = START + timedelta(days=4)
    db.session.add(ClosureDay(site_id=world["cohort"].site_id, day=day, reason="tempête"))
    db.session.commit()
    with pytest.raises(ServiceError, match=r"Le centre est fermé le .* \(tempête\)"):
        _save(world, day)


def test_a_student_not_enrolled_that_day_is_refused(world):
    day = START + timedelta(days=1)  # week 1: Zoé joins in week 3
    cohort = db.session.get(Cohort, world["cohort"].id)
    entries = _entries(cohort.id, day) + [Entry(world["students"]["zoe"].id, "present")]
    with pytest.raises(ServiceError, match="n'est pas inscrit·e dans ce groupe"):
        save_attendance(
            cohort, day, entries, actor=world["teacher"], expected_version=0, today=TODAY
        )
    db.session.rollback()
    # A listed student left out is refused too (the list changed since the page was read).
    with pytest.raises(ServiceError, match="La liste des élèves a changé"):
        save_attendance(
            cohort, day, entries[:1], actor=world["teacher"], expected_version=0, today=TODAY
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("late", 0, None), "de 1 à 359"),
        (("late", 360, None), "de 1 à 359"),
        (("left_early", None, None), "de 1 à 359"),
        (("present", 10, None), "ne s'inscrivent qu'avec"),
        (("justified", None, None), "Choisissez le motif"),
        (("justified", None, "vacances"), "Choisissez un motif dans la liste"),
        (("sleeping", None, None), "Choisissez un statut"),
    ],
)
def test_rows_that_do_not_fit_are_refused_with_french_messages(world, change, message):
    amina = world["students"]["amina"].id
    with pytest.raises(AttendanceRowErrors) as refused:
        _save(world, START, {amina: change})
    assert message in " ".join(refused.value.errors[amina])
    db.session.rollback()
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


# --- the grid through the web ----------------------------------------------------------------


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _url(world, day=None):
    base = f"/cohorts/{world['cohort'].id}/attendance"
    return base if day is None else f"{base}?day={day.isoformat()}"


_ROW = re.compile(r'name="rows-(\d+)-student_id" type="hidden" value="(\d+)"')
_VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')


def _form(client, world, day):
    """The grid as a browser would submit it untouched: (data, index of each student)."""
    page = client.get(_url(world, day))
    assert page.status_code == 200, _text(page)[:300]
    text = _text(page)
    data = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1),
        "version": _VERSION.search(text).group(1),
    }
    index = {}
    for i, sid in _ROW.findall(text):
        index[int(sid)] = i
        data[f"rows-{i}-student_id"] = sid
        status = re.search(
            rf'<select[^>]*name="rows-{i}-status"[^>]*>.*?<option selected value="(\w+)"',
            text,
            re.S,
        )
        data[f"rows-{i}-status"] = status.group(1) if status else "present"
        data[f"rows-{i}-minutes"] = ""
        data[f"rows-{i}-reason"] = ""
        data[f"rows-{i}-comment"] = ""
    return data, index


def _change(data, index, student_id, status, minutes="", reason="", comment=""):
    i = index[student_id]
    data.update(
        {
            f"rows-{i}-status": status,
            f"rows-{i}-minutes": str(minutes),
            f"rows-{i}-reason": reason,
            f"rows-{i}-comment": comment,
        }
    )


def _rate(text, name):
    row = re.search(rf'<tr data-student="{re.escape(name)}".*?</tr>', text, re.S).group(0)
    return re.sub(r"[ \t\n]+", " ", re.search(r'class="text-nowrap rate">(.*?)</td>', row, re.S)[1])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher", 200),
        ("other_teacher", 404),
        ("coordinator", 200),
        ("other_coordinator", 404),
        ("admin", 200),
        ("student", 403),
    ],
)
def test_grid_by_role(server, world, role, status):
    client = client_for(server, world[role])
    assert client.get(_url(world, START)).status_code == status


def test_grid_sends_anonymous_users_to_login(client, world):
    response = client.get(_url(world))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_grid_lists_the_students_enrolled_that_day_everyone_present(server, world):
    client = client_for(server, world["teacher"])
    week1 = _text(client.get(_url(world, START)))
    assert "Amina Haddad" in week1 and "Wanda Quitte" in week1 and "Zoé Tremblay" not in week1
    assert "Tout le monde est présent·e par défaut" in week1
    assert week1.count('<option selected value="present">') == 3
    # Labels for every control, named after the student.
    assert "Statut de Amina Haddad" in week1
    assert "Minutes de retard ou de départ hâtif de Amina Haddad" in week1
    assert "Motif de l'absence motivée de Amina Haddad" in week1
    week3 = _text(client.get(_url(world, WEEK3)))
    assert "Zoé Tremblay" in week3 and "Wanda Quitte" not in week3  # she left in week 2
    assert "Semaine 3 du cours" in week3


def test_default_day_is_today_or_the_last_class_day_before(server, world, monkeypatch):
    client = client_for(server, world["teacher"])
    assert "Vendredi 30 octobre 2026" in _text(client.get(_url(world)))
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 1))  # a Sunday
    assert "Vendredi 30 octobre 2026" in _text(client.get(_url(world)))
    monkeypatch.setattr(clock, "today", lambda: date(2026, 9, 1))  # before the start
    assert "Le groupe commence le" in _text(client.get(_url(world)))


def test_taking_attendance_through_the_web_changes_the_rates(server, world):
    amina, carlos = _ids(world, "amina", "carlos")
    client = client_for(server, world["teacher"])
    day = START + timedelta(days=1)
    _save(world, START)  # Monday: everyone present
    before = _text(client.get(_url(world, day)))
    assert _rate(before, "Amina Haddad").startswith("100,0\u00a0%")
    data, index = _form(client, world, day)
    _change(data, index, amina, "absent")
    _change(data, index, carlos, "late", 15, comment="Autobus en retard")
    response = client.post(_url(world, day), data=data)
    assert response.status_code == 302
    after = _text(client.get(response.headers["Location"]))
    assert "Présences du mardi 15 septembre 2026 enregistrées." in after
    assert _rate(after, "Amina Haddad").startswith("50,0\u00a0%")  # 6 h / 12 h
    assert _rate(after, "Carlos Morales").startswith("97,9\u00a0%")  # 11 h 45 / 12 h
    assert "Présences saisies par Julie Bouchard" in after
    db.session.rollback()
    records = _records(world["cohort"].id, day)
    assert records[carlos].attended_minutes == 345
    assert records[carlos].comment == "Autobus en retard"


def test_days_not_taken_are_listed_with_links(server, world):
    _save(world, START)
    client = client_for(server, world["teacher"])
    text = _text(client.get(_url(world, START)))
    assert "Présences non saisies" in text
    # 33 class days up to yesterday (7 weeks − Thanksgiving − today); Monday 14 is taken.
    assert "32 jours de classe passés n'ont pas de présences saisies" in text
    assert f'href="{_url(world, START + timedelta(days=1))}"' in text.replace("&amp;", "&")
    # Previous / next class-day links skip Thanksgiving.
    friday = date(2026, 10, 9)
    page = _text(client.get(_url(world, friday)))
    assert "day=2026-10-13" in page and "day=2026-10-08" in page


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2026, 11, 2), "à venir"),
        (date(2026, 9, 19), "pas un jour de classe"),
        (date(2026, 10, 12), "jour férié (Action de grâce)"),
    ],
)
def test_grid_refuses_days_that_are_not_class_days(server, world, day, message):
    client = client_for(server, world["teacher"])
    page = client.get(_url(world, day))
    assert page.status_code == 422
    assert message in _text(page)
    token = csrf_token(client, _url(world, START))
    response = client.post(
        _url(world, day),
        data={
            "csrf_token": token,
            "version": "0",
            "rows-0-student_id": str(world["students"]["amina"].id),
            "rows-0-status": "present",
        },
    )
    assert response.status_code == 422 and message in _text(response)
    db.session.rollback()
    assert db.session.scalar(select(func.count(AttendanceDay.id))) == 0


def test_grid_refuses_a_malformed_date(server, world):
    client = client_for(server, world["teacher"])
    response = client.get(f"/cohorts/{world['cohort'].id}/attendance?day=2026-13-45")
    assert response.status_code == 400
    assert "AAAA-MM-JJ" in _text(response)


@pytest.mark.parametrize(
    ("status", "minutes", "reason", "message"),
    [
        ("late", "0", "", "de 1 à 359"),
        ("late", "400", "", "de 1 à 359"),
        ("late", "abc", "", "Inscrivez un nombre entier de minutes."),
        ("dancing", "", "", "Choisissez un statut dans la liste."),
        ("justified", "", "plage", "Choisissez un motif dans la liste."),
        ("justified", "", "", "Choisissez le motif de l'absence motivée."),
    ],
)
def test_grid_bad_input_is_refused_and_nothing_is_written(
    server, world, status, minutes, reason, message
):
    amina = world["students"]["amina"].id
    client = client_for(server, world["teacher"])
    data, index = _form(client, world, START)
    _change(data, index, amina, status, minutes, reason)
    response = client.post(_url(world, START), data=data)
    assert response.status_code == 422
    text = _text(response)
    assert message in text
    assert "Les présences n'ont pas été enregistrées : 1 ligne à corriger." in text
    assert 'aria-invalid="true"' in text
    db.session.rollback()
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0
    assert db.session.scalar(select(func.count(AttendanceDay.id))) == 0


def test_grid_refuses_a_student_not_enrolled_that_day(server, world):
    client = client_for(server, world["teacher"])
    data, _index = _form(client, world, START)
    data["rows-9-student_id"] = str(world["students"]["zoe"].id)  # joins in week 3
    data["rows-9-status"] = "present"
    response = client.post(_url(world, START), data=data)
    assert response.status_code == 422
    assert "n'est pas inscrit·e dans ce groupe" in _text(response)
    db.session.rollback()
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


def test_grid_without_csrf_token_is_refused(server, world):
    client = client_for(server, world["teacher"])
    data, _index = _form(client, world, START)
    del data["csrf_token"]
    assert client.post(_url(world, START), data=data).status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


def test_two_teachers_saving_the_same_day_the_second_gets_a_conflict(server, world):
    amina, carlos = _ids(world, "amina", "carlos")
    first = client_for(server, world["teacher"])
    second = client_for(server, world["colleague"])
    day = START + timedelta(days=2)
    data_1, index_1 = _form(first, world, day)
    data_2, index_2 = _form(second, world, day)
    assert data_1["version"] == data_2["version"] == "0"
    _change(data_1, index_1, amina, "absent")
    _change(data_2, index_2, carlos, "late", 30)
    assert first.post(_url(world, day), data=data_1).status_code == 302
    response = second.post(_url(world, day), data=data_2)
    assert response.status_code == 409
    text = _text(response)
    assert (
        "Un·e collègue a enregistré les présences de ce jour pendant que vous les modifiiez. "
        "Vos changements n'ont pas été enregistrés : voici la version à jour. "
        "Refaites vos changements, puis enregistrez."
    ) in text
    # The page shows the current data (Amina absent) and the current version to retry with.
    assert 'name="version" type="hidden" value="1"' in text
    assert re.search(
        rf'name="rows-{index_2[amina]}-status"[^>]*>.*?<option selected value="absent">',
        text,
        re.S,
    )
    db.session.rollback()
    records = _records(world["cohort"].id, day)
    assert records[amina].status == "absent" and records[carlos].status == "present"
    assert db.session.scalar(select(AttendanceDay.taken_by_id)) == world["teacher"].id
    # Retrying from the fresh page works.
    data_3, index_3 = _form(second, world, day)
    _change(data_3, index_3, carlos, "late", 30)
    _change(data_3, index_3, amina, "absent")
    assert second.post(_url(world, day), data=data_3).status_code == 302
    db.session.rollback()
    assert _records(world["cohort"].id, day)[carlos].attended_minutes == 330
    assert db.session.scalar(select(AttendanceDay.version)) == 2


@pytest.mark.parametrize(
    "error",
    [
        StaleDataError("UPDATE statement on table 'attendance_day' expected to update 1 row"),
        IntegrityError("INSERT INTO attendance_day", {}, Exception("unique")),
    ],
)
def test_concurrent_write_errors_are_conflicts_too(server, world, monkeypatch, error):
    client = client_for(server, world["teacher"])
    data, _index = _form(client, world, START)

    def racing(*args, **kwargs):
        db.session.add(AttendanceDay(cohort_id=world["cohort"].id, day=START))
        raise error

    monkeypatch.setattr("lms.attendance.views.save_attendance", racing)
    response = client.post(_url(world, START), data=data)
    assert response.status_code == 409
    assert "Un·e collègue a enregistré" in _text(response)
    db.session.rollback()
    assert db.session.scalar(select(func.count(AttendanceDay.id))) == 0


def test_grid_query_count_does_not_grow_with_students(
    server, make_user, make_cohort, enrol, count_queries, monkeypatch
):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    teacher = make_user(Role.TEACHER.value)
    counts = []
    for size in (5, 40):
        cohort = make_cohort(teachers=(teacher,), start_on=START)
        for i in range(size):
            enrol(make_user(name=f"Élève {i:02d}"), cohort)
        for offset in range(3):  # some days taken, with a mix of statuses
            day = START + timedelta(days=offset)
            ids = [sid for sid, _n, _e in enrolled_on(cohort.id, day)]
            entries = [
                Entry(sid, ("present", "late", "absent")[i % 3], 10 if i % 3 == 1 else None)
                for i, sid in enumerate(ids)
            ]
            save_attendance(cohort, day, entries, actor=teacher, expected_version=0, today=TODAY)
        db.session.commit()
        client = client_for(server, teacher)
        with count_queries() as statements:
            page = client.get(f"/cohorts/{cohort.id}/attendance?day={START + timedelta(days=1)}")
        assert page.status_code == 200
        assert _text(page).count("<tr data-student=") == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- the student's own page ------------------------------------------------------------------


def test_student_sees_their_own_attendance_and_allowance_only(server, world):
    amina, carlos = _ids(world, "amina", "carlos")
    _save(world, START, {amina: ("late", 20, None), carlos: ("absent", None, None)})
    _save(
        world,
        START + timedelta(days=1),
        {amina: ("justified", None, "maladie"), carlos: ("left_early", 60, None)},
    )
    client = client_for(server, world["students"]["amina"])
    text = _text(client.get("/learn/attendance"))
    assert "Mes présences et mon allocation" in text
    assert "En retard (20 min)" in text
    assert "Absence motivée — maladie" in text
    assert "5\u00a0h\u00a040 / 6\u00a0h" in text  # late 20 min on a 6-hour day
    assert "Carlos Morales" not in text and "Départ hâtif" not in text
    assert "Semaine 7" in text and "Semaine 1" in text
    # Week 1: 5 h 40 + 6 h justified (counted) of 12 h taken: $230 × 700 / 720 = $223.61.
    assert "223,61\u00a0$" in text and "provisoire" in text


def test_student_attendance_page_is_for_students_only(server, world):
    assert client_for(server, world["teacher"]).get("/learn/attendance").status_code == 403
    anonymous = server.test_client().get("/learn/attendance")
    assert anonymous.status_code == 302


def test_student_without_enrolment_sees_a_message(server, make_user):
    client = client_for(server, make_user())
    text = _text(client.get("/learn/attendance"))
    assert "Vous n'êtes inscrit·e à aucun cours" in text


def test_services_labels_cover_every_status_and_reason():
    from lms.attendance import vocab

    assert set(vocab.STATUS_LABELS) == set(vocab.AttendanceStatus)
    assert set(vocab.REASON_LABELS) == set(vocab.JustificationReason)


def test_pages_render_in_english_too(server, world, make_user, enrol):
    teacher = make_user(Role.TEACHER.value, preferred_language="en")
    db.session.execute(
        insert(cohort_teacher), [{"cohort_id": world["cohort"].id, "user_id": teacher.id}]
    )
    db.session.commit()
    _save(world, START)
    client = client_for(server, teacher)
    code = world["cohort"].code
    grid = client.get(_url(world, START))
    assert grid.status_code == 200
    assert f"Attendance for cohort {code}" in grid.text and "Présences du groupe" not in grid.text
    allowance = client.get(f"/cohorts/{world['cohort'].id}/allowance?week={START}")
    assert allowance.status_code == 200
    assert f"Participation allowance — {code}" in allowance.text
    assert "Allocation de participation" not in allowance.text
    student = make_user(preferred_language="en")
    enrol(student, world["cohort"])
    mine = client_for(server, student).get("/learn/attendance")
    assert mine.status_code == 200
    assert "My attendance and allowance" in mine.text and "Mes présences" not in mine.text
