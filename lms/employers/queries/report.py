"""The employer report: aggregated attendance and skill gains of an employer's consenting
employees, on the page and as a CSV file, never below a minimum of people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select

from lms.attendance.models import AttendanceRecord
from lms.csv_export import decimal_cell
from lms.employers.models import Employer, EmployerEmployee
from lms.extensions import db
from lms.followup.models import LevelAssessment
from lms.learning.vocab import SKILL_LABELS, SKILLS

# The employer report shows a figure only when at least this many consenting employees are
# behind it: below that, a mean or a rate may be one person's result.
REPORT_MINIMUM = 3


@dataclass
class SkillGain:
    skill: str
    assessed: int = 0  # employees with a placement in the skill
    placement_mean: float | None = None  # means: None below REPORT_MINIMUM people assessed
    latest_mean: float | None = None
    gain_mean: float | None = None


@dataclass
class EmployerReport:
    employer: Employer
    included: int
    not_included: int
    days: int = 0
    attending: int = 0  # included employees with attendance records
    scheduled_minutes: int = 0
    attended_minutes: int = 0
    first_day: date | None = None
    last_day: date | None = None
    skills: dict[str, SkillGain] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        """Are there enough consenting employees to show any figure?"""
        return self.included >= REPORT_MINIMUM

    @property
    def attendance_shown(self) -> bool:
        return self.shown and self.attending >= REPORT_MINIMUM

    @property
    def rate(self) -> float | None:
        return self.attended_minutes / self.scheduled_minutes if self.scheduled_minutes else None


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def employer_report(employer: Employer, scope: Select[tuple[int]]) -> EmployerReport:
    """Aggregated figures for the employees who consented (consent given, with its date):
    attendance over all their class days recorded, and per skill the mean levels at placement
    and at the latest assessment and the mean gain. Those who did not consent count only in
    ``not_included``. Only employees whose ids are in ``scope`` (the students the reader may
    see, :func:`lms.access.visible_student_ids`) count at all.

    Nothing is computed below :data:`REPORT_MINIMUM` consenting employees (``shown`` is
    false), and a figure is left out when fewer people are behind it (the attendance of fewer
    employees with records, the means of a skill assessed for fewer). Three queries at most
    whatever the number of employees."""
    consented = EmployerEmployee.consented
    in_scope = EmployerEmployee.student_id.in_(scope)
    included, total = db.session.execute(
        select(
            func.coalesce(func.sum(case((consented, 1), else_=0)), 0),
            func.count(EmployerEmployee.id),
        ).where(EmployerEmployee.employer_id == employer.id, in_scope)
    ).one()
    report = EmployerReport(employer, int(included), int(total) - int(included))
    report.skills = {s: SkillGain(s) for s in SKILLS}
    if not report.shown:
        return report
    students = select(EmployerEmployee.student_id).where(
        EmployerEmployee.employer_id == employer.id, consented, in_scope
    )
    days, attending, scheduled, attended, first, last = db.session.execute(
        select(
            func.count(AttendanceRecord.id),
            func.count(AttendanceRecord.student_id.distinct()),
            func.coalesce(func.sum(AttendanceRecord.scheduled_minutes), 0),
            func.coalesce(func.sum(AttendanceRecord.attended_minutes), 0),
            func.min(AttendanceRecord.day),
            func.max(AttendanceRecord.day),
        ).where(AttendanceRecord.student_id.in_(students))
    ).one()
    report.attending = int(attending or 0)
    if report.attendance_shown:
        report.days, report.scheduled_minutes, report.attended_minutes = (
            int(days or 0),
            int(scheduled or 0),
            int(attended or 0),
        )
        report.first_day, report.last_day = first, last

    placement: dict[tuple[int, str], int] = {}
    latest: dict[tuple[int, str], int] = {}
    for student_id, skill, level, kind in db.session.execute(
        select(
            LevelAssessment.student_id,
            LevelAssessment.skill,
            LevelAssessment.level,
            LevelAssessment.kind,
        )
        .where(LevelAssessment.student_id.in_(students))
        .order_by(LevelAssessment.assessed_on, LevelAssessment.created_at, LevelAssessment.id)
    ):
        key = (student_id, skill)
        if kind == "placement" and key not in placement:
            placement[key] = level
        latest[key] = level
    for skill, entry in report.skills.items():
        keys = [k for k in placement if k[1] == skill]
        entry.assessed = len(keys)
        if entry.assessed < REPORT_MINIMUM:
            continue
        entry.placement_mean = _mean([placement[k] for k in keys])
        entry.latest_mean = _mean([latest[k] for k in keys])
        entry.gain_mean = _mean([latest[k] - placement[k] for k in keys])
    return report


def not_enough_message() -> str:
    return _("Pas assez d'employé·es consentant·es pour afficher des résultats.")


def report_rows(report: EmployerReport, today: date) -> list[tuple[str, Any]]:
    """The report's figures as (indicator, value) rows, one figure a row, numbers as numbers.
    Below the minimum of consenting employees, the employer's rows and a note instead of any
    figure."""
    employer = report.employer
    rows: list[tuple[str, Any]] = [
        (_("entreprise"), employer.name),
        (_("NEQ"), employer.neq),
        (_("date du rapport"), today.isoformat()),
    ]
    if not report.shown:
        return [*rows, (_("note"), not_enough_message())]
    return rows + _attendance_rows(report) + [row for s in SKILLS for row in _skill_rows(report, s)]


def _attendance_rows(report: EmployerReport) -> list[tuple[str, Any]]:
    attendance = report.attendance_shown
    return [
        (_("personnes incluses (consentement enregistré)"), report.included),
        (_("personnes non incluses (sans consentement)"), report.not_included),
        (
            _("premier jour de classe compté"),
            report.first_day.isoformat() if report.first_day else "",
        ),
        (
            _("dernier jour de classe compté"),
            report.last_day.isoformat() if report.last_day else "",
        ),
        (
            _("heures prévues"),
            decimal_cell(report.scheduled_minutes / 60 if attendance else None),
        ),
        (
            _("heures de présence"),
            decimal_cell(report.attended_minutes / 60 if attendance else None),
        ),
        (
            _("taux de présence (pourcentage)"),
            decimal_cell(None if report.rate is None else report.rate * 100, 1),
        ),
    ]


def _skill_rows(report: EmployerReport, skill: str) -> list[tuple[str, Any]]:
    gain = report.skills[skill]
    name = str(SKILL_LABELS[skill]).lower()
    return [
        (_("%(skill)s : personnes évaluées au classement", skill=name), gain.assessed),
        (
            _("%(skill)s : niveau moyen au classement", skill=name),
            decimal_cell(gain.placement_mean),
        ),
        (_("%(skill)s : niveau moyen le plus récent", skill=name), decimal_cell(gain.latest_mean)),
        (_("%(skill)s : gain moyen (niveaux)", skill=name), decimal_cell(gain.gain_mean)),
    ]
