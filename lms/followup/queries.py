"""Read-only queries for the follow-up pages: set-based, a fixed number of queries per page
whatever the number of students or events shown.

Two extension points for later features (the alerts issue):

- :data:`TIMELINE_SOURCES`: functions ``(student_id, limit) -> list[TimelineEvent]`` merged
  into the student's timeline (register with :func:`register_timeline_source`); a source that
  also takes a keyword ``viewer`` keeps to the viewer's cohorts in its query, the events of the
  others are filtered on their cohort (see :func:`student_timeline`);
- :data:`OPEN_ALERT_COUNTERS`: functions ``(cohort_id, student_ids) -> {student_id: count}``
  summed into the dashboard's « Alertes ouvertes » column (register with
  :func:`register_open_alert_counter`). With none registered the column shows « — ».

Each must run a fixed number of queries (no query per student or per event).
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.orm import aliased

from lms.access import visible_cohort_ids
from lms.attendance.models import AttendanceRecord
from lms.auth.models import Role, User
from lms.catalog.models import (
    Cohort,
    Course,
    Enrolment,
    EnrolmentStatus,
    Site,
    cohort_teacher,
    coordinator_region,
    enrolment_active_between,
)
from lms.clock import QUEBEC, local_date
from lms.extensions import db
from lms.followup.models import (
    FollowUpNote,
    LevelAssessment,
    ProgressionDecision,
    RemedialInvite,
    RemedialSession,
)
from lms.followup.policies import visible_note_condition
from lms.followup.services import (
    EXIT_NOTE_TYPE,
    Cadence,
    ExitFollowUp,
    exit_followup,
    gain_since_placement,
    interview_cadence,
    withdrawable,
)
from lms.followup.vocab import label
from lms.learning.models import (
    PRODUCTION_TYPES,
    SKILLS,
    Attempt,
    Exercise,
    Lesson,
    Production,
    Unit,
)

# --- cohorts and people ------------------------------------------------------------------------


def _current(today: date):
    """Enrolments that count as "active students" of a cohort today (including those who start
    later: continuous intake): :meth:`Enrolment.active_between` today and later."""
    return Enrolment.active_between(today)


def active_students(cohort_id: int, today: date) -> list[tuple[Enrolment, User]]:
    """The cohort's active students, by name."""
    return [
        (e, u)
        for e, u in db.session.execute(
            select(Enrolment, User)
            .join(User, User.id == Enrolment.student_id)
            .where(Enrolment.cohort_id == cohort_id, _current(today))
            .order_by(User.name, User.id)
        )
    ]


def owner_candidates(cohort_id: int | None) -> list[tuple[int, str, str]]:
    """Who may own a follow-up action: the cohort's teachers, then the region's coordinators.

    :returns: ``(user id, name, role)``, active accounts only.
    """
    if cohort_id is None:
        return []
    teachers = (
        select(User.id, User.name, literal("teacher").label("role"), literal(0).label("rank"))
        .join(cohort_teacher, cohort_teacher.c.user_id == User.id)
        .where(cohort_teacher.c.cohort_id == cohort_id, User.active.is_(True))
    )
    coordinators = (
        select(User.id, User.name, literal("coordinator").label("role"), literal(1).label("rank"))
        .join(coordinator_region, coordinator_region.c.user_id == User.id)
        .join(Site, Site.region_id == coordinator_region.c.region_id)
        .join(Cohort, Cohort.site_id == Site.id)
        .where(Cohort.id == cohort_id, User.active.is_(True))
    )
    both = union_all(teachers, coordinators).subquery()
    rows = db.session.execute(
        select(both.c.id, both.c.name, both.c.role).order_by(both.c.rank, both.c.name, both.c.id)
    )
    seen: set[int] = set()
    result = []
    for uid, name, role in rows:
        if uid not in seen:
            seen.add(uid)
            result.append((uid, name, role))
    return result


def first_teacher_id(owners: list[tuple[int, str, str]]) -> int | None:
    return next((uid for uid, _name, role in owners if role == "teacher"), None)


def student_cohort_in_scope(user: User, student_id: int, today: date) -> int | None:
    """The cohort through which ``user`` follows the student, among the cohorts in the user's
    scope: the enrolment active today, else one still to come, else the latest one."""
    return db.session.scalar(
        select(Enrolment.cohort_id)
        .where(
            Enrolment.student_id == student_id,
            Enrolment.cohort_id.in_(visible_cohort_ids(user)),
        )
        .order_by(*Enrolment.current_first(today))
        .limit(1)
    )


def student_cohorts_in_scope(user: User, student_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Enrolment.cohort_id).where(
                Enrolment.student_id == student_id,
                Enrolment.cohort_id.in_(visible_cohort_ids(user)),
            )
        )
    )


def user_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


# --- what of a student's file a viewer sees ------------------------------------------------------
#
# The student's file shows a viewer only the data of the cohorts in the viewer's scope (admins
# see everything): a student who moved to another region does not bring her former team's
# notes, levels, absences and decisions along. The queries below take ``viewer``: ``None``
# means no restriction (scheduled jobs, the student's own page, tests).


def _unscoped(viewer: User | None) -> bool:
    return viewer is None or viewer.role == Role.ADMIN


def _cohort_scope(column, viewer: User | None) -> ColumnElement[bool]:
    """``column`` (a cohort id) is one of the viewer's cohorts."""
    if _unscoped(viewer):
        return true()
    return column.in_(visible_cohort_ids(viewer))


def _note_scope(viewer: User | None) -> ColumnElement[bool]:
    """The notes the viewer reads: :func:`lms.followup.policies.visible_note_condition`."""
    return true() if viewer is None else visible_note_condition(viewer)


def _assessment_scope(viewer: User | None) -> ColumnElement[bool]:
    """Assessments of the viewer's cohorts; one without a cohort (deleted since) only for its
    assessor, like a note without a cohort."""
    if _unscoped(viewer):
        return true()
    return or_(
        _cohort_scope(LevelAssessment.cohort_id, viewer),
        and_(LevelAssessment.cohort_id.is_(None), LevelAssessment.assessor_id == viewer.id),
    )


# --- levels ------------------------------------------------------------------------------------


@dataclass
class Assessment:
    id: int
    student_id: int
    cohort_id: int | None
    skill: str
    level: int
    kind: str
    assessed_on: date
    evidence: str
    assessor: str


@dataclass
class SkillLevel:
    skill: str
    placement: int | None = None
    placement_on: date | None = None
    latest: int | None = None
    latest_on: date | None = None
    latest_kind: str | None = None
    final: int | None = None  # latest end-of-course assessment

    @property
    def gain(self) -> int | None:
        return gain_since_placement(self.placement, self.latest)


def assessments_of(
    student_ids: list[int], *, viewer: User | None = None
) -> dict[int, list[Assessment]]:
    """Every assessment of these students that ``viewer`` may see, oldest first (one query)."""
    result: dict[int, list[Assessment]] = defaultdict(list)
    if not student_ids:
        return result
    assessor = aliased(User)
    rows = db.session.execute(
        select(LevelAssessment, assessor.name)
        .outerjoin(assessor, assessor.id == LevelAssessment.assessor_id)
        .where(LevelAssessment.student_id.in_(student_ids), _assessment_scope(viewer))
        .order_by(LevelAssessment.assessed_on, LevelAssessment.id)
    )
    for a, assessor_name in rows:
        result[a.student_id].append(
            Assessment(
                a.id,
                a.student_id,
                a.cohort_id,
                a.skill,
                a.level,
                a.kind,
                a.assessed_on,
                a.evidence,
                assessor_name or "",
            )
        )
    return result


def skill_levels(assessments: list[Assessment]) -> dict[str, SkillLevel]:
    """Per skill: latest placement, latest level and latest end-of-course level."""
    levels = {s: SkillLevel(s) for s in SKILLS}
    for a in assessments:  # oldest first: later ones overwrite
        entry = levels[a.skill]
        entry.latest, entry.latest_on, entry.latest_kind = a.level, a.assessed_on, a.kind
        if a.kind == "placement":
            entry.placement, entry.placement_on = a.level, a.assessed_on
        if a.kind == "final":
            entry.final = a.level
    return levels


def level_series(assessments: list[Assessment]) -> dict[str, list[tuple[date, int]]]:
    series: dict[str, list[tuple[date, int]]] = {s: [] for s in SKILLS}
    for a in assessments:
        series[a.skill].append((a.assessed_on, a.level))
    return series


@dataclass
class LevelsRow:
    enrolment: Enrolment
    student: User
    levels: dict[str, SkillLevel]


def levels_table(cohort_id: int, today: date) -> list[LevelsRow]:
    """Students × skills for a cohort: placement, latest, gain. Two queries."""
    students = active_students(cohort_id, today)
    by_student = assessments_of([u.id for _e, u in students])
    return [LevelsRow(e, u, skill_levels(by_student.get(u.id, []))) for e, u in students]


# --- attendance --------------------------------------------------------------------------------


@dataclass
class AttendanceSummary:
    days: int = 0
    scheduled: int = 0  # minutes
    attended: int = 0
    absences: int = 0  # unjustified
    justified: int = 0
    late: int = 0
    left_early: int = 0

    @property
    def rate(self) -> float | None:
        return self.attended / self.scheduled if self.scheduled else None


def _attendance_columns():
    return (
        func.count(AttendanceRecord.id),
        func.coalesce(func.sum(AttendanceRecord.scheduled_minutes), 0),
        func.coalesce(func.sum(AttendanceRecord.attended_minutes), 0),
        func.sum(case((AttendanceRecord.status == "absent", 1), else_=0)),
        func.sum(case((AttendanceRecord.status == "justified", 1), else_=0)),
        func.sum(case((AttendanceRecord.status == "late", 1), else_=0)),
        func.sum(case((AttendanceRecord.status == "left_early", 1), else_=0)),
    )


def _summary(values) -> AttendanceSummary:
    return AttendanceSummary(*(int(v or 0) for v in values))


def attendance_by_student(cohort_id: int) -> dict[int, AttendanceSummary]:
    """Attendance of every student of a cohort, from the days taken so far (one query)."""
    rows = db.session.execute(
        select(AttendanceRecord.student_id, *_attendance_columns())
        .where(AttendanceRecord.cohort_id == cohort_id)
        .group_by(AttendanceRecord.student_id)
    )
    return {student_id: _summary(values) for student_id, *values in rows}


def attendance_by_cohort(
    student_id: int, *, viewer: User | None = None
) -> dict[int, AttendanceSummary]:
    """A student's attendance in each of their cohorts that ``viewer`` may see (one query)."""
    rows = db.session.execute(
        select(AttendanceRecord.cohort_id, *_attendance_columns())
        .where(
            AttendanceRecord.student_id == student_id,
            _cohort_scope(AttendanceRecord.cohort_id, viewer),
        )
        .group_by(AttendanceRecord.cohort_id)
    )
    return {cohort_id: _summary(values) for cohort_id, *values in rows}


# --- online work -------------------------------------------------------------------------------


def _auto_graded(course_id: int):
    return (
        select(Exercise.id)
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .join(Unit, Unit.id == Lesson.unit_id)
        .where(
            Unit.course_id == course_id,
            Unit.active.is_(True),
            Lesson.active.is_(True),
            Exercise.active.is_(True),
            Exercise.type.not_in(PRODUCTION_TYPES),
        )
    )


def cohort_mastery(course_id: int, student_ids: list[int]) -> dict[int, float]:
    """Online mastery of each student: the mean of their best scores over the course's
    auto-graded exercises (an exercise never tried counts 0). Set-based: one query for the
    whole cohort (the per-student version is :func:`lms.learning.queries.skill_progress`)."""
    if not student_ids:
        return {}
    exercises = _auto_graded(course_id)
    total = select(func.count()).select_from(exercises.subquery()).scalar_subquery()
    best = (
        select(
            Attempt.student_id.label("student_id"),
            Attempt.exercise_id,
            func.max(Attempt.score).label("best"),
        )
        .where(Attempt.student_id.in_(student_ids), Attempt.exercise_id.in_(exercises))
        .group_by(Attempt.student_id, Attempt.exercise_id)
        .subquery()
    )
    rows = db.session.execute(
        select(best.c.student_id, func.sum(best.c.best), total).group_by(best.c.student_id)
    )
    return {
        student_id: (float(best_sum or 0) / count if count else 0.0)
        for student_id, best_sum, count in rows
    }


@dataclass
class OnlineSummary:
    attempts: int = 0
    exercises: int = 0  # distinct exercises tried
    mean_best: float | None = None  # mean of the best score per exercise tried
    submitted: int = 0
    returned: int = 0


def online_summary(student_id: int, *, viewer: User | None = None) -> OnlineSummary:
    """Attempts of a student, all courses, and their productions in the cohorts that ``viewer``
    may see (two queries). Attempts belong to no cohort: they are counted for every viewer."""
    best = (
        select(
            Attempt.exercise_id,
            func.count(Attempt.id).label("n"),
            func.max(Attempt.score).label("best"),
        )
        .where(Attempt.student_id == student_id)
        .group_by(Attempt.exercise_id)
        .subquery()
    )
    attempts, exercises, mean = db.session.execute(
        select(func.coalesce(func.sum(best.c.n), 0), func.count(), func.avg(best.c.best))
    ).one()
    submitted, returned = db.session.execute(
        select(
            func.count(Production.id),
            func.coalesce(func.sum(case((Production.status == "returned", 1), else_=0)), 0),
        ).where(Production.student_id == student_id, _cohort_scope(Production.cohort_id, viewer))
    ).one()
    return OnlineSummary(
        int(attempts or 0),
        int(exercises or 0),
        None if mean is None else float(mean),
        int(submitted or 0),
        int(returned or 0),
    )


# --- interviews --------------------------------------------------------------------------------


def last_interviews(
    student_ids: list[int], until: date, *, viewer: User | None = None
) -> dict[int, date]:
    """The date of each student's last follow-up interview up to ``until``, any cohort whose
    notes ``viewer`` reads (one query); whether it counts for an enrolment is
    :func:`interview_in_enrolment`'s call."""
    if not student_ids:
        return {}
    return dict(
        db.session.execute(
            select(FollowUpNote.student_id, func.max(FollowUpNote.held_on))
            .where(
                FollowUpNote.student_id.in_(student_ids),
                FollowUpNote.note_type == "entretien",
                FollowUpNote.held_on <= until,
                _note_scope(viewer),
            )
            .group_by(FollowUpNote.student_id)
        ).all()
    )


# --- exit follow-ups ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExitCase:
    """One withdrawal to check: the student, the day of the withdrawal, the date of the check."""

    student_id: int
    withdrawn_on: date
    as_of: date


def exit_followups(cases: Mapping[Hashable, ExitCase]) -> dict[Hashable, ExitFollowUp]:
    """Whether each withdrawal has its exit follow-up done or under way on its date
    (:func:`exit_followup`): one query for the students' exit notes, whatever their number."""
    if not cases:
        return {}
    notes: dict[int, list[tuple[date, date | None, date | None]]] = defaultdict(list)
    for student_id, held_on, due_on, done_on in db.session.execute(
        select(
            FollowUpNote.student_id, FollowUpNote.held_on, FollowUpNote.due_on, FollowUpNote.done_on
        ).where(
            FollowUpNote.note_type == EXIT_NOTE_TYPE,
            FollowUpNote.student_id.in_({c.student_id for c in cases.values()}),
        )
    ):
        notes[student_id].append((held_on, due_on, done_on))
    return {
        key: exit_followup(c.withdrawn_on, notes[c.student_id], c.as_of) for key, c in cases.items()
    }


# --- the teacher's dashboard -------------------------------------------------------------------

OpenAlertCounter = Callable[[int, list[int]], dict[int, int]]
OPEN_ALERT_COUNTERS: list[OpenAlertCounter] = []


def register_open_alert_counter(counter: OpenAlertCounter) -> OpenAlertCounter:
    """Add a source of open alerts to the dashboard (usable as a decorator)."""
    if counter not in OPEN_ALERT_COUNTERS:
        OPEN_ALERT_COUNTERS.append(counter)
    return counter


@dataclass
class DashboardRow:
    enrolment: Enrolment
    student: User
    attendance: AttendanceSummary | None
    last_interview: date | None
    cadence: Cadence
    levels: dict[str, SkillLevel]
    mastery: float | None
    open_alerts: int | None  # None: no alert source yet

    def sort_value(self, key: str):
        if key == "name":
            return self.student.name.casefold()
        if key == "attendance":
            return self.attendance.rate if self.attendance else None
        if key == "interview":
            return self.last_interview
        if key == "cadence":
            return self.cadence.due_on
        if key in SKILLS:
            return self.levels[key].latest
        if key == "online":
            return self.mastery
        if key == "alerts":
            return self.open_alerts
        raise KeyError(key)


SORT_KEYS = ("name", "attendance", "interview", "cadence", *SKILLS, "online", "alerts")


def sort_rows(rows: list[DashboardRow], key: str, descending: bool) -> list[DashboardRow]:
    """Sort by a column; empty values always last, ties by name."""
    by_name = sorted(rows, key=lambda r: r.student.name.casefold())
    present = [r for r in by_name if r.sort_value(key) is not None]
    missing = [r for r in by_name if r.sort_value(key) is None]
    present.sort(key=lambda r: r.sort_value(key), reverse=descending)
    return present + missing


def dashboard(cohort: Cohort, course: Course, today: date, every_days: int) -> list[DashboardRow]:
    """One row per active student of the cohort. A fixed number of queries: students,
    attendance, interviews, assessments, mastery, plus one per registered alert source."""
    students = active_students(cohort.id, today)
    ids = [u.id for _e, u in students]
    attendance = attendance_by_student(cohort.id)
    interviews = last_interviews(ids, today)
    assessments = assessments_of(ids)
    mastery = cohort_mastery(course.id, ids)
    alerts: dict[int, int] | None = None
    for counter in OPEN_ALERT_COUNTERS:
        alerts = alerts or {}
        for student_id, n in counter(cohort.id, ids).items():
            alerts[student_id] = alerts.get(student_id, 0) + n
    rows = []
    for enrolment, student in students:
        last = interviews.get(student.id)
        rows.append(
            DashboardRow(
                enrolment,
                student,
                attendance.get(student.id),
                last,
                interview_cadence(last, enrolment.start_on, today, every_days),
                skill_levels(assessments.get(student.id, [])),
                mastery.get(student.id, 0.0 if enrolment.start_on <= today else None),
                None if alerts is None else alerts.get(student.id, 0),
            )
        )
    return rows


# --- remedial sessions -------------------------------------------------------------------------


@dataclass
class RemedialRow:
    session: RemedialSession
    teacher: str
    invited: int
    present: int
    absent: int


def remedial_sessions(cohort_id: int) -> list[RemedialRow]:
    """The cohort's sessions, newest first, with attendance counts (one query)."""
    teacher = aliased(User)
    counts = (
        select(
            RemedialInvite.session_id,
            func.count(RemedialInvite.id).label("invited"),
            func.sum(case((RemedialInvite.attended.is_(True), 1), else_=0)).label("present"),
            func.sum(case((RemedialInvite.attended.is_(False), 1), else_=0)).label("absent"),
        )
        .group_by(RemedialInvite.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(RemedialSession, teacher.name, counts.c.invited, counts.c.present, counts.c.absent)
        .outerjoin(teacher, teacher.id == RemedialSession.teacher_id)
        .outerjoin(counts, counts.c.session_id == RemedialSession.id)
        .where(RemedialSession.cohort_id == cohort_id)
        .order_by(RemedialSession.starts_at.desc(), RemedialSession.id.desc())
    )
    return [
        RemedialRow(s, name or "", int(invited or 0), int(present or 0), int(absent or 0))
        for s, name, invited, present, absent in rows
    ]


def remedial_invites(session_id: int) -> list[tuple[RemedialInvite, User]]:
    return [
        (i, u)
        for i, u in db.session.execute(
            select(RemedialInvite, User)
            .join(User, User.id == RemedialInvite.student_id)
            .where(RemedialInvite.session_id == session_id)
            .order_by(User.name, User.id)
        )
    ]


# --- end of course -----------------------------------------------------------------------------


@dataclass
class DecisionRow:
    enrolment: Enrolment
    student: User
    decision: ProgressionDecision | None
    levels: dict[str, SkillLevel]


def decisions_table(cohort_id: int) -> list[DecisionRow]:
    """Every enrolment of the cohort (but transfers) with its decision and the final
    assessments per skill. Two queries."""
    rows = db.session.execute(
        select(Enrolment, User, ProgressionDecision)
        .join(User, User.id == Enrolment.student_id)
        .outerjoin(ProgressionDecision, ProgressionDecision.enrolment_id == Enrolment.id)
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.status != EnrolmentStatus.TRANSFERRED.value,
        )
        .order_by(User.name, User.id, Enrolment.start_on)
    ).all()
    assessments = assessments_of([u.id for _e, u, _d in rows])
    return [DecisionRow(e, u, d, skill_levels(assessments.get(u.id, []))) for e, u, d in rows]


# --- the student's file ------------------------------------------------------------------------


@dataclass
class EnrolmentLine:
    enrolment: Enrolment
    cohort: Cohort
    course: Course
    site: Site
    decision: ProgressionDecision | None

    def is_current(self, today: date) -> bool:
        """Active today or later (the twin of :func:`_current`)."""
        e = self.enrolment
        return enrolment_active_between(e.start_on, e.end_on, today)

    def can_withdraw(self, today: date) -> bool:
        return withdrawable(self.enrolment, today)


def student_enrolments(student_id: int, *, viewer: User | None = None) -> list[EnrolmentLine]:
    """The student's enrolments in the cohorts that ``viewer`` may see, newest first, with
    decisions (one query)."""
    rows = db.session.execute(
        select(Enrolment, Cohort, Course, Site, ProgressionDecision)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .outerjoin(ProgressionDecision, ProgressionDecision.enrolment_id == Enrolment.id)
        .where(Enrolment.student_id == student_id, _cohort_scope(Enrolment.cohort_id, viewer))
        .order_by(Enrolment.start_on.desc(), Enrolment.id.desc())
    )
    return [EnrolmentLine(*row) for row in rows]


@dataclass
class NoteLine:
    note: FollowUpNote
    author: str
    owner: str
    cohort_code: str


def _note_lines(*conditions, limit: int | None = None, order=None) -> list[NoteLine]:
    author, owner = aliased(User), aliased(User)
    stmt = (
        select(FollowUpNote, author.name, owner.name, Cohort.code)
        .outerjoin(author, author.id == FollowUpNote.author_id)
        .outerjoin(owner, owner.id == FollowUpNote.owner_id)
        .outerjoin(Cohort, Cohort.id == FollowUpNote.cohort_id)
        .where(*conditions)
        .order_by(*(order or (FollowUpNote.held_on.desc(), FollowUpNote.id.desc())))
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [NoteLine(n, a or "", o or "", c or "") for n, a, o, c in db.session.execute(stmt)]


def open_actions(student_id: int, *, viewer: User | None = None) -> list[NoteLine]:
    """Notes that ``viewer`` reads whose action is not done yet, the most urgent first."""
    return _note_lines(
        FollowUpNote.student_id == student_id,
        _note_scope(viewer),
        FollowUpNote.action != "",
        FollowUpNote.done_on.is_(None),
        order=(FollowUpNote.due_on.is_(None), FollowUpNote.due_on, FollowUpNote.id),
    )


def shared_notes(student_id: int) -> list[NoteLine]:
    """The notes shared with the student: never the team-only ones."""
    return _note_lines(FollowUpNote.student_id == student_id, FollowUpNote.visibility == "student")


def note_line(note_id: int) -> NoteLine:
    return _note_lines(FollowUpNote.id == note_id)[0]


# --- the timeline ------------------------------------------------------------------------------


@dataclass
class TimelineEvent:
    """One line of a student's timeline.

    :param link: ``(endpoint, url values)`` of a page about the event, if any.
    :param cohort_id: the cohort the event belongs to (``None``: none, e.g. online work); for
        sources that do not take ``viewer``, ``link_cohort_id`` stands in for it.
    :param link_cohort_id: the link is shown only if the viewer has this cohort in scope
        (``None``: whoever sees the file may follow it).
    """

    on: date
    kind: str
    symbol: str
    title: str
    detail: str = ""
    cohort_code: str = ""
    at: time | None = None
    link: tuple[str, dict] | None = None
    link_cohort_id: int | None = None
    cohort_id: int | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        return (self.on, self.at or time.min, KIND_ORDER.get(self.kind, 0))


TimelineSource = Callable[[int, int], list[TimelineEvent]]
# Ties on the same day and time: later in this order means listed first (newest first).
KIND_ORDER = {
    "enrolment": 0,
    "attendance": 1,
    "online": 2,
    "production": 3,
    "assessment": 4,
    "remedial": 5,
    "note": 6,
    "decision": 7,
    "alert": 8,
}


def _pct(score: float | None) -> str:
    return "—" if score is None else f"{round(score * 100)} %"


def attendance_events(
    student_id: int, limit: int, viewer: User | None = None
) -> list[TimelineEvent]:
    """Absences, lateness, early departures, justified absences (never the present days)."""
    rows = db.session.execute(
        select(AttendanceRecord, Cohort.code)
        .join(Cohort, Cohort.id == AttendanceRecord.cohort_id)
        .where(
            AttendanceRecord.student_id == student_id,
            AttendanceRecord.status != "present",
            _cohort_scope(AttendanceRecord.cohort_id, viewer),
        )
        .order_by(AttendanceRecord.day.desc(), AttendanceRecord.id.desc())
        .limit(limit)
    )
    events = []
    for record, code in rows:
        if record.status == "late":
            title = _("Retard de %(n)s min", n=record.minutes)
            symbol = "◷"
        elif record.status == "left_early":
            title = _("Départ hâtif (%(n)s min manquées)", n=record.minutes)
            symbol = "◷"
        elif record.status == "justified":
            title = _("Absence motivée : %(reason)s", reason=label(record.reason, "justification"))
            symbol = "○"
        else:
            title = _("Absence")
            symbol = "✗"
        events.append(
            TimelineEvent(
                record.day,
                "attendance",
                symbol,
                title,
                detail=record.comment or "",
                cohort_code=code,
                cohort_id=record.cohort_id,
            )
        )
    return events


def online_events(student_id: int, limit: int, viewer: User | None = None) -> list[TimelineEvent]:
    """Online work, one event per day: « 5 exercices, moyenne 80 % » (mean of the day's best
    score per exercise). Days are Quebec days, so the grouping is done here. Attempts belong
    to no cohort: every viewer of the file sees them."""
    rows = db.session.execute(
        select(Attempt.created_at, Attempt.exercise_id, Attempt.score)
        .where(Attempt.student_id == student_id)
        .order_by(Attempt.created_at.desc())
    ).all()
    days: dict[date, dict[int, float]] = {}
    for created_at, exercise_id, score in rows:
        day = local_date(created_at)
        if day not in days:
            if len(days) >= limit:
                break
            days[day] = {}
        best = days[day]
        best[exercise_id] = max(score, best.get(exercise_id, 0.0))
    events = []
    for day, best in days.items():
        n = len(best)
        mean = sum(best.values()) / n
        events.append(
            TimelineEvent(
                day,
                "online",
                "✎",
                ngettext(
                    "%(num)s exercice en ligne, moyenne %(mean)s",
                    "%(num)s exercices en ligne, moyenne %(mean)s",
                    n,
                    mean=_pct(mean),
                ),
            )
        )
    return events


def production_events(
    student_id: int, limit: int, viewer: User | None = None
) -> list[TimelineEvent]:
    """Productions sent, and productions returned with their score (two queries)."""
    events = []
    base = (
        select(Production, Exercise.type, Lesson.title, Cohort.code)
        .join(Exercise, Exercise.id == Production.exercise_id)
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .join(Cohort, Cohort.id == Production.cohort_id)
        .where(Production.student_id == student_id, _cohort_scope(Production.cohort_id, viewer))
    )
    for p, kind, lesson, code in db.session.execute(
        base.order_by(Production.submitted_at.desc(), Production.id.desc()).limit(limit)
    ):
        moment = p.submitted_at.astimezone(QUEBEC)
        events.append(
            TimelineEvent(
                moment.date(),
                "production",
                "↑",
                _("Production orale envoyée")
                if kind == "oral_production"
                else _("Production écrite envoyée"),
                detail=lesson,
                cohort_code=code,
                at=moment.time(),
                link=("learning.production", {"production_id": p.id}),
                link_cohort_id=p.cohort_id,
                cohort_id=p.cohort_id,
            )
        )
    for p, _kind, lesson, code in db.session.execute(
        base.where(Production.status == "returned", Production.graded_at.is_not(None))
        .order_by(Production.graded_at.desc(), Production.id.desc())
        .limit(limit)
    ):
        moment = p.graded_at.astimezone(QUEBEC)
        events.append(
            TimelineEvent(
                moment.date(),
                "production",
                "↓",
                _("Production corrigée et retournée : %(score)s", score=_pct(p.score)),
                detail=lesson,
                cohort_code=code,
                at=moment.time(),
                link=("learning.production", {"production_id": p.id}),
                link_cohort_id=p.cohort_id,
                cohort_id=p.cohort_id,
            )
        )
    return events


def assessment_events(
    student_id: int, limit: int, viewer: User | None = None
) -> list[TimelineEvent]:
    """Level assessments, one event per day and kind: « CO 3 · PO 2 · CE 3 · PÉ 2 »."""
    assessor = aliased(User)
    rows = db.session.execute(
        select(LevelAssessment, assessor.name, Cohort.code)
        .outerjoin(assessor, assessor.id == LevelAssessment.assessor_id)
        .outerjoin(Cohort, Cohort.id == LevelAssessment.cohort_id)
        .where(LevelAssessment.student_id == student_id, _assessment_scope(viewer))
        .order_by(LevelAssessment.assessed_on.desc(), LevelAssessment.id.desc())
        .limit(limit * len(SKILLS))
    )
    groups: dict[tuple, list] = {}
    for a, name, code in rows:
        groups.setdefault((a.assessed_on, a.kind, code, name), []).append(a)
    events = []
    for (day, kind, code, name), items in groups.items():
        items.sort(key=lambda a: SKILLS.index(a.skill))
        levels = " · ".join(f"{label(a.skill, 'skill_code')} {a.level}" for a in items)
        evidence = " ".join(dict.fromkeys(a.evidence for a in items if a.evidence))
        detail = _("Par %(name)s.", name=name) if name else ""
        events.append(
            TimelineEvent(
                day,
                "assessment",
                "▲",
                _(
                    "Évaluation (%(kind)s) : %(levels)s",
                    kind=str(label(kind, "kind")).lower(),
                    levels=levels,
                ),
                detail=f"{detail} {evidence}".strip(),
                cohort_code=code or "",
                cohort_id=items[0].cohort_id,
            )
        )
    return events


def note_events(student_id: int, limit: int, viewer: User | None = None) -> list[TimelineEvent]:
    """Follow-up notes that ``viewer`` reads (the file is not shown to students)."""
    events = []
    for line in _note_lines(
        FollowUpNote.student_id == student_id, _note_scope(viewer), limit=limit
    ):
        n = line.note
        tags = [str(label(n.visibility, "visibility"))]
        if n.action:
            tags.append(
                _("Fait le %(day)s", day=format_date(n.done_on, "d MMM yyyy"))
                if n.done_on
                else _("Action en cours")
            )
        events.append(
            TimelineEvent(
                n.held_on,
                "note",
                "✉",
                f"{label(n.note_type, 'note_type')} — {label(n.reason, 'reason')}",
                detail=n.summary,
                cohort_code=line.cohort_code,
                link=("followup.note_edit", {"note_id": n.id}),
                tags=tags,
                cohort_id=n.cohort_id,
            )
        )
    return events


def remedial_events(student_id: int, limit: int, viewer: User | None = None) -> list[TimelineEvent]:
    rows = db.session.execute(
        select(RemedialInvite, RemedialSession, Cohort.code)
        .join(RemedialSession, RemedialSession.id == RemedialInvite.session_id)
        .join(Cohort, Cohort.id == RemedialSession.cohort_id)
        .where(
            RemedialInvite.student_id == student_id,
            _cohort_scope(RemedialSession.cohort_id, viewer),
        )
        .order_by(RemedialSession.starts_at.desc(), RemedialSession.id.desc())
        .limit(limit)
    )
    events = []
    for invite, session, code in rows:
        moment = session.starts_at.astimezone(QUEBEC)
        if invite.attended is True:
            state = _("présent·e")
        elif invite.attended is False:
            state = _("absent·e")
        else:
            state = _("présence non notée")
        events.append(
            TimelineEvent(
                moment.date(),
                "remedial",
                "↻",
                _("Récupération : %(topic)s (%(state)s)", topic=session.topic, state=state),
                detail=invite.note or session.outcome,
                cohort_code=code,
                at=moment.time(),
                link=("followup.remedial_detail", {"session_id": session.id}),
                link_cohort_id=session.cohort_id,
                cohort_id=session.cohort_id,
            )
        )
    return events


def decision_events(student_id: int, limit: int, viewer: User | None = None) -> list[TimelineEvent]:
    rows = db.session.execute(
        select(ProgressionDecision, Cohort.code, Cohort.id)
        .join(Enrolment, Enrolment.id == ProgressionDecision.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.student_id == student_id, _cohort_scope(Enrolment.cohort_id, viewer))
        .order_by(ProgressionDecision.decided_on.desc(), ProgressionDecision.id.desc())
        .limit(limit)
    )
    return [
        TimelineEvent(
            d.decided_on,
            "decision",
            "⚑",
            _("Décision de fin de cours : %(decision)s", decision=label(d.decision, "decision")),
            detail=d.comment,
            cohort_code=code,
            cohort_id=cohort_id,
        )
        for d, code, cohort_id in rows
    ]


def enrolment_events(
    student_id: int, limit: int, viewer: User | None = None
) -> list[TimelineEvent]:
    """Enrolled, withdrawn (with the reason), completed, transferred."""
    rows = db.session.execute(
        select(Enrolment, Cohort.code)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.student_id == student_id, _cohort_scope(Enrolment.cohort_id, viewer))
        .order_by(Enrolment.start_on.desc(), Enrolment.id.desc())
    )  # a handful per student: no limit, so that an old enrolment's end is not missed
    events = []
    for e, code in rows:
        events.append(
            TimelineEvent(
                e.start_on,
                "enrolment",
                "→",
                _("Inscription au groupe %(code)s", code=code),
                cohort_code=code,
                cohort_id=e.cohort_id,
            )
        )
        if e.end_on is None:
            continue
        if e.status == EnrolmentStatus.WITHDRAWN.value:
            title = _(
                "Départ du groupe %(code)s : %(reason)s",
                code=code,
                reason=label(e.withdrawal_reason, "withdrawal") or _("raison non précisée"),
            )
        elif e.status == EnrolmentStatus.TRANSFERRED.value:
            title = _("Transfert hors du groupe %(code)s", code=code)
        elif e.status == EnrolmentStatus.COMPLETED.value:
            title = _("Fin du cours dans le groupe %(code)s", code=code)
        else:
            title = _("Fin de l'inscription au groupe %(code)s", code=code)
        events.append(
            TimelineEvent(
                e.end_on, "enrolment", "←", title, cohort_code=code, cohort_id=e.cohort_id
            )
        )
    return events


TIMELINE_SOURCES: list[TimelineSource] = [
    enrolment_events,
    attendance_events,
    online_events,
    production_events,
    assessment_events,
    note_events,
    remedial_events,
    decision_events,
]


def register_timeline_source(source: TimelineSource) -> TimelineSource:
    """Add a source of events to every student's timeline (usable as a decorator)."""
    if source not in TIMELINE_SOURCES:
        TIMELINE_SOURCES.append(source)
    return source


def _takes_viewer(source: TimelineSource) -> bool:
    try:
        return "viewer" in inspect.signature(source).parameters
    except (TypeError, ValueError):
        return False


def _event_cohort(event: TimelineEvent) -> int | None:
    return event.cohort_id if event.cohort_id is not None else event.link_cohort_id


def student_timeline(
    student_id: int,
    limit: int,
    *,
    viewer: User | None = None,
    in_scope: set[int] | None = None,
) -> tuple[list[TimelineEvent], bool]:
    """The newest ``limit`` events of all sources that ``viewer`` may see, newest first, and
    whether there are more.

    Each source returns at most ``limit + 1`` newest events of its own (a fixed number of
    queries each), so the merge holds the true newest ``limit``. Sources that take ``viewer``
    keep to the viewer's cohorts in their query. The events of the other sources are dropped
    here when their cohort is not in ``in_scope`` (the student's cohorts in the viewer's scope,
    read when not given); as the events such a source dropped may have hidden older ones that
    it did not return, the merge then stops at the oldest event it returned (« Voir plus »
    shows the rest).

    :param in_scope: :func:`student_cohorts_in_scope` of the viewer, if the caller has it.
    """
    scoped = not _unscoped(viewer)
    if scoped and in_scope is None:
        in_scope = student_cohorts_in_scope(viewer, student_id)
    events: list[TimelineEvent] = []
    floor: tuple | None = None  # older events may be missing
    for source in TIMELINE_SOURCES:
        if _takes_viewer(source):
            events.extend(source(student_id, limit + 1, viewer=viewer))
            continue
        found = source(student_id, limit + 1)
        if scoped:
            kept = [e for e in found if _event_cohort(e) is None or _event_cohort(e) in in_scope]
            if len(kept) < len(found) and len(found) > limit:
                oldest = min(e.sort_key for e in found)
                floor = oldest if floor is None else max(floor, oldest)
            found = kept
        events.extend(found)
    events.sort(key=lambda e: e.sort_key, reverse=True)
    if floor is not None:
        events = [e for e in events if e.sort_key >= floor]
        return events[:limit], True
    return events[:limit], len(events) > limit
