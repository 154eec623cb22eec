"""Imports every feature's models, so that the metadata (and Alembic) sees all tables."""

from lms.alerts.models import Alert, AlertRuleSetting, Notification
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.audit.models import AuditLog
from lms.auth.models import LoginFailure, PasswordResetToken, User
from lms.catalog.models import Cohort, Course, Enrolment, Region, Site
from lms.employers.models import (
    CoursePlan,
    CoursePlanItem,
    Employer,
    EmployerEmployee,
    NeedsProfile,
    TaskAssessment,
)
from lms.followup.models import (
    FollowUpNote,
    LevelAssessment,
    ProgressionDecision,
    RemedialInvite,
    RemedialSession,
)
from lms.intake.models import Candidate
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
from lms.mail.models import OutboxMessage
from lms.programme.models import ClosureDay, Setting
from lms.quality.models import (
    CheckpointReview,
    CheckpointTemplate,
    CorrectiveAction,
    ReviewFinding,
    SurveyCompletion,
    SurveyResponse,
)
from lms.scheduler.models import JobRun, SchedulerLease

__all__ = [
    "Alert",
    "AlertRuleSetting",
    "JobRun",
    "Notification",
    "OutboxMessage",
    "SchedulerLease",
    "AttendanceDay",
    "AttendanceRecord",
    "Attempt",
    "CheckpointReview",
    "CheckpointTemplate",
    "ClosureDay",
    "CorrectiveAction",
    "ReviewFinding",
    "SurveyCompletion",
    "SurveyResponse",
    "CoursePlan",
    "CoursePlanItem",
    "Employer",
    "EmployerEmployee",
    "NeedsProfile",
    "TaskAssessment",
    "FollowUpNote",
    "LevelAssessment",
    "ProgressionDecision",
    "RemedialInvite",
    "RemedialSession",
    "Setting",
    "AuditLog",
    "Candidate",
    "Cohort",
    "Course",
    "CourseTrack",
    "Domain",
    "Enrolment",
    "Exercise",
    "Lesson",
    "LevelDescriptor",
    "LoginFailure",
    "PasswordResetToken",
    "Production",
    "Region",
    "Site",
    "Situation",
    "Unit",
    "User",
    "WorkplaceTask",
]
