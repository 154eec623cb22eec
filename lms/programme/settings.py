"""Runtime settings: values in the database, defaults here (CTFd's get_config/set_config)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from lms import clock
from lms.audit.services import record
from lms.extensions import db
from lms.programme.models import Setting

# Amounts of money: stored as decimal strings ("230.00") in the JSON column, never as floats
# (which would round cents), and read as Decimal.
MONEY_SETTINGS = frozenset({"allowance_weekly_amount"})
CENT = Decimal("0.01")

DEFAULTS: dict[str, Any] = {
    # Full-time participation allowance, in dollars per week.
    "allowance_weekly_amount": "230.00",
    # How the weekly amount depends on attendance:
    #   "prorated": amount × (hours attended + justified hours counted) / hours scheduled;
    #   "threshold": the full amount when that ratio reaches min_rate, else nothing.
    "allowance_rule": "prorated",
    "allowance_min_rate": 0.8,
    # Justified absences count as attended, up to this many class days per course.
    "allowance_justified_days_per_course": 5,
    # A follow-up interview is due for every active student every N days.
    "interview_cadence_days": 14,
    # A condition still true after its alert was closed reopens it only after this many days.
    "alert_cooldown_days": 7,
    # A critical alert not acknowledged within this many working days goes to the coordinators.
    "alert_escalation_working_days": 2,
}


def _read(key: str, stored: Any) -> Any:
    return Decimal(str(stored)) if key in MONEY_SETTINGS else stored


def _to_store(key: str, value: Any) -> Any:
    """The JSON value kept for ``value``: a string with cents for an amount of money."""
    return str(Decimal(str(value)).quantize(CENT)) if key in MONEY_SETTINGS else value


def _stored(key: str) -> Any:
    row = db.session.get(Setting, key)
    return DEFAULTS[key] if row is None else row.value


def get_setting(key: str) -> Any:
    """A setting's value (a Decimal for an amount of money)."""
    return _read(key, _stored(key))


def all_settings() -> dict[str, Any]:
    """Every setting's value (Decimal for amounts of money), defaults included."""
    values = dict(DEFAULTS)
    values.update({row.key: row.value for row in db.session.scalars(select(Setting))})
    return {key: _read(key, value) for key, value in values.items()}


def set_setting(key: str, value: Any, *, actor=None) -> None:
    """Change a setting (flush, no commit); the audit log keeps before and after.

    :param value: an amount of money as a Decimal (or its string); other settings as JSON.
    """
    if key not in DEFAULTS:
        raise KeyError(key)
    before = _stored(key)
    value = _to_store(key, value)
    if before == value:
        return
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key)
        db.session.add(row)
    row.value = value
    row.updated_at = clock.utcnow()
    row.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    record(
        "setting.update",
        entity_type="Setting",
        entity_id=key,
        actor=actor,
        before={"value": before},
        after={"value": value},
    )
