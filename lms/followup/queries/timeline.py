"""The student's timeline: every event of their file, newest first, merged from sources.

:data:`TIMELINE_SOURCES` holds functions ``(student_id, limit) -> list[TimelineEvent]``: the
built-in ones below, and those that later features register with
:func:`register_timeline_source` (the alerts, for one). A source that also takes a keyword
``viewer`` keeps to the viewer's cohorts in its query; the events of the others are filtered on
their cohort (see :func:`student_timeline`). Each source runs a fixed number of queries (no
query per event).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from lms.attendance.models import AttendanceRecord
from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment, EnrolmentStatus
from lms.clock import QUEBEC, local_date
from lms.extensions import db
from lms.followup.models import (
    FollowUpNote,
    LevelAssessment,
    ProgressionDecision,
    RemedialInvite,
    RemedialSession,
)
from lms.followup.queries.notes import note_lines
from lms.followup.queries.people import student_cohorts_in_scope
from lms.followup.queries.scope import assessment_scope, cohort_scope, note_scope, unscoped
from lms.followup.vocab import label
from lms.learning.models import SKILLS, Attempt, Exercise, Lesson, Production


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
            cohort_scope(AttendanceRecord.cohort_id, viewer),
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
        .where(Production.student_id == student_id, cohort_scope(Production.cohort_id, viewer))
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
        .where(LevelAssessment.student_id == student_id, assessment_scope(viewer))
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
    for line in note_lines(FollowUpNote.student_id == student_id, note_scope(viewer), limit=limit):
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
            cohort_scope(RemedialSession.cohort_id, viewer),
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
        .where(Enrolment.student_id == student_id, cohort_scope(Enrolment.cohort_id, viewer))
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
        .where(Enrolment.student_id == student_id, cohort_scope(Enrolment.cohort_id, viewer))
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
    scoped = not unscoped(viewer)
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
