"""The student's follow-up file: their enrolments, and everything the file's page shows of them
to a viewer, read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Enrolment, Site, enrolment_active_between
from lms.extensions import db
from lms.followup.models import ProgressionDecision
from lms.followup.policies import may_edit_visible_note
from lms.followup.queries.activity import (
    AttendanceSummary,
    OnlineSummary,
    attendance_by_cohort,
    online_summary,
)
from lms.followup.queries.levels import Assessment, SkillLevel, assessments_of, skill_levels
from lms.followup.queries.notes import NoteLine, last_interviews, open_actions
from lms.followup.queries.people import student_cohorts_in_scope
from lms.followup.queries.scope import cohort_scope
from lms.followup.queries.timeline import TimelineEvent, student_timeline
from lms.followup.rules import Cadence, interview_cadence, withdrawable


@dataclass
class EnrolmentLine:
    enrolment: Enrolment
    cohort: Cohort
    course: Course
    site: Site
    decision: ProgressionDecision | None

    def is_current(self, today: date) -> bool:
        """Active today or later (as for :func:`lms.followup.queries.people.active_students`)."""
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
        .where(Enrolment.student_id == student_id, cohort_scope(Enrolment.cohort_id, viewer))
        .order_by(Enrolment.start_on.desc(), Enrolment.id.desc())
    )
    return [EnrolmentLine(*row) for row in rows]


@dataclass
class StudentFile:
    """What the file's page shows; its fields are the names the template reads."""

    enrolments: list[EnrolmentLine]
    in_scope: set[int]  # the student's cohorts in the viewer's scope
    assessments: list[Assessment]
    levels: dict[str, SkillLevel]
    attendance: dict[int, AttendanceSummary]
    online: OnlineSummary
    last_interview: date | None
    cadences: dict[int, Cadence]  # per current enrolment id
    actions: list[NoteLine]
    editable: set[int]  # the ids of the actions' notes that the viewer may change
    events: list[TimelineEvent]
    more: bool  # the timeline goes on past ``events``


def file_of(
    student_id: int, viewer: User, *, today: date, every_days: int, events: int
) -> StudentFile:
    """The student's file as ``viewer`` sees it: only the data of the viewer's cohorts (see
    :mod:`lms.followup.queries.scope`), a student who moved to another region keeping her
    former team's data there.

    :param every_days: the interview cadence (programme setting).
    :param events: how many of the timeline's newest events to show.
    """
    enrolments = student_enrolments(student_id, viewer=viewer)
    in_scope = student_cohorts_in_scope(viewer, student_id)
    assessments = assessments_of([student_id], viewer=viewer).get(student_id, [])
    last_interview = last_interviews([student_id], today, viewer=viewer).get(student_id)
    cadences = {
        line.enrolment.id: interview_cadence(
            last_interview, line.enrolment.start_on, today, every_days
        )
        for line in enrolments
        if line.is_current(today)
    }
    timeline, more = student_timeline(student_id, events, viewer=viewer, in_scope=in_scope)
    actions = open_actions(student_id, viewer=viewer)
    return StudentFile(
        enrolments=enrolments,
        in_scope=in_scope,
        assessments=assessments,
        levels=skill_levels(assessments),
        attendance=attendance_by_cohort(student_id, viewer=viewer),
        online=online_summary(student_id, viewer=viewer),
        last_interview=last_interview,
        cadences=cadences,
        actions=actions,
        editable={line.note.id for line in actions if may_edit_visible_note(viewer, line.note)},
        events=timeline,
        more=more,
    )
