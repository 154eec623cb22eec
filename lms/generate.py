"""Synthetic data for ``flask --app wsgi lms generate --size XS|S|M|L|XL`` (DESIGN §6).

Regions, sites, ongoing cohorts at every week of their course (FTC-1 to FTC-4, continuous
intake), teachers, coordinators and students with a past: attendance on every past class day
(absences, lateness, justified days), online attempts, written productions, level assessments,
follow-up interviews, withdrawals with their exit follow-up, then the real alert scan and a few
signed quality reviews. The demo accounts of DESIGN §4 are among them (``lms demo``'s e-mails).

Fast: rows are built as dicts and inserted in batches (executemany; COPY on PostgreSQL), one
password hash for every account. Deterministic for a given ``seed`` and day. It runs only on a
database without accounts, regions or cohorts (courses loaded).
"""

from __future__ import annotations

import json
import random
import secrets
import time as timer
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import JSON, Table, func, insert, select

from lms import clock
from lms.alerts.models import Alert
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.auth.models import User
from lms.auth.services import hash_password
from lms.catalog.models import (
    Cohort,
    Course,
    Enrolment,
    Region,
    Site,
    cohort_teacher,
    coordinator_region,
)
from lms.demo import FIRST_NAMES, LAST_NAMES
from lms.demo_history import _answer
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment
from lms.learning import grading
from lms.learning.models import Attempt, Exercise, Lesson, Production, Unit
from lms.learning.services import RUBRIC_MAX, RUBRICS
from lms.learning.vocab import SKILLS
from lms.programme.calendar import end_of_course, is_holiday

# size: (regions, sites, cohorts, students)
SIZES: dict[str, tuple[int, int, int, int]] = {
    "XS": (1, 1, 2, 40),
    "S": (2, 5, 20, 400),
    "M": (5, 25, 150, 3_000),
    "L": (17, 100, 550, 10_500),
    "XL": (17, 300, 5_000, 100_000),
}
# Quebec's 17 administrative regions, the largest francisation populations first.
REGIONS = [
    ("06", "Montréal", "Montréal"),
    ("16", "Montérégie", "Longueuil"),
    ("13", "Laval", "Laval"),
    ("03", "Capitale-Nationale", "Québec"),
    ("15", "Laurentides", "Saint-Jérôme"),
    ("14", "Lanaudière", "Joliette"),
    ("05", "Estrie", "Sherbrooke"),
    ("07", "Outaouais", "Gatineau"),
    ("12", "Chaudière-Appalaches", "Lévis"),
    ("04", "Mauricie", "Trois-Rivières"),
    ("17", "Centre-du-Québec", "Drummondville"),
    ("02", "Saguenay–Lac-Saint-Jean", "Saguenay"),
    ("01", "Bas-Saint-Laurent", "Rimouski"),
    ("08", "Abitibi-Témiscamingue", "Rouyn-Noranda"),
    ("09", "Côte-Nord", "Sept-Îles"),
    ("11", "Gaspésie–Îles-de-la-Madeleine", "Gaspé"),
    ("10", "Nord-du-Québec", "Chibougamau"),
]
COURSES = ("FTC-1", "FTC-2", "FTC-3", "FTC-4")
MORE_FIRST = [
    "Aïcha",
    "Bao",
    "Chiara",
    "Darius",
    "Esperanza",
    "Femi",
    "Gulnara",
    "Hamid",
    "Ines",
    "Javier",
    "Karima",
    "Lucía",
    "Mamadou",
    "Nadia",
    "Olga",
    "Pedro",
    "Qiu",
    "Rania",
    "Samir",
    "Tatiana",
]
MORE_LAST = [
    "Abdi",
    "Barry",
    "Cissé",
    "Da Silva",
    "Escobar",
    "Farouk",
    "Guerrero",
    "Hassan",
    "Ibrahim",
    "Jaramillo",
    "Kamara",
    "Liu",
    "Mahmoud",
    "Nasser",
    "Okafor",
    "Park",
    "Quispe",
    "Romero",
    "Saleh",
    "Tran",
]
STAFF_FIRST = ["Julie", "François", "Nathalie", "Sylvain", "Geneviève", "Martin", "Annie", "Éric"]
STAFF_LAST = ["Bouchard", "Côté", "Pelletier", "Lavoie", "Gagné", "Morin", "Bélanger", "Ouellet"]
# Attendance profiles: (share, absent, justified, late, left early), per class day.
PROFILES = [
    ("regular", 0.72, 0.02, 0.01, 0.04, 0.015),
    ("fragile", 0.15, 0.10, 0.04, 0.08, 0.03),
    ("late", 0.05, 0.03, 0.01, 0.25, 0.02),
    ("dropping", 0.05, 0.25, 0.03, 0.05, 0.03),
    ("streak", 0.03, 0.03, 0.01, 0.04, 0.01),  # then absent on the last three class days
]
JUSTIFICATIONS = ["maladie", "rendez-vous-medical", "famille", "demarche-immigration"]
WITHDRAWALS = ["emploi", "demenagement", "sante", "famille", "garde", "sans-nouvelles"]
BATCH = 20_000


class GenerateRefused(Exception):
    """The database already holds data: nothing was written (the message is in French)."""


@dataclass
class GenerateReport:
    size: str
    seed: int
    password: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    accounts: list[dict[str, str]] = field(default_factory=list)


def _bulk(table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert ``rows`` in batches: executemany, or COPY on PostgreSQL."""
    if not rows:
        return 0
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
    else:
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(table), rows[start : start + BATCH])
    return len(rows)


def _copy(connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY ``rows`` into ``table``, with the columns' Python defaults for missing keys."""
    keys = list(rows[0])
    defaults = {}
    for column in table.columns:
        if column.name in keys or column.primary_key or column.default is None:
            continue
        if not (column.default.is_scalar or column.default.is_callable):
            continue
        arg = column.default.arg
        defaults[column.name] = arg if not callable(arg) else (lambda f=arg: f(None))
    names = keys + list(defaults)
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    raw = connection.connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[k] for k in keys] + [d() if callable(d) else d for d in defaults.values()]
            if json_columns:
                values = [
                    json.dumps(v) if n in json_columns and v is not None else v
                    for n, v in zip(names, values, strict=True)
                ]
            copy.write_row(values)


def check_empty() -> None:
    """:raises GenerateRefused: accounts, regions or cohorts exist already."""
    users = db.session.scalar(select(func.count(User.id)))
    regions = db.session.scalar(select(func.count(Region.id)))
    cohorts = db.session.scalar(select(func.count(Cohort.id)))
    if users or regions or cohorts:
        raise GenerateRefused(
            f"La base contient déjà des données ({users} compte(s), {regions} région(s), "
            f"{cohorts} groupe(s)) : « lms generate » ne s'exécute que sur une base vide où "
            "les cours sont chargés. Rien n'a été écrit."
        )


def _split(total: int, parts: int, weights: list[float] | None = None) -> list[int]:
    """``total`` in ``parts`` whole shares (by ``weights``; at least 1 each when possible)."""
    weights = weights or [1.0] * parts
    base = min(1, total // parts) if parts else 0
    rest = total - base * parts
    raw = [rest * w / sum(weights) for w in weights]
    shares = [base + int(r) for r in raw]
    by_remainder = sorted(range(parts), key=lambda i: (-(raw[i] - int(raw[i])), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), clock.QUEBEC).astimezone(UTC)


def generate(size: str, seed: int = 1, password: str | None = None) -> GenerateReport:
    """Generate a data set of ``size``. Flushes; the caller commits.

    :raises GenerateRefused: the database is not empty, or the courses are not loaded.
    """
    began = timer.perf_counter()
    n_regions, n_sites, n_cohorts, n_students = SIZES[size]
    rng = random.Random(seed)
    today = clock.today()
    check_empty()
    courses = {
        c.code: c for c in db.session.scalars(select(Course).where(Course.code.in_(COURSES)))
    }
    if len(courses) < len(COURSES):
        raise GenerateRefused(
            "Les cours ne sont pas chargés : lancez d'abord « flask --app wsgi lms courses load »."
        )
    chosen = password or secrets.token_urlsafe(9)
    shared_hash = hash_password(chosen)  # scrypt is slow: once for every account
    counts: dict[str, int] = {}

    # --- regions and sites: the largest region (Montréal) gets the most sites ----------------
    regions = REGIONS[:n_regions]
    counts["regions"] = _bulk(
        Region.__table__, [{"code": code, "name": name} for code, name, _city in regions]
    )
    region_ids = dict(db.session.execute(select(Region.code, Region.id)).all())
    per_region = _split(n_sites, n_regions, [1 / (i + 1) ** 0.9 for i in range(n_regions)])
    site_rows = []
    for (code, _name, city), count in zip(regions, per_region, strict=True):
        for k in range(count):
            site_rows.append(
                {
                    "code": f"{code}-{k + 1:03d}",
                    "name": f"Centre de francisation {city} {k + 1}",
                    "city": city,
                    "region_id": region_ids[code],
                    "address": f"{100 + k * 7} rue Principale, {city}",
                    "phone": f"514-555-{1000 + len(site_rows):04d}",
                    "active": True,
                }
            )
    counts["sites"] = _bulk(Site.__table__, site_rows)
    sites = list(db.session.execute(select(Site.id, Site.code, Site.region_id).order_by(Site.id)))

    # --- cohorts: contiguous blocks per site, every week of the course (1..11) ----------------
    monday = _monday(today)
    per_site = _split(n_cohorts, len(sites))
    cohort_plan = []  # (code, course, site_id, region_id, week)
    index = 0
    for site, count in zip(sites, per_site, strict=True):
        for _k in range(count):
            course = courses[COURSES[index % 4]]
            # prof@demo.lms's two cohorts (the first two) are in weeks 6 and 3; then 1..11.
            week = {0: 6, 1: 3}.get(index, 1 + (index * 5) % course.weeks)
            code = f"{course.code.replace('-', '')}-{site.code}-{index + 1:05d}"
            cohort_plan.append((code, course, site.id, site.region_id, week))
            index += 1
    cohort_rows = []
    ends: dict[tuple[date, int], date] = {}
    for code, course, site_id, _region_id, week in cohort_plan:
        start = monday - timedelta(weeks=week - 1)
        key = (start, course.total_hours)
        if key not in ends:
            ends[key] = end_of_course(
                start, course.total_hours * 60, lambda d: 360 if d.weekday() < 5 else 0, set()
            )[0]
        cohort_rows.append(
            {
                "code": code,
                "course_id": course.id,
                "site_id": site_id,
                "start_on": start,
                "end_on": ends[key],
                "capacity": 20,
                "minutes_mon": 360,
                "minutes_tue": 360,
                "minutes_wed": 360,
                "minutes_thu": 360,
                "minutes_fri": 360,
                "past_schedules": [],
                "status": "ongoing",
            }
        )
    counts["cohorts"] = _bulk(Cohort.__table__, cohort_rows)
    cohort_ids = dict(db.session.execute(select(Cohort.code, Cohort.id)).all())

    # --- accounts ----------------------------------------------------------------------------
    n_teachers = max(1, (n_cohorts + 1) // 2)
    user_rows: list[dict[str, Any]] = []

    def account(email: str, name: str, role: str) -> None:
        user_rows.append(
            {
                "email": email,
                "name": name,
                "role": role,
                "password_hash": shared_hash,
                "active": True,
                "preferred_language": "fr",
                "must_change_password": False,
                "session_token": secrets.token_urlsafe(16),
            }
        )

    def staff_name(i: int) -> str:
        return f"{STAFF_FIRST[i % 8]} {STAFF_LAST[(i * 3 + i // 8) % 8]}"

    account("admin@demo.lms", "Hélène Tremblay", "admin")
    coordinator_emails = []
    for i in range(n_regions):
        email = "coordo@demo.lms" if i == 0 else f"coordo{i + 1:02d}@demo.lms"
        coordinator_emails.append(email)
        account(email, "Marc-André Gagnon" if i == 0 else staff_name(i + 3), "coordinator")
    teacher_emails = []
    for i in range(n_teachers):
        email = "prof@demo.lms" if i == 0 else f"prof{i + 1:04d}@demo.lms"
        teacher_emails.append(email)
        account(email, "Julie Bouchard" if i == 0 else staff_name(i), "teacher")
    firsts, lasts = FIRST_NAMES + MORE_FIRST, LAST_NAMES + MORE_LAST
    student_emails = []
    for i in range(n_students):
        email = "eleve@demo.lms" if i == 0 else f"eleve{i + 1:06d}@demo.lms"
        student_emails.append(email)
        account(email, f"{rng.choice(firsts)} {rng.choice(lasts)}", "student")
    counts["users"] = _bulk(User.__table__, user_rows)
    user_ids = dict(db.session.execute(select(User.email, User.id)).all())
    _bulk(
        coordinator_region,
        [
            {"user_id": user_ids[coordinator_emails[i]], "region_id": region_ids[code]}
            for i, (code, _n, _c) in enumerate(regions)
        ],
    )
    teacher_of: dict[str, int] = {}
    links = []
    for i, (code, *_rest) in enumerate(cohort_plan):
        teacher_of[code] = user_ids[teacher_emails[i // 2]]
        links.append({"cohort_id": cohort_ids[code], "user_id": teacher_of[code]})
    _bulk(cohort_teacher, links)

    # --- FTC-4: one partner employer per region, linked to the region's FTC-4 cohorts ---------
    from lms.employers.models import Employer, cohort_employer

    sectors = ["sante", "fabrication", "commerce-tourisme", "services-administratifs", "mines"]
    counts["employers"] = _bulk(
        Employer.__table__,
        [
            {
                "name": f"Entreprise partenaire de {city}",
                "neq": f"11{i:08d}",
                "sector": sectors[i % len(sectors)],
                "region_id": region_ids[code],
                "contact_name": staff_name(i + 5),
                "contact_email": f"rh{i + 1:02d}@entreprise.example",
                "contact_phone": "",
                "agreement_start_on": today - timedelta(days=180),
                "agreement_end_on": today + timedelta(days=545),
            }
            for i, (code, _n, city) in enumerate(regions)
        ],
    )
    employer_of = dict(db.session.execute(select(Employer.region_id, Employer.id)).all())
    _bulk(
        cohort_employer,
        [
            {"cohort_id": cohort_ids[code], "employer_id": employer_of[region_id]}
            for code, course, _site, region_id, _week in cohort_plan
            if course.employer_adapted
        ],
    )

    # --- course content used by the history ---------------------------------------------------
    exercises: dict[int, list[tuple[int, int, Any, float, dict]]] = {}  # course -> rows
    writings: dict[int, list[tuple[int, int]]] = {}  # course -> (week, exercise id)
    for exercise, course_id, week in db.session.execute(
        select(Exercise, Unit.course_id, Unit.week)
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .join(Unit, Unit.id == Lesson.unit_id)
        .where(Unit.track_key.is_(None), Exercise.active.is_(True), Unit.active.is_(True))
        .order_by(Unit.course_id, Unit.week, Lesson.position, Exercise.position)
    ):
        if exercise.type == "written_production":
            writings.setdefault(course_id, []).append((week, exercise.id))
        if exercise.type not in grading.AUTO_GRADED:
            continue
        for good in (True, False):
            answer = _answer(exercise, good)
            result = grading.grade(exercise.type, exercise.spec, answer)
            feedback = {"messages": result.messages, "details": result.details}
            exercises.setdefault(course_id, []).append(
                (week, exercise.id, answer, result.score, feedback)
            )

    # --- students: enrolments and history, cohort by cohort -----------------------------------
    per_cohort = _split(n_students, n_cohorts)
    days_of: dict[date, list[date]] = {}
    tables = {
        "enrolments": Enrolment.__table__,
        "attendance_days": AttendanceDay.__table__,
        "attendance_records": AttendanceRecord.__table__,
        "attempts": Attempt.__table__,
        "productions": Production.__table__,
        "assessments": LevelAssessment.__table__,
        "notes": FollowUpNote.__table__,
    }
    buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
    counts.update(dict.fromkeys(tables, 0))

    def drain(everything: bool = False) -> None:
        """Insert the buffered rows (memory stays flat at XL)."""
        for name, rows in buffers.items():
            if rows and (everything or len(rows) >= BATCH):
                counts[name] += _bulk(tables[name], rows)
                rows.clear()

    withdrawn = 0
    student_no = 0
    profile_weights = [p[1] for p in PROFILES]
    for (code, course, _site_id, _region_id, week), count in zip(
        cohort_plan, per_cohort, strict=True
    ):
        cohort_id, teacher_id = cohort_ids[code], teacher_of[code]
        start = monday - timedelta(weeks=week - 1)
        if start not in days_of:
            days, day = [], start
            while day < today:
                if day.weekday() < 5 and not is_holiday(day):
                    days.append(day)
                day += timedelta(days=1)
            days_of[start] = days
        days = days_of[start]
        for day in days:
            buffers["attendance_days"].append(
                {
                    "cohort_id": cohort_id,
                    "day": day,
                    "taken_by_id": teacher_id,
                    "taken_at": _at(day, 16, 0),
                    "version": 1,
                }
            )
        course_exercises = [e for e in exercises.get(course.id, []) if e[0] <= week]
        course_writings = [w for w in writings.get(course.id, []) if w[0] <= week]
        by_week: dict[int, list] = {}
        for i in range(0, len(course_exercises), 2):  # (good, bad) pairs
            by_week.setdefault(course_exercises[i][0], []).append(course_exercises[i : i + 2])
        for k in range(count):
            student_id = user_ids[student_emails[student_no]]
            first_student = student_no == 0
            student_no += 1
            profile = "regular" if first_student else rng.choices(PROFILES, profile_weights)[0][0]
            rates = next(p for p in PROFILES if p[0] == profile)[2:]
            # Continuous intake: about one student in seven joined after the start.
            joined = start
            if not first_student and week > 1 and rng.random() < 0.15:
                joined = start + timedelta(weeks=rng.randint(1, min(week - 1, 4)))
            end_on, status, reason = None, "active", None
            if not first_student and week >= 4 and rng.random() < 0.06:
                span = [d for d in days if d > joined + timedelta(days=6)]
                if span:
                    end_on = rng.choice(span)
                    status, reason = "withdrawn", rng.choice(WITHDRAWALS)
                    withdrawn += 1
            buffers["enrolments"].append(
                {
                    "student_id": student_id,
                    "cohort_id": cohort_id,
                    "status": status,
                    "start_on": joined,
                    "end_on": end_on,
                    "withdrawal_reason": reason,
                }
            )
            active_days = [d for d in days if d >= joined and (end_on is None or d <= end_on)]
            # Attendance.
            for position, day in enumerate(active_days):
                left = len(active_days) - 1 - position
                draw = rng.random()
                absent, justified, late, early = rates
                if (profile == "streak" and left < 3 and end_on is None) or draw < absent:
                    row = ("absent", 0, None)
                elif draw < absent + justified:
                    row = ("justified", 0, rng.choice(JUSTIFICATIONS))
                elif draw < absent + justified + late:
                    row = ("late", rng.choice((5, 10, 15, 20, 30)), None)
                elif draw < absent + justified + late + early:
                    row = ("left_early", rng.choice((30, 60, 90)), None)
                else:
                    row = ("present", 0, None)
                state, minutes, why = row
                attended = 360 if state == "present" else 360 - minutes if minutes else 0
                buffers["attendance_records"].append(
                    {
                        "cohort_id": cohort_id,
                        "student_id": student_id,
                        "day": day,
                        "status": state,
                        "minutes": minutes,
                        "reason": why,
                        "comment": None,
                        "scheduled_minutes": 360,
                        "attended_minutes": attended,
                    }
                )
            # Online work: most of each week's unit exercises, in that week (good answers mostly).
            strength = {"regular": 0.8, "fragile": 0.55}.get(profile, 0.65)
            diligence = {"regular": 0.85, "fragile": 0.6, "dropping": 0.3}.get(profile, 0.7)
            offline = profile == "dropping" or (profile != "regular" and rng.random() < 0.1)
            for week_start in range(0, len(active_days), 5):
                week_days = active_days[week_start : week_start + 5]
                unit_week = 1 + (week_days[0] - start).days // 7
                for pair in by_week.get(unit_week, ()):
                    if rng.random() > diligence:
                        continue
                    day = rng.choice(week_days)
                    if offline and day > today - timedelta(days=10):
                        continue
                    _w, exercise_id, answer, score, feedback = pair[rng.random() >= strength]
                    buffers["attempts"].append(
                        {
                            "student_id": student_id,
                            "exercise_id": exercise_id,
                            "answer": answer,
                            "score": score,
                            "feedback": feedback,
                            "created_at": _at(day, rng.randint(17, 21), rng.randrange(60)),
                        }
                    )
            # A written production every other week (graded within a few days, mostly).
            for week_start in range(0, len(active_days), 10):
                if not course_writings:
                    break
                day = active_days[week_start]
                _w, exercise_id = rng.choice(course_writings)
                graded = day < today - timedelta(days=rng.choice((2, 4, 7)))
                rubric = {key: rng.randint(1, RUBRIC_MAX) for key, _l in RUBRICS["PE"]}
                buffers["productions"].append(
                    {
                        "student_id": student_id,
                        "exercise_id": exercise_id,
                        "cohort_id": cohort_id,
                        "text": "Bonjour, je m'appelle comme ma grand-mère. J'habite au Québec "
                        "depuis six mois et je cherche un emploi dans mon domaine.",
                        "status": "returned" if graded else "submitted",
                        "submitted_at": _at(day, 20, rng.randrange(60)),
                        "graded_by_id": teacher_id if graded else None,
                        "graded_at": _at(day + timedelta(days=2), 12, 0) if graded else None,
                        "rubric": rubric if graded else None,
                        "score": (
                            round(sum(rubric.values()) / (RUBRIC_MAX * len(rubric)), 4)
                            if graded
                            else None
                        ),
                        "comment": "Bon travail : attention aux accords." if graded else None,
                    }
                )
            # Level assessments: placement at the start, mid-course from week 7.
            placed = {s: max(1, course.level_min - rng.choice((0, 1))) for s in SKILLS}
            for skill, level in placed.items():
                buffers["assessments"].append(
                    {
                        "student_id": student_id,
                        "cohort_id": cohort_id,
                        "skill": skill,
                        "level": level,
                        "kind": "placement",
                        "assessed_on": joined,
                        "assessor_id": teacher_id,
                        "evidence": "Test de classement à l'inscription.",
                    }
                )
            mid_day = start + timedelta(weeks=5, days=3)
            if week >= 7 and joined <= mid_day and (end_on is None or end_on >= mid_day):
                for skill, level in placed.items():
                    gain = 0 if profile == "dropping" else rng.choice((0, 1, 1))
                    buffers["assessments"].append(
                        {
                            "student_id": student_id,
                            "cohort_id": cohort_id,
                            "skill": skill,
                            "level": min(12, level + gain),
                            "kind": "mid",
                            "assessed_on": mid_day,
                            "assessor_id": teacher_id,
                            "evidence": "Évaluation de mi-parcours : tâche de la semaine 6.",
                        }
                    )
            # Follow-up interviews every two weeks (a few students are overdue).
            skip_interviews = not first_student and rng.random() < 0.05
            held, last = joined + timedelta(days=3), end_on or today
            while held < last and not skip_interviews:
                done = held + timedelta(days=7) < today
                buffers["notes"].append(
                    {
                        "student_id": student_id,
                        "cohort_id": cohort_id,
                        "author_id": teacher_id,
                        "note_type": "entretien",
                        "reason": "absences" if profile in ("fragile", "late") else "apprentissage",
                        "held_on": held,
                        "summary": "Entretien de suivi : progrès, objectifs de la semaine, "
                        "difficultés.",
                        "action": "Faire les exercices de compréhension orale de l'unité.",
                        "owner_id": teacher_id,
                        "due_on": held + timedelta(days=7),
                        "outcome": "Fait." if done else "",
                        "done_on": held + timedelta(days=6) if done else None,
                        "visibility": "student" if k % 2 == 0 else "team",
                    }
                )
                held += timedelta(days=14)
            if end_on is not None:
                called = end_on + timedelta(days=3) < today and rng.random() < 0.75
                buffers["notes"].append(
                    {
                        "student_id": student_id,
                        "cohort_id": cohort_id,
                        "author_id": teacher_id,
                        "note_type": "sortie",
                        "reason": "emploi" if reason == "emploi" else "personnelle",
                        "held_on": end_on,
                        "summary": "Départ annoncé : l'élève quitte le cours.",
                        "action": "Rappeler l'élève pour proposer un cours du soir.",
                        "owner_id": teacher_id,
                        "due_on": end_on + timedelta(days=7),
                        "outcome": "Rappel fait : orienté vers un cours du soir." if called else "",
                        "done_on": end_on + timedelta(days=3) if called else None,
                        "visibility": "team",
                    }
                )
        drain()
    drain(everything=True)
    counts["withdrawals"] = withdrawn

    # --- quality: the default templates, a few signed « démarrage » reviews; then alerts ------
    counts["signed_reviews"] = _signed_reviews(
        [cohort_ids[c[0]] for c in cohort_plan if c[4] >= 3][:5], user_ids[coordinator_emails[0]]
    )
    from lms.alerts import engine

    engine.scan(today=today)
    counts["alerts"] = db.session.scalar(select(func.count(Alert.id))) or 0
    db.session.flush()

    report = GenerateReport(size=size, seed=seed, password=chosen, counts=counts)
    report.seconds = round(timer.perf_counter() - began, 2)
    report.accounts = [
        {"email": "admin@demo.lms", "role": "admin"},
        {"email": "coordo@demo.lms", "role": "coordinator"},
        {"email": "prof@demo.lms", "role": "teacher"},
        {"email": "eleve@demo.lms", "role": "student"},
    ]
    return report


def _signed_reviews(cohort_ids: list[int], coordinator_id: int) -> int:
    """Create, evaluate, complete and sign the « démarrage » review of ``cohort_ids``."""
    from lms.quality.defaults import ensure_default_templates
    from lms.quality.models import CheckpointReview, CheckpointTemplate, ReviewFinding
    from lms.quality.services.evaluation import due_date, evaluate_reviews, origin_key
    from lms.quality.services.reviews import sign_off

    ensure_default_templates()
    db.session.flush()
    template = db.session.scalar(
        select(CheckpointTemplate)
        .where(CheckpointTemplate.when_kind == "week", CheckpointTemplate.active.is_(True))
        .order_by(CheckpointTemplate.when_value)
    )
    if template is None or not cohort_ids:
        return 0
    today = clock.today()
    coordinator = db.session.get(User, coordinator_id)
    reviews = []
    for cohort in db.session.scalars(select(Cohort).where(Cohort.id.in_(cohort_ids))):
        due = due_date(template, cohort)
        if due is None or due > today:
            continue
        review = CheckpointReview(
            cohort_id=cohort.id,
            template_id=template.id,
            origin_key=origin_key(cohort.id, template.id),
            due_on=due,
        )
        db.session.add(review)
        reviews.append(review)
    db.session.flush()
    evaluate_reviews(reviews, today)
    signed = 0
    for review in reviews:
        for entry in review.results or []:
            db.session.add(
                ReviewFinding(
                    review_id=review.id,
                    criterion=entry["key"],
                    result="conforme",
                    text="Vérifié sur l'échantillon : conforme.",
                    recorded_by_id=coordinator_id,
                )
            )
        db.session.flush()
        sign_off(review, coordinator, "conforme", "Démarrage conforme.")
        signed += 1
    return signed
