"""Imports every feature's models, so that the metadata (and Alembic) sees all tables."""

from lms.audit.models import AuditLog
from lms.auth.models import LoginFailure, User
from lms.catalog.models import Cohort, Course, Enrolment, Region, Site
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

__all__ = [
    "Attempt",
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
