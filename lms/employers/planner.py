"""The course-plan builder of the employer-adapted course: pure functions, no database.

:func:`propose_plan` places, week by week and within the course's hours:

1. every common-core unit in its own week (its suggested week, else the nearest week with room);
2. the units of the sector track, in their suggested week or the nearest week with room;
3. units of the *other* tracks that practise the needs profile's tasks, best first: those that
   bring a task no planned unit covers yet, then those that match the most (and the highest
   priority) tasks, then those whose tasks have the fewest planned hours; as long as a week
   has room.

Every item says why it was chosen (``reason``): ``{"kind": "core"}``,
``{"kind": "sector", "sector": key}``, ``{"kind": "task", "tasks": [keys]}``; units that staff
add by hand get ``{"kind": "added"}``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lms.employers.vocab import PlanItemReason

KIND_ORDER = {kind: order for order, kind in enumerate(PlanItemReason)}


@dataclass(frozen=True)
class PlanUnit:
    """What the planner needs to know about a unit."""

    id: int
    key: str
    week: int  # the week the content suggests
    hours: int
    track: str | None  # None: common core
    tasks: tuple[str, ...] = ()
    position: int = 0


@dataclass
class PlannedItem:
    unit_id: int
    week: int
    hours: int
    position: int = 0
    reason: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanProblem:
    """A rule a plan breaks: ``week_over`` (``week`` would hold ``hours`` > ``limit``),
    ``total_over`` (``hours`` > ``limit``), ``week_out`` (``week`` outside 1..``limit``),
    ``duplicate`` (a unit twice)."""

    kind: str
    week: int | None = None
    hours: int = 0
    limit: int = 0
    unit_id: int | None = None


def _week_order(preferred: int, weeks: int) -> list[int]:
    """Weeks by distance from ``preferred`` (clamped to the course), the earlier on a tie."""
    preferred = min(max(preferred, 1), weeks)
    return sorted(range(1, weeks + 1), key=lambda w: (abs(w - preferred), w))


class _Board:
    """Hours placed per week, with the weekly and overall limits."""

    def __init__(self, weeks: int, hours_per_week: int) -> None:
        self.weeks = weeks
        self.hours_per_week = hours_per_week
        self.load: Counter[int] = Counter()
        self.items: list[PlannedItem] = []

    @property
    def total(self) -> int:
        return sum(self.load.values())

    def week_for(self, unit: PlanUnit) -> int | None:
        if self.total + unit.hours > self.weeks * self.hours_per_week:
            return None
        for week in _week_order(unit.week, self.weeks):
            if self.load[week] + unit.hours <= self.hours_per_week:
                return week
        return None

    def place(self, unit: PlanUnit, reason: dict[str, Any]) -> bool:
        week = self.week_for(unit)
        if week is None:
            return False
        self.load[week] += unit.hours
        self.items.append(PlannedItem(unit.id, week, unit.hours, 0, reason))
        return True


def propose_plan(
    units: Iterable[PlanUnit],
    tasks: Sequence[str],
    sector: str | None,
    weeks: int,
    hours_per_week: int,
) -> list[PlannedItem]:
    """Propose a plan (see the module's docstring) over ``weeks`` of ``hours_per_week``.

    :param units: the course's active units.
    :param tasks: the needs profile's workplace tasks, by priority (first = most important).
    :param sector: the chosen sector track (``None``: no sector track).
    :returns: the items, ordered by week then position; never more than ``hours_per_week`` in
        a week nor ``weeks`` × ``hours_per_week`` overall.
    """
    units = sorted(units, key=lambda u: (u.week, u.position, u.key))
    by_id = {u.id: u for u in units}
    board = _Board(weeks, hours_per_week)

    for unit in units:
        if unit.track is None:
            board.place(unit, {"kind": "core"})
    if sector:
        for unit in units:
            if unit.track == sector:
                board.place(unit, {"kind": "sector", "sector": sector})

    wanted = [t for i, t in enumerate(tasks) if t and t not in tasks[:i]]
    priority = {t: len(wanted) - i for i, t in enumerate(wanted)}
    candidates = [
        u
        for u in units
        if u.track is not None and u.track != sector and any(t in priority for t in u.tasks)
    ]
    while candidates:
        covered: Counter[str] = Counter()
        for item in board.items:
            for task in by_id[item.unit_id].tasks:
                covered[task] += item.hours

        def rank(unit: PlanUnit, covered: Counter[str] = covered) -> tuple:
            matched = [t for t in unit.tasks if t in priority]
            return (
                -sum(1 for t in matched if not covered[t]),
                -sum(priority[t] for t in matched),
                min(covered[t] for t in matched),
                unit.week,
                unit.key,
            )

        fitting = [u for u in candidates if board.week_for(u) is not None]
        if not fitting:
            break
        best = min(fitting, key=rank)
        matched = [t for t in wanted if t in best.tasks]
        board.place(best, {"kind": "task", "tasks": matched})
        candidates = [u for u in fitting if u.id != best.id]

    return order_items(board.items, by_id)


def order_items(
    items: Iterable[PlannedItem], units: dict[int, PlanUnit] | None = None
) -> list[PlannedItem]:
    """Items sorted by week, then core / sector / task / added, then the unit's own order;
    ``position`` renumbered from 0 within each week."""

    def key(item: PlannedItem) -> tuple:
        unit = (units or {}).get(item.unit_id)
        return (
            item.week,
            KIND_ORDER.get(str(item.reason.get("kind")), 9),
            item.position if unit is None else unit.week,
            "" if unit is None else unit.key,
            item.unit_id,
        )

    ordered = sorted(items, key=key)
    seen: Counter[int] = Counter()
    for item in ordered:
        item.position = seen[item.week]
        seen[item.week] += 1
    return ordered


def week_loads(items: Iterable[PlannedItem]) -> dict[int, int]:
    loads: Counter[int] = Counter()
    for item in items:
        loads[item.week] += item.hours
    return dict(loads)


def plan_problems(
    items: Sequence[PlannedItem], weeks: int, hours_per_week: int
) -> list[PlanProblem]:
    """What makes ``items`` an impossible plan (empty list: none)."""
    problems: list[PlanProblem] = []
    seen: set[int] = set()
    for item in items:
        if not 1 <= item.week <= weeks:
            problems.append(PlanProblem("week_out", item.week, limit=weeks, unit_id=item.unit_id))
        if item.unit_id in seen:
            problems.append(PlanProblem("duplicate", item.week, unit_id=item.unit_id))
        seen.add(item.unit_id)
    for week, hours in sorted(week_loads(items).items()):
        if hours > hours_per_week:
            problems.append(PlanProblem("week_over", week, hours, hours_per_week))
    total = sum(item.hours for item in items)
    if total > weeks * hours_per_week:
        problems.append(PlanProblem("total_over", None, total, weeks * hours_per_week))
    return problems


def task_coverage(
    items: Iterable[PlannedItem], units: dict[int, PlanUnit], tasks: Sequence[str]
) -> dict[str, list[int]]:
    """For each of ``tasks``: the ids of the planned units that practise it, in plan order."""
    coverage: dict[str, list[int]] = {t: [] for t in tasks}
    for item in items:
        unit = units.get(item.unit_id)
        if unit is None:
            continue
        for task in unit.tasks:
            if task in coverage:
                coverage[task].append(unit.id)
    return coverage
