"""Alert rules on the follow-up: interviews overdue, no level gain at mid-course."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from lms.alerts.rules.base import Finding, Rule, ScanContext, active_pairs, short_date
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment
from lms.followup.rules import interview_due_on, interview_in_enrolment
from lms.programme.settings import get_setting


def find_interview_overdue(ctx: ScanContext, code: str) -> list[Finding]:
    ids = ctx.cohort_ids(code)
    if not ids:
        return []
    cadence = int(get_setting("interview_cadence_days"))
    active = active_pairs(ctx.today, ids)
    last = (
        select(FollowUpNote.student_id, func.max(FollowUpNote.held_on).label("held_on"))
        .where(FollowUpNote.note_type == "entretien", FollowUpNote.held_on <= ctx.today)
        .group_by(FollowUpNote.student_id)
        .subquery()
    )
    findings = []
    for student_id, cohort_id, start_on, held_on in db.session.execute(
        select(
            active.c.student_id, active.c.cohort_id, active.c.start_on, last.c.held_on
        ).outerjoin(last, last.c.student_id == active.c.student_id)
    ):
        grace = ctx.p(code, cohort_id)["grace_days"]
        since = interview_in_enrolment(held_on, start_on)
        due = interview_due_on(held_on, start_on, cadence)
        if ctx.today > due + timedelta(days=grace):
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "last": since.isoformat() if since else None,
                        "due": due.isoformat(),
                        "late_days": (ctx.today - due).days,
                        "cadence": cadence,
                    },
                    student_id,
                )
            )
    return findings


def describe_interview_overdue(e: dict) -> str:
    if e["last"]:
        return _(
            "Entretien de suivi en retard de %(late)s jours : le dernier date du %(last)s "
            "(un entretien tous les %(cadence)s jours, prévu le %(due)s).",
            late=e["late_days"],
            last=short_date(e["last"]),
            cadence=e["cadence"],
            due=short_date(e["due"]),
        )
    return _(
        "Aucun entretien de suivi depuis le début du cours; le premier était prévu le %(due)s "
        "(%(late)s jours de retard).",
        due=short_date(e["due"]),
        late=e["late_days"],
    )


INTERVIEW_OVERDUE = Rule(
    "interview_overdue",
    _l("Entretien de suivi en retard"),
    _l("L'entretien de suivi prévu par la cadence n'a pas eu lieu."),
    "warning",
    "student",
    {"grace_days": 0},
    {"grace_days": _l("Jours de tolérance après la date prévue")},
    find_interview_overdue,
    describe_interview_overdue,
)


def find_no_level_gain(ctx: ScanContext, code: str) -> list[Finding]:
    ids = [c for c in ctx.cohort_ids(code) if ctx.cohorts[c].week >= ctx.p(code, c)["min_week"]]
    if not ids:
        return []
    active = active_pairs(ctx.today, ids)
    levels: dict[tuple[int, int], dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for student_id, cohort_id, skill, kind, level in db.session.execute(
        select(
            active.c.student_id,
            active.c.cohort_id,
            LevelAssessment.skill,
            LevelAssessment.kind,
            func.max(LevelAssessment.level),
        )
        .join(
            LevelAssessment,
            and_(
                LevelAssessment.student_id == active.c.student_id,
                LevelAssessment.cohort_id == active.c.cohort_id,
            ),
        )
        .where(LevelAssessment.kind.in_(("placement", "mid")))
        .group_by(
            active.c.student_id, active.c.cohort_id, LevelAssessment.skill, LevelAssessment.kind
        )
    ):
        levels[(student_id, cohort_id)][skill][kind] = level
    findings = []
    for (student_id, cohort_id), skills in levels.items():
        pairs = {s: v for s, v in skills.items() if "placement" in v and "mid" in v}
        if len(pairs) == 4 and all(v["mid"] <= v["placement"] for v in pairs.values()):
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "levels": {s: [v["placement"], v["mid"]] for s, v in sorted(pairs.items())},
                        "week": ctx.cohorts[cohort_id].week,
                    },
                    student_id,
                )
            )
    return findings


def describe_no_level_gain(e: dict) -> str:
    levels = ", ".join(f"{skill} {a} → {b}" for skill, (a, b) in e["levels"].items())
    return _(
        "Aucun gain de niveau à la mi-parcours dans les 4 compétences (classement → "
        "mi-parcours) : %(levels)s.",
        levels=levels,
    )


NO_LEVEL_GAIN = Rule(
    "no_level_gain",
    _l("Aucun gain de niveau à la mi-parcours"),
    _l("Les niveaux de mi-parcours ne dépassent le classement dans aucune compétence."),
    "warning",
    "student",
    {"min_week": 6},
    {"min_week": _l("À partir de la semaine")},
    find_no_level_gain,
    describe_no_level_gain,
)
