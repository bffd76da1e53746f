"""The stages of a lift retrofit, the documents each one produces, and the published clocks.

Pure functions over dates and document kinds, so the project page, reminders and tests agree
on what is late and what comes next. Periods follow Civil Code art. 201: the day an event
happens is not counted, the period starts the next day.
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from typing import Literal

from linli.core.workdays import WorkCalendar, roll_forward


def gettext_noop(message: str) -> str:
    """Marks a label for the message catalogue (makemessages knows the name) without importing
    Django: this module is pure. Pages translate the label when they show it."""
    return message


class StageError(ValueError):
    """Bad stage input; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Stage(IntEnum):
    """Stages 0-11 of the retrofit process (domain doc "Process")."""

    ORGANISE = 0
    INTENT_SURVEY = 1
    CONSULTATION = 2
    RESULT_NOTICE = 3
    PLANNING_NOTICE = 4
    SAFETY_REVIEW = 5
    WORKS_START = 6
    INSTALLATION = 7
    USE_REGISTRATION = 8
    COMPLETION_ACCEPTANCE = 9
    SUBSIDY_CLAIM = 10
    OPERATION = 11

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS: Mapping[Stage, str] = {
    Stage.ORGANISE: gettext_noop("组建加梯工作组（三人小组）"),
    Stage.INTENT_SURVEY: gettext_noop("意向征询与圆桌会议"),
    Stage.CONSULTATION: gettext_noop("正式征询与签订加梯协议"),
    Stage.RESULT_NOTICE: gettext_noop("征询结果公告"),
    Stage.PLANNING_NOTICE: gettext_noop("规划设计方案公示"),
    Stage.SAFETY_REVIEW: gettext_noop("房屋安全性论证"),
    Stage.WORKS_START: gettext_noop("施工备案或施工许可"),
    Stage.INSTALLATION: gettext_noop("安装与监督检验"),
    Stage.USE_REGISTRATION: gettext_noop("使用登记"),
    Stage.COMPLETION_ACCEPTANCE: gettext_noop("联合竣工验收"),
    Stage.SUBSIDY_CLAIM: gettext_noop("补贴申请"),
    Stage.OPERATION: gettext_noop("运行维护"),
}

DOCUMENT_LABELS: Mapping[str, str] = {
    "working_group_record": gettext_noop("工作组（三人小组）成立记录"),
    "intent_survey_result": gettext_noop("意向征询结果"),
    "preliminary_design": gettext_noop("初步设计方案"),
    "cost_estimate": gettext_noop("费用估算"),
    "round_table_minutes": gettext_noop("圆桌会议纪要"),
    "consultation_ballots": gettext_noop("业主表决票"),
    "retrofit_agreement": gettext_noop("加梯协议"),
    "cost_sharing_table": gettext_noop("费用分摊表"),
    "result_notice": gettext_noop("征询结果公告"),
    "planning_notice": gettext_noop("规划设计方案公示"),
    "objection_replies": gettext_noop("异议答复记录"),
    "safety_review_opinion": gettext_noop("房屋安全性论证意见"),
    "construction_drawings": gettext_noop("施工图"),
    "works_filing": gettext_noop("施工信息备案"),
    "construction_permit": gettext_noop("施工许可证"),
    "installation_notice": gettext_noop("安装告知书"),
    "supervision_inspection_certificate": gettext_noop("监督检验证书"),
    "use_registration_certificate": gettext_noop("使用登记证"),
    "completion_acceptance_record": gettext_noop("竣工验收备案"),
    "subsidy_application": gettext_noop("补贴申请材料"),
    "use_management_designation": gettext_noop("使用管理单位确定书"),
    "maintenance_contract": gettext_noop("维护保养合同"),
    "insurance_policy": gettext_noop("保险单"),
}

_DOCUMENTS: Mapping[Stage, tuple[str, ...]] = {
    Stage.ORGANISE: ("working_group_record",),
    Stage.INTENT_SURVEY: (
        "intent_survey_result",
        "preliminary_design",
        "cost_estimate",
        "round_table_minutes",
    ),
    Stage.CONSULTATION: ("consultation_ballots", "retrofit_agreement", "cost_sharing_table"),
    Stage.RESULT_NOTICE: ("result_notice",),
    Stage.PLANNING_NOTICE: ("planning_notice", "objection_replies"),
    Stage.SAFETY_REVIEW: ("safety_review_opinion", "construction_drawings"),
    Stage.WORKS_START: (),  # filing or permit, by cost: see required_documents
    Stage.INSTALLATION: ("installation_notice", "supervision_inspection_certificate"),
    Stage.USE_REGISTRATION: ("use_registration_certificate",),
    Stage.COMPLETION_ACCEPTANCE: ("completion_acceptance_record",),
    Stage.SUBSIDY_CLAIM: ("subsidy_application",),
    Stage.OPERATION: ("use_management_designation", "maintenance_contract", "insurance_policy"),
}

PERMIT_THRESHOLD_FEN = 1_000_000 * 100
"""Works costing this much or more need a construction permit; below it a filing suffices."""

_BACK_TO_INTENT = frozenset(
    {Stage.CONSULTATION, Stage.RESULT_NOTICE, Stage.PLANNING_NOTICE, Stage.SAFETY_REVIEW}
)


def allowed_next(stage: Stage) -> tuple[Stage, ...]:
    """Stages a project may move to: the next one, or back to the intent survey.

    Until works start, a plan that must change (the consultation did not pass, objections or
    the safety review require a new design) goes back to stage 1, because a changed design
    needs a new consultation. From the start of works on, the path only goes forward.
    """
    forward = (Stage(stage + 1),) if stage < Stage.OPERATION else ()
    back = (Stage.INTENT_SURVEY,) if stage in _BACK_TO_INTENT else ()
    return forward + back


def required_documents(stage: Stage, *, works_cost_fen: int | None = None) -> tuple[str, ...]:
    """Document kinds a stage must produce before the project moves on.

    Stage 6 needs the works cost: a filing under 1 million yuan, a permit from 1 million.
    """
    if stage is Stage.WORKS_START:
        if works_cost_fen is None:
            raise StageError("works_cost_fen", "stage 6 depends on the works cost")
        if works_cost_fen < 0:
            raise StageError("works_cost_fen", "must not be negative")
        permit = works_cost_fen >= PERMIT_THRESHOLD_FEN
        return ("construction_permit",) if permit else ("works_filing",)
    return _DOCUMENTS[stage]


def missing_documents(
    stage: Stage, documents: Iterable[str], *, works_cost_fen: int | None = None
) -> tuple[str, ...]:
    have = set(documents)
    needed = required_documents(stage, works_cost_fen=works_cost_fen)
    return tuple(kind for kind in needed if kind not in have)


def transition_problems(
    current: Stage,
    target: Stage,
    documents: Iterable[str],
    *,
    consultation_passed: bool = False,
    works_cost_fen: int | None = None,
) -> tuple[str, ...]:
    """Why a move is not allowed (empty when it is): wrong step, missing documents, vote.

    Moving forward needs the current stage's documents; leaving the consultation also needs
    the vote(s) passed in every scope that applies (the caller tallies them).
    """
    if target not in allowed_next(current):
        return (f"stage {current.value} cannot move to stage {target.value}",)
    if target < current:
        return ()
    problems = [
        f"missing document: {kind}"
        for kind in missing_documents(current, documents, works_cost_fen=works_cost_fen)
    ]
    if current is Stage.CONSULTATION and not consultation_passed:
        problems.append("the consultation has not passed")
    return tuple(problems)


# --- clocks -------------------------------------------------------------------------------

NOTICE_DAYS = 10
FEEDBACK_DAYS = 7
REGISTRATION_DAYS = 30
MAINTENANCE_DAYS = 15
INSPECTION_REQUEST_MONTHS = 1

ClockStatus = Literal["ok", "due_soon", "overdue", "done"]
ClockKind = Literal["period", "deadline"]

DUE_SOON_DAYS: Mapping[str, int] = {"maintenance": 3}
DEFAULT_DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class ProjectDates:
    """The dates a project has recorded; any may be missing."""

    planning_notice_start: date | None = None
    entered_service: date | None = None
    use_registered: date | None = None
    last_maintenance: date | None = None
    last_inspection: date | None = None
    inspection_due: date | None = None
    """Next periodic inspection printed on the certificate; else last inspection + 1 year."""
    inspection_requested: date | None = None


@dataclass(frozen=True)
class Clock:
    """One published time rule applied to a project.

    A ``period`` (notice, feedback window) is something to wait out: ``done`` once it has
    ended. A ``deadline`` is something to do by ``due``: ``done`` once recorded, ``overdue``
    after ``due``.
    """

    name: str
    label: str
    kind: ClockKind
    due: date
    status: ClockStatus
    days_left: int
    done_on: date | None = None


def add_months(day: date, months: int) -> date:
    """Same day of another month, or that month's last day (31 Mar - 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = month_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _roll_forward(day: date, calendar: WorkCalendar | None) -> date:
    """Civil Code art. 203: a period ending on a day off ends on the next working day."""
    return day if calendar is None else roll_forward(day, calendar)


def _status(
    name: str,
    kind: ClockKind,
    due: date,
    today: date,
    done_on: date | None,
    due_soon: Mapping[str, int],
) -> ClockStatus:
    if done_on is not None or (kind == "period" and today > due):
        return "done"
    if today > due:
        return "overdue"
    window = due_soon.get(name, DUE_SOON_DAYS.get(name, DEFAULT_DUE_SOON_DAYS))
    return "due_soon" if (due - today).days <= window else "ok"


def clocks(
    dates: ProjectDates,
    today: date,
    *,
    calendar: WorkCalendar | None = None,
    due_soon: Mapping[str, int] | None = None,
) -> list[Clock]:
    """Every clock that the recorded dates start, soonest first.

    ``calendar`` (the street's working-day calendar) moves the last day of the statutory
    periods counted in days off a day off (Civil Code art. 203): the publicity period, the
    written-feedback window and the 30 days for use registration. Maintenance intervals and the
    inspection expiry are technical dates and do not move. Without a calendar, calendar days
    are used as published. ``due_soon`` overrides the warning window per
    clock name (defaults: 3 days for maintenance, 7 days otherwise).
    """
    windows: Mapping[str, int] = due_soon or {}
    found: list[Clock] = []

    def add(name: str, kind: ClockKind, due: date, done_on: date | None = None) -> None:
        status = _status(name, kind, due, today, done_on, windows)
        days_left = (due - today).days
        found.append(Clock(name, CLOCK_LABELS[name], kind, due, status, days_left, done_on))

    if dates.planning_notice_start is not None:
        notice_end = _roll_forward(
            dates.planning_notice_start + timedelta(days=NOTICE_DAYS), calendar
        )
        add("planning_notice", "period", notice_end)
        feedback_end = _roll_forward(notice_end + timedelta(days=FEEDBACK_DAYS), calendar)
        add("planning_feedback", "period", feedback_end)
    if dates.entered_service is not None:
        registration_due = _roll_forward(
            dates.entered_service + timedelta(days=REGISTRATION_DAYS), calendar
        )
        add("use_registration", "deadline", registration_due, dates.use_registered)
        last = max(filter(None, (dates.entered_service, dates.last_maintenance)))
        add("maintenance", "deadline", last + timedelta(days=MAINTENANCE_DAYS))
    expiry = dates.inspection_due
    if expiry is None and dates.last_inspection is not None:
        expiry = add_months(dates.last_inspection, 12)
    if expiry is not None:
        requested = dates.inspection_requested
        if requested is not None and dates.last_inspection and requested < dates.last_inspection:
            requested = None  # a request from the previous cycle
        add(
            "inspection_request",
            "deadline",
            add_months(expiry, -INSPECTION_REQUEST_MONTHS),
            requested,
        )
        add("inspection", "deadline", expiry)
    return sorted(found, key=lambda clock: (clock.due, clock.name))


CLOCK_LABELS: Mapping[str, str] = {
    "planning_notice": gettext_noop("规划设计方案公示期（10日）"),
    "planning_feedback": gettext_noop("书面意见反馈期（公示期满后7日）"),
    "use_registration": gettext_noop("使用登记（投入使用后30日内）"),
    "maintenance": gettext_noop("日常维护保养（每15日至少一次）"),
    "inspection_request": gettext_noop("定期检验申请（有效期届满前1个月）"),
    "inspection": gettext_noop("定期检验有效期届满"),
}


# --- reminders (the daily schedule) --------------------------------------------------------

VOTE_DEADLINE_WARN_DAYS = 3
"""The committee is told this many days before a vote's deadline how many owners have not voted."""
VOTE_NOTICE_CATCH_UP_DAYS = 3
"""A vote opened with a later start is announced to owners on its first day (or within this many
days, if the schedule did not run that day)."""


def clock_reminders(found: Iterable[Clock]) -> list[Clock]:
    """The clocks a committee is reminded of: due soon, or overdue (a deadline not yet met)."""
    return [clock for clock in found if clock.status in ("due_soon", "overdue")]


def vote_deadline_due(
    closes: date | None, today: date, *, warn_days: int = VOTE_DEADLINE_WARN_DAYS
) -> bool:
    """An open vote whose deadline is today or within ``warn_days`` calls for the reminder."""
    return closes is not None and 0 <= (closes - today).days <= warn_days


def vote_notice_due(
    opens: date,
    closes: date | None,
    today: date,
    *,
    catch_up_days: int = VOTE_NOTICE_CATCH_UP_DAYS,
) -> bool:
    """Owners are told a vote has opened once it has started, it has a deadline still ahead (or
    today), and it opened at most ``catch_up_days`` ago (a late notice is no use)."""
    if closes is None or not opens <= today <= closes:
        return False
    return (today - opens).days < catch_up_days
