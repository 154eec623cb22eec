# ruff: noqa: F811  (fixtures imported from tests/test_quality.py)
"""The quality dashboard on a small hand-made dataset (figures computed by hand below), its
scope, exports and query count; the cohort's printable report; the audit-log viewer."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from lms.alerts.models import Alert
from lms.attendance.models import AttendanceRecord
from lms.audit.services import record
from lms.auth.models import Role, User
from lms.catalog.models import Enrolment
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment
from lms.learning.models import SKILLS
from lms.quality.defaults import ensure_default_templates
from lms.quality.models import CheckpointReview, CheckpointTemplate
from lms.quality.queries.dashboard import DashboardFilters, dashboard
from lms.quality.queries.metrics import Period
from tests.test_quality import client_for, frozen, text  # noqa: F401

START = date(2026, 9, 14)
TODAY = date(2026, 11, 2)
PERIOD = "from=2026-09-01&to=2026-10-31"


def utc(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def _attendance(cohort, student, day, attended, scheduled=360):
    status = "present" if attended == scheduled else ("absent" if attended == 0 else "late")
    db.session.add(
        AttendanceRecord(
            cohort_id=cohort.id,
            student_id=student.id,
            day=day,
            status=status,
            minutes=0 if status != "late" else scheduled - attended,
            scheduled_minutes=scheduled,
            attended_minutes=attended,
        )
    )


def _levels(student, cohort, kind, day, level, skills=SKILLS):
    for skill in skills:
        db.session.add(
            LevelAssessment(
                student_id=student.id,
                cohort_id=cohort.id,
                skill=skill,
                level=level,
                kind=kind,
                assessed_on=day,
            )
        )


def _interview(student, cohort, day):
    db.session.add(
        FollowUpNote(
            student_id=student.id,
            cohort_id=cohort.id,
            note_type="entretien",
            reason="apprentissage",
            held_on=day,
            summary="Entretien.",
        )
    )


def _alert(cohort, student, opened, acknowledged=None):
    db.session.add(
        Alert(
            rule_code="absence_streak",
            subject_key=f"s:{student.id}:{opened.isoformat()}",
            student_id=student.id,
            cohort_id=cohort.id,
            severity="critical",
            status="acknowledged" if acknowledged else "open",
            evidence={},
            opened_at=opened,
            last_seen_at=opened,
            acknowledged_at=acknowledged,
        )
    )


def _review(cohort, key, due_on, status="due", verdict=None, amends=None):
    template = db.session.scalar(select(CheckpointTemplate).where(CheckpointTemplate.key == key))
    review = CheckpointReview(
        cohort_id=cohort.id,
        template_id=template.id,
        origin_key=None if amends else f"{cohort.id}:{template.id}",
        amends_id=amends.id if amends else None,
        due_on=due_on,
        status=status,
        verdict=verdict,
        results=[],
        comment="",
    )
    db.session.add(review)
    db.session.flush()
    return review


@pytest.fixture
def dash(app, make_user, make_region, make_cohort, enrol, frozen):
    """The hand-made dataset. Region A's cohort DASH-A (from 14 Sept.), three students:
    a1 and a2 active, a3 withdrawn on 2 Oct.; region B's cohort DASH-B; a region A cohort that
    starts in 2027 (outside the period)."""
    frozen(TODAY)
    coordinator = make_user(Role.COORDINATOR.value, name="Claire Gagnon")
    other = make_user(Role.COORDINATOR.value, name="Isabelle Roy")
    admin = make_user(Role.ADMIN.value)
    teacher = make_user(Role.TEACHER.value)
    region_a = make_region("Montréal", coordinators=(coordinator,))
    region_b = make_region("Capitale-Nationale", coordinators=(other,))
    a = make_cohort(region=region_a, teachers=(teacher,), start_on=START, code="DASH-A")
    b = make_cohort(region=region_b, start_on=START, code="DASH-B")
    make_cohort(region=region_a, start_on=date(2027, 1, 11), code="DASH-LATER")
    a1, a2, a3 = (make_user(name=n) for n in ("Amina Haddad", "Bruno Costa", "Chen Wei"))
    b1 = make_user(name="Dina Morales")
    for s in (a1, a2, a3):
        enrol(s, a)
    enrol(b1, b)
    withdrawn = db.session.scalar(select(Enrolment).where(Enrolment.student_id == a3.id))
    withdrawn.status, withdrawn.end_on = "withdrawn", date(2026, 10, 2)

    # Attendance: Sept. 660 of 1080 minutes, Oct. 360 of 360 -> 1020 / 1440.
    _attendance(a, a1, date(2026, 9, 14), 360)
    _attendance(a, a1, date(2026, 9, 15), 300)
    _attendance(a, a2, date(2026, 9, 14), 0)
    _attendance(a, a2, date(2026, 10, 1), 360)
    _attendance(b, b1, date(2026, 9, 14), 360)

    # Levels: a1 placement 3 (15 Sept., on time), mid 4 (20 Oct., on time) in the 4 skills;
    # a2 placement 2 (25 Sept., late), CO ad hoc 5 (29 Oct.) then final 4 (30 Oct.).
    _levels(a1, a, "placement", date(2026, 9, 15), 3)
    _levels(a1, a, "mid", date(2026, 10, 20), 4)
    _levels(a2, a, "placement", date(2026, 9, 25), 2)
    _levels(a2, a, "adhoc", date(2026, 10, 29), 5, skills=("CO",))
    _levels(a2, a, "final", date(2026, 10, 30), 4, skills=("CO",))

    # Interviews: a1 on 25 Sept. and 16 Oct.; a2 and a3 never.
    _interview(a1, a, date(2026, 9, 25))
    _interview(a1, a, date(2026, 10, 16))

    # Alerts acknowledged after 6 h (Sept.), 24 h and 3 h (Oct.); one never; B's after 100 h.
    _alert(a, a1, utc(date(2026, 9, 21), 14), utc(date(2026, 9, 21), 20))
    _alert(a, a2, utc(date(2026, 10, 5), 12), utc(date(2026, 10, 6), 12))
    _alert(a, a3, utc(date(2026, 10, 7), 12), utc(date(2026, 10, 7), 15))
    _alert(a, a2, utc(date(2026, 10, 8), 12))
    _alert(b, b1, utc(date(2026, 9, 21), 12), utc(date(2026, 9, 25), 16))

    # Checkpoints: A's démarrage signed « non conforme », amended and signed « conforme »;
    # A's mi-parcours due, not signed; B's démarrage signed « conforme ».
    ensure_default_templates()
    start = _review(a, "demarrage", date(2026, 9, 18), "signed", "non_conforme")
    _review(a, "demarrage", date(2026, 9, 18), "signed", "conforme", amends=start)
    _review(a, "mi_parcours", date(2026, 10, 23))
    _review(b, "demarrage", date(2026, 9, 18), "signed", "conforme")
    db.session.commit()
    return {
        "coordinator": coordinator,
        "other": other,
        "admin": admin,
        "teacher": teacher,
        "a": a,
        "b": b,
        "students": (a1, a2, a3),
        "region_a": region_a,
    }


def test_dashboard_figures_equal_those_computed_by_hand(dash):
    period = Period(date(2026, 9, 1), date(2026, 10, 31), TODAY)
    data = dashboard(dash["coordinator"], DashboardFilters(), period)
    assert [r.label for r in data.tables["cohorts"]] == ["DASH-A"]  # not B, not the 2027 one
    m = data.tables["cohorts"][0].metrics
    assert (m.attended_minutes, m.scheduled_minutes) == (1020, 1440)
    assert m.attendance_rate == pytest.approx(1020 / 1440)
    assert (m.enrolments, m.withdrawn) == (3, 1)
    assert m.retention == pytest.approx(2 / 3)
    assert {s: m.gain(s) for s in SKILLS} == {"CO": 1.5, "PO": 1.0, "CE": 1.0, "PE": 1.0}
    # Milestones: 3 placements (21 Sept.), 2 mid-course (23 Oct.; a3 has left): 2 met.
    assert (m.assessments_on_time, m.assessments_due) == (2, 5)
    # Fridays 18 Sept. .. 30 Oct.: a1 7 of 7, a2 2 of 7, a3 2 of 3 (until 2 Oct.).
    assert (m.cadence_ok, m.cadence_checks) == (11, 17)
    assert sorted(m.alert_hours) == [3.0, 6.0, 24.0]
    assert m.alert_median_hours == 6.0
    assert (m.reviews_ok, m.reviews_due) == (1, 2)
    assert m.checkpoints == 0.5
    # Totals and the region row are the same cohort's figures.
    assert data.total.attendance_rate == m.attendance_rate
    assert [r.label for r in data.tables["regions"]] == ["Montréal"]
    assert data.tables["regions"][0].metrics.cadence == pytest.approx(11 / 17)
    # Months: September and October.
    months = dict(data.months)
    assert list(months) == [(2026, 9), (2026, 10)]
    sept, octo = months[(2026, 9)], months[(2026, 10)]
    assert (sept.attended_minutes, sept.scheduled_minutes) == (660, 1080)
    assert octo.attendance_rate == 1.0
    assert (sept.cadence_ok, sept.cadence_checks, octo.cadence_ok, octo.cadence_checks) == (
        6,
        6,
        5,
        11,
    )
    assert (sept.alert_median_hours, octo.alert_median_hours) == (6.0, 13.5)
    assert (sept.checkpoints, octo.checkpoints) == (1.0, 0.0)


def test_dashboard_page_shows_the_figures_in_french_with_charts_and_tables(server, dash):
    client = client_for(server, dash["coordinator"])
    response = client.get(f"/quality/dashboard?{PERIOD}")
    assert response.status_code == 200
    page = text(response)
    assert "Tableau de bord de la qualité" in page
    for figure in ("70,8 %", "66,7 %", "40 %", "64,7 %", "6 h", "50 %", "+1,5", "13,5 h"):
        assert figure in page, figure
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart"') == 4
    assert "Taux de présence par mois" in page and "Données du graphique" in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "DASH-A" in page and "DASH-B" not in page and "Capitale-Nationale" not in page
    # Drill-down: region -> its sites and cohorts -> the cohort's report.
    region_id = dash["region_a"].id
    assert f"region={region_id}" in page
    assert f'href="/quality/cohorts/{dash["a"].id}/report"' in page
    assert f'href="/cohorts/{dash["a"].id}"' in page


def test_the_admin_sees_every_region_and_can_filter_one(server, dash):
    client = client_for(server, dash["admin"])
    page = text(client.get(f"/quality/dashboard?{PERIOD}"))
    assert "DASH-A" in page and "DASH-B" in page and "Capitale-Nationale" in page
    page = text(client.get(f"/quality/dashboard?{PERIOD}&region={dash['region_a'].id}"))
    assert "DASH-A" in page and "DASH-B" not in page


def _csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def test_every_dashboard_table_exports_as_csv(server, dash):
    client = client_for(server, dash["coordinator"])
    rows = _csv(client.get(f"/quality/dashboard.csv?table=cohorts&{PERIOD}"))
    header, data = rows[0], rows[1:]
    assert header[:3] == ["Groupe", "Cours", "Site"] and "Taux de présence (%)" in header
    assert len(data) == 1 and data[0][0] == "DASH-A"
    row = dict(zip(header, data[0], strict=True))
    assert row["Taux de présence (%)"] == "70.8"
    assert row["Rétention (%)"] == "66.7"
    assert row["Gain de niveau CO"] == "1.50"
    assert row["Évaluations à temps (%)"] == "40.0"
    assert row["Entretiens à jour (%)"] == "64.7"
    assert row["Délai médian des alertes (h)"] == "6.00"
    assert row["Points de contrôle conformes (%)"] == "50.0"
    months = _csv(client.get(f"/quality/dashboard.csv?table=months&{PERIOD}"))
    assert [r[0] for r in months[1:]] == ["2026-09", "2026-10"]
    for table in ("regions", "sites", "courses"):
        rows = _csv(client.get(f"/quality/dashboard.csv?table={table}&{PERIOD}"))
        assert len(rows) == 2, table
    bad = client.get("/quality/dashboard.csv?table=passwords")
    assert bad.status_code == 422 and "Tableau inconnu" in text(bad)


def test_a_coordinator_of_another_region_gets_none_of_its_rows_exports_or_report(server, dash):
    client = client_for(server, dash["other"])
    page = text(client.get(f"/quality/dashboard?{PERIOD}"))
    assert "DASH-B" in page and "DASH-A" not in page and "Montréal" not in page
    for table in ("regions", "sites", "courses", "cohorts"):
        body = client.get(f"/quality/dashboard.csv?table={table}&{PERIOD}").get_data(as_text=True)
        assert "DASH-A" not in body and "Montréal" not in body, table
    # Filtering on the other region's id shows nothing of it either.
    page = text(client.get(f"/quality/dashboard?{PERIOD}&region={dash['region_a'].id}"))
    assert "DASH-A" not in page
    assert client.get(f"/quality/cohorts/{dash['a'].id}/report").status_code == 404


def test_bad_dates_get_422_in_french_and_the_default_period(server, dash):
    client = client_for(server, dash["coordinator"])
    response = client.get("/quality/dashboard?from=2026-13-01")
    assert response.status_code == 422
    assert "Date invalide" in text(response)
    reversed_ = client.get("/quality/dashboard?from=2026-10-31&to=2026-09-01")
    assert reversed_.status_code == 422
    assert "La date de début doit précéder la date de fin." in text(reversed_)
    too_long = client.get("/quality/dashboard?from=2020-01-01&to=2026-10-31")
    assert too_long.status_code == 422
    assert client.get("/quality/dashboard.csv?from=nope").status_code == 422


def test_the_cohort_report_is_printable_and_links_to_the_student_files(server, dash):
    client = client_for(server, dash["coordinator"])
    response = client.get(f"/quality/cohorts/{dash['a'].id}/report")
    assert response.status_code == 200
    page = text(response)
    assert "Rapport qualité du groupe DASH-A" in page
    # Its print layout is a style sheet of its own (no inline style under the CSP).
    assert 'href="/static/css/report-print.css"' in page
    sheet = client.get("/static/css/report-print.css")
    assert "@media print" in sheet.get_data(as_text=True)
    sheet.close()
    for student in dash["students"]:
        assert f'href="/students/{student.id}"' in page
    assert "Abandon le 2 oct. 2026" in page
    assert "Démarrage" in page and "Mi-parcours" in page
    assert "modifiée par l'amendement nº" in page


# --- query counts -------------------------------------------------------------------------------


def _populate(cohorts, students_per_cohort=2):
    """Students, attendance, levels, interviews, alerts and reviews for every cohort, in bulk."""
    from lms.auth.services import hash_password

    password = hash_password("x-password-123")
    n = db.session.scalar(select(db.func.count(User.id)))
    users = [
        {
            "email": f"q{n + i}@example.org",
            "name": f"Élève {n + i}",
            "role": "student",
            "password_hash": password,
        }
        for i in range(len(cohorts) * students_per_cohort)
    ]
    db.session.execute(insert(User), users)
    ids = list(
        db.session.scalars(
            select(User.id).where(User.email.in_([u["email"] for u in users])).order_by(User.id)
        )
    )
    templates = {t.key: t.id for t in db.session.scalars(select(CheckpointTemplate))}
    enrolments, records, levels, notes, alerts, reviews = [], [], [], [], [], []
    for index, cohort in enumerate(cohorts):
        members = ids[index * students_per_cohort : (index + 1) * students_per_cohort]
        for student_id in members:
            enrolments.append(
                {"student_id": student_id, "cohort_id": cohort.id, "start_on": cohort.start_on}
            )
            for offset in range(3):
                records.append(
                    {
                        "cohort_id": cohort.id,
                        "student_id": student_id,
                        "day": cohort.start_on + timedelta(days=offset),
                        "status": "present",
                        "minutes": 0,
                        "scheduled_minutes": 360,
                        "attended_minutes": 360,
                    }
                )
            for skill in SKILLS:
                for kind, level, day in (("placement", 2, 1), ("final", 4, 60)):
                    levels.append(
                        {
                            "student_id": student_id,
                            "cohort_id": cohort.id,
                            "skill": skill,
                            "level": level,
                            "kind": kind,
                            "assessed_on": cohort.start_on + timedelta(days=day),
                        }
                    )
            notes.append(
                {
                    "student_id": student_id,
                    "cohort_id": cohort.id,
                    "note_type": "entretien",
                    "reason": "autre",
                    "held_on": cohort.start_on + timedelta(days=10),
                    "summary": "x",
                    "visibility": "team",
                }
            )
            opened = utc(cohort.start_on + timedelta(days=3), 14)
            alerts.append(
                {
                    "rule_code": "absence_streak",
                    "subject_key": f"s:{student_id}",
                    "student_id": student_id,
                    "cohort_id": cohort.id,
                    "severity": "critical",
                    "status": "acknowledged",
                    "evidence": {},
                    "opened_at": opened,
                    "last_seen_at": opened,
                    "acknowledged_at": opened + timedelta(hours=5),
                }
            )
        reviews.append(
            {
                "cohort_id": cohort.id,
                "template_id": templates["demarrage"],
                "origin_key": f"{cohort.id}:{templates['demarrage']}",
                "due_on": cohort.start_on + timedelta(days=4),
                "status": "signed",
                "verdict": "conforme",
                "results": [],
                "comment": "",
            }
        )
    for model, rows in (
        (Enrolment, enrolments),
        (AttendanceRecord, records),
        (LevelAssessment, levels),
        (FollowUpNote, notes),
        (Alert, alerts),
        (CheckpointReview, reviews),
    ):
        db.session.execute(insert(model), rows)
    db.session.commit()


def test_dashboard_makes_the_same_number_of_queries_for_3_and_60_cohorts(
    server, app, make_user, make_region, make_cohort, count_queries, frozen
):
    frozen(TODAY)
    ensure_default_templates()
    coordinator = make_user(Role.COORDINATOR.value)
    region = make_region(coordinators=(coordinator,))
    cohorts = [make_cohort(region=region, start_on=START) for _ in range(3)]
    _populate(cohorts)
    client = client_for(server, coordinator)
    path = f"/quality/dashboard?{PERIOD}"
    client.get(path)
    with count_queries() as three:
        page = text(client.get(path))
    assert page.count("page du groupe") == 3
    more = [make_cohort(region=region, start_on=START) for _ in range(57)]
    _populate(more)
    with count_queries() as sixty:
        page = text(client.get(path))
    assert page.count("page du groupe") == 60
    assert len(three) == len(sixty), (len(three), len(sixty))
    with count_queries() as export:
        client.get(f"/quality/dashboard.csv?table=cohorts&{PERIOD}")
    assert len(export) <= len(sixty)


def test_cohort_report_makes_the_same_number_of_queries_for_2_and_30_students(
    server, app, make_user, make_region, make_cohort, count_queries, frozen
):
    frozen(TODAY)
    ensure_default_templates()
    coordinator = make_user(Role.COORDINATOR.value)
    region = make_region(coordinators=(coordinator,))
    small, large = (make_cohort(region=region, start_on=START) for _ in range(2))
    _populate([small], 2)
    _populate([large], 30)
    client = client_for(server, coordinator)
    client.get(f"/quality/cohorts/{small.id}/report")
    with count_queries() as few:
        client.get(f"/quality/cohorts/{small.id}/report")
    with count_queries() as many:
        page = text(client.get(f"/quality/cohorts/{large.id}/report"))
    assert page.count('href="/students/') == 30
    assert len(few) == len(many)


# --- the audit-log viewer -----------------------------------------------------------------------


@pytest.fixture
def logged(dash):
    """Audit entries about both regions' cohorts and reviews, and a programme setting."""
    review_a = db.session.scalar(
        select(CheckpointReview).where(
            CheckpointReview.cohort_id == dash["a"].id, CheckpointReview.amends_id.is_(None)
        )
    )
    review_b = db.session.scalar(
        select(CheckpointReview).where(CheckpointReview.cohort_id == dash["b"].id)
    )
    record("review.sample", review_a, actor=dash["coordinator"], after={"sample": [1]})
    record("review.sign", review_b, actor=dash["other"], after={"verdict": "conforme"})
    record("cohort.import_students", dash["b"], actor=dash["admin"], after={"rows": 3})
    record("user.update", dash["students"][0], actor=dash["admin"], after={"name": "A"})
    record(
        "checkpoint_template.update",
        entity_type="CheckpointTemplate",
        entity_id=1,
        actor=dash["admin"],
        after={"name": "Démarrage"},
    )
    db.session.commit()
    return {"review_a": review_a, "review_b": review_b}


def test_audit_viewer_shows_a_coordinator_only_their_regions_entries(server, dash, logged):
    client = client_for(server, dash["coordinator"])
    response = client.get("/audit/?action=review.")
    assert response.status_code == 200
    page = text(response)
    assert "review.sample" in page and "review.sign" not in page
    page = text(client.get("/audit/"))
    assert "user.update" in page  # about a student of region A
    assert "checkpoint_template.update" in page  # programme-wide
    assert "cohort.import_students" not in page  # region B's cohort
    admin = text(client_for(server, dash["admin"]).get("/audit/"))
    assert "review.sign" in admin and "cohort.import_students" in admin
    other = text(client_for(server, dash["other"]).get("/audit/"))
    assert "review.sign" in other and "review.sample" not in other and "user.update" not in other


def test_audit_viewer_filters_paginates_and_exports(server, dash, logged):
    client = client_for(server, dash["admin"])
    by_user = text(client.get(f"/audit/?user={dash['other'].id}"))
    assert "1 entrée" in by_user and "review.sign" in by_user
    by_entity = text(client.get("/audit/?entity=Cohort"))
    assert "cohort.import_students" in by_entity and "review.sign" not in by_entity
    review_b = logged["review_b"].id
    assert "review.sign" in text(
        client.get(f"/audit/?entity=CheckpointReview&entity_id={review_b}")
    )
    # Entries are stamped with the real time (the column default is not the frozen clock).
    today = datetime.now(UTC).date().isoformat()
    assert "0 entrée" in text(client.get("/audit/?from=2099-01-01"))
    assert "0 entrée" in text(client.get("/audit/?to=2000-01-01"))
    assert "review.sign" in text(client.get(f"/audit/?from=2000-01-01&to={today}"))
    bad = client.get("/audit/?from=demain")
    assert bad.status_code == 422 and "Date invalide" in text(bad)
    assert client.get("/audit/?page=99").status_code == 404
    rows = _csv(client.get("/audit/export.csv?action=review."))
    assert rows[0] == ["Date", "Auteur", "Action", "Type", "Identifiant", "Avant", "Après"]
    assert sorted(r[2] for r in rows[1:]) == ["review.sample", "review.sign"]
    coordo = client_for(server, dash["coordinator"])
    rows = _csv(coordo.get("/audit/export.csv"))
    assert all(r[2] != "cohort.import_students" for r in rows[1:])
    assert coordo.get("/audit/export.csv?to=x").status_code == 422


def test_audit_viewer_makes_the_same_number_of_queries_for_few_and_many_entries(
    server, dash, logged, count_queries
):
    client = client_for(server, dash["coordinator"])
    client.get("/audit/")
    with count_queries() as few:
        client.get("/audit/")
    for i in range(50):
        record("review.finding", logged["review_a"], actor=dash["coordinator"], after={"i": i})
    db.session.commit()
    with count_queries() as many:
        page = text(client.get("/audit/"))
    assert "Page 1 sur 2" in page
    assert len(few) == len(many)
