"""Imports every feature's models, so that the metadata (and Alembic) sees all tables."""

from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.audit.models import AuditLog
from lms.auth.models import LoginFailure, User
from lms.catalog.models import Cohort, Course, Enrolment, Region, Site
from lms.followup.models import (
    FollowUpNote,
    LevelAssessment,
    ProgressionDecision,
    RemedialInvite,
    RemedialSession,
)
from lms.learning.models import (
    Attempt,
    CourseTrack,
    Domain,
    Exercise,
    Lesson,
    LevelDescriptor,
    Production,
    Situation,
    Unit,
    WorkplaceTask,
)
from lms.programme.models import ClosureDay, Setting

__all__ = [
    "AttendanceDay",
    "AttendanceRecord",
    "Attempt",
    "ClosureDay",
    "FollowUpNote",
    "LevelAssessment",
    "ProgressionDecision",
    "RemedialInvite",
    "RemedialSession",
    "Setting",
    "AuditLog",
    "Cohort",
    "Course",
    "CourseTrack",
    "Domain",
    "Enrolment",
    "Exercise",
    "Lesson",
    "LevelDescriptor",
    "LoginFailure",
    "Production",
    "Region",
    "Site",
    "Situation",
    "Unit",
    "User",
    "WorkplaceTask",
]
