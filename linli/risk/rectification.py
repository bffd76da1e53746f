"""Hazard-case rules (隐患整改, 闭环): states, deadlines, escalation, sign-off and figures.

Pure functions over plain values so the Django layer, the CLI and the white papers apply
one set of rules. Numbers (days, grades that escalate or need sign-off) come from the
method's ``rectification`` section, so a new method version can change them.
"""

from __future__ import annotations

import bisect
import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Final

from linli.core.workdays import PLAIN_WEEK, WorkCalendar, add_working_days, working_days_between
from linli.risk.rules import GRADES, Method, RectificationRules, default_method

__all__ = [
    "FIVE_IMPLEMENTATIONS",
    "REMIND_WORKING_DAYS",
    "TRANSITIONS",
    "Action",
    "CaseRecord",
    "CaseState",
    "DeadlineReminder",
    "Deadlines",
    "EscalationLevel",
    "Figures",
    "TransitionError",
    "add_months",
    "allowed_transitions",
    "deadline_reminder",
    "default_deadlines",
    "escalation_level",
    "figures",
    "is_overdue",
    "missing_plan_items",
    "reinspection_due",
    "reminder_horizon",
    "required_signoffs",
    "transition",
]


class CaseState(StrEnum):
    """Life-cycle state of a hazard case."""

    FOUND = "found"  # 发现/登记
    GRADED = "graded"  # 定级
    ASSIGNED = "assigned"  # 交办: responsible party, deadline, interim measure
    IN_PROGRESS = "in_progress"  # 整改中
    REINSPECTION_REQUESTED = "reinspection_requested"  # 申请复查, with evidence photos
    CLOSED = "closed"  # 销号
    DEFERRED = "deferred"  # 长期管控: interim control and a review date


class Action(StrEnum):
    """What a user does to a case."""

    GRADE = "grade"
    ASSIGN = "assign"
    START = "start"
    REQUEST_REINSPECTION = "request_reinspection"
    APPROVE = "approve"  # re-inspection passed: close (销号)
    REJECT = "reject"  # re-inspection failed: back to in progress (退回)
    DEFER = "defer"
    RESUME = "resume"
    CLOSE_ON_SPOT = "close_on_spot"  # 当场改正, same day


class EscalationLevel(StrEnum):
    """Who supervises the case (督办), lowest first."""

    COMMITTEE = "committee"  # 居委
    STREET_DEPARTMENT = "street_department"  # 街道职能科室
    SUPERVISION_LIST = "supervision_list"  # 街道挂牌督办


_LEVELS: Final = tuple(EscalationLevel)

TRANSITIONS: Final[Mapping[CaseState, Mapping[Action, CaseState]]] = MappingProxyType(
    {
        CaseState.FOUND: MappingProxyType({Action.GRADE: CaseState.GRADED}),
        CaseState.GRADED: MappingProxyType(
            {Action.ASSIGN: CaseState.ASSIGNED, Action.CLOSE_ON_SPOT: CaseState.CLOSED}
        ),
        CaseState.ASSIGNED: MappingProxyType(
            {
                Action.START: CaseState.IN_PROGRESS,
                Action.DEFER: CaseState.DEFERRED,
                Action.CLOSE_ON_SPOT: CaseState.CLOSED,
            }
        ),
        CaseState.IN_PROGRESS: MappingProxyType(
            {
                Action.REQUEST_REINSPECTION: CaseState.REINSPECTION_REQUESTED,
                Action.DEFER: CaseState.DEFERRED,
            }
        ),
        CaseState.REINSPECTION_REQUESTED: MappingProxyType(
            {Action.APPROVE: CaseState.CLOSED, Action.REJECT: CaseState.IN_PROGRESS}
        ),
        CaseState.DEFERRED: MappingProxyType({Action.RESUME: CaseState.IN_PROGRESS}),
        CaseState.CLOSED: MappingProxyType({}),
    }
)

#: The five items a plan for an A hazard must name (五落实): measures, money, deadline,
#: responsible person, emergency plan (措施、资金、期限、责任人、应急预案).
FIVE_IMPLEMENTATIONS: Final = ("measures", "funding", "deadline", "responsible", "emergency_plan")


class TransitionError(ValueError):
    """An action is not allowed in the case's state, or its required data is missing."""


def _rules(method: Method | None) -> RectificationRules:
    return (method or default_method()).rectification


def _check_grade(grade: object) -> str:
    if not isinstance(grade, str) or grade not in GRADES:
        raise ValueError(f"grade must be one of A, B, C, D, got {grade!r}")
    return grade


def allowed_transitions(state: CaseState | str) -> Mapping[Action, CaseState]:
    """Actions allowed in a state and the state each leads to."""
    return TRANSITIONS[CaseState(state)]


def missing_plan_items(plan: Mapping[str, object] | None) -> tuple[str, ...]:
    """The 五落实 items a plan leaves out or leaves empty."""
    plan = plan or {}
    return tuple(item for item in FIVE_IMPLEMENTATIONS if not str(plan.get(item) or "").strip())


def required_signoffs(grade: str, method: Method | None = None) -> frozenset[str]:
    """Parties that must sign off closing a case: committee and street for A and B."""
    rules = _rules(method)
    if _check_grade(grade) in rules.signoff_grades:
        return frozenset(rules.signoff_parties)
    return frozenset()


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def transition(
    state: CaseState | str,
    action: Action | str,
    *,
    grade: str | None = None,
    responsible: str | None = None,
    interim_measure: str | None = None,
    plan: Mapping[str, object] | None = None,
    evidence_photos: int = 0,
    signoffs: Iterable[str] = (),
    reason: str | None = None,
    interim_control: str | None = None,
    review_on: date | None = None,
    found_on: date | None = None,
    today: date | None = None,
    method: Method | None = None,
) -> CaseState:
    """Validate one action on a case and return the new state.

    Each action checks only the data it needs: ``grade`` (A-D) for grade, assign, start,
    approve and close_on_spot; ``responsible`` and, for grades with an interim deadline (A, B),
    ``interim_measure`` for assign; a complete 五落实 ``plan`` to start an A case (its
    deadline comes from the plan); ``evidence_photos`` >= 1 to request re-inspection or close
    on the spot; the required ``signoffs`` to close A and B cases; ``reason`` to reject;
    ``interim_control`` and a ``review_on`` after ``today`` to defer; ``found_on == today`` to
    close on the spot. Raises ``TransitionError`` with the reason otherwise.
    """
    try:
        current = CaseState(state)
    except ValueError:
        raise TransitionError(f"unknown case state {state!r}") from None
    try:
        act = Action(action)
    except ValueError:
        raise TransitionError(f"unknown action {action!r}") from None
    allowed = TRANSITIONS[current]
    if act not in allowed:
        names = ", ".join(a.value for a in allowed) or "none, the case is closed"
        raise TransitionError(
            f"cannot {act.value} a case in state {current.value} (allowed: {names})"
        )
    rules = _rules(method)

    def need_grade() -> str:
        if grade is None or grade not in GRADES:
            raise TransitionError(f"{act.value}: grade must be one of A, B, C, D, got {grade!r}")
        return grade

    def need_signoffs(g: str) -> None:
        required = required_signoffs(g, method)
        missing = sorted(required - set(signoffs))
        if missing:
            raise TransitionError(
                f"{act.value}: closing a grade {g} case needs sign-off by {', '.join(missing)}"
            )

    if act is Action.GRADE:
        need_grade()
    elif act is Action.ASSIGN:
        g = need_grade()
        if _blank(responsible):
            raise TransitionError("assign: a responsible party is required")
        if g in rules.interim_hours and _blank(interim_measure):
            raise TransitionError(f"assign: a grade {g} case needs an interim measure")
    elif act is Action.START:
        g = need_grade()
        if g in rules.plan_days:
            missing = missing_plan_items(plan)
            if missing:
                raise TransitionError(
                    f"start: a grade {g} case needs a plan naming {', '.join(missing)} (五落实)"
                )
    elif act is Action.REQUEST_REINSPECTION:
        if evidence_photos < 1:
            raise TransitionError("request_reinspection: at least one evidence photo is required")
    elif act is Action.APPROVE:
        need_signoffs(need_grade())
    elif act is Action.REJECT:
        if _blank(reason):
            raise TransitionError("reject: a reason is required")
    elif act is Action.DEFER:
        if _blank(interim_control):
            raise TransitionError("defer: an interim control measure is required")
        if review_on is None or today is None:
            raise TransitionError("defer: a review date and today's date are required")
        if review_on <= today:
            raise TransitionError("defer: the review date must be after today")
    elif act is Action.CLOSE_ON_SPOT:
        g = need_grade()
        if found_on is None or today is None:
            raise TransitionError("close_on_spot: the found date and today's date are required")
        if today > found_on + timedelta(days=rules.on_the_spot_days):
            raise TransitionError("close_on_spot: only possible on the day the hazard was found")
        if evidence_photos < 1:
            raise TransitionError("close_on_spot: at least one evidence photo is required")
        need_signoffs(g)
    return allowed[act]


# --------------------------------------------------------------------------- deadlines


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Default deadlines of a case. ``rectify_due`` is None for A: the 五落实 plan sets it.

    ``interim_due`` is the date by which the interim measure must be in place: the found
    date plus ``interim_hours`` rounded up to whole days (24 h -> the next day). With a
    timestamp of the finding, the platform can use ``interim_hours`` directly instead.
    """

    grade: str
    found_on: date
    on_the_spot: bool
    interim_hours: int | None
    interim_due: date | None
    plan_due: date | None
    rectify_due: date | None


def _roll(day: date, rules: RectificationRules, calendar: WorkCalendar) -> date:
    """A deadline that falls on a day off moves to the next working day (民法典 art. 203)."""
    if rules.roll_to_working_day:
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
    return day


def default_deadlines(
    grade: str,
    found_on: date,
    calendar: WorkCalendar = PLAIN_WEEK,
    on_the_spot: bool = False,
    *,
    method: Method | None = None,
) -> Deadlines:
    """Deadlines from the method: on the spot same day; D 30, C 15, B 7 days (interim 24 h);
    A interim 24 h and a 五落实 plan within 7 days. Day counts are calendar days; a rectify
    or plan deadline on a day off moves to the next working day; interim deadlines never move.
    """
    g = _check_grade(grade)
    rules = _rules(method)
    if on_the_spot:
        return Deadlines(
            grade=g,
            found_on=found_on,
            on_the_spot=True,
            interim_hours=None,
            interim_due=None,
            plan_due=None,
            rectify_due=found_on + timedelta(days=rules.on_the_spot_days),
        )
    hours = rules.interim_hours.get(g)
    interim_due = None if hours is None else found_on + timedelta(days=-(-hours // 24))
    plan_days = rules.plan_days.get(g)
    plan_due = (
        None if plan_days is None else _roll(found_on + timedelta(days=plan_days), rules, calendar)
    )
    days = rules.rectify_days[g]
    rectify_due = None if days is None else _roll(found_on + timedelta(days=days), rules, calendar)
    return Deadlines(
        grade=g,
        found_on=found_on,
        on_the_spot=False,
        interim_hours=hours,
        interim_due=interim_due,
        plan_due=plan_due,
        rectify_due=rectify_due,
    )


def reinspection_due(
    requested_on: date, calendar: WorkCalendar = PLAIN_WEEK, *, method: Method | None = None
) -> date:
    """Re-inspection is due within 3 working days of the request (request day not counted)."""
    return add_working_days(requested_on, _rules(method).reinspection_working_days, calendar)


#: Working days before a rectification deadline when the responsible unit is reminded.
REMIND_WORKING_DAYS: Final = 3


class DeadlineReminder(StrEnum):
    """Which reminder a case's rectification deadline calls for on a given day."""

    DUE = "due"  # within the last 3 working days before the deadline
    TODAY = "today"  # the deadline is today
    OVERDUE = "overdue"  # the deadline has passed (the case is escalated)


def deadline_reminder(
    due_on: date | None,
    today: date,
    calendar: WorkCalendar = PLAIN_WEEK,
    *,
    working_days: int = REMIND_WORKING_DAYS,
) -> DeadlineReminder | None:
    """The reminder due today, if any: 3 working days before the deadline (and on the days
    after it, so a day the schedule did not run is caught up; each reminder is sent once),
    on the day itself, and once it is overdue. Days off in between are not counted."""
    if due_on is None:
        return None
    if today > due_on:
        return DeadlineReminder.OVERDUE
    if today == due_on:
        return DeadlineReminder.TODAY
    if working_days_between(today, due_on, calendar) <= working_days:
        return DeadlineReminder.DUE
    return None


def reminder_horizon(
    today: date, calendar: WorkCalendar = PLAIN_WEEK, *, working_days: int = REMIND_WORKING_DAYS
) -> date:
    """The latest deadline that calls for a reminder today (for the query): the day before
    the next working day after the reminder window, so days off at its end are included."""
    return add_working_days(today, working_days + 1, calendar) - timedelta(days=1)


def is_overdue(due_on: date | None, today: date, closed_on: date | None = None) -> bool:
    """Overdue: closed after the due date, or still open after it. No due date: never."""
    if due_on is None:
        return False
    if closed_on is not None:
        return closed_on > due_on
    return today > due_on


def escalation_level(
    grade: str,
    overdue_count: int,
    current: EscalationLevel | str = EscalationLevel.COMMITTEE,
    *,
    method: Method | None = None,
) -> EscalationLevel:
    """Who supervises a case (督办).

    A cases go to the street supervision list automatically; a case overdue twice too; a case
    overdue once goes to the street department. Never lower than ``current``, so calling it
    again with the same facts is harmless.
    """
    g = _check_grade(grade)
    if isinstance(overdue_count, bool) or overdue_count < 0:
        raise ValueError(f"overdue_count must be a non-negative integer, got {overdue_count!r}")
    rules = _rules(method)
    if g in rules.auto_supervision_grades or overdue_count >= rules.supervision_after_overdue:
        level = EscalationLevel.SUPERVISION_LIST
    elif overdue_count >= 1:
        level = EscalationLevel.STREET_DEPARTMENT
    else:
        level = EscalationLevel.COMMITTEE
    base = EscalationLevel(current)
    return max(level, base, key=_LEVELS.index)


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """The facts of one case the figures need. ``sample`` is the stable id of the sampled
    building or lane group, so a repeat can be recognised across rounds."""

    id: str
    sample: str
    subunit: str
    grade: str
    found_on: date
    due_on: date | None = None
    closed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """Rectification figures as exact fractions (None when the denominator is zero)."""

    as_of: date
    cases: int
    closed: int
    rectification_rate: Fraction | None
    overdue: int
    overdue_base: int
    overdue_rate: Fraction | None
    mean_days_to_close: Fraction | None
    repeats: int
    repeat_rate: Fraction | None


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (29 Feb + 12 months -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def figures(cases: Iterable[CaseRecord], as_of: date, *, method: Method | None = None) -> Figures:
    """Rectification rate, overdue rate, mean days to close and repeat rate as of a date.

    Cases found after ``as_of`` are ignored; a case counts as closed when ``closed_on`` is on
    or before ``as_of``. Exact definitions are in docs/engines/risk.md.
    """
    window = _rules(method).repeat_window_months
    records = []
    seen: set[str] = set()
    for case in cases:
        _check_grade(case.grade)
        if case.id in seen:
            raise ValueError(f"case {case.id}: duplicate case id")
        seen.add(case.id)
        if case.closed_on is not None and case.closed_on < case.found_on:
            raise ValueError(f"case {case.id}: closed before it was found")
        if case.found_on <= as_of:
            records.append(case)

    def closed(case: CaseRecord) -> bool:
        return case.closed_on is not None and case.closed_on <= as_of

    closed_cases = [c for c in records if closed(c)]
    overdue = 0
    overdue_base = 0
    for case in records:
        if case.due_on is None:
            continue
        if closed(case):
            overdue_base += 1
            assert case.closed_on is not None
            overdue += case.closed_on > case.due_on
        elif as_of > case.due_on:
            overdue_base += 1
            overdue += 1
    days = sum((c.closed_on - c.found_on).days for c in closed_cases if c.closed_on)
    # Repeat: a closed case whose sample and sub-unit get a new case within the window.
    groups: dict[tuple[str, str], list[tuple[date, str]]] = {}
    for case in records:
        groups.setdefault((case.sample, case.subunit), []).append((case.found_on, case.id))
    for found in groups.values():
        found.sort()
    repeats = 0
    for case in closed_cases:
        assert case.closed_on is not None
        found = groups[(case.sample, case.subunit)]
        end = add_months(case.closed_on, window)
        start = bisect.bisect_left(found, (case.closed_on, ""))
        for found_on, other in found[start:]:
            if found_on > end:
                break
            if other != case.id:
                repeats += 1
                break
    return Figures(
        as_of=as_of,
        cases=len(records),
        closed=len(closed_cases),
        rectification_rate=_ratio(len(closed_cases), len(records)),
        overdue=overdue,
        overdue_base=overdue_base,
        overdue_rate=_ratio(overdue, overdue_base),
        mean_days_to_close=_ratio(days, len(closed_cases)),
        repeats=repeats,
        repeat_rate=_ratio(repeats, len(closed_cases)),
    )
