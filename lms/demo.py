"""Demo data for ``flask --app wsgi lms demo``: idempotent (keyed by codes and e-mails)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import insert, select

from lms import clock
from lms.auth.models import Role, User
from lms.auth.services import create_user, hash_password
from lms.catalog.models import (
    Cohort,
    Course,
    Enrolment,
    Region,
    Site,
    cohort_teacher,
    coordinator_region,
)
from lms.catalog.services import enrol
from lms.catalog.vocab import CohortStatus
from lms.demo_history import seed_history
from lms.extensions import db

REGIONS = [("06", "Montréal"), ("03", "Capitale-Nationale")]
SITES = [
    ("MTL-CDN", "Centre de francisation Côte-des-Neiges", "Montréal", "06"),
    ("MTL-STL", "Centre de francisation Saint-Laurent", "Montréal", "06"),
    ("QC-LIM", "Centre de francisation Limoilou", "Québec", "03"),
]
# (cohort code, course, site, week of the course today, teacher e-mail, students)
COHORTS = [
    ("FTC1-CDN-A", "FTC-1", "MTL-CDN", 2, "prof@demo.lms", 14),
    ("FTC2-CDN-A", "FTC-2", "MTL-CDN", 5, "prof@demo.lms", 14),
    ("FTC3-STL-A", "FTC-3", "MTL-STL", 8, "prof2@demo.lms", 13),
    ("FTC4-STL-A", "FTC-4", "MTL-STL", 3, "prof2@demo.lms", 13),
    ("FTC1-LIM-A", "FTC-1", "QC-LIM", 10, "prof3@demo.lms", 13),
    ("FTC2-LIM-A", "FTC-2", "QC-LIM", 6, "prof4@demo.lms", 13),
]
STAFF = [
    ("admin@demo.lms", "Hélène Tremblay", Role.ADMIN, None),
    ("coordo@demo.lms", "Marc-André Gagnon", Role.COORDINATOR, "06"),
    ("coordo2@demo.lms", "Isabelle Roy", Role.COORDINATOR, "03"),
    ("prof@demo.lms", "Julie Bouchard", Role.TEACHER, None),
    ("prof2@demo.lms", "François Côté", Role.TEACHER, None),
    ("prof3@demo.lms", "Nathalie Pelletier", Role.TEACHER, None),
    ("prof4@demo.lms", "Sylvain Lavoie", Role.TEACHER, None),
]
FIRST_NAMES = [
    "Amina",
    "Carlos",
    "Mei",
    "Oleksandr",
    "Fatou",
    "Rahul",
    "Yasmine",
    "Diego",
    "Thi Lan",
    "Omar",
    "Svetlana",
    "Jean-Baptiste",
    "Nour",
    "Ahmed",
    "María José",
    "Kofi",
    "Ananya",
    "Luis",
    "Farah",
    "Dmitri",
]
LAST_NAMES = [
    "Haddad",
    "Rodríguez",
    "Chen",
    "Kovalenko",
    "Diallo",
    "Sharma",
    "Benali",
    "Morales",
    "Nguyen",
    "El-Amin",
    "Petrova",
    "Mukendi",
    "Khoury",
    "Traoré",
    "Gómez",
    "Mensah",
    "Iyer",
    "Fernández",
    "Rahimi",
    "Ivanov",
]
STUDENT_COUNT = 80


@dataclass
class DemoReport:
    password: str | None
    accounts: list[dict] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)


def student_email(n: int) -> str:
    return "eleve@demo.lms" if n == 1 else f"eleve{n:02d}@demo.lms"


def student_name(n: int) -> str:
    i = n - 1
    return f"{FIRST_NAMES[i % 20]} {LAST_NAMES[(i * 7 + i // 20) % 20]}"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def seed_demo(password: str | None) -> DemoReport:
    """Create or complete the demo data set. Flushes; the caller commits.

    Courses must already be loaded (``lms courses load``). With ``password``, every demo
    account gets it; without, new accounts get a random one (printed) and existing ones keep
    theirs.
    """
    created = {
        "regions": 0,
        "sites": 0,
        "cohorts": 0,
        "users": 0,
        "enrolments": 0,
        "attendance_days": 0,
    }
    courses = {c.code: c for c in db.session.scalars(select(Course))}
    missing = sorted({c[1] for c in COHORTS} - set(courses))
    if missing:
        raise RuntimeError(
            f"courses not loaded: {', '.join(missing)} (run: flask --app wsgi lms courses load)"
        )
    chosen = password or secrets.token_urlsafe(9)
    shared_hash = hash_password(chosen)  # one hash for all demo accounts: scrypt is slow

    regions = {r.code: r for r in db.session.scalars(select(Region))}
    for code, name in REGIONS:
        if code not in regions:
            regions[code] = Region(code=code, name=name)
            db.session.add(regions[code])
            created["regions"] += 1
    db.session.flush()
    sites = {s.code: s for s in db.session.scalars(select(Site))}
    for code, name, city, region_code in SITES:
        if code not in sites:
            sites[code] = Site(code=code, name=name, city=city, region_id=regions[region_code].id)
            db.session.add(sites[code])
            created["sites"] += 1
    db.session.flush()

    users = {
        u.email: u for u in db.session.scalars(select(User).where(User.email.like("%@demo.lms")))
    }

    def ensure_user(email: str, name: str, role: Role) -> User:
        user = users.get(email)
        if user is None:
            user = create_user(email=email, name=name, role=role.value, password_hash=shared_hash)
            users[email] = user
            created["users"] += 1
        elif password:
            user.password_hash = shared_hash
        return user

    region_links = set(
        db.session.execute(select(coordinator_region.c.user_id, coordinator_region.c.region_id))
    )
    for email, name, role, region_code in STAFF:
        user = ensure_user(email, name, role)
        if region_code and (user.id, regions[region_code].id) not in region_links:
            db.session.execute(
                insert(coordinator_region),
                [{"user_id": user.id, "region_id": regions[region_code].id}],
            )

    monday = _monday(clock.today())
    cohorts = {c.code: c for c in db.session.scalars(select(Cohort))}
    student_no = 1
    for code, course_code, site_code, week, teacher_email, size in COHORTS:
        course = courses[course_code]
        cohort = cohorts.get(code)
        if cohort is None:
            start = monday - timedelta(weeks=week - 1)
            cohort = Cohort(
                code=code,
                course_id=course.id,
                site_id=sites[site_code].id,
                start_on=start,
                end_on=start + timedelta(weeks=course.weeks, days=-3),
                capacity=20,
                status=CohortStatus.ONGOING.value,  # every demo cohort has started
            )
            db.session.add(cohort)
            db.session.flush()
            db.session.execute(
                insert(cohort_teacher),
                [{"cohort_id": cohort.id, "user_id": users[teacher_email].id}],
            )
            cohorts[code] = cohort
            created["cohorts"] += 1
        enrolled = set(
            db.session.scalars(select(Enrolment.student_id).where(Enrolment.cohort_id == cohort.id))
        )
        for i in range(size):
            n = student_no + i
            student = ensure_user(student_email(n), student_name(n), Role.STUDENT)
            if student.id not in enrolled:
                # Continuous intake: the last student of each cohort joined in week 3.
                start_on = cohort.start_on
                if i == size - 1 and week >= 3:
                    start_on = cohort.start_on + timedelta(weeks=2)
                enrol(student, cohort, start_on)
                created["enrolments"] += 1
        student_no += size
        db.session.flush()
        history = seed_history(cohort, course, users[teacher_email].id, clock.today())
        created["attendance_days"] = created.get("attendance_days", 0) + history["attendance_days"]
    db.session.flush()
    from lms.quality.defaults import ensure_default_templates

    ensure_default_templates()

    report = DemoReport(password=chosen if (password or created["users"]) else None)
    report.created = created
    for email, name, role, _r in STAFF:
        report.accounts.append({"email": email, "name": name, "role": role.value})
    report.accounts.append({"email": student_email(1), "name": student_name(1), "role": "student"})
    report.accounts.append(
        {
            "email": f"eleve02@demo.lms … eleve{STUDENT_COUNT:02d}@demo.lms",
            "name": f"{STUDENT_COUNT - 1} autres élèves",
            "role": "student",
        }
    )
    return report
