"""Imports every feature's models, so that the metadata (and Alembic) sees all tables."""

from lms.audit.models import AuditLog
from lms.auth.models import LoginFailure, User
from lms.catalog.models import Cohort, Course, Enrolment, Region, Site

__all__ = ["AuditLog", "Cohort", "Course", "Enrolment", "LoginFailure", "Region", "Site", "User"]
