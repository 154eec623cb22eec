"""Programme verbs: the settings page (with the audit log) and the sites' closure days.

Explicit arguments, no request object; they flush, never commit: the view owns the transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Site
from lms.errors import ServiceError
from lms.extensions import db
from lms.programme.calendar import holiday_name
from lms.programme.models import ClosureDay
from lms.programme.settings import all_settings, set_setting

# The settings the programme page shows, in its order. The page shows the minimal attendance
# rate in percent; it is stored as a rate from 0 to 1. The weekly amount is a Decimal on the
# page and in lms.programme.settings (which stores it as a decimal string).
PAGE_SETTINGS = (
    "allowance_weekly_amount",
    "allowance_rule",
    "allowance_min_rate",
    "allowance_justified_days_per_course",
    "interview_cadence_days",
)


def settings_as_shown() -> dict[str, Any]:
    """The programme page's settings as the page shows them."""
    values = all_settings()
    return {
        **values,
        "allowance_min_rate": round(values["allowance_min_rate"] * 100),
    }


def save_settings(shown: dict[str, Any], *, actor: User) -> None:
    """Save the programme page's settings, given as the page shows them (see
    :data:`PAGE_SETTINGS`); each change goes to the audit log."""
    stored = {
        **shown,
        "allowance_min_rate": shown["allowance_min_rate"] / 100,
    }
    for key in PAGE_SETTINGS:
        set_setting(key, stored[key], actor=actor)


def add_closure(site: Site, day: date, reason: str, *, actor: User) -> ClosureDay:
    """Make ``day`` a closure day of ``site`` (no class, no attendance expected).

    :raises ServiceError: (field ``day``) the day is already closed, a weekend or a holiday.
    """
    exists = db.session.scalar(
        select(ClosureDay.id).where(ClosureDay.site_id == site.id, ClosureDay.day == day)
    )
    if exists:
        raise ServiceError(_("Cette date est déjà une journée de fermeture."), "day")
    if day.weekday() >= 5:
        raise ServiceError(_("Cette date tombe une fin de semaine."), "day")
    holiday = holiday_name(day)
    if holiday:
        raise ServiceError(_("Cette date est déjà un jour férié : %(name)s.", name=holiday), "day")
    closure = ClosureDay(site_id=site.id, day=day, reason=reason)
    db.session.add(closure)
    db.session.flush()
    record(
        "closure.create",
        closure,
        actor=actor,
        after={"site_id": site.id, "day": str(closure.day), "reason": closure.reason},
    )
    return closure


def remove_closure(closure: ClosureDay, *, actor: User) -> None:
    """The site holds class again on the closure's day."""
    record(
        "closure.delete",
        closure,
        actor=actor,
        before={"site_id": closure.site_id, "day": str(closure.day), "reason": closure.reason},
    )
    db.session.delete(closure)
    db.session.flush()
