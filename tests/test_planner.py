"""The course-plan builder: the pure planner, the plan built from the shipped FTC-4 content
for a « santé » needs profile, versioning, and the plan page's query count."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.catalog.models import Cohort
from lms.employers.models import (
    CoursePlan,
    CoursePlanItem,
    Employer,
    NeedsProfile,
    cohort_employer,
)
from lms.employers.planner import (
    PlannedItem,
    PlanUnit,
    plan_problems,
    propose_plan,
    task_coverage,
    week_loads,
)
from lms.extensions import db
from lms.learning.models import Unit
from tests.test_employers_fixtures import course4, post, shipped_content, shipped_ftc4

FIXTURES = (course4, shipped_content, shipped_ftc4)  # found by pytest under these names

# --- the pure planner --------------------------------------------------------------------------


def _units() -> list[PlanUnit]:
    units = [PlanUnit(w, f"core-{w:02d}", w, 20, None, ("a",)) for w in range(1, 12)]
    units += [
        PlanUnit(100 + i, f"s-{i}", week, 10, "s", tasks)
        for i, (week, tasks) in enumerate([(4, ("b",)), (7, ("c",)), (10, ("d",))])
    ]
    units += [
        PlanUnit(200 + i, f"o-{i}", week, 10, "o", tasks)
        for i, (week, tasks) in enumerate(
            [(4, ("x",)), (4, ("y",)), (7, ("y", "z")), (10, ("q",)), (2, ("z",))]
        )
    ]
    return units


def test_core_units_each_take_their_own_week_and_the_sector_track_its_suggested_weeks():
    items = propose_plan(_units(), [], "s", 11, 30)
    by_unit = {i.unit_id: i for i in items}
    assert [by_unit[w].week for w in range(1, 12)] == list(range(1, 12))
    assert {by_unit[100].week, by_unit[101].week, by_unit[102].week} == {4, 7, 10}
    assert {i.reason["kind"] for i in items} == {"core", "sector"}
    assert by_unit[100].reason == {"kind": "sector", "sector": "s"}
    assert sum(i.hours for i in items) == 250  # no profile task: nothing else


def test_other_tracks_fill_the_room_with_the_profiles_tasks_best_first_within_the_hours():
    items = propose_plan(_units(), ["z", "y"], "s", 11, 30)
    by_unit = {i.unit_id: i for i in items}
    # The units that match a task, and only those; the one matching both tasks first.
    assert set(by_unit) - set(range(1, 12)) - {100, 101, 102} == {201, 202, 204}
    assert by_unit[202].reason == {"kind": "task", "tasks": ["z", "y"]}
    assert by_unit[204].reason == {"kind": "task", "tasks": ["z"]}
    loads = week_loads(items)
    assert max(loads.values()) <= 30 and sum(loads.values()) <= 330
    # Suggested week 7 is full (core + sector): the nearest week with room, the earlier first.
    assert by_unit[202].week == 6
    assert plan_problems(items, 11, 30) == []


def test_a_task_no_planned_unit_covers_comes_first_when_room_is_short():
    # Two weeks of 30 h: the core takes 50 h, room for one 10-h unit (in week 1).
    units = [
        PlanUnit(1, "c1", 1, 20, None, ("a",)),
        PlanUnit(2, "c2", 2, 20, None, ("a",)),
        PlanUnit(3, "c3", 2, 10, None, ()),
        PlanUnit(10, "o-ab", 1, 10, "o", ("a", "b")),
        PlanUnit(11, "o-c", 1, 10, "o", ("c",)),
    ]

    def extra(tasks):
        return [i.unit_id for i in propose_plan(units, tasks, None, 2, 30) if i.unit_id >= 10]

    assert extra(["a", "b", "c"]) == [10]  # both bring an uncovered task; more priority
    assert extra(["b", "c"]) == [10]
    assert extra(["a", "c"]) == [11]  # "a" is covered by the core: "c" first


def test_the_planner_never_exceeds_the_week_nor_the_course():
    units = [PlanUnit(i, f"u{i}", 1, 10, "o", ("t",)) for i in range(1, 60)]
    items = propose_plan(units, ["t"], None, 11, 30)
    assert len(items) == 33
    assert max(week_loads(items).values()) == 30
    assert sum(i.hours for i in items) == 330


def test_plan_problems_name_the_week_and_the_hours():
    items = [PlannedItem(1, 3, 20), PlannedItem(2, 3, 20), PlannedItem(3, 12, 10)]
    kinds = {(p.kind, p.week, p.hours) for p in plan_problems(items, 11, 30)}
    assert ("week_over", 3, 40) in kinds and ("week_out", 12, 0) in kinds
    assert task_coverage(items, {1: PlanUnit(1, "u", 1, 20, None, ("t",))}, ["t", "v"]) == {
        "t": [1],
        "v": [],
    }


# --- the plan built from the shipped FTC-4 content ---------------------------------------------

SANTE_TASKS = ["rapport-incident", "consignes-securite", "service-client"]


@pytest.fixture
def ftc4_cohort(shipped_ftc4, make_user, make_region, make_cohort, enrol, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 9, 30))
    coordinator = make_user(Role.COORDINATOR.value)
    teacher = make_user(Role.TEACHER.value)
    student = make_user(Role.STUDENT.value, name="Amina Haddad")
    region = make_region("Montréal", coordinators=(coordinator,))
    cohort = make_cohort(
        region=region, course=shipped_ftc4, teachers=(teacher,), start_on=date(2026, 9, 14)
    )
    enrol(student, cohort)
    employer = Employer(
        name="CHSLD Les Érables", neq="1164567890", sector="sante", region_id=region.id
    )
    db.session.add(employer)
    db.session.flush()
    db.session.add(
        NeedsProfile(
            employer_id=employer.id,
            tasks=SANTE_TASKS,
            skill_weights={"CO": 35, "PO": 35, "CE": 15, "PE": 15},
            target_level=7,
        )
    )
    db.session.execute(
        cohort_employer.insert(), [{"cohort_id": cohort.id, "employer_id": employer.id}]
    )
    db.session.commit()
    return {"coordinator": coordinator, "teacher": teacher, "student": student, "cohort": cohort}


def _plan_rows(cohort_id: int, status: str | None = None):
    db.session.rollback()  # see what the server wrote
    plan = db.session.scalar(
        select(CoursePlan)
        .where(
            CoursePlan.cohort_id == cohort_id, *([CoursePlan.status == status] if status else [])
        )
        .order_by(CoursePlan.version.desc())
        .limit(1)
    )
    rows = db.session.execute(
        select(CoursePlanItem, Unit)
        .join(Unit, Unit.id == CoursePlanItem.unit_id)
        .where(CoursePlanItem.plan_id == plan.id)
        .order_by(CoursePlanItem.week, CoursePlanItem.position)
    ).all()
    return plan, rows


def test_a_sante_profile_with_three_tasks_yields_a_plan_covering_them_within_the_hours(
    client,
    login_as,
    ftc4_cohort,
    shipped_ftc4,
):
    cohort = ftc4_cohort["cohort"]
    login_as(ftc4_cohort["coordinator"])
    page = client.get(f"/cohorts/{cohort.id}/plan").get_data(as_text=True)
    assert '<option selected value="sante">' in page  # the linked employer's sector is proposed
    assert post(client, f"/cohorts/{cohort.id}/plan/propose", sector="sante").status_code == 302

    plan, rows = _plan_rows(cohort.id)
    assert plan.status == "draft" and plan.version == 1 and plan.sector == "sante"
    units = db.session.scalars(select(Unit).where(Unit.course_id == shipped_ftc4.id)).all()
    planned = {unit.key for _item, unit in rows}
    # Every common-core unit, each in its own week; the whole santé track.
    core = [u for u in units if u.track_key is None]
    assert len(core) == 11 and {u.key for u in core} <= planned
    core_weeks = [item.week for item, unit in rows if unit.track_key is None]
    assert sorted(core_weeks) == list(range(1, 12))
    sante = {u.key for u in units if u.track_key == "sante"}
    assert len(sante) == 3 and sante <= planned
    # The three tasks are covered, each by a unit outside the common core too.
    for task in SANTE_TASKS:
        covering = [unit for _item, unit in rows if task in unit.tasks]
        assert covering, task
        assert any(unit.track_key is not None for unit in covering), task
    # Within the course's hours: 30 h a week at most, 330 h in all.
    loads = Counter()
    for item, unit in rows:
        assert item.hours == unit.hours
        loads[item.week] += item.hours
    assert max(loads.values()) <= shipped_ftc4.hours_per_week == 30
    assert sum(loads.values()) <= shipped_ftc4.total_hours == 330
    # Every item says why: core, sector, or the tasks it practises.
    for item, unit in rows:
        if unit.track_key is None:
            assert item.reason == {"kind": "core"}
        elif unit.track_key == "sante":
            assert item.reason == {"kind": "sector", "sector": "sante"}
        else:
            assert item.reason["kind"] == "task"
            assert item.reason["tasks"] and set(item.reason["tasks"]) <= set(SANTE_TASKS)
            assert set(item.reason["tasks"]) <= set(unit.tasks)
    print("\nPlan proposé (santé; tâches : " + ", ".join(SANTE_TASKS) + ")")
    for item, unit in rows:
        print(f"  semaine {item.week:2d}  {item.hours:2d} h  {unit.key:38s} {item.reason}")
    print(f"  total {sum(loads.values())} h; par semaine {dict(sorted(loads.items()))}")

    text = client.get(f"/cohorts/{cohort.id}/plan").get_data(as_text=True)
    assert "310 h planifiées sur 330 h" in text
    assert "non couverte" not in text


def test_publishing_a_change_creates_a_new_version_and_students_see_the_latest_published(
    server,
    client,
    login_as,
    ftc4_cohort,
    shipped_ftc4,
):
    cohort = ftc4_cohort["cohort"]
    student_client = server.test_client()
    login_as(ftc4_cohort["teacher"])
    base = f"/cohorts/{cohort.id}/plan"
    # Nothing published yet: a clear message for the student.
    from tests.conftest import login

    login(student_client, ftc4_cohort["student"])
    page = student_client.get("/learn/work-plan").get_data(as_text=True)
    assert "n'est pas encore publié" in page or "n&#39;est pas encore publié" in page

    assert post(client, f"{base}/propose", sector="sante").status_code == 302
    assert post(client, f"{base}/publish", version="1").status_code == 302
    v1, rows_v1 = _plan_rows(cohort.id, "published")
    assert v1.version == 1 and v1.published_at is not None
    first_week = {unit.key: item.week for item, unit in rows_v1}

    page = student_client.get("/learn/work-plan").get_data(as_text=True)
    assert "Version 1, publiée le" in page

    # A change after publishing starts version 2 (a draft); version 1 does not move.
    moved = db.session.scalar(select(Unit).where(Unit.key == "ftc4-sante-u01"))
    assert first_week["ftc4-sante-u01"] == 4
    response = post(client, f"{base}/edit", action="move", unit_id=str(moved.id), week="1")
    assert response.status_code == 302
    draft, rows_v2 = _plan_rows(cohort.id)
    assert (draft.version, draft.status) == (2, "draft")
    assert {unit.key: item.week for item, unit in rows_v2}["ftc4-sante-u01"] == 1
    still, rows = _plan_rows(cohort.id, "published")
    assert still.id == v1.id and {u.key: i.week for i, u in rows} == first_week
    # The student still sees version 1 until version 2 is published.
    page = student_client.get("/learn/work-plan").get_data(as_text=True)
    assert "Version 1, publiée le" in page

    # Publishing a stale version is refused (409); the current draft is published.
    assert post(client, f"{base}/publish", version="1").status_code == 409
    assert (
        post(client, f"{base}/publish", version="2", note="Santé en semaine 1").status_code == 302
    )
    v2, rows = _plan_rows(cohort.id, "published")
    assert v2.version == 2 and v2.note == "Santé en semaine 1"
    page = student_client.get("/learn/work-plan").get_data(as_text=True)
    assert "Version 2, publiée le" in page and "Santé en semaine 1" in page
    # Version 1 is kept unchanged, and both publications are in the audit log.
    _old, rows = _plan_rows(cohort.id, "published")
    db.session.rollback()
    kept = db.session.execute(
        select(Unit.key, CoursePlanItem.week)
        .join(Unit, Unit.id == CoursePlanItem.unit_id)
        .where(CoursePlanItem.plan_id == v1.id)
    ).all()
    assert dict(kept) == first_week
    publications = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "course_plan.publish").order_by(AuditLog.id)
    ).all()
    assert [p.after["version"] for p in publications] == [1, 2]
    assert publications[1].before["version"] == 1


def test_edits_that_break_the_hours_are_refused_in_french_and_write_nothing(
    client,
    login_as,
    ftc4_cohort,
    shipped_ftc4,
):
    cohort = ftc4_cohort["cohort"]
    login_as(ftc4_cohort["teacher"])
    base = f"/cohorts/{cohort.id}/plan"
    post(client, f"{base}/propose", sector="sante")
    _plan, rows = _plan_rows(cohort.id)
    before = [(item.unit_id, item.week) for item, _u in rows]
    core2 = next(unit for _i, unit in rows if unit.key == "ftc4-u02")

    response = post(client, f"{base}/edit", action="move", unit_id=str(core2.id), week="3")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "La semaine 3 compterait 50 h : le maximum est 30 h par semaine." in text
    missing = db.session.scalar(
        select(Unit).where(
            Unit.course_id == shipped_ftc4.id, Unit.id.not_in([u for u, _w in before])
        )
    )
    response = post(client, f"{base}/edit", action="add", unit_id=str(missing.id), week="1")
    assert response.status_code == 302  # 310 h + 10 h: week 1 now holds 30 h

    _plan, rows = _plan_rows(cohort.id)
    before = [(item.unit_id, item.week) for item, _u in rows]
    others = db.session.scalars(
        select(Unit).where(
            Unit.course_id == shipped_ftc4.id, Unit.id.not_in([u for u, _w in before])
        )
    ).all()
    assert others
    full = post(client, f"{base}/edit", action="add", unit_id=str(others[0].id), week="1")
    assert full.status_code == 422
    assert "La semaine 1 compterait 40 h : le maximum est 30 h par semaine." in full.get_data(
        as_text=True
    )
    assert (
        post(client, f"{base}/edit", action="move", unit_id="999999", week="2").status_code == 422
    )
    assert (
        post(client, f"{base}/edit", action="move", unit_id=str(core2.id), week="12").status_code
        == 422
    )
    assert post(client, f"{base}/edit", action="explode", unit_id=str(core2.id)).status_code == 422
    _plan, rows = _plan_rows(cohort.id)
    assert [(item.unit_id, item.week) for item, _u in rows] == before


# --- query counts ------------------------------------------------------------------------------


def _fill_plan(cohort: Cohort, units: list[Unit], count: int, status: str = "published") -> None:
    db.session.execute(CoursePlan.__table__.delete().where(CoursePlan.cohort_id == cohort.id))
    plan = CoursePlan(
        cohort_id=cohort.id, version=1, status=status, published_at=clock.utcnow(), sector=None
    )
    db.session.add(plan)
    db.session.flush()
    for n, unit in enumerate(units[:count]):
        db.session.add(
            CoursePlanItem(
                plan_id=plan.id,
                unit_id=unit.id,
                week=1 + n % 11,
                hours=10,
                position=n // 11,
                reason={"kind": "task", "tasks": ["service-client"]},
            )
        )
    db.session.commit()


def test_the_plan_pages_make_the_same_number_of_queries_for_11_and_30_units(
    server,
    client,
    login_as,
    course4,
    count_queries,
):
    from tests.test_employers_fixtures import build_course4

    w = course4
    big = build_course4("FTC-4X", extra_units=30)
    cohort = db.session.get(Cohort, w.cohort.id)
    cohort.course_id = big.id
    db.session.commit()
    units = list(db.session.scalars(select(Unit).where(Unit.course_id == big.id).order_by(Unit.id)))
    assert len(units) >= 30

    def counts(user, path: str) -> dict[int, int]:
        result = {}
        c = server.test_client()
        from tests.conftest import login

        login(c, user)
        for size in (11, 30):
            _fill_plan(cohort, units, size)
            with count_queries() as statements:
                response = c.get(path)
                assert response.status_code == 200, path
            assert response.get_data(as_text=True).count("data-unit=") == size or path.startswith(
                "/learn"
            )
            result[size] = len(statements)
        return result

    for user, path in [
        (w.people["teacher"], f"/cohorts/{cohort.id}/plan"),
        (w.people["coordinator"], f"/cohorts/{cohort.id}/plan"),
        (w.student, "/learn/work-plan"),
    ]:
        found = counts(user, path)
        assert found[11] == found[30], (path, found)
    total = db.session.scalar(select(func.count(CoursePlanItem.id)))
    assert total == 30
